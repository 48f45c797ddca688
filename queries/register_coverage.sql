-- register_coverage: cancer cases within each register's ICD-10 prefixes; counted when the register
-- has a registration with that case_id. Targets travel with the rows (they differ by register).
SELECT register_code AS register, region_code AS region, healthcare_region,
       diagnosis_date AS period_date, registered::INTEGER AS num, 1 AS den, target_low, target_high
FROM case_registers
