-- svf_inclusion, numerator: episodes that ended with start of treatment, counted in the patient's
-- home region (the closing region where it is unknown). Denominator: svf_inclusion_expected.sql.
SELECT incl_region_code AS region, incl_healthcare_region AS healthcare_region, svf_code,
       end_date AS period_date, 1 AS num
FROM episodes
WHERE treated
