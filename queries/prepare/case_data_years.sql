-- Diagnosis years in which cancer_cases has any row: only these count as base years (contract §5).
SELECT DISTINCT year(diagnosis_date) AS year FROM cases
