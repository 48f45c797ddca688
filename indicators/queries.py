"""Reads the SQL files in queries/ (the only place SQL text lives)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"


@cache
def read_query(name: str) -> str:
    """The text of queries/<name>, without its trailing semicolon."""
    path = (QUERY_DIR / name).resolve()
    if QUERY_DIR not in path.parents:
        raise ValueError(f"query outside {QUERY_DIR}: {name}")
    return path.read_text(encoding="utf-8").strip().rstrip(";")


def bind(sql: str, params: dict) -> dict:
    """The subset of `params` that `sql` uses (DuckDB refuses unused named parameters)."""
    import re

    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
    return {k: v for k, v in params.items() if k in used}
