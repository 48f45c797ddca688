"""Exports for meetings: stamped chart images (images), the numbers behind them as CSV/Excel
(tables), and the meeting pack as PowerPoint or PDF (pack, presets). No Streamlit import here, so
everything is usable from the command line and testable alone.

`dataset_identity(ds)` says which data an export comes from: the extract date, the manifest's
source, and a short id (the first 8 hex of a SHA-256 over the manifest and the data files' names
and sizes), so a number in the minutes can be traced back to the exact extract set.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DATA_SUFFIXES = (".parquet", ".csv", ".json")


@dataclass(frozen=True)
class DatasetIdentity:
    extract_date: date | None
    source: str
    dataset_id: str
    directory: str = ""
    region_names: dict = field(default_factory=dict, hash=False, compare=False)
    pathway_names: dict = field(default_factory=dict, hash=False, compare=False)
    register_names: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def footnote_extra(self) -> str:
        return f"Dataset {self.dataset_id}" if self.dataset_id else ""


def dataset_id(directory, manifest: dict | None = None) -> str:
    """First 8 hex of SHA-256 over the manifest (canonical JSON) and every data file's relative
    path and size under `directory` (sorted). Cheap: no file content is read."""
    h = hashlib.sha256()
    h.update(json.dumps(manifest or {}, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    root = Path(directory)
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES):
            h.update(f"\n{path.relative_to(root).as_posix()}\t{path.stat().st_size}".encode())
    return h.hexdigest()[:8]


def _names(ds, table: str, key: str, name: str) -> dict:
    try:
        ref = ds.reference(table)
        return dict(zip(ref[key].astype(str), ref[name].astype(str)))
    except Exception:  # noqa: BLE001 - a missing reference table just means codes are shown
        return {}


def dataset_identity(ds) -> DatasetIdentity:
    """The identity of a loaded `indicators.Dataset` (see module docstring)."""
    manifest = dict(getattr(ds, "manifest", {}) or {})
    directory = getattr(ds, "directory", "")
    source = str(manifest.get("source") or "").strip() or f"Extrakt i {Path(str(directory)).name}"
    return DatasetIdentity(
        extract_date=getattr(ds, "extract_date", None),
        source=source,
        dataset_id=dataset_id(directory, manifest),
        directory=str(directory),
        region_names=_names(ds, "regions", "region_code", "region_name"),
        pathway_names=_names(ds, "svf_pathways", "svf_code", "svf_name"),
        register_names=_names(ds, "registers", "register_code", "register_name"),
    )
