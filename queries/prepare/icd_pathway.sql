-- Each distinct ICD-10 code (normalised: trimmed, dots removed, upper case) → the SVF pathway whose
-- prefix is its LONGEST matching prefix (data-contract.md §2). Codes that match none are absent.
WITH prefixes AS (
    SELECT svf_code, upper(replace(trim(p), '.', '')) AS prefix
    FROM svf_pathways, unnest(string_split(coalesce(icd10_prefixes, ''), ';')) AS u(p)
    WHERE trim(p) <> ''
)
SELECT c.icd_norm, arg_max(p.svf_code, length(p.prefix)) AS svf_code
FROM icd_codes AS c
JOIN prefixes AS p ON starts_with(c.icd_norm, p.prefix)
GROUP BY c.icd_norm
