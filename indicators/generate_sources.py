"""`generate --sources DIR`: the synthetic extract set written again in the forms regions and
registers actually hold (data-contract.md §9), for `import` and its round-trip test.

From an extract set that `generate` wrote, this writes into DIR:

* `svf_events/kva_<year>.(csv|parquet)`: the valid svf_episodes as KVÅ code rows (§9.1), one file
  per calendar year of the code's date, in turn semicolon-separated Windows-1252, comma-separated
  UTF-8 and Parquet with typed columns. Besides each episode's start (10), end code and 44 (extended
  work-up), they hold what real lists hold, in proportions like real ones: follow-up codes (25 for
  most episodes, 35, 40, some 22), transfers (90 by the home region, 91 by the closing region, and
  for some a second 10 by the receiving region), a few repeated starts, second end codes the same
  day, ends and 44s of persons without an episode, identical rows delivered twice, codes in lower
  case or with spaces, and a handful of rows breaking a rule (unknown region or prefix, malformed or
  retired codes, sex 'X', a missing age, a date after the extract date). Episodes the engine would
  leave out of the extract (its deliberately invalid rows) are not written.
* `svf_kva_prefixes.csv`: the bundled prefixes plus synthetic ones ('VX0'…, marked placeholder)
  for the pathways whose real prefix is not known; copy it into the output directory before
  importing, as a table of the extract set overrides the bundled one.
* `inca/inca_<register>.csv` and `mappings/inca_<register>.yaml`, one INCA-style export and its
  mapping per register (';', Windows-1252, a_lkf without its leading zero, five-digit hospital
  codes). NKBC's export has the variables of the shipped INCA mapping (a_mdk_Varde for nkbc04,
  a_omv_kssk_Varde for nkbc02, a_diag_misscadat and op_kir_dat for nkbc15) and the melanoma export
  a tumour thickness with decimal comma for melanom05; every other quality indicator is one coded
  column kvi_<code>_Varde (1 ja, 0 nej, 98 okänt, empty = not in the population), since the
  generator models outcomes, not the register variables behind them.
* `cancerregistret.csv`, `lakemedel.xlsx` and `folkmangd.csv`, in the forms of the shipped mappings
  data/mappings/cancerregistret.yaml, lakemedel.yaml and scb_folkmangd.yaml (copied to
  `mappings/`).
* `LASMIG.txt`: the commands that import it all (`import_commands`).

Importing every source into an empty directory gives an extract set on which every indicator of
the catalogue equals the one computed on the generated extract (tests/test_import_roundtrip.py).
Everything is derived from the extract and `seed`, so the same input gives the same files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from .imports.common import load_reference
from .loader import find_source, table_select
from .queries import bind, read_query
from .schema import END_CODE_TREATMENT

SHIPPED_MAPPINGS = Path(__file__).resolve().parent.parent / "data" / "mappings"
END_CODES = sorted(END_CODE_TREATMENT)
SYNTHETIC_PREFIXES = [f"VX{d}" for d in range(10)] + [f"VY{d}" for d in range(10)]
FOLLOW_UPS = (("25", .85), ("35", .50), ("40", .55), ("22", .10))  # (event, share of episodes)
EVENTS = END_CODES + ["10", "44", "90", "91"] + [e for e, _ in FOLLOW_UPS]
UNIT_NAMES = ("Kirurgkliniken", "Onkologkliniken", "Urologkliniken", "Kvinnokliniken", "Lungkliniken",
              "Hudkliniken", "Öron-näs-hals", "Medicinkliniken", "Diagnostiskt centrum", "Bröstcentrum Södra Älvsborg")
VALID_NAME = re.compile(r"^[a-z0-9_]+$")


def write_sources(extract_dir: Path, sources_dir: Path, seed: int = 1) -> dict[str, int]:
    """Write the source forms of the extract set in `extract_dir` into `sources_dir` (see module
    docstring), which must not exist or be empty; written beside it and renamed into place.
    Returns the number of rows per source file."""
    extract_dir, sources_dir = Path(extract_dir), Path(sources_dir)
    if sources_dir.exists() and (not sources_dir.is_dir() or any(sources_dir.iterdir())):
        raise FileExistsError(f"{sources_dir} finns redan och är inte tom")
    manifest = json.loads((extract_dir / "manifest.json").read_text(encoding="utf-8"))
    extract_date = date.fromisoformat(manifest["extract_date"])
    sources_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = sources_dir.parent / f".{sources_dir.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    con = duckdb.connect(config={"threads": 2})
    con.execute("SET enable_progress_bar = false")
    try:
        load_reference(con, extract_dir, ["regions", "svf_pathways", "registers", "quality_indicators",
                                          "svf_kva_prefixes"])
        counts: dict[str, int] = {}
        (tmp / "mappings").mkdir()
        for name in ("cancerregistret.yaml", "lakemedel.yaml", "scb_folkmangd.yaml"):
            shutil.copyfile(SHIPPED_MAPPINGS / name, tmp / "mappings" / name)
        prefixes = _prefix_table(con, tmp / "svf_kva_prefixes.csv")
        counts.update(_svf_events(con, extract_dir, tmp / "svf_events", prefixes, extract_date, seed))
        counts.update(_register_exports(con, extract_dir, tmp, seed))
        counts.update(_tumour_register(con, extract_dir, tmp / "cancerregistret.csv", seed))
        counts.update(_drug_export(con, extract_dir, tmp / "lakemedel.xlsx"))
        counts.update(_population(con, extract_dir, tmp / "folkmangd.csv"))
        (tmp / "LASMIG.txt").write_text(_readme(sources_dir, extract_date, tmp), encoding="utf-8")
        if sources_dir.exists():
            sources_dir.rmdir()  # empty, checked above
        tmp.rename(sources_dir)
        return counts
    finally:
        con.close()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def import_commands(sources_dir: Path, out_dir: Path, extract_date: date, listed_from: Path | None = None
                    ) -> list[list[str]]:
    """The `python -m indicators` argument lists that import everything in `sources_dir` into
    `out_dir` (after copying svf_kva_prefixes.csv into it), in order. The files are listed from
    `listed_from` when given (a directory with the same files, not yet renamed into place)."""
    s = Path(sources_dir)
    listed = Path(listed_from) if listed_from else s
    events = sorted(str(s / "svf_events" / p.name) for p in (listed / "svf_events").iterdir())
    date_arg = ["--extract-date", extract_date.isoformat()]
    cmds = [["import", "svf-events", *events, "--out", str(out_dir), *date_arg]]
    for src, mapping in [("cancerregistret.csv", "cancerregistret.yaml"), ("lakemedel.xlsx", "lakemedel.yaml"),
                         ("folkmangd.csv", "scb_folkmangd.yaml")]:
        cmds.append(["import", "mapped", str(s / src), "--mapping", str(s / "mappings" / mapping),
                     "--out", str(out_dir), *date_arg])
    for export in sorted((listed / "inca").iterdir()):
        mapping = s / "mappings" / f"{export.stem}.yaml"
        cmds.append(["import", "mapped", str(s / "inca" / export.name), "--mapping", str(mapping), "--out",
                     str(out_dir), *date_arg])
    return cmds


def _readme(sources_dir: Path, extract_date: date, listed_from: Path) -> str:
    out = Path("EXTRAKT")
    lines = [
        "Syntetiska källfiler i de former regioner och register har (data-contract.md §9), skrivna av",
        "'python -m indicators generate --sources'. Samma påhittade data som extraktet från generate.",
        "",
        "Importera allt till ett nytt extrakt (kör från projektets katalog):",
        "",
        f"  mkdir {out} && cp {sources_dir / 'svf_kva_prefixes.csv'} {out}/",
    ]
    for cmd in import_commands(sources_dir, out, extract_date, listed_from):
        lines.append("  python -m indicators " + " ".join(cmd))
    lines += ["", f"  python -m indicators validate --data {out}", ""]
    return "\n".join(lines)


# -- SVF: KVÅ code rows ------------------------------------------------------------------------------

def _prefix_table(con, path: Path) -> dict[str, str]:
    """svf_code → prefix: the set's or the bundled table, plus synthetic prefixes for the rest."""
    known = dict(con.execute("SELECT svf_code, kva_prefix FROM svf_kva_prefixes").fetchall())
    missing = [c for (c,) in con.execute("SELECT svf_code FROM svf_pathways ORDER BY svf_code").fetchall()
               if c not in known]
    free = [p for p in SYNTHETIC_PREFIXES if p not in known.values()]
    lines = ["svf_code,kva_prefix,status,source"]
    for code, prefix in known.items():
        lines.append(f"{code},{prefix},sourced,se data/reference/svf_kva_prefixes.csv")
    extra = dict(zip(missing, free))
    for code, prefix in extra.items():
        lines.append(f"{code},{prefix},placeholder,Syntetiskt prefix för exempeldata (ingen verklig KVÅ-kod)")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {**known, **extra}


