"""What `import kolada` and `import vardenisiffror` share (data-contract.md §9.3): the map from a
source's ids and unit names to catalogue ids and region codes, the checks every published row
must pass, and the `published_figures` table they write.

The map is `data/reference/published_sources.csv` (or `--map FILE`, which replaces it), UTF-8,
columns source, kind, key, target, note:
  kind 'indicator': key is the source's id of a figure (a Kolada KPI such as N79198, a Vården i
                    siffror title), target a catalogue id (svf_within_target);
  kind 'unit':      key is a unit name as the source writes it ('Region Stockholm',
                    'Västra Götalandsregionen'), target a region code ('01') or 'riket'.
Keys are compared without regard to case and runs of white space. Kolada's municipality ids need
no map: '0000' is riket and '00' + a county code a region (the contract's rule).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa

from ..catalogue import Catalogue
from ..errors import DataError
from ..loader import BUNDLED_REFERENCE_DIR
from .common import ImportResult

DEFAULT_MAP = BUNDLED_REFERENCE_DIR / "published_sources.csv"
MAP_COLUMNS = ("source", "kind", "key", "target")
RIKET = "riket"

SCHEMA = pa.schema([
    ("source", pa.string()),
    ("source_id", pa.string()),
    ("indicator", pa.string()),
    ("region_code", pa.string()),
    ("period", pa.string()),
    ("value", pa.float64()),
    ("numerator", pa.int64()),
    ("denominator", pa.int64()),
    ("status", pa.string()),
])

# Reasons (Swedish, as the report prints them) shared by both forms
R_UNKNOWN_INDICATOR = "indikatorn finns inte i kartan över publicerad statistik"
R_DUPLICATE = "samma uppgift förekommer flera gånger (extra kopior)"
R_CONFLICT = "olika värden för samma indikator, region och period (alla kopior utelämnas)"
R_NEGATIVE = "värdet är negativt"
R_OVER_100 = "värdet är över 100 för en andel"
R_COUNTS = "täljaren är större än nämnaren eller negativ"


def norm(text) -> str:
    """A key as compared: case-folded, runs of white space (including no-break spaces) as one."""
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


@dataclass(frozen=True)
class PublishedMap:
    """(source, key) → catalogue id, and (source, unit name) → region code or None for riket."""

    indicators: dict[tuple[str, str], tuple[str, str]]  # (norm source, norm key) → (key as written, id)
    units: dict[tuple[str, str], str | None]

    def indicator(self, source: str, key) -> tuple[str, str] | None:
        return self.indicators.get((norm(source), norm(key)))

    def unit(self, source: str, name) -> tuple[bool, str | None]:
        """(known, region code or None for riket)."""
        k = (norm(source), norm(name))
        return (k in self.units), self.units.get(k)


def load_map(path: Path | str | None = None) -> PublishedMap:
    """Read and check a map file (DataError naming the file and line on any fault)."""
    path = Path(path) if path else DEFAULT_MAP
    return _load_map(str(path.resolve()) if path.exists() else str(path))


@cache
def _regions() -> set[str]:
    with open(BUNDLED_REFERENCE_DIR / "regions.csv", encoding="utf-8", newline="") as fh:
        return {row["region_code"] for row in csv.DictReader(fh)}


def _load_map(path: str) -> PublishedMap:
    name = Path(path).name
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
            header = rows[0].keys() if rows else []
    except OSError:
        raise DataError(f"{name}: kartfilen finns inte eller kan inte läsas") from None
    except (UnicodeDecodeError, csv.Error):
        raise DataError(f"{name}: kartfilen är inte en kommaseparerad UTF-8-fil") from None
    missing = [c for c in MAP_COLUMNS if c not in header]
    if missing:
        raise DataError(f"{name}: kolumnen {missing[0]} saknas i kartfilen (väntade {', '.join(MAP_COLUMNS)})")
    ids = set(Catalogue.bundled().ids())
    regions = _regions()
    indicators: dict = {}
    units: dict = {}
    for line, row in enumerate(rows, start=2):
        source, kind, key, target = (str(row.get(c) or "").strip() for c in MAP_COLUMNS)
        where = f"{name} rad {line}"
        if not source or not key:
            raise DataError(f"{where}: source och key får inte vara tomma")
        k = (norm(source), norm(key))
        if kind == "indicator":
            if target not in ids:
                raise DataError(f"{where}: {target[:40]!r} är ingen indikator i katalogen")
            if k in indicators:
                raise DataError(f"{where}: {key[:60]!r} förekommer flera gånger för {source[:40]}")
            indicators[k] = (key, target)
        elif kind == "unit":
            if target != RIKET and target not in regions:
                raise DataError(f"{where}: {target[:20]!r} är varken en regionkod eller 'riket'")
            if k in units:
                raise DataError(f"{where}: {key[:60]!r} förekommer flera gånger för {source[:40]}")
            units[k] = None if target == RIKET else target
        else:
            raise DataError(f"{where}: kind ska vara indicator eller unit (fick {kind[:20]!r})")
    return PublishedMap(indicators, units)


# -- rows ------------------------------------------------------------------------------------------

@dataclass
class Row:
    """One published figure and the source file it came from (for the report)."""

    file: str
    source: str
    source_id: str
    indicator: str
    region_code: str | None
    period: str
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    status: str | None = None

    def key(self) -> tuple:
        return (self.source, self.indicator, self.region_code, self.period)

    def content(self) -> tuple:
        return (self.source_id, self.value, self.numerator, self.denominator, self.status)


@dataclass
class Collector:
    """Rows accepted so far, and the report of those that were not."""

    result: ImportResult = field(default_factory=ImportResult)
    rows: list[Row] = field(default_factory=list)
    _proportions: frozenset = field(default_factory=lambda: frozenset(
        i.id for i in Catalogue.bundled() if i.kind == "proportion"))

    _left_out: Counter = field(default_factory=Counter)  # (file, reason) → rows, in order of first use

    def report(self, file: str, reason: str, n: int = 1) -> None:
        self._left_out[(file, reason)] += n

    def add(self, row: Row) -> None:
        """Keep the row unless its value or counts break a rule (then report it)."""
        if row.value is not None and row.value < 0:
            return self.report(row.file, R_NEGATIVE)
        if row.value is not None and row.value > 100 and row.indicator in self._proportions:
            return self.report(row.file, R_OVER_100)
        if any(c is not None and c < 0 for c in (row.numerator, row.denominator)) or (
                row.numerator is not None and row.denominator is not None and row.numerator > row.denominator
                and row.indicator in self._proportions):
            return self.report(row.file, R_COUNTS)
        self.rows.append(row)

    def finish(self) -> ImportResult:
        """Settle duplicates (identical copies: one kept, the others reported; differing copies:
        all reported) and put the table into the result."""
        by_key: dict[tuple, list[Row]] = {}
        for row in self.rows:
            by_key.setdefault(row.key(), []).append(row)
        kept: list[Row] = []
        dup: Counter = Counter()
        conflict: Counter = Counter()
        for rows in by_key.values():
            if len({r.content() for r in rows}) > 1:
                for r in rows:
                    conflict[r.file] += 1
                continue
            kept.append(rows[0])
            for r in rows[1:]:
                dup[r.file] += 1
        for file, n in dup.items():
            self.report(file, R_DUPLICATE, n)
        for file, n in conflict.items():
            self.report(file, R_CONFLICT, n)
        for (file, reason), n in self._left_out.items():  # one report line per file and reason
            self.result.add(file, reason, n)
        kept.sort(key=lambda r: (r.source, r.indicator, r.period, r.region_code or ""))
        self.result.tables["published_figures"] = pa.Table.from_pylist(
            [{c: getattr(r, c) for c in SCHEMA.names} for r in kept], schema=SCHEMA)
        self.result.summary.append(_summary(kept))
        return self.result


def _summary(rows: list[Row]) -> str:
    if not rows:
        return "Inga publicerade värden lästes in."
    per = Counter((r.source, r.indicator) for r in rows)
    withheld = sum(1 for r in rows if r.value is None)
    parts = [f"{ind} ({src}): {n}" for (src, ind), n in sorted(per.items())]
    text = "Publicerade värden per indikator: " + "; ".join(parts)
    if withheld:
        text += f". Utan värde (med källans statuskod): {withheld}"
    return text


def parse_number(text) -> float | None:
    """A published number: '48', '48.5', '48,5', '1 234', '48,5 %'; None when it is not one."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text) if text == text and abs(text) != float("inf") else None
    s = re.sub(r"[\s\u00a0\u202f]", "", str(text or "")).rstrip("%")
    if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", s):
        return None
    return float(s.replace(",", "."))


def parse_count(text) -> tuple[bool, int | None]:
    """(ok, count) for a numerator or denominator: empty is (True, None); '1 234' is 1234; a
    fraction or text is (False, None)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return True, None
    number = parse_number(text)
    if number is None or number != int(number):
        return False, None
    return True, int(number)
