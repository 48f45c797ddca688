"""A map of Sweden's 21 regions coloured by a region-level result (computed or published).

Drawn offline: plotly's `geo` traces fetch a world map from the internet when they render, so the
regions are filled polygons (`go.Scatter(fill="toself")`) from the bundled GeoJSON
(data/reference/regions_sweden.geojson, SCB's boundaries via swemapdata, CC0), projected onto a
plane with the Lambert azimuthal equal-area projection centred on Sweden (15° E, 62° N; areas
true, so a large region does not look more important than it is) and drawn with equal axis scales.

    fig = region_map(table, title="Andel behandlade inom ledtid 2024",
                     subtitle="Per region (avslutande region)", unit="procent", own_region="13",
                     note="Källa: Kolada")

Input: a *prepared* table, one row per region (nothing is computed here):
  region_code   SCB county code '01'…'25' (rows for other codes are ignored)
  label         the region's display name
  value         the value (percent, days, …); NA when suppressed or withheld
  numerator, denominator   counts for the hover text (optional; NA when suppressed or unknown)
  suppressed    bool: 'otillräckligt underlag' – grey with hatching, no value and no count shown
  target_level  'high' | 'low' | 'none' | NA (optional; without any, values are coloured in five
                classes of a sequential scale)
  status        a published source's code when it gives no value, e.g. 'MSK' (optional)
  note          why a region without a value has none, e.g. 'inga fall' or 'uppgift saknas'
                (optional; shown on hover instead of the default text)
  provisional   bool (optional): marked in the hover text

One filled trace per region (so the hover text is the region's own, `hoveron="fills"`), a
separate outline trace for the own region, one text trace for the value labels and one
legend-only entry per colour class: about 30 traces and ~2 500 projected points in all. Colours
come from `charts.theme` through `class_color`, the one place that maps a class to a colour.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from textfmt import sv_sort_key

from . import theme

GEOJSON_FILE = Path(__file__).resolve().parent.parent / "data" / "reference" / "regions_sweden.geojson"

# Projection: Lambert azimuthal equal-area on a sphere, centred on Sweden; kilometres.
CENTER_LON, CENTER_LAT = 15.0, 62.0
EARTH_RADIUS_KM = 6371.0
SIMPLIFY_KM = 0.6  # Douglas–Peucker tolerance: under a pixel at slide size (~1.8 km per pixel)
MIN_ISLAND_KM2 = 2.0  # smaller islands are invisible at any size we draw

LEVEL_CLASSES = ("high", "low", "none")
SUPPRESSED_LABEL = "Otillräckligt underlag"
MISSING_LABEL = "Uppgift saknas"
NO_TARGET_LABEL = "Värde (inget mål)"
VALUE_CLASS_COLORS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")  # ColorBrewer Blues, 5 classes
HATCH = dict(shape="/", fgcolor="#7a7a7a", size=7, solidity=0.25)
MISSING_FILL = "#f7f7f7"  # very light, no hatching: told apart from the hatched grey of suppression
MISSING_LINE = "#b5b5b5"  # so a region without data keeps its outline on white paper
BORDER = "#ffffff"


# -- geometry ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegionShape:
    code: str
    name: str  # from the GeoJSON, genitive dropped ('Stockholms' → 'Stockholm'): a fallback label
    rings: tuple[np.ndarray, ...]  # closed outer rings (x, y in km), largest first
    label_xy: tuple[float, float]  # a point well inside the largest ring, for the value label


def project(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Lambert azimuthal equal-area (sphere) centred on CENTER_LON/LAT: x east, y north, in km."""
    lam = np.radians(np.asarray(lon, dtype=float) - CENTER_LON)
    phi = np.radians(np.asarray(lat, dtype=float))
    phi0 = math.radians(CENTER_LAT)
    k = np.sqrt(2.0 / (1.0 + math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)))
    x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(lam)
    y = EARTH_RADIUS_KM * k * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam))
    return x, y


