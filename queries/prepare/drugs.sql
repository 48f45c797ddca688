-- Valid drug-treatment starts with their pathway (longest ICD-10 prefix) and healthcare region.
SELECT d.*, r.healthcare_region, m.svf_code
FROM drug_treatments AS d
JOIN regions AS r USING (region_code)
LEFT JOIN icd_pathway AS m ON m.icd_norm = upper(replace(trim(d.icd10), '.', ''))
ORDER BY d.start_date
