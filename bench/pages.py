"""Every page through Streamlit's AppTest (bench.worker pages), in a fresh process.

`AppTest.from_file(<root>/app.py)` is run once (the app's first run: imports, open_data through
the app's cache, the default page), then each page st.navigation registered (app_pages/ or pages/) is visited with `switch_page` (its
first visit: nothing it computes is cached yet). With `warm`, each page is then rerun after a
filter change, alternating between two values of the filter:

  uncached  before each rerun every Dataset's result cache and its view cache (views.registry:
            the protected views and the disclosure-control states of each selection, shared by all
            sessions) are cleared, with Streamlit's st.cache_data, so the rerun computes what it
            shows (a selection not seen before: its views and their protection over the selection's
            universe);
  cached    the two values have been seen, so the rerun is served from the view cache (Streamlit's
            script, widgets, figures and tables only).

The filter changed is the first of PREFERRED_FILTERS the page has (the period's first month moves
every number on every page), else the first selectbox/radio with two or more options. Each
rerun's time is also split into the time spent inside `Dataset.compute` and the rest. Pages are
found at run time, so pages added later are measured without changes here. The process's peak RSS
is the memory figure of "a process that opens the data and renders every page".
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from .common import ms, now, peak_rss_mb

PREFERRED_FILTERS = ("period", "forlopp", "niva")
RUN_TIMEOUT = 300.0


class _ComputeTimer:
    def __init__(self):
        from indicators.dataset import Dataset

        self.seconds = 0.0
        self.calls = 0
        original = Dataset.compute
        timer = self

        def compute(self_, *a, **k):
            t = now()
            try:
                return original(self_, *a, **k)
            finally:
                timer.seconds += now() - t
                timer.calls += 1

        Dataset.compute = compute

    def take(self) -> tuple[float, int]:
        out = (self.seconds, self.calls)
        self.seconds, self.calls = 0.0, 0
        return out


PAGE_FOLDERS = ("app_pages", "pages")


def pages_of(root: Path, at=None) -> list[str]:
    """The app's page files, relative to its root: those st.navigation registered in the first run
    (AppTest keeps them), else every .py file in app_pages/ or pages/."""
    found = []
    registered = getattr(at, "_registered_pages", None) or {}
    for info in registered.values():
        path = info.get("script_path") if isinstance(info, dict) else None
        if path:
            try:
                rel = Path(path).resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue
            if rel != "app.py" and rel not in found:
                found.append(rel)
    if found:
        return sorted(found)
    for folder in PAGE_FOLDERS:
        files = sorted(f"{folder}/{p.name}" for p in (root / folder).glob("*.py") if not p.name.startswith("_"))
        if files:
            return files
    return []


def _errors(at) -> list[str]:
    out = []
    try:
        for e in at.exception:
            out.append(str(getattr(e, "message", e))[:300])
    except Exception:  # noqa: BLE001
        pass
    return out


def _clear_engine_caches() -> str:
    """Forget computed results: every Dataset's own result cache and its view cache (the protected
    views and protection states per selection, views.registry), and Streamlit's st.cache_data."""
    import streamlit as st

    from indicators.dataset import Dataset
    from views import registry

    st.cache_data.clear()
    for obj in gc.get_objects():
        if isinstance(obj, Dataset):
            with obj._lock:
                obj._cache.clear()
            cache = getattr(obj, registry._ATTR, None)
            if cache is not None:
                store, lock = cache
                with lock:
                    store.clear()
    return "Dataset._cache.clear() + views.registry cache cleared + st.cache_data.clear()"


def _pick_filter(at):
    """(widget kind, key, current value, index of the other value) for the filter change, or None.
    The period (a range slider) moves its first month by one."""
    for key in PREFERRED_FILTERS:
        for kind in ("select_slider", "selectbox", "radio", "segmented_control"):
            try:
                w = getattr(at, kind)(key=key)
            except Exception:  # noqa: BLE001 - not on this page
                continue
            choice = _two_values(w)
            if choice:
                return (kind, key, *choice)
    for kind in ("selectbox", "radio"):
        try:
            widgets = list(getattr(at, kind))
        except Exception:  # noqa: BLE001
            continue
        for w in widgets:
            if getattr(w, "disabled", False):
                continue
            choice = _two_values(w)
            if choice and getattr(w, "key", None):
                return (kind, w.key, *choice)
    return None


def _two_values(w):
    """(current value, index of a neighbouring option) when the widget has two or more options; for
    a range slider (its options are the months as shown) the index of its first value's neighbour."""
    options = list(getattr(w, "options", []) or [])
    if len(options) < 2 or getattr(w, "disabled", False):
        return None
    current = w.value
    if isinstance(current, (tuple, list)):  # a range: move its start
        idx = options.index(w.format_func(current[0]))
    else:
        idx = getattr(w, "index", None)
        idx = idx if isinstance(idx, int) else 0
    return current, (idx - 1 if idx > 0 else idx + 1)


