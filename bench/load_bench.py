"""`make bench`, part "load": many users at once through `make serve`'s proxy (bench/load).

For 1 and for 2 replicas behind haproxy over one snapshot store (the scale-1 set ingested), the
number of simulated users is stepped up (each step a fresh set of sessions for `step_s` seconds,
think time uniform in `think_s`), until the 95th percentile of an interaction passes 1 s or an
error is seen. Per step: p50/p95 of interactions (filter changes and page switches, request to
finished rerun), the first interaction of a new session, errors, the replicas' CPU seconds per
script run and their memory (idle, peak, growth per open session), and the load generator's own
CPU (it shares the two cores). Then, on one replica, the browser check (bench/load/browser.py):
the same interactions timed in Chromium and by the generator.

Runs as `python -m bench.worker load ARGS OUT` (bench.run); every server it starts is stopped.
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import statistics
import threading
import time
from pathlib import Path

from .load.cluster import proc_stats, serve
from .load.protocol import Session
from .load.runner import LoadConfig, run_load
from .load.target import loopback_target
from .load_capacity import capacity

P95_LIMIT_MS = 1000.0


class _Sampler:
    """Peak of the summed RSS of some processes, sampled twice a second in a thread."""

    def __init__(self, pids):
        self.pids, self.peak, self._stop = list(pids), 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            total = sum(proc_stats(p)["rss_mb"] or 0 for p in self.pids)
            self.peak = max(self.peak, total)
            self._stop.wait(0.5)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(5)


def _own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def _warm(url: str) -> list[str]:
    """Visit every page once on the replica at `url` (its own port, not the proxy): imports and the
    snapshot's first load are not what a step measures, and every replica should have them behind it."""
    s = Session(loopback_target(url), timeout=120)
    try:
        await s.open("")
        pages = [p for p, _ in s.pages.values()]
        for p in pages:
            if p != s.page_path:
                await s.goto(p)
        return pages
    finally:
        await s.close()


def _step(cluster, n: int, cfg: dict, pages: list[str]) -> dict:
    pids = list(cluster.replica_pids().values())
    idle = [proc_stats(p) for p in pids]
    cpu0, own0, t0 = sum(x["cpu_s"] or 0 for x in idle), _own_cpu(), time.monotonic()
    load = LoadConfig(url=cluster.url, sessions=n, duration_s=cfg["step_s"], ramp_s=cfg["ramp_s"],
                      think_s=tuple(cfg["think_s"]), timeout_s=60, seed=1000 + n,
                      start_pages=tuple(pages) or ("",), verify_view=False, hold_s=cfg["hold_s"])
    with _Sampler(pids) as sampler:
        result = asyncio.run(run_load(load))
    after = [proc_stats(p) for p in pids]
    cpu = sum(x["cpu_s"] or 0 for x in after) - cpu0
    wall = time.monotonic() - t0
    s = result["summary"]
    runs = sum(1 for r in result["records"] if r["kind"] in ("open", "filter", "page") and r["ms"] is not None)
    idle_rss = sum(x["rss_mb"] or 0 for x in idle)
    return {"sessions": n, "interactions": s["interactions"], "script_runs": runs,
            "p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"], "max_ms": s["max_ms"], "by_kind": s["by_kind"],
            "first": s["first"], "errors": s["errors"], "error_total": s["error_total"],
            "error_examples": s["error_examples"], "replicas_used": s["replicas"],
            "cpu_s": round(cpu, 2), "cpu_s_per_run": round(cpu / runs, 4) if runs else None,
            "cpu_util": round(cpu / wall, 2) if wall else None,
            "generator_cpu_s": round(_own_cpu() - own0, 2), "wall_s": round(wall, 1),
            "rss_idle_mb": round(idle_rss, 1), "rss_peak_mb": round(sampler.peak, 1),
            "rss_per_session_mb": round((sampler.peak - idle_rss) / n, 2) if sampler.peak else None,
            "rss_after_mb": [x["rss_mb"] for x in after], "loadavg": _loadavg()}


def _open_sessions_memory(cluster, n: int) -> dict:
    """RSS growth of the replicas per open session: `n` sessions open the default page (cached by
    now) and stay open without interacting; (peak RSS − RSS before) / n."""
    pids = list(cluster.replica_pids().values())
    before = sum(proc_stats(p)["rss_mb"] or 0 for p in pids)
    load = LoadConfig(url=cluster.url, sessions=n, duration_s=0, ramp_s=3, think_s=(0, 0), timeout_s=60,
                      seed=7, verify_view=False, hold_s=6)
    with _Sampler(pids) as sampler:
        result = asyncio.run(run_load(load))
    return {"sessions": n, "rss_before_mb": round(before, 1), "rss_peak_mb": round(sampler.peak, 1),
            "per_session_mb": round((sampler.peak - before) / n, 2) if sampler.peak else None,
            "opened": result["summary"]["first"]["ok"], "errors": result["summary"]["error_total"]}


