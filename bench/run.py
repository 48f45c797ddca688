"""`make bench`: measure the engine, the pages, the app's cold start, memory and the meeting pack,
side by side with the floor and the pandas peer, and write BENCHMARKS.md.

    python -m bench.run                    # the full benchmark (scale 1 and 10), ≈ 10–13 min
    python -m bench.run --scales 1         # scale 1 only
    python -m bench.run --quick            # few repeats (a smoke run while developing)
    python -m bench.run --only engine,peer # some parts (engine, floor, peer, pages, coldstart, exports, load, browser)

Every measurement runs in its own subprocess (bench.worker) so that cold is cold and each peak
RSS belongs to one job. Raw figures go to data/bench/results.json, the report to BENCHMARKS.md.
The run keeps to a time budget (--budget, default 14 min): when a part would not fit, it is run
with fewer repeats or on fewer combinations, and the report says so. Timing targets are judged
here, in the report; `make test` has no timing assertions. The exit status is 1 when the pandas
peer and the engine disagree on any number (correctness, not speed); a part that cannot be
measured is reported in BENCHMARKS.md and does not fail the run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

from . import datasets
from .common import ROOT, WorkerError, loadavg, machine, now, run_worker, versions, write_json

PARTS = ("engine", "floor", "peer", "pages", "coldstart", "exports", "load", "browser")


class Budget:
    def __init__(self, seconds: float):
        self.t0 = now()
        self.total = seconds

    def left(self) -> float:
        return self.total - (now() - self.t0)

    def elapsed(self) -> float:
        return now() - self.t0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def noise_probe(repeats: int = 7) -> dict:
    """A fixed CPU job (DuckDB aggregate over 5 M generated rows) timed `repeats` times: its spread
    says how much of a figure's spread is the machine rather than the code."""
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    q = "SELECT sum(hash(i) % 1000), count(DISTINCT i % 100000) FROM range(5000000) t(i)"
    con.execute(q).fetchall()
    times = []
    for _ in range(repeats):
        t = now()
        con.execute(q).fetchall()
        times.append(round((now() - t) * 1000, 1))
    con.close()
    return {"ms": times, "loadavg": loadavg()}


def _try(name: str, fn, results: dict, key: str):
    t = now()
    try:
        results[key] = fn()
    except WorkerError as exc:
        log(f"  {name}: FAILED: {str(exc).splitlines()[0]}")
        results[key] = {"failed": str(exc)}
    results.setdefault("_durations", {})[key] = round(now() - t, 1)
    log(f"  {name}: {now() - t:.1f} s")


