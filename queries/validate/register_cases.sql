-- Row rules of data-contract.md §4 for register_cases; the first broken rule names the row's reason.
-- Parameters: $extract_date, $earliest.
SELECT *, CASE
    WHEN registration_id IS NULL THEN 'registration_id är tom (nyckel)'
    WHEN count(*) OVER (PARTITION BY registration_id) > 1
        THEN 'registration_id förekommer flera gånger (alla kopior utelämnas)'
    WHEN register_code IS NULL THEN 'register_code är tom (nyckel)'
    WHEN register_code NOT IN (SELECT register_code FROM registers) THEN 'register_code: okänt register'
    WHEN region_code IS NULL THEN 'region_code är tom (nyckel)'
    WHEN region_code NOT IN (SELECT region_code FROM regions) THEN 'region_code: okänd region'
    WHEN hospital_code IS NULL THEN 'hospital_code är tom'
    WHEN diagnosis_date IS NULL THEN 'diagnosis_date är tom'
    WHEN registered_date IS NULL THEN 'registered_date är tom'
    WHEN registered_date < diagnosis_date THEN 'registered_date före diagnosis_date'
    WHEN diagnosis_date > $extract_date OR registered_date > $extract_date THEN 'datum efter uttagsdatum'
    WHEN diagnosis_date < $earliest THEN 'datum före 1958-01-01'
END AS _reason
FROM raw_register_cases
