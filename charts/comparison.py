"""Region comparison charts: the funnel plot and the sorted caterpillar chart (Regionjämförelse).

Both take an engine result grouped by one dimension (normally `region`): the columns `numerator`,
`denominator`, `value`, `ci_low`, `ci_high` and `suppressed` of `Dataset.compute`. Nothing here
computes an indicator; the funnel limits are statistics (`indicators.stats`) on the engine's
numerators and denominators, centred on the benchmark the caller passes (riket's value from the
engine).

- Funnel limits: PHE inverse-Wilson limits at 95 % and 99.8 % (peers.md §2.4 (a)); optionally the
  random-effects (τ²) limits from the FunnelPlotR overdispersion estimate (peers.md §2.4, φ shown).
- Suppressed groups (too few cases) are never drawn as points; they are listed by name, in the
  funnel's caption and as "otillräckligt underlag" rows in the caterpillar chart.

No Streamlit import: the figures are plain plotly and can be exported or tested alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import theme
from charts.figures import target_bands
from views.funnel import Funnel, caterpillar_rows, fmt_num
from indicators import stats
import textfmt as fmt

LEVELS = (0.95, 0.998)

# Meanings drawn here; the template (charts/theme.py) gives fonts, grid and Swedish separators.
COLOR_POINT = theme.BAR
COLOR_HIGHLIGHT = theme.OWN
COLOR_OUTSIDE_95 = "#7b3f99"
COLOR_OUTSIDE_998 = "#3d1a4d"
COLOR_LIMIT_95 = "#6d7781"
COLOR_LIMIT_998 = "#33414f"
COLOR_BENCHMARK = theme.RIKET
BAND_LOW = theme.BAND_LOW  # låg målnivå: yellow
BAND_HIGH = theme.BAND_HIGH  # hög målnivå: green
INSUFFICIENT = fmt.SUPPRESSED


def fmt_int(v) -> str:
    return fmt.count(v)


def fmt_value(v, unit: str = "procent", decimals: int | None = None) -> str:
    """'72,3 %', '34 dagar', '12,5 per 100 000' (unit as in the catalogue; '%' = 'procent')."""
    return fmt.value_text(v, "procent" if unit == "%" else unit, decimals)


def fmt_level(level: float) -> str:
    """0.95 → '95 %', 0.998 → '99,8 %'."""
    return fmt.target_pct(round(level * 100, 1))


def _legend_band(fig: go.Figure, color: str, name: str) -> None:
    """A legend entry for a shaded band (shapes have no legend of their own)."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                             marker=dict(symbol="square", size=14, color=color, line=dict(width=0))))


def _title(title: str, subtitle: str | None) -> dict:
    out = dict(text=title)
    if subtitle:
        out["subtitle"] = dict(text=subtitle, font=dict(size=13, color=theme.MUTED))
    return out


def _place_labels(points: list[tuple[int, float, float, str, bool]], *, x_range: tuple[float, float],
                  y_range: tuple[float, float], width_px: float = 820.0, height_px: float = 330.0
                  ) -> dict[int, tuple[int, int]]:
    """Pixel offsets (ax, ay) for point names so that no two names overlap and none leaves the plot.

    `points`: (key, x in axis units (log10 n), y in percent, name, below) with `below` for points
    under the limits (their names go underneath first). Greedy: each name takes the first candidate
    position, nearest first, whose box is free; the plot size is an estimate of the screen figure.
    """
    def to_px(x: float, y: float) -> tuple[float, float]:
        fx = (x - x_range[0]) / ((x_range[1] - x_range[0]) or 1.0)
        fy = (y - y_range[0]) / ((y_range[1] - y_range[0]) or 1.0)
        return fx * width_px, (1.0 - fy) * height_px  # screen y grows downwards

    up = [(0, -22), (-45, -30), (45, -30), (0, -42), (-70, -48), (70, -48), (0, -62), (-95, -66), (95, -66)]
    candidates_above = up + [(dx, -dy) for dx, dy in up]
    candidates_below = [(dx, -dy) for dx, dy in up] + up
    boxes: list[tuple[float, float, float, float]] = []
    # the points themselves are obstacles too
    dots = [to_px(x, y) for _k, x, y, _n, _b in points]
    out: dict[int, tuple[int, int]] = {}
    for key, x, y, name, below in sorted(points, key=lambda t: t[1]):
        px, py = to_px(x, y)
        w, h = 6.2 * len(name) + 8, 15.0
        chosen = None
        for ax, ay in (candidates_below if below else candidates_above):
            cx, cy = px + ax, py + ay
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[0] < 0 or box[2] > width_px or box[1] < 0 or box[3] > height_px:
                continue
            if any(not (box[2] < o[0] or box[0] > o[2] or box[3] < o[1] or box[1] > o[3]) for o in boxes):
                continue
            if any(box[0] - 3 < dx < box[2] + 3 and box[1] - 3 < dy < box[3] + 3 for dx, dy in dots):
                continue
            chosen = (ax, ay)
            boxes.append(box)
            break
        out[key] = chosen if chosen is not None else ((0, 22) if below else (0, -22))
    return out


