"""Figures of the cancer-plan views (views/plan.py): a goal's yearly values against the goal line and
the deadline, and the summary of statuses per chapter. Drawn the same on the page, in images and on
the follow-up report's slides (charts.render.figure dispatches here).

A goal with at most `max_trend_series` series (units × parts) is drawn as a trend: one line per
series over the years, the plan's goal as a dashed line with the side that meets it shaded, the
deadline as a vertical line, and — for a series whose status the trend decides — the weighted
trend line (dotted) up to the deadline. With more series (every pathway, every register) the
follow-up year's values are drawn as bars coloured by status. Status is told by colour and symbol
(charts.theme.PLAN_STATUS_*). Data-derived text is escaped (textfmt.safe.markup).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import textfmt as fmt
from textfmt.safe import markup
from views.plan import trend_points

from . import theme
from .figures import _legend_marker, _num, _title, _title_px, _top_legend, value_label

KINDS = ("plan_goal", "plan_summary")
TREND_NOTE = ("Ofyllda punkter och prickad linje: preliminärt. Tunn prickad linje: trenden (vägd linje genom de "
              "fem senaste årens värden) fram till måldatum, där den avgör statusen.")


def _esc(text, wrap: int | None = None) -> str:
    """Escaped text for plotly; with `wrap`, broken into lines of at most that many characters (as
    charts.render does for selection lines)."""
    if text is None:
        return ""
    if wrap:
        return "<br>".join(markup(line) for line in textwrap.wrap(str(text), wrap, break_long_words=False))
    return markup(text).replace("\n", "<br>")


def figure(view) -> go.Figure | None:
    """The figure of a plan view (None when it has nothing to draw)."""
    t = view.table
    if view.error or t is None or t.empty:
        return None
    if view.kind == "plan_summary":
        return summary_figure(view)
    if view.kind != "plan_goal":
        return None
    layout = view.options.get("layout")
    if layout is None:
        layout = "bars" if len(dict.fromkeys(t["label"])) > int(view.options.get("max_trend_series", 8)) else "trend"
    return goal_bars(view) if layout == "bars" else goal_trend(view)


def _status_of(view) -> dict[str, object]:
    """Series label → its GoalResult."""
    return {r.unit_label: r for r in view.options.get("results", ())}


def _goal_text(o) -> str:
    unit = {"procent": " %", "dagar": " dagar"}.get(o.get("unit"), f" {o.get('unit', '')}")
    word = "minst" if o.get("direction") == "higher" else "högst"
    value = o["goal_value"]
    return f"{word} {fmt.number(value, 0 if float(value).is_integer() else 1)}{unit}"


def _goal_band(fig: go.Figure, o, axis: str, upper: float, legend: bool = True) -> None:
    """The plan's goal: a dashed line and the side that meets it shaded; named in the legend, or
    (`legend` False) by a label on the line."""
    goal, direction = o.get("goal_value"), o.get("direction")
    if goal is None or direction not in ("higher", "lower"):
        return
    lo, hi = (goal, upper) if direction == "higher" else (0.0, goal)
    if axis == "y":
        fig.add_hrect(y0=lo, y1=hi, fillcolor=theme.BAND_HIGH, line_width=0, layer="below")
        fig.add_hline(y=goal, line=dict(color=theme.LINE_HIGH, width=2, dash="dash"), layer="below")
    else:
        fig.add_vrect(x0=lo, x1=hi, fillcolor=theme.BAND_HIGH, line_width=0, layer="below")
        fig.add_vline(x=goal, line=dict(color=theme.LINE_HIGH, width=2, dash="dash"), layer="below")
    if legend:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"Planens mål: {_goal_text(o)}",
                                 line=dict(color=theme.LINE_HIGH, width=2, dash="dash"), hoverinfo="skip"))
    elif axis == "y":
        fig.add_annotation(x=0, xref="paper", y=goal, text=f" Planens mål: {_goal_text(o)} ", showarrow=False,
                           xanchor="left", yanchor="top" if direction == "higher" else "bottom",
                           bgcolor="rgba(255,255,255,0.85)", font=dict(size=12, color=theme.LINE_HIGH))


def _value_range(values: np.ndarray, o) -> tuple[float, float]:
    top = float(np.nanmax(values)) if np.any(~np.isnan(values)) else 0.0
    goal = o.get("goal_value")
    if goal is not None:
        top = max(top, float(goal))
    if o.get("unit") == "procent":
        if top < 60:  # small shares (long waits, say) against a low goal: scale to them, not to 100 %
            return 0.0, max(5.0, top * 1.3)
        return 0.0, max(100.0, top * 1.05)
    return 0.0, top * 1.15 if top > 0 else 1.0


# -- a goal as a trend --------------------------------------------------------------------------------

# Line colours for up to eight series, chosen to stay apart (COLORWAY without its two teals near each
# other); the widest unit (a sjukvårdsregion beside its regions) is drawn dark and thick instead.
LINE_COLORS = ["#2b5f91", "#d9480f", "#7b3f99", "#2a9d8f", "#b5651d", "#c2185b", "#6c757d", "#3949ab"]
_LEVEL_RANK = {"riket": 0, "healthcare_region": 1, "region": 2}


def _widest_first(results: dict, labels: list[str]) -> bool:
    """True when the first series is a wider unit than every other (Mellansverige, then its regions)."""
    units = [results[label].unit for label in labels if label in results]
    if len(units) != len(labels):
        return False
    first = _LEVEL_RANK.get(units[0].level, 9)
    return all(_LEVEL_RANK.get(u.level, 9) > first for u in units[1:])


def goal_trend(view) -> go.Figure:
    """One line per series over the years; goal line, deadline and decisive trends (module docstring)."""
    t = view.table.copy()
    o = view.options
    unit = o.get("unit", "procent")
    year = int(o["year"])
    results = _status_of(view)
    shown_years = t.loc[~t["suppressed"].astype(bool) & ~t["no_cases"].astype(bool) & t["value"].notna(), "year"]
    years = sorted({int(y) for y in t["year"]})
    if len(shown_years):  # leading years without any shown value would only be empty space
        years = [y for y in years if y >= int(shown_years.min())]
    deadline = o.get("deadline_year")
    last = max(years + [year])
    if deadline is not None and year < deadline <= year + 10:
        last = deadline
    first = min(years)
    fig = go.Figure()
    labels = list(dict.fromkeys(t["label"]))
    single = len(labels) == 1
    widest = len(labels) > 1 and _widest_first(results, labels)
    drawn_trend = False
    provisional_years: set[int] = set()
    for i, label in enumerate(labels):
        s = t[t["label"] == label].set_index("year").reindex(years)
        wide = i == 0 and len(labels) > 1 and _widest_first(results, labels)
        color = theme.RIKET if single or wide else LINE_COLORS[(i - (1 if widest else 0)) % len(LINE_COLORS)]
        hidden = s["suppressed"].fillna(False).astype(bool).to_numpy() | s["no_cases"].fillna(False).astype(bool).to_numpy()
        value = np.where(hidden, np.nan, _num(s["value"]))
        prov = s["provisional"].fillna(False).astype(bool).to_numpy()
        provisional_years |= {y for y, p, v in zip(years, prov, value) if p and not np.isnan(v)}
        r = results.get(label)
        status = r.status if r is not None else "insufficient"
        name = f"{theme.PLAN_STATUS_SYMBOLS[status]} {markup(label)}"
        texts = [value_label(row, unit) for row in s.reset_index().to_dict("records")]
        hover = [f"<b>{markup(label)}</b> {y}<br>{markup(tx)}" + (f"<br><i>{fmt.PROVISIONAL}</i>" if p else "")
                 for y, tx, p in zip(years, texts, prov)]
        mature = np.where(prov, np.nan, value)
        dotted = np.where(prov, value, np.nan)
        if prov.any() and np.any(~prov & ~np.isnan(value)):
            last_mature = max(k for k in range(len(value)) if not prov[k] and not np.isnan(value[k]))
            dotted[last_mature] = value[last_mature]
        width = 3.2 if single or wide else 2.0
        fig.add_trace(go.Scatter(x=years, y=mature, mode="lines", name=name, legendgroup=label,
                                 line=dict(color=color, width=width), hoverinfo="skip", connectgaps=False))
        if prov.any():
            fig.add_trace(go.Scatter(x=years, y=dotted, mode="lines", name=name, legendgroup=label, showlegend=False,
                                     line=dict(color=color, width=width, dash="dot"), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=years, y=value, mode="markers", name=name, legendgroup=label, showlegend=False,
                                 marker=dict(color=["white" if p else color for p in prov], size=8,
                                             line=dict(color=color, width=1.5)),
                                 hovertext=hover, hoverinfo="text"))
        if r is not None and r.trend is not None and r.trend.projection_year and r.status in ("on_track", "not_met"):
            points = trend_points(r)
            fig.add_trace(go.Scatter(x=points[0], y=points[1], mode="lines", name=name, legendgroup=label,
                                     showlegend=False, line=dict(color=color, width=1.5, dash="dot"), opacity=0.8,
                                     hovertext=[f"{markup(label)}: trend {y} {fmt.value_text(v, unit)}"
                                                for y, v in zip(*points)], hoverinfo="text"))
            drawn_trend = True
    lo, hi = _value_range(np.concatenate([_num(t["value"]), np.array([
        v for r in results.values() if r.trend is not None and r.trend.projection is not None
        for v in [r.trend.projection]], dtype=float)]), o)
    _goal_band(fig, o, "y", hi, legend=False)
    present = [r.status for label, r in results.items() if label in set(labels)]
    symbols = ", ".join(f"{theme.PLAN_STATUS_SYMBOLS[s]} {theme.PLAN_STATUS_NAMES[s].lower()}"
                        for s in theme.PLAN_STATUS_NAMES if s in present)
    if deadline is not None and first - 0.5 <= deadline <= last + 0.5:
        fig.add_vline(x=deadline, line=dict(color=theme.TEXT, width=1.5, dash="dashdot"), layer="below")
        fig.add_annotation(x=deadline, y=0.01, yref="paper", text=f"Måldatum {deadline} ", showarrow=False,
                           xanchor="right", yanchor="bottom", bgcolor="rgba(255,255,255,0.85)",
                           font=dict(size=12, color=theme.TEXT))
    if provisional_years:
        fig.add_vrect(x0=min(provisional_years) - 0.4, x1=max(provisional_years) + 0.4,
                      fillcolor="rgba(138,148,160,0.12)", line_width=0, layer="below",
                      annotation_text="preliminärt", annotation_position="top left",
                      annotation_font=dict(size=11, color=theme.MUTED))
    subtitle = _esc(view.selection, wrap=80)
    fig.update_layout(
        title=_title(_esc(view.title), subtitle), height=480,
        xaxis=dict(range=[first - 0.5, last + 0.5], tickmode="array", tickvals=list(range(first, last + 1)),
                   ticktext=[str(y) for y in range(first, last + 1)], title=None, showgrid=False),
        yaxis=dict(range=[lo, hi], title={"procent": "Andel (%)", "dagar": "Dagar"}.get(unit, unit),
                   ticksuffix=" %" if unit == "procent" else ""),
        margin=dict(l=10, r=20), hovermode="closest",
    )
    note = (TREND_NOTE if drawn_trend else "Ofyllda punkter och prickad linje: preliminärt (data kompletteras).")
    note = "<br>".join(textwrap.wrap(note, 80))  # a slide's picture is narrow
    _top_legend(fig, height=480, top=_title_px(subtitle), axis_px=34,
                note=f"Status {year}: {symbols}.<br>{note}" if symbols else note)
    theme.apply(fig)
    return fig


# -- a goal with many series: bars of the follow-up year ----------------------------------------------

def goal_bars(view) -> go.Figure:
    """The follow-up year's value per series, coloured by status, best first; the goal line."""
    t = view.table
    o = view.options
    unit = o.get("unit", "procent")
    year = int(o["year"])
    results = _status_of(view)
    d = t[t["year"].astype(int) == year].copy().reset_index(drop=True)
    units = set(d["unit_label"]) if "unit_label" in d.columns else set()
    short = len(units) == 1 and "part_label" in d.columns and d["part_label"].astype(str).str.len().gt(0).all()
    d["_name"] = d["part_label"] if short else d["label"]
    d["_value"] = _num(d["value"])
    d["_hidden"] = d["suppressed"].astype(bool) | d["no_cases"].astype(bool) | np.isnan(d["_value"])
    d["_status"] = [results[label].status if label in results else "insufficient" for label in d["label"]]
    key = d["_value"].where(~d["_hidden"])
    d["_key"] = (-key if o.get("direction") != "lower" else key).fillna(np.inf)
    d = d.sort_values(["_key", "_name"], kind="stable").reset_index(drop=True)
    names = [markup(n) for n in d["_name"]]
    texts = []
    for row in d.to_dict("records"):
        r = results.get(row["label"])
        mark = " (osäkert)" if r is not None and r.uncertain else ""
        texts.append(f"{theme.PLAN_STATUS_SYMBOLS[row['_status']]} {markup(value_label(row, unit))}{mark}")
    colors = [theme.PLAN_STATUS_COLORS[s] for s in d["_status"]]
    values = d["_value"].to_numpy()
    fig = go.Figure()
    show_ci = bool(o.get("show_ci")) and "ci_low" in d.columns and np.any(~np.isnan(_num(d["ci_low"])))
    error_x = None
    if show_ci:
        lo, hi = _num(d["ci_low"]), _num(d["ci_high"])
        error_x = dict(type="data", symmetric=False, array=np.nan_to_num(hi - values, nan=0.0),
                       arrayminus=np.nan_to_num(values - lo, nan=0.0), color="#4a5560", thickness=1.2, width=3)
    fig.add_trace(go.Bar(x=values, y=names, orientation="h", marker=dict(color=colors, line=dict(color="#6b7785",
                                                                                                   width=0.5)),
                         error_x=error_x, hovertext=[f"<b>{n}</b><br>{tx}" for n, tx in zip(names, texts)],
                         hoverinfo="text", showlegend=False, name="värden"))
    pos = np.fmax(np.nan_to_num(values, nan=0.0), np.nan_to_num(_num(d["ci_high"]), nan=0.0) if show_ci else 0.0)
    fig.add_trace(go.Scatter(x=pos, y=names, mode="text", text=["  " + tx for tx in texts],
                             textposition="middle right", textfont=dict(size=12, color=theme.TEXT),
                             hoverinfo="skip", showlegend=False, cliponaxis=False))
    lo, hi = _value_range(values, o)
    hi = hi * 1.3  # room for the value texts
    _goal_band(fig, o, "x", 100.0 if unit == "procent" else hi)
    for status in theme.PLAN_STATUS_COLORS:
        if status in set(d["_status"]):
            _legend_marker(fig, f"{theme.PLAN_STATUS_SYMBOLS[status]} {theme.PLAN_STATUS_NAMES[status]}",
                           theme.PLAN_STATUS_COLORS[status])
    height = max(300, 26 * len(names) + 200)
    subtitle = _esc(f"{view.selection} · värden {year}", wrap=80)
    fig.update_layout(
        title=_title(_esc(view.title), subtitle), height=height,
        xaxis=dict(range=[lo, hi], title={"procent": "Andel (%)", "dagar": "Dagar"}.get(unit, unit),
                   ticksuffix=" %" if unit == "procent" else "", showgrid=True),
        yaxis=dict(autorange="reversed", type="category", showgrid=False, tickmode="array", tickvals=names),
        margin=dict(l=10, r=30),
    )
    _top_legend(fig, height=height, top=_title_px(subtitle), axis_px=52,
                note=f"Färg och symbol: status {year} (trenden ingår).")
    theme.apply(fig)
    return fig


