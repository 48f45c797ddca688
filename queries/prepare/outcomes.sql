-- Valid quality-indicator outcomes with the registration's diagnosis date, regions and reporting unit.
SELECT o.indicator_code, o.met, g.region_code, g.healthcare_region, g.hospital_code, g.diagnosis_date
FROM indicator_outcomes AS o
JOIN registrations AS g USING (registration_id)