def _loadavg():
    import os

    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run(args: dict) -> dict:
    data = Path(args["data"])
    work = Path(args["work_dir"])
    budget_s = float(args.get("budget_s", 180))  # per replica count, for its steps (start-up and ingest not counted)
    cfg = {"step_s": float(args.get("step_s", 20)), "ramp_s": float(args.get("ramp_s", 5)),
           "hold_s": float(args.get("hold_s", 2)), "think_s": list(args.get("think_s", (3.0, 10.0)))}
    steps = [int(x) for x in args.get("steps", (4, 8, 16, 24, 32, 48))]
    out = {"config": {**cfg, "steps": steps, "p95_limit_ms": P95_LIMIT_MS}, "replicas": [], "notes": []}
    store = work / "store"
    if store.exists():
        shutil.rmtree(store)  # ours: made by the previous run of this part
    work.mkdir(parents=True, exist_ok=True)
    from indicators.store import ingest

    r = ingest(data, store)
    if r.exit_code != 0:
        return {"failed": r.message}
    for n_rep in args.get("replicas", (1, 2)):
        entry = {"replicas": n_rep, "steps": []}
        with serve(n_rep, store, work / f"run-{n_rep}") as cluster:
            t = time.monotonic()
            for rep in cluster.state["replicas"]:
                pages = asyncio.run(_warm(f"http://127.0.0.1:{rep['port']}"))
            entry["warm_s"] = round(time.monotonic() - t, 1)
            budget_end = time.monotonic() + budget_s
            entry["rss_idle_mb"] = [proc_stats(p)["rss_mb"] for p in cluster.replica_pids().values()]
            for n in steps:
                if time.monotonic() + cfg["step_s"] + cfg["ramp_s"] + 10 > budget_end:
                    out["notes"].append(f"{n_rep} replica(s): steps from {n} users on skipped (time budget)")
                    break
                step = _step(cluster, n, cfg, pages)
                entry["steps"].append(step)
                if step["p95_ms"] is None or step["p95_ms"] > P95_LIMIT_MS or step["error_total"]:
                    break
            entry["open_sessions"] = _open_sessions_memory(cluster, int(args.get("memory_sessions", 20)))
            if n_rep == 1 and args.get("browser", True):
                try:
                    from .load.browser import compare

                    entry["browser"] = compare(cluster.url)
                except Exception as exc:  # noqa: BLE001 - reported, the figures above stand
                    entry["browser_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        good = [s for s in entry["steps"] if s["p95_ms"] is not None and s["p95_ms"] <= P95_LIMIT_MS
                and not s["error_total"]]
        entry["held_sessions"] = max((s["sessions"] for s in good), default=0)
        out["replicas"].append(entry)
    # the capacity arithmetic from the CPU cost per script run measured below saturation
    # (from the steps under the p95 limit; when none was, from every step, and the report says so)
    steps_all = [s for e in out["replicas"] for s in e["steps"] if s["cpu_s_per_run"]]
    under = [s for s in steps_all if s["p95_ms"] is not None and s["p95_ms"] <= P95_LIMIT_MS]
    basis = under or steps_all
    if basis:
        cost = statistics.median(s["cpu_s_per_run"] for s in basis)
        # the response time of a provisioned system: at most the p95 limit; the measured median if lower
        resp = min(1.0, statistics.median(s["p50_ms"] for s in basis if s["p50_ms"] is not None) / 1000.0)
        think = sum(cfg["think_s"]) / 2
        out["capacity"] = {"cpu_s_per_run": cost, "response_s": resp, "from_saturated_steps": not under,
                           "cases": [capacity(300, cost, t, resp) for t in (think, 15.0, 30.0)]}
    return out


QUICK = {"steps": (2, 4), "step_s": 10, "ramp_s": 2, "budget_s": 40}
FULL = {"steps": (4, 8, 16, 24, 32, 48), "step_s": 30, "ramp_s": 5, "budget_s": 150}


def bench_part(infos: dict, quick: bool, root: Path, log) -> dict:
    """bench.run's part "load": this module in a worker process over the smallest scale's set, with
    its own load cache (filled by the ingest, as `make serve` has it)."""
    from .common import WorkerError, run_worker

    scale = min(infos)
    cfg = dict(QUICK if quick else FULL)
    cache = root / "load-cache" / "load"
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    log(f"load: 1 and 2 replicas behind haproxy, users {', '.join(map(str, cfg['steps']))} "
        f"(scale {scale:g}; steps ≤ {cfg['budget_s']} s per replica count)")
    args = {"data": infos[scale]["path"], "work_dir": str(root / "load"), **cfg}
    try:
        return run_worker("load", args, env={"INDIKATORPANELEN_CACHE_DIR": str(cache), "INDIKATORPANELEN_CACHE": "on"},
                          timeout=2 * cfg["budget_s"] + 900, log=log)
    except WorkerError as exc:
        log(f"  load: FAILED: {str(exc).splitlines()[0]}")
        return {"failed": str(exc)}
