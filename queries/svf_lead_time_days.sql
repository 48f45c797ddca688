-- Lead-time distribution: episodes of the svf_within_target population per lead time in days, with
-- the target that each was judged against. The engine groups and filters it like any indicator.
SELECT region_code AS region, healthcare_region, svf_code, treatment_type, sex,
       end_date AS period_date, lead_time, target_days, target_placeholder AS placeholder
FROM episodes
WHERE target_days IS NOT NULL
