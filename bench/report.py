"""BENCHMARKS.md from the raw results of bench.run: the machine, a table of targets (met / missed and
what limits each missed one), then the figures behind them."""

from __future__ import annotations

import statistics
from collections import defaultdict

from . import floor as floor_mod
from .common import median, spread

TARGETS = {
    "warm1": ("Warm engine call, median per call, scale 1", 50.0, "ms"),
    "warm10": ("Warm engine call, median per call, scale 10", 500.0, "ms"),
    "page": (
        "Engine part: the warm-engine fixes above. View part (cProfile of views.view(ds, sel, 'scorecard') "
        "for a selection not seen before, scale 1, 2026-12-03): a new selection builds and protects its whole "
        "universe (every page's and preset's views, each comparison at both levels) before the first view is "
        "drawn — 40 raw views and 84 engine calls; of the time about 53 % is inside Dataset.compute (30 % in "
        "`engine._finish`, the per-row Python of every call) and about 18 % is pandas column assignment in the "
        "view builders (1 437 `DataFrame.__setitem__`). Proposals: (1) vectorise `engine._finish` (it now "
        "runs 84 times per new selection); (2) one engine call per family and selection for the cells the "
        "universe needs (region × month × pathway sums, from which the comparisons at both levels, the trends "
        "and the breakdowns are added up) instead of one call per view; (3) build a view's table in one "
        "`pd.DataFrame(dict)` instead of column by column; (4) warm the default selection's universe when a "
        "data set is loaded, so that the first visitor of the day does not pay for it. A cached rerun "
        "(every view served from the view cache) is Streamlit drawing the figures and tables and the "
        "download buttons' widgets."
    ),
    "floor": ("Engine ≤ 3 × the floor (warm call / Parquet scan of its columns)", 3.0, "×"),
    "peer": ("Engine ≥ 10 × faster than the pandas peer, scale 10", 10.0, "×"),
    "cold": ("Cold start to the first rendered page, scale 1", 3000.0, "ms"),
    "mem1": ("Peak memory, scale 1 (open + render every page)", 600.0, "MB"),
    "mem10": ("Peak memory, scale 10", 2048.0, "MB"),
    "pack": ("20-chart meeting pack (compute + images + PowerPoint)", 15000.0, "ms"),
    "total": ("`make bench` from a fresh clone", 900.0, "s"),
}

# What to change when a target is missed: the design proposals from profiling (see the bottom of
# BENCHMARKS.md for the measurements they rest on). Shown only for missed targets.
PROPOSALS = {
    "warm": (
        "Already in the engine: periods grouped on integer keys (labels made on the result rows) and the "
        "median interval from counts per lead-time day. Left: (1) register_coverage's same-target test "
        "`count(DISTINCT coalesce(target_low, -1)::VARCHAR || '/' || coalesce(target_high, -1)::VARCHAR) = 1` "
        "builds two strings per row; `min(coalesce(target_low, -1)) = max(coalesce(target_low, -1)) AND "
        "min(coalesce(target_high, -1)) = max(coalesce(target_high, -1))` is the same test without strings "
        "(scale 10, quarter, with integer keys: 303 ms → 56 ms). (2) svf_lead_time_median still runs two "
        "queries over the rows (quantile_cont per group, then counts per group × day); the median itself "
        "comes exactly from the same count table (the mean of x(⌊(n+1)/2⌋) and x(⌈(n+1)/2⌉)), so one query "
        "suffices. (3) `_finish` loops in Python per row (`_target_levels` over zip, `_group_period_ends` "
        "with iterrows); vectorise them (np.select; one period end per distinct label) — it is the fixed "
        "≈ 5–10 ms of every call. (4) Further: a month-grain aggregate per indicator built with the load "
        "cache (dimensions × month → sum(num), sum(den), lead-time counts) so every call groups thousands "
        "of rows instead of millions."
    ),
    "page": (
        "Engine part: the warm-engine fixes above (4_Kvalitetsregister already takes all of a register's "
        "quality indicators from one query, engine.compute_quality_indicators). Streamlit part (what a cached rerun costs; py-spy of 5_Tackningsgrad on 2026-11-23): the label lookups "
        "(`ui.data.label → region_names → region_table → reference`, a st.cache_data DataFrame unpickled and "
        "sorted once per unit per chart) are ≈ 17 % of a rerun — keep the name dicts in st.cache_resource "
        "or compute them once per run; plotly figure building (`charts.figures.bar_comparison`, property "
        "validation in `Layout.__init__`/`plotly_update`) ≈ 22 % — build figures from plain dicts "
        "(`go.Figure(dict(data=..., layout=...), skip_invalid=True)`) and cache them per (indicator, "
        "filters) with st.cache_resource; download buttons (`ui.downloads.chart_downloads`) ≈ 8 % — make "
        "the file bytes on click (a callable `data=`), not on every rerun; engine results come back "
        "through st.cache_data (a pickle round trip per call even when cached) — st.cache_resource for "
        "the immutable result frames."
    ),
    "floor": (
        "The calls over 3× are those whose grouping still does per-row work the scan does not (see the "
        "warm-engine list) and the small RCL tables (25 000 starts at scale 1), where a call's fixed cost "
        "— planning the SQL and `_finish` in pandas, ≈ 5–10 ms — is more than scanning the data. "
        "Vectorising `_finish` is what moves the small ones."
    ),
    "peer": (
        "Like for like (both with the data loaded) the engine is not 10× faster where its call is slow "
        "(see the warm-engine list) and where the data are so small that pandas' vectorised groupby costs about as much as "
        "the engine's fixed per-call cost (rcl_* on 255 000 rows). Against the analyst's whole script "
        "(read, check, prepare, compute) the engine is far ahead at every call."
    ),
    "cold": (
        "The load cache already makes open_data a restart-time non-issue (tens of ms). What is left, "
        "spawn → rendered: the server process up (Python + Streamlit import), the browser loading the "
        "frontend, the first script run (imports of pandas/plotly/duckdb/indicators/ui in the session, "
        "the default selection's protected universe — every page's views, 84 engine calls at scale 1, since "
        "the Översikt scorecard is protected together with every output of the selection — the catalogue and "
        "month range, figure building), then the browser drawing the "
        "plotly figures — and in this measurement Chromium shares the two cores with the server. "
        "Proposals: (1) import pandas, duckdb, plotly, indicators, ui, charts and open the Dataset when "
        "the server starts, not in the first session (start the server from a small launcher that "
        "imports them and then calls streamlit's bootstrap) — this moves ≈ 1 s out of the first view, and "
        "build the default selection's views there too (views.views over views.universe); (2) make the "
        "default page light: the Översikt scorecard as a styled dataframe/HTML table rather than a "
        "plotly heatmap, charts below the fold in expanders/tabs rendered on demand; (3) the catalogue "
        "(YAML parse + 52 templated texts, ≈ 0.1 s) built once per process, not per data set."
    ),
    "mem": (
        "The running process stays well inside the target thanks to the load cache (a read-only DuckDB "
        "file). Loading a new extract is the peak: give that DuckDB connection a memory_limit (e.g. "
        "1 GB, spilling to the cache folder) and build the derived tables one at a time, dropping each "
        "checked_<table> as soon as its last reader is built."
    ),
    "pack": (
        "Most of a pack is drawing its images: one 3200 × 1800 PNG per chart through one kaleido/"
        "Chromium, serialised by a lock (≈ 0.7 s each here). Render slides at 1600 × 900 × scale 1.5 "
        "(PowerPoint shows them at 13.3 in; ≈ 0.45 × the pixels), or hand kaleido all figures at once "
        "(`kaleido.write_fig_from_object_sync` with a list, which renders them in one browser session "
        "in parallel tabs); computing the pack's numbers is the small part."
    ),
}


