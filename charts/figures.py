"""Plotly figures for the dashboard: comparison bars, trend lines and the scorecard.

Every builder takes a *prepared* table (engine results with a display label per row; nothing is
computed here) and returns a `go.Figure` with the shared template (charts.theme), a title and a
subtitle stating the selection, n next to every value, target bands (yellow = låg målnivå,
green = hög målnivå), "otillräckligt underlag" for suppressed rows, and one's own region
highlighted. The same figure object is drawn on screen and exported (PNG/SVG), so everything a
reader needs is inside the figure.

Input columns (engine result columns plus labels):
  label        text shown for the row/series (region name, pathway name, "Riket")
  value        the indicator value (percent 0–100, days, or per 100 000); NA when suppressed
  ci_low/ci_high   the 95 % interval (NA where the indicator has none)
  numerator/denominator   counts for the "n" text (NA when suppressed)
  suppressed   bool
  provisional  bool (optional)
  role         optional: 'riket' | 'own' | 'selected' | 'muted' | 'unit' (default 'unit')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import textfmt as fmt

from . import theme

ROLE_COLORS = {
    "riket": theme.RIKET,
    "own": theme.OWN,
    "selected": theme.SELECTED,
    "muted": theme.BAR_MUTED,
    "unit": theme.BAR,
}
ROLE_ORDER = {"riket": 0, "own": 1}


# -- helpers ----------------------------------------------------------------------------------------

def _title_px(subtitle: str | None, base: int = 64) -> int:
    """Room for the title and a subtitle of one or more lines (<br>), in px."""
    return base + 18 * ((subtitle or "").count("<br>") + 1)


def _title(title: str, subtitle: str | None) -> dict:
    out = dict(text=title)
    if subtitle:
        out["subtitle"] = dict(text=subtitle, font=dict(size=13, color=theme.MUTED))
    return out


def _col(df: pd.DataFrame, name: str, default=None) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def _num(series: pd.Series) -> np.ndarray:
    """A float array with NaN for missing (pd.NA-safe)."""
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def _bool(series: pd.Series) -> np.ndarray:
    from views.model import flags

    return flags(series).to_numpy()


def value_label(row, unit: str, show_n: bool = True) -> str:
    """'72,4 % (123 av 456)' / 'otillräckligt underlag' / 'inga fall' for one result row; a row
    without a value that says why itself (`missing_text`, e.g. a published figure the source
    withheld) gives that."""
    own_reason = row.get("missing_text")
    if isinstance(own_reason, str) and own_reason and fmt.is_missing(row.get("value")):
        return own_reason
    missing = fmt.missing_text(row)
    if missing is not None:
        return missing
    text = fmt.value_text(row["value"], unit)
    if show_n:
        n = fmt.n_text(row.get("numerator"), row.get("denominator"))
        if unit == "dagar" and not fmt.is_missing(row.get("denominator")):
            n = f"n = {fmt.count(row.get('denominator'))}"
        if n:
            text += f" ({n})"
    return text


def target_bands(fig: go.Figure, *, target_low=None, target_high=None, direction: str = "higher",
                 axis: str = "x", upper: float = 100.0, lower: float = 0.0, legend: bool = True) -> None:
    """Shade the target levels behind the data: yellow = låg målnivå, green = hög målnivå.

    `axis` is the value axis ('x' for horizontal bars, 'y' for trends). With a single level the
    level is drawn green (hög) when only target_high is set, yellow when only target_low is set.
    For direction 'lower' the bands run downwards (≤ target meets it).
    """
    lo = None if fmt.is_missing(target_low) else float(target_low)
    hi = None if fmt.is_missing(target_high) else float(target_high)
    if lo is None and hi is None or direction not in ("higher", "lower"):
        return
    bands = []  # (from, to, colour, line colour, label)
    if direction == "higher":
        if lo is not None and hi is not None:
            bands.append((lo, hi, theme.BAND_LOW, theme.LINE_LOW, f"Låg målnivå ({fmt.target_pct(lo)})"))
            bands.append((hi, upper, theme.BAND_HIGH, theme.LINE_HIGH, f"Hög målnivå ({fmt.target_pct(hi)})"))
        elif hi is not None:
            bands.append((hi, upper, theme.BAND_HIGH, theme.LINE_HIGH, f"Målnivå ({fmt.target_pct(hi)})"))
        else:
            bands.append((lo, upper, theme.BAND_LOW, theme.LINE_LOW, f"Låg målnivå ({fmt.target_pct(lo)})"))
    else:
        if lo is not None and hi is not None:
            bands.append((hi, lo, theme.BAND_LOW, theme.LINE_LOW, f"Låg målnivå (≤ {fmt.target_pct(lo)})"))
            bands.append((lower, hi, theme.BAND_HIGH, theme.LINE_HIGH, f"Hög målnivå (≤ {fmt.target_pct(hi)})"))
        elif hi is not None:
            bands.append((lower, hi, theme.BAND_HIGH, theme.LINE_HIGH, f"Målnivå (≤ {fmt.target_pct(hi)})"))
        else:
            bands.append((lower, lo, theme.BAND_LOW, theme.LINE_LOW, f"Låg målnivå (≤ {fmt.target_pct(lo)})"))
    for start, end, colour, line, label in bands:
        if axis == "x":
            fig.add_vrect(x0=start, x1=end, fillcolor=colour, line_width=0, layer="below")
        else:
            fig.add_hrect(y0=start, y1=end, fillcolor=colour, line_width=0, layer="below")
        if legend:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label, hoverinfo="skip",
                                     marker=dict(symbol="square", size=14, color=colour,
                                                 line=dict(color=line, width=1))))
    for value, line in ((lo, theme.LINE_LOW), (hi, theme.LINE_HIGH)):
        if value is None:
            continue
        if axis == "x":
            fig.add_vline(x=value, line=dict(color=line, width=1.5, dash="dash"), layer="below")
        else:
            fig.add_hline(y=value, line=dict(color=line, width=1.5, dash="dash"), layer="below")


def _bottom(fig: go.Figure, *, height: int, top: int, axis_px: int, note: str | None, legend: bool = True) -> None:
    """Place the legend and the note under the x axis, in pixels (independent of the height).

    `axis_px` is the room the x tick labels and axis title take under the plot area."""
    legend_px = 24 * _legend_rows(fig) + 2 if legend else 0
    note_px = 22 if note else 0
    bottom = axis_px + legend_px + note_px + 12
    plot_h = max(60, height - top - bottom)
    fig.update_layout(margin=dict(t=top, b=bottom),
                      legend=dict(orientation="h", x=0, xanchor="left", y=-(axis_px / plot_h), yanchor="top"))
    if note:
        fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=0, yshift=-(axis_px + legend_px + 4),
                           showarrow=False, xanchor="left", yanchor="top", align="left",
                           font=dict(size=11, color=theme.MUTED))


def _top_legend(fig: go.Figure, *, height: int, top: int, axis_px: int, note: str | None,
                legend: bool = True) -> None:
    """Place the legend above the plot area, under the title and subtitle (so it never meets the
    x-axis title), and the note under the x axis; in pixels, independent of the height.

    `top` is the room of the title and subtitle; `axis_px` the room the x tick labels and axis
    title take under the plot area."""
    rows = _legend_rows(fig) if legend else 0
    legend_px = 24 * rows + 6 if rows else 0
    note_px = 16 * (note.count("<br>") + 1) + 6 if note else 0  # a long note is split with <br>
    fig.update_layout(margin=dict(t=top + legend_px, b=axis_px + note_px + 12), showlegend=bool(rows),
                      legend=dict(orientation="h", x=0, xanchor="left", y=1, yref="paper", yanchor="bottom",
                                  bgcolor="rgba(255,255,255,0)", traceorder="normal"))
    if note:
        fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=0, yshift=-(axis_px + 4),
                           showarrow=False, xanchor="left", yanchor="top", align="left",
                           font=dict(size=11, color=theme.MUTED))


def _legend_rows(fig: go.Figure, width_px: int = 480) -> int:
    """Rows a horizontal legend needs (estimated from the entries' text length)."""
    widths = [44 + 7 * len(str(t.name)) for t in fig.data
              if t.name and t.showlegend is not False and not (t.type == "bar" and t.showlegend is None)]
    rows, used = 1, 0
    for w in widths:
        if used and used + w > width_px:
            rows += 1
            used = 0
        used += w
    return rows if widths else 0


def _legend_marker(fig: go.Figure, name: str, color: str, symbol: str = "square") -> None:
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                             marker=dict(symbol=symbol, size=12, color=color, line=dict(color="#9aa3ad", width=1))))


