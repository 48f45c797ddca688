"""Where a browser's time goes while a page settles: a Chromium trace of one interaction,
summed by what the renderer's main thread was doing (self time) and by script.

    python -m bench.browser_profile [--app CHECKOUT] [--data DIR] [--url URL] [--page /svf_ledtider]
                                    [--filter niva] [--tab "Median ledtid"] [--warm] [--out trace.json]

Starts the app (or uses --url), warms the server, then traces, in a fresh browser context (or, with
--warm, in a context that has loaded the page once, so the code is cached): opening the page, and
then the filter change or tab switch if one is given. Each is timed with bench.browser's settle
detection. The summary gives the main thread's busy time by kind (script compile and run, style,
layout, paint, …), the JavaScript time by script file (plotly's chunk, Streamlit's main bundle, …)
and how long the main thread was idle (waiting for the server or the network). A diagnostic
for BENCHMARKS.md's "where the time goes", not a part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from . import browser as bb
from .common import ROOT, loadavg

CATEGORIES = "devtools.timeline,v8,disabled-by-default-devtools.timeline,blink.user_timing"
# The main thread's top-level work, named as the DevTools performance panel groups it.
GROUPS = {
    "EvaluateScript": "script: load and run a file", "v8.compile": "script: compile",
    "v8.compileModule": "script: compile", "v8.evaluateModule": "script: load and run a file",
    "CompileScript": "script: compile", "FunctionCall": "script: callbacks (React, plotly drawing)",
    "TimerFire": "script: callbacks (React, plotly drawing)", "FireAnimationFrame": "script: callbacks (React, plotly drawing)",
    "EventDispatch": "script: callbacks (React, plotly drawing)", "RunMicrotasks": "script: callbacks (React, plotly drawing)",
    "v8.run": "script: callbacks (React, plotly drawing)", "MajorGC": "garbage collection", "MinorGC": "garbage collection",
    "V8.GCScavenger": "garbage collection", "V8.GCFinalizeMC": "garbage collection",
    "UpdateLayoutTree": "style", "RecalculateStyles": "style", "Layout": "layout", "Paint": "paint",
    "PrePaint": "paint", "Layerize": "paint", "UpdateLayer": "paint", "CompositeLayers": "paint",
    "ParseHTML": "HTML", "ParseAuthorStyleSheet": "style",
}


def _main_thread(events: list[dict]) -> tuple[int, int] | None:
    """(pid, tid) of the page's renderer main thread."""
    names = [(e["pid"], e["tid"]) for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"
             and (e.get("args") or {}).get("name") == "CrRendererMain"]
    if not names:
        return None
    busy = defaultdict(float)
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in names:
            busy[(e["pid"], e["tid"])] += e.get("dur", 0)
    return max(names, key=lambda k: busy[k])


def _script(e: dict) -> str:
    data = (e.get("args") or {}).get("data") or {}
    url = data.get("url") or data.get("scriptName") or (e.get("args") or {}).get("fileName") or ""
    name = url.rsplit("/", 1)[-1].split("?")[0]
    return name.split(".")[0] if name else "(inline or unknown)"


def summarise_trace(events: list[dict], t0_us: float | None = None, t1_us: float | None = None) -> dict:
    """Self time (ms) of the main thread's events by group, JavaScript time by script file, and the
    idle time, between t0_us and t1_us (the trace clock; default: the whole trace)."""
    key = _main_thread(events)
    if key is None:
        return {"error": "no renderer main thread in the trace"}
    xs = sorted((e for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) == key and "dur" in e),
                key=lambda e: (e["ts"], -e["dur"]))
    if t0_us is None:
        t0_us = xs[0]["ts"] if xs else 0
    if t1_us is None:
        t1_us = max((e["ts"] + e["dur"] for e in xs), default=t0_us)
    by_group: dict[str, float] = defaultdict(float)
    by_script: dict[str, float] = defaultdict(float)
    stack: list[list] = []  # [end, group, script, self]
    busy = 0.0

    def close(item):
        _, group, script, self_us = item
        by_group[group or "other"] += self_us
        if group and group.startswith("script"):
            by_script[script] += self_us

    for e in xs:
        start, end = max(e["ts"], t0_us), min(e["ts"] + e["dur"], t1_us)
        if end <= start:
            continue
        while stack and stack[-1][0] <= start:
            close(stack.pop())
        group = GROUPS.get(e["name"])
        dur = end - start
        if stack:
            stack[-1][3] -= dur  # the parent's self time excludes this child
            parent = stack[-1]
            group = group or parent[1]
            script = _script(e) if _script(e) != "(inline or unknown)" else parent[2]
        else:
            busy += dur
            script = _script(e)
        stack.append([end, group, script, dur])
    while stack:
        close(stack.pop())
    total = (t1_us - t0_us) / 1000
    return {"window_ms": round(total, 1), "main_thread_busy_ms": round(busy / 1000, 1),
            "main_thread_idle_ms": round(total - busy / 1000, 1),
            "by_group_ms": {k: round(v / 1000, 1) for k, v in sorted(by_group.items(), key=lambda kv: -kv[1])},
            "js_by_script_ms": {k: round(v / 1000, 1) for k, v in sorted(by_script.items(), key=lambda kv: -kv[1])
                                if v >= 5000}}


