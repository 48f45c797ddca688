"""Machine output of compute results (data-contract.md §7): CSV and JSON with the contract's columns.

Booleans are written 'true'/'false', missing values as empty (CSV) or null (JSON); numbers are not
rounded. Suppressed rows arrive with their counts and values already removed by the engine.
"""

from __future__ import annotations

import io
import json
import math

import pandas as pd


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
    return str(value)


def to_csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    import csv

    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(df.columns)
    for row in df.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in row])
    return buf.getvalue()


def to_json(df: pd.DataFrame) -> str:
    return json.dumps(records(df), ensure_ascii=False, indent=1)
