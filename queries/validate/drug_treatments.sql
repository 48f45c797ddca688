-- Row rules of data-contract.md §4 for drug_treatments; the first broken rule names the row's reason.
SELECT *, CASE
    WHEN treatment_id IS NULL THEN 'treatment_id är tom (nyckel)'
    WHEN count(*) OVER (PARTITION BY treatment_id) > 1 THEN 'treatment_id förekommer flera gånger (alla kopior utelämnas)'
    WHEN region_code IS NULL THEN 'region_code är tom (nyckel)'
    WHEN region_code NOT IN (SELECT region_code FROM regions) THEN 'region_code: okänd region'
    WHEN start_date IS NULL THEN 'start_date är tom'
    WHEN substance IS NULL THEN 'substance är tom'
    WHEN icd10 IS NULL THEN 'icd10 är tom'
    WHEN in_rcl IS NULL THEN 'in_rcl är tom'
    WHEN start_date > $extract_date THEN 'start_date efter uttagsdatum'
    WHEN start_date < $earliest THEN 'start_date före 1958-01-01'
END AS _reason
FROM raw_drug_treatments