def _fmt(v, unit="ms", nd=None) -> str:
    if v is None:
        return "–"
    if unit == "ms":
        if v >= 10000:
            return f"{v / 1000:.1f} s"
        if v >= 100:
            return f"{v:.0f}"
        return f"{v:.1f}" if v >= 1 else f"{v:.2f}"
    if unit == "×":
        return f"{v:.1f}×" if v < 100 else f"{v:.0f}×"
    if unit == "MB":
        return f"{v:.0f} MB"
    if unit == "s":
        return f"{v:.0f} s"
    return f"{v:.{nd or 1}f}"


def _d(v) -> str:
    """A duration in text: '81.2 ms', '950 ms', '10.3 s'."""
    if v is None:
        return "–"
    if v >= 10000:
        return f"{v / 1000:.1f} s"
    return f"{v:.0f} ms" if v >= 100 else (f"{v:.1f} ms" if v >= 1 else f"{v:.2f} ms")


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(header, rows) -> list[str]:
    out = [_row(header), _row(["---"] * len(header))]
    out += [_row(r) for r in rows]
    return out


# -- summarising ----------------------------------------------------------------------------------

def engine_rows(sres: dict) -> list[dict]:
    """One dict per measured engine call, with the floor and the peer merged in."""
    eng = sres.get("engine") or {}
    combos = eng.get("combos") or []
    floors = {k: median(v["ms"]) for k, v in ((sres.get("floor") or {}).get("floors") or {}).items()}
    peers = {(p["id"], p["view"]): p for p in ((sres.get("peer") or {}).get("combos") or [])}
    colds = [eng] + [c for c in sres.get("engine_cold_extra") or [] if "combos" in c]
    first_by = defaultdict(list)
    for proc in colds:
        for c in proc.get("combos") or []:
            if c.get("first_ms") is not None:
                first_by[(c["id"], c["view"])].append(c["first_ms"])
    open_ms = median([p.get("open_ms") for p in colds])
    import_ms = median([p.get("import_ms") for p in colds])
    base = eng.get("base_scan_ms") or {}
    rows = []
    for c in combos:
        if "error" in c:
            rows.append({"id": c["id"], "view": c["view"], "error": c["error"]})
            continue
        r = {"id": c["id"], "view": c["view"], "rows": c.get("rows"),
             "first": median(first_by[(c["id"], c["view"])]),
             "unc": median(c.get("uncached_ms") or []), "unc_spread": spread(c.get("uncached_ms") or []),
             "n": len(c.get("uncached_ms") or []),
             "cached": median(c.get("cached_ms") or []),
             "py": median(c.get("uncached_finish_ms") or []) if c.get("uncached_finish_ms") else None}
        r["cold"] = (import_ms or 0) + (open_ms or 0) + (r["first"] or 0) if open_ms is not None else None
        k = floor_mod.key(c["id"])
        r["floor"] = floors.get(k) if k else None
        r["floor_ratio"] = r["unc"] / r["floor"] if r["floor"] and r["unc"] is not None else None
        b = base.get(c["id"], {}).get("ms")
        r["base"] = median(b) if b else None
        p = peers.get((c["id"], c["view"]))
        if p and "compute_ms" in p:
            r["peer_mem"] = median(p["compute_ms"])
            r["peer_n"] = len(p["compute_ms"])
            r["peer_e2e"] = r["peer_mem"] + p["load_ms"]
            r["peer_ratio"] = r["peer_mem"] / r["unc"] if r["unc"] else None
            r["peer_e2e_ratio"] = r["peer_e2e"] / r["unc"] if r["unc"] else None
            r["check"] = p.get("check")
        elif p:
            r["peer_error"] = p.get("error")
        rows.append(r)
    return rows


def _worst(rows, key):
    rows = [r for r in rows if r.get(key) is not None]
    return max(rows, key=lambda r: r[key]) if rows else None


