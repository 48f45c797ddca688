"""The engine, measured inside one fresh worker process (bench.worker engine).

Phases, in this order, in a process that has not imported the engine before:

1. import: `import indicators` (duckdb, pandas, pyarrow with it).
2. open: `open_data(dir)`, with the time and RSS of each loading stage (reference tables, each
   extract table, each derived table) taken by wrapping the loader's functions from outside.
3. first calls ("cold"): every combination once, in catalogue order. Cold for a combination is
   import + open + its first call. Only the very first call pays for a cold interpreter; the later
   ones still run queries this process has never run (nothing cached).
4. warm: per combination, `uncached` runs with `ds._cache` cleared before each call (the honest
   warm-process figure) and `cached` runs that hit the per-Dataset result cache. Each call's time
   is split into SQL (everything but `_finish`) and Python (`engine._finish`: intervals, targets,
   suppression, flags) when `_finish` can be wrapped.
5. diagnostics: the in-memory base scan (the indicator's SQL with the period filter and no
   grouping), DuckDB's memory per table, peak RSS.

Combinations are the groupings pages use: riket, region, region × svf_code (where svf_code is a
dimension) over the latest whole calendar year of the indicator's data, and quarter over the
indicator's whole default period (the trend view).
"""

from __future__ import annotations

import os
import pickle
import time
from datetime import date
from pathlib import Path

from .common import ms, now, peak_rss_mb, rss_mb

VIEWS = ("riket", "region", "region×svf_code", "quarter")


def _views(ind) -> list[tuple[str, list[str]]]:
    out = [("riket", []), ("region", ["region"])]
    if "svf_code" in ind.dimensions and "region" in ind.dimensions:
        out.append(("region×svf_code", ["region", "svf_code"]))
    if "quarter" in ind.dimensions:
        out.append(("quarter", ["quarter"]))
    return [(v, b) for v, b in out if all(d in ind.dimensions for d in b)]


def combos(ds) -> list[dict]:
    from indicators.engine import default_period

    out = []
    for ind in ds.catalogue():
        try:
            lo, hi = default_period(ds, ind)
        except Exception as exc:  # an indicator whose table is missing: reported, not measured
            out.append({"id": ind.id, "view": "riket", "by": [], "error": f"{type(exc).__name__}: {exc}"})
            continue
        year = hi.year if (hi.month, hi.day) == (12, 31) else hi.year - 1
        y0, y1 = max(lo, date(year, 1, 1)), date(year, 12, 31)
        if y0 > y1:
            y0, y1 = lo, hi
        for view, by in _views(ind):
            start, end = (lo, hi) if view == "quarter" else (y0, y1)
            out.append({"id": ind.id, "view": view, "by": by, "start": start, "end": end})
    return out


class _FinishTimer:
    """Wraps indicators.engine._finish to time the Python part of an uncached call."""

    def __init__(self):
        self.total = 0.0
        self.ok = False
        try:
            import indicators.engine as eng

            original = eng._finish

            def wrapped(*a, **k):
                t = now()
                try:
                    return original(*a, **k)
                finally:
                    self.total += now() - t

            eng._finish = wrapped
            self.ok = True
        except (ImportError, AttributeError):
            pass

    def take(self) -> float:
        t, self.total = self.total, 0.0
        return t


