"""The status rules of plan goals and the result types. `judge.py` computes the yearly values with
the engine and applies these rules; this module is plain Python on those values.

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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .. import stats
from ..catalogue import Indicator
from .model import Goal, StatusNote, Unit

STATUSES = ("met", "on_track", "not_met", "insufficient", "not_measurable")
STATUS_LABELS = {
    "met": "Uppnått",
    "on_track": "På väg",
    "not_met": "Ej uppnått",
    "insufficient": "Otillräckligt underlag",
    "not_measurable": "Ej mätbar",
}
# One symbol per status, so that status is never told by colour alone (charts.theme colours them).
STATUS_SYMBOLS = {"met": "✓", "on_track": "↗", "not_met": "✗", "insufficient": "–", "not_measurable": "○"}
CI_LABELS = {"met": "säkert uppnått (hela 95 %-intervallet når målet)",
             "not_met": "säkert ej uppnått (hela 95 %-intervallet missar målet)",
             "uncertain": "osäkert (95 %-intervallet omfattar målvärdet)"}
TREND_YEARS = 5  # the window Y−4…Y, as Fingertips' recent trend
MIN_TREND_POINTS = 3
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class YearValue:
    """One year of a unit's series. `has_data` False: no row for the year (nothing counted).
    `suppressed`: too few to show — every count and value is None. `protected`: suppressed not for
    its own size but so that a small group beside it cannot be computed (complementary
    suppression over the plan's output)."""

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
    protected: bool = False

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
    """The engine's target test: ≥ the goal value when higher is better, ≤ when lower is. Compared
    with a tolerance of 1e-9 so that an exact share is not missed by float rounding (57 of 100 is
    56.99999999999999 % in floating point, and must meet a goal of 57 %)."""
    if direction == "higher":
        return value >= goal_value - _TOLERANCE
    return value <= goal_value + _TOLERANCE


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
    if latest.suppressed and latest.protected:
        return "insufficient", (f"{year}: värdet visas inte, så att en liten grupp inte kan räknas fram ur de "
                                f"andra siffrorna ({target})."), trend, None
    if latest.suppressed or latest.value is None:
        return "insufficient", f"{year}: otillräckligt underlag, för få fall för att visas ({target}).", trend, None
    ci = None
    if latest.ci_low is not None and latest.ci_high is not None:
        ci = stats.target_status_ci(latest.ci_low, latest.ci_high, goal_value, direction)
    shown = f"{year}: {format_value(latest.value, unit)} ({target})"
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
    step = {"procent": " procentenheter", "dagar": " dagar"}.get(unit, "")
    per_year = f"{'+' if trend.slope >= 0 else '−'}{_number(abs(trend.slope))}{step} per år"
    projected = f"trenden ({per_year}) ger {format_value(trend.projection, unit)} år {due}"
    going_right = trend.slope > 0 if direction == "higher" else trend.slope < 0
    if going_right and meets(trend.projection, goal_value, direction):
        return "on_track", f"{shown} – inte nått än, men {projected}.", trend, ci
    return "not_met", f"{shown} – målet är inte nått, och {projected}.", trend, ci


# -- Swedish text -------------------------------------------------------------------------------------

def _number(v: float) -> str:
    return f"{v:.1f}".replace(".", ",").replace("-", "−")


def format_value(v: float | None, unit: str) -> str:
    """A value in Swedish with its unit: '84,7 %', '28,0 dagar', '–' for none."""
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
