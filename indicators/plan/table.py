"""Reading a plan file into rows of cells: Excel (.xlsx, via openpyxl) or CSV (`;`, `,` or tab
separated, UTF-8 or Windows-1252). Only cell values are read, never formulas (a formula cell gives
the value Excel last saved, or nothing). Merged cells give their value to every cell they cover, as
they look on screen. A number formatted as a percentage in Excel (0,7 shown as 70 %) is returned as
`Percent(70.0)`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .headings import NOTES_SHEET_NAMES, PLAN_SHEET_NAMES, field_of, header_score, normalise
from .model import PlanError

MAX_FILE_BYTES = 10 * 1024 * 1024  # a plan is a few hundred rows; anything this large is not one
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks to more than this
MAX_ROWS = 5000
MAX_COLUMNS = 200
_DELIMITERS = (";", ",", "\t")


class Percent(float):
    """A number Excel shows as a percentage: the value in percent (0,7 formatted 0 % → 70.0)."""


class Unevaluated(str):
    """A formula cell with no value saved by Excel (a file written by a program): the formula's text.
    It is never evaluated; the reader reports it."""


@dataclass
class Sheet:
    name: str  # the sheet's name ('' for CSV)
    rows: list[tuple[int, list]] = field(default_factory=list)  # (spreadsheet row number, cells)


@dataclass
class RawPlan:
    label: str  # the file's name, for messages
    plan: Sheet
    notes: Sheet | None = None


def read_raw(source, name: str | None = None) -> RawPlan:
    """The plan sheet (and an optional notes sheet) of `source`: a path, or bytes with `name`
    (an uploaded file) whose suffix tells the format. Raises PlanError naming the file."""
    label, data, suffix = _load(source, name)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(label, data)
    if suffix in (".csv", ".txt"):
        return RawPlan(label, _read_csv(label, data))
    if suffix == ".xls":
        raise PlanError(f"{label}: det gamla Excelformatet .xls läses inte; spara filen som .xlsx")
    raise PlanError(f"{label}: okänd filtyp {suffix or '(ingen)'!r}; planen ska vara .xlsx eller .csv")


def plan_bytes(source, name: str | None = None) -> tuple[str, bytes]:
    """(file name, content) of a plan source (a path, bytes with `name`, or a file object), with the
    same checks as `read_raw` (exists, not empty, at most MAX_FILE_BYTES). Raises PlanError."""
    label, data, _suffix = _load(source, name)
    return label, data


def _load(source, name: str | None) -> tuple[str, bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        label = name or "planfil"
        data = bytes(source)
    elif hasattr(source, "read"):
        label = name or getattr(source, "name", "planfil")
        data = source.read()
    else:
        path = Path(source)
        label = name or path.name
        if not path.is_file():
            raise PlanError(f"{label}: filen finns inte")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise PlanError(f"{label}: filen är större än {MAX_FILE_BYTES // (1024 * 1024)} MB och är ingen plan")
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise PlanError(f"{label}: filen är större än {MAX_FILE_BYTES // (1024 * 1024)} MB och är ingen plan")
    if not data:
        raise PlanError(f"{label}: filen är tom")
    return Path(label).name, data, Path(label).suffix.lower()


# -- Excel ----------------------------------------------------------------------------------------

def _read_xlsx(label: str, data: bytes) -> RawPlan:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PlanError(f"{label}: filen kunde inte läsas som Excel (.xlsx): den är ingen zip-arkivfil") from None
    if unpacked > MAX_UNZIPPED_BYTES:
        raise PlanError(f"{label}: filen packas upp till mer än {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB och är "
                        "ingen plan")
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
        # the same workbook with formulas as text, to tell an empty cell from an unsaved formula
        formulas = load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise PlanError(f"{label}: filen kunde inte läsas som Excel (.xlsx): {type(exc).__name__}") from None
    try:
        sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"] or list(wb.worksheets)
        by_name = {normalise(ws.title): ws for ws in sheets}
        plan_ws = next((by_name[n] for n in PLAN_SHEET_NAMES if n in by_name), None)
        if plan_ws is None:
            # the first sheet with a heading row (an instructions sheet may come first)
            plan_ws = next((ws for ws in sheets if _has_heading(ws)), sheets[0])
        notes_ws = next((by_name[n] for n in NOTES_SHEET_NAMES if n in by_name and by_name[n] is not plan_ws), None)
        return RawPlan(label, _sheet(label, plan_ws, formulas[plan_ws.title]),
                       _sheet(label, notes_ws, formulas[notes_ws.title]) if notes_ws is not None else None)
    finally:
        wb.close()
        formulas.close()


def _has_heading(ws) -> bool:
    for row in ws.iter_rows(min_row=1, max_row=30, max_col=MAX_COLUMNS, values_only=True):
        if header_score(row, field_of) >= 2:
            return True
    return False


def _sheet(label: str, ws, formula_ws) -> Sheet:
    if ws.max_row > MAX_ROWS + 50:
        raise PlanError(f"{label}: bladet {ws.title} har fler än {MAX_ROWS} rader och är ingen plan")
    width = min(ws.max_column, MAX_COLUMNS)
    grid: dict[int, list] = {}
    for cells in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width):
        r = cells[0].row
        grid[r] = [_cell_value(c) for c in cells]
        for i, c in enumerate(cells):
            if c.value is None:
                f = formula_ws.cell(row=r, column=i + 1)
                if f.data_type == "f":
                    grid[r][i] = Unevaluated(str(f.value))
    for merged in ws.merged_cells.ranges:
        anchor = grid.get(merged.min_row, [None] * width)
        value = anchor[merged.min_col - 1] if merged.min_col - 1 < len(anchor) else None
        for r in range(merged.min_row, min(merged.max_row, ws.max_row) + 1):
            for c in range(merged.min_col, min(merged.max_col, width) + 1):
                if r in grid:
                    grid[r][c - 1] = value
    return Sheet(ws.title, [(r, grid[r]) for r in sorted(grid)])


def _cell_value(cell):
    v = cell.value
    if isinstance(v, bool):
        return "sant" if v else "falskt"
    if isinstance(v, (int, float)) and "%" in (cell.number_format or ""):
        return Percent(round(float(v) * 100, 9))
    if isinstance(v, datetime):
        return v.date() if (v.hour, v.minute, v.second) == (0, 0, 0) else v
    return v  # text (an Excel error value such as #REF! stays text and fails where it is used)


# -- CSV ------------------------------------------------------------------------------------------

def _decode(label: str, data: bytes) -> str:
    head = data[:400]
    # UTF-16 text (with or without a byte-order mark) has a NUL in every other byte
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > 0.4 * (len(head) // 2)):
        raise PlanError(f"{label}: filen ser ut att vara UTF-16 (Excels \"Unicode-text\"); "
                        "spara som CSV UTF-8 eller CSV (semikolonavgränsad)")
    if b"\x00" in data:
        raise PlanError(f"{label}: filen innehåller binära tecken och är ingen textfil; spara planen som .xlsx "
                        "eller CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise PlanError(f"{label}: teckenkodningen känns inte igen; spara som UTF-8 eller Windows-1252") from None


def _read_csv(label: str, data: bytes) -> Sheet:
    text = _decode(label, data)
    best: tuple[int, list] | None = None
    for delimiter in _DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
        except csv.Error:
            raise PlanError(f"{label}: CSV-filen kunde inte läsas: en cell är längre än "
                            f"{csv.field_size_limit()} tecken eller citattecknen går inte ihop") from None
        score = max((header_score(rec) for rec in records[:30]), default=0)
        if best is None or score > best[0]:
            best = (score, records)
    records = best[1] if best else []
    if len(records) > MAX_ROWS + 50:
        raise PlanError(f"{label}: filen har fler än {MAX_ROWS} rader och är ingen plan")
    rows = []
    for number, rec in enumerate(records, start=1):
        cells = [c if c.strip() else None for c in rec[:MAX_COLUMNS]]
        rows.append((number, cells))
    return Sheet("", rows)


def text_of(value) -> str:
    """A cell as text: numbers without a needless '.0', dates as ÅÅÅÅ-MM-DD, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{_number_text(float(value))} %"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip()


def _number_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)
