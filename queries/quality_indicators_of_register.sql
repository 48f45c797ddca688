-- All quality indicators of one register at once (the register page shows them together): the rows
-- of quality_indicator.sql with their indicator code. Parameters: $register_code.
SELECT o.indicator_code, o.region_code AS region, o.healthcare_region, o.hospital_code AS hospital,
       o.diagnosis_date AS period_date,
       (o.met IS TRUE)::INTEGER AS num, (o.met IS NOT NULL)::INTEGER AS den, (o.met IS NULL)::INTEGER AS missing
FROM outcomes AS o
WHERE o.indicator_code IN (SELECT indicator_code FROM quality_indicators WHERE register_code = $register_code)
