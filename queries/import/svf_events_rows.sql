-- import svf-events, step 1 (data-contract.md §9.1): every source row of kva_src parsed, checked and
-- given the first reason it cannot be used, or none. Codes are compared upper-cased with all spaces
-- removed; the prefix is the first three characters and the event the last two. A one-digit region
-- code ('1') is read as its two-digit form ('01'). Rows breaking a rule of §4 come first (a row that
-- breaks several is counted once), then malformed codes, unknown prefixes and events, and last every
-- extra copy of an identical row (identical after the code's normalisation, compared as parsed values).
-- Parameters: $extract_date, $earliest, $events (known two-digit events), $retired (events retired 2018).
WITH parsed AS (
    SELECT file_no, row_no,
           nullif(trim(person_id), '') AS person_id,
           CASE WHEN regexp_full_match(trim(region_code), '[0-9]') THEN '0' || trim(region_code)
                ELSE nullif(trim(region_code), '') END AS region_code,
           CASE WHEN regexp_full_match(trim(home_region_code), '[0-9]') THEN '0' || trim(home_region_code)
                ELSE nullif(trim(home_region_code), '') END AS home_region_code,
           nullif(trim(event_date), '') AS event_date_text,
           CAST(try_strptime(trim(event_date), ['%Y-%m-%d', '%Y-%m-%d %H:%M:%S']) AS DATE) AS event_date,
           upper(regexp_replace(coalesce(kva_code, ''), '\s', '', 'g')) AS code,
           upper(nullif(trim(sex), '')) AS sex,
           nullif(trim(age), '') AS age_text,
           CASE WHEN regexp_full_match(trim(age), '[+-]?[0-9]{1,9}') THEN CAST(trim(age) AS BIGINT) END AS age
    FROM kva_src
),
checked AS (
    SELECT *, substr(code, 1, 3) AS prefix, substr(code, 4, 2) AS event, CASE
        WHEN person_id IS NULL THEN 'person_id är tom'
        WHEN region_code IS NULL THEN 'region_code är tom'
        WHEN region_code NOT IN (SELECT region_code FROM regions) THEN 'region_code: okänd region'
        WHEN home_region_code IS NOT NULL AND home_region_code NOT IN (SELECT region_code FROM regions)
            THEN 'home_region_code: okänd region'
        WHEN event_date_text IS NULL THEN 'event_date är tom'
        WHEN event_date IS NULL THEN 'event_date är inte ett datum ÅÅÅÅ-MM-DD'
        WHEN event_date > $extract_date THEN 'event_date efter uttagsdatum'
        WHEN event_date < $earliest THEN 'event_date före 1958-01-01'
        WHEN code = '' THEN 'kva_code är tom'
        WHEN sex IS NULL THEN 'sex är tom'
        WHEN sex NOT IN ('M', 'K') THEN 'sex är inte M eller K'
        WHEN age_text IS NULL THEN 'age är tom'
        WHEN age IS NULL THEN 'age är inte ett heltal'
        WHEN age NOT BETWEEN 0 AND 120 THEN 'age utanför 0–120'
        WHEN NOT regexp_full_match(code, 'V[A-Z][0-9][0-9]{2}')
            THEN 'kva_code felformad (väntat V, en bokstav, en siffra och en tvåsiffrig händelse, t.ex. VG910)'
        WHEN substr(code, 1, 3) NOT IN (SELECT kva_prefix FROM svf_kva_prefixes)
            THEN 'okänt förloppsprefix ' || substr(code, 1, 3) || ' (finns inte i svf_kva_prefixes)'
        WHEN list_contains($retired, substr(code, 4, 2))
            THEN 'händelsekod ' || substr(code, 4, 2) || ' utgick 2018, används inte'
        WHEN NOT list_contains($events, substr(code, 4, 2)) THEN 'okänd händelsekod ' || substr(code, 4, 2)
    END AS reason
    FROM parsed
)
SELECT file_no, row_no, person_id, region_code, home_region_code, event_date, code, prefix, event, sex, age,
       CASE WHEN reason IS NOT NULL THEN reason
            WHEN row_number() OVER (PARTITION BY reason IS NULL, person_id, region_code, home_region_code,
                                    event_date, code, sex, age ORDER BY file_no, row_no) > 1
                THEN 'identisk upprepad rad (extra kopia)'
       END AS reason
FROM checked