def funnel_figure(
    f: Funnel,
    *,
    title: str,
    subtitle: str | None = None,
    highlight: str | None = None,
    highlight_label: str = "Egen region",
    benchmark_label: str = "Riket",
    target_low=None,
    target_high=None,
    direction: str = "none",
    x_title: str = "Antal i nämnaren (n)",
    height: int = 520,
) -> go.Figure:
    """The funnel plot: groups as points (n on x, percent on y), the benchmark line, 95 % and
    99.8 % limits, target bands, the highlighted group (by key) named and coloured."""
    fig = go.Figure()
    target_bands(fig, target_low=target_low, target_high=target_high, direction=direction, axis="y")
    c = f.curve
    kind = "justerade för överspridning" if f.method == "overdispersed" else "binomiala"
    for tag, level, color, dash in (("998", 0.998, COLOR_LIMIT_998, "dash"), ("95", 0.95, COLOR_LIMIT_95, "solid")):
        name = f"{fmt_level(level)}-gränser ({kind})"
        fig.add_trace(go.Scatter(x=c["n"], y=c[f"hi{tag}"], mode="lines", name=name, legendgroup=tag,
                                 line=dict(color=color, width=1.2, dash=dash), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=c["n"], y=c[f"lo{tag}"], mode="lines", name=name, legendgroup=tag,
                                 showlegend=False, line=dict(color=color, width=1.2, dash=dash), hoverinfo="skip"))
    if len(c):
        fig.add_trace(go.Scatter(x=[c["n"].min(), c["n"].max()], y=[f.p0, f.p0], mode="lines",
                                 name=f"{benchmark_label} {fmt_value(f.p0)}", hoverinfo="skip",
                                 line=dict(color=COLOR_BENCHMARK, width=1.5)))
    p = f.points
    is_hl = (p["key"] == highlight).to_numpy() if highlight is not None else np.zeros(len(p), bool)
    category = np.where(is_hl, "hl", np.where(p["outside_998"], "998", np.where(p["outside_95"], "95", "in")))
    hl_name = f"{highlight_label}: {p.loc[is_hl, 'label'].iloc[0]}" if is_hl.any() else ""
    styles = {  # drawing order: the highlighted point last, on top
        "in": ("Inom 95\u00a0%-gränserna", COLOR_POINT, 10),
        "95": ("Utanför 95\u00a0%", COLOR_OUTSIDE_95, 11),
        "998": ("Utanför 99,8\u00a0%", COLOR_OUTSIDE_998, 11),
        "hl": (hl_name, COLOR_HIGHLIGHT, 15),
    }
    named_points = []
    for cat, (name, color, size) in styles.items():
        sub = p[category == cat]
        if not len(sub):
            continue
        hover = [
            f"<b>{r.label}</b><br>{fmt_value(r.value)} ({fmt_int(r.numerator)} av {fmt_int(r.denominator)})"
            f"<br>95\u00a0%-gränser vid n = {fmt_int(r.denominator)}: {fmt_num(r.lo95)}–{fmt_num(r.hi95)}\u00a0%"
            + (f"<br>Utanför 95\u00a0% ({r.side})" if r.outside_95 else "")
            + (" och 99,8\u00a0%" if r.outside_998 else "")
            for r in sub.itertuples()
        ]
        named = cat != "in"  # points outside the limits and the chosen region carry their name
        fig.add_trace(go.Scatter(
            x=sub["denominator"].astype(float), y=sub["value"].astype(float),
            mode="markers", name=name,
            customdata=sub["key"].astype(str).to_numpy(), hovertext=hover, hoverinfo="text",
            marker=dict(size=size, color=color, line=dict(width=2 if cat == "hl" else 0.5, color="white")),
        ))
        if named:  # points outside the limits and one's own unit carry their name (placed below)
            named_points += [(i, float(np.log10(float(r["denominator"]))), float(r["value"]), str(r["label"]),
                              r["side"] == "under") for i, r in sub.iterrows()]

    targets = [float(t) for t in (target_low, target_high) if t is not None and not pd.isna(t)]
    ys = np.concatenate([p["value"].to_numpy(float), c["lo95"].to_numpy(float), c["hi95"].to_numpy(float), [f.p0],
                         targets])
    ys = ys[np.isfinite(ys)]
    if len(ys):
        pad = max(2.0, (ys.max() - ys.min()) * 0.12)  # room for the names
        yr = [max(0.0, ys.min() - pad), min(100.0, ys.max() + pad)]
    else:
        yr = [0, 100]
    if len(c):
        xr = (float(np.log10(c["n"].min())), float(np.log10(c["n"].max())))
        plot_h = height - 190  # the figure's top and bottom margins
        for key, (ax, ay) in _place_labels(named_points, x_range=xr, y_range=(yr[0], yr[1]),
                                           height_px=plot_h).items():
            _k, x, y, name, _below = next(t for t in named_points if t[0] == key)
            fig.add_annotation(x=x, y=y, text=name, showarrow=True, arrowhead=0, arrowwidth=0.8,
                               arrowcolor="#9aa3ad", ax=ax, ay=ay, standoff=4, font=dict(size=11, color=theme.TEXT),
                               bgcolor="rgba(255,255,255,0.8)")
    fig.update_layout(
        template=theme.register(), separators=theme.SEPARATORS, height=height, title=_title(title, subtitle),
        xaxis=dict(title=x_title, type="log", tickformat=",d", dtick="D2", showgrid=True,
                   range=[float(np.log10(c["n"].min())), float(np.log10(c["n"].max()))] if len(c) else None),
        yaxis=dict(title="Procent", range=yr, ticksuffix="\u00a0%"),
        legend=dict(orientation="h", yanchor="top", y=-0.16, x=0),
        margin=dict(t=90, l=60, r=20, b=100),
    )
    return fig


