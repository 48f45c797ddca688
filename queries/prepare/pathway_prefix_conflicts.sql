-- A prefix listed for two pathways is an error in svf_pathways (data-contract.md §2).
WITH prefixes AS (
    SELECT svf_code, upper(replace(trim(p), '.', '')) AS prefix
    FROM svf_pathways, unnest(string_split(coalesce(icd10_prefixes, ''), ';')) AS u(p)
    WHERE trim(p) <> ''
)
SELECT prefix, list(DISTINCT svf_code ORDER BY svf_code) AS pathways
FROM prefixes
GROUP BY prefix
HAVING count(DISTINCT svf_code) > 1
ORDER BY prefix
