"""Reads the tables of an extract set into DuckDB, checking structure (data-contract.md §1).

Each table becomes `raw_<table>` holding exactly the contract's columns with the contract's
types (plus, for reference tables, any extra columns, which the app may show). A table that
cannot be used raises `DataError` naming the table, the column, and what was expected and found;
the caller records it and goes on with the other tables.

Links are not followed: a table file, a table folder or anything inside a table folder that is a
symbolic link (or a FIFO, socket or device) fails that table with a message naming the path,
before anything is read. Messages quote file names, column names (only names that look like
column names; others are counted) and at most one offending value of a reference CSV, each
shortened and without control characters; never a line of a file, nor DuckDB's own message
(which can quote one).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import DataError
from .files import describe_special, links_below, quoted, safe_text
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
    """The one form a table has in `directory`, or None; two forms is an error naming the table,
    and so is a form that is a symbolic link or not a regular file/folder (never followed)."""
    forms = []
    candidates = [("parquet", directory / f"{table}.parquet"), ("folder", directory / table)]
    if table in REFERENCE_TABLES:
        candidates.append(("csv", directory / f"{table}.csv"))
    for kind, path in candidates:
        try:
            st = os.lstat(path)
        except OSError:
            continue  # absent (or unreadable: then it is not a form we can use either)
        shown = path.name + ("/" if kind == "folder" else "")
        if stat.S_ISLNK(st.st_mode):
            raise DataError(f"{table}: {quoted(shown)} är en symbolisk länk; länkar i ett extrakt följs inte "
                            "(lägg filen själv i katalogen)")
        if kind == "folder":
            if not stat.S_ISDIR(st.st_mode):
                continue  # a file without suffix is not a table form
            bad = links_below(path)
            if bad:
                rel = bad[0].relative_to(directory).as_posix()
                raise DataError(f"{table}: {quoted(rel)} är {describe_special(bad[0])}; länkar och andra "
                                "specialfiler i ett extrakt följs inte")
        elif stat.S_ISDIR(st.st_mode):
            raise DataError(f"{table}: {quoted(shown)} är en katalog, inte en fil")
        elif not stat.S_ISREG(st.st_mode):
            raise DataError(f"{table}: {quoted(shown)} är {describe_special(path)}, ingen vanlig fil")
        forms.append(Source(table, kind, path))
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
        raise DataError(f"{source.table}: filen kunde inte läsas: {duckdb_reason(exc, source)}") from None
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
                "header = true, skip = 0, delim = ',', quote = '\"')",
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
        raise DataError(f"{table}: {what} kunde inte läsas{hint}: {duckdb_reason(exc, source)}") from None

    found = {name: typ for name, typ, *_ in found_rows}
    selects = []
    for col in columns:
        if col.name not in found:
            extra = ""
            if source.kind == "csv" and len(found) == 1:
                extra = "; filen verkar inte vara kommaseparerad"
            raise DataError(
                f"{table}: kolumnen {col.name} saknas (väntad typ {_TYPE_SV[col.type]}){extra}; "
                f"hittade kolumner: {describe_columns(list(found))}"
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
                f"{table}: kolumnen {col.name} har värdet {quoted(bad[0], 40)} som inte är {_TYPE_SV[col.type]}"
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
            f"{table}: kolumnen {col.name} har fel typ: väntad {_TYPE_SV[col.type]} ({target}), "
            f"hittad {safe_text(found_type, 60)}"
        )
    if col.type == "date" and "TIME ZONE" in found_type.upper():
        # an instant becomes the Swedish calendar date it fell on, not the UTC one
        return f"CAST(timezone('Europe/Stockholm', {name}) AS DATE) AS {name}"
    return f"CAST({name} AS {target}) AS {name}"


_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-åäöÅÄÖéü]{0,62}$")


def describe_columns(names: list[str], limit: int = 12) -> str:
    """Column names for a message: those that look like column names, quoted, at most `limit`;
    others (a header that is really a line of some other file) only counted, never shown."""
    shown = [quoted(n, 40) for n in names if _COLUMN_NAME.match(n)]
    odd = len(names) - len(shown)
    parts = shown[:limit]
    if len(shown) > limit:
        parts.append(f"och {len(shown) - limit} till")
    if odd:
        parts.append(f"{odd} namn som inte ser ut som kolumnnamn (visas inte)")
    return ", ".join(parts) or "inga"


# DuckDB's messages can quote a line of the file ("Original Line: ..."); we say what kind of problem
# it is in our own words and never pass its text on.
_DUCKDB_REASONS = (
    ("not utf-8", "filen är inte UTF-8"),
    ("invalid unicode", "filen är inte UTF-8"),
    ("byte sequence mismatch", "filen är inte UTF-8"),
    ("no magic bytes", "ingen giltig Parquet-fil (avklippt eller av en annan filtyp)"),
    ("too small to be a parquet file", "ingen giltig Parquet-fil (för liten, kanske tom eller avklippt)"),
    ("unterminated quote", "ett citattecken avslutas aldrig"),
    ("expected number of columns", "en rad har fel antal kolumner"),
    ("sniffing file", "CSV-formatet kunde inte avgöras (citattecken eller antal kolumner stämmer inte)"),
    ("csv error", "CSV-filen har en rad som inte kan läsas"),
    ("permission denied", "behörighet saknas"),
    ("no such file", "filen finns inte"),
    ("is a directory", "är en katalog"),
    ("out of memory", "minnet räcker inte"),
    ("no space left", "disken är full"),
    ("parquet", "Parquet-filen är skadad eller ofullständig"),
)


def duckdb_reason(exc: Exception, source: Source | None = None) -> str:
    """One Swedish line for a DuckDB error while reading a file, without any of the file's text.

    The CSV line number is kept when DuckDB gives one, and the name of the part file it names
    when `source` is a folder; an unknown error is named by its kind.
    """
    text = str(exc)
    low = re.sub(r"\"[^\"]*\"|'[^']*'", "", text).lower()  # without quoted paths and values
    reason = next((sv for key, sv in _DUCKDB_REASONS if key in low), None)
    if reason is None:
        kind = text.split(":", 1)[0].strip() if ":" in text else type(exc).__name__
        reason = f"oväntat fel vid läsning ({safe_text(kind, 40)})"
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if line:
        reason += f" (rad {line.group(1)})"
    if source is not None and source.kind == "folder":
        part = next((f for f in source.files if f in text), None)
        if part is not None:
            reason += f" i {quoted(Path(part).relative_to(source.path.parent).as_posix())}"
    return reason
