-- Valid quality-register registrations with their healthcare region, reporting unit and reporting delay in days.
SELECT rc.registration_id, rc.register_code, rc.case_id, rc.region_code, r.healthcare_region, rc.hospital_code,
       rc.diagnosis_date, date_diff('day', rc.diagnosis_date, rc.registered_date) AS days_to_register
FROM register_cases AS rc
JOIN regions AS r USING (region_code)
