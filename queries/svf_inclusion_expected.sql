-- svf_inclusion, denominator: expected new cancer cases per region × pathway × month of the period.
-- For a month of year Y: the mean yearly number of the pathway's cases in the region over the base
-- years Y-1, Y-2, Y-3 that have any case at all, divided by 12 (NULL when Y has no base year).
-- Only months wholly inside [$start, $end] count. Parameters: $start, $end.
-- `den` is in units of 1/72 case (n × 6 / n_base, an integer since n_base is 1, 2 or 3), so sums
-- are exact; the engine divides once by the catalogue's denominator_divisor (72).
WITH months AS (
    SELECT CAST(m AS DATE) AS month_start
    FROM range(date_trunc('month', $start::DATE), $end::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH) AS t(m)
    WHERE CAST(m AS DATE) >= $start::DATE AND last_day(CAST(m AS DATE)) <= $end::DATE
),
years AS (SELECT DISTINCT year(month_start) AS year FROM months),
base_years AS (
    SELECT y.year, d.year AS base_year
    FROM years AS y JOIN case_data_years AS d ON d.year BETWEEN y.year - 3 AND y.year - 1
),
base_count AS (
    SELECT y.year, count(b.base_year) AS n_base
    FROM years AS y LEFT JOIN base_years AS b USING (year)
    GROUP BY y.year
),
cases_in_base AS (
    SELECT b.year, c.region_code, c.svf_code, sum(c.n) AS n
    FROM base_years AS b JOIN case_counts AS c ON c.year = b.base_year
    GROUP BY ALL
)
SELECT r.region_code AS region, r.healthcare_region, p.svf_code, m.month_start AS period_date,
       CASE WHEN bc.n_base > 0 THEN coalesce(ci.n, 0) * (6 // bc.n_base) END AS den
FROM months AS m
JOIN base_count AS bc ON bc.year = year(m.month_start)
CROSS JOIN regions AS r
CROSS JOIN svf_pathways AS p
LEFT JOIN cases_in_base AS ci
       ON ci.year = year(m.month_start) AND ci.region_code = r.region_code AND ci.svf_code = p.svf_code