def _best(rows, key):
    rows = [r for r in rows if r.get(key) is not None]
    return min(rows, key=lambda r: r[key]) if rows else None


def _name(r) -> str:
    return f"{r['id']} × {r['view']}"


def judge(results: dict) -> list[dict]:
    """One dict per target: measured, met (True/False/None), detail, limits (text)."""
    out = []
    sc = results.get("scales", {})
    s1, s10 = sc.get("1"), sc.get("10")

    def warm(key, sres, scale):
        name, target, unit = TARGETS[key]
        if not sres or not (sres.get("engine") or {}).get("combos"):
            return {"key": key, "name": name, "target": target, "unit": unit, "met": None,
                    "measured": "not measured"}
        rows = [r for r in engine_rows(sres) if r.get("unc") is not None]
        over = [r for r in rows if r["unc"] > target]
        w = _worst(rows, "unc")
        med = median([r["unc"] for r in rows])
        detail = (f"median over all {len(rows)} calls {_d(med)}; {len(over)} of {len(rows)} calls over "
                  f"{target:.0f} ms; slowest {_name(w)} {_d(w['unc'])}")
        limits = ""
        if over:
            by_ind = defaultdict(list)
            for r in over:
                by_ind[r["id"] if not r["id"].startswith("qi:") else "qi:*"].append(r)
            parts = []
            for ind, rs in sorted(by_ind.items(), key=lambda kv: -max(r["unc"] for r in kv[1])):
                views = ", ".join(f"{r['view']} {_fmt(r['unc'])}" for r in sorted(rs, key=lambda r: -r["unc"])[:4])
                py = [r["py"] for r in rs if r.get("py") is not None]
                share = (f"; Python (_finish) {_d(median(py))} of it" if py else "")
                parts.append(f"{ind} ({views}{share})")
            limits = "Over the target: " + "; ".join(parts[:8]) + "."
        return {"key": key, "name": name, "target": target, "unit": unit, "met": not over,
                "measured": f"{_d(w['unc'])} worst, {_d(med)} median", "detail": detail,
                "limits": limits, "proposal": PROPOSALS["warm"] if over else ""}

    out.append(warm("warm1", s1, 1))
    out.append(warm("warm10", s10, 10))

    # pages
    name, target, unit = TARGETS["page"]
    pages = ((s1 or {}).get("pages") or {}).get("pages") or {}
    prow = [(p, median(r["uncached_ms"]), median(r.get("uncached_engine_ms") or []), median(r["cached_ms"]))
            for p, r in pages.items() if r.get("uncached_ms")]
    if prow:
        worst = max(prow, key=lambda x: x[1])
        over = [x for x in prow if x[1] > target]
        limits = ""
        if over:
            limits = "; ".join(f"{p.split('/')[-1]}: {_d(u)} of which engine {_d(e)}, "
                               f"Streamlit/plotly {_d(u - (e or 0))} (cached rerun {_d(c)})"
                               for p, u, e, c in sorted(over, key=lambda x: -x[1])) + "."
        out.append({"key": "page", "name": name, "target": target, "unit": unit, "met": not over,
                    "measured": f"{_d(worst[1])} worst ({worst[0].split('/')[-1]})",
                    "detail": f"{len(prow)} pages; {len(over)} over {target:.0f} ms (uncached rerun: a new filter "
                              "value)", "limits": limits, "proposal": PROPOSALS["page"] if over else ""})
    else:
        out.append({"key": "page", "name": name, "target": target, "unit": unit, "met": None,
                    "measured": "not measured" + (f" ({(s1 or {}).get('pages', {}).get('skipped')})"
                                                  if (s1 or {}).get("pages", {}).get("skipped") else "")})

    # floor
    name, target, unit = TARGETS["floor"]
    parts, allover, any_rows = [], [], False
    for label, sres in (("1", s1), ("10", s10)):
        if not sres:
            continue
        rows = [r for r in engine_rows(sres) if r.get("floor_ratio") is not None]
        if not rows:
            continue
        any_rows = True
        over = [r for r in rows if r["floor_ratio"] > target]
        w = _worst(rows, "floor_ratio")
        parts.append(f"scale {label}: {len(over)} of {len(rows)} calls over 3×, median "
                     f"{_fmt(median([r['floor_ratio'] for r in rows]), '×')}, worst {_name(w)} "
                     f"{_fmt(w['floor_ratio'], '×')}")
        allover += [(label, r) for r in over]
    if any_rows:
        limits = ""
        if allover:
            seen = {}
            for label, r in sorted(allover, key=lambda x: -x[1]["floor_ratio"]):
                k = (label, r["id"] if not r["id"].startswith("qi:") else "qi:*")
                seen.setdefault(k, r)
            limits = "Over 3×: " + "; ".join(
                f"scale {k[0]} {k[1]} (worst {r['view']}: {_d(r['unc'])} vs floor {_d(r['floor'])}; "
                f"in-memory base scan {_d(r.get('base'))})" for k, r in list(seen.items())[:8]) + "."
        out.append({"key": "floor", "name": name, "target": target, "unit": unit, "met": not allover,
                    "measured": "; ".join(p.split(",")[0] for p in parts), "detail": "; ".join(parts),
                    "limits": limits, "proposal": PROPOSALS["floor"] if allover else ""})
    else:
        out.append({"key": "floor", "name": name, "target": target, "unit": unit, "met": None,
                    "measured": "not measured"})

    # peer
    name, target, unit = TARGETS["peer"]
    rows = [r for r in engine_rows(s10) if r.get("peer_ratio") is not None] if s10 else []
    if rows:
        under = [r for r in rows if r["peer_ratio"] < target]
        under_e2e = [r for r in rows if r.get("peer_e2e_ratio") is not None and r["peer_e2e_ratio"] < target]
        b = _best(rows, "peer_ratio")
        be = _best(rows, "peer_e2e_ratio")
        detail = (f"like for like (peer with its data loaded, i.e. in memory): {len(under)} of {len(rows)} calls "
                  f"under 10×, lowest {_name(b)} {_fmt(b['peer_ratio'], '×')}, median "
                  f"{_fmt(median([r['peer_ratio'] for r in rows]), '×')}; against the peer's whole script (read "
                  f"Parquet + check + prepare + compute) the lowest is {_fmt(be['peer_e2e_ratio'], '×')}")
        limits = ""
        if under:
            limits = "Under 10× (in memory): " + "; ".join(
                f"{_name(r)} engine {_d(r['unc'])} vs pandas {_d(r['peer_mem'])}"
                for r in sorted(under, key=lambda r: r["peer_ratio"])[:8]) + "."
        out.append({"key": "peer", "name": name, "target": target, "unit": unit,
                    "met": not under, "measured": f"{_fmt(b['peer_ratio'], '×')} lowest in memory; "
                    f"{_fmt(be['peer_e2e_ratio'], '×')} lowest end to end",
                    "detail": detail + ("" if not under_e2e else f"; {len(under_e2e)} under 10× end to end"),
                    "limits": limits, "proposal": PROPOSALS["peer"] if under else ""})
    else:
        out.append({"key": "peer", "name": name, "target": target, "unit": unit, "met": None,
                    "measured": "not measured"})

    # cold start
    name, target, unit = TARGETS["cold"]
    cs = (s1 or {}).get("coldstart") or {}
    runs = [r["rendered_ms"] for r in cs.get("runs") or [] if r.get("rendered_ms")]
    eng1 = (s1 or {}).get("engine") or {}
    if runs:
        m = median(runs)
        srv = median([r.get("server_ready_ms") for r in cs["runs"]])
        limits = ""
        if m > target:
            pg1 = (s1 or {}).get("pages") or {}
            opens1 = [eng1.get("open_ms")] + [c.get("open_ms") for c in (s1 or {}).get("engine_cold_extra") or []]
            app_first = (pg1.get("app") or {}).get("first_run_ms")
            limits = (f"median split: server ready {_d(srv)}, frontend loaded "
                      f"{_d(median([r.get('dom_loaded_ms') for r in cs['runs']]))}, first script run from "
                      f"{_d(median([r.get('script_started_ms') for r in cs['runs']]))} to "
                      f"{_d(median([_done(r) for r in cs['runs']]))}, drawn at {_d(m)}. open_data with the load "
                      f"cache present takes {_d(median(opens1))}; the same first run without a browser "
                      f"(AppTest, fresh process) takes {_d(app_first)}, so about half of the time is the "
                      "browser loading and drawing (on the same two cores) and the session's first-run imports.")
        out.append({"key": "cold", "name": name, "target": target, "unit": unit, "met": m <= target,
                    "measured": f"{_d(m)}", "detail": f"median of {len(runs)} (Chromium, after a warm-up run); "
                    f"runs {', '.join(_d(x) for x in runs)}", "limits": limits,
                    "proposal": PROPOSALS["cold"] if m > target else ""})
    elif (s1 or {}).get("coldstart_apptest", {}).get("app"):
        a = s1["coldstart_apptest"]
        m = (a.get("import_ms") or 0) + a["app"]["first_run_ms"]
        out.append({"key": "cold", "name": name, "target": target, "unit": unit, "met": m <= target,
                    "measured": f"{_d(m)} (AppTest fallback: {cs.get('browser_error') or cs.get('error')})",
                    "limits": _stage_text(eng1) if m > target else "",
                    "proposal": PROPOSALS["cold"] if m > target else ""})
    else:
        out.append({"key": "cold", "name": name, "target": target, "unit": unit, "met": None,
                    "measured": "not measured" + (f" ({cs.get('skipped') or cs.get('error') or ''})" if cs else "")})

    # memory: the process as it runs with the load cache present (a restart, the usual case), and
    # the process that loads a new extract (load cache empty: read, check, derive, write the file)
    for key, sres in (("mem1", s1), ("mem10", s10)):
        name, target, unit = TARGETS[key]
        if not sres:
            out.append({"key": key, "name": name, "target": target, "unit": unit, "met": None,
                        "measured": "not measured"})
            continue
        pg = sres.get("pages") or {}
        eng = sres.get("engine") or {}
        build = sres.get("engine_build") or {}
        if pg.get("peak_rss_after_all_pages_mb"):
            peak, how = pg["peak_rss_after_all_pages_mb"], "AppTest process: the app and every page"
        elif eng.get("peak_rss_mb"):
            peak, how = eng["peak_rss_mb"], ("a process that opens the data and computes every indicator at every "
                                              "grouping (pages are not run at this scale)")
        else:
            peak, how = None, ""
        bpeak = build.get("peak_rss_mb")
        if peak is None and bpeak is None:
            out.append({"key": key, "name": name, "target": target, "unit": unit, "met": None,
                        "measured": "not measured"})
            continue
        worst = max(x for x in (peak, bpeak) if x is not None)
        hit = (eng.get("cache") or {}).get("built") is False
        measured = (f"{_fmt(peak, 'MB')} running{' (load cache present)' if hit else ''}"
                    + (f"; {_fmt(bpeak, 'MB')} while loading a new extract" if bpeak else ""))
        limits = ""
        if worst > target:
            bits = []
            if bpeak and bpeak > target:
                bits.append(f"loading a new extract (a fresh process, load cache empty) peaks at "
                            f"{_fmt(bpeak, 'MB')}: {_stage_text(build)}")
            if peak and peak > target:
                bits.append(f"the running process: after open_data {_fmt(eng.get('rss_after_open_mb'), 'MB')} "
                            f"resident, {_fmt(peak, 'MB')} at its peak ({how}); {_mem_text(eng)}")
            limits = "; ".join(bits).rstrip(".") + "."
        out.append({"key": key, "name": name, "target": target, "unit": unit, "met": worst <= target,
                    "measured": measured, "detail": f"running: {how}", "limits": limits,
                    "proposal": PROPOSALS["mem"] if worst > target else ""})

    # pack
    name, target, unit = TARGETS["pack"]
    ex = (s1 or {}).get("exports") or {}
    packs = ex.get("packs") or []
    if packs:
        m = median([p["total_pptx_ms"] for p in packs])
        rend = median([p.get("render_ms") for p in packs])
        build = median([p["build_ms"] for p in packs])
        limits = ""
        if m > target:
            limits = (f"build {_d(build)} of which drawing the 20 images {_d(rend)} "
                      f"(≈ {_d((rend or 0) / 20)} each), computing {_d(build - (rend or 0))}; "
                      f"PowerPoint {_d(median([p['pptx_ms'] for p in packs]))}")
        out.append({"key": "pack", "name": name, "target": target, "unit": unit, "met": m <= target,
                    "measured": f"{_d(m)}", "detail":
                    f"median of {len(packs)} (engine cache cleared, renderer warm); first pack of the process "
                    f"{_d(ex['first_pack']['total_pptx_ms'])}; PDF adds "
                    f"{_d(median([p['pdf_ms'] for p in packs]))}", "limits": limits,
                    "proposal": PROPOSALS["pack"] if m > target else ""})
    else:
        out.append({"key": "pack", "name": name, "target": target, "unit": unit, "met": None,
                    "measured": "not measured" + (f" ({ex.get('skipped')})" if ex.get("skipped") else "")})

    # total
    name, target, unit = TARGETS["total"]
    wall = results.get("wall_s")
    gen_missing = sum((i.get("dataset") or {}).get("generate_s") or 0 for i in sc.values())
    est = wall
    note = ""
    not_generated = [s for s, i in sc.items() if not (i.get("dataset") or {}).get("generated")]
    if not_generated:
        known = {"1": 5.0, "10": 40.0}
        add = sum((sc[s].get("dataset") or {}).get("generate_s_recorded") or known.get(s, 0) for s in not_generated)
        est = (wall or 0) + add
        note = (f"; this run reused the cached set(s) at scale {', '.join(not_generated)}: generating them adds "
                f"≈ {add:.0f} s (measured when made)")
    out.append({"key": "total", "name": name, "target": target, "unit": unit,
                "met": (est <= target) if est else None,
                "measured": f"{_fmt(wall, 's')} this run" + (f", ≈ {_fmt(est, 's')} from a fresh clone"
                                                              if not_generated else ""),
                "detail": f"generation {gen_missing:.0f} s in this run{note}"})
    return out


