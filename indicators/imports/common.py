"""What every import shares: the result type, the report, and writing tables into an extract
directory without ever overwriting what another import (or anything else) put there.

data-contract.md §9: an import writes Parquet tables into DIR (adding to a table that is already
there is an error naming it), writes `import_report.csv` (source, reason, rows: one line per
reason, counting only source rows that did not become output rows), and prints the report.
Exit codes: 0 tables written; 1 a source that cannot be read at all (DataError); 2 bad arguments
(QueryError).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import QueryError

REPORT_FILE = "import_report.csv"
REPORT_COLUMNS = ("source", "reason", "rows")


@dataclass
class ImportResult:
    """Tables to write (contract table name → Arrow table) and the report rows
    (source file name, reason in Swedish, number of source rows)."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    report: list[tuple[str, str, int]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # extra lines printed after the report

    def add(self, source: str, reason: str, rows: int) -> None:
        if rows:
            self.report.append((source, reason, int(rows)))


def _existing_table(out_dir: Path, table: str) -> Path | None:
    for candidate in (out_dir / f"{table}.parquet", out_dir / table, out_dir / f"{table}.csv"):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return None


def write_result(result: ImportResult, out_dir: Path) -> list[Path]:
    """Write the result's tables and append its lines to DIR/import_report.csv.

    Every check runs before anything is written, so a refused import leaves DIR as it was. Each
    file is written under a temporary name and renamed into place.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise QueryError(f"--out {str(out_dir)[:120]!r} är inte en katalog")
    for table in result.tables:
        existing = _existing_table(out_dir, table) if out_dir.is_dir() else None
        if existing is not None:
            raise QueryError(f"{table}: tabellen finns redan i {str(out_dir)[:120]} ({existing.name}); "
                             "en import lägger aldrig till i eller skriver över en befintlig tabell")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table, data in result.tables.items():
        target = out_dir / f"{table}.parquet"
        _atomic_write(target, lambda tmp, d=data: pq.write_table(d, tmp))
        written.append(target)
    report_path = out_dir / REPORT_FILE
    rows = read_report(report_path) + [tuple(r) for r in result.report]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(rows)
    _atomic_write(report_path, lambda tmp: Path(tmp).write_text(buf.getvalue(), encoding="utf-8"))
    written.append(report_path)
    return written


def read_report(path: Path) -> list[tuple[str, str, int]]:
    """The rows of an import_report.csv ([] when there is none)."""
    if not Path(path).is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return [(r["source"], r["reason"], int(r["rows"])) for r in reader]


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
        lines.append(f"skrev {', '.join(p.name for p in written)} i {written[0].parent}")
    return "\n".join(lines)