# -- comparison bars -----------------------------------------------------------------------------

def bar_comparison(df: pd.DataFrame, *, title: str, subtitle: str | None = None, unit: str = "procent",
                   target_low=None, target_high=None, direction: str = "higher", show_ci: bool = True,
                   sort: bool = True, value_axis_title: str | None = None, reference_col: str | None = None,
                   reference_name: str = "Ledtidsgräns", own_label: str | None = None,
                   note: str | None = None, text_col: str | None = None,
                   selected_label: str = "Valt", published_col: str | None = None,
                   published_name: str = "Publicerat", difference_col: str | None = None) -> go.Figure:
    """Horizontal bars, one per row of `df` (see module docstring), best value at the top.

    Riket and one's own region ('role' riket/own) are placed first. Suppressed rows keep their
    place with the text "otillräckligt underlag" instead of a bar. `text_col` (optional) replaces
    the value text of non-suppressed rows. `reference_col` (optional)
    marks a per-row reference value (e.g. the pathway's lead-time limit in days) with a line.
    `published_col` (optional) marks a per-row published figure (Kolada's value for the same unit
    and year) with an open diamond named `published_name` in the legend; its hover text gives
    the value and, from `difference_col`, the difference computed − published where there is one.
    The bar trace is the first trace of the figure and carries exactly the engine's values (NaN
    for suppressed rows), in display order (top to bottom).
    """
    d = df.copy().reset_index(drop=True)
    d["role"] = _col(d, "role", "unit").fillna("unit")
    d["_value"] = _num(_col(d, "value"))
    d["_supp"] = _bool(_col(d, "suppressed", False)) | np.isnan(d["_value"])
    if sort:
        better_high = direction != "lower"
        key = d["_value"].where(~d["_supp"])
        d["_rank"] = d["role"].map(ROLE_ORDER).fillna(9)
        d["_key"] = (-key if better_high else key).fillna(np.inf)
        d = d.sort_values(["_rank", "_key", "label"], kind="stable").reset_index(drop=True)
    labels = [str(x) for x in d["label"]]
    colors = [ROLE_COLORS.get(r, theme.BAR) for r in d["role"]]
    values = d["_value"].to_numpy()
    texts = [value_label(row, unit) for _, row in d.iterrows()]
    if text_col and text_col in d.columns:
        texts = [t if s or fmt.is_missing(c) else str(c) for t, c, s in zip(texts, d[text_col], d["_supp"])]
    prov = _bool(_col(d, "provisional", False))
    if prov.any():
        # visible on screen, in images and on slides, not only in the hover text
        mark = "preliminära uppgifter (perioden är inte färdigrapporterad)"
        subtitle = f"{subtitle}<br>{mark}" if subtitle else mark

    fig = go.Figure()
    has_ci = show_ci and "ci_low" in d.columns and _num(d["ci_low"]).size and not np.all(np.isnan(_num(d["ci_low"])))
    error_x = None
    if has_ci:
        lo, hi = _num(d["ci_low"]), _num(d["ci_high"])
        error_x = dict(type="data", symmetric=False, array=np.nan_to_num(hi - values, nan=0.0),
                       arrayminus=np.nan_to_num(values - lo, nan=0.0), color="#4a5560", thickness=1.2, width=3)
    hover = []
    for i, row in d.iterrows():
        h = f"<b>{labels[i]}</b><br>{texts[i]}"
        if has_ci:
            ci = fmt.interval_text(row.get("ci_low"), row.get("ci_high"), unit)
            if ci:
                h += f"<br>{ci}"
        if isinstance(row.get("verdict"), str):
            h += f"<br>{row['verdict'].capitalize()}"
        if prov[i]:
            h += f"<br><i>{fmt.PROVISIONAL}</i>"
        hover.append(h)
    fig.add_trace(go.Bar(
        x=values, y=labels, orientation="h",
        marker=dict(color=colors, line=dict(width=0),
                    pattern=dict(shape=["/" if p else "" for p in prov], fillmode="overlay", fgcolor="white",
                                 fgopacity=0.35, size=7)),
        error_x=error_x, text=[t if not s else "" for t, s in zip(texts, d["_supp"])],
        textposition="outside", cliponaxis=False, textfont=dict(size=12, color=theme.TEXT),
        hovertext=hover, hoverinfo="text", name=title, showlegend=False,
    ))
    ref_vals = _num(d[reference_col]) if reference_col and reference_col in d.columns else None
    pub_vals = _num(d[published_col]) if published_col and published_col in d.columns else None
    if pub_vals is not None and np.all(np.isnan(pub_vals)):
        pub_vals = None
    if has_ci or ref_vals is not None or pub_vals is not None:
        # outside text would sit on the whisker or the reference mark: move it beyond both
        fig.data[0].text = None
        pos = values.copy()
        if has_ci:
            pos = np.fmax(pos, _num(d["ci_high"]))
        if ref_vals is not None:
            pos = np.fmax(pos, ref_vals)
        if pub_vals is not None:
            pos = np.fmax(pos, pub_vals)
        fig.add_trace(go.Scatter(x=np.nan_to_num(pos, nan=0.0), y=labels, mode="text",
                                 # clear of the published diamond (11 px) where there is one
                                 text=[(("    " if pub_vals is not None else "  ") + t) if not s else ""
                                       for t, s in zip(texts, d["_supp"])],
                                 textposition="middle right", textfont=dict(size=12, color=theme.TEXT),
                                 hoverinfo="skip", showlegend=False, cliponaxis=False))
    supp_labels = [lab for lab, s in zip(labels, d["_supp"]) if s]
    supp_texts = [value_label(row, unit) for (_, row), s in zip(d.iterrows(), d["_supp"]) if s]
    if supp_labels:
        fig.add_trace(go.Scatter(x=[0] * len(supp_labels), y=supp_labels, mode="text",
                                 text=["  " + t for t in supp_texts], textposition="middle right",
                                 textfont=dict(size=12, color=theme.MUTED, style="italic"),
                                 hoverinfo="skip", showlegend=False, cliponaxis=False))
    if reference_col and reference_col in d.columns:
        ref = _num(d[reference_col])
        fig.add_trace(go.Scatter(x=ref, y=labels, mode="markers", name=reference_name,
                                 marker=dict(symbol="line-ns", size=18, line=dict(width=3, color=theme.LINE_LOW)),
                                 hovertemplate="%{y}: " + reference_name.lower() + " %{x} dagar<extra></extra>"))
    if pub_vals is not None:
        diffs = _num(d[difference_col]) if difference_col and difference_col in d.columns else \
            np.full(len(d), np.nan)
        hover_pub = []
        for lab, p, diff in zip(labels, pub_vals, diffs):
            h = f"<b>{lab}</b><br>{published_name}: {fmt.value_text(p, unit)}"
            if not np.isnan(diff):
                h += f"<br>Skillnad beräknat − publicerat: {_signed(diff)} procentenheter"
            hover_pub.append(h)
        fig.add_trace(go.Scatter(x=pub_vals, y=labels, mode="markers", name=published_name,
                                 marker=dict(symbol="diamond", size=11, color="white",
                                             line=dict(width=2, color=theme.TEXT)),
                                 hovertext=hover_pub, hoverinfo="text", cliponaxis=False,
                                 meta={"role": "published"}))

    # legend entries explaining the colours
    roles = set(d["role"])  # the total's dark bar is named on its own axis label
    if "own" in roles:
        _legend_marker(fig, own_label or "Egen region", theme.OWN)
    if "selected" in roles:
        _legend_marker(fig, selected_label, theme.SELECTED)
    if has_ci:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="95 % konfidensintervall",
                                 line=dict(color="#4a5560", width=1.2), hoverinfo="skip"))
    if prov.any():  # the hatching explained in the legend, on screen and in images
        fig.add_trace(go.Bar(x=[0], y=[labels[0]], orientation="h", name="Preliminärt",
                             marker=dict(color=theme.BAR_MUTED, pattern=dict(shape="/", fgcolor="white", size=7)),
                             hoverinfo="skip", showlegend=True))

    finite = np.concatenate([values[~np.isnan(values)],
                             _num(d["ci_high"])[~np.isnan(_num(d["ci_high"]))] if has_ci else np.array([]),
                             pub_vals[~np.isnan(pub_vals)] if pub_vals is not None else np.array([])])
    top = float(finite.max()) if finite.size else 0.0
    tickvals = None
    has_target = not (fmt.is_missing(target_low) and fmt.is_missing(target_high))
    if unit == "procent" and has_target:
        # the axis reaches 100 % (further only when a value needs it: inclusion can exceed 100)
        upper = 100.0 if top <= 100 else top * 1.02
        tickvals = _percent_ticks(upper) if upper <= 100 else list(range(0, int(upper) + 1, 20 if upper <= 160 else 40))
        x_range = [0, upper * 1.22]  # room for the value text beyond the last tick
    elif unit == "procent":
        # no target to compare with: scale to the data so small shares stay readable
        upper = min(100.0, max(5.0, top * 1.1)) if top <= 100 else top * 1.02
        tickvals = _percent_ticks(upper) if upper <= 100 else None
        x_range = [0, upper * 1.35]
    else:
        if reference_col and reference_col in d.columns:
            refs = _num(d[reference_col])
            if np.any(~np.isnan(refs)):
                top = max(top, float(np.nanmax(refs)))
        upper = top * 1.05 if top > 0 else 1.0
        x_range = [0, upper * 1.35 if top > 0 else 1.0]
    target_bands(fig, target_low=target_low, target_high=target_high, direction=direction, axis="x",
                 upper=100.0 if unit == "procent" else x_range[1])  # a share's band ends at 100 %
    height = max(280, 26 * len(labels) + 200)
    fig.update_layout(
        title=_title(title, subtitle),
        height=height,
        xaxis=dict(range=x_range, title=value_axis_title or _axis_title(unit), ticksuffix=" %" if unit == "procent" else "",
                   showgrid=True, tickvals=tickvals),
        yaxis=dict(autorange="reversed", type="category", showgrid=False),
        margin=dict(l=10, r=30),
    )
    _top_legend(fig, height=height, top=_title_px(subtitle), axis_px=52, note=note)
    theme.apply(fig)
    return fig


