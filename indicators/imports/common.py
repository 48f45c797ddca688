"""What every import shares: the result type, the report, the extract date, the reference tables,
and writing tables into an extract directory without ever overwriting what is already there.

data-contract.md §9: an import writes Parquet tables into DIR (adding to a table that is already
there is an error naming it), writes `import_report.csv` (source, reason, rows: one line per
reason, counting only source rows that did not become output rows), and prints the report.
Exit codes: 0 tables written; 1 a source that cannot be read at all (DataError); 2 bad arguments
(QueryError).

Tables a form writes whole (`svf_episodes` from all KVÅ lists at once, `published_figures`) are
single files, `DIR/<table>.parquet`, refused when the table is already in DIR in any form. Tables
that real sources deliver in parts — one INCA export per register, a tumour-register extract
or drug export per region — are written in the contract's folder form,
`DIR/<table>/<part>.parquet`, one part per import; a part is refused when its name is taken or when
its rows overlap the parts already there on the table's partition column (the same register's
registrations, the same indicator's outcomes, the same region's cases or drug starts), so data
never reaches a table twice.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataError, QueryError
from ..loader import BUNDLED_REFERENCE_DIR, find_source, load_table
from ..schema import ALL_TABLES

REPORT_FILE = "import_report.csv"
REPORT_COLUMNS = ("source", "reason", "rows")
MANIFEST_FILE = "manifest.json"
EARLIEST = date(1958, 1, 1)  # contract §4: the Cancer Register starts in 1958

# Column whose values two parts of a table may not share (see module docstring).
PARTITION_KEYS = {"register_cases": "register_code", "indicator_outcomes": "indicator_code",
                  "cancer_cases": "region_code", "drug_treatments": "region_code"}

_ARROW = {"text": pa.string(), "date": pa.date32(), "int": pa.int32(), "bool": pa.bool_()}
_PART_RE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class ImportResult:
    """Tables to write (contract table name → Arrow table) and the report rows
    (source file name, reason in Swedish, number of source rows).

    `parts` names the tables written in folder form (table → part name); `extract_date`, when set,
    is recorded in DIR/manifest.json if DIR has none yet."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    report: list[tuple[str, str, int]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # extra lines printed after the report
    parts: dict[str, str] = field(default_factory=dict)
    extract_date: date | None = None
    command: str = ""

    def add(self, source: str, reason: str, rows: int) -> None:
        if rows:
            self.report.append((source, reason, int(rows)))


# -- arguments shared by the forms -------------------------------------------------------------------

def resolve_extract_date(given: str | None, out_dir: Path) -> date:
    """The extract date an import judges dates against (rows after it are left out, contract §9).

    `--extract-date` when given; else the extract date of DIR's manifest.json when DIR has one; else
    today. A given date that differs from DIR's manifest is refused (exit 2): one extract set has one
    extract date."""
    existing = _manifest_date(Path(out_dir))
    if given is None:
        return existing or date.today()
    try:
        chosen = date.fromisoformat(str(given).strip())
    except ValueError:
        raise QueryError(f"--extract-date ska vara ett datum ÅÅÅÅ-MM-DD (fick {str(given)[:20]!r})") from None
    if existing is not None and existing != chosen:
        raise QueryError(f"--extract-date {chosen} stämmer inte med {MANIFEST_FILE} i {str(out_dir)[:120]} "
                         f"(uttagsdatum {existing}); ett extrakt har ett uttagsdatum")
    return chosen