def _simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas–Peucker on a closed ring (first point = last point); keeps the ring closed."""
    if len(points) <= 4:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    # a closed ring has no chord between its ends: split it at the point farthest from the start
    far = int(np.argmax(np.hypot(*(points - points[0]).T)))
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = points[b] - points[a]
        rel = points[a + 1:b] - points[a]
        length = math.hypot(*seg)
        if length == 0:
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            keep[a + 1 + i] = True
            stack += [(a, a + 1 + i), (a + 1 + i, b)]
    return points[keep]


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _inside(ring: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Even-odd rule for many points against one ring."""
    inside = np.zeros(px.shape, dtype=bool)
    x0, y0 = ring[:-1, 0], ring[:-1, 1]
    x1, y1 = ring[1:, 0], ring[1:, 1]
    for ax, ay, bx, by in zip(x0, y0, x1, y1):
        crosses = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xcross = ax + (py - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (px < xcross)
    return inside


def _label_point(ring: np.ndarray) -> tuple[float, float]:
    """The point of a coarse grid inside the ring farthest from its edge (a cheap pole of
    inaccessibility): the centroid of a bent region can fall outside it."""
    xmin, ymin = ring.min(axis=0)
    xmax, ymax = ring.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, 40), np.linspace(ymin, ymax, 40))
    px, py = gx.ravel(), gy.ravel()
    ok = _inside(ring, px, py)
    if not ok.any():
        return float(ring[:, 0].mean()), float(ring[:, 1].mean())
    px, py = px[ok], py[ok]
    best = np.full(px.shape, np.inf)
    for (ax, ay), (bx, by) in zip(ring[:-1], ring[1:]):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy or 1e-12
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0, 1)
        best = np.minimum(best, np.hypot(px - (ax + t * dx), py - (ay + t * dy)))
    i = int(np.argmax(best))
    return float(px[i]), float(py[i])


