-- Row rules of data-contract.md §4 for svf_episodes; the first broken rule names the row's reason.
-- Parameters: $extract_date, $earliest, $end_codes (the known two-digit end codes).
SELECT *, CASE
    WHEN episode_id IS NULL THEN 'episode_id är tom (nyckel)'
    WHEN count(*) OVER (PARTITION BY episode_id) > 1 THEN 'episode_id förekommer flera gånger (alla kopior utelämnas)'
    WHEN region_code IS NULL THEN 'region_code är tom (nyckel)'
    WHEN region_code NOT IN (SELECT region_code FROM regions) THEN 'region_code: okänd region'
    WHEN home_region_code IS NOT NULL AND home_region_code NOT IN (SELECT region_code FROM regions)
        THEN 'home_region_code: okänd region'
    WHEN svf_code IS NULL THEN 'svf_code är tom (nyckel)'
    WHEN svf_code NOT IN (SELECT svf_code FROM svf_pathways) THEN 'svf_code: okänt vårdförlopp'
    WHEN person_id IS NULL THEN 'person_id är tom'
    WHEN start_date IS NULL THEN 'start_date är tom'
    WHEN extended_workup IS NULL THEN 'extended_workup är tom'
    WHEN sex IS NULL THEN 'sex är tom'
    WHEN age IS NULL THEN 'age är tom'
    WHEN (end_date IS NULL) <> (end_code IS NULL) THEN 'end_date och end_code: bara den ena är satt'
    WHEN end_code IS NOT NULL AND NOT list_contains($end_codes, end_code) THEN 'end_code: okänd avslutskod'
    WHEN end_date < start_date THEN 'end_date före start_date'
    WHEN start_date > $extract_date OR end_date > $extract_date THEN 'datum efter uttagsdatum'
    WHEN start_date < $earliest OR end_date < $earliest THEN 'datum före 1958-01-01'
    WHEN sex NOT IN ('M', 'K') THEN 'sex: annat än M/K'
    WHEN age < 0 OR age > 120 THEN 'age utanför 0–120'
END AS _reason
FROM raw_svf_episodes
