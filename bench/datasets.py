"""The benchmark's sample sets, made with the project's own generator and cached.

`ensure(root, scale)` returns data/bench/scale<S>/ (S written without a trailing .0), generating it
unless a set is there whose manifest.json and stamp (bench-stamp.json: scale, seed and a hash of
indicators/generate.py and the bundled reference tables) match. The stamp lives inside the set;
the loader ignores files it does not know. Generation runs in a subprocess so that its memory is
not held by the orchestrator.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .common import ROOT, run_worker

STAMP = "bench-stamp.json"
SEED = 1


def label(scale: float) -> str:
    return f"{scale:g}".replace(".", "_")


def generator_hash() -> str:
    h = hashlib.sha256()
    files = [ROOT / "indicators" / "generate.py", *sorted((ROOT / "data" / "reference").glob("*.csv"))]
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _stamp(scale: float, seed: int) -> dict:
    return {"scale": scale, "seed": seed, "generator": generator_hash()}


def is_current(path: Path, scale: float, seed: int = SEED) -> bool:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        stamp = json.loads((path / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(manifest.get("extract_date")) and stamp == _stamp(scale, seed)


def ensure(root: Path, scale: float, seed: int = SEED, *, timeout: float = 900, log=print) -> dict:
    path = Path(root) / f"scale{label(scale)}"
    info = {"scale": scale, "seed": seed, "path": str(path), "generated": False, "generate_s": None}
    if not is_current(path, scale, seed):
        log(f"  generating scale {scale:g} (seed {seed}) into {path} ...")
        out = run_worker("generate", {"out": str(path), "scale": scale, "seed": seed}, timeout=timeout)
        (path / STAMP).write_text(json.dumps(_stamp(scale, seed)), encoding="utf-8")
        info.update(generated=True, generate_s=out["seconds"], generate_peak_rss_mb=out["peak_rss_mb"])
        (path / "bench-generated.json").write_text(json.dumps({"seconds": out["seconds"]}), encoding="utf-8")
        log(f"  generated in {out['seconds']:.1f} s")
    else:
        log(f"  scale {scale:g}: reusing {path} (manifest and stamp match)")
        try:
            info["generate_s_recorded"] = json.loads((path / "bench-generated.json").read_text())["seconds"]
        except (OSError, ValueError, KeyError):
            pass
    info["rows"] = rows(path)
    info["bytes"] = sum(f.stat().st_size for f in path.rglob("*.parquet"))
    return info


def rows(path: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    out = {}
    for table in ("cancer_cases", "svf_episodes", "register_cases", "indicator_outcomes", "drug_treatments",
                  "population"):
        files = [path / f"{table}.parquet"] if (path / f"{table}.parquet").exists() else \
            sorted((path / table).rglob("*.parquet"))
        out[table] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return out
