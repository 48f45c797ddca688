"""Reading one source file (CSV, Parquet or Excel) into a DuckDB table of text columns.

Every source becomes a temporary table whose columns are named `c0`, `c1`, … (so no name from a
file ever reaches SQL text) and hold text, plus `_row`, the 1-based number of the data row in the
file. The header's own names are kept in `SourceTable.columns` for checking and for messages.

CSV: comma, semicolon or tab separated (detected from the header line unless given), UTF-8 (with
or without BOM) or Windows-1252 (detected: a file that is not valid UTF-8 is read as Windows-1252
unless the mapping says otherwise), `"` quotes. A line with too many or too few fields is counted
as a reported row ("raden kunde inte tolkas"), not an unreadable file. Parquet: typed columns are
turned into text (dates as YYYY-MM-DD, times as YYYY-MM-DD HH:MM:SS, an instant as its Swedish
date and time). Excel (.xlsx): one sheet, the first row is the header; dates and numbers as text
(a whole number without decimals).

A source that cannot be read at all (missing file, wrong encoding, no header, a duplicate column
name) raises DataError naming the file and what was expected.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import DataError

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "windows-1252": "cp1252", "cp1252": "cp1252",
             "latin-1": "latin-1", "iso-8859-1": "latin-1"}
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t"}
FORMATS = ("csv", "parquet", "excel")
_CSV_REJECTS = {"TOO MANY COLUMNS": "raden kunde inte tolkas (för många fält)",
                "MISSING COLUMNS": "raden kunde inte tolkas (för få fält)",
                "UNQUOTED VALUE": "raden kunde inte tolkas (citattecken på fel plats)"}


@dataclass
class SourceTable:
    """A source read into DuckDB: `relation` has columns c0… (text) and `_row`."""

    path: Path
    name: str  # shown in reports and messages
    relation: str
    columns: list[str]  # the header's names, in file order (c0 is columns[0])
    rows: int
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    rejected: list[tuple[str, int]] = field(default_factory=list)  # (reason, rows) not in `relation`

    def column(self, name: str) -> str | None:
        """The internal name (c<i>) of the header column `name`: exact, else ignoring case and
        surrounding spaces (one match only); None when absent."""
        if not name.strip():
            return None
        if name in self.columns:
            return f"c{self.columns.index(name)}"
        folded = [i for i, c in enumerate(self.columns) if c.strip().casefold() == name.strip().casefold()]
        return f"c{folded[0]}" if len(folded) == 1 else None

    def found(self) -> str:
        """The header for a message: at most 200 characters."""
        return ", ".join(self.columns)[:200] or "inga"


def format_of(path: Path, given: str | None = None) -> str:
    """'csv', 'parquet' or 'excel': as given, else from the file's extension (CSV by default)."""
    if given:
        if given not in FORMATS:
            raise DataError(f"{path.name}: okänt format {given[:20]!r} (välj csv, parquet eller excel)")
        return given
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".xlsx", ".xlsm"):
        return "excel"
    if suffix == ".xls":
        raise DataError(f"{path.name}: det gamla Excel-formatet .xls kan inte läsas; spara filen som .xlsx eller CSV")
    return "csv"


def read_source(con: duckdb.DuckDBPyConnection, path: Path, relation: str, *, fmt: str | None = None,
                delimiter: str | None = None, encoding: str | None = None, sheet: str | None = None,
                decimal: str = ".", name: str | None = None) -> SourceTable:
    """Read `path` into the temporary table `relation` (a name the caller makes up, never from data)."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise DataError(f"{name}: filen finns inte ({str(path)[:200]})")
    kind = format_of(path, fmt)
    if kind == "parquet":
        return _read_parquet(con, path, relation, name)
    if kind == "excel":
        return _read_excel(con, path, relation, name, sheet, decimal)
    return _read_csv(con, path, relation, name, delimiter, encoding)


# -- CSV --------------------------------------------------------------------------------------------

def _decode(path: Path, name: str, encoding: str | None) -> tuple[str, str, bool]:
    """(text, encoding used, whether the file itself is UTF-8 and can be read as it is)."""
    data = path.read_bytes()
    if encoding is not None:
        codec = ENCODINGS.get(encoding.strip().lower())
        if codec is None:
            raise DataError(f"{name}: okänd teckenkodning {encoding[:30]!r} (välj utf-8 eller windows-1252)")
        try:
            text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
        except UnicodeDecodeError as exc:
            raise DataError(f"{name}: filen är inte {encoding} ({_where(data, exc.start)}); "
                            "ange rätt teckenkodning") from None
        return text, codec, codec == "utf-8"
    try:
        return data.decode("utf-8-sig"), "utf-8", True
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252", False
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: filen är varken UTF-8 eller Windows-1252 ({_where(data, exc.start)})") from None


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"byte 0x{data[offset]:02X} på rad {line}"


def _first_line_of(text: str) -> str | None:
    """The first line that is not blank, without reading past it."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].rstrip("\r")
        if line.strip():
            return line
        start = end + 1
    return None


