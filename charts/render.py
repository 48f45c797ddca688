"""Draw a view: `figure(view)` returns the plotly figure of a views.View, the same for the screen,
the image files and the slides. Kinds without a chart (key figures, tables) return None.

Every data-derived text (unit and series names, titles, selection lines, notes) is escaped here
(textfmt.safe.markup) before plotly sees it, so a name like `<a href=…>` is drawn as characters,
never as a link, on screen and in SVG.
"""

from __future__ import annotations

import threading
import weakref

import pandas as pd
import plotly.graph_objects as go

import textfmt as fmt
from textfmt.safe import markup
from views.model import HIDDEN_SECONDARY, flags

from . import comparison, figures, plan, theme

NO_FIGURE = ("kpi", "table", "register_summary", "reference", "failed", "reconciliation")


def _esc(text, wrap: int | None = None) -> str | None:
    """Escaped text for plotly; with `wrap`, broken into lines of at most that many characters (a
    long selection line would run off a narrow screen)."""
    if text is None:
        return None
    if wrap:
        import textwrap

        return "<br>".join(markup(line) for line in textwrap.wrap(str(text), wrap, break_long_words=False))
    return markup(text).replace("\n", "<br>")


def _table(view) -> pd.DataFrame:
    t = view.table.copy()
    for col in ("label", "series", "x", "register_label", "indicator_label"):
        if col in t.columns:
            t[col] = [markup(v) if isinstance(v, str) else v for v in t[col]]
    return t


_FIGURES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_FIGURES_LOCK = threading.Lock()


def figure(view, *, chosen_days: int | None = None, x_max: float | None = None) -> go.Figure | None:
    """The figure of `view` (None for kinds drawn as tables). `chosen_days` is the "andel inom X
    dagar" slider of a distribution (default: the view's default days). Views are shared, cached
    objects, so their figures are kept with them (built once, not on every rerun); callers that
    change a figure must copy it first (go.Figure(fig))."""
    key = (chosen_days, x_max)
    with _FIGURES_LOCK:
        hit = _FIGURES.get(view, {}).get(key, _MISSING)
    if hit is not _MISSING:
        return hit
    fig = _figure(view, chosen_days=chosen_days, x_max=x_max)
    with _FIGURES_LOCK:
        _FIGURES.setdefault(view, {})[key] = fig
    return fig


_MISSING = object()


