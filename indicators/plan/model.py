"""The typed contents of a plan file (docs/cancerplan.md): the plan, its goals, the units a goal
applies to, and dated status notes. Nothing here reads files or data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import DataError

# The four chapters of the EU cancer plan that RCC Norr's sjukvårdsregional plan follows, in order.
CHAPTERS: dict[str, str] = {
    "forebyggande": "Förebyggande arbete",
    "tidig_upptackt": "Tidig upptäckt",
    "diagnos_behandling": "Diagnos och behandling",
    "livskvalitet": "Livskvalitet för patienter och canceröverlevare",
}
NO_CHAPTER_LABEL = "Utan kapitel"

# Unit levels, from the widest.
LEVELS = ("riket", "healthcare_region", "region")

# Dimensions a goal may be broken down by ("alla" in Förlopp or Register): one result per value.
SPLIT_LABELS = {"svf_code": "Förlopp", "register": "Register"}


class PlanError(DataError):
    """A plan file that cannot be used at all (unreadable, no heading row, a bad plan-level line).
    The message names the file. Bad goal rows are not raised: they are `PlanProblem`s."""


@dataclass(frozen=True)
class PlanProblem:
    """One bad cell or row: the row number as the spreadsheet shows it, the column heading as
    written in the file (empty when the problem is the whole row), and a Swedish message."""

    source: str
    row: int
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = f"{self.source}" + (f", bladet {self.sheet}" if self.sheet else "") + f", rad {self.row}"
        if self.column:
            where += f", kolumn {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Unit:
    """Where a goal is followed: riket, one sjukvårdsregion (code = its name) or one region
    (code = its two-digit region code)."""

    level: str  # 'riket' | 'healthcare_region' | 'region'
    code: str | None
    label: str

    @staticmethod
    def riket() -> Unit:
        return Unit("riket", None, "Riket")

    @property
    def dimension(self) -> str | None:
        """The engine dimension that selects this unit (None for riket)."""
        return None if self.level == "riket" else self.level


@dataclass(frozen=True)
class StatusNote:
    """A dated status note ("240306: Genomgång av rapporten …")."""

    date: date
    text: str


@dataclass(frozen=True)
class Goal:
    """One row of the plan. `indicator` None: the goal is not measurable ('ej mätbar').
    `goal_value` None with an indicator: the indicator is followed as context, without a goal value.

    `filters` are engine `where` filters ({'svf_code': ('brost', 'prostata')}: either pathway,
    pooled); `split` is a dimension the goal is judged on one value at a time (Förlopp or Register
    "alla"). Values are percent for percent indicators, days for lead-time medians.
    """

    row: int
    id: str
    goal_text: str
    what: str = ""
    how: str = ""
    who: str = ""
    when: str = ""
    follow_up: str = ""
    responsible: str = ""
    timeframe: str = ""
    area: str = ""
    chapter: str | None = None
    measurement: str = ""
    comment: str = ""
    units: tuple[Unit, ...] = ()
    indicator: str | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    filter_labels: tuple[str, ...] = ()
    split: str | None = None
    goal_value: float | None = None
    direction: str | None = None  # 'higher' | 'lower'
    deadline: date | None = None
    notes: tuple[StatusNote, ...] = ()

    @property
    def measurable(self) -> bool:
        return self.indicator is not None and self.goal_value is not None

    @property
    def chapter_label(self) -> str:
        return CHAPTERS.get(self.chapter or "", NO_CHAPTER_LABEL)

    @property
    def where(self) -> dict[str, list[str]]:
        return {dim: list(values) for dim, values in self.filters}

    @property
    def latest_note(self) -> StatusNote | None:
        return max(self.notes, key=lambda n: n.date) if self.notes else None

    @property
    def responsible_text(self) -> str:
        """Ansvarig, or Vem when the plan has no Ansvarig for the row."""
        return self.responsible or self.who

    @property
    def timeframe_text(self) -> str:
        """Tidsram, or När when the plan has no Tidsram for the row."""
        return self.timeframe or self.when


@dataclass
class Plan:
    """A read plan: the goals that could be used, and every row that could not (left out)."""

    source: str
    goals: list[Goal]
    problems: list[PlanProblem] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)
    healthcare_region: Unit | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_lines[0] if self.title_lines else Path(self.source).stem

    def goal(self, goal_id: str) -> Goal:
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)
