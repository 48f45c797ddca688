"""Import form 'vardenisiffror' (data-contract.md §9.3): Vården i siffror's CSV export →
published_figures.

    python -m indicators import vardenisiffror EXPORT.csv... --out DIR [--map FILE]

The export is `;`-separated (a tab-separated copy is accepted too), in UTF-8 (with or without a
byte-order mark), UTF-16 with a byte-order mark, or Windows-1252, with a decimal comma. Columns:
Diagramrubrik, Titel, Register/källa, Måttenhet, Enhetsnamn, Mätperiod, Värde, Täljare,
Nämnare/antal fall (Titel, Enhetsnamn, Mätperiod and Värde are required; names compared without
regard to case).

- Titel (else Diagramrubrik) names the figure; the map gives its catalogue id and source_id is
  the map's key. A title not in the map is reported.
- Enhetsnamn as the portal writes it ('Region Stockholm', 'Västra Götalandsregionen', 'Riket');
  the map gives the region code. A unit the map does not name as a region (a hospital, a
  municipality, a healthcare region) is reported and left out.
- Mätperiod: '2024', '2024-03', '2024-Q1' ('2024 Q1', '2024 kv 1', '2024 kvartal 1'), or a date
  range that is exactly a calendar year, quarter or month ('2024-01-01 - 2024-12-31',
  '2024-01 – 2024-03'). Anything else (a rolling twelve months) is reported.
- Värde: a number ('48,5', '48.5', '48,5 %'), or a code such as UNK, MSK or INV, which becomes
  `status` with an empty value. An empty Värde is an empty value with no status.
- Täljare and Nämnare/antal fall: whole numbers ('1 234' allowed) or empty.
- Måttenhet, when given, must be a percentage ('Procent', '%', 'Andel').
"""

from __future__ import annotations

import csv
import io
import re
from calendar import monthrange
from datetime import date
from pathlib import Path

from ..errors import DataError
from .common import ImportResult
from .published_map import R_UNKNOWN_INDICATOR, Collector, Row, load_map, norm, parse_count, parse_number

SOURCE = "Vården i siffror"

COL_CHART, COL_TITLE, COL_REGISTER, COL_UNIT_OF_MEASURE = "Diagramrubrik", "Titel", "Register/källa", "Måttenhet"
COL_UNIT, COL_PERIOD, COL_VALUE = "Enhetsnamn", "Mätperiod", "Värde"
COL_NUM, COL_DEN = "Täljare", "Nämnare/antal fall"
REQUIRED = (COL_TITLE, COL_UNIT, COL_PERIOD, COL_VALUE)
KNOWN = (COL_CHART, COL_TITLE, COL_REGISTER, COL_UNIT_OF_MEASURE, COL_UNIT, COL_PERIOD, COL_VALUE, COL_NUM, COL_DEN)

R_NOT_REGION = "enheten är ingen region i kartan (sjukhus, kommun, sjukvårdsregion eller okänt namn)"
R_PERIOD = "mätperioden är inte ett kalenderår, kvartal eller en månad"
R_VALUE = "värdet är varken ett tal eller en statuskod"
R_COUNT = "täljare eller nämnare är inte ett heltal"
R_MEASURE = "måttenheten är inte procent"
R_FIELDS = "raden har fel antal fält"
R_EMPTY_KEY = "titel eller enhetsnamn saknas"

_STATUS_CODE = re.compile(r"[A-Za-zÅÄÖåäö.\-–]{1,8}")
_DASH = r"\s*(?:-|–|—|till)\s*"


def add_arguments(parser) -> None:
    parser.add_argument("sources", nargs="+", metavar="FILE", help="CSV-exporter från Vården i siffror")
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--map", metavar="FILE", help="egen karta i stället för data/reference/published_sources.csv")


