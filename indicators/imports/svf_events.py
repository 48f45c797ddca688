"""`import svf-events SOURCE... --out DIR`: KVÅ codes as registered → `svf_episodes`
(data-contract.md §9.1).

Each source holds one row per registered SVF code with the columns person_id, region_code,
home_region_code, event_date, kva_code, sex and age (CSV with ',' or ';', UTF-8 or Windows-1252, or
Parquet; extra columns are ignored, names are matched exactly or else ignoring case). All sources
are paired together, so a person's codes may come from several files (a transfer between regions).

Pairing is set-based SQL in three steps (queries/import/svf_events_*.sql): parse and check every
row, give every usable row its role (start, end, extended work-up) with window functions, and
aggregate the episodes. The prefix table is `svf_kva_prefixes` (DIR's own when it has one, else the
bundled one), checked against `svf_pathways`; regions come from `regions` the same way.

The report counts every source row that did not open, close or mark an episode, by file and reason;
rows read + lines that could not be parsed = rows used + rows reported (tested).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import DataError, QueryError
from ..queries import bind, read_query
from ..schema import END_CODE_TREATMENT
from .common import EARLIEST, ImportResult, add_out_arguments, arrow_table, load_reference, resolve_extract_date
from .reading import read_source

# data-contract.md §9.1: the source's columns and what each must hold (for the message when missing)
SOURCE_COLUMNS = {
    "person_id": "text, pseudonymiserad personnyckel",
    "region_code": "text, regionkod som registrerade koden (t.ex. 01)",
    "home_region_code": "text, hemregion (får vara tom)",
    "event_date": "datum ÅÅÅÅ-MM-DD",
    "kva_code": "text, KVÅ-kod som VG910",
    "sex": "M eller K",
    "age": "heltal",
}
START, MARK = "10", "44"
FOLLOW_UP = ("22", "25", "35", "40", "90", "91")
RETIRED = ("42", "56", "65")  # domain.md §1.3: retired in 2018
END_CODES = tuple(END_CODE_TREATMENT)
EVENTS = (START, MARK, *FOLLOW_UP, *END_CODES)


def add_arguments(parser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="KVÅ-listor (CSV eller Parquet)")
    add_out_arguments(parser)


def run(args) -> ImportResult:
    out = Path(args.out)
    extract_date = resolve_extract_date(args.extract_date, out)
    return import_svf_events([Path(s) for s in args.sources], out, extract_date)


def import_svf_events(sources: list[Path], out_dir: Path, extract_date) -> ImportResult:
    """Pair the KVÅ rows of `sources` into svf_episodes (see module docstring). Raises DataError when a
    source cannot be read at all, QueryError when the same file is given twice."""
    resolved = [p.resolve() for p in sources]
    if len(set(resolved)) != len(resolved):
        raise QueryError("samma källfil är angiven flera gånger")
    names = _display_names(sources)
    con = duckdb.connect(config={"threads": 2})
    con.execute("SET enable_progress_bar = false")
    # a national year needs far less; beyond this DuckDB spills to disk instead of growing
    con.execute("SET memory_limit = '1GB'")
    try:
        load_reference(con, out_dir, ["regions", "svf_pathways", "svf_kva_prefixes"])
        result = ImportResult(extract_date=extract_date,
                              command="python -m indicators import svf-events " + " ".join(names))
        con.execute("CREATE TEMP TABLE kva_src (file_no INTEGER, row_no BIGINT, "
                    + ", ".join(f"{c} VARCHAR" for c in SOURCE_COLUMNS) + ")")
        read_rows = 0
        for file_no, (path, name) in enumerate(zip(sources, names)):
            src = read_source(con, path, f"src{file_no}", name=name)
            picks = []
            for col, expected in SOURCE_COLUMNS.items():
                internal = src.column(col)
                if internal is None:
                    raise DataError(f"{name}: kolumnen {col} saknas (väntat: {expected}); "
                                    f"hittade kolumner: {src.found()}")
                picks.append(internal)
            # internal names c<i> only: no name from the file reaches SQL text
            con.execute(f"INSERT INTO kva_src SELECT $file_no, _row, {', '.join(picks)} FROM {src.relation}",
                        {"file_no": file_no})
            con.execute(f"DROP TABLE {src.relation}")
            read_rows += src.rows
            for reason, n in src.rejected:
                result.add(name, reason, n)
        params = {"extract_date": extract_date, "earliest": EARLIEST, "events": list(EVENTS),
                  "retired": list(RETIRED), "end_codes": list(END_CODES)}
        rows_sql = read_query("import/svf_events_rows.sql")
        con.execute(f"CREATE TEMP TABLE kva_rows AS {rows_sql}", bind(rows_sql, params))
        con.execute("DROP TABLE kva_src")
        left_out = con.execute("SELECT file_no, reason, count(*) FROM kva_rows WHERE reason IS NOT NULL "
                               "GROUP BY ALL").fetchall()
        pairing_sql = read_query("import/svf_events_pairing.sql")
        con.execute(f"CREATE TEMP TABLE kva_roles AS {pairing_sql}", bind(pairing_sql, params))
        con.execute("DROP TABLE kva_rows")
        episodes = arrow_table(con, "svf_episodes", read_query("import/svf_events_episodes.sql"))
        result.tables["svf_episodes"] = episodes
        unused = left_out + con.execute("SELECT file_no, unused, count(*) FROM kva_roles WHERE unused IS NOT NULL "
                                        "GROUP BY ALL").fetchall()
        for file_no, reason, n in sorted(unused, key=lambda r: (r[0], -r[2], r[1])):
            result.add(names[file_no], reason, n)
        used = con.execute("SELECT count(*) FROM kva_roles WHERE role IS NOT NULL").fetchall()[0][0]
        ongoing = episodes.column("end_date").null_count
        result.summary.append(
            f"{_n(read_rows)} kodrader lästa, {_n(used)} användes (start, avslut eller utökad utredning) i "
            f"{_n(episodes.num_rows)} förlopp, varav {_n(ongoing)} pågående; uttagsdatum {extract_date}")
        return result
    finally:
        con.close()


def _n(n: int) -> str:
    """A count with Swedish thousands separators (non-breaking space)."""
    return f"{n:,}".replace(",", "\u00a0")


def _display_names(sources: list[Path]) -> list[str]:
    """File names for the report; the path as given when two files share a name."""
    names = [p.name for p in sources]
    return [str(p) if names.count(p.name) > 1 else p.name for p in sources]
