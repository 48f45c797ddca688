"""Tables over judged results: counts per chapter and status, one row per result (Swedish
headings, for tables, downloads and the command line), and the indicators a plan uses."""

from __future__ import annotations

import pandas as pd

from ..catalogue import Indicator
from .model import CHAPTERS, NO_CHAPTER_LABEL, SPLIT_LABELS
from .status import STATUS_LABELS, GoalResult


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


def linked_indicators(results: list[GoalResult]) -> list[Indicator]:
    """Each catalogue indicator the results use, once, in plan order (for the appendix
    "Hur målen mäts", which prints their texts)."""
    seen: dict[str, Indicator] = {}
    for r in results:
        if r.indicator is not None and r.indicator.id not in seen:
            seen[r.indicator.id] = r.indicator
    return list(seen.values())


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