def valid_rows(con, extract_dir: Path, table: str, extract_date: date):
    """Create the temp table valid_<table>: the rows of the extract's table that the engine keeps
    (the same row rules, queries/validate/<table>.sql)."""
    from .schema import AGE_GROUPS

    source = find_source(extract_dir, table)
    select, select_params = table_select(con, source)
    rules = read_query(f"validate/{table}.sql")
    params = {"extract_date": extract_date, "earliest": date(1958, 1, 1), "end_codes": END_CODES,
              "age_groups": list(AGE_GROUPS)}
    con.execute(f"CREATE OR REPLACE TEMP TABLE valid_{table} AS SELECT * EXCLUDE (_reason) FROM "
                f"(WITH raw_{table} AS ({select}) {rules}) WHERE _reason IS NULL",
                {**select_params, **bind(rules, params)})


def _svf_events(con, extract_dir: Path, folder: Path, prefixes: dict[str, str], extract_date: date,
                seed: int) -> dict[str, int]:
    valid_rows(con, extract_dir, "svf_episodes", extract_date)
    con.register("prefix_map", pa.table({"svf_code": list(prefixes), "prefix": list(prefixes.values())}))
    ep = con.sql(
        "SELECT e.person_id, e.region_code, e.home_region_code, p.prefix, "
        "CAST(date_diff('day', DATE '1970-01-01', e.start_date) AS INTEGER) AS s, "
        "CAST(date_diff('day', DATE '1970-01-01', e.end_date) AS INTEGER) AS e, e.end_code, e.extended_workup, "
        "e.sex, e.age FROM valid_svf_episodes e JOIN prefix_map p USING (svf_code) "
        "ORDER BY e.start_date, e.person_id, p.prefix").to_arrow_table()
    con.execute("DROP TABLE valid_svf_episodes")
    rng = np.random.Generator(np.random.PCG64([seed, 9111]))
    n = ep.num_rows
    start = ep.column("s").to_numpy()
    end_valid = ep.column("e").is_valid().to_numpy(zero_copy_only=False)
    end = np.where(end_valid, ep.column("e").fill_null(0).to_numpy(), -1)
    ended = end >= 0
    home_known = ep.column("home_region_code").is_valid().to_numpy(zero_copy_only=False)
    transfer = ended & home_known & ~np.asarray(
        pa.compute.equal(ep.column("home_region_code"), ep.column("region_code")).fill_null(True))
    ext = ep.column("extended_workup").to_numpy(zero_copy_only=False)
    last_day = int((np.datetime64(extract_date) - np.datetime64("1970-01-01")).astype(int))
    span = np.where(ended, end - start, np.minimum(30, last_day - start)).clip(0)
    # events are kept as small integers (an index into EVENTS) until the rows are written
    end_rank = pa.compute.index_in(ep.column("end_code"), value_set=pa.array(END_CODES)).fill_null(-1).to_numpy()

    # row kinds: (episode, event, day, region: 0 start region 1 closing region 2 home, home null?, age bump)
    parts = []

    def add(idx, event, day, region, home_null=None, bump=None):
        idx = np.asarray(idx)
        parts.append((idx, np.full(len(idx), EVENTS.index(event), np.int8) if isinstance(event, str) else event,
                      np.asarray(day), np.full(len(idx), region, np.int8),
                      np.zeros(len(idx), bool) if home_null is None else home_null,
                      np.zeros(len(idx), bool) if bump is None else bump))

    everyone = np.arange(n)
    add(everyone, "10", start, 0)
    e_idx = np.flatnonzero(ended)
    # the closing region's end row; some leave the home region out (the start row's is used)
    add(e_idx, end_rank[e_idx].astype(np.int8), end[e_idx], 1,
        home_null=(rng.random(len(e_idx)) < .05) & ~transfer[e_idx], bump=rng.random(len(e_idx)) < .1)
    x_idx = np.flatnonzero(ext)
    add(x_idx, "44", start[x_idx] + np.floor(rng.random(len(x_idx)) * (span[x_idx] + 1)).astype(int), 0)
    for event, share in FOLLOW_UPS:
        f_idx = np.flatnonzero(rng.random(n) < share)
        add(f_idx, event, start[f_idx] + np.floor(rng.random(len(f_idx)) * (span[f_idx] + 1)).astype(int), 0)
    t_idx = np.flatnonzero(transfer)
    t_day = start[t_idx] + np.floor(rng.random(len(t_idx)) * (span[t_idx] + 1)).astype(int)
    t2 = np.minimum(t_day + 1, end[t_idx])
    add(t_idx, "90", t_day, 2)
    add(t_idx, "91", t2, 1)
    again = (rng.random(len(t_idx)) < .3) & (t2 > start[t_idx])  # the receiving region starts one too
    add(t_idx[again], "10", t2[again], 1)
    r_idx = np.flatnonzero(ended & (end > start) & (rng.random(n) < .003))  # a start while one runs
    add(r_idx, "10", start[r_idx] + 1 + np.floor(rng.random(len(r_idx)) * (end[r_idx] - start[r_idx])).astype(int), 0)
    d_idx = np.flatnonzero(ended & (end_rank >= 0) & (end_rank < len(END_CODES) - 1) & (rng.random(n) < .003))
    later = end_rank[d_idx] + 1 + np.floor(rng.random(len(d_idx)) * (len(END_CODES) - 1 - end_rank[d_idx])).astype(int)
    add(d_idx, later.astype(np.int8), end[d_idx], 1)  # a second end code the same day: after the first

    idx = np.concatenate([p[0] for p in parts])
    rows = {
        "ep": idx.astype(np.int64),
        "event": np.concatenate([p[1] for p in parts]),
        "day": np.concatenate([p[2] for p in parts]).astype(np.int64),
        "region_kind": np.concatenate([p[3] for p in parts]),
        "home_null": np.concatenate([p[4] for p in parts]),
        "bump": np.concatenate([p[5] for p in parts]),
    }
    # identical rows delivered twice
    dup = np.flatnonzero(rng.random(len(idx)) < .005)
    rows = {k: np.concatenate([v, v[dup]]) for k, v in rows.items()}
    m = len(rows["ep"])
    spelling = rng.choice(4, m, p=[.965, .02, .01, .005])  # as is, lower case, 'VG9 10', ' VG910 '
    unit = rng.integers(0, len(UNIT_NAMES), m)
    con.register("kva_spec", pa.table({**{k: rows[k] for k in ("ep", "event", "day", "region_kind", "home_null",
                                                                 "bump")},
                                       "spelling": spelling.astype(np.int8), "unit": unit.astype(np.int8)}))
    con.register("events", pa.table({"event": np.arange(len(EVENTS), dtype=np.int8), "code": EVENTS}))
    con.register("episodes_src", ep.append_column("ep", pa.array(np.arange(n))))
    con.register("units", pa.table({"unit": np.arange(len(UNIT_NAMES), dtype=np.int8), "name": list(UNIT_NAMES)}))
    odd = _odd_rows(rng, prefixes, n, last_day)
    con.register("odd_rows", odd)
    con.execute("""
        CREATE TEMP TABLE kva AS
        WITH base AS (
            SELECT e.person_id,
                   CASE s.region_kind WHEN 1 THEN e.region_code
                        WHEN 2 THEN e.home_region_code
                        ELSE CASE WHEN s.region_kind = 0 AND e.e IS NOT NULL AND e.home_region_code IS NOT NULL
                                       AND e.home_region_code <> e.region_code THEN e.home_region_code
                                  ELSE e.region_code END END AS region_code,
                   CASE WHEN s.home_null THEN NULL ELSE e.home_region_code END AS home_region_code,
                   DATE '1970-01-01' + CAST(s.day AS INTEGER) AS event_date,
                   e.prefix || ev.code AS code, s.spelling, e.sex,
                   CAST(least(e.age + CAST(s.bump AS INTEGER), 120) AS VARCHAR) AS age, u.name AS registrerad_av
            FROM kva_spec s JOIN episodes_src e USING (ep) JOIN units u USING (unit) JOIN events ev USING (event)
        )
        SELECT person_id, region_code, home_region_code, event_date,
               CASE spelling WHEN 1 THEN lower(code) WHEN 2 THEN substr(code, 1, 3) || ' ' || substr(code, 4)
                             WHEN 3 THEN ' ' || code || ' ' ELSE code END AS kva_code,
               sex, age, registrerad_av
        FROM base
        UNION ALL
        SELECT person_id, region_code, home_region_code, event_date, kva_code, sex, age, registrerad_av
        FROM odd_rows
    """)
    for name in ("kva_spec", "episodes_src", "units", "odd_rows", "prefix_map", "events"):
        con.unregister(name)
    folder.mkdir()
    counts = {}
    years = [y for (y,) in con.execute("SELECT DISTINCT least(greatest(year(event_date), 2018), 2025) FROM kva "
                                       "ORDER BY 1").fetchall()]
    for i, year in enumerate(years):
        where = f"least(greatest(year(event_date), 2018), 2025) = {int(year)}"  # our own integer
        form = i % 3
        day = "event_date" if form == 2 else "strftime(event_date, '%Y-%m-%d')"
        age = "CAST(age AS SMALLINT)" if form == 2 else "age"
        select = (f"SELECT person_id, region_code, home_region_code, {day} AS event_date, kva_code, sex, "
                  f"{age} AS age, registrerad_av FROM kva WHERE {where} ORDER BY kva.event_date, person_id, kva_code, "
                  "region_code, home_region_code, sex, kva.age, registrerad_av")  # every column: the same bytes each time
        if form == 2:
            path = folder / f"kva_{year}.parquet"
            con.execute(f"COPY ({select}) TO {_sql_path(path)} (FORMAT parquet, COMPRESSION zstd)")
        else:
            path = folder / f"kva_{year}.csv"
            _copy_csv(con, select, {}, path, ";" if form == 0 else ",", "cp1252" if form == 0 else "utf-8")
        counts[f"svf_events/{path.name}"] = con.execute(f"SELECT count(*) FROM kva WHERE {where}").fetchall()[0][0]
    con.execute("DROP TABLE kva")
    return counts


