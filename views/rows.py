"""Engine results as view rows: the engine's columns plus the row's Cell, `hidden` (why a row
shows no counts) and `no_cases` (a unit without any cases, shown as "inga fall" rather than left
out, so that every chosen unit always has a row and a missing row never hides a count).

Views never compute a number themselves: every count and value here comes from
`Dataset.compute`; rows added for units without cases carry zero counts and no value.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from . import cells as cellmod
from .model import HIDDEN_PRIMARY

ENGINE_COLUMNS = ["numerator", "denominator", "value", "ci_low", "ci_high", "target_low", "target_high",
                  "target_level", "suppressed", "provisional", "placeholder_target", "missing"]


def where_for(ind, sel, *, regions: bool = False, svf: bool = True, register: bool = True,
              extra: dict | None = None) -> dict[str, list[str]]:
    """The engine `where` of an indicator for a selection: the chosen pathway and register where
    the indicator has those dimensions, the selection's further filters, and with `regions` the
    chosen regions (for charts that sum over them)."""
    out: dict[str, list[str]] = {}
    if svf and sel.svf_code and "svf_code" in ind.dimensions:
        out["svf_code"] = [sel.svf_code]
    if register and sel.register and "register" in ind.dimensions:
        out["register"] = [sel.register]
    if regions and sel.regions and "region" in ind.dimensions:
        out["region"] = list(sel.regions)
    out.update(sel.extra_where(ind.dimensions))
    for k, v in (extra or {}).items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = list(v)
    return out


def compute(ctx, ind, by=(), start: date | None = None, end: date | None = None,
            where: dict | None = None) -> pd.DataFrame:
    """`Dataset.compute` (primary suppression only) with each row's cell; `hidden` and
    `no_cases` columns added. Cached per data set and arguments (many views share a query: riket
    of an indicator is in its comparison, its breakdowns and the overview); never change the
    returned frame in place."""
    by = list(by or [])
    key = (ind.id, tuple(by), start, end, tuple(sorted((k, tuple(v) if not isinstance(v, str) else (v,))
                                                       for k, v in (where or {}).items())))
    cache, lock = _cache(ctx)
    with lock:
        hit = cache.get(key)
    if hit is not None:
        return hit
    df = _decorate(ctx, ind, ctx.ds.compute(ind.id, by=by, start=start, end=end, where=where), by, start, end, where)
    if not by and len(df) == 1 and bool(df["suppressed"].iloc[0]) and _empty(ctx, ind, start, end, where):
        df = _no_cases(ctx, ind, start, end, where)
    with lock:
        cache[key] = df
        while len(cache) > 4000:
            cache.pop(next(iter(cache)))
    return df


def _empty(ctx, ind, start, end, where) -> bool:
    """Whether an ungrouped, hidden result holds no cases at all: grouped, it has no group (the
    engine hides an empty total like a small one; a known zero needs no protecting)."""
    dim = "region" if "region" in ind.dimensions else ind.dimensions[0]
    return ctx.ds.compute(ind.id, by=[dim], start=start, end=end, where=where).empty


def _no_cases(ctx, ind, start, end, where) -> pd.DataFrame:
    """The ungrouped row of a selection without any cases: zero counts, `no_cases`."""
    out = _decorate(ctx, ind, _zeros(ind, 1), [], start, end, where)
    out["no_cases"] = True
    return out


def _cache(ctx):
    if not hasattr(ctx, "_rows_cache"):
        import threading

        ctx._rows_cache = ({}, threading.Lock())
    return ctx._rows_cache


def _decorate(ctx, ind, df: pd.DataFrame, by, start, end, where) -> pd.DataFrame:
    df = df.copy()
    df["cell"] = cellmod.result_cells(ctx, ind, df, by, start, end, where)
    df["hidden"] = [HIDDEN_PRIMARY if s else None for s in df["suppressed"].astype(bool)]
    df["no_cases"] = False
    return df


def _zeros(ind, n: int) -> pd.DataFrame:
    """`n` result rows of a unit without any cases: zero counts, no value, the catalogue's targets."""
    zero = pd.DataFrame(index=range(n))
    zero["numerator"] = pd.array([0 if ind.kind != "median" else pd.NA] * n, dtype="Int64")
    zero["denominator"] = 0
    for col in ("value", "ci_low", "ci_high"):
        zero[col] = pd.array([pd.NA] * n, dtype="Float64")
    zero["target_low"] = pd.array([ind.target_low] * n, dtype="Int64")
    zero["target_high"] = pd.array([ind.target_high] * n, dtype="Int64")
    zero["target_level"] = pd.array([pd.NA] * n, dtype="string")
    zero["suppressed"] = False
    zero["provisional"] = False
    zero["placeholder_target"] = pd.array([pd.NA] * n, dtype="boolean")
    zero["missing"] = pd.array([0 if ind.is_quality_indicator else pd.NA] * n, dtype="Int64")
    return zero


def with_all(ctx, ind, df: pd.DataFrame, dim: str, values, start, end, where, by=None) -> pd.DataFrame:
    """`df` (grouped by `dim`) with a row for every value of `dim` in `values` that the engine
    returned no row for: zero counts, no value, `no_cases` True."""
    if by is not None and list(by) != [dim]:
        raise ValueError("with_all fills one dimension at a time")
    present = set(df[dim].astype(str)) if len(df) else set()
    missing = [str(v) for v in values if str(v) not in present]
    if not missing:
        return df
    zero = _zeros(ind, len(missing))
    zero.insert(0, dim, pd.array(missing, dtype="string"))
    zero = _decorate(ctx, ind, zero, [dim], start, end, where)
    zero["no_cases"] = True
    return pd.concat([df, zero], ignore_index=True)


def labelled(df: pd.DataFrame, labels, roles, unit_codes) -> pd.DataFrame:
    return df.assign(label=list(labels), role=list(roles), unit_code=pd.array(list(unit_codes), dtype="string"))


def concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return pd.DataFrame(columns=["label", "role", "unit_code", *ENGINE_COLUMNS, "cell", "hidden", "no_cases"])
    return pd.concat(parts, ignore_index=True)