def _signed(value: float) -> str:
    """'+0,4' / '−1,2' with a real minus sign."""
    return ("+" if value > 0 else "−" if value < 0 else "±") + fmt.number(abs(value), 1)


def _axis_title(unit: str) -> str:
    return {"procent": "Andel (%)", "dagar": "Dagar", "per 100 000": "Per 100 000 invånare",
            "antal": "Antal"}.get(unit, unit)


# -- trend lines ----------------------------------------------------------------------------------

def trend_lines(df: pd.DataFrame, *, x_order: Sequence[str], title: str, subtitle: str | None = None,
                unit: str = "procent", target_low=None, target_high=None, direction: str = "higher",
                show_ci: bool = True, x_title: str | None = None, note: str | None = None) -> go.Figure:
    """One line per series over the period labels in `x_order`.

    `df` columns: series (line name), x (display period label, one of x_order), value, ci_low,
    ci_high, numerator, denominator, suppressed, provisional, role (riket/own/unit). Provisional
    points get open markers and a dotted line; the provisional stretch is shaded and labelled
    "preliminärt". Suppressed points leave a gap. Riket is dark, one's own region orange; the
    own series (or riket when there is none) also gets its interval as a band. Traces named after the series
    carry the engine values (NaN where suppressed) in x_order.
    """
    d = df.copy()
    d["role"] = _col(d, "role", "unit").fillna("unit")
    fig = go.Figure()
    series_order = (d.assign(_r=d["role"].map(ROLE_ORDER).fillna(9))
                    .sort_values(["_r"], kind="stable")["series"].drop_duplicates().tolist())
    color_i = 0
    banded = False
    band_role = "own" if (d["role"] == "own").any() else "riket"
    all_prov_x: set[str] = set()
    for name in series_order:
        s = d[d["series"] == name].set_index("x").reindex(list(x_order))
        role = s["role"].dropna().iloc[0] if s["role"].notna().any() else "unit"
        if role in ("riket", "own"):
            color = ROLE_COLORS[role]
            width = 3.2
        else:
            color = theme.COLORWAY[color_i % len(theme.COLORWAY)]
            color_i += 1
            width = 1.8
        value = _num(s["value"])
        supp = _bool(s["suppressed"]) if "suppressed" in s else np.zeros(len(s), bool)
        value = np.where(supp, np.nan, value)
        prov = _bool(s["provisional"]) if "provisional" in s else np.zeros(len(s), bool)
        all_prov_x |= {x for x, p, v in zip(x_order, prov, value) if p and not np.isnan(v)}
        texts = [value_label(r, unit) for _, r in s.assign(suppressed=supp).iterrows()]
        hover = [f"<b>{name}</b> {x}<br>{t}" + (f"<br><i>{fmt.PROVISIONAL}</i>" if p else "")
                 for x, t, p in zip(x_order, texts, prov)]
        if show_ci and not banded and role == band_role and "ci_low" in s and s["ci_low"].notna().any():
            lo, hi = _num(s["ci_low"]), _num(s["ci_high"])
            lo, hi = np.where(supp, np.nan, lo), np.where(supp, np.nan, hi)
            fig.add_trace(go.Scatter(x=list(x_order), y=hi, mode="lines", line=dict(width=0), hoverinfo="skip",
                                     showlegend=False, connectgaps=False))
            fig.add_trace(go.Scatter(x=list(x_order), y=lo, mode="lines", line=dict(width=0), fill="tonexty",
                                     fillcolor=_rgba(color, 0.15), hoverinfo="skip", connectgaps=False,
                                     name=f"95 % konfidensintervall ({name})"))
            banded = True
        # main line (all points, solid up to the last mature point)
        mature = np.where(prov, np.nan, value)
        if np.any(prov) and np.any(~prov & ~np.isnan(value)):
            # join the dotted provisional part to the last mature point
            last = max(i for i in range(len(value)) if not prov[i] and not np.isnan(value[i]))
            dotted = np.where(prov, value, np.nan)
            dotted[last] = value[last]
        else:
            dotted = np.where(prov, value, np.nan)
        fig.add_trace(go.Scatter(
            x=list(x_order), y=value, mode="markers", name=name, legendgroup=name, showlegend=False,
            marker=dict(color=[("white" if p else color) for p in prov], size=7 if width > 2 else 6,
                        line=dict(color=color, width=1.5)),
            hovertext=hover, hoverinfo="text",
        ))
        fig.add_trace(go.Scatter(x=list(x_order), y=mature, mode="lines", name=name, legendgroup=name,
                                 line=dict(color=color, width=width), hoverinfo="skip", connectgaps=False))
        if np.any(prov):
            fig.add_trace(go.Scatter(x=list(x_order), y=dotted, mode="lines", name=name, legendgroup=name,
                                     showlegend=False, line=dict(color=color, width=width, dash="dot"),
                                     hoverinfo="skip", connectgaps=False))
    if all_prov_x:
        xs = [x for x in x_order if x in all_prov_x]
        first, last = list(x_order).index(xs[0]), list(x_order).index(xs[-1])
        fig.add_vrect(x0=first - 0.5, x1=last + 0.5, fillcolor="rgba(138,148,160,0.12)", line_width=0,
                      layer="below", annotation_text="preliminärt", annotation_position="top left",
                      annotation_font=dict(size=11, color=theme.MUTED))
    values = _num(d["value"])
    if show_ci and "ci_high" in d.columns:
        values = np.concatenate([values, _num(d["ci_high"])])
    top = np.nanmax(values) if np.any(~np.isnan(values)) else 0
    has_target = not (fmt.is_missing(target_low) and fmt.is_missing(target_high))
    if unit == "procent" and has_target:
        y_upper = max(100.0, float(top) * 1.05)
        y_range = [0, y_upper]
    elif unit == "procent":
        y_upper = min(100.0, max(5.0, float(top) * 1.25))
        y_range = [0, y_upper]
    else:
        y_upper = float(top) * 1.15 if top else 1
        y_range = [0, y_upper]
    target_bands(fig, target_low=target_low, target_high=target_high, direction=direction, axis="y",
                 upper=min(100.0, y_range[1]) if unit == "procent" else y_range[1])
    angled = len(x_order) > 14
    fig.update_layout(
        title=_title(title, subtitle),
        height=480,
        xaxis=dict(type="category", categoryorder="array", categoryarray=list(x_order), title=x_title,
                   range=[-0.5, len(x_order) - 0.5], tickangle=-45 if angled else 0),
        yaxis=dict(range=y_range, title=_axis_title(unit), ticksuffix=" %" if unit == "procent" else ""),
        margin=dict(l=10, r=20),
        hovermode="closest",
    )
    _bottom(fig, height=480, top=_title_px(subtitle), axis_px=(72 if angled else 34) + (20 if x_title else 0), note=note)
    theme.apply(fig)
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# -- scorecard -------------------------------------------------------------------------------------