def _stage_text(eng: dict, prefix: bool = True) -> str:
    steps = []
    for st in eng.get("stages") or []:
        for s in st.get("steps") or []:
            steps.append((s["ms"], f"{st['stage']}: {s['step']}"))
    if not steps:
        return ""
    steps.sort(reverse=True)
    total = eng.get("open_ms") or 0
    top = ", ".join(f"{name} {_d(t)}" for t, name in steps[:6])
    return (f"open_data {_d(total)}; " if prefix else "") + f"largest steps: {top}"


def _mem_text(eng: dict) -> str:
    mem = eng.get("duckdb_memory") or {}
    tags = mem.get("by_tag") or {}
    tables = mem.get("tables") or {}
    parts = []
    if tags:
        parts.append("DuckDB memory by kind: " + ", ".join(f"{k} {v:.0f} MB" for k, v in list(tags.items())[:3]))
    sized = {n: t for n, t in tables.items() if t.get("mb") is not None}
    if sized:
        big = sorted(sized.items(), key=lambda kv: -kv[1]["mb"])[:9]
        parts.append("tables (in memory, uncompressed): " + ", ".join(
            f"{n} {t['mb']:.0f} MB ({t['rows']:,} rows)" for n, t in big))
    elif tables:
        big = sorted(tables.items(), key=lambda kv: -kv[1]["rows"])[:8]
        parts.append("largest tables by rows: " + ", ".join(f"{n} {t['rows']:,}" for n, t in big))
    return "; ".join(parts)


