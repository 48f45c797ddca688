"""Times the pandas peer (bench.peer_pandas) and checks it against the engine's results.

Runs in its own worker process: `load` (read the Parquet files with pandas, apply the row rules,
prepare: pathway by longest prefix, lead-time targets by the four rules, ...) is timed per table
and prepared frame, so an indicator's load is the sum over what it needs; then every combination
is computed once as a warm-up (that result is the one compared with the engine's, pickled by the
engine worker) and `repeats` more times for the median.

Two peer figures per combination:
  in-memory   compute only, on frames already loaded (an analyst re-running the cell)
  end-to-end  the indicator's load + compute (an analyst's script: read, merge, group, divide)
"""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

from .common import ms, now, peak_rss_mb


def run(args: dict) -> dict:
    from . import peer_pandas as pp
    from .engine import dump_path

    data = pp.PeerData(args["data"])
    combos = args["combos"]
    ids = list(dict.fromkeys(c["id"] for c in combos))
    t = now()
    for iid in ids:
        data.prepare(pp.needs(iid))
    load_total = now() - t
    repeats = int(args.get("repeats", 3))
    deadline = now() + float(args.get("budget_s", 1e9))
    tol = float(args.get("tolerance", 1e-6))
    out = []
    for c in combos:
        start, end = date.fromisoformat(c["start"]), date.fromisoformat(c["end"])
        rec = {"id": c["id"], "view": c["view"], "by": c["by"], "load_ms": ms(data.load_seconds(c["id"]))}
        try:
            t = now()
            result = pp.compute(data, c["id"], by=c["by"], start=start, end=end)
            first = now() - t
            times = []
            for _ in range(repeats if now() < deadline else 0):
                t = now()
                pp.compute(data, c["id"], by=c["by"], start=start, end=end)
                times.append(ms(now() - t))
            rec["compute_ms"] = times or [ms(first)]
            rec["compute_warmup_ms"] = ms(first)
        except Exception as exc:
            rec["error"] = f"{type(exc).__name__}: {exc}"
            out.append(rec)
            continue
        dump = dump_path(args["dump_dir"], c) if args.get("dump_dir") else None
        if dump is not None and Path(dump).exists():
            with open(dump, "rb") as f:
                engine_df = pickle.load(f)
            cmp = pp.compare(engine_df, result, c["id"], c["by"], tol=tol)
            rec["check"] = {"ok": cmp.ok, "rows": cmp.rows, "compared": cmp.compared,
                            "max_abs_diff": cmp.max_abs_diff, "problems": cmp.problems}
        else:
            rec["check"] = None
        out.append(rec)
    return {"combos": out, "load_total_ms": ms(load_total),
            "load_parts_ms": {k: ms(v) for k, v in data.seconds.items()},
            "peak_rss_mb": round(peak_rss_mb(), 1)}
