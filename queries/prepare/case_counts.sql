-- Cancer cases per region × pathway × diagnosis year: the base of the expected-case denominator.
SELECT region_code, svf_code, year(diagnosis_date) AS year, count(*) AS n
FROM cases
WHERE svf_code IS NOT NULL
GROUP BY ALL
