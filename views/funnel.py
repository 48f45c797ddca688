"""The statistics of the region comparison: funnel limits (PHE inverse-Wilson at 95 % and 99,8 %,
optionally widened for overdispersion, FunnelPlotR/Spiegelhalter) and the caterpillar order, on
the engine's numerators and denominators of a comparison view. Statistics from indicators.stats;
charts/comparison.py draws them.

Suppressed groups (too few cases, or hidden as complementary partners) are never drawn as points;
they are listed by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import textfmt as fmt
from indicators import stats

LEVELS = (0.95, 0.998)
INSUFFICIENT = fmt.SUPPRESSED


def fmt_num(v, decimals: int = 1) -> str:
    return fmt.number(v, decimals)


# ---------------------------------------------------------------------------------------------
# Funnel
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Funnel:
    """A funnel plot's content, in percent.

    `points`: one row per plotted group: key, label, numerator, denominator, value, lo95, hi95,
    lo998, hi998 (the limits at that group's n), outside_95, outside_998 (bool) and side
    ('över', 'under' or '' for inside the 95 % limits).
    `curve`: the limits on a grid of n for drawing: n, lo95, hi95, lo998, hi998.
    `suppressed`: labels of groups not drawn (too few cases).
    """

    p0: float
    method: str  # 'phe' | 'overdispersed'
    points: pd.DataFrame
    curve: pd.DataFrame
    suppressed: list[str] = field(default_factory=list)
    phi: float | None = None
    tau2: float | None = None

    @property
    def units(self) -> int:
        return len(self.points)

    @property
    def n_outside_95(self) -> int:
        return int(self.points["outside_95"].sum()) if len(self.points) else 0

    @property
    def n_outside_998(self) -> int:
        return int(self.points["outside_998"].sum()) if len(self.points) else 0

    def expected_outside(self, level: float) -> float:
        return stats.expected_outside(self.units, level)


def _limits(p0: float, n, *, level: float, tau2: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Limits in percent at denominators n (p0 in percent)."""
    if tau2 is None:
        lo, hi = stats.phe_funnel_limits(p0 / 100.0, n, level)
    else:
        lo, hi = stats.overdispersed_funnel_limits(p0 / 100.0, n, tau2, level)
    return np.asarray(lo, dtype=float) * 100.0, np.asarray(hi, dtype=float) * 100.0


def funnel(
    result: pd.DataFrame,
    *,
    key: str = "region",
    labels: Mapping[str, str] | None = None,
    p0: float | None = None,
    overdispersed: bool = False,
    grid_points: int = 160,
) -> Funnel:
    """Funnel limits and each group's position for an engine result grouped by `key`.

    `p0` is the benchmark in percent (riket's value from the engine); when None it is the pooled
    Σnumerator/Σdenominator of the shown groups. With `overdispersed`, φ and τ² are estimated
    from the shown groups (FunnelPlotR, winsorised 10 %) and the limits are the random-effects
    limits; φ is computed in both modes so it can be shown.
    """
    labels = dict(labels or {})
    df = result.copy()
    df["key"] = df[key].astype("string")
    df["label"] = [labels.get(k, k) if not pd.isna(k) else "Okänd" for k in df["key"]]
    hidden = df["suppressed"].astype(bool) | df["denominator"].isna() | (df["denominator"].fillna(0) <= 0)
    suppressed = df.loc[df["suppressed"].astype(bool), "label"].tolist()
    shown = df.loc[~hidden].reset_index(drop=True)
    x = shown["numerator"].astype(float).to_numpy()
    n = shown["denominator"].astype(float).to_numpy()
    if p0 is None:
        p0 = float(x.sum() / n.sum() * 100.0) if n.sum() > 0 else float("nan")
    p0 = float(p0)

    od = stats.overdispersion(x, n, p0 / 100.0) if len(shown) else {"phi": float("nan"), "tau2": float("nan")}
    phi = float(od["phi"]) if np.isfinite(od["phi"]) else None
    tau2 = float(od["tau2"]) if np.isfinite(od["tau2"]) else None
    use_tau2 = (tau2 if tau2 is not None else 0.0) if overdispersed else None

    pts = pd.DataFrame({
        "key": shown["key"], "label": shown["label"],
        "numerator": shown["numerator"].astype("Int64"), "denominator": shown["denominator"].astype("Int64"),
        "value": shown["value"].astype(float),
    })
    for level, tag in zip(LEVELS, ("95", "998"), strict=True):
        lo, hi = _limits(p0, n, level=level, tau2=use_tau2)
        pts[f"lo{tag}"] = lo
        pts[f"hi{tag}"] = hi
        pts[f"outside_{tag}"] = (pts["value"] < pts[f"lo{tag}"]) | (pts["value"] > pts[f"hi{tag}"])
    pts["side"] = np.where(~pts["outside_95"], "", np.where(pts["value"] > pts["hi95"], "över", "under"))

    if len(n):
        n_lo = max(1.0, float(n.min()) * 0.8)
        n_hi = float(n.max()) * 1.1
        grid = np.unique(np.concatenate([np.geomspace(n_lo, n_hi, grid_points), n]))
    else:
        grid = np.array([], dtype=float)
    curve = pd.DataFrame({"n": grid})
    for level, tag in zip(LEVELS, ("95", "998"), strict=True):
        lo, hi = _limits(p0, grid, level=level, tau2=use_tau2)
        curve[f"lo{tag}"] = lo
        curve[f"hi{tag}"] = hi
    return Funnel(p0=p0, method="overdispersed" if overdispersed else "phe", points=pts, curve=curve,
                  suppressed=suppressed, phi=phi, tau2=tau2)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def expected_outside_text(f: Funnel, level: float) -> str:
    """'Av slumpen väntas ungefär 1,1.' for the metric's help text."""
    return f"Av slumpen väntas ungefär {fmt_num(f.expected_outside(level), 1 if level < 0.99 else 2)}."


def funnel_caption(f: Funnel, *, unit_one: str = "region", unit_many: str = "regioner") -> str:
    """Swedish caption: how many groups lie outside the limits, and how many would by chance."""
    k = f.units
    if k == 0:
        return f"Inga {unit_many} har tillräckligt underlag för en jämförelse."
    o95, o998 = f.n_outside_95, f.n_outside_998
    e95, e998 = f.expected_outside(0.95), f.expected_outside(0.998)
    parts = [
        f"{o95} av {k} {_plural(k, unit_one, unit_many)} ligger utanför 95\u00a0%-gränserna"
        + ((f", varav {o998} även utanför 99,8\u00a0%-gränserna." if o998 else
             ", ingen utanför 99,8\u00a0%-gränserna.") if o95 else "."),
        f"Av slumpen ensam väntas ungefär {fmt_num(e95, 1)} av {k} hamna utanför 95\u00a0%-gränserna och "
        f"{fmt_num(e998, 2)} utanför 99,8\u00a0%-gränserna, även om alla egentligen är lika bra.",
    ]
    if f.phi is not None:
        phi_text = f"Överspridning φ = {fmt_num(f.phi, 2)}"
        if f.method == "overdispersed":
            phi_text += (f"; gränserna är vidgade för variation mellan {unit_many} som slumpen inte förklarar "
                         f"(τ² = {fmt_num(f.tau2 or 0.0, 4)}).")
        elif f.phi > 1.5:
            phi_text += (" – skillnaderna är större än slumpen ger; överväg gränser justerade för överspridning.")
        else:
            phi_text += " (nära 1: skillnaderna är i nivå med vad slumpen ger)."
        parts.append(phi_text)
    if f.suppressed:
        parts.append(f"{INSUFFICIENT.capitalize()} (visas inte): {', '.join(f.suppressed)}.")
    return " ".join(parts)


def caterpillar_rows(
    result: pd.DataFrame, *, key: str = "region", labels: Mapping[str, str] | None = None, direction: str = "higher"
) -> pd.DataFrame:
    """Rows of the caterpillar chart in display order (best at the top; suppressed last):
    key, label, value, ci_low, ci_high, numerator, denominator, suppressed."""
    labels = dict(labels or {})
    df = result.copy()
    df["key"] = df[key].astype("string")
    df["label"] = [labels.get(k, k) if not pd.isna(k) else "Okänd" for k in df["key"]]
    shown = df[~df["suppressed"].astype(bool) & df["value"].notna()]
    ascending = direction == "lower"
    shown = shown.sort_values(["value", "label"], ascending=[ascending, True], kind="stable")
    hidden = df[df["suppressed"].astype(bool) | df["value"].isna()].sort_values("label")
    out = pd.concat([shown, hidden])
    cols = ["key", "label", "value", "ci_low", "ci_high", "numerator", "denominator", "suppressed"]
    return out[cols].reset_index(drop=True)


