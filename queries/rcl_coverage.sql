-- rcl_coverage: drug-treatment starts known from the ordination systems; counted when in RCL.
SELECT region_code AS region, healthcare_region, svf_code, substance,
       start_date AS period_date, in_rcl::INTEGER AS num, 1 AS den
FROM drugs
