"""`judge_plan(ds, plan, year)`: every goal of a plan judged for a follow-up year, one `GoalResult`
per goal × unit (× pathway or register when the goal says "alla"). Every number comes from
`Dataset.compute`; the rules are in status.py (docs/cancerplan.md, "Så bedöms målen").

Suppression: each year's values are computed for every unit of the goal's level at once and get
the engine's complementary suppression among the units (and, for regions, within their
sjukvårdsregion) of that year, so that a suppressed region cannot be recovered from the others
and their total. A suppressed year carries no counts and no values.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..catalogue import Indicator
from ..errors import DataError, QueryError
from ..suppression import apply_secondary_suppression
from .model import SPLIT_LABELS, Goal, Plan, Unit
from .status import GoalResult, YearValue, decide, fit_trend, format_value

MAX_SERIES_YEARS = 10  # years shown up to the follow-up year (the chart's span)
_VALUE_COLUMNS = ("numerator", "denominator", "value", "ci_low", "ci_high", "missing")


def default_year(ds) -> int:
    """The latest calendar year that had ended by the extract date: the usual follow-up year."""
    d = ds.extract_date
    return d.year - 1 if (d.month, d.day) != (12, 31) else d.year


def judge_plan(ds, plan: Plan, year: int, *, min_n: int | None = None) -> list[GoalResult]:
    """Every goal of `plan` judged for the follow-up year `year` on `ds`, in plan order: one result
    per goal × unit (× part). A goal whose numbers cannot be computed on this data set (a missing
    table, a code the data set does not know) gets 'otillräckligt underlag' with the reason."""
    results: list[GoalResult] = []
    labels = _Labels(ds)
    for goal in plan.goals:
        results += judge_goal(ds, goal, year, min_n=min_n, labels=labels)
    return results


def judge_goal(ds, goal: Goal, year: int, *, min_n: int | None = None, labels=None) -> list[GoalResult]:
    """One goal judged for `year`: one result per unit (× part), in the goal's unit order."""
    year = int(year)
    units = goal.units or (Unit.riket(),)
    if goal.indicator is None:
        return [GoalResult(goal, u, year, "not_measurable", "Målet har ingen indikator i panelen och följs med "
                           "statusanteckningar.") for u in units]
    labels = labels or _Labels(ds)
    ind = None
    try:
        ind = ds.catalogue().get(goal.indicator)
        tables = {level: _yearly(ds, ind, goal, level, year, min_n)
                  for level in dict.fromkeys(u.level for u in units)}
    except (QueryError, DataError) as exc:
        return [GoalResult(goal, u, year, "insufficient", f"Kunde inte beräknas: {exc}", ind) for u in units]
    out: list[GoalResult] = []
    for unit in units:
        table, years = tables[unit.level]
        rows = table if unit.dimension is None else table[table[unit.dimension] == unit.code]
        if goal.split:
            present = sorted({str(c) for c in rows[goal.split].dropna()}, key=lambda c: _sv_key(labels(goal.split, c)))
            parts = [(goal.split, c) for c in present]
            if not parts:
                out.append(GoalResult(goal, unit, year, "insufficient", f"Inga data för något "
                                      f"{SPLIT_LABELS[goal.split].lower()} till och med {year}.", ind))
                continue
        else:
            parts = [None]
        for part in parts:
            sub = rows if part is None else rows[rows[part[0]] == part[1]]
            out.append(_result(goal, unit, part, labels(part[0], part[1]) if part else "", ind, sub, years, year))
    return out


def _result(goal, unit, part, part_label, ind: Indicator, rows: pd.DataFrame, years, year) -> GoalResult:
    by_year = {int(r["year"]): r for r in rows.to_dict("records")}
    series = tuple(_year_value(y, by_year.get(y)) for y in years)
    return _judged(goal, unit, part, part_label, ind, series, year)


def _judged(goal, unit, part, part_label, ind: Indicator, series: tuple[YearValue, ...], year: int) -> GoalResult:
    """The result of one series (the rules of status.py and the reason's Swedish suffixes)."""
    latest = next((p for p in series if p.year == year), None)
    upper = 100.0 if ind.kind == "proportion" else None
    if goal.goal_value is None:
        trend = fit_trend(series, year)
        shown = (f"{year}: {format_value(latest.value, ind.unit)}. " if latest is not None and latest.shown else "")
        return GoalResult(goal, unit, year, "not_measurable",
                          f"{shown}{ind.short_sv} följs utan målvärde.", ind, part, part_label, latest, series, trend)
    status, reason, trend, ci = decide(series, year, goal.goal_value, goal.direction, goal.deadline, ind.unit, upper)
    if latest is not None and latest.shown and latest.provisional:
        reason += f" Preliminärt: {year} är inte färdigrapporterat."
    if latest is not None and latest.shown and latest.placeholder_target:
        reason += " Några ledtidsgränser är platshållare."
    return GoalResult(goal, unit, year, status, reason, ind, part, part_label, latest, series, trend, ci)


