-- Every (cancer case, register whose prefixes match it), and whether the register has the case.
SELECT c.case_id, m.register_code, c.region_code, c.healthcare_region, c.diagnosis_date,
       EXISTS (SELECT 1 FROM register_cases AS rc
               WHERE rc.register_code = m.register_code AND rc.case_id = c.case_id) AS registered,
       g.coverage_target_low AS target_low, g.coverage_target_high AS target_high
FROM cases AS c
JOIN icd_register AS m ON m.icd_norm = c.icd_norm
JOIN registers AS g ON g.register_code = m.register_code
ORDER BY c.diagnosis_date
