-- rcl_starts_per_100k, denominator: inhabitants per region × month of the period, each whole month
-- weighing 1/12 of its year's population (NULL where the year's population is missing).
-- Parameters: $start, $end.
WITH months AS (
    SELECT CAST(m AS DATE) AS month_start
    FROM range(date_trunc('month', $start::DATE), $end::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH) AS t(m)
    WHERE CAST(m AS DATE) >= $start::DATE AND last_day(CAST(m AS DATE)) <= $end::DATE
)
SELECT r.region_code AS region, r.healthcare_region, m.month_start AS period_date,
       p.population / 12.0 AS den
FROM months AS m
CROSS JOIN regions AS r
LEFT JOIN population_year AS p ON p.region_code = r.region_code AND p.year = year(m.month_start)