def rejudge(result: GoalResult, series) -> GoalResult:
    """`result` judged again on `series` (the same years, some of them now hidden): what an output
    shows after its own disclosure control. Status, reason, trend and interval judgement use only
    the values still shown, so none of them can give a hidden value back."""
    if result.indicator is None or not result.series:
        return result
    return _judged(result.goal, result.unit, result.part, result.part_label, result.indicator, tuple(series),
                   result.year)


def _yearly(ds, ind: Indicator, goal: Goal, level: str, year: int, min_n) -> tuple[pd.DataFrame, list[int]]:
    """Yearly results of every unit of `level` (× part) for the goal's filters, first year … `year`,
    with complementary suppression within each year. Returns (table, the years of the series)."""
    from ..engine import default_period

    ds.require(ind.needs)  # a missing table raises DataError naming it, before any query
    first = max(default_period(ds, ind)[0].year, year - MAX_SERIES_YEARS + 1)
    dims = [d for d in (None if level == "riket" else level, goal.split) if d]
    if first > year:
        return pd.DataFrame(columns=["year", *dims]), []
    table = ds.compute(ind.id, by=["year", *dims], start=date(first, 1, 1), end=date(year, 12, 31),
                       where=goal.where, min_n=min_n)
    table = _complementary_within_years(ds, table, dims)
    table["year"] = table["year"].astype(int)
    return table, list(range(first, year + 1))


def _complementary_within_years(ds, table: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """The engine's complementary suppression among the units (and parts) of each year. Years are
    not parts of a shown total here, so a suppressed year does not hide another year."""
    if not dims or table.empty:
        return table
    parents = None
    if "region" in dims and "regions" in ds.available:
        parents = dict(ds.cursor().execute("SELECT region_code, healthcare_region FROM regions").fetchall())
    table = table.copy()
    table["protected"] = False
    for _, idx in table.groupby("year", sort=False).groups.items():
        part = table.loc[idx]
        if not part["suppressed"].astype(bool).any():
            continue  # nothing suppressed, nothing to protect
        hidden = apply_secondary_suppression(part, dims, part["denominator"], parents)
        newly = hidden & ~part["suppressed"].astype(bool)
        if newly.any():
            rows = newly[newly].index
            table.loc[rows, "suppressed"] = True
            table.loc[rows, "protected"] = True
            for col in _VALUE_COLUMNS:
                table.loc[rows, col] = pd.NA
            table.loc[rows, "target_level"] = pd.NA
    return table


def _year_value(year: int, row) -> YearValue:
    if row is None:
        return YearValue(year, has_data=False)

    def num(key, cast=float):
        v = row.get(key)
        return None if v is None or pd.isna(v) else cast(v)

    suppressed = bool(row["suppressed"])
    provisional = bool(row["provisional"]) if not pd.isna(row["provisional"]) else False
    placeholder = bool(row["placeholder_target"]) if not pd.isna(row["placeholder_target"]) else False
    if suppressed:
        protected = bool(row.get("protected", False)) if not pd.isna(row.get("protected", False)) else False
        return YearValue(year, True, True, provisional, placeholder_target=placeholder, protected=protected)
    return YearValue(year, True, False, provisional, num("numerator", int), num("denominator"), num("value"),
                     num("ci_low"), num("ci_high"), placeholder, num("missing", int))


class _Labels:
    """Swedish names of pathway and register codes, read once per data set."""

    def __init__(self, ds):
        self._ds, self._maps = ds, {}

    def __call__(self, dim: str, code: str) -> str:
        if dim not in self._maps:
            table, code_col, name_col = {"svf_code": ("svf_pathways", "svf_code", "svf_name"),
                                         "register": ("registers", "register_code", "register_name")}[dim]
            try:
                ref = self._ds.reference(table)
                self._maps[dim] = dict(zip(ref[code_col].astype(str), ref[name_col].astype(str), strict=True))
            except DataError:
                self._maps[dim] = {}
        return self._maps[dim].get(code, code)


def _sv_key(text: str) -> str:
    return text.casefold().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e"}))
