-- svf_over_175: same population as svf_within_target; counted when lead time > 1.75 × target
-- (compared in integers, 4·lead > 7·target, so no rounding decides a border case).
SELECT region_code AS region, healthcare_region, svf_code, treatment_type, sex,
       end_date AS period_date,
       (4 * lead_time > 7 * target_days)::INTEGER AS num, 1 AS den, target_placeholder AS placeholder
FROM episodes
WHERE target_days IS NOT NULL