def _trace(browser, page, action, path: Path) -> tuple[dict, dict]:
    """Trace `action()` (which returns a settle sample); the sample and the trace's summary over the
    action's window (the sample's time zero to its settle time, on the page's clock mapped to the
    trace's by a mark)."""
    browser.start_tracing(page=page, path=str(path), categories=CATEGORIES.split(","))
    try:
        sample = action()
        # a user-timing mark at a known page time ties the page clock to the trace clock
        page.evaluate("() => performance.mark('bench-sync')")
        sync_page_ms = page.evaluate("() => performance.getEntriesByName('bench-sync').pop().startTime")
    finally:
        browser.stop_tracing()
    events = json.loads(path.read_text())["traceEvents"]
    marks = [e for e in events if e.get("name") == "bench-sync"]
    if not marks:
        return sample, summarise_trace(events)
    offset_us = marks[-1]["ts"] - sync_page_ms * 1000  # trace ts of the page's time 0
    t0 = offset_us + sample["t0_page_ms"] * 1000
    return sample, summarise_trace(events, t0, t0 + sample["ms"] * 1000)


def profile(url: str, page_path: str, *, filter_key: str | None, tab: str | None, warm: bool, out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    res: dict = {"page": page_path, "warm_browser": warm, "loadavg": loadavg()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=bb.CHROMIUM, args=bb.CHROMIUM_ARGS, headless=True)
        try:
            ctx, page, _ = bb.new_session(browser, url + page_path, timeout_s=300)  # warms the server
            if not warm:
                ctx.close()
                ctx = bb.new_context(browser)
            page = ctx.new_page()

            def open_it():
                page.goto(url + page_path, wait_until="commit")
                return dict(bb.settle(page, t0=0), t0_page_ms=0.0)

            res["open"], res["open_trace"] = _trace(browser, page, open_it, out.with_suffix(".open.json"))
            if filter_key:
                def change():
                    bb.change_filter(page, filter_key, bb.Chooser())
                    s = bb.settle(page)
                    return dict(s, t0_page_ms=page.evaluate("() => window.__bench.input"))
                res["filter"], res["filter_trace"] = _trace(browser, page, change, out.with_suffix(".filter.json"))
            if tab:
                def switch():
                    bb.arm(page)
                    bb.tab_button(page, tab).click()
                    s = bb.settle(page, grace_ms=bb.NO_RERUN_GRACE_MS)
                    return dict(s, t0_page_ms=page.evaluate("() => window.__bench.input"))
                res["tab"], res["tab_trace"] = _trace(browser, page, switch, out.with_suffix(".tab.json"))
            ctx.close()
        finally:
            browser.close()
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.browser_profile", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", default=str(ROOT))
    ap.add_argument("--data", default=None)
    ap.add_argument("--url", default=None, help="an app already running (no server is started)")
    ap.add_argument("--page", default="/svf_ledtider")
    ap.add_argument("--filter", default=None, help="a filter key to change after the page has opened")
    ap.add_argument("--tab", default=None, help="a tab to open after that")
    ap.add_argument("--warm", action="store_true", help="a browser that has loaded the page before")
    ap.add_argument("--out", default=None, help="trace files go beside this path")
    a = ap.parse_args(argv)
    app = Path(a.app).resolve()
    data = Path(a.data).resolve() if a.data else app / "data" / "sample"
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="browser-profile-")) / "trace"
    server = bb.Server(app, data, out.with_suffix(".server.log")) if not a.url else None
    try:
        url = a.url or server.__enter__().url
        res = profile(url, a.page, filter_key=a.filter, tab=a.tab, warm=a.warm, out=out)
    finally:
        if server is not None:
            server.__exit__(None, None, None)
    res["at"] = time.strftime("%Y-%m-%d %H:%M")
    json.dump(res, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
