-- qi:CODE: outcomes of one register quality indicator. met NULL is "uppgift saknas": counted in
-- `missing`, in neither numerator nor denominator. Parameters: $indicator_code.
SELECT o.region_code AS region, o.healthcare_region, o.hospital_code AS hospital, o.diagnosis_date AS period_date,
       (o.met IS TRUE)::INTEGER AS num, (o.met IS NOT NULL)::INTEGER AS den, (o.met IS NULL)::INTEGER AS missing
FROM outcomes AS o
WHERE o.indicator_code = $indicator_code
