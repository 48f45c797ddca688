"""Status words from the engine's results: target level and Fingertips' interval rule."""

from __future__ import annotations

import textfmt as fmt
from indicators import stats


def ci_status(row, ind) -> str | None:
    """Fingertips' rule (peers §2.3) against the indicator's target levels: 'uncertain' when the
    95 % interval includes any level (the colour could be another one), else 'met' / 'not_met'
    against the nearest; None without an interval, a target or a value."""
    if ind.direction not in ("higher", "lower"):
        return None
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if fmt.is_missing(lo) or fmt.is_missing(hi) or bool(row.get("suppressed", False)):
        return None
    targets = [t for t in (row.get("target_low"), row.get("target_high")) if not fmt.is_missing(t)]
    if not targets:
        return None
    statuses = [stats.target_status_ci(float(lo), float(hi), float(t), ind.direction) for t in targets]
    if "uncertain" in statuses:
        return "uncertain"
    return statuses[0]


def level_key(row) -> str:
    """'high' | 'low' | 'none' | 'suppressed' | 'no_target' | 'no_cases' for colouring a row."""
    if bool(row.get("no_cases", False)) and not bool(row.get("suppressed", False)):
        return "no_cases"
    if bool(row.get("suppressed", False)) or fmt.is_missing(row.get("value")):
        return "suppressed"
    if fmt.is_missing(row.get("target_level")):
        return "no_target"
    return str(row["target_level"])


def verdict(row, benchmark, direction: str) -> str | None:
    """Plain words for a unit against riket from its 95 % interval: 'bättre än riket' / 'sämre än
    riket' when the interval lies wholly above or below riket's value (for an indicator without a
    direction: 'högre' / 'lägre än riket'), else 'skiljer sig inte säkert från riket'. None without
    an interval, a value or a benchmark, or for a hidden row."""
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if benchmark is None or fmt.is_missing(benchmark) or fmt.is_missing(lo) or fmt.is_missing(hi) \
            or bool(row.get("suppressed", False)):
        return None
    if float(lo) > float(benchmark):
        side = "higher"
    elif float(hi) < float(benchmark):
        side = "lower"
    else:
        return "skiljer sig inte säkert från riket"
    if direction not in ("higher", "lower"):
        return "högre än riket" if side == "higher" else "lägre än riket"
    return "bättre än riket" if side == direction else "sämre än riket"