def _manifest_date(out_dir: Path) -> date | None:
    path = out_dir / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        return date.fromisoformat(str(json.loads(path.read_text(encoding="utf-8"))["extract_date"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise DataError(f"{MANIFEST_FILE} i {str(out_dir)[:120]}: extract_date saknas eller är inte ett datum "
                        "ÅÅÅÅ-MM-DD") from None


def add_out_arguments(parser, extract_date: bool = True) -> None:
    parser.add_argument("--out", required=True, help="extraktkatalogen som tabellerna skrivs till")
    if extract_date:
        parser.add_argument("--extract-date", dest="extract_date", default=None,
                            help="uttagsdatum ÅÅÅÅ-MM-DD (standard: extraktets manifest.json, annars i dag)")


# -- reference tables --------------------------------------------------------------------------------

def load_reference(con: duckdb.DuckDBPyConnection, out_dir: Path, tables: list[str]) -> None:
    """Load reference tables into `con` as the engine does: a table in DIR overrides the bundled one
    (contract §1); a table that cannot be used raises DataError naming it."""
    from ..dataset import check_reference

    loaded: set[str] = set()
    for table in tables:
        source = find_source(out_dir, table) if Path(out_dir).is_dir() else None
        if source is None:
            source = find_source(BUNDLED_REFERENCE_DIR, table)
        if source is None:
            raise DataError(f"{table}: tabellen saknas (varken i {str(out_dir)[:120]} eller bland de medföljande)")
        if load_table(con, source) == 0:
            raise DataError(f"{table}: tabellen är tom")
        check_reference(con, table, loaded)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM raw_{table}")  # name from the schema
        loaded.add(table)


# -- output ------------------------------------------------------------------------------------------

def arrow_table(con: duckdb.DuckDBPyConnection, table: str, sql: str, params: dict | None = None) -> pa.Table:
    """The result of `sql` as the contract table `table`: exactly its columns, in order, with Arrow
    types for its logical types (text, date32, int32, bool)."""
    got = con.sql(sql, params=params or {}).to_arrow_table()
    cols = ALL_TABLES[table]
    schema = pa.schema([pa.field(c.name, _ARROW[c.type], nullable=True) for c in cols])
    return pa.table({c.name: got.column(c.name).cast(_ARROW[c.type]) for c in cols}, schema=schema)


def part_name(source: Path) -> str:
    """A part file name from a source file name: letters, digits, '_', '.', '-' only."""
    stem = _PART_RE.sub("_", Path(source).stem).strip("._") or "import"
    return stem[:80]


def _existing_forms(out_dir: Path, table: str) -> list[Path]:
    return [p for p in (out_dir / f"{table}.parquet", out_dir / table, out_dir / f"{table}.csv")
            if p.exists() or p.is_symlink()]


def _refuse(result: ImportResult, out_dir: Path) -> None:
    """Every reason to refuse the import, checked before anything is written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise QueryError(f"--out {str(out_dir)[:120]!r} är inte en katalog")
    if not out_dir.is_dir():
        return
    for table, data in result.tables.items():
        forms = _existing_forms(out_dir, table)
        part = result.parts.get(table)
        if part is None or any(not p.is_dir() for p in forms):
            if forms:
                raise QueryError(f"{table}: tabellen finns redan i {str(out_dir)[:120]} ({forms[0].name}); en import "
                                 "lägger aldrig till i eller skriver över en befintlig tabell")
            continue
        if not forms:
            continue
        folder = forms[0]
        if (folder / f"{part}.parquet").exists():
            raise QueryError(f"{table}: delen {part}.parquet finns redan i {folder}; en import skriver aldrig över "
                             "en befintlig del (byt namn på källfilen om det är andra data)")
        key = PARTITION_KEYS.get(table)
        existing = sorted(folder.rglob("*.parquet"))
        if key is None:
            raise QueryError(f"{table}: tabellen finns redan i {str(out_dir)[:120]}; en import lägger aldrig till i "
                             "en befintlig tabell")
        if not existing or data.num_rows == 0:
            continue
        new_keys = {v for v in data.column(key).unique().to_pylist() if v is not None}
        try:
            old_keys = {r[0] for r in duckdb.connect().execute(
                f"SELECT DISTINCT {key} FROM read_parquet($files, union_by_name = true)",  # key from the fixed map
                {"files": [str(p) for p in existing]}).fetchall()}
        except duckdb.Error as exc:
            raise DataError(f"{table}: de befintliga delarna i {folder} kunde inte läsas ({str(exc)[:120]})") from None
        overlap = sorted(new_keys & old_keys)
        if overlap:
            raise QueryError(f"{table}: {key} {', '.join(overlap[:5])}{' …' if len(overlap) > 5 else ''} finns redan i "
                             f"{folder}; en import lägger aldrig till rader för samma {key} igen")


def write_result(result: ImportResult, out_dir: Path) -> list[Path]:
    """Write the result's tables, append its lines to DIR/import_report.csv, and write DIR/manifest.json
    when DIR has none and the result has an extract date.

    Every check runs before anything is written, so a refused import leaves DIR as it was. Each
    file is written under a temporary name and renamed into place; if writing fails part way, the
    files this call wrote are removed again and nothing else in DIR is touched.
    """
    out_dir = Path(out_dir)
    _refuse(result, out_dir)
    report_path = out_dir / REPORT_FILE
    old_report = read_report(report_path)
    created_dir = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    new_files: list[Path] = []
    new_dirs: list[Path] = []
    try:
        for table, data in result.tables.items():
            part = result.parts.get(table)
            if part is None:
                target = out_dir / f"{table}.parquet"
            else:
                folder = out_dir / table
                if not folder.exists():
                    folder.mkdir()
                    new_dirs.append(folder)
                target = folder / f"{part}.parquet"
            _atomic_write(target, lambda tmp, d=data: pq.write_table(d, tmp, compression="zstd"))
            new_files.append(target)
            written.append(target)
        manifest = out_dir / MANIFEST_FILE
        if result.extract_date is not None and not manifest.exists():
            text = json.dumps({"extract_date": result.extract_date.isoformat(),
                               "source": result.command or "python -m indicators import",
                               "description": "Skapat av import från regionernas och registrens källfiler."},
                              ensure_ascii=False, indent=2) + "\n"
            _atomic_write(manifest, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
            new_files.append(manifest)
            written.append(manifest)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        writer.writerows([(inert(s), inert(r), n) for s, r, n in old_report + list(result.report)])
        report_existed = report_path.exists()
        _atomic_write(report_path, lambda tmp: Path(tmp).write_text(buf.getvalue(), encoding="utf-8"))
        if not report_existed:
            new_files.append(report_path)
        written.append(report_path)
    except BaseException:
        for path in new_files:
            if path != report_path:
                path.unlink(missing_ok=True)
        for folder in new_dirs:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        if created_dir and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise
    return written


def read_report(path: Path) -> list[tuple[str, str, int]]:
    """The rows of an import_report.csv ([] when there is none)."""
    if not Path(path).is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return [(r["source"], r["reason"], int(r["rows"])) for r in reader]


def inert(text: str) -> str:
    """Text a spreadsheet will not run: a leading =, +, -, @ or control character gets a leading
    apostrophe; line breaks become spaces."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def _atomic_write(target: Path, write) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        write(str(tmp))
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def render_report(result: ImportResult, written: list[Path]) -> str:
    """The report as printed: the tables written with their rows, then one line per reason."""
    lines = []
    for table, data in result.tables.items():
        lines.append(f"{table:<22} {data.num_rows:>12,} rader".replace(",", "\u00a0"))
    if result.report:
        lines.append("Rader som inte blev utdata (källa; skäl; rader):")
        for source, reason, rows in result.report:
            lines.append(f"  {source}; {reason}; {rows}")
    else:
        lines.append("Alla källrader användes.")
    lines += result.summary
    if written:
        base = written[-1].parent  # import_report.csv is always written last, into DIR itself
        names = [str(p.relative_to(base)) if p.is_relative_to(base) else str(p) for p in written]
        lines.append(f"skrev {', '.join(names)} i {base}")
    return "\n".join(lines)