def run_scale(scale: float, info: dict, parts, cfg: dict, budget: Budget, dump_root: Path) -> dict:
    data = info["path"]
    res: dict = {"scale": scale, "dataset": info}
    dump_dir = dump_root / f"engine-dumps-{datasets.label(scale)}"
    if dump_dir.exists():
        for f in dump_dir.glob("*.pkl"):
            f.unlink()
    peer_ids = None
    # The engine keeps a loaded extract as a DuckDB file (indicators/load_cache.py). The benchmark
    # uses its own cache folder, emptied here, so that the first open below is the first open of
    # a new extract (cache miss: read, check, derive, write the file) and every later process of
    # this scale is a restart with the file present (cache hit), as the app sees it.
    cache_dir = dump_root / "load-cache" / f"scale{datasets.label(scale)}"
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    cache_dir.mkdir(parents=True)
    env = {"INDIKATORPANELEN_CACHE_DIR": str(cache_dir)}
    res["load_cache_dir"] = str(cache_dir)

    if "engine" in parts or "peer" in parts or "pages" in parts:
        log(f"scale {scale:g}: first open of the new extract (load cache empty)")
        _try("open (new extract)", lambda: run_worker("engine", {"data": data, "open_only": True}, env=env,
                                                       timeout=cfg["engine_timeout_s"]), res, "engine_build")

    if "engine" in parts or "peer" in parts:
        log(f"scale {scale:g}: engine (warm process: {cfg['engine_repeats']} uncached + cached runs per call)")
        # first pass: which qi to compare with the peer (the first one of the catalogue)
        args = {"data": data, "repeats": cfg["engine_repeats"], "dump_dir": str(dump_dir),
                "dump_ids": [], "warm_budget_s": max(30.0, min(cfg["engine_budget_s"], budget.left() * 0.3))}
        from .peer_pandas import FIXED

        args["dump_ids"] = list(FIXED)
        args["dump_first_qi"] = True
        args["table_sizes"] = bool(cfg.get("table_sizes"))
        _try("engine", lambda: run_worker("engine", args, env=env, timeout=cfg["engine_timeout_s"], log=log), res,
             "engine")
        eng = res["engine"]
        if "combos" in eng:
            qi = next((c["id"] for c in eng["combos"] if c["id"].startswith("qi:") and "error" not in c), None)
            peer_ids = list(FIXED) + ([qi] if qi else [])
        extra = cfg["extra_cold"]
        if extra and "engine" in parts:
            colds = []
            for i in range(extra):
                if budget.left() < cfg["reserve_s"]:
                    res.setdefault("notes", []).append(f"scale {scale:g}: {extra - i} extra cold process(es) "
                                                       "skipped (time budget)")
                    break
                log(f"scale {scale:g}: engine cold process {i + 2}")
                _try(f"engine cold {i + 2}", lambda: run_worker("engine", {"data": data, "cold_only": True}, env=env,
                                                                 timeout=cfg["engine_timeout_s"]), res, "_cold")
                colds.append(res.pop("_cold"))
            res["engine_cold_extra"] = colds

    if "floor" in parts:
        log(f"scale {scale:g}: floor (DuckDB over the Parquet columns, no grouping)")
        _try("floor", lambda: run_worker("floor", {"data": data, "repeats": cfg["floor_repeats"]},
                                         timeout=600), res, "floor")

    if "peer" in parts and peer_ids and "combos" in res.get("engine", {}):
        views = cfg["peer_views"]
        combos = [c for c in res["engine"]["combos"] if c["id"] in peer_ids and "error" not in c
                  and c["view"] in views]
        log(f"scale {scale:g}: pandas peer ({len(combos)} calls, {cfg['peer_repeats']} timed runs each "
            f"after a warm-up)")
        args = {"data": data, "combos": combos, "dump_dir": str(dump_dir), "repeats": cfg["peer_repeats"],
                "budget_s": max(20.0, min(cfg["peer_budget_s"], budget.left() - cfg["reserve_s"]))}
        _try("peer", lambda: run_worker("peer", args, timeout=cfg["peer_timeout_s"]), res, "peer")
        res["peer_views"] = list(views)

    if "pages" in parts and cfg.get("pages"):
        log(f"scale {scale:g}: pages through AppTest (first visits, then reruns after a filter change)")
        args = {"root": str(ROOT), "data": data, "warm": True, "repeats": cfg["pages_repeats"],
                "budget_s": max(20.0, budget.left() - cfg["reserve_s"])}
        _try("pages", lambda: run_worker("pages", args, env=env, timeout=900), res, "pages")
        colds = []
        for i in range(cfg.get("pages_extra_cold", 0)):
            if budget.left() < cfg["reserve_s"]:
                break
            log(f"scale {scale:g}: pages, cold process {i + 2}")
            _try("pages cold", lambda: run_worker("pages", {"root": str(ROOT), "data": data}, env=env, timeout=600),
                 res, "_pc")
            colds.append(res.pop("_pc"))
        res["pages_cold_extra"] = colds

    if "coldstart" in parts and cfg.get("coldstart"):
        log(f"scale {scale:g}: cold start (streamlit run + Chromium until the first page is rendered)")
        _try("coldstart", lambda: run_worker("coldstart", {"root": str(ROOT), "data": data,
                                                           "repeats": cfg["coldstart_repeats"]}, env=env, timeout=600),
             res, "coldstart")
        cs = res.get("coldstart", {})
        if cs.get("browser_error") or cs.get("error") or cs.get("failed"):
            log("  Chromium could not be used: AppTest first run in a fresh process instead")
            _try("coldstart (AppTest)", lambda: run_worker("pages", {"root": str(ROOT), "data": data,
                                                                     "app_only": True}, env=env, timeout=600),
                 res, "coldstart_apptest")

    if "exports" in parts and cfg.get("exports"):
        log(f"scale {scale:g}: meeting pack (20 charts) and one chart image")
        _try("exports", lambda: run_worker("exports", {"data": data, "repeats": cfg["export_repeats"]}, env=env,
                                           timeout=900), res, "exports")

    # The speed a person feels (issue 13): Chromium until each page has settled (bench/browser.py).
    if "browser" in parts and cfg.get("browser"):
        b_budget = max(150.0, min(cfg["browser_budget_s"], budget.left() - cfg["reserve_s"]))
        log(f"scale {scale:g}: browser (new sessions, shared links, page and tab switches, filter changes, "
            f"the slider; up to {cfg['browser_rounds']} rounds, {b_budget:.0f} s)")
        b_args = {"root": str(ROOT), "data": data, "rounds": cfg["browser_rounds"], "budget_s": b_budget,
                  "cache_dir": str(cache_dir), "log_dir": str(dump_root)}
        _try("browser", lambda: run_worker("browser", b_args, env=env, timeout=b_budget + 600, log=log), res,
             "browser")
    return res


