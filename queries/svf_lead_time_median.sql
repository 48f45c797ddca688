-- svf_lead_time_median: same population as svf_within_target; the value is the lead time in days.
SELECT region_code AS region, healthcare_region, svf_code, treatment_type, sex,
       end_date AS period_date, lead_time, target_placeholder AS placeholder
FROM episodes
WHERE target_days IS NOT NULL