def _sniff_delimiter(header: str, name: str) -> str:
    counts = {d: _count_outside_quotes(header, d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","  # a single column
    if sorted(counts.values())[-2] == counts[best]:
        raise DataError(f"{name}: kunde inte avgöra avgränsaren (rubrikraden har lika många av flera tecken); "
                        "ange delimiter i mappningen")
    return best


def _count_outside_quotes(line: str, ch: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def _read_csv(con, path: Path, relation: str, name: str, delimiter: str | None, encoding: str | None) -> SourceTable:
    text, used, as_is = _decode(path, name, encoding)
    first = _first_line_of(text)
    if first is None:
        raise DataError(f"{name}: filen är tom (väntade en rubrikrad med kolumnnamn)")
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise DataError(f"{name}: okänd avgränsare {delimiter[:5]!r} (välj ',', ';' eller tab)")
        delim = DELIMITERS[delimiter]
    else:
        delim = _sniff_delimiter(first, name)
    header = next(csv.reader(io.StringIO(first), delimiter=delim, quotechar='"'))
    columns = [h.strip() for h in header]
    _check_header(columns, name)
    with tempfile.TemporaryDirectory(prefix="indikator-import-") as tmp:
        read_path = path
        if not as_is:  # Windows-1252: a UTF-8 copy outside the output directory, removed at once
            read_path = Path(tmp) / "source.csv"
            read_path.write_text(text, encoding="utf-8")
        del text
        spec = {f"c{i}": "VARCHAR" for i in range(len(columns))}
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {relation}_raw AS SELECT * FROM read_csv($path, auto_detect = false, "
                "header = true, delim = $delim, quote = '\"', escape = '\"', columns = $columns, "
                f"ignore_errors = true, store_rejects = true, rejects_table = '{relation}_rej', "
                f"rejects_scan = '{relation}_scan')",
                {"path": str(read_path), "delim": delim, "columns": spec})
        except duckdb.Error as exc:
            raise DataError(f"{name}: CSV-filen kunde inte läsas: {_first_line(exc)}") from None
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT *, rowid + 1 AS _row FROM {relation}_raw")
    con.execute(f"DROP TABLE {relation}_raw")
    rejected = [(_CSV_REJECTS.get(kind, "raden kunde inte tolkas"), int(n)) for kind, n in con.execute(
        f"SELECT error_type, count(DISTINCT line) FROM {relation}_rej GROUP BY 1 ORDER BY 1").fetchall()]
    con.execute(f"DROP TABLE IF EXISTS {relation}_rej")
    con.execute(f"DROP TABLE IF EXISTS {relation}_scan")
    rows = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    return SourceTable(path, name, relation, columns, rows, "csv", used, delim, rejected)


def _check_header(columns: list[str], name: str) -> None:
    """Names must be unique and not empty; empty names at the end (a trailing delimiter) are allowed
    and such columns are never read."""
    seen = set()
    last = len(columns)
    while last and columns[last - 1] == "":
        last -= 1
    for i, c in enumerate(columns[:last]):
        if c == "":
            raise DataError(f"{name}: rubrikraden har en kolumn utan namn (kolumn {i + 1})")
        if c in seen:
            raise DataError(f"{name}: kolumnen {c[:60]!r} förekommer två gånger i rubrikraden")
        seen.add(c)


# -- Parquet ----------------------------------------------------------------------------------------

def _read_parquet(con, path: Path, relation: str, name: str) -> SourceTable:
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise DataError(f"{name}: Parquet-filen kunde inte läsas: {_first_line(exc)}") from None
    columns = [row[0] for row in described]
    _check_header(columns, name)
    # names come from the file: quoted, with any double quote doubled, inside this module only
    selects = [f"{_text_of(_quote(col), typ)} AS c{i}" for i, (col, typ, *_) in enumerate(described)]
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {relation}_raw AS SELECT {', '.join(selects)} "
                    "FROM read_parquet($path)", {"path": str(path)})
    except duckdb.Error as exc:
        raise DataError(f"{name}: Parquet-filen kunde inte läsas: {_first_line(exc)}") from None
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT *, rowid + 1 AS _row FROM {relation}_raw")
    con.execute(f"DROP TABLE {relation}_raw")
    rows = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    return SourceTable(path, name, relation, columns, rows, "parquet")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _text_of(col: str, typ: str) -> str:
    base = typ.split("(")[0].upper()
    if base == "DATE":
        return f"strftime({col}, '%Y-%m-%d')"
    if "TIME ZONE" in typ.upper():
        return f"strftime(timezone('Europe/Stockholm', {col}), '%Y-%m-%d %H:%M:%S')"
    if base.startswith("TIMESTAMP"):
        return f"strftime(CAST({col} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S')"
    if base == "BOOLEAN":
        return f"CASE WHEN {col} THEN 'true' WHEN NOT {col} THEN 'false' END"
    return f"CAST({col} AS VARCHAR)"


# -- Excel ------------------------------------------------------------------------------------------

def _read_excel(con, path: Path, relation: str, name: str, sheet: str | None, decimal: str) -> SourceTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DataError(f"{name}: Excel-filen kunde inte läsas ({type(exc).__name__}); väntade en .xlsx-fil") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(f"{name}: bladet {sheet[:60]!r} finns inte (blad: {', '.join(book.sheetnames)[:200]})")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise DataError(f"{name}: bladet {ws.title!r} är tomt (väntade en rubrikrad med kolumnnamn)")
        while header and header[-1] is None:
            header = header[:-1]
        columns = ["" if h is None else str(h).strip() for h in header]
        _check_header(columns, name)
        values: list[list[str | None]] = [[] for _ in columns]
        for row in rows:
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            for i in range(len(columns)):
                values[i].append(_excel_text(row[i] if i < len(row) else None, decimal))
    finally:
        book.close()
    table = pa.table({f"c{i}": pa.array(v, type=pa.string()) for i, v in enumerate(values)})
    view = f"{relation}_arrow"
    con.register(view, table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation}_raw AS SELECT * FROM {view}")
    con.unregister(view)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT *, rowid + 1 AS _row FROM {relation}_raw")
    con.execute(f"DROP TABLE {relation}_raw")
    n = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    return SourceTable(path, name, relation, columns, n, "excel")


def _excel_text(v, decimal: str) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d") if v.time() == time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v).replace(".", decimal)
    return str(v)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