def scorecard(cells: pd.DataFrame, *, rows: Sequence[str], columns: Sequence[str], title: str,
              subtitle: str | None = None, highlight_rows: Sequence[str] = (),
              note: str | None = None) -> go.Figure:
    """A rows × indicators grid coloured by target level.

    `cells` columns: row, column (display labels), text (value and n, already formatted), level
    ('high' | 'low' | 'none' | 'suppressed' | 'no_target'), uncertain (bool: the 95 % interval
    includes a target level, marked with ◐), hover (optional). Rows in `highlight_rows` (riket,
    own region) are printed in bold. The grid is a heatmap whose z holds the level codes.
    """
    order = ["high", "low", "none", "suppressed", "no_target", "no_cases"]
    codes = {level: k for k, level in enumerate(order)}
    rows, columns = list(rows), list(columns)
    z = np.full((len(rows), len(columns)), np.nan)
    text = [["" for _ in columns] for _ in rows]
    hover = [["" for _ in columns] for _ in rows]
    ri = {r: i for i, r in enumerate(rows)}
    ci = {c: j for j, c in enumerate(columns)}
    for _, c in cells.iterrows():
        if c["row"] not in ri or c["column"] not in ci:
            continue
        i, j = ri[c["row"]], ci[c["column"]]
        level = c["level"] if c["level"] in codes else "no_target"
        z[i, j] = codes[level]
        symbol = theme.LEVEL_SYMBOLS.get(level, "")
        mark = " ?" if bool(c.get("uncertain", False)) else ""
        text[i][j] = f"{symbol} {c['text']}{mark}".strip() if symbol else f"{c['text']}{mark}"
        hover[i][j] = c.get("hover") or f"{c['row']} – {c['column']}<br>{c['text']}"
    n = len(order)
    colorscale = []
    for k, level in enumerate(order):
        colorscale.append([k / n, theme.LEVEL_COLORS[level]])
        colorscale.append([(k + 1) / n, theme.LEVEL_COLORS[level]])
    y_labels = [f"<b>{r}</b>" if r in set(highlight_rows) else r for r in rows]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=y_labels, text=text, texttemplate="%{text}", textfont=dict(size=12, color=theme.TEXT),
        hovertext=hover, hoverinfo="text", colorscale=colorscale, zmin=-0.5, zmax=n - 0.5, showscale=False,
        xgap=3, ygap=3,
    ))
    # invisible markers over the cells: clicking one selects it (heatmaps cannot be selected)
    xs, ys, hv = [], [], []
    for i, r in enumerate(y_labels):
        for j, c in enumerate(columns):
            if text[i][j]:
                xs.append(c)
                ys.append(r)
                hv.append(hover[i][j])
    fig.data[0].hoverinfo = "skip"
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", hovertext=hv, hoverinfo="text", showlegend=False,
                             name="celler", marker=dict(symbol="square", size=28, color="rgba(0,0,0,0)"),
                             selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1))))
    present = {order[int(v)] for v in z.flatten() if not np.isnan(v)}
    for level in order:
        if level in present or level in ("high", "low", "none", "suppressed"):
            symbol = theme.LEVEL_SYMBOLS.get(level, "")
            _legend_marker(fig, f"{symbol} {theme.LEVEL_NAMES[level]}".strip(), theme.LEVEL_COLORS[level])
    height = max(320, 34 * len(rows) + 210)
    fig.update_layout(
        title=_title(title, subtitle),
        height=height,
        xaxis=dict(side="top", showgrid=False, type="category", tickfont=dict(size=12), ticks="",
                   ticklabelstandoff=6),
        yaxis=dict(autorange="reversed", showgrid=False, type="category", ticks=""),
        margin=dict(l=10, r=10),
        plot_bgcolor="white",
    )
    _bottom(fig, height=height, top=_title_px(subtitle, 110), axis_px=8, note=note)
    theme.apply(fig)
    return fig


