"""The floor: DuckDB reading the Parquet columns an indicator reads, with no grouping logic.

One fresh connection (threads = 2, as the engine's) per worker; each indicator's floor is one
query per table it reads, `SELECT sum(length(text)), count_if(bool), max(date), sum(int) ...
FROM read_parquet(files)`, so every value of every column is decoded and nothing is joined,
checked or grouped. The ratio engine / floor says how close a warm engine call is to the cost of
just reading its input once. (The warm engine reads prepared in-memory tables, not Parquet, so a
ratio below 1 is possible.)
"""

from __future__ import annotations

from pathlib import Path

from .common import ms, now

# indicator → table → the contract columns the indicator's result depends on
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "svf_within_target": {"svf_episodes": ("region_code", "svf_code", "start_date", "end_date", "end_code",
                                           "extended_workup", "sex")},
    "svf_inclusion": {"svf_episodes": ("region_code", "home_region_code", "svf_code", "end_date", "end_code"),
                      "cancer_cases": ("region_code", "diagnosis_date", "icd10")},
    "register_coverage": {"cancer_cases": ("case_id", "region_code", "diagnosis_date", "icd10"),
                          "register_cases": ("register_code", "case_id")},
    "register_reporting_90d": {"register_cases": ("register_code", "region_code", "diagnosis_date",
                                                  "registered_date")},
    "rcl_coverage": {"drug_treatments": ("region_code", "start_date", "substance", "icd10", "in_rcl")},
    "rcl_direct_transfer": {"drug_treatments": ("region_code", "start_date", "substance", "icd10", "in_rcl",
                                                "direct_transfer")},
    "rcl_starts_per_100k": {"drug_treatments": ("region_code", "start_date", "in_rcl"),
                            "population": ("region_code", "year", "population")},
    "qi": {"indicator_outcomes": ("registration_id", "indicator_code", "met"),
           "register_cases": ("registration_id", "region_code", "diagnosis_date")},
}
COLUMNS["svf_over_175"] = COLUMNS["svf_within_target"]
COLUMNS["svf_lead_time_median"] = COLUMNS["svf_within_target"]


def key(indicator_id: str) -> str | None:
    k = "qi" if indicator_id.startswith("qi:") else indicator_id
    return k if k in COLUMNS else None


def _files(directory: Path, table: str) -> list[str]:
    single = directory / f"{table}.parquet"
    if single.is_file():
        return [str(single)]
    return sorted(str(p) for p in (directory / table).rglob("*.parquet"))


def _query(con, directory: Path, table: str, cols) -> str:
    files = _files(directory, table)
    rows = con.execute("DESCRIBE SELECT * FROM read_parquet($f, union_by_name = true)", {"f": files}).fetchall()
    types = {r[0]: r[1] for r in rows}
    parts = []
    for c in cols:
        t = types.get(c, "VARCHAR").upper()
        if t.startswith("VARCHAR"):
            parts.append(f'sum(length("{c}"))')
        elif t.startswith("BOOL"):
            parts.append(f'count_if("{c}")')
        elif t.startswith("DATE") or t.startswith("TIMESTAMP"):
            parts.append(f'max("{c}")')
        else:
            parts.append(f'sum("{c}")')
    return f"SELECT {', '.join(parts)} FROM read_parquet({files!r}, union_by_name = true)"


def run(args: dict) -> dict:
    import duckdb

    directory = Path(args["data"])
    repeats = int(args.get("repeats", 5))
    con = duckdb.connect(config={"threads": 2})
    out = {}
    for k, tables in COLUMNS.items():
        queries = [_query(con, directory, t, cols) for t, cols in tables.items()]
        for q in queries:  # warm-up: page cache and metadata
            con.execute(q).fetchall()
        times = []
        for _ in range(repeats):
            t = now()
            for q in queries:
                con.execute(q).fetchall()
            times.append(ms(now() - t))
        out[k] = {"ms": times, "tables": {t: list(c) for t, c in tables.items()}}
    con.close()
    return {"floors": out}
