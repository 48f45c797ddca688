"""Shared fixtures for the engine tests (tests/test_engine_*.py, test_cli.py, test_property_engine.py).

Expected numbers live in the test files themselves; these fixtures only build rows and compare.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import os

import pandas as pd
import pytest

# Tests build many small extract sets; the load cache (indicators/load_cache.py) has its own tests.
os.environ.setdefault("INDIKATORPANELEN_CACHE", "off")

_TESTS = Path(__file__).resolve().parent
for _p in (str(_TESTS.parent), str(_TESTS)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

# data-contract.md §7: the result columns after the --by dimensions, in this order.
RESULT_COLUMNS = [
    "numerator", "denominator", "value", "ci_low", "ci_high", "target_low", "target_high",
    "target_level", "suppressed", "provisional", "placeholder_target", "missing",
]
_COUNT_AND_VALUE = ["numerator", "denominator", "value", "ci_low", "ci_high"]


def _is_empty(v) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _check_row(row: dict, _label: str = "", **expected) -> None:
    """Compare one result row (a dict) with expected values.

    None = must be empty (NA); bool = must be that bool; float = value within 1e-6
    (ci_low/ci_high within 1e-4, contract §6); anything else = equal.
    """
    where = f" [{_label}]" if _label else ""
    for key, exp in expected.items():
        assert key in row, f"column {key!r} missing{where}; row: {row}"
        got = row[key]
        if exp is None:
            assert _is_empty(got), f"{key}: expected empty, got {got!r}{where}; row: {row}"
            continue
        assert not _is_empty(got), f"{key}: expected {exp!r}, got empty{where}; row: {row}"
        if isinstance(exp, bool):
            assert bool(got) is exp, f"{key}: expected {exp}, got {got!r}{where}; row: {row}"
        elif isinstance(exp, float):
            tol = 1e-4 if key in ("ci_low", "ci_high") else 1e-6
            assert float(got) == pytest.approx(exp, abs=tol), f"{key}: expected {exp}, got {got!r}{where}; row: {row}"
        elif isinstance(exp, int):
            assert float(got) == exp, f"{key}: expected {exp}, got {got!r}{where}; row: {row}"
        else:
            assert got == exp, f"{key}: expected {exp!r}, got {got!r}{where}; row: {row}"


def _check_suppressed(row: dict, _label: str = "", **expected) -> None:
    """A suppressed row: no counts, no values, no target level (contract §6, §7)."""
    _check_row(row, _label, suppressed=True, target_level=None, **{c: None for c in _COUNT_AND_VALUE}, **expected)


def _rows(df: pd.DataFrame) -> list[dict]:
    return df.to_dict("records")


def _by_key(df: pd.DataFrame, *cols: str) -> dict:
    out = {}
    for r in _rows(df):
        key = tuple(None if _is_empty(r[c]) else r[c] for c in cols)
        key = key[0] if len(cols) == 1 else key
        assert key not in out, f"duplicate group {key!r}"
        out[key] = r
    return out


def _lead(eid: str, svf: str, start: str, days: int | None, code: str | None, region: str = "01",
          home: str | None = None, ext: bool = False, sex: str = "K", age: int = 60) -> dict:
    """An svf_episodes row given its start date and lead time in days (None = ongoing)."""
    from extract_builder import episode

    end = None if days is None else (date.fromisoformat(start) + timedelta(days=days)).isoformat()
    return episode(eid, svf, start, end, code if days is not None else None, region=region, home=home, ext=ext,
                   sex=sex, age=age)


@pytest.fixture(scope="session")
def check_row():
    return _check_row


@pytest.fixture(scope="session")
def check_suppressed():
    return _check_suppressed


@pytest.fixture(scope="session")
def rows():
    return _rows


@pytest.fixture(scope="session")
def by_key():
    return _by_key


@pytest.fixture(scope="session")
def lead():
    return _lead


@pytest.fixture(scope="session")
def result_columns():
    return list(RESULT_COLUMNS)


@pytest.fixture(scope="session")
def small_data_dir(tmp_path_factory) -> Path:
    """A small generated extract set (scale 0.02, seed 1; about 2 s to write), shared by the tests of
    the exports, the meeting pack and the browser. Regions are small enough that some groups are
    suppressed. Read-only: tests that change data copy it first."""
    from indicators.generate import generate

    out = tmp_path_factory.mktemp("small_data") / "extract"
    generate(out, scale=0.02, seed=1)
    return out