def bar_values(fig: go.Figure) -> pd.Series:
    """The values of the first (data) trace of a bar_comparison figure, indexed by label (tests)."""
    tr = fig.data[0]
    return pd.Series(np.asarray(tr.x, dtype=float), index=list(tr.y))


# -- lead-time distribution ----------------------------------------------------------------------

def _percent_ticks(upper: float) -> list[float]:
    """Tick values 0 … upper for a percent axis (at most about six ticks, a multiple of a nice step)."""
    for step in (1, 2, 5, 10, 20, 25, 50):
        if upper / step <= 6:
            break
    return [float(v) for v in np.arange(0, upper + 1e-9, step)]


def lead_time_distribution(series: Sequence[dict], *, title: str, subtitle: str | None = None,
                           limit: float | None = None, target: float | None = None,
                           chosen_days: int | None = None, x_max: float | None = None,
                           note: str | None = None) -> go.Figure:
    """The cumulative share treated within X days (rccShiny's "andel inom X dagar"), one step line
    per series, with the 95 % interval of the first series as a band.

    Each series is a dict: name (legend text), role ('riket' | 'own' | 'unit'), table (an engine
    lead_time_days table: days, share_within, ci_low, ci_high), n (episodes in the selection) and
    optionally chosen (ui.data.share_within for `chosen_days`, marked with a point). `limit` (days)
    draws the pathway's lead-time limit as a vertical line and `target` (percent) the national
    target as a point on it. The traces named after the series carry exactly the engine's days and
    shares. Hover texts give shares and the n of the whole selection, never counts per day.
    """
    fig = go.Figure()
    top_x = 0.0
    color_i = 0
    marks: list[tuple[float, str, str]] = []  # (share at the chosen X, text, colour)
    for k, s in enumerate(series):
        t = s["table"]
        days = _num(t["days"])
        share = _num(t["share_within"])
        lo, hi = _num(t["ci_low"]), _num(t["ci_high"])
        role = s.get("role", "unit")
        if role in ("riket", "own"):
            color, width = ROLE_COLORS[role], 3.0
        else:
            color, width = theme.COLORWAY[color_i % len(theme.COLORWAY)], 2.4
            color_i += 1
        n = s.get("n")
        n_part = f"n = {fmt.count(n)} i urvalet" if not fmt.is_missing(n) else ""
        if k == 0:
            fig.add_trace(go.Scatter(x=days, y=hi, mode="lines", line=dict(width=0, shape="hv"), hoverinfo="skip",
                                     showlegend=False))
            fig.add_trace(go.Scatter(x=days, y=lo, mode="lines", line=dict(width=0, shape="hv"), fill="tonexty",
                                     fillcolor=_rgba(color, 0.15), hoverinfo="skip",
                                     name=f"95 % konfidensintervall ({s['name']})"))
        hover = [f"<b>{s['name']}</b><br>Inom {fmt.days(d)}: {fmt.pct(v)}<br>{fmt.interval_text(a, b)}"
                 + (f"<br>{n_part}" if n_part else "")
                 for d, v, a, b in zip(days, share, lo, hi)]
        legend_name = f"{s['name']} (n = {fmt.count(n)})" if not fmt.is_missing(n) else s["name"]
        fig.add_trace(go.Scatter(x=days, y=share, mode="lines", name=legend_name, meta=s["name"],
                                 line=dict(color=color, width=width, shape="hv"), hovertext=hover,
                                 hoverinfo="text"))
        chosen = s.get("chosen")
        if chosen and chosen_days is not None:
            text = fmt.pct(chosen["share"])
            fig.add_trace(go.Scatter(
                x=[chosen_days], y=[chosen["share"]], mode="markers", showlegend=False,
                marker=dict(size=10, color=color, line=dict(color="white", width=1.5)),
                hovertext=[f"<b>{s['name']}</b><br>Inom {fmt.days(chosen_days)}: {text}<br>"
                           f"{fmt.interval_text(chosen['ci_low'], chosen['ci_high'])}<br>{n_part}"],
                hoverinfo="text", cliponaxis=False))
            marks.append((float(chosen["share"]), text, color))
        if days.size:
            top_x = max(top_x, float(np.nanmax(days)))
    if limit is not None and not fmt.is_missing(limit):
        fig.add_vline(x=float(limit), line=dict(color=theme.LINE_LOW, width=2, dash="dash"), layer="below")
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"Ledtidsgräns ({fmt.days(limit)})",
                                 line=dict(color=theme.LINE_LOW, width=2, dash="dash"), hoverinfo="skip"))
        if target is not None and not fmt.is_missing(target):
            fig.add_trace(go.Scatter(x=[float(limit)], y=[float(target)], mode="markers",
                                     name=f"Mål: {fmt.target_pct(target)} inom ledtidsgränsen",
                                     marker=dict(symbol="diamond", size=12, color=theme.LINE_HIGH,
                                                 line=dict(color="white", width=1)),
                                     hovertemplate=f"Mål: {fmt.target_pct(target)} inom {fmt.days(limit)}"
                                                   "<extra></extra>"))
    if chosen_days is not None:
        fig.add_vline(x=float(chosen_days), line=dict(color=theme.MUTED, width=1.2, dash="dot"), layer="below")
        # the shares at X as labels right of the line, on a white ground; two close labels are moved
        # apart (away from the nearer edge of the plot)
        shifts = [0] * len(marks)
        order = sorted(range(len(marks)), key=lambda i: -marks[i][0])
        for a, b in zip(order, order[1:]):
            if abs(marks[a][0] - marks[b][0]) < 7:
                if marks[b][0] > 50:
                    shifts[b] = shifts[a] - 16
                else:
                    shifts[a] = shifts[b] + 16
        for (y, text, color), shift in zip(marks, shifts):
            fig.add_annotation(x=float(chosen_days), y=y, text=f"<b>{text}</b>", showarrow=False, xanchor="left",
                               xshift=8, yshift=shift, font=dict(size=12, color=color),
                               bgcolor="rgba(255,255,255,0.85)", borderpad=2)
        # "X = … dagar" where the labels are not: at the top when the shares are low, else at the bottom
        low = not marks or max(m[0] for m in marks) < 60
        fig.add_annotation(x=float(chosen_days), y=1 if low else 0, yref="paper",
                           text=f"X = {fmt.days(chosen_days)}", showarrow=False, xanchor="left",
                           yanchor="top" if low else "bottom", xshift=4, yshift=-2 if low else 4,
                           font=dict(size=11, color=theme.MUTED), bgcolor="rgba(255,255,255,0.85)")
    upper_x = float(x_max) if x_max is not None else (top_x + 1 if top_x else 60.0)
    fig.update_layout(
        title=_title(title, subtitle),
        height=500,
        xaxis=dict(range=[0, upper_x], title="Ledtid (dagar)", showgrid=True, rangemode="tozero"),
        yaxis=dict(range=[0, 104], title="Andel inom X dagar (%)", ticksuffix=" %", tickvals=_percent_ticks(100)),
        margin=dict(l=10, r=60),
        hovermode="closest",
    )
    _top_legend(fig, height=500, top=_title_px(subtitle), axis_px=46, note=note)
    theme.apply(fig)
    return fig


