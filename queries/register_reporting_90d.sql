-- register_reporting_90d: registrations; counted when registered within 90 days of diagnosis.
SELECT register_code AS register, region_code AS region, healthcare_region, hospital_code AS hospital,
       diagnosis_date AS period_date, (days_to_register <= 90)::INTEGER AS num, 1 AS den
FROM registrations