# -- rendering ----------------------------------------------------------------------------------------

def render(results: dict) -> str:
    m, v = results["machine"], results["versions"]
    lines = ["# Benchmarks", ""]
    lines.append(f"Generated by `make bench` (`{results['command'].strip()}`) on {results['started']}; "
                 f"{results.get('wall_s', 0):.0f} s in all. Raw figures: `data/bench/results.json`. "
                 "Regenerate with `make bench`; nothing here is checked by `make test`.")
    if results.get("mode") != "full":
        lines += ["", "**Quick run (few repeats): a smoke test, not figures to quote.**"]
    lines += ["", "## Targets", ""]
    rows = []
    targets = judge(results)
    for t in targets:
        met = {True: "**met**", False: "**missed**", None: "not measured"}[t["met"]]
        tgt = f"≤ {_d(t['target'])}" if t["unit"] == "ms" else f"≤ {_fmt(t['target'], t['unit'])}"
        if t["key"] == "peer":
            tgt = "≥ 10×"
        if t["key"] == "floor":
            tgt = "≤ 3×"
        rows.append([t["name"], tgt, t.get("measured", ""), met])
    lines += _table(["target", "goal", "measured", "status"], rows)
    lines += ["", "### What limits the missed ones", ""]
    missed = [t for t in targets if t["met"] is False]
    if not missed:
        lines.append("Nothing missed.")
    for t in missed:
        lines.append(f"- **{t['name']}** — {t.get('detail', '')}. {t.get('limits', '')}")
        if t.get("proposal"):
            lines.append(f"  - *Proposed change:* {t['proposal']}")
    for t in targets:
        if t["met"] is not False and t.get("detail"):
            pass
    lines += ["", "## Machine and noise", ""]
    ns, ne = results.get("noise_start") or {}, results.get("noise_end") or {}
    lines.append(f"- {m.get('cores')} cores ({m.get('cores_usable')} usable), {m.get('memory_gib')} GiB memory, "
                 f"{m.get('cpu')}; {m.get('os')}")
    lines.append("- " + ", ".join(f"{k} {val}" for k, val in v.items() if val))
    lines.append(f"- Load average at start {results.get('loadavg_start')}, at end {results.get('loadavg_end')} "
                 "(other engineers' test runs share the two cores).")
    if ns.get("ms"):
        lines.append(f"- Noise probe (a fixed DuckDB job, 7 runs): start median {median(ns['ms']):.0f} ms, spread "
                     f"{(spread(ns['ms']) or 0) * 100:.0f} %; end median {median(ne.get('ms') or [0]):.0f} ms, "
                     f"spread {(spread(ne.get('ms') or []) or 0) * 100:.0f} %. Spread = (max − min) / median.")
    all_spreads = []
    for sres in results.get("scales", {}).values():
        all_spreads += [r["unc_spread"] for r in engine_rows(sres) if r.get("unc_spread") is not None]
    if all_spreads:
        lines.append(f"- Repeated warm engine calls: median spread {statistics.median(all_spreads) * 100:.0f} % "
                     f"(90th percentile {sorted(all_spreads)[int(0.9 * (len(all_spreads) - 1))] * 100:.0f} %).")

    lines += ["", "## Data sets", ""]
    drows = []
    for s, sres in results.get("scales", {}).items():
        d = sres.get("dataset") or {}
        r = d.get("rows") or {}
        drows.append([s, f"{r.get('cancer_cases', 0):,}", f"{r.get('svf_episodes', 0):,}",
                      f"{r.get('register_cases', 0):,}", f"{r.get('indicator_outcomes', 0):,}",
                      f"{r.get('drug_treatments', 0):,}", f"{(d.get('bytes') or 0) / 2**20:.0f} MB",
                      f"{d['generate_s']:.0f} s" if d.get("generate_s") else "cached",
                      f"`{d.get('path', '').split('/work/main/')[-1]}`"])
    lines += _table(["scale", "cancer_cases", "svf_episodes", "register_cases", "indicator_outcomes",
                     "drug_treatments", "Parquet", "generated", "path"], drows)

    for s, sres in results.get("scales", {}).items():
        lines += _scale_section(s, sres)
    from .load_report import section as load_section

    lines += load_section(results)
    lines += _browser_section(results)
    lines += _method()
    return "\n".join(lines) + "\n"