def run(args) -> ImportResult:
    mapping = load_map(args.map)
    files = [(Path(p), read_text(Path(p))) for p in args.sources]
    collector = Collector()
    for path, text in files:
        _read_rows(collector, path, text, mapping)
    return collector.finish()


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252."""
    try:
        data = path.read_bytes()
    except OSError:
        raise DataError(f"{path}: filen finns inte eller kan inte läsas") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{path.name}: filen har UTF-16-märke men kan inte läsas som UTF-16") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: teckenkodningen är varken UTF-8 eller Windows-1252") from None


def _read_rows(collector: Collector, path: Path, text: str, mapping) -> None:
    file = path.name
    lines = text.splitlines()
    header_line = next((ln for ln in lines if ln.strip()), "")
    delimiter = ";" if ";" in header_line else ("\t" if "\t" in header_line else None)
    if delimiter is None:
        raise DataError(f"{file}: filen är inte semikolonseparerad (väntade en export från Vården i siffror)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [r for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise DataError(f"{file}: CSV-filen kan inte läsas: {str(exc)[:120]}") from None
    if not rows:
        raise DataError(f"{file}: filen är tom")
    header = [norm(h) for h in rows[0]]
    index = {}
    for name in KNOWN:
        if norm(name) in header:
            index[name] = header.index(norm(name))
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise DataError(f"{file}: kolumnen {missing[0]} saknas; hittade kolumner: {', '.join(rows[0])[:200]}")
    width = len(header)
    for fields in rows[1:]:
        if len(fields) != width:
            collector.report(file, R_FIELDS)
            continue
        _read_row(collector, file, {name: fields[i].strip() for name, i in index.items()}, mapping)


def _read_row(collector: Collector, file: str, row: dict, mapping) -> None:
    title, unit = row.get(COL_TITLE, ""), row.get(COL_UNIT, "")
    if not title or not unit:
        return collector.report(file, R_EMPTY_KEY)
    found = mapping.indicator(SOURCE, title) or (
        mapping.indicator(SOURCE, row[COL_CHART]) if row.get(COL_CHART) else None)
    if found is None:
        return collector.report(file, R_UNKNOWN_INDICATOR)
    source_id, indicator = found
    known, region = mapping.unit(SOURCE, unit)
    if not known:
        return collector.report(file, R_NOT_REGION)
    period = parse_period(row[COL_PERIOD])
    if period is None:
        return collector.report(file, R_PERIOD)
    measure = norm(row.get(COL_UNIT_OF_MEASURE, ""))
    if measure and not ("%" in measure or "procent" in measure or "andel" in measure):
        return collector.report(file, R_MEASURE)
    raw = row[COL_VALUE]
    value, status = None, None
    if raw:
        value = parse_number(raw)
        if value is None:
            if _STATUS_CODE.fullmatch(raw) is None:
                return collector.report(file, R_VALUE)
            status = raw
    ok_num, numerator = parse_count(row.get(COL_NUM))
    ok_den, denominator = parse_count(row.get(COL_DEN))
    if not (ok_num and ok_den):
        return collector.report(file, R_COUNT)
    collector.add(Row(file, SOURCE, source_id, indicator, region, period, value, numerator, denominator, status))


def parse_period(text: str) -> str | None:
    """'2024', '2024-Q1' or '2024-03' for a calendar year, quarter or month; None otherwise."""
    s = re.sub(r"\s+", " ", str(text or "")).strip()
    if re.fullmatch(r"\d{4}", s):
        return s
    m = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", s)
    if m:
        return s
    m = re.fullmatch(r"(\d{4})\s*[- ]?\s*(?:Q|K|kv\.?|kvartal)\s*([1-4])", s, flags=re.IGNORECASE)
    if m:
        return f"{m.group(1)}-Q{m.group(2)}"
    m = re.fullmatch(rf"(\d{{4}})-(\d{{2}})(?:-(\d{{2}}))?{_DASH}(\d{{4}})-(\d{{2}})(?:-(\d{{2}}))?", s)
    if not m:
        return None
    y1, m1, d1, y2, m2, d2 = m.groups()
    try:
        start = date(int(y1), int(m1), int(d1 or 1))
        end_month = date(int(y2), int(m2), 1)
        end = date(int(y2), int(m2), int(d2) if d2 else monthrange(end_month.year, end_month.month)[1])
    except ValueError:
        return None
    if start.day != 1 or end.day != monthrange(end.year, end.month)[1] or start.year != end.year:
        return None
    if start.month == 1 and end.month == 12:
        return f"{start.year}"
    if start.month == end.month:
        return f"{start.year}-{start.month:02d}"
    if start.month % 3 == 1 and end.month == start.month + 2:
        return f"{start.year}-Q{(start.month + 2) // 3}"
    return None
