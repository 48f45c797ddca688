"""Parsing the content of plan cells: goal values ("70 %", "minst 85", "70,5"), directions,
deadlines, chapters and dated status notes. Strict: anything that does not parse is a `CellError`
with a Swedish message saying what to write instead."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from .headings import normalise
from .model import StatusNote
from .reference import CellError
from .table import Percent, text_of

_HIGHER = {"minst", "högre", "högre är bättre", "öka", "över", "mer än", "mer", "≥", ">=", ">", "större än"}
_LOWER = {"högst", "lägre", "lägre är bättre", "minska", "under", "mindre än", "färre än", "≤", "<=", "<"}
NO_GOAL_VALUE = {"–", "-", "—", "inget", "inget målvärde", "ingen", "saknas"}

_CHAPTERS = {
    "forebyggande": "forebyggande", "forebyggande arbete": "forebyggande", "prevention": "forebyggande",
    "1": "forebyggande",
    "tidig upptackt": "tidig_upptackt", "2": "tidig_upptackt",
    "diagnos och behandling": "diagnos_behandling", "diagnos behandling": "diagnos_behandling",
    "3": "diagnos_behandling",
    "livskvalitet": "livskvalitet", "battre livskvalitet": "livskvalitet",
    "livskvalitet for patienter och canceroverlevare": "livskvalitet",
    "battre livskvalitet for patienter och canceroverlevare": "livskvalitet", "4": "livskvalitet",
}

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_VALUE_RE = re.compile(
    r"^(?P<cmp>[^\d]*?)\s*" + _NUMBER + r"\s*(?P<unit>%|procent|dagar|dygn|d|per 100 000|/100 000)?\s*$",
    re.IGNORECASE)
_DATE_TOKEN = re.compile(r"^\s*(?P<d>\d{4}-\d{1,2}-\d{1,2}|\d{8}|\d{6})(?![\d-])\s*[:.\-–]?\s*(?P<text>.*)$")
MAX_NOTE_CHARS = 20_000


def direction_of(text: str) -> str:
    """'higher' or 'lower' from a Riktning cell ("minst", "högst", "≥", "lägre är bättre" …)."""
    k = " ".join(str(text).casefold().split())
    if k in _HIGHER:
        return "higher"
    if k in _LOWER:
        return "lower"
    raise CellError(f"okänd riktning {str(text)[:40]!r}; skriv minst (högre är bättre) eller högst (lägre är bättre)")


def goal_value_of(cell, unit: str) -> tuple[float | None, str | None]:
    """(value, direction given in the cell or None). `unit` is the indicator's ('procent', 'dagar',
    'per 100 000'). Value None: the cell says the indicator is followed without a goal value ('–').

    Accepts 70, 70,5, "70 %", "minst 85 %", "> 70%", "högst 28 dagar", and a number Excel shows as a
    percentage. A percent goal must lie in 0–100; '%' on a days indicator (or 'dagar' on a percent
    one) is an error.
    """
    if isinstance(cell, bool):
        raise CellError(f"{cell!r} är inget målvärde")
    if isinstance(cell, Percent):
        value, given_unit, cmp = float(cell), "%", ""
    elif isinstance(cell, (int, float)):
        value, given_unit, cmp = float(cell), None, ""
    else:
        text = text_of(cell)
        if text.casefold() in NO_GOAL_VALUE:
            return None, None
        m = _VALUE_RE.match(text.replace("\u00a0", " "))
        if not m:
            raise CellError(f"{text[:40]!r} är inget målvärde (skriv t.ex. 70 %, 85, 70,5 eller – för inget målvärde)")
        value = float(m.group(2).replace(",", "."))
        given_unit = (m.group("unit") or "").casefold() or None
        cmp = m.group("cmp").strip()
    if not math.isfinite(value) or value < 0:
        raise CellError(f"målvärdet {value:g} ska vara ett tal från 0 och uppåt")
    direction = direction_of(cmp) if cmp else None
    if given_unit in ("%", "procent") and unit != "procent":
        raise CellError(f"indikatorn mäts i {unit}, inte i procent")
    if given_unit in ("dagar", "dygn", "d") and unit != "dagar":
        raise CellError(f"indikatorn mäts i {unit}, inte i dagar")
    if given_unit in ("per 100 000", "/100 000") and unit != "per 100 000":
        raise CellError(f"indikatorn mäts i {unit}, inte per 100 000")
    if unit == "procent" and value > 100:
        raise CellError(f"målvärdet {_sv(value)} % är över 100 %")
    if unit == "procent" and given_unit is None and 0 < value < 1:
        raise CellError(f"skriv målvärdet i procent ({_sv(value * 100)} %), inte som andel ({_sv(value)}); "
                        "menar du verkligen under 1 %, skriv det med %-tecken")
    return value, direction


def deadline_of(cell) -> date:
    """A Måldatum: a year (2024 means 2024-12-31), a date ÅÅÅÅ-MM-DD, or an Excel date cell."""
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        d = cell
    elif isinstance(cell, (int, float)) and not isinstance(cell, bool) and float(cell).is_integer():
        d = _year_end(int(cell), cell)
    else:
        text = text_of(cell)
        if re.fullmatch(r"\d{4}", text):
            d = _year_end(int(text), text)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                d = date.fromisoformat(text)
            except ValueError:
                raise CellError(f"{text!r} är inget giltigt datum") from None
        else:
            raise CellError(f"{text[:40]!r} är inget datum (skriv ÅÅÅÅ, t.ex. 2027, eller ÅÅÅÅ-MM-DD)")
    if not 2000 <= d.year <= 2100:
        raise CellError(f"{d.isoformat()} ligger utanför åren 2000–2100")
    return d


def _year_end(year: int, shown) -> date:
    if not 2000 <= year <= 2100:
        raise CellError(f"{shown!r} är inget år mellan 2000 och 2100")
    return date(year, 12, 31)


def chapter_of(text: str) -> str:
    """The chapter code of a Kapitel cell (case and accents ignored, or its number 1–4)."""
    code = _CHAPTERS.get(normalise(text))
    if code is None:
        raise CellError(f"okänt kapitel {str(text)[:60]!r}; skriv förebyggande, tidig upptäckt, "
                        "diagnos och behandling eller livskvalitet (eller 1–4)")
    return code


def note_date_of(token: str, today: date) -> date:
    """A note's date: ÅÅMMDD (240306, as in seed 003), ÅÅÅÅMMDD or ÅÅÅÅ-MM-DD; not after `today`."""
    try:
        if "-" in token:
            y, m, d = (int(p) for p in token.split("-"))
            result = date(y, m, d)
        elif len(token) == 8:
            result = date(int(token[:4]), int(token[4:6]), int(token[6:]))
        else:
            result = date(2000 + int(token[:2]), int(token[2:4]), int(token[4:]))
    except ValueError:
        raise CellError(f"{token!r} är inget giltigt datum (skriv ÅÅMMDD, t.ex. 240306, eller ÅÅÅÅ-MM-DD)") from None
    if result > today:
        raise CellError(f"datumet {token} ({result.isoformat()}) ligger i framtiden (skriv ÅÅMMDD, "
                        "t.ex. 240306 för 6 mars 2024)")
    return result


def notes_of(cell, today: date) -> list[StatusNote]:
    """Dated notes of a Statusanteckningar cell: each note starts a line with its date
    ("240306: text", "2024-03-06 text"); a line without a date continues the note above it."""
    text = text_of(cell)
    if len(text) > MAX_NOTE_CHARS:
        raise CellError(f"texten är längre än {MAX_NOTE_CHARS} tecken")
    notes: list[list] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _DATE_TOKEN.match(line)
        if m:
            notes.append([note_date_of(m.group("d"), today), m.group("text").strip()])
        elif notes:
            notes[-1][1] = (notes[-1][1] + " " + line.strip()).strip()
        else:
            raise CellError(f"anteckningen {line.strip()[:40]!r} börjar inte med ett datum "
                            "(skriv t.ex. 240306: … eller 2024-03-06: …)")
    for d, body in notes:
        if not body:
            raise CellError(f"anteckningen daterad {d.isoformat()} saknar text")
    return [StatusNote(d, body) for d, body in notes]


def _sv(value: float) -> str:
    return (f"{value:.3f}".rstrip("0").rstrip(".")).replace(".", ",")
