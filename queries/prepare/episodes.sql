-- Ended SVF episodes that every SVF indicator can use (treatment started, or '73' no further action),
-- with what the indicators need resolved once at load:
-- treatment type (from the end code), lead time in calendar days, the lead-time target by the four
-- rules of data-contract.md §2 (first rule that finds rows, then the latest valid_from <= start_date),
-- and the regions used for attribution.
WITH ep AS (
    SELECT e.*,
           CASE e.end_code
               WHEN '50' THEN 'surgery' WHEN '52' THEN 'drug' WHEN '54' THEN 'radiotherapy'
               WHEN '58' THEN 'palliative' WHEN '59' THEN 'other' WHEN '60' THEN 'expectancy'
               WHEN '73' THEN 'no_further_action'
           END AS treatment_type,
           date_diff('day', e.start_date, e.end_date) AS lead_time
    FROM svf_episodes AS e
    WHERE e.end_code IN ('50', '52', '54', '58', '59', '60', '73')
),
candidates AS (
    SELECT ep.episode_id, t.target_days, t.status,
           row_number() OVER (
               PARTITION BY ep.episode_id
               ORDER BY CASE
                            WHEN t.treatment_type = ep.treatment_type AND t.extended_workup = ep.extended_workup THEN 1
                            WHEN t.treatment_type = 'any' AND t.extended_workup = ep.extended_workup THEN 2
                            WHEN t.treatment_type = ep.treatment_type THEN 3
                            ELSE 4
                        END,
                        t.valid_from DESC
           ) AS rk
    FROM ep
    JOIN svf_lead_time_targets AS t
      ON t.svf_code = ep.svf_code
     AND t.valid_from <= ep.start_date
     AND (t.extended_workup = ep.extended_workup OR NOT t.extended_workup)
     AND (t.treatment_type = ep.treatment_type
          -- 'any' stands for the six treatment-start types only, never for 'no_further_action'
          OR (t.treatment_type = 'any' AND ep.treatment_type <> 'no_further_action'))
)
SELECT ep.episode_id, ep.region_code, r.healthcare_region,
       coalesce(ep.home_region_code, ep.region_code) AS incl_region_code,
       hr.healthcare_region AS incl_healthcare_region,
       ep.svf_code, ep.start_date, ep.end_date, ep.end_code, ep.extended_workup, ep.sex,
       ep.treatment_type,
       ep.treatment_type IN ('surgery', 'drug', 'radiotherapy', 'palliative', 'other', 'expectancy') AS treated,
       ep.lead_time,
       c.target_days,
       c.status = 'placeholder' AS target_placeholder
FROM ep
JOIN regions AS r ON r.region_code = ep.region_code
JOIN regions AS hr ON hr.region_code = coalesce(ep.home_region_code, ep.region_code)
LEFT JOIN candidates AS c ON c.episode_id = ep.episode_id AND c.rk = 1
ORDER BY ep.end_date
