-- Valid cancer cases with their SVF pathway (longest ICD-10 prefix) and healthcare region.
SELECT c.case_id, c.region_code, r.healthcare_region, c.diagnosis_date,
       upper(replace(trim(c.icd10), '.', '')) AS icd_norm, m.svf_code
FROM cancer_cases AS c
JOIN regions AS r USING (region_code)
LEFT JOIN icd_pathway AS m ON m.icd_norm = upper(replace(trim(c.icd10), '.', ''))
