-- Row rules for published_figures (data-contract.md §9.3, with §4's rules for keys and dates); the
-- first broken rule names the row's reason.
-- Parameters: $extract_date; $indicators (every catalogue id of the set, qi:CODE included);
-- $proportions (the ids whose value is a share of counted units, so at most 100 and numerator at
-- most denominator; svf_inclusion's estimated denominator lets it pass 100 and is not among them).
SELECT *, CASE
    WHEN source IS NULL OR trim(source) = '' THEN 'source är tom'
    WHEN source_id IS NULL OR trim(source_id) = '' THEN 'source_id är tom'
    WHEN indicator IS NULL THEN 'indicator är tom (nyckel)'
    WHEN NOT list_contains($indicators, indicator) THEN 'indicator: okänd indikator'
    WHEN region_code IS NOT NULL AND region_code NOT IN (SELECT region_code FROM regions)
        THEN 'region_code: okänd region'
    WHEN period IS NULL THEN 'period är tom'
    WHEN NOT regexp_full_match(period, '[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?')
        THEN 'period: varken ÅÅÅÅ, ÅÅÅÅ-Qn eller ÅÅÅÅ-MM'
    WHEN TRY_CAST(left(period, 4) AS INTEGER) < 1958 THEN 'period före 1958'
    WHEN make_date(TRY_CAST(left(period, 4) AS INTEGER),
                   CASE WHEN length(period) = 4 THEN 1
                        WHEN substr(period, 6, 1) = 'Q' THEN (TRY_CAST(substr(period, 7, 1) AS INTEGER) - 1) * 3 + 1
                        ELSE TRY_CAST(substr(period, 6, 2) AS INTEGER) END, 1) > $extract_date
        THEN 'period efter uttagsdatum'
    WHEN value IS NOT NULL AND (isnan(value) OR isinf(value)) THEN 'value är inte ett tal'
    WHEN value < 0 THEN 'value är negativt'
    WHEN value > 100 AND list_contains($proportions, indicator) THEN 'value över 100 för en andel'
    WHEN numerator < 0 OR denominator < 0 THEN 'numerator eller denominator är negativ'
    WHEN numerator > denominator AND list_contains($proportions, indicator)
        THEN 'numerator större än denominator för en andel'
    WHEN count(*) OVER (PARTITION BY source, indicator, region_code, period) > 1
        THEN 'källa, indikator, region och period förekommer flera gånger (alla kopior utelämnas)'
END AS _reason
FROM raw_published_figures