class _StageTimer:
    """Times open_data's stages by wrapping indicators.dataset's module functions (if present)."""

    def __init__(self):
        self.stages: list[dict] = []
        self._marks: list[tuple[str, float]] = []
        try:
            import indicators.dataset as dsm
        except ImportError:
            return
        for name in ("_load_reference", "_load_extracts", "_build_derived"):
            if hasattr(dsm, name):
                setattr(dsm, name, self._wrap(getattr(dsm, name), name.lstrip("_")))
        for fname in ("load_table", "table_select"):
            if hasattr(dsm, fname):
                setattr(dsm, fname, self._marking(getattr(dsm, fname)))
        if hasattr(dsm, "read_query"):
            original_rq = dsm.read_query

            def read_query(name, *a, **k):
                self._mark(f"sql {name}")
                return original_rq(name, *a, **k)

            dsm.read_query = read_query

    def _marking(self, fn):
        def wrapped(cur, source, *a, **k):
            self._mark(f"read {getattr(source, 'table', '?')}")
            return fn(cur, source, *a, **k)

        return wrapped

    def _mark(self, label: str):
        self._marks.append((label, now()))

    def _wrap(self, fn, stage):
        def wrapped(*a, **k):
            self._marks = []
            t = now()
            try:
                return fn(*a, **k)
            finally:
                end = now()
                cur, peak = rss_mb()
                steps = []
                marks = self._marks + [("end", end)]
                for (lbl, t0), (_, t1) in zip(marks, marks[1:], strict=False):
                    steps.append({"step": lbl, "ms": ms(t1 - t0)})
                self.stages.append({"stage": stage, "ms": ms(end - t), "rss_mb": round(cur, 1),
                                    "peak_rss_mb": round(peak, 1), "steps": steps,
                                    "before_first_step_ms": ms(marks[0][1] - t) if self._marks else None})

        return wrapped


def _clear(ds) -> None:
    with ds._lock:
        ds._cache.clear()


def _call(ds, c, finish: _FinishTimer):
    finish.take()
    t = now()
    df = ds.compute(c["id"], by=c["by"], start=c["start"], end=c["end"])
    return now() - t, finish.take(), df


def run(args: dict) -> dict:
    t = now()
    import indicators  # noqa: F401  (the import is what is timed)
    import_s = now() - t
    stages = _StageTimer()
    finish = _FinishTimer()
    from indicators import open_data

    cache_dir = os.environ.get("INDIKATORPANELEN_CACHE_DIR")
    before = _cache_files(cache_dir)
    t = now()
    ds = open_data(args["data"])
    open_s = now() - t
    rss_open, peak_open = rss_mb()
    after = _cache_files(cache_dir)
    cache = {"dir": cache_dir, "files_before": len(before), "files_after": len(after),
             "built": bool(after - before), "stages_run": bool(stages.stages)}

    result = {"import_ms": ms(import_s), "open_ms": ms(open_s), "rss_after_open_mb": round(rss_open, 1),
              "peak_rss_after_open_mb": round(peak_open, 1), "stages": stages.stages,
              "finish_split": finish.ok, "failed_tables": [t.table for t in ds.failed_tables], "cache": cache}
    if args.get("open_only"):
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        return result
    t = now()
    ds.catalogue()
    result["catalogue_ms"] = ms(now() - t)
    t = now()
    cs = combos(ds)
    result["default_periods_ms"] = ms(now() - t)
    result["n_indicators"] = len(ds.catalogue())

    # 3. first calls
    for i, c in enumerate(cs):
        if "error" in c:
            continue
        try:
            total, fin, df = _call(ds, c, finish)
        except Exception as exc:
            c["error"] = f"{type(exc).__name__}: {exc}"
            continue
        c["first_ms"] = ms(total)
        c["first_finish_ms"] = ms(fin) if finish.ok else None
        c["rows"] = len(df)
        if i == 0:
            c["first_in_process"] = True
    result["first_calls_ms"] = ms(sum(c.get("first_ms", 0) for c in cs) / 1000)
    if args.get("cold_only"):
        result["combos"] = cs
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        return result

    # 4. warm
    repeats = int(args.get("repeats", 5))
    deadline = now() + float(args.get("warm_budget_s", 1e9))
    dump_ids = set(args.get("dump_ids", []))
    if args.get("dump_first_qi"):
        first_qi = next((c["id"] for c in cs if c["id"].startswith("qi:") and "error" not in c), None)
        if first_qi:
            dump_ids.add(first_qi)
    dump_dir = Path(args["dump_dir"]) if args.get("dump_dir") else None
    for c in cs:
        if "error" in c:
            continue
        n = repeats if now() < deadline else 1
        unc, unc_fin, cached = [], [], []
        df = None
        for _ in range(n):
            _clear(ds)
            total, fin, df = _call(ds, c, finish)
            unc.append(ms(total))
            unc_fin.append(ms(fin))
        for _ in range(n):
            total, _fin, _ = _call(ds, c, finish)
            cached.append(ms(total))
        c["uncached_ms"] = unc
        c["uncached_finish_ms"] = unc_fin if finish.ok else None
        c["cached_ms"] = cached
        if dump_dir is not None and c["id"] in dump_ids:
            dump_dir.mkdir(parents=True, exist_ok=True)
            with open(dump_dir / _dump_name(c), "wb") as f:
                pickle.dump(df, f)
    result["combos"] = cs

    # 5. diagnostics
    result["base_scan_ms"] = _base_scans(ds, cs, repeats)
    result["rss_end_mb"] = round(rss_mb()[0], 1)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)  # before the table copies below
    result["duckdb_memory"] = _duckdb_memory(ds, sizes=bool(args.get("table_sizes")))
    result["pid"] = os.getpid()
    return result


