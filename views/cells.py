"""The Cell of every engine result row: which smallest data cells its counts add up.

An engine row is the indicator's population restricted by the query's `where`, its period and
the row's own group values. Its cell names the indicator's family (catalogue.yaml) and, per
dimension, the values covered: regions (a sjukvårdsregion is the set of its regions), pathways,
treatment types, sex, registers, hospitals, substances, and the months of the period (a year or
quarter label is its months within the period).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators.periods import label_range

from .model import Cell

PERIOD_DIMS = ("year", "quarter", "month")


def months_between(start: date, end: date) -> frozenset[str]:
    """Every month 'YYYY-MM' from start's month to end's month."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return frozenset(out)


def label_months(dim: str, label: str) -> frozenset[str]:
    lo, hi = label_range(dim, str(label))
    return months_between(lo, hi)


def base_dims(ctx, ind, start: date, end: date, where: dict | None) -> dict[str, frozenset[str] | None]:
    """The dimensions of the whole query (before grouping): its where and its months."""
    dims: dict[str, frozenset[str] | None] = {"month": months_between(start, end)}
    for dim, values in (where or {}).items():
        if values is None or dim not in ind.dimensions:
            continue
        values = [values] if isinstance(values, str) else list(values)
        _restrict(ctx, dims, dim, values)
    return dims


def _restrict(ctx, dims: dict, dim: str, values) -> None:
    if dim in PERIOD_DIMS:
        months = frozenset().union(*(label_months(dim, v) for v in values))
        dims["month"] = dims["month"] & months
        return
    if dim == "healthcare_region":
        regions = frozenset(r for v in values for r in ctx.regions_of(str(v)))
        dim, new = "region", regions
    else:
        new = frozenset(str(v) for v in values)
    old = dims.get(dim)
    dims[dim] = new if old is None else old & new


def make(ind, dims: dict[str, frozenset[str] | None]) -> Cell:
    return Cell(ind.family, tuple(sorted((d, v) for d, v in dims.items() if v is not None)))


def result_cells(ctx, ind, result: pd.DataFrame, by, start: date, end: date, where: dict | None) -> list[Cell]:
    """One Cell per row of an engine result computed with these arguments."""
    base = base_dims(ctx, ind, start, end, where)
    by = list(by or [])
    if not by:
        return [make(ind, base)] * len(result)
    out = []
    for values in result[by].itertuples(index=False, name=None):
        dims = dict(base)
        for dim, value in zip(by, values):
            if value is None or pd.isna(value):
                continue
            _restrict(ctx, dims, dim, [value])
        out.append(make(ind, dims))
    return out
