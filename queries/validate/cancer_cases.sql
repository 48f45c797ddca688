-- Row rules of data-contract.md §4 for cancer_cases; the first broken rule names the row's reason.
-- Parameters: $extract_date, $earliest.
SELECT *, CASE
    WHEN case_id IS NULL THEN 'case_id är tom (nyckel)'
    WHEN count(*) OVER (PARTITION BY case_id) > 1 THEN 'case_id förekommer flera gånger (alla kopior utelämnas)'
    WHEN region_code IS NULL THEN 'region_code är tom (nyckel)'
    WHEN region_code NOT IN (SELECT region_code FROM regions) THEN 'region_code: okänd region'
    WHEN person_id IS NULL THEN 'person_id är tom'
    WHEN diagnosis_date IS NULL THEN 'diagnosis_date är tom'
    WHEN icd10 IS NULL THEN 'icd10 är tom'
    WHEN sex IS NULL THEN 'sex är tom'
    WHEN age IS NULL THEN 'age är tom'
    WHEN diagnosis_date > $extract_date THEN 'diagnosis_date efter uttagsdatum'
    WHEN diagnosis_date < $earliest THEN 'diagnosis_date före 1958-01-01'
    WHEN sex NOT IN ('M', 'K') THEN 'sex: annat än M/K'
    WHEN age < 0 OR age > 120 THEN 'age utanför 0–120'
END AS _reason
FROM raw_cancer_cases
