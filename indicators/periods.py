"""Period arithmetic: parsing dates, period labels (year, quarter, month), month alignment and the
provisional rule of data-contract.md §5."""

from __future__ import annotations

import calendar
import re
from datetime import date

from .errors import QueryError

_LABEL_PATTERNS = {
    "year": re.compile(r"^(\d{4})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}


def parse_date(value, name: str) -> date | None:
    """A date from a date or an ISO 'YYYY-MM-DD' string; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date() if hasattr(value, "date") else value
    text = str(value)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise QueryError(f"{name}: ogiltigt datum {text[:40]!r} (skriv ÅÅÅÅ-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"{name}: ogiltigt datum {text!r} (skriv ÅÅÅÅ-MM-DD)") from None


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, months: int) -> date:
    """`d` moved by whole months, the day clamped to the target month's length."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def is_valid_label(dimension: str, label: str) -> bool:
    return bool(_LABEL_PATTERNS[dimension].match(label))


def label_range(dimension: str, label: str) -> tuple[date, date]:
    """First and last day of a period label: '2024', '2024-Q2' or '2024-05'."""
    m = _LABEL_PATTERNS[dimension].match(label)
    year = int(m.group(1))
    if dimension == "year":
        return date(year, 1, 1), date(year, 12, 31)
    if dimension == "quarter":
        q = int(m.group(2))
        first = date(year, 3 * q - 2, 1)
        return first, month_end(date(year, 3 * q, 1))
    first = date(year, int(m.group(2)), 1)
    return first, month_end(first)


def provisional_cutoff(extract_date: date, maturity_months: int) -> date:
    """Results whose period ends after this date are provisional."""
    return add_months(extract_date, -maturity_months)


def format_period_sv(start: date, end: date) -> str:
    """'2024' for a whole year, 'jan–jun 2024', otherwise 'YYYY-MM-DD – YYYY-MM-DD'."""
    months = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    if start.day == 1 and end == month_end(end):
        if start.month == 1 and end.month == 12:
            return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
        if start.year == end.year:
            if start.month == end.month:
                return f"{months[start.month - 1]} {start.year}"
            return f"{months[start.month - 1]}–{months[end.month - 1]} {start.year}"
        return f"{months[start.month - 1]} {start.year} – {months[end.month - 1]} {end.year}"
    return f"{start.isoformat()} – {end.isoformat()}"