# ---------------------------------------------------------------------------------------------
# Caterpillar
# ---------------------------------------------------------------------------------------------
def caterpillar_figure(
    result: pd.DataFrame,
    *,
    title: str,
    subtitle: str | None = None,
    key: str = "region",
    labels: Mapping[str, str] | None = None,
    benchmark: float | None = None,
    benchmark_label: str = "Riket",
    highlight: str | None = None,
    highlight_label: str = "Egen region",
    unit: str = "procent",
    direction: str = "higher",
    target_low=None,
    target_high=None,
    value_axis_title: str | None = None,
    count_format: str = "{num} av {den}",
) -> go.Figure:
    """Sorted caterpillar chart: each group's value with its 95 % interval, best at the top, the
    benchmark (riket) as a vertical line, target bands, the highlighted group coloured. Suppressed
    groups keep their row, labelled "otillräckligt underlag" (no point). A column at the right
    gives each value with its numerator and denominator (n beside every percentage), written with
    `count_format` ('{num} av {den}'; e.g. '{num} starter' for a rate per 100 000); a median, which
    has no numerator, gets 'n = <denominator>'."""
    rows = caterpillar_rows(result, key=key, labels=labels, direction=direction)
    percent = unit in ("%", "procent")
    decimals = 0 if unit == "dagar" else 1
    fig = go.Figure()
    ok = ~rows["suppressed"].astype(bool) & rows["value"].notna()
    shown, hidden = rows[ok], rows[~ok]
    is_hl = (shown["key"] == highlight).to_numpy() if highlight is not None else np.zeros(len(shown), bool)

    def count_text(r) -> str:
        if not pd.isna(r.numerator):
            if pd.isna(r.denominator):
                return f"n = {fmt_int(r.numerator)}"
            return count_format.format(num=fmt_int(r.numerator), den=fmt_int(r.denominator))
        if not pd.isna(r.denominator):
            return f"n = {fmt_int(r.denominator)}"
        return ""

    for cat in ("other", "hl"):
        sub = shown[is_hl] if cat == "hl" else shown[~is_hl]
        if not len(sub):
            continue
        hover = []
        for r in sub.itertuples():
            h = f"<b>{r.label}</b><br>{fmt_value(r.value, unit, decimals)}"
            if not pd.isna(r.ci_low):
                h += f" (95\u00a0% KI {fmt_num(r.ci_low, decimals)}–{fmt_num(r.ci_high, decimals)})"
            h += f"<br>{count_text(r)}"
            hover.append(h)
        err = None
        if sub["ci_low"].notna().any():
            err = dict(type="data", symmetric=False,
                       array=(sub["ci_high"].astype(float) - sub["value"].astype(float)).fillna(0).to_numpy(),
                       arrayminus=(sub["value"].astype(float) - sub["ci_low"].astype(float)).fillna(0).to_numpy(),
                       color=COLOR_HIGHLIGHT if cat == "hl" else "#8a8a8a", thickness=1.6, width=0)
        fig.add_trace(go.Scatter(
            x=sub["value"].astype(float), y=sub["label"], mode="markers", error_x=err,
            name=f"{highlight_label}: {sub['label'].iloc[0]}" if cat == "hl" else (value_axis_title or "Värde"),
            hovertext=hover, hoverinfo="text", customdata=sub["key"].astype(str).to_numpy(),
            marker=dict(size=13 if cat == "hl" else 9, color=COLOR_HIGHLIGHT if cat == "hl" else COLOR_POINT),
            showlegend=cat == "hl",
        ))

    # x range: the values, their intervals, the benchmark and the targets, with room for the words
    xs = np.concatenate([shown["value"].astype(float).to_numpy(), shown["ci_low"].astype(float).to_numpy(),
                         shown["ci_high"].astype(float).to_numpy(),
                         [v for v in (benchmark, target_low, target_high) if v is not None and not pd.isna(v)]])
    xs = xs[np.isfinite(xs)]
    if percent:
        lo = max(0.0, float(xs.min()) - 5.0) if len(xs) else 0.0
        hi = min(100.0, float(xs.max()) + 3.0) if len(xs) else 100.0
        lo = min(lo, 70.0) if len(hidden) else lo  # leave room for "otillräckligt underlag"
        lo = 10.0 * np.floor(lo / 10.0)
    else:
        lo = 0.0
        hi = float(xs.max()) * 1.1 if len(xs) and xs.max() > 0 else 1.0
    if len(hidden):
        # the row stays, with the words instead of a point (never a 0 or a blank)
        fig.add_trace(go.Scatter(
            x=[lo] * len(hidden), y=hidden["label"], mode="text", text=[INSUFFICIENT] * len(hidden),
            textposition="middle right", textfont=dict(size=11, color="#666"), hoverinfo="text",
            hovertext=[f"<b>{lab}</b><br>{INSUFFICIENT}" for lab in hidden["label"]], showlegend=False,
            name=INSUFFICIENT,
        ))
    # right-hand column: value and n for every row, outside the plotting area
    for r in rows.itertuples():
        value_text = fmt_value(r.value, unit, decimals) if unit in ("procent", "%", "dagar") else fmt_num(r.value, 1)
        text = (INSUFFICIENT if (r.suppressed or pd.isna(r.value))
                else f"<b>{value_text}</b>  {count_text(r)}")
        fig.add_annotation(x=0.82, xref="paper", xanchor="left", y=r.label, yref="y", text=text, showarrow=False,
                           font=dict(size=11, color="#666" if r.suppressed else "#222"), align="left")
    if benchmark is not None and not pd.isna(benchmark):
        fig.add_vline(x=float(benchmark), line=dict(color=COLOR_BENCHMARK, width=1.5, dash="dot"))
        fig.add_annotation(x=float(benchmark), y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"{benchmark_label} {fmt_value(benchmark, unit, decimals)}", font=dict(size=11))
    if percent:
        target_bands(fig, target_low=target_low, target_high=target_high, direction=direction, axis="x",
                     upper=100.0)
    height = max(360, 24 * len(rows) + 170)
    axis_title = value_axis_title or ("Procent, med 95\u00a0% konfidensintervall" if percent else unit)
    order = list(reversed(rows["label"].tolist()))  # first row at the top
    fig.update_layout(
        template=theme.register(), separators=theme.SEPARATORS, height=height, title=_title(title, subtitle),
        xaxis=dict(title=axis_title, range=[lo, hi], ticksuffix="\u00a0%" if percent else "", domain=[0, 0.8]),
        yaxis=dict(categoryorder="array", categoryarray=order, type="category", automargin=True),
        legend=dict(orientation="h", yanchor="top", y=-0.1, x=0),
        margin=dict(t=90, l=10, r=10, b=70),
        showlegend=True,
    )
    return fig