def _figure(view, *, chosen_days: int | None = None, x_max: float | None = None) -> go.Figure | None:
    if view.error or view.kind in NO_FIGURE or view.table is None or view.table.empty:
        return None
    if view.kind in plan.KINDS:  # the cancer plan's goals and summary (charts/plan.py)
        return plan.figure(view)
    o = view.options
    title, subtitle = _esc(view.title), _esc(view.selection, wrap=80)
    note = _esc(o.get("note"))
    t = _table(view)
    if view.kind == "bars":
        if o.get("value_col"):
            t["value"] = pd.to_numeric(t[o["value_col"]], errors="coerce").astype("Float64")
            t["ci_low"] = t["ci_high"] = pd.NA
            t["_text"] = [None if fmt.missing_text(r) else
                          (f"målet nått ({fmt.n_text(r['numerator'], r['denominator'])})" if r["value"] == 0 else
                           f"{fmt.count(r['value'])} fler ({fmt.n_text(r['numerator'], r['denominator'])})")
                          for r in t.to_dict("records")]
        return figures.bar_comparison(
            t, title=title, subtitle=subtitle, unit=o.get("unit", "procent"), target_low=o.get("target_low"),
            target_high=o.get("target_high"), direction=o.get("direction", "higher"),
            show_ci=bool(o.get("show_ci", True)) and not o.get("value_col"), note=note,
            own_label=_esc(o.get("own_label")), reference_col=o.get("reference_col"),
            reference_name=_esc(o.get("reference_name") or "Ledtidsgräns"),
            selected_label=_esc(o.get("selected_label") or "Valt"),
            value_axis_title=o.get("value_axis_title"),
            text_col="_text" if o.get("value_col") else o.get("text_col"),
            published_col=o.get("published_col"), published_name=_esc(o.get("published_name") or "Publicerat"),
            difference_col="difference_pp" if o.get("published_col") else None)
    if view.kind == "map":
        return _map(view)
    if view.kind == "trend":
        return figures.trend_lines(t, x_order=[markup(x) for x in o["x_order"]], title=title, subtitle=subtitle,
                                   unit=o.get("unit", "procent"), target_low=o.get("target_low"),
                                   target_high=o.get("target_high"), direction=o.get("direction", "higher"),
                                   show_ci=bool(o.get("show_ci", True)), note=note)
    if view.kind == "scorecard":
        return _scorecard(view, t, title, subtitle)
    if view.kind == "heat":
        return _heat(view, t, title, subtitle)
    if view.kind == "distribution":
        return _distribution(view, t, title, subtitle, chosen_days, x_max)
    if view.kind == "overtime":
        series = [{"name": r["label"], "role": r["role"], "table": o["details"][str(view.table["label"].iloc[i])],
                   "n": r["denominator"]}
                  for i, r in enumerate(t.to_dict("records")) if str(view.table["label"].iloc[i]) in o["details"]]
        if not series:
            return None
        return figures.overtime_bars(series, title=title, subtitle=subtitle, note=note)
    if view.kind == "funnel":
        f = o.get("funnel")
        if f is None or f.units == 0:
            return None
        f = _escaped_funnel(f)
        level = o.get("level", "region")
        return comparison.funnel_figure(
            f, title=title, subtitle=subtitle, highlight=o.get("own"),
            highlight_label="Egen region" if level == "region" else "Egen sjukvårdsregion",
            target_low=o.get("target_low"), target_high=o.get("target_high"), direction=o.get("direction", "none"),
            x_title=f"Antal i nämnaren (n) per {fmt.LEVEL_WORD[level]}")
    if view.kind == "caterpillar":
        units = t[t["role"] != "riket"].reset_index(drop=True)
        labels = dict(zip(units["unit_code"].astype(str), units["label"].astype(str)))
        direction = o.get("direction") if o.get("direction") in ("higher", "lower") else "higher"
        kind_counts = {"per 100 000": "{num} starter"}.get(o.get("unit"), "{num} av {den}")
        return comparison.caterpillar_figure(
            units, title=title, subtitle=subtitle, key="unit_code", labels=labels, benchmark=o.get("benchmark"),
            highlight=o.get("own"),
            highlight_label="Egen region" if o.get("level") == "region" else "Egen sjukvårdsregion",
            unit=o.get("unit", "procent"), direction=direction, target_low=o.get("target_low"),
            target_high=o.get("target_high"), count_format=kind_counts,
            value_axis_title={"procent": "Procent", "dagar": "Dagar", "per 100 000": "Per 100 000 invånare"}.get(
                o.get("unit")))
    return None


def _map(view) -> go.Figure | None:
    """The region map of a view (charts.regionmap escapes every text itself, so it gets the raw
    ones). Riket's value goes under the map from the final row, never when it is hidden."""
    from . import regionmap

    o = view.options
    t = view.table
    units = t[t["role"].astype(str) != "riket"]
    if units.empty:
        return None
    riket = t[t["role"].astype(str) == "riket"]
    notes = [o.get("note")] if o.get("note") else []
    if len(riket) and not fmt.missing_text(riket.iloc[0].to_dict()):
        notes.append(f"{riket['label'].iloc[0]} {fmt.value_text(riket['value'].iloc[0], o.get('unit', 'procent'))}")
    col = lambda name: units[name] if name in units.columns else pd.Series([pd.NA] * len(units), index=units.index)  # noqa: E731
    table = pd.DataFrame({
        "region_code": units["unit_code"].astype(str), "label": units["label"].astype(str), "value": col("value"),
        "numerator": col("numerator"), "denominator": col("denominator"),
        # hatched: hidden by our small-number rule or to protect one; a published figure that the
        # source did not give is 'uppgift saknas' (white), with its reason on hover
        "suppressed": [not fmt.is_missing(h) or (bool(s) and (not isinstance(w, str) or w == fmt.SUPPRESSED))
                       for s, w, h in zip(col("suppressed"), col("missing_text"), col("hidden"))],
        "target_level": col("target_level"), "status": col("status"), "provisional": col("provisional"),
        "note": [fmt.SUPPRESSED_SECONDARY if h == HIDDEN_SECONDARY else fmt.NO_CASES if bool(z) and not bool(s)
                 else (w if isinstance(w, str) else None)
                 for z, s, w, h in zip(col("no_cases").fillna(False), col("suppressed"), col("missing_text"),
                                       col("hidden"))],
    })
    return regionmap.region_map(table, title=view.title, subtitle=view.selection, unit=o.get("unit", "procent"),
                                own_region=o.get("own"), note=" · ".join(notes) or None,
                                decimals=o.get("decimals", 0 if o.get("unit") == "dagar" else 1), ranking=True,
                                direction=o.get("direction") if o.get("direction") in ("higher", "lower") else "higher")


