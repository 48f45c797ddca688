-- rcl_starts_per_100k, denominator: inhabitants per region × month of the period, each whole month
-- weighing 1/12 of its year's population (NULL where the year's population is missing).
-- Parameters: $start, $end. `den` is in units of 1/12 inhabitant (the year's population per month), so
-- sums are exact; the engine divides once by the catalogue's denominator_divisor (12).
WITH months AS (
    SELECT CAST(m AS DATE) AS month_start
    FROM range(date_trunc('month', $start::DATE), $end::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH) AS t(m)
    WHERE CAST(m AS DATE) >= $start::DATE AND last_day(CAST(m AS DATE)) <= $end::DATE
)
SELECT r.region_code AS region, r.healthcare_region, m.month_start AS period_date,
       p.population AS den
FROM months AS m
CROSS JOIN regions AS r
LEFT JOIN population_year AS p ON p.region_code = r.region_code AND p.year = year(m.month_start)
