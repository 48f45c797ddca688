-- import svf-events, step 2 (data-contract.md §9.1): the role of every usable row in its person's
-- episodes of one pathway, set-based. Per person and prefix, rows are taken in order of date, then
-- event code (then file and row, so that the result does not depend on how the rows were read).
-- After any start (10) an episode is open and after any end code it is closed, whether or not the
-- code itself was used; so a start opens an episode exactly when the start/end row before it is not
-- a start, an end closes one exactly when the start/end row before it is a start, and a 44 marks
-- extended work-up exactly when the start/end row before it is a start. Episodes are numbered by the
-- starts that opened them. Follow-up codes (22 25 35 40 90 91) are counted, not used.
-- Reads kva_rows (step 1). Parameters: $end_codes.
WITH usable AS (
    SELECT r.*, p.svf_code,
           CASE WHEN r.event = '10' THEN 'S' WHEN list_contains($end_codes, r.event) THEN 'E'
                WHEN r.event = '44' THEN 'X' ELSE 'F' END AS kind
    FROM kva_rows AS r
    JOIN svf_kva_prefixes AS p ON p.kva_prefix = r.prefix
    WHERE r.reason IS NULL
),
ordered AS (
    SELECT *, last_value(CASE WHEN kind IN ('S', 'E') THEN kind END IGNORE NULLS) OVER (
                  PARTITION BY person_id, prefix ORDER BY event_date, event, file_no, row_no
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM usable
    WHERE kind <> 'F'
),
roles AS (
    SELECT *, CASE
        WHEN kind = 'S' AND before IS DISTINCT FROM 'S' THEN 'start'
        WHEN kind = 'E' AND before = 'S' THEN 'end'
        WHEN kind = 'X' AND before = 'S' THEN 'mark'
    END AS role
    FROM ordered
)
SELECT *, sum(CASE WHEN role = 'start' THEN 1 ELSE 0 END) OVER (
              PARTITION BY person_id, prefix ORDER BY event_date, event, file_no, row_no
              ROWS UNBOUNDED PRECEDING) AS episode_no,
       CASE WHEN role IS NOT NULL THEN NULL
            WHEN kind = 'S' THEN 'start medan ett förlopp pågår (ignoreras)'
            WHEN kind = 'E' THEN 'avslut utan pågående förlopp (ignoreras)'
            ELSE '44 (utökad utredning) utan pågående förlopp (ignoreras)'
       END AS unused
FROM roles
UNION ALL BY NAME
SELECT *, NULL AS before, NULL AS role, NULL AS episode_no,
       'uppföljningskod ' || event || ' (' || CASE event
           WHEN '22' THEN 'kirurgisk åtgärd för diagnostik' WHEN '25' THEN 'första besök i specialiserad vård'
           WHEN '35' THEN 'första multidisciplinära konferens' WHEN '40' THEN 'information om diagnos'
           WHEN '90' THEN 'överflyttad till annan region' WHEN '91' THEN 'mottagen från annan region'
       END || '), används inte' AS unused
FROM usable
WHERE kind = 'F'