def _escaped_funnel(f):
    from dataclasses import replace

    points = f.points.copy()
    points["label"] = [markup(v) for v in points["label"]]
    return replace(f, points=points, suppressed=[markup(s) for s in f.suppressed])


def _cell_text(r, unit: str) -> str:
    missing = fmt.missing_text(r)
    if missing is not None:
        return missing.replace(" ", "<br>", 1)
    value = fmt.value_text(r["value"], unit)
    n = fmt.n_text(r.get("numerator"), r.get("denominator"))
    return f"<b>{value}</b><br><span style='font-size:10px'>{n}</span>"


def _scorecard(view, t, title, subtitle) -> go.Figure:
    from indicators.catalogue import Catalogue  # noqa: F401  (names come from the table)

    o = view.options
    cells = []
    col_title = {}
    for r in t.to_dict("records"):
        col = f"<b>{markup(r['indicator_label'])}</b><br>{markup(r['target_text'])}"
        col_title[r["indicator"]] = col
        unit = "procent"
        hover = (f"<b>{r['label']}</b> – {markup(r['indicator_label'])}<br>{figures.value_label(r, unit)}"
                 f"<br>{fmt.interval_text(r.get('ci_low'), r.get('ci_high'), unit)}"
                 f"<br>{fmt.target_level_text(r['target_level']) if not fmt.missing_text(r) else fmt.missing_text(r)}")
        if isinstance(r.get("ci_status"), str):
            hover += f"<br>Statistiskt: {fmt.CI_STATUS_LABELS[r['ci_status']]}"
        info = (o.get("published") or {}).get(r["indicator"]) or {}
        if info.get("period") and not fmt.is_missing(r.get("published_value")):
            hover += (f"<br>Publicerat {info['period']} ({markup(info['source'])}): "
                      f"{fmt.value_text(r['published_value'], unit)}")
        cells.append({"row": _row_name(r, o), "column": col, "text": _cell_text(r, unit), "level": r["level"],
                      "uncertain": r.get("ci_status") == "uncertain", "hover": hover})
    cells = pd.DataFrame(cells)
    rows = list(dict.fromkeys(cells["row"]))
    columns = [col_title[i] for i in o["columns"] if i in col_title]
    highlight = [r for r in rows[:2] if r.startswith(fmt.RIKET) or "(egen" in r]
    note = "? = 95 %-intervallet omfattar en målnivå (osäker status)"
    prov = o.get("provisional") or {}
    if prov:
        note += "<br>Preliminärt: " + "; ".join(f"{markup(k)} {markup(v)}" for k, v in prov.items())
    return figures.scorecard(cells, rows=rows, columns=columns, title=title, subtitle=subtitle,
                             highlight_rows=highlight, note=note)


def _row_name(r, o) -> str:
    if r["role"] == "own":
        return f"{r['label']} (egen)"
    return str(r["label"])


def _heat(view, t, title, subtitle) -> go.Figure:
    o = view.options
    cells = []
    for r in t.to_dict("records"):
        col = str(r["register_label"]) + (" ⚠" if r.get("placeholder_register") else "")
        text = _cell_text(r, "procent")
        if not fmt.missing_text(r):
            text = f"<b>{fmt.pct(r['value'])}</b><br><span style='font-size:10px'>n = {fmt.count(r['denominator'])}</span>"
        hover = (f"<b>{r['label']}</b> – {col}<br>{figures.value_label(r, 'procent')}"
                 f"<br>{fmt.interval_text(r.get('ci_low'), r.get('ci_high'))}"
                 f"<br>{fmt.targets_text(r.get('target_low'), r.get('target_high'))}")
        cells.append({"row": _row_name(r, o), "column": col, "text": text, "level": r["level"],
                      "uncertain": r.get("ci_status") == "uncertain", "hover": hover})
    cells = pd.DataFrame(cells)
    rows = list(dict.fromkeys(cells["row"]))
    riket = [r for r in rows if r == fmt.RIKET]
    others = [r for r in rows if r != fmt.RIKET]
    order = riket + sorted(others, key=lambda r: (0 if r.endswith("(egen)") else 1, fmt.sv_sort_key(r)))
    note = ("Färg efter registrets egna målnivåer. ? = 95 %-intervallet omfattar en målnivå. ⚠ = målnivåerna är "
            "platshållare.")
    return figures.scorecard(cells, rows=order, columns=list(dict.fromkeys(cells["column"])), title=title,
                             subtitle=subtitle, highlight_rows=order[:2], note=note)


