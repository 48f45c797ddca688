-- Each distinct normalised ICD-10 code → every register with a matching prefix (a case can belong to
-- several registers: "any prefix matches", data-contract.md §2).
WITH prefixes AS (
    SELECT register_code, upper(replace(trim(p), '.', '')) AS prefix
    FROM registers, unnest(string_split(coalesce(icd10_prefixes, ''), ';')) AS u(p)
    WHERE trim(p) <> ''
)
SELECT DISTINCT c.icd_norm, p.register_code
FROM icd_codes AS c
JOIN prefixes AS p ON starts_with(c.icd_norm, p.prefix)