def _odd_rows(rng, prefixes: dict[str, str], n: int, last_day: int) -> pa.Table:
    """Rows of persons without an episode: ends and 44s with no start, and rows breaking a rule."""
    known = list(prefixes.values())
    k = max(1, n // 1000)  # ends without a start
    j = max(1, n // 5000)  # each other kind
    rows = []
    first = int((np.datetime64("2018-01-01") - np.datetime64("1970-01-01")).astype(int))
    for i in range(k):
        day = first + int(rng.integers(0, last_day - first - 30))
        rows.append((f"Q{i:07d}", "01", "01", day, known[i % len(known)] + END_CODES[i % len(END_CODES)],
                     "K", "64"))
    for i in range(j):
        day = first + int(rng.integers(0, last_day - first - 30))
        p = known[i % len(known)]
        rows += [
            (f"Q{k + i:07d}", "03", None, day, f"{p}44", "M", "70"),   # 44 with no episode
            (f"Z{i:07d}a", "99", None, day, f"{p}10", "K", "50"),      # unknown region
            (f"Z{i:07d}b", "05", "05", day, f"{p}10", "X", "50"),      # sex not M/K
            (f"Z{i:07d}c", "05", "05", day, f"{p}10", "K", None),      # age missing
            (f"Z{i:07d}d", "05", "05", last_day + 20, f"{p}10", "K", "50"),  # after the extract date
            (f"Z{i:07d}e", "12", "12", day, f"{p}1O", "K", "50"),      # malformed (letter O)
            (f"Z{i:07d}f", "12", "12", day, "VQ910", "K", "50"),        # unknown prefix
            (f"Z{i:07d}g", "12", "12", day, f"{p}42", "K", "50"),      # retired in 2018
        ]
    cols = list(zip(*rows))
    return pa.table({
        "person_id": pa.array(cols[0], pa.string()), "region_code": pa.array(cols[1], pa.string()),
        "home_region_code": pa.array(cols[2], pa.string()),
        "event_date": pa.array(np.array(cols[3], dtype="datetime64[D]"), pa.date32()),
        "kva_code": pa.array(cols[4], pa.string()), "sex": pa.array(cols[5], pa.string()),
        "age": pa.array(cols[6], pa.string()), "registrerad_av": pa.array([None] * len(rows), pa.string()),
    })


def _sql_path(path: Path) -> str:
    """A file path as an SQL string literal (COPY takes no parameter for it)."""
    return "'" + str(path).replace("'", "''") + "'"


def _copy_csv(con, select: str, params: dict, path: Path, delimiter: str, encoding: str) -> None:
    """COPY a query to CSV (header, quoting only where needed), then re-encode when not UTF-8.
    `delimiter` is one of our fixed characters."""
    tmp = path.with_suffix(".utf8.tmp")
    con.execute(f"COPY ({select}) TO {_sql_path(tmp)} (FORMAT csv, HEADER, DELIMITER '{delimiter}')", params)
    if encoding == "utf-8":
        tmp.rename(path)
    else:
        path.write_bytes(tmp.read_bytes().decode("utf-8").encode(encoding))
        tmp.unlink()


# -- INCA register exports ---------------------------------------------------------------------------

def _register_exports(con, extract_dir: Path, root: Path, seed: int) -> dict[str, int]:
    (root / "inca").mkdir()
    sel, prm = table_select(con, find_source(extract_dir, "register_cases"))
    con.execute(f"CREATE TEMP TABLE regs AS {sel}", prm)
    out_src = find_source(extract_dir, "indicator_outcomes")
    sel, prm = table_select(con, out_src)
    con.execute(f"CREATE TEMP TABLE outs AS SELECT o.* FROM ({sel}) o "
                "WHERE o.indicator_code IN (SELECT indicator_code FROM quality_indicators) "
                "AND o.registration_id IN (SELECT registration_id FROM regs)", prm)
    counts = {}
    registers = [r for (r,) in con.execute("SELECT register_code FROM registers ORDER BY register_code").fetchall()]
    for register in registers:
        if not VALID_NAME.match(register):
            continue
        codes = [c for (c,) in con.execute("SELECT indicator_code FROM quality_indicators WHERE register_code = $r "
                                           "ORDER BY indicator_code", {"r": register}).fetchall()
                 if VALID_NAME.match(c)]
        columns, row_sets = [], []
        params = {"r": register, "seed": str(seed)}
        for i, code in enumerate(codes):
            params[f"c{i}"] = code
            met = f"max(o.met) FILTER (WHERE o.indicator_code = $c{i})"
            has = f"bool_or(o.indicator_code = $c{i})"
            noise = f"(hash(r.registration_id || $seed || $c{i}) % 1000)"
            if code in ("nkbc04", "nkbc02"):  # every registration: 98 or empty are uppgift saknas
                var = "a_mdk_Varde" if code == "nkbc04" else "a_omv_kssk_Varde"
                columns.append(f"CASE WHEN {met} THEN '1' WHEN NOT {met} THEN '0' "
                               f"WHEN {noise} < 500 THEN '98' END AS {var}")
                row_sets.append(_outcome_yaml(code, None, f"code({var}, svar)"))
            elif code == "nkbc15":  # days from misstanke to operation, both dates for the population
                lead = (f"CASE WHEN {met} THEN 3 + {noise} % 26 ELSE 29 + {noise} % 60 END")
                miss = f"(r.diagnosis_date - CAST({noise} % 15 AS INTEGER))"
                columns.append(f"CASE WHEN {has} OR {noise} % 5 < 4 THEN strftime({miss}, '%Y-%m-%d') "
                               "END AS a_diag_misscadat")
                columns.append(f"CASE WHEN {has} THEN strftime({miss} + CAST({lead} AS INTEGER), '%Y-%m-%d') "
                               f"WHEN {noise} % 5 = 4 THEN strftime({miss} + 20, '%Y-%m-%d') END AS op_kir_dat")
                row_sets.append(_outcome_yaml(code, "a_diag_misscadat is not null and op_kir_dat is not null",
                                              "days(date(a_diag_misscadat), date(op_kir_dat)) <= 28"))
            elif code == "melanom05":  # thick melanoma: thickness in mm with decimal comma, or unknown
                mm = f"CASE WHEN {met} THEN 41 + {noise} % 80 ELSE 2 + {noise} % 39 END"
                columns.append(f"CASE WHEN {has} AND {met} IS NOT NULL THEN replace(CAST(({mm}) / 10.0 AS VARCHAR), "
                               "'.', ',') END AS a_tjocklek")
                columns.append(f"CASE WHEN {has} AND {met} IS NULL THEN '1' END AS a_tjocklek_okand_Varde")
                row_sets.append(_outcome_yaml(code, "a_tjocklek is not null or a_tjocklek_okand_Varde = '1'",
                                              "if(a_tjocklek_okand_Varde = '1', null, number(a_tjocklek) > 4)"))
            else:
                var = f"kvi_{code}_Varde"
                columns.append(f"CASE WHEN {met} THEN '1' WHEN NOT {met} THEN '0' WHEN {has} THEN '98' END AS {var}")
                row_sets.append(_outcome_yaml(code, f"{var} is not null", f"code({var}, svar)"))
        select = (
            "SELECT r.registration_id AS a_regid, "
            "CASE WHEN r.region_code LIKE '0%' THEN substr(r.region_code, 2) ELSE r.region_code END AS a_lkf, "
            "r.hospital_code AS a_inr_sjhkod, strftime(r.diagnosis_date, '%Y-%m-%d') AS a_diag_dat, "
            "strftime(r.registered_date, '%Y-%m-%d') AS a_inr_dat, r.case_id AS cancerreg_id"
            + "".join(f", {c}" for c in columns)
            + " FROM regs r LEFT JOIN outs o USING (registration_id) WHERE r.register_code = $r "
            "GROUP BY r.registration_id, r.region_code, r.hospital_code, r.diagnosis_date, r.registered_date, "
            "r.case_id ORDER BY r.diagnosis_date, r.registration_id")
        # identifiers in `columns` are fixed names or kvi_<code> with a vetted code
        path = root / "inca" / f"inca_{register}.csv"
        _copy_csv(con, select, bind(select, params), path, ";", "cp1252")
        counts[f"inca/{path.name}"] = con.execute(f"SELECT count(*) FROM regs WHERE register_code = $r",
                                                  {"r": register}).fetchall()[0][0]
        (root / "mappings" / f"inca_{register}.yaml").write_text(_register_mapping(register, row_sets),
                                                                 encoding="utf-8")
    con.execute("DROP TABLE regs")
    con.execute("DROP TABLE outs")
    return counts


def _outcome_yaml(code: str, when: str | None, met: str) -> str:
    lines = [f"    # {code}"]
    first = "    - "
    if when:
        lines.append(f"{first}when: {json.dumps(when, ensure_ascii=False)}")
        first = "      "
    lines.append(f"{first}registration_id: a_regid")
    lines.append(f"      indicator_code: {{constant: {code}}}")
    lines.append(f"      met: {json.dumps(met, ensure_ascii=False)}")
    return "\n".join(lines)


def _register_mapping(register: str, row_sets: list[str]) -> str:
    head = f"""# Syntetisk INCA-export för registret {register} → register_cases och indicator_outcomes.
# Skriven av 'python -m indicators generate --sources'. Indikatorer utan en modellerad registervariabel
# har en kodad kolumn kvi_<kod>_Varde: 1 ja, 0 nej, 98 okänt; tom = inte i indikatorns population.
source:
  format: csv
  delimiter: ";"
  encoding: windows-1252
  decimal: ","

codes:
  svar:
    "1": true
    "0": false
    "98": null
    "": null

tables:
  register_cases:
    registration_id: a_regid
    register_code: {{constant: {register}}}
    case_id: cancerreg_id
    region_code: lpad(a_lkf, 2, '0')
    hospital_code: a_inr_sjhkod
    diagnosis_date: date(a_diag_dat)
    registered_date: date(a_inr_dat)
"""
    if row_sets:
        head += "\n  indicator_outcomes:\n" + "\n".join(row_sets) + "\n"
    return head


# -- tumour register, drug export, population ------------------------------------------------------

def _tumour_register(con, extract_dir: Path, path: Path, seed: int) -> dict[str, int]:
    sel, prm = table_select(con, find_source(extract_dir, "cancer_cases"))
    select = (
        "SELECT person_id AS LopNr, case_id AS TumorId, "
        # LKF: county, municipality, parish; the leading zero lost for about half (a number in Excel)
        "CASE WHEN hash(case_id || $seed) % 2 = 0 THEN ltrim(region_code || lpad(CAST(hash(case_id) % 10000 AS "
        "VARCHAR), 4, '0'), '0') ELSE region_code || lpad(CAST(hash(case_id) % 10000 AS VARCHAR), 4, '0') END AS LKF, "
        "strftime(diagnosis_date, '%Y%m%d') AS DIADAT, replace(icd10, '.', '') AS ICD10, "
        "CASE sex WHEN 'M' THEN '1' WHEN 'K' THEN '2' ELSE '9' END AS KON, age AS ALDER "
        f"FROM ({sel}) ORDER BY diagnosis_date, case_id")
    _copy_csv(con, select, bind(select, {**prm, "seed": str(seed)}), path, ",", "utf-8")
    return {path.name: con.execute(f"SELECT count(*) FROM ({sel})", prm).fetchall()[0][0]}


def _drug_export(con, extract_dir: Path, path: Path) -> dict[str, int]:
    import openpyxl

    sel, prm = table_select(con, find_source(extract_dir, "drug_treatments"))
    names = _region_names()
    rows = con.execute(f"SELECT treatment_id, region_code, start_date, substance, icd10, in_rcl, direct_transfer "
                       f"FROM ({sel}) ORDER BY start_date, treatment_id", prm).fetchall()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Behandlingsstarter")
    sheet.append(["Behandlings-ID", "Region", "Startdatum", "Substans", "Diagnos", "Registrerad i RCL",
                  "Direktöverföring"])
    yes_no = {True: "Ja", False: "Nej", None: None}
    for tid, region, start, substance, icd10, in_rcl, direct in rows:
        sheet.append([tid, names.get(region), start, substance[:1].upper() + substance[1:], icd10, yes_no[in_rcl],
                      yes_no[direct]])
    book.save(path)
    return {path.name: len(rows)}


def _region_names() -> dict[str, str]:
    """Region code → the name the shipped drug mapping's code list uses."""
    import yaml

    spec = yaml.safe_load((SHIPPED_MAPPINGS / "lakemedel.yaml").read_text(encoding="utf-8"))
    return {code: name for name, code in spec["codes"]["region"].items()}


def _population(con, extract_dir: Path, path: Path) -> dict[str, int]:
    sel, prm = table_select(con, find_source(extract_dir, "population"))
    con.register("region_names", pa.table({
        "region_code": [c for (c,) in con.execute("SELECT region_code FROM regions").fetchall()],
        "region_name": [n for (n,) in con.execute("SELECT region_name FROM regions").fetchall()]}))
    select = ("SELECT p.region_code || ' ' || r.region_name AS region, "
              "CASE p.sex WHEN 'M' THEN 'män' ELSE 'kvinnor' END AS \"kön\", p.age_group || ' år' AS \"ålder\", "
              "p.year AS \"år\", p.population AS \"folkmängd\" "
              f"FROM ({sel}) p JOIN region_names r USING (region_code) ORDER BY p.year, p.region_code, p.sex, p.age_group")
    _copy_csv(con, select, prm, path, ";", "utf-8")
    con.unregister("region_names")
    return {path.name: con.execute(f"SELECT count(*) FROM ({sel})", prm).fetchall()[0][0]}