def _browser_section(results: dict) -> list[str]:
    """The speed a person feels (bench/browser.py), beside the committed "before" figures."""
    from . import browser

    runs = [sres["browser"] for sres in results.get("scales", {}).values() if sres.get("browser")]
    return [line for run in runs for line in browser.report_lines(run, before=browser.load_before())]


def _scale_section(s: str, sres: dict) -> list[str]:
    lines = ["", f"## Scale {s}", ""]
    for note in sres.get("notes") or []:
        lines.append(f"- {note}")
    eng = sres.get("engine") or {}
    if eng.get("failed"):
        lines.append(f"Engine worker failed: `{eng['failed'].splitlines()[0]}`")
    if eng.get("combos"):
        colds = [eng] + [c for c in sres.get("engine_cold_extra") or [] if "combos" in c]
        opens = [c.get("open_ms") for c in colds]
        colds = [eng] + [c for c in sres.get("engine_cold_extra") or [] if "combos" in c]
        opens = [c.get("open_ms") for c in colds]
        build = sres.get("engine_build") or {}
        hit = (eng.get("cache") or {}).get("built") is False
        if build.get("open_ms") is not None:
            lines.append(f"- First open of a new extract (load cache empty: read, check, derive, write the cache "
                         f"file): open_data {_d(build['open_ms'])}, peak RSS {_fmt(build.get('peak_rss_mb'), 'MB')}"
                         f"{'' if (build.get('cache') or {}).get('built') else ' (no cache file was written)'}; "
                         f"{_stage_text(build, prefix=False)}.")
        lines.append(f"- Engine cold{' with the load cache present (a restart)' if hit else ''}: import "
                     f"{_d(median([c.get('import_ms') for c in colds]))}, open_data {_d(median(opens))} (median of "
                     f"{len(opens)} fresh process(es): {', '.join(_d(o) for o in opens)}), catalogue "
                     f"{_d(eng.get('catalogue_ms'))}; RSS after open {_fmt(eng.get('rss_after_open_mb'), 'MB')}, "
                     f"peak {_fmt(eng.get('peak_rss_mb'), 'MB')} after every call." + ("" if hit else " " + _stage_text(eng)))
        lines.append(f"- {_mem_text(eng)}")
        rows = engine_rows(sres)
        lines += ["", "### Engine calls", "",
                  "Milliseconds. *cold* = import + open_data + the call's first run in a fresh process; "
                  "*uncached* = warm process, `ds._cache` cleared before each run (the honest warm figure); "
                  "*cached* = the per-Dataset result cache; *Python* = the part of an uncached call in "
                  "`engine._finish`; *floor* = DuckDB scanning the indicator's Parquet columns; *peer* = "
                  "pandas with its data loaded (in memory) and its whole script (end to end); ratios are "
                  f"peer / engine uncached. qi:* rows summarise the {len({r['id'] for r in rows if r['id'].startswith('qi:')})} "
                  "quality indicators (median, and the slowest).", ""]
        header = ["indicator", "grouping", "groups", "cold", "first", "uncached", "n", "Python", "cached",
                  "floor", "÷ floor", "peer in mem", "×", "peer end to end", "×", "same numbers"]
        trows = []
        qi_by_view = defaultdict(list)
        for r in rows:
            if r["id"].startswith("qi:") and r.get("peer_mem") is None:
                qi_by_view[r["view"]].append(r)
                continue
            trows.append(_engine_cells(r))
        for view, rs in qi_by_view.items():
            ok = [r for r in rs if r.get("unc") is not None]
            if not ok:
                continue
            w = _worst(ok, "unc")
            trows.append(["qi:* (median)", view, "", _fmt(median([r["cold"] for r in ok])),
                          _fmt(median([r["first"] for r in ok])), _fmt(median([r["unc"] for r in ok])),
                          ok[0]["n"], _fmt(median([r["py"] for r in ok if r.get("py") is not None])),
                          _fmt(median([r["cached"] for r in ok])), _fmt(ok[0].get("floor")),
                          _fmt(median([r["floor_ratio"] for r in ok if r.get("floor_ratio")]), "×"), "", "", "", "", ""])
            trows.append([f"qi:* (slowest: {w['id']})", view, w.get("rows"), _fmt(w["cold"]), _fmt(w["first"]),
                          _fmt(w["unc"]), w["n"], _fmt(w.get("py")), _fmt(w["cached"]), _fmt(w.get("floor")),
                          _fmt(w.get("floor_ratio"), "×"), "", "", "", "", ""])
        errs = [r for r in rows if "error" in r]
        lines += _table(header, trows)
        for r in errs:
            lines.append(f"- {r['id']} {r['view']}: {r['error']}")
        base = eng.get("base_scan_ms") or {}
        if base:
            fixed = [(k, median(v["ms"])) for k, v in base.items() if "ms" in v and not k.startswith("qi:")]
            lines += ["", "In-memory base scan (the indicator's own SQL over the latest year, summed, not grouped): "
                      + ", ".join(f"{k} {_d(t)}" for k, t in fixed) + "."]
    fl = (sres.get("floor") or {}).get("floors")
    if fl:
        lines += ["", "### Floor", "", "DuckDB `read_parquet` of the columns each indicator reads, every value "
                  "decoded, no joins, checks or grouping (median ms):", ""]
        lines += _table(["indicator", "floor ms", "tables and columns"],
                        [[k, _fmt(median(v["ms"])), "; ".join(f"{t}({', '.join(c)})" for t, c in v["tables"].items())]
                         for k, v in fl.items()])
    pr = sres.get("peer") or {}
    if pr.get("combos"):
        checks = [p for p in pr["combos"] if p.get("check")]
        bad = [p for p in checks if not p["check"]["ok"]]
        n_runs = sorted({len(p.get("compute_ms") or []) for p in pr["combos"]})
        lines += ["", "### Pandas peer", "",
                  f"`bench/peer_pandas.py`: {len({p['id'] for p in pr['combos']})} indicators at "
                  f"{', '.join(sres.get('peer_views') or [])}; "
                  f"{'one run (the warm-up) per call at this scale, to keep within the time budget' if n_runs == [1] else f'{n_runs} timed runs per call after a warm-up'}. "
                  f"Load (read Parquet with pandas, row rules, prepare) {_d(pr.get('load_total_ms'))} in all: "
                  + ", ".join(f"{k} {_fmt(t)}" for k, t in sorted(pr.get("load_parts_ms", {}).items(),
                                                                   key=lambda kv: -kv[1]))
                  + f" ms. Peak RSS {_fmt(pr.get('peak_rss_mb'), 'MB')}.", ""]
        lines.append(f"**Same numbers as the engine: {len(checks) - len(bad)} of {len(checks)} calls agree** "
                     "(same groups, same suppression, numerator, denominator and value within 1e-6; the "
                     "largest difference seen "
                     f"{max([p['check']['max_abs_diff'] for p in checks] or [0]):.2g}).")
        for p in bad:
            lines.append(f"- DIFFERS: {p['id']} {p['view']}: {'; '.join(p['check']['problems'])}")
        for p in pr["combos"]:
            if p.get("error"):
                lines.append(f"- peer error: {p['id']} {p['view']}: {p['error']}")
    elif pr.get("failed"):
        lines.append(f"Peer failed: `{pr['failed'].splitlines()[0]}`")
    pg = sres.get("pages") or {}
    if pg.get("pages"):
        extra = [x for x in sres.get("pages_cold_extra") or [] if x.get("pages")]
        lines += ["", "### Pages (AppTest)", "",
                  f"App's first run (import, open_data through the app's cache, default page): "
                  f"{_d(pg['app']['first_run_ms'])}" + (f" (second fresh process: {_d(extra[0]['app']['first_run_ms'])})" if extra else "")
                  + f"; peak RSS after visiting every page {_fmt(pg.get('peak_rss_after_all_pages_mb'), 'MB')}. "
                  "*first visit* = the page's first run in the process (the default page's is the app's first run); "
                  "*rerun* = after a filter change, uncached (engine caches cleared: "
                  f"`{pg.get('clear')}`) and cached; *engine* = time inside Dataset.compute. Median ms.", ""]
        prow = []
        for page, r in pg["pages"].items():
            fv = [r.get("first_visit_ms")] + [x["pages"].get(page, {}).get("first_visit_ms") for x in extra]
            prow.append([page.split("/")[-1], _fmt(median(fv)), f"{r.get('first_engine_calls', '')}",
                         _fmt(median(r.get("uncached_ms") or [])), _fmt(median(r.get("uncached_engine_ms") or [])),
                         f"{int(median(r.get('uncached_engine_calls') or [0]))}" if r.get("uncached_engine_calls") else "",
                         _fmt(median(r.get("cached_ms") or [])), r.get("filter", r.get("warm_skipped", "")),
                         "; ".join((r.get("errors") or []) + (r.get("warm_errors") or []) + [r.get("error", "") or "",
                                                                                             r.get("warm_error", "") or ""]).strip("; ")])
        lines += _table(["page", "first visit", "calls", "rerun uncached", "of it engine", "calls", "rerun cached",
                         "filter changed", "errors"], prow)
    elif pg.get("skipped") or pg.get("failed"):
        lines.append(f"Pages: {pg.get('skipped') or pg['failed'].splitlines()[0]}")
    cs = sres.get("coldstart") or {}
    if cs.get("runs"):
        lines += ["", "### Cold start", "",
                  "`streamlit run app.py` (headless) → Chromium until `[data-testid='stApp'][data-test-script-state="
                  "'notRunning']`, timed from spawning the server; after one warm-up run:", ""]
        lines += _table(["run", "server ready", "page loaded (DOMContentLoaded)", "script started", "script done",
                         "first page rendered", "script runs", "elements", "exceptions"],
                        [[i + 1, _d(r.get("server_ready_ms")), _d(r.get("dom_loaded_ms")),
                          _d(r.get("script_started_ms")), _d(_done(r)), _d(r.get("rendered_ms")),
                          r.get("script_runs", ""), r.get("elements"), r.get("exceptions")]
                         for i, r in enumerate(cs["runs"])])
        lines += ["", "Times from spawning `streamlit run`. *script done* is when the page saw the first script run "
                  "finish; *first page rendered* is when the browser, which shares the two cores with the "
                  "server here, was done drawing it (Playwright's wait returned)."]
    elif cs:
        lines.append(f"Cold start: {cs.get('skipped') or cs.get('browser_error') or cs.get('error') or cs.get('failed')}")
    ex = sres.get("exports") or {}
    if ex.get("packs"):
        lines += ["", "### Meeting pack and chart image", "",
                  f"Renderer start (once per process) {_d(ex.get('renderer_start_ms'))}. 20 charts: "
                  f"{', '.join(ex.get('charts', []))}.", ""]
        prow = [["first of the process", *_pack_cells(ex["first_pack"])]]
        prow += [[f"uncached {i + 1}", *_pack_cells(p)] for i, p in enumerate(ex["packs"])]
        lines += _table(["pack", "compute", "images", "PowerPoint", "compute + images + PowerPoint", "PDF",
                         "slides", "failed charts"], prow)
        img = ex.get("image") or {}
        lines += ["", f"One chart image warm ({img.get('chart')}, stamped 3200 × 1800 PNG): median "
                      f"{_d(median(img.get('ms') or []))} of {len(img.get('ms') or [])} runs."]
    elif ex:
        lines.append(f"Meeting pack: {ex.get('skipped') or ex.get('failed', '').splitlines()[0]}")
    d = sres.get("_durations") or {}
    if d:
        lines += ["", "Time spent on this scale: " + ", ".join(f"{k.replace('_', ' ')} {v:.0f} s" for k, v in d.items()
                                                              if not k.startswith("_")) + "."]
    return lines


