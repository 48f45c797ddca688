-- Row rules of data-contract.md §4 for indicator_outcomes. An outcome whose registration was left
-- out (or never existed) cannot be placed in a region or period, so it is left out too.
SELECT *, CASE
    WHEN registration_id IS NULL THEN 'registration_id är tom (nyckel)'
    WHEN indicator_code IS NULL THEN 'indicator_code är tom (nyckel)'
    WHEN indicator_code NOT IN (SELECT indicator_code FROM quality_indicators) THEN 'indicator_code: okänd indikator'
    WHEN registration_id NOT IN (SELECT registration_id FROM register_cases)
        THEN 'registration_id finns inte i register_cases'
    WHEN count(*) OVER (PARTITION BY registration_id, indicator_code) > 1
        THEN 'samma registrering och indikator flera gånger (alla kopior utelämnas)'
END AS _reason
FROM raw_indicator_outcomes
