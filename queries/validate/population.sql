-- Row rules for population: keys and values must be usable, and a region × year × sex × age group
-- must appear once (a duplicate would double the denominator of rates).
SELECT *, CASE
    WHEN region_code IS NULL THEN 'region_code är tom (nyckel)'
    WHEN region_code NOT IN (SELECT region_code FROM regions) THEN 'region_code: okänd region'
    WHEN year IS NULL THEN 'year är tom'
    WHEN sex IS NULL THEN 'sex är tom'
    WHEN age_group IS NULL THEN 'age_group är tom'
    WHEN population IS NULL THEN 'population är tom'
    WHEN sex NOT IN ('M', 'K') THEN 'sex: annat än M/K'
    WHEN NOT list_contains($age_groups, age_group) THEN 'age_group: okänd åldersgrupp'
    WHEN population < 0 THEN 'population är negativ'
    WHEN year < 1958 OR year > year($extract_date) THEN 'year utanför 1958–uttagsåret'
    WHEN count(*) OVER (PARTITION BY region_code, year, sex, age_group) > 1
        THEN 'region, år, kön och åldersgrupp förekommer flera gånger (alla kopior utelämnas)'
END AS _reason
FROM raw_population