def _done(r):
    done = [t for st, t in r.get("states") or [] if st == "notRunning"]
    return done[0] if done else None


def _pack_cells(p):
    rend = p.get("render_ms")
    return [_fmt(p["build_ms"] - (rend or 0)), _fmt(rend), _fmt(p["pptx_ms"]), _fmt(p["total_pptx_ms"]),
            _fmt(p["pdf_ms"]), p.get("slides"), ", ".join(p.get("failed_charts") or []) or "–"]


def _engine_cells(r):
    chk = r.get("check")
    same = "–" if chk is None else ("yes" if chk["ok"] else "**NO**")
    if r.get("peer_error"):
        same = f"peer error: {r['peer_error'][:60]}"
    return [r["id"], r["view"], r.get("rows", ""), _fmt(r.get("cold")), _fmt(r.get("first")), _fmt(r.get("unc")),
            r.get("n", ""), _fmt(r.get("py")), _fmt(r.get("cached")), _fmt(r.get("floor")),
            _fmt(r.get("floor_ratio"), "×"), _fmt(r.get("peer_mem")), _fmt(r.get("peer_ratio"), "×"),
            _fmt(r.get("peer_e2e")), _fmt(r.get("peer_e2e_ratio"), "×"), same]


def _method() -> list[str]:
    return ["", "## Method", "",
            "- Groupings are the ones pages use: riket, region and region × svf_code over the latest whole "
            "calendar year of the indicator's data (comparison views), quarter over the indicator's whole "
            "period (trend view). Every indicator of the catalogue is measured (9 fixed + every qi:CODE).",
            "- Each figure is the median of repeated runs after a warm-up (the first run). Cold figures come "
            "from fresh processes (`python -m bench.worker`), one per repeat.",
            "- The floor reads Parquet from the page cache; the warm engine reads prepared in-memory tables. "
            "The pandas peer is an independent implementation (it does not import the engine): row rules, "
            "longest-prefix pathways, the four lead-time rules (merge_asof), the expected-case denominator. "
            "Its results are compared with the engine's on every call it times (tests/test_bench_peer.py "
            "does the same at scale 0.03 in `make test`).",
            "- Peak memory is ru_maxrss of one worker process. At scale 10 the pages are not run (their "
            "AppTest run at scale 10 would take most of the time budget): the figure is the engine process "
            "that opens the data and computes every indicator at every grouping; at scale 1 the app process "
            "adds about the difference between the two scale-1 figures (Streamlit, plotly, figures).",
            "- `make bench` keeps to a 14-minute budget: scale 10 runs the engine and the floor with 3 "
            "repeats, and the peer with one run per call on riket, region and quarter; pages, cold start "
            "and the meeting pack are measured at scale 1."]