def _distribution(view, t, title, subtitle, chosen_days, x_max) -> go.Figure | None:
    from views.leadtime import share_within

    o = view.options
    chosen = int(chosen_days or o.get("default_days", 28))
    series = []
    for i, r in enumerate(t.to_dict("records")):
        key = str(view.table["label"].iloc[i])
        curve = o["details"].get(key)
        if curve is None:
            continue
        series.append({"name": r["label"], "role": r["role"], "table": curve, "n": r["denominator"],
                       "chosen": share_within(curve, chosen, r["denominator"])})
    if not series:
        return None
    first = series[0]["table"]
    reach = first.loc[first["share_within"] >= 99, "days"]
    longest = max(float(s["table"]["days"].max()) for s in series)
    start_days = o.get("limit") or o.get("default_days", 28)
    upper = max(float(reach.iloc[0]) if len(reach) else longest, 1.75 * float(start_days)) + 5
    upper = max(min(upper, longest + 2), float(chosen) + 3) if x_max is None else x_max
    note = _esc(o.get("note")) + "<br>Punkten: andelen inom X dagar (reglaget)."
    return figures.lead_time_distribution(series, title=title, subtitle=subtitle, limit=o.get("limit"),
                                          target=o.get("target"), chosen_days=chosen, x_max=upper, note=note)


def plotly_config(filename: str) -> dict:
    return theme.plotly_config(filename)


SLIDE_MIN_FONT_PX = 15  # at the pack's layout (900 CSS px across 10,7 in) 15 px is 12,8 pt on the slide


def for_slide(fig: go.Figure, height: int | None = None, drop_title: bool = False) -> go.Figure:
    """A copy of `fig` readable on a projector: every text at least SLIDE_MIN_FONT_PX (12 pt on
    the slide), every category label drawn, bar texts never shrunk, the figure fitted to `height`
    CSS px instead of growing past the slide; with `drop_title` the figure's own title and
    selection line go (the slide states them) and their room with them."""
    out = go.Figure(fig)
    least = SLIDE_MIN_FONT_PX
    if drop_title and out.layout.title is not None and out.layout.title.text:
        out.update_layout(title=None, margin=dict(t=max(24, (out.layout.margin.t or 90) - 70)))

    def bump(font, floor=least):
        if font is not None:
            font.size = max(font.size or 0, floor)

    bump(out.layout.font)
    bump(out.layout.legend.font)
    bump(out.layout.hoverlabel.font)
    if out.layout.title is not None:
        bump(out.layout.title.font, 20)
        if out.layout.title.subtitle is not None:
            bump(out.layout.title.subtitle.font, 15)
    out.update_xaxes(tickfont_size=least, title_font_size=least)
    out.update_yaxes(tickfont_size=least, title_font_size=least)
    for a in out.layout.annotations:
        bump(a.font)
    for axis in ("yaxis", "xaxis"):
        ax = out.layout[axis]
        if ax.type == "category" and ax.categoryarray is None:
            cats = [v for tr in out.data if tr.type == "bar" for v in (tr.y if axis == "yaxis" else tr.x) or ()]
            if cats:
                ax.tickmode = "array"
                ax.tickvals = list(dict.fromkeys(cats))
    for tr in out.data:
        if tr.type == "bar":
            tr.constraintext = "none"
        if getattr(tr, "textfont", None) is not None:
            size = tr.textfont.size
            if isinstance(size, (tuple, list)):
                tr.textfont.size = [max(s or 0, least) for s in size]
            else:
                bump(tr.textfont)
    if height is not None:
        out.update_layout(height=height)
    return out
