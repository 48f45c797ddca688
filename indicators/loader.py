"""Reads the tables of an extract set into DuckDB, checking structure (data-contract.md §1).

Each table becomes `raw_<table>` holding exactly the contract's columns with the contract's
types (plus, for reference tables, any extra columns, which the app may show). A table that
cannot be used raises `DataError` naming the table, the column, and what was expected and found;
the caller records it and goes on with the other tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import DataError
from .schema import ALL_TABLES, REFERENCE_TABLES, Column

BUNDLED_REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

_INT_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}
_FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL", "DECIMAL"}
_TYPE_SQL = {"text": "VARCHAR", "date": "DATE", "int": "BIGINT", "bool": "BOOLEAN", "double": "DOUBLE"}
_TYPE_SV = {"text": "text", "date": "datum", "int": "heltal", "bool": "boolesk", "double": "decimaltal"}


@dataclass(frozen=True)
class Source:
    table: str
    kind: str  # 'parquet' | 'folder' | 'csv'
    path: Path
    bundled: bool = False

    @property
    def files(self) -> list[str]:
        if self.kind == "folder":
            return sorted(str(p) for p in self.path.rglob("*.parquet"))
        return [str(self.path)]


def find_source(directory: Path, table: str) -> Source | None:
    """The one form a table has in `directory`, or None; two forms is an error naming the table."""
    forms = []
    if (directory / f"{table}.parquet").is_file():
        forms.append(Source(table, "parquet", directory / f"{table}.parquet"))
    if (directory / table).is_dir():
        forms.append(Source(table, "folder", directory / table))
    if table in REFERENCE_TABLES and (directory / f"{table}.csv").is_file():
        forms.append(Source(table, "csv", directory / f"{table}.csv"))
    if len(forms) > 1:
        kinds = ", ".join(f.path.name + ("/" if f.kind == "folder" else "") for f in forms)
        raise DataError(f"{table}: tabellen finns i flera former ({kinds}); behåll en av dem")
    return forms[0] if forms else None


def load_table(cur: duckdb.DuckDBPyConnection, source: Source) -> int:
    """Create the table `raw_<table>` from `source`; returns its row count."""
    sql, params = table_select(cur, source)
    try:
        cur.execute(f"CREATE OR REPLACE TABLE raw_{source.table} AS {sql}", params)
    except duckdb.Error as exc:
        raise DataError(f"{source.table}: filen kunde inte läsas: {_first_line(exc)}") from None
    return cur.execute(f"SELECT count(*) FROM raw_{source.table}").fetchone()[0]


def table_select(cur: duckdb.DuckDBPyConnection, source: Source) -> tuple[str, dict]:
    """A SELECT (and its parameters) yielding the table with exactly the contract's columns and
    types (plus extra columns for reference tables), after checking its structure.

    Parquet is not read here beyond its metadata; the caller materialises the SELECT once.
    """
    table = source.table
    columns = ALL_TABLES[table]
    params: dict = {}
    try:
        if source.kind == "csv":
            relation = f"stage_{table}"
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT * FROM read_csv($path, all_varchar = true, "
                "header = true, delim = ',', quote = '\"')",
                {"path": str(source.path)},
            )
            found_rows = cur.execute(f"DESCRIBE {relation}").fetchall()
        else:
            files = source.files
            if not files:
                raise DataError(f"{table}: mappen {source.path.name}/ innehåller inga Parquet-filer")
            relation = "read_parquet($files, union_by_name = true)"
            params = {"files": files}
            found_rows = cur.execute(f"DESCRIBE SELECT * FROM {relation}", params).fetchall()
    except DataError:
        raise
    except duckdb.Error as exc:
        what = "CSV-filen" if source.kind == "csv" else "Parquet-filen"
        hint = " (kontrollera att filen är UTF-8 och kommaseparerad)" if source.kind == "csv" else ""
        raise DataError(f"{table}: {what} kunde inte läsas{hint}: {_first_line(exc)}") from None

    found = {name: typ for name, typ, *_ in found_rows}
    selects = []
    for col in columns:
        if col.name not in found:
            extra = ""
            if source.kind == "csv" and len(found) == 1:
                extra = "; filen verkar inte vara kommaseparerad"
            raise DataError(
                f"{table}: kolumnen {col.name} saknas (väntad typ {_TYPE_SV[col.type]}){extra}; "
                f"hittade kolumner: {', '.join(found)[:200] or 'inga'}"
            )
        selects.append(_cast_expr(cur, relation, table, col, found[col.name], source.kind == "csv"))
    if table in REFERENCE_TABLES:
        known = {c.name for c in columns}
        selects += [f'"{name}"' for name in found if name not in known and name.isidentifier()]
    return f"SELECT {', '.join(selects)} FROM {relation}", params


def _cast_expr(cur, staging: str, table: str, col: Column, found_type: str, from_text: bool) -> str:
    name = f'"{col.name}"'
    target = _TYPE_SQL[col.type]
    if from_text:
        if col.type == "text":
            return f"{name}::VARCHAR AS {name}"
        expr = f"TRY_CAST(trim({name}) AS {target})"
        bad = cur.execute(
            f"SELECT {name} FROM {staging} WHERE {name} IS NOT NULL AND trim({name}) <> '' AND {expr} IS NULL LIMIT 1"
        ).fetchone()
        if bad:
            raise DataError(
                f"{table}: kolumnen {col.name} har värdet {bad[0]!r} som inte är {_TYPE_SV[col.type]}"
                + (" (booleska värden skrivs true/false)" if col.type == "bool" else "")
                + (" (datum skrivs ÅÅÅÅ-MM-DD)" if col.type == "date" else "")
            )
        return f"CASE WHEN trim({name}) = '' THEN NULL ELSE {expr} END AS {name}"
    base = found_type.split("(")[0].upper()
    ok = (
        (col.type == "text" and base == "VARCHAR")
        or (col.type == "int" and base in _INT_TYPES)
        or (col.type == "double" and (base in _FLOAT_TYPES or base in _INT_TYPES))
        or (col.type == "bool" and base == "BOOLEAN")
        or (col.type == "date" and (base == "DATE" or base.startswith("TIMESTAMP")))
        or base == '"NULL"'
        or base == "NULL"
    )
    if not ok:
        raise DataError(
            f"{table}: kolumnen {col.name} har fel typ: väntad {_TYPE_SV[col.type]} ({target}), hittad {found_type}"
        )
    if col.type == "date" and "TIME ZONE" in found_type.upper():
        # an instant becomes the Swedish calendar date it fell on, not the UTC one
        return f"CAST(timezone('Europe/Stockholm', {name}) AS DATE) AS {name}"
    return f"CAST({name} AS {target}) AS {name}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