def _months_around(ym: str) -> list[str]:
    """The month 'YYYY-MM' and its neighbours."""
    y, m = int(ym[:4]), int(ym[5:7])
    out = []
    for d in (-1, 0, 1):
        yy, mm = divmod((y * 12 + m - 1) + d, 12)
        out.append(f"{yy:04d}-{mm + 1:02d}")
    return out


def run(args: dict) -> dict:
    root = Path(args["root"])
    app = root / "app.py"
    out = {"pages": {}, "app": None, "errors": [], "filter": None, "clear": None}
    if args.get("data"):
        os.environ["INDIKATORPANELEN_DATA"] = args["data"]
    os.environ.pop("INDIKATORPANELEN_STORE", None)
    sys.argv = [str(app)]
    t = now()
    from streamlit.testing.v1 import AppTest
    out["import_ms"] = ms(now() - t)
    timer = _ComputeTimer()

    at = AppTest.from_file(str(app), default_timeout=RUN_TIMEOUT)
    t = now()
    at.run(timeout=RUN_TIMEOUT)
    comp, calls = timer.take()
    out["app"] = {"first_run_ms": ms(now() - t), "engine_ms": ms(comp), "engine_calls": calls,
                  "errors": _errors(at)}
    if args.get("app_only"):
        out["peak_rss_mb"] = round(peak_rss_mb(), 1)
        return out
    pages = pages_of(root, at)
    out["page_files"] = pages
    budget_end = now() + float(args.get("budget_s", 1e9))
    for page in pages:
        rec = {}
        try:
            t = now()
            at.switch_page(page).run(timeout=RUN_TIMEOUT)
            rec["first_visit_ms"] = ms(now() - t)
            comp, calls = timer.take()
            rec["first_engine_ms"], rec["first_engine_calls"] = ms(comp), calls
            rec["errors"] = _errors(at)
        except Exception as exc:  # noqa: BLE001 - a page that cannot run is reported
            rec["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        out["pages"][page] = rec
    out["peak_rss_after_all_pages_mb"] = round(peak_rss_mb(), 1)

    if args.get("warm"):
        repeats = int(args.get("repeats", 5))
        for page in pages:
            rec = out["pages"][page]
            if "error" in rec:
                continue
            if now() > budget_end:
                rec["warm_skipped"] = "time budget"
                continue
            try:
                _warm_page(at, page, rec, repeats, timer)
                if out["clear"] is None:
                    out["clear"] = rec.get("clear")
            except Exception as exc:  # noqa: BLE001
                rec["warm_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def _warm_page(at, page, rec, repeats, timer):
    at.switch_page(page).run(timeout=RUN_TIMEOUT)
    pick = _pick_filter(at)
    if pick is None:
        rec["warm_skipped"] = "ingen filterwidget med två värden"
        return
    kind, key, current, j = pick
    w = getattr(at, kind)(key=key)
    options = list(w.options)
    is_range = isinstance(current, (tuple, list))
    if is_range:
        idx_a = options.index(w.format_func(current[0]))
        # the range slider's options are shown months ('jan 2025'); its values are 'YYYY-MM'
        raw = {w.format_func(m): m for m in _months_around(current[0])}
    else:
        idx_a = getattr(w, "index", None)
        idx_a = idx_a if isinstance(idx_a, int) else 0
    idx_b = j
    rec["filter"] = f"{kind} '{key}': {options[idx_a]} ↔ {options[idx_b]}" + (" (first month)" if is_range else "")

    def change(i):
        ww = getattr(at, kind)(key=key)
        if is_range:
            ww.set_range(raw[options[i]], current[1])
        elif hasattr(ww, "select_index"):
            ww.select_index(i)
        else:
            ww.set_value(options[i])

    # warm-up: both values once
    for i in (idx_b, idx_a):
        change(i)
        at.run(timeout=RUN_TIMEOUT)
    timer.take()
    unc, unc_engine, calls_seen = [], [], []
    for r in range(repeats):
        change(idx_b if r % 2 == 0 else idx_a)
        rec["clear"] = _clear_engine_caches()
        t = now()
        at.run(timeout=RUN_TIMEOUT)
        unc.append(ms(now() - t))
        comp, calls = timer.take()
        unc_engine.append(ms(comp))
        calls_seen.append(calls)
    for i in (idx_b, idx_a):  # both values seen again after the clearing above
        change(i)
        at.run(timeout=RUN_TIMEOUT)
    timer.take()
    cached, cached_engine = [], []
    for r in range(repeats):
        change(idx_b if r % 2 == 0 else idx_a)
        t = now()
        at.run(timeout=RUN_TIMEOUT)
        cached.append(ms(now() - t))
        comp, _ = timer.take()
        cached_engine.append(ms(comp))
    rec.update(uncached_ms=unc, uncached_engine_ms=unc_engine, uncached_engine_calls=calls_seen,
               cached_ms=cached, cached_engine_ms=cached_engine, warm_errors=_errors(at))