def overtime_bars(series: Sequence[dict], *, title: str, subtitle: str | None = None,
                  note: str | None = None) -> go.Figure:
    """The RCC overtime groups (inom ledtid; 1–25, 26–50, 51–75, mer än 75 % över) as vertical bars,
    one bar per series within each group, with the share above each bar.

    Each series is a dict: name, role ('riket' | 'own' | 'unit'), table (an engine overtime_groups
    table: group, label, share) and n (episodes in the selection). One bar trace per series named
    after it carries the engine's shares in group order. Hover texts give shares and n, no counts.
    """
    fig = go.Figure()
    color_i = 0
    top = 0.0
    single = len(series) == 1
    for s in series:
        t = s["table"]
        labels = [str(x) for x in t["label"]]
        share = _num(t["share"])
        role = s.get("role", "unit")
        if single:
            colors = [theme.OVERTIME_COLORS.get(str(g), theme.BAR) for g in t["group"]]
        elif role in ("riket", "own"):
            colors = ROLE_COLORS[role]
        else:
            colors = theme.COLORWAY[color_i % len(theme.COLORWAY)]
            color_i += 1
        n = s.get("n")
        n_part = f"n = {fmt.count(n)} i urvalet" if not fmt.is_missing(n) else ""
        fig.add_trace(go.Bar(
            x=labels, y=share, name=f"{s['name']} (n = {fmt.count(n)})" if n_part else s["name"], meta=s["name"],
            marker=dict(color=colors, line=dict(width=0)), text=[fmt.pct(v) for v in share],
            textposition="outside", cliponaxis=False, textfont=dict(size=12, color=theme.TEXT),
            hovertext=[f"<b>{s['name']}</b><br>{lab}: {fmt.pct(v)}" + (f"<br>{n_part}" if n_part else "")
                       for lab, v in zip(labels, share)],
            hoverinfo="text", showlegend=not single))
        if share.size and np.any(~np.isnan(share)):
            top = max(top, float(np.nanmax(share)))
    if single and series and not fmt.is_missing(series[0].get("n")):
        # no legend for one series (the colours are the groups): its n goes into the note
        n_note = f"{series[0]['name']}: n = {fmt.count(series[0]['n'])} behandlade patienter."
        note = f"{n_note}<br>{note}" if note else n_note
    upper = min(100.0, max(10.0, top * 1.12))
    fig.update_layout(
        title=_title(title, subtitle),
        height=440,
        barmode="group",
        xaxis=dict(type="category", title=None, showgrid=False),
        yaxis=dict(range=[0, upper * 1.08], title="Andel (%)", ticksuffix=" %", tickvals=_percent_ticks(upper)),
        margin=dict(l=10, r=20),
    )
    _top_legend(fig, height=440, top=_title_px(subtitle), axis_px=34, note=note, legend=not single)
    theme.apply(fig)
    return fig