# -- the summary ---------------------------------------------------------------------------------------

def summary_figure(view) -> go.Figure:
    """Stacked bars: per chapter (and all chapters), how many assessments have each status."""
    t = view.table
    statuses = list(theme.PLAN_STATUS_NAMES)
    chapters = ["<br>".join(textwrap.wrap(markup(c), 26)) for c in t["Kapitel"]]
    labels = [f"<b>{c}</b>" if c == "Alla kapitel" else c for c in chapters]
    fig = go.Figure()
    for status in statuses:
        name = theme.PLAN_STATUS_NAMES[status]
        counts = pd.to_numeric(t[name], errors="coerce").fillna(0).astype(int).tolist()
        fig.add_trace(go.Bar(
            x=counts, y=labels, orientation="h", name=f"{theme.PLAN_STATUS_SYMBOLS[status]} {name}",
            marker=dict(color=theme.PLAN_STATUS_COLORS[status], line=dict(color="#6b7785", width=0.5)),
            hovertext=[f"{lab}: {c} {name.lower()}" for lab, c in zip(chapters, counts)], hoverinfo="text",
            showlegend=True,
        ))
    totals = pd.to_numeric(t["Totalt"], errors="coerce").fillna(0).astype(int).tolist()
    for label, (_, row), total in zip(labels, t.iterrows(), totals):
        parts = [f"{theme.PLAN_STATUS_SYMBOLS[s]} {int(row[theme.PLAN_STATUS_NAMES[s]])}" for s in statuses
                 if int(row[theme.PLAN_STATUS_NAMES[s]])]
        fig.add_annotation(x=total, y=label, text="  " + "  ".join(parts), showarrow=False, xanchor="left",
                           font=dict(size=12, color=theme.TEXT))
    height = max(300, 44 * len(labels) + 200)
    subtitle = _esc(view.selection, wrap=80)
    fig.update_layout(
        title=_title(_esc(view.title), subtitle), barmode="stack", height=height,
        xaxis=dict(title="Antal bedömningar (mål × enhet)", showgrid=True,
                   range=[0, max(totals + [1]) * 1.8]),
        yaxis=dict(autorange="reversed", type="category", showgrid=False),
        margin=dict(l=10, r=30),
    )
    _top_legend(fig, height=height, top=_title_px(subtitle), axis_px=52, note=None)
    theme.apply(fig)
    return fig
