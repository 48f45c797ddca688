-- import svf-events, step 3 (data-contract.md §9.1): one svf_episodes row per opened episode. Its
-- region is the end row's (the closing region), or the start row's while ongoing; its home region the
-- end row's when set, else the start row's; sex and age the start row's. episode_id is
-- person_id-prefix-YYYYMMDD of the start (unique: a second start on an episode's start day comes
-- before any end that day, so it never opens another episode).
-- Reads kva_roles (step 2).
WITH parts AS (
    SELECT person_id, prefix, episode_no,
           any_value(svf_code) AS svf_code,
           max(event_date) FILTER (WHERE role = 'start') AS start_date,
           max(event_date) FILTER (WHERE role = 'end') AS end_date,
           max(event) FILTER (WHERE role = 'end') AS end_code,
           coalesce(bool_or(role = 'mark'), false) AS extended_workup,
           max(region_code) FILTER (WHERE role = 'start') AS start_region,
           max(region_code) FILTER (WHERE role = 'end') AS end_region,
           max(home_region_code) FILTER (WHERE role = 'start') AS start_home,
           max(home_region_code) FILTER (WHERE role = 'end') AS end_home,
           max(sex) FILTER (WHERE role = 'start') AS sex,
           max(age) FILTER (WHERE role = 'start') AS age
    FROM kva_roles
    WHERE role IS NOT NULL
    GROUP BY person_id, prefix, episode_no
)
SELECT person_id || '-' || prefix || '-' || strftime(start_date, '%Y%m%d') AS episode_id, person_id,
       coalesce(end_region, start_region) AS region_code, coalesce(end_home, start_home) AS home_region_code,
       svf_code, start_date, end_date, end_code, extended_workup, sex, age
FROM parts
ORDER BY start_date, episode_id
