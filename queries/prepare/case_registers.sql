-- Every (cancer case, register whose prefixes match it), and whether the register has the case.
WITH registered AS (
    SELECT DISTINCT register_code, case_id FROM registrations WHERE case_id IS NOT NULL
)
SELECT c.case_id, m.register_code, c.region_code, c.healthcare_region, c.diagnosis_date,
       rg.case_id IS NOT NULL AS registered,
       g.coverage_target_low AS target_low, g.coverage_target_high AS target_high
FROM cases AS c
JOIN icd_register AS m ON m.icd_norm = c.icd_norm
JOIN registers AS g ON g.register_code = m.register_code
LEFT JOIN registered AS rg ON rg.register_code = m.register_code AND rg.case_id = c.case_id
ORDER BY c.diagnosis_date
