"""Machine output of compute results (data-contract.md §7): CSV and JSON with the contract's columns.

Booleans are written 'true'/'false', missing values as empty (CSV) or null (JSON); numbers are not
rounded. Suppressed rows arrive with their counts and values already removed by the engine.

Text cells come from the data (region codes, substances, register codes of an override table), so
CSV keeps them inert for a spreadsheet and a terminal: a text that would start a formula (its first
non-blank character is =, +, -, @, tab or carriage return; OWASP's list) gets a leading
apostrophe, and control characters and escape sequences are removed (`files.safe_text`; a line
break becomes a space, so every row is one line). JSON carries every value exactly (characters a
terminal could act on are written as \\u escapes, which decode to the same text).
"""

from __future__ import annotations

import io
import json
import math

import pandas as pd

from .files import safe_text, terminal_safe_json

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value  # keep floats as floats in JSON (value columns)
    return value


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as plain Python dicts (None for missing)."""
    return [{col: _plain(v) for col, v in zip(df.columns, row)} for row in df.itertuples(index=False, name=None)]


def _csv_cell(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return inert_text(str(value))


def inert_text(text: str) -> str:
    """A data-derived text for a CSV cell: a leading apostrophe when a spreadsheet would read it
    as a formula (OWASP: first non-blank character =, +, -, @, tab or CR), control characters and
    escape sequences removed."""
    if text.lstrip(" ")[:1] in FORMULA_STARTS:
        text = "'" + text
    return safe_text(text)


def to_csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    import csv

    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([inert_text(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in row])
    return buf.getvalue()


def to_json(df: pd.DataFrame) -> str:
    return terminal_safe_json(json.dumps(records(df), ensure_ascii=False, indent=1))
