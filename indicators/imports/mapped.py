"""`import mapped SOURCE --mapping FILE --out DIR`: a register export, tumour-register extract or
drug-ordination export turned into contract tables through a mapping file (data-contract.md §9.2).

The mapping is checked on its own first (mapping.load_mapping), then against the source's header,
then compiled to one SQL select per row set (expressions.py) and run over the source in DuckDB.
A source row that a row set cannot use — a value that is not a date, a whole number or in the
code list, an empty required column, a date after the extract date or before 1958 — is left out of
that table and counted in the report by table and reason; a row outside a row set's `when:`
(not in an indicator's population) is simply not an output row.

Tables that sources deliver in parts (register_cases, indicator_outcomes, cancer_cases,
drug_treatments) are written as DIR/<table>/<source name>.parquet, so one INCA export per register
can be imported into the same extract set; see common.py for what is refused.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..queries import bind
from .common import (
    EARLIEST,
    PARTITION_KEYS,
    ImportResult,
    add_out_arguments,
    arrow_table,
    part_name,
    resolve_extract_date,
)
from .mapping import Mapping, compile_mapping, load_mapping
from .reading import read_source


def add_arguments(parser) -> None:
    parser.add_argument("source", metavar="SOURCE", help="källfilen (CSV, Excel .xlsx eller Parquet)")
    parser.add_argument("--mapping", required=True, metavar="FILE", help="mappningsfilen (YAML)")
    add_out_arguments(parser)


def run(args) -> ImportResult:
    out = Path(args.out)
    mapping = load_mapping(Path(args.mapping))  # the mapping alone, before any data is read
    extract_date = resolve_extract_date(args.extract_date, out)
    return import_mapped(Path(args.source), mapping, out, extract_date)


def import_mapped(source: Path, mapping: Mapping, out_dir: Path, extract_date) -> ImportResult:
    """The contract tables `mapping` makes of `source` (see module docstring)."""
    con = duckdb.connect(config={"threads": 2})
    con.execute("SET enable_progress_bar = false")
    try:
        opts = mapping.source
        src = read_source(con, source, "src", fmt=opts.get("format"), delimiter=opts.get("delimiter"),
                          encoding=opts.get("encoding"), sheet=opts.get("sheet"), decimal=opts.get("decimal", "."))
        header = {}
        for name in mapping.source_columns():
            internal = src.column(name)
            if internal is not None:
                header[name] = internal
        row_sets, params = compile_mapping(mapping, header, src.name, src.found())
        params = {**params, "extract_date": extract_date, "earliest": EARLIEST}
        result = ImportResult(extract_date=extract_date,
                              command=f"python -m indicators import mapped {src.name} --mapping {mapping.path.name}")
        for reason, n in src.rejected:
            result.add(src.name, reason, n)
        selects: dict[str, list[str]] = {}
        for i, rs in enumerate(row_sets):
            cols = ", ".join(f"{sql} AS {col}" for col, sql in rs.select)  # col: a contract column name
            sql = f"SELECT _row, {i} AS _set, {cols}, {rs.status} AS _status FROM {src.relation}"
            con.execute(f"CREATE TEMP TABLE rows_{i} AS {sql}", bind(sql, params))
            for reason, n in con.execute(f"SELECT _status, count(*) FROM rows_{i} WHERE _status <> '-' "
                                         "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall():
                result.add(src.name, reason, n)
            result.summary.append(_summary(con, i, rs, src.rows))
            selects.setdefault(rs.table, []).append(f"SELECT * FROM rows_{i} WHERE _status IS NULL")
        for table, parts in selects.items():
            sql = f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY _row, _set"
            result.tables[table] = arrow_table(con, table, sql)
            if table in PARTITION_KEYS:
                result.parts[table] = part_name(source)
        return result
    finally:
        con.close()


def _summary(con, i: int, rs, source_rows: int) -> str:
    out, eligible = con.execute(f"SELECT count(*) FILTER (WHERE _status IS NULL), count(*) FILTER (WHERE "
                                f"_status IS DISTINCT FROM '-') FROM rows_{i}").fetchall()[0]
    line = f"{rs.label}: {_n(out)} rader av {_n(source_rows)} källrader"
    if rs.table == "indicator_outcomes":
        met, unmet, missing = con.execute(f"SELECT count(*) FILTER (WHERE met), count(*) FILTER (WHERE NOT met), "
                                          f"count(*) FILTER (WHERE met IS NULL) FROM rows_{i} "
                                          "WHERE _status IS NULL").fetchall()[0]
        line = (f"{rs.label}: {_n(eligible)} i populationen, {_n(out)} utfall: {_n(met)} uppfyllda, "
                f"{_n(unmet)} ej uppfyllda, {_n(missing)} uppgift saknas")
    return line


def _n(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")
