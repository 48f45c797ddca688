-- svf_within_target: treated and '73' episodes that have a lead-time target; within = lead time <= target.
SELECT region_code AS region, healthcare_region, svf_code, treatment_type, sex,
       end_date AS period_date,
       (lead_time <= target_days)::INTEGER AS num, 1 AS den, target_placeholder AS placeholder
FROM episodes
WHERE target_days IS NOT NULL
