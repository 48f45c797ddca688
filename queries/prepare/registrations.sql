-- Valid quality-register registrations with their healthcare region and reporting delay in days.
SELECT rc.*, r.healthcare_region, date_diff('day', rc.diagnosis_date, rc.registered_date) AS days_to_register
FROM register_cases AS rc
JOIN regions AS r USING (region_code)
ORDER BY rc.diagnosis_date