def _cache_files(directory) -> set[str]:
    if not directory or not Path(directory).is_dir():
        return set()
    return {p.name for p in Path(directory).glob("*.duckdb")}


def _dump_name(c: dict) -> str:
    return f"{c['id'].replace(':', '_')}__{'-'.join(c['by']) or 'riket'}.pkl"


def dump_path(dump_dir, c: dict) -> Path:
    return Path(dump_dir) / _dump_name(c)


def _base_scans(ds, cs, repeats) -> dict:
    """The indicator's own SQL filtered to the period, summed, not grouped: what the engine reads."""
    from indicators.queries import bind, read_query

    out = {}
    seen = set()
    for c in cs:
        if "error" in c or c["view"] != "riket" or c["id"] in seen:
            continue
        seen.add(c["id"])
        ind = ds.catalogue().get(c["id"])
        sql = read_query(ind.sql)
        q = (f"WITH base AS ({sql}) SELECT count(*), sum(period_date - DATE '2000-01-01') FROM base "
             "WHERE period_date BETWEEN $start AND $end")
        params = bind(q, {"start": c["start"], "end": c["end"], **dict(ind.params)})
        times = []
        try:
            for _ in range(max(2, repeats)):
                cur = ds.cursor()
                t = now()
                cur.execute(q, params).fetchall()
                times.append(ms(now() - t))
                cur.close()
        except Exception as exc:
            out[c["id"]] = {"error": str(exc)[:200]}
            continue
        out[c["id"]] = {"ms": times}
    return out


def _duckdb_memory(ds, sizes: bool = False) -> dict:
    """DuckDB's memory by kind and, with `sizes`, each table's in-memory size measured by copying it
    into a scratch table and reading duckdb_memory() before and after (done after the peak RSS was
    taken, since the copy adds to it)."""
    out = {}
    cur = ds.cursor()

    def used() -> float:
        return cur.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0] / 2**20

    try:
        out["by_tag"] = {r[0]: round(r[1] / 2**20, 1) for r in
                         cur.execute("SELECT tag, memory_usage_bytes FROM duckdb_memory() "
                                     "WHERE memory_usage_bytes > 0 ORDER BY 2 DESC").fetchall()}
        out["total_mb"] = round(used(), 1)
    except Exception as exc:
        out["by_tag_error"] = str(exc)[:200]
    tables = {}
    try:
        names = [r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                                           "AND database_name = current_database()").fetchall()]
        for name in names:
            rec = {"rows": cur.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]}
            if sizes and rec["rows"] > 10_000:
                before = used()
                cur.execute(f'CREATE TEMP TABLE _bench_size AS SELECT * FROM "{name}"')
                rec["mb"] = round(used() - before, 1)
                cur.execute("DROP TABLE _bench_size")
            tables[name] = rec
        out["tables"] = tables
    except Exception as exc:
        out["tables_error"] = str(exc)[:200]
    cur.close()
    return out


def _has_setting(cur, name: str) -> bool:
    try:
        return bool(cur.execute("SELECT count(*) FROM duckdb_settings() WHERE name = $n", {"n": name}).fetchone()[0])
    except Exception:
        return False


def when() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")