def _fallback_name(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


@cache
def region_shapes() -> dict[str, RegionShape]:
    """The 21 regions, projected and simplified once per process (by SCB county code)."""
    data = json.loads(GEOJSON_FILE.read_text(encoding="utf-8"))
    shapes: dict[str, RegionShape] = {}
    for feature in data["features"]:
        props, geom = feature["properties"], feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = []
        for polygon in polygons:
            outer = np.asarray(polygon[0], dtype=float)  # inner rings (lakes) are not drawn
            x, y = project(outer[:, 0], outer[:, 1])
            ring = np.column_stack([x, y])
            if not np.allclose(ring[0], ring[-1]):
                ring = np.vstack([ring, ring[:1]])
            if _area(ring) < MIN_ISLAND_KM2:
                continue
            ring = _simplify(ring, SIMPLIFY_KM)
            if len(ring) >= 4:
                rings.append(np.round(ring, 1))
        rings.sort(key=_area, reverse=True)
        code = str(props["lan_kod"]).zfill(2)
        shapes[code] = RegionShape(code, _fallback_name(str(props["lan_namn"])), tuple(rings),
                                   _label_point(rings[0]))
    return dict(sorted(shapes.items()))


def _path(rings) -> tuple[list, list]:
    """x and y of several rings in one trace, separated by gaps (each gap starts a new shape)."""
    xs: list = []
    ys: list = []
    for ring in rings:
        if xs:
            xs.append(None)
            ys.append(None)
        xs += ring[:, 0].tolist()
        ys += ring[:, 1].tolist()
    return xs, ys


# -- colours and text --------------------------------------------------------------------------------

def level_label(cls: str) -> str:
    """The legend text of a status class, as every chart says it: its symbol and name from
    charts.theme ('✓ Hög målnivå uppnådd'), read at call time."""
    symbol = theme.LEVEL_SYMBOLS.get(cls, "")
    name = theme.LEVEL_NAMES.get(cls, cls)
    return f"{symbol} {name}" if symbol else name


def class_color(cls: str) -> str:
    """The fill colour of a class: a target level, 'suppressed', 'missing', 'no_target', or
    'value0'…'value4' (classes of a result without target). The one place colours are chosen, read
    from charts.theme at call time so a new palette there follows."""
    levels = theme.LEVEL_COLORS
    if cls in levels:
        return levels[cls]
    if cls == "missing":
        return MISSING_FILL
    if cls.startswith("value"):
        return VALUE_CLASS_COLORS[int(cls[5:])]
    return levels.get("no_target", "#eef1f4")


def _luminance(hex_color: str) -> float:
    h = hex_color.lstrip("#")
    if len(h) != 6:
        return 1.0
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _number(value: float, decimals: int) -> str:
    """Swedish number: decimal comma, no-break space between thousands."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def _value_text(value, unit: str, decimals: int) -> str:
    number = _number(float(value), decimals)
    if unit in ("procent", "%"):
        return f"{number}\u00a0%"
    return f"{number}\u00a0{unit}" if unit else number


def _count(v) -> str:
    return _number(float(v), 0 if float(v) == int(float(v)) else 1)


def _present(v) -> bool:
    try:
        return not pd.isna(v)
    except (TypeError, ValueError):
        return v is not None


def _column(df: pd.DataFrame, name: str, default=None) -> list:
    return df[name].tolist() if name in df.columns else [default] * len(df)


# -- the figure --------------------------------------------------------------------------------------

def region_map(table: pd.DataFrame, *, title: str, subtitle: str | None = None, unit: str = "procent",
               own_region: str | None = None, note: str | None = None, decimals: int = 1,
               show_values: bool = True, height: int = 720, ranking: bool = False,
               direction: str = "higher") -> go.Figure:
    """The choropleth described in the module docstring. Regions absent from `table` are drawn
    white as 'uppgift saknas'; a suppressed region never shows a value or a count, not in the
    hover text, the labels or the trace data. `note` (e.g. 'Källa: Kolada') goes under the map.
    With `ranking` the regions are also listed beside the map, best first by `direction` ('lower':
    lowest first), with their value and status symbol: small regions whose label does not fit on
    the map (Stockholm, Blekinge) still have their number on a slide."""
    shapes = region_shapes()
    rows: dict[str, dict] = {}
    df = table.reset_index(drop=True)
    for code, label, value, num, den, sup, level, status, prov, why in zip(
            _column(df, "region_code"), _column(df, "label"), _column(df, "value"), _column(df, "numerator"),
            _column(df, "denominator"), _column(df, "suppressed", False), _column(df, "target_level"),
            _column(df, "status"), _column(df, "provisional", False), _column(df, "note")):
        code = str(code).zfill(2) if _present(code) else ""
        if code not in shapes:
            continue
        suppressed = bool(sup) if _present(sup) else False
        rows[code] = {
            "label": str(label) if _present(label) else shapes[code].name,
            "value": None if suppressed or not _present(value) else float(value),
            "numerator": None if suppressed or not _present(num) else num,
            "denominator": None if suppressed or not _present(den) else den,
            "suppressed": suppressed,
            "level": str(level) if _present(level) and str(level) in LEVEL_CLASSES and not suppressed else None,
            "status": str(status) if _present(status) else None,
            "provisional": bool(prov) if _present(prov) else False,
            "note": str(why) if _present(why) and str(why) else None,
        }
    by_target = any(r["level"] for r in rows.values())
    classes = _classes(rows, by_target)

    fig = go.Figure()
    for code, shape in shapes.items():
        row = rows.get(code)
        cls = classes.get(code, "missing")
        xs, ys = _path(shape.rings)
        trace = dict(x=xs, y=ys, mode="lines", fill="toself", fillcolor=class_color(cls),
                     line=dict(color=MISSING_LINE if cls == "missing" else BORDER, width=0.8), hoveron="fills", hoverinfo="text",
                     text=_hover(code, row, shape, unit, decimals), name=code, showlegend=False,
                     meta={"region_code": code, "class": cls})
        if cls == "suppressed":
            trace["fillpattern"] = dict(HATCH, bgcolor=class_color("suppressed"))
        fig.add_trace(go.Scatter(**trace))

    if own_region and str(own_region).zfill(2) in shapes:
        own = shapes[str(own_region).zfill(2)]
        xs, ys = _path(own.rings)
        own_label = rows.get(own.code, {}).get("label", own.name)
        # a white halo under the outline keeps it visible on every fill colour
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#ffffff", width=4.5),
                                 hoverinfo="skip", showlegend=False, meta={"role": "own_region_halo"}))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=theme.OWN, width=2.2),
                                 hoverinfo="skip", name=f"Egen region: {html.escape(own_label)}",
                                 showlegend=True, meta={"role": "own_region", "region_code": own.code}))

    if show_values:
        _value_labels(fig, shapes, rows, classes, unit, decimals, skip_crowded=ranking)
    _legend(fig, classes, rows, by_target, unit, decimals)

    xmin = min(float(r[:, 0].min()) for s in shapes.values() for r in s.rings)
    xmax = max(float(r[:, 0].max()) for s in shapes.values() for r in s.rings)
    ymin = min(float(r[:, 1].min()) for s in shapes.values() for r in s.rings)
    ymax = max(float(r[:, 1].max()) for s in shapes.values() for r in s.rings)
    pad = 20.0
    # the empty sea and Norway west of the map hold the legend: the x range reaches that far west
    # and the axes keep to the left of the paper
    legend_room = 0.9 * (xmax - xmin)
    theme.apply(fig)
    title_spec = dict(text=html.escape(title))
    if subtitle:
        title_spec["subtitle"] = dict(text=html.escape(subtitle), font=dict(size=13, color=theme.MUTED))
    fig.update_layout(
        title=title_spec,
        height=height,
        hovermode="closest",
        dragmode="pan",
        showlegend=True,
        legend=dict(orientation="v", x=0.0, xanchor="left", y=1.0, yanchor="top", traceorder="normal",
                    itemclick=False, itemdoubleclick=False, bgcolor="rgba(255,255,255,0.85)",
                    font=dict(size=13)),
        margin=dict(l=10, r=10, t=90, b=50 if note else 20),
        xaxis=dict(visible=False, range=[xmin - legend_room, xmax + pad], constrain="domain",
                   constraintoward="left", domain=[0, MAP_DOMAIN if ranking else 1]),
        yaxis=dict(visible=False, range=[ymin - pad, ymax + pad], scaleanchor="x", scaleratio=1,
                   constrain="domain"),
    )
    if ranking:
        _ranking(fig, rows, own_region, unit, decimals, direction)
    if note:
        fig.add_annotation(text=html.escape(note), xref="paper", yref="paper", x=0, y=0, xanchor="left",
                           yanchor="top", yshift=-8, showarrow=False, font=dict(size=12, color=theme.MUTED))
    return fig


MAP_DOMAIN = 0.5  # share of the width the map (and its legend) takes when the regions are listed beside it
RANKING_X = 0.52  # paper x where the list starts
# pixels from there: where each column's names start and where its values end (right-aligned),
# wide enough for 'Jämtland Härjedalen 47 ✗' in the slide's 15 px and narrow enough for 900 px
RANKING_COLUMNS_PX = ((0, 192), (212, 404))


def _ranking(fig: go.Figure, rows: dict[str, dict], own_region, unit: str, decimals: int, direction: str) -> None:
    """The regions in two columns beside the map, best first, each with its value and status
    symbol; regions without a value last ('–' otillräckligt underlag, or why there is none)."""
    own = str(own_region).zfill(2) if own_region else None
    valued = [(c, r) for c, r in rows.items() if r["value"] is not None]
    valued.sort(key=lambda cr: (cr[1]["value"] if direction == "lower" else -cr[1]["value"], cr[1]["label"]))
    rest = [(c, r) for c, r in rows.items() if r["value"] is None]
    rest += [(code, {"label": shape.name, "value": None, "suppressed": False, "note": None, "status": None,
                     "level": None}) for code, shape in region_shapes().items() if code not in rows]
    rest.sort(key=lambda cr: sv_sort_key(cr[1]["label"]))
    entries = []
    for code, r in valued + rest:
        name = html.escape(r["label"])
        if r["value"] is not None:
            symbol = theme.LEVEL_SYMBOLS.get(r["level"] or "", "")
            value = _number(r["value"], 0 if unit in ("procent", "%") else decimals) + (f" {symbol}" if symbol else "")
        elif r["suppressed"]:
            value = theme.LEVEL_SYMBOLS.get("suppressed", "–")
        else:  # 'inga fall', or 'saknas' for a longer reason (the hover text gives it in full)
            value = html.escape(r["note"]) if r.get("note") and len(r["note"]) <= 10 else "saknas"
        if code == own:
            name, value = f"<b>{name}</b>", f"<b>{value}</b>"
        entries.append((name, value))
    half = (len(entries) + 1) // 2
    unit_text = "%" if unit in ("procent", "%") else unit
    for (names_px, values_px), part in zip(RANKING_COLUMNS_PX, (entries[:half], entries[half:])):
        if not part:
            continue
        for text, shift, anchor in (("<br>".join(n for n, _ in part), names_px, "left"),
                                    ("<br>".join(v for _, v in part), values_px, "right")):
            fig.add_annotation(text=text, xref="paper", yref="paper", x=RANKING_X, xshift=shift, y=0.96,
                               xanchor=anchor, yanchor="top", align=anchor, showarrow=False,
                               font=dict(size=13, color=theme.TEXT), name="ranking")
    order = "lägst först" if direction == "lower" else "högst först"
    fig.add_annotation(text=f"<b>Regionerna, {order}</b> ({html.escape(unit_text)})", xref="paper", yref="paper",
                       x=RANKING_X, y=1.0, xanchor="left", yanchor="top", showarrow=False,
                       font=dict(size=13, color=theme.TEXT), name="ranking")


def _classes(rows: dict[str, dict], by_target: bool) -> dict[str, str]:
    """Each region's colour class."""
    values = sorted(r["value"] for r in rows.values() if r["value"] is not None)
    edges = _value_edges(values) if not by_target else []
    out = {}
    for code, r in rows.items():
        if r["suppressed"]:
            out[code] = "suppressed"
        elif r["value"] is None:
            out[code] = "missing"
        elif by_target:
            out[code] = r["level"] or "no_target"
        else:
            out[code] = f"value{_bin(r['value'], edges)}"
    return out


def _value_edges(values: list[float]) -> list[float]:
    """Upper edges of up to five classes of equal count (quantiles), for results without target."""
    if not values:
        return []
    qs = np.quantile(values, [0.2, 0.4, 0.6, 0.8])
    return sorted(set(float(q) for q in qs))


def _bin(value: float, edges: list[float]) -> int:
    i = int(np.searchsorted(edges, value, side="left"))
    return min(i, len(VALUE_CLASS_COLORS) - 1)


def _hover(code: str, row: dict | None, shape: RegionShape, unit: str, decimals: int) -> str:
    if row is None:
        return f"<b>{html.escape(shape.name)}</b><br>{MISSING_LABEL}"
    lines = [f"<b>{html.escape(row['label'])}</b>"]
    if row["suppressed"]:
        note = row.get("note")
        lines.append(html.escape(note[:1].upper() + note[1:]) if note else f"{SUPPRESSED_LABEL} (färre än 5)")
        return "<br>".join(lines)
    if row["value"] is None:
        if row.get("note"):
            lines.append(html.escape(row["note"][:1].upper() + row["note"][1:]))
        else:
            lines.append(f"Ej publicerat (status {html.escape(row['status'])})" if row["status"] else MISSING_LABEL)
        return "<br>".join(lines)
    lines.append(_value_text(row["value"], unit, decimals))
    num, den = row["numerator"], row["denominator"]
    if num is not None and den is not None:
        lines.append(f"{_count(num)} av {_count(den)}")
    elif den is not None:
        lines.append(f"n = {_count(den)}")
    if row["level"]:
        lines.append(level_label(row["level"]))
    if row["provisional"]:
        lines.append("Preliminärt (data inte mogna)")
    return "<br>".join(lines)


LABEL_KM_PER_CHAR, LABEL_KM_HIGH = 32.0, 60.0  # a label's size on a slide-sized map (about 3,8 km per px)


def _value_labels(fig: go.Figure, shapes, rows, classes, unit: str, decimals: int,
                  skip_crowded: bool = False) -> None:
    """The value inside each region. With `skip_crowded` (the values are also listed beside the
    map) a label that would overlap a larger region's label is left out."""
    xs, ys, texts, colors = [], [], [], []
    placed: list[tuple[float, float, float]] = []
    by_area = sorted(rows, key=lambda c: -sum(_area(r) for r in shapes[c].rings))
    for code in by_area:
        r = rows[code]
        if r["value"] is None:
            continue
        x, y = shapes[code].label_xy
        half_w = LABEL_KM_PER_CHAR * len(_number(r["value"], 0)) / 2
        if skip_crowded and any(abs(x - px) < half_w + pw and abs(y - py) < LABEL_KM_HIGH for px, py, pw in placed):
            continue
        placed.append((x, y, half_w))
        xs.append(x)
        ys.append(y)
        texts.append(_number(r["value"], 0 if unit in ("procent", "%") else decimals))
        colors.append("#ffffff" if _luminance(class_color(classes[code])) < 0.45 else theme.TEXT)
    if xs:
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="text", text=texts, hoverinfo="skip", showlegend=False,
                                 textfont=dict(size=11, color=colors), name="värden",
                                 meta={"role": "value_labels"}))


