"""Writes small extract sets for tests: rows as dicts, Parquet types from the contract's schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from indicators.schema import ALL_TABLES, EXTRACT_TABLES

_ARROW = {"text": pa.string(), "date": pa.date32(), "int": pa.int32(), "bool": pa.bool_(), "double": pa.float64()}


def _value(col_type: str, v):
    if v is None:
        return None
    if col_type == "date" and isinstance(v, str):
        return date.fromisoformat(v)
    return v


def table(name: str, rows: list[dict]) -> pa.Table:
    cols = ALL_TABLES[name]
    return pa.table(
        {c.name: pa.array([_value(c.type, r.get(c.name)) for r in rows], type=_ARROW[c.type]) for c in cols},
    )


def write_set(directory: Path, extract_date: str | None = "2025-03-15", empty_missing: bool = True,
              **tables: list[dict]) -> Path:
    """Write `tables` as <name>.parquet into `directory` (created), plus a manifest.

    Extract tables not given are written empty (so the set is complete) unless `empty_missing` is
    False. Reference tables are written only when given (override the bundled ones).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if extract_date:
        (directory / "manifest.json").write_text(json.dumps({"extract_date": extract_date}), encoding="utf-8")
    names = set(tables) | (set(EXTRACT_TABLES) if empty_missing else set())
    for name in names:
        pq.write_table(table(name, tables.get(name, [])), directory / f"{name}.parquet")
    return directory


def episode(eid: str, svf: str, start: str, end: str | None, code: str | None, region: str = "01",
            home: str | None = None, ext: bool = False, sex: str = "K", age: int = 60, person: str | None = None):
    return {"episode_id": eid, "person_id": person or f"P{eid}", "region_code": region, "home_region_code": home,
            "svf_code": svf, "start_date": start, "end_date": end, "end_code": code, "extended_workup": ext,
            "sex": sex, "age": age}


def case(cid: str, icd: str, diagnosed: str, region: str = "01", sex: str = "K", age: int = 60):
    return {"case_id": cid, "person_id": f"P{cid}", "region_code": region, "diagnosis_date": diagnosed,
            "icd10": icd, "sex": sex, "age": age}
