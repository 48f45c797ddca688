-- rcl_direct_transfer: starts registered in RCL whose way of registration is known; counted when
-- registered by direct transfer.
SELECT region_code AS region, healthcare_region, svf_code, substance,
       start_date AS period_date, direct_transfer::INTEGER AS num, 1 AS den
FROM drugs
WHERE in_rcl AND direct_transfer IS NOT NULL