def _legend(fig: go.Figure, classes: dict[str, str], rows: dict[str, dict], by_target: bool, unit: str,
            decimals: int) -> None:
    """One legend-only entry per colour class shown (the region traces stay out of the legend)."""
    present = set(classes.values()) | ({"missing"} if len(classes) < len(region_shapes()) else set())
    order = ([*LEVEL_CLASSES, "no_target"] if by_target else [f"value{i}" for i in range(len(VALUE_CLASS_COLORS))])
    order += ["suppressed", "missing"]
    labels = {cls: level_label(cls) for cls in LEVEL_CLASSES}
    labels.update(no_target=NO_TARGET_LABEL, suppressed=level_label("suppressed"), missing=MISSING_LABEL)
    if not by_target:
        labels.update(_value_class_labels(classes, rows, unit, decimals))
    for cls in order:
        if cls not in present:
            continue
        # a fill trace with no points: its legend icon is the fill, hatching included
        entry = dict(x=[None], y=[None], mode="lines", fill="toself", fillcolor=class_color(cls),
                     line=dict(color="#9e9e9e", width=1), name=labels.get(cls, cls), showlegend=True,
                     hoverinfo="skip", meta={"role": "legend", "class": cls})
        if cls == "suppressed":
            entry["fillpattern"] = dict(HATCH, bgcolor=class_color("suppressed"))
        fig.add_trace(go.Scatter(**entry))


def _value_class_labels(classes, rows, unit: str, decimals: int) -> dict[str, str]:
    out = {}
    for cls in set(classes.values()):
        if not cls.startswith("value"):
            continue
        vals = [rows[c]["value"] for c, k in classes.items() if k == cls]
        lo, hi = min(vals), max(vals)
        out[cls] = (_value_text(lo, unit, decimals) if lo == hi
                    else f"{_number(lo, decimals)}–{_value_text(hi, unit, decimals)}")
    return out
