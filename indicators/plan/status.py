"""Status of a plan's goals: `judge_plan(ds, plan, year)` gives one `GoalResult` per goal × unit
(× pathway or register when the goal says "alla"). Every number comes from `Dataset.compute`.

The rules (docs/cancerplan.md, "Så bedöms målen"), for the follow-up year Y:
- ej mätbar: the goal has no indicator, or its indicator is followed without a goal value ('–').
- otillräckligt underlag: no data for Y, or Y's value is suppressed (too few cases), or the trend is
  needed (below) and fewer than 3 of the years Y−4…Y have a shown value.
- uppnått: Y's value reaches the goal value (≥ for minst, ≤ for högst — the same test as the
  engine's target levels). The 95 % interval does not change the status, as on the overview:
  `ci_judgement` is Fingertips' rule against the goal value ('met' when the whole interval is on
  the right side, 'not_met' when all of it is on the wrong side, 'uncertain' when the interval
  contains the goal value), and `uncertain` marks a status the interval does not confirm.
- på väg: Y's value misses the goal, the Måldatum's year D is after Y, and the trend reaches the
  goal by D: a least-squares line through the shown yearly values of Y−4…Y (at least 3), each year
  weighted by its denominator (patients, episodes, expected cases), rises (falls, for högst) and
  its value at D reaches the goal value.
- ej uppnått: otherwise — Y's value misses the goal and the Måldatum has passed (D ≤ Y), or there
  is no Måldatum, or the trend does not reach the goal by D.

Suppression: each year's values are computed for every unit of the goal's level at once and get
the engine's complementary suppression among the units (and, for regions, within their
sjukvårdsregion) of that year, so that a suppressed region cannot be recovered from the others
and their total. A suppressed year carries no counts and no values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .. import stats
from ..catalogue import Indicator
from ..errors import DataError, QueryError
from ..suppression import apply_secondary_suppression
from .model import CHAPTERS, NO_CHAPTER_LABEL, SPLIT_LABELS, Goal, Plan, StatusNote, Unit

STATUSES = ("met", "on_track", "not_met", "insufficient", "not_measurable")
STATUS_LABELS = {
    "met": "Uppnått",
    "on_track": "På väg",
    "not_met": "Ej uppnått",
    "insufficient": "Otillräckligt underlag",
    "not_measurable": "Ej mätbar",
}
CI_LABELS = {"met": "säkert uppnått (hela 95 %-intervallet når målet)",
             "not_met": "säkert ej uppnått (hela 95 %-intervallet missar målet)",
             "uncertain": "osäkert (95 %-intervallet omfattar målvärdet)"}
TREND_YEARS = 5  # the window Y−4…Y, as Fingertips' recent trend
MIN_TREND_POINTS = 3
MAX_SERIES_YEARS = 10  # years shown before Y (the chart's span)
_VALUE_COLUMNS = ("numerator", "denominator", "value", "ci_low", "ci_high", "missing")


@dataclass(frozen=True)
class YearValue:
    """One year of a unit's series. `has_data` False: no row for the year (nothing counted).
    `suppressed`: too few to show — every count and value is None."""

    year: int
    has_data: bool
    suppressed: bool = False
    provisional: bool = False
    numerator: int | None = None
    denominator: float | None = None
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    placeholder_target: bool = False
    missing: int | None = None

    @property
    def shown(self) -> bool:
        """A value that may be shown and used (data, not suppressed)."""
        return self.has_data and not self.suppressed and self.value is not None


@dataclass(frozen=True)
class Trend:
    """The weighted least-squares line through `years`: value(t) = level + slope · (t − anchor),
    slope in the indicator's unit per year. `projection` is the line at `projection_year`
    (the Måldatum's year), kept within the unit's range (0–100 for a share); None without a
    Måldatum after the follow-up year."""

    years: tuple[int, ...]
    slope: float
    level: float
    anchor: float
    includes_provisional: bool
    projection_year: int | None = None
    projection: float | None = None

    def at(self, year: float) -> float:
        return self.level + self.slope * (year - self.anchor)


@dataclass(frozen=True)
class GoalResult:
    """A goal's status for one unit (and one pathway/register when the goal says "alla")."""

    goal: Goal
    unit: Unit
    year: int
    status: str
    reason: str
    indicator: Indicator | None = None
    part: tuple[str, str] | None = None  # (dimension, code), e.g. ('svf_code', 'brost')
    part_label: str = ""
    latest: YearValue | None = None
    series: tuple[YearValue, ...] = ()
    trend: Trend | None = None
    ci_judgement: str | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def uncertain(self) -> bool:
        """True when the 95 % interval does not confirm the status (it contains the goal value)."""
        return self.ci_judgement == "uncertain" and self.status in ("met", "not_met", "on_track")

    @property
    def unit_label(self) -> str:
        return self.unit.label + (f" – {self.part_label}" if self.part_label else "")

    @property
    def goal_value(self) -> float | None:
        return self.goal.goal_value

    @property
    def direction(self) -> str | None:
        return self.goal.direction

    @property
    def deadline(self) -> date | None:
        return self.goal.deadline

    @property
    def latest_note(self) -> StatusNote | None:
        return self.goal.latest_note

    @property
    def responsible(self) -> str:
        return self.goal.responsible_text

    @property
    def timeframe(self) -> str:
        return self.goal.timeframe_text

    @property
    def chapter_label(self) -> str:
        return self.goal.chapter_label


# -- the rules ----------------------------------------------------------------------------------------

def fit_trend(series, year: int) -> Trend | None:
    """The weighted least-squares line through the shown values of years Y−4…Y (weights: the
    denominators), or None with fewer than 3 such years."""
    points = [p for p in series if year - TREND_YEARS < p.year <= year and p.shown
              and p.denominator is not None and p.denominator > 0]
    if len(points) < MIN_TREND_POINTS:
        return None
    t = np.array([p.year for p in points], dtype=float)
    v = np.array([p.value for p in points], dtype=float)
    w = np.array([p.denominator for p in points], dtype=float)
    anchor = float((w * t).sum() / w.sum())
    level = float((w * v).sum() / w.sum())
    slope = float((w * (t - anchor) * (v - level)).sum() / (w * (t - anchor) ** 2).sum())
    return Trend(tuple(int(x) for x in t), slope, level, anchor, any(p.provisional for p in points))


def _with_projection(trend: Trend, deadline_year: int, upper: float | None) -> Trend:
    value = max(0.0, trend.at(deadline_year))
    if upper is not None:
        value = min(upper, value)
    return Trend(trend.years, trend.slope, trend.level, trend.anchor, trend.includes_provisional,
                 deadline_year, value)


def meets(value: float, goal_value: float, direction: str) -> bool:
    """The engine's target test: ≥ the goal value when higher is better, ≤ when lower is."""
    return value >= goal_value if direction == "higher" else value <= goal_value


def decide(series, year: int, goal_value: float, direction: str, deadline: date | None, unit: str = "procent",
           upper: float | None = 100.0) -> tuple[str, str, Trend | None, str | None]:
    """(status, reason, trend, ci_judgement) of one series against one goal (module docstring).
    `series` holds `YearValue`s; `unit` is the indicator's unit, for the reason text."""
    latest = next((p for p in series if p.year == year), None)
    trend = fit_trend(series, year)
    due = deadline.year if deadline else None
    if trend is not None and due is not None and due > year:
        trend = _with_projection(trend, due, upper)
    target = _goal_text(goal_value, direction, deadline, unit)
    if latest is None or not latest.has_data:
        return "insufficient", f"Inga data för {year} ({target}).", trend, None
    if latest.suppressed or latest.value is None:
        return "insufficient", f"{year}: otillräckligt underlag, för få fall för att visas ({target}).", trend, None
    ci = None
    if latest.ci_low is not None and latest.ci_high is not None:
        ci = stats.target_status_ci(latest.ci_low, latest.ci_high, goal_value, direction)
    shown = f"{year}: {_fmt(latest.value, unit)} ({target})"
    if meets(latest.value, goal_value, direction):
        return "met", f"{shown} – målet är nått.", trend, ci
    if due is None:
        return "not_met", f"{shown} – målet är inte nått (inget måldatum).", trend, ci
    if due <= year:
        return "not_met", f"{shown} – målet är inte nått" + (" och måldatum har passerat." if due < year else "."), \
            trend, ci
    if trend is None:
        used = sum(1 for p in series if year - TREND_YEARS < p.year <= year and p.shown)
        return ("insufficient", f"{shown} – målet är inte nått än, och {used} av minst {MIN_TREND_POINTS} år "
                f"{year - TREND_YEARS + 1}–{year} har värden: för få för att bedöma trenden mot {due}.", None, ci)
    per_year = f"{'+' if trend.slope >= 0 else '−'}{_number(abs(trend.slope))} per år"
    projected = f"trenden ({per_year}) ger {_fmt(trend.projection, unit)} år {due}"
    going_right = trend.slope > 0 if direction == "higher" else trend.slope < 0
    if going_right and meets(trend.projection, goal_value, direction):
        return "on_track", f"{shown} – inte nått än, men {projected}.", trend, ci
    return "not_met", f"{shown} – målet är inte nått, och {projected}.", trend, ci


# -- computing ----------------------------------------------------------------------------------------

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
    try:
        ind = ds.catalogue().get(goal.indicator)
        tables = {level: _yearly(ds, ind, goal, level, year, min_n)
                  for level in dict.fromkeys(u.level for u in units)}
    except (QueryError, DataError) as exc:
        return [GoalResult(goal, u, year, "insufficient", f"Kunde inte beräknas: {exc}") for u in units]
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
    latest = next((p for p in series if p.year == year), None)
    upper = 100.0 if ind.kind == "proportion" else None
    if goal.goal_value is None:
        trend = fit_trend(series, year)
        shown = (f"{year}: {_fmt(latest.value, ind.unit)}. " if latest is not None and latest.shown else "")
        return GoalResult(goal, unit, year, "not_measurable",
                          f"{shown}{ind.short_sv} följs utan målvärde.", ind, part, part_label, latest, series, trend)
    status, reason, trend, ci = decide(series, year, goal.goal_value, goal.direction, goal.deadline, ind.unit, upper)
    if latest is not None and latest.shown and latest.provisional:
        reason += f" Preliminärt: {year} är inte färdigrapporterat."
    if latest is not None and latest.shown and latest.placeholder_target:
        reason += " Några ledtidsgränser är platshållare."
    return GoalResult(goal, unit, year, status, reason, ind, part, part_label, latest, series, trend, ci)


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
    for _, idx in table.groupby("year", sort=False).groups.items():
        part = table.loc[idx]
        if not part["suppressed"].astype(bool).any():
            continue  # nothing suppressed, nothing to protect
        hidden = apply_secondary_suppression(part, dims, part["denominator"], parents)
        newly = hidden & ~part["suppressed"].astype(bool)
        if newly.any():
            rows = newly[newly].index
            table.loc[rows, "suppressed"] = True
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
        return YearValue(year, True, True, provisional, placeholder_target=placeholder)
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


# -- summary -------------------------------------------------------------------------------------------

def summary(results: list[GoalResult]) -> pd.DataFrame:
    """How many results (goal × unit × part) have each status, per chapter: one row per chapter that
    has goals (in the plan's chapter order, 'Utan kapitel' last) and a last row 'Alla kapitel';
    columns Kapitel, the five status labels, Totalt."""
    order = [*CHAPTERS, None]
    rows = []
    for chapter in order:
        mine = [r for r in results if r.goal.chapter == chapter]
        if not mine:
            continue
        rows.append(_count_row(CHAPTERS.get(chapter, NO_CHAPTER_LABEL), mine))
    rows.append(_count_row("Alla kapitel", results))
    return pd.DataFrame(rows, columns=["Kapitel", *STATUS_LABELS.values(), "Totalt"])


def _count_row(label: str, results) -> dict:
    row = {"Kapitel": label}
    for status, status_label in STATUS_LABELS.items():
        row[status_label] = sum(1 for r in results if r.status == status)
    row["Totalt"] = len(results)
    return row


def results_table(results: list[GoalResult]) -> pd.DataFrame:
    """One row per result with the columns a table, a CSV download or the command line shows
    (Swedish headings; suppressed values empty; numbers unrounded)."""
    rows = []
    for r in results:
        g, p = r.goal, r.latest
        shown = p is not None and p.shown
        rows.append({
            "Id": g.id, "Kapitel": g.chapter_label if g.chapter else "", "Område": g.area, "Mål": g.goal_text,
            "Enhet": r.unit.label, "Avgränsning": "; ".join([*g.filter_labels] + (
                [f"{SPLIT_LABELS[r.part[0]]}: {r.part_label}"] if r.part else [])),
            "Indikator": g.indicator or "", "Målvärde": g.goal_value,
            "Riktning": {"higher": "minst", "lower": "högst"}.get(g.direction or "", ""),
            "Måldatum": g.deadline.isoformat() if g.deadline else "", "År": r.year,
            "Status": r.status_label, "Osäker (95 % KI)": "ja" if r.uncertain else "",
            "För få fall": "ja" if (p is not None and p.suppressed) else "",
            "Värde": p.value if shown else None, "Täljare": p.numerator if shown else None,
            "Nämnare": p.denominator if shown else None, "KI låg": p.ci_low if shown else None,
            "KI hög": p.ci_high if shown else None,
            "Preliminärt": "ja" if (p is not None and p.provisional) else "",
            "Trend per år": r.trend.slope if r.trend else None,
            "Trend vid måldatum": r.trend.projection if r.trend else None,
            "Motivering": r.reason, "Ansvarig": r.responsible, "Tidsram": r.timeframe,
            "Senaste anteckning": (f"{r.latest_note.date.isoformat()}: {r.latest_note.text}"
                                   if r.latest_note else ""),
        })
    return pd.DataFrame(rows)


# -- Swedish text -------------------------------------------------------------------------------------

def _number(v: float) -> str:
    return f"{v:.1f}".replace(".", ",").replace("-", "−")


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "–"
    suffix = {"procent": " %", "dagar": " dagar"}.get(unit, f" {unit}")
    return _number(v) + suffix


def _goal_text(goal_value: float, direction: str, deadline: date | None, unit: str) -> str:
    word = "minst" if direction == "higher" else "högst"
    shown = f"{goal_value:g}".replace(".", ",") + {"procent": " %", "dagar": " dagar"}.get(unit, f" {unit}")
    due = ""
    if deadline:
        due = f" senast {deadline.year}" if (deadline.month, deadline.day) == (12, 31) else f" senast {deadline.isoformat()}"
    return f"mål {word} {shown}{due}"


def _sv_key(text: str) -> str:
    return text.casefold().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e"}))
