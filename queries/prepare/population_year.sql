-- Inhabitants per region and year (summed over sex and age group).
SELECT region_code, year, sum(population) AS population
FROM population
GROUP BY ALL
