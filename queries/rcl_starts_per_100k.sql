-- rcl_starts_per_100k, numerator: treatment starts registered in RCL. Denominator: rcl_population.sql.
SELECT region_code AS region, healthcare_region, start_date AS period_date, 1 AS num
FROM drugs
WHERE in_rcl