CONFIGS = {
    "full": {
        1: dict(engine_repeats=5, engine_budget_s=150, engine_timeout_s=600, extra_cold=2, floor_repeats=5,
                peer_repeats=3, peer_budget_s=120, peer_timeout_s=600,
                peer_views=("riket", "region", "region×svf_code", "quarter"),
                pages=True, pages_repeats=5, pages_extra_cold=1, coldstart=True, coldstart_repeats=3,
                exports=True, export_repeats=1, reserve_s=300, table_sizes=True,
                browser=True, browser_rounds=3, browser_budget_s=420),
        10: dict(engine_repeats=3, engine_budget_s=200, engine_timeout_s=900, extra_cold=0, floor_repeats=3,
                 peer_repeats=0, peer_budget_s=60, peer_timeout_s=600,
                 peer_views=("riket", "region", "quarter"),
                 pages=False, coldstart=False, exports=False, reserve_s=20),
    },
    "quick": {
        1: dict(engine_repeats=2, engine_budget_s=40, engine_timeout_s=300, extra_cold=0, floor_repeats=2,
                peer_repeats=1, peer_budget_s=30, peer_timeout_s=300, peer_views=("riket", "region", "quarter"),
                pages=True, pages_repeats=2, pages_extra_cold=0, coldstart=True, coldstart_repeats=1,
                exports=True, export_repeats=1, reserve_s=0, browser=True, browser_rounds=1, browser_budget_s=300),
        10: dict(engine_repeats=1, engine_budget_s=60, engine_timeout_s=600, extra_cold=0, floor_repeats=1,
                 peer_repeats=0, peer_budget_s=20, peer_timeout_s=600, peer_views=("riket",),
                 pages=False, coldstart=False, exports=False, reserve_s=0),
    },
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="1,10", help="comma-separated scales (default 1,10)")
    ap.add_argument("--quick", action="store_true", help="few repeats: a smoke run, not for the report")
    ap.add_argument("--only", default="", help=f"comma-separated parts: {', '.join(PARTS)}")
    ap.add_argument("--data-root", default=str(ROOT / "data" / "bench"))
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    ap.add_argument("--results", default=None, help="raw results JSON (default DATA_ROOT/results.json)")
    ap.add_argument("--budget", type=float, default=14 * 60, help="seconds the whole run may take")
    a = ap.parse_args(argv)
    scales = [float(s) for s in a.scales.split(",") if s.strip()]
    parts = [p for p in a.only.split(",") if p] or list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    mode = "quick" if a.quick else "full"
    budget = Budget(a.budget)
    root = Path(a.data_root)
    started = datetime.now()
    log(f"benchmark ({mode}) — scales {', '.join(f'{s:g}' for s in scales)}; parts {', '.join(parts)}")

    results = {"started": started.isoformat(timespec="seconds"), "mode": mode, "parts": parts,
               "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
               "machine": machine(), "versions": versions(), "loadavg_start": loadavg(), "scales": {}}
    results["noise_start"] = noise_probe()
    log(f"noise probe: {results['noise_start']['ms']} ms, load average {results['loadavg_start']}")

    infos = {}
    t = now()
    for s in scales:
        infos[s] = datasets.ensure(root, s, log=log)
    results["datasets_s"] = round(now() - t, 1)

    for s in scales:
        cfg = dict(CONFIGS[mode].get(int(s) if s in (1, 10) else 1, CONFIGS[mode][1]))
        results["scales"][f"{s:g}"] = run_scale(s, infos[s], parts, cfg, budget, root)
        results["scales"][f"{s:g}"]["config"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()}

    if "load" in parts:  # many users at once through make serve's proxy (bench/load_bench.py)
        from .load_bench import bench_part

        results["load"] = bench_part(infos, a.quick, root, log)

    results["noise_end"] = noise_probe()
    results["loadavg_end"] = loadavg()
    results["wall_s"] = round(budget.elapsed(), 1)
    results_path = Path(a.results) if a.results else root / "results.json"
    write_json(results_path, results)
    log(f"raw results: {results_path}")

    from .report import render

    text = render(results)
    Path(a.out).write_text(text, encoding="utf-8")
    log(f"wrote {a.out} ({results['wall_s']:.0f} s in all)")
    print()
    print(text.split("\n## ", 2)[1] if "\n## " in text else text)
    # the peer must give the engine's numbers: a difference fails the run (after the report is written)
    bad = [f"scale {s} {p['id']} {p['view']}: {'; '.join(p['check']['problems'])}"
           for s, sres in results["scales"].items() for p in (sres.get("peer") or {}).get("combos") or []
           if p.get("check") and not p["check"]["ok"]]
    if bad:
        print("The pandas peer and the engine disagree:", *bad, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
