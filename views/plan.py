"""The views of a cancer plan's follow-up (issue 14): what the Cancerplan page, the yearly
follow-up report (`python -m indicators plan-report`) and the meeting pack's plan preset show.

    out = plan_output(ds, "min_plan.xlsx", year=2025)    # or bytes with name=…, or None: the example
    out.summary        # 'plan:sammanfattning': how many goals × units in each status, per chapter
    out.goals          # 'plan:mal:<id>': one view per goal, every unit (× pathway/register) a series
    out.results_view   # 'plan:resultat': one row per goal × unit, the downloadable results table
    out.measurement    # 'plan:matning': how each goal is measured
    out.appendix       # 'plan:hur-malen-mats': the catalogue's texts of every linked indicator
    out.filtered(chapters=…, units=…)                    # the same output, fewer goals and units

Every number comes from the plan engine (indicators.plan.judge_plan → Dataset.compute). A goal
view's table has one row per series (unit × part) and year, with the engine's counts and values,
the row's `cell` (the indicator's family, the unit's regions, the goal's pathways/registers, the
year's months) and `hidden`/`no_cases` as every view has them.

Disclosure control: the whole plan output (every goal view together) is protected at once with
views.protect.protect, as a page or a pack is: a count hidden for too few cases cannot be computed
from the counts the plan shows — regions beside their sjukvårdsregion, pathways beside each other,
the same population in several goals. The sjukvårdsregion and riket totals of what is shown, and
the pathways/registers without cases, are taken as known while choosing partners (they are public
on the other pages), so the protection does not rely on them staying unseen. Afterwards each goal
is judged again on what is still shown (indicators.plan.rejudge): status, reason and trend never
use a hidden value. Filtering (chapters, units) only leaves things out, so it shows a part of the
protected output.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

import textfmt as fmt
from indicators import QueryError
from indicators.plan import (
    CI_LABELS,
    SAMPLE_PLAN,
    STATUS_LABELS,
    STATUS_SYMBOLS,
    GoalResult,
    Plan,
    YearValue,
    default_year,
    judge_plan,
    linked_indicators,
    plan_bytes,
    read_plan,
    rejudge,
    results_table,
    summary,
)
from indicators.plan.model import SPLIT_LABELS

from . import cells as cellmod
from . import protect as protectmod
from .context import context
from .model import HIDDEN_PRIMARY, HIDDEN_SECONDARY, Cell, View
from .notes import data_line

SUMMARY_ID = "plan:sammanfattning"
RESULTS_ID = "plan:resultat"
MEASUREMENT_ID = "plan:matning"
APPENDIX_ID = "plan:hur-malen-mats"
GOAL_PREFIX = "plan:mal:"
MAX_TREND_SERIES = 8  # more series than this: bars of the follow-up year (a trend chart would be unreadable)
MAX_NOTE_RESULTS = 40  # status lines in a goal's notes; the rest are in its table


def goal_view_id(goal_id: str) -> str:
    return f"{GOAL_PREFIX}{goal_id}"


@dataclass(frozen=True)
class PlanOutput:
    """A plan judged for a follow-up year, as every output shows it (module docstring).
    `results` are judged on what is shown (after disclosure control), in plan order."""

    plan: Plan
    year: int
    results: tuple[GoalResult, ...]
    summary: View
    goals: tuple[View, ...]
    results_view: View
    measurement: View
    appendix: View
    identity: object = None
    chapters: tuple[str | None, ...] = field(default=())
    units: tuple[str, ...] = field(default=())

    def views(self) -> list[View]:
        """Every view of the output: the summary, one per goal, the tables."""
        return [self.summary, *self.goals, self.results_view, self.measurement, self.appendix]

    def goal_view(self, goal_id: str) -> View:
        vid = goal_view_id(goal_id)
        return next(v for v in self.goals if v.id == vid)

    def results_of(self, goal_id: str) -> list[GoalResult]:
        return [r for r in self.results if r.goal.id == goal_id]

    def all_units(self) -> list[str]:
        """Unit labels of the plan, in plan order (for a filter)."""
        return list(self.units)

    def all_chapters(self) -> list[str | None]:
        """Chapter codes of the plan (None: goals without a chapter), in the plan's chapter order."""
        return list(self.chapters)

    def filtered(self, chapters=None, units=None) -> PlanOutput:
        """Only the goals of `chapters` (codes; None in the list: goals without a chapter) and, of
        each goal, only the units whose label is in `units`; None means every one. A goal left
        without units is left out. The summary and tables count what is left."""
        if chapters is None and units is None:
            return self
        keep_ch = None if chapters is None else set(chapters)
        keep_units = None if units is None else set(units)

        def kept(r: GoalResult) -> bool:
            return ((keep_ch is None or r.goal.chapter in keep_ch)
                    and (keep_units is None or r.unit.label in keep_units))

        results = tuple(r for r in self.results if kept(r))
        goal_ids = list(dict.fromkeys(r.goal.id for r in results))
        goals = []
        for gid in goal_ids:
            v = self.goal_view(gid)
            if keep_units is not None and v.table is not None and len(v.table):
                t = v.table[v.table["unit_label"].isin(keep_units)].reset_index(drop=True)
                v = v.replace(table=t, options={**v.options, "layout": chart_layout(t)})
            mine = tuple(r for r in results if r.goal.id == gid)
            goals.append(v.replace(selection=_selection(self.plan, self.year, mine[0].goal, mine),
                                   options={**v.options, "results": mine}))
        return replace(self, results=results, summary=_summary_view(self.plan, self.year, results),
                       goals=tuple(goals), results_view=_results_view(self.plan, self.year, results),
                       measurement=_measurement_view(self.plan, self.year, results),
                       appendix=_appendix_view(self.plan, self.year, results))


# -- entry point -------------------------------------------------------------------------------------

def plan_output(ds, source=None, *, name: str | None = None, year: int | None = None,
                min_n: int | None = None) -> PlanOutput:
    """The protected output of a plan for a follow-up year (module docstring). `source`: a path,
    bytes with `name` (an upload) or None (the example plan). `year`: default the latest whole
    year before the extract date. Cached per data set, plan content and year, shared by every
    session. Raises PlanError when the file cannot be used at all, QueryError for a bad year."""
    label, data = plan_bytes(source if source is not None else SAMPLE_PLAN, name)
    year = int(year) if year is not None else default_year(ds)
    if not 2000 <= year <= 2100:
        raise QueryError(f"uppföljningsåret {year} ligger utanför 2000–2100")
    key = ("plan_output", hashlib.sha256(data).hexdigest(), label, year, min_n)
    from .registry import _cached  # the view layer's cache on the Dataset

    return _cached(ds, key, lambda: _build(ds, data, label, year, min_n))


def _build(ds, data: bytes, label: str, year: int, min_n) -> PlanOutput:
    ctx = context(ds)
    plan = read_plan(data, name=label, ds=ds)
    judged = judge_plan(ds, plan, year, min_n=min_n)
    raw = [_raw_goal_view(ctx, plan, year, goal, [(i, r) for i, r in enumerate(judged) if r.goal.id == goal.id])
           for goal in plan.goals]
    protected = protect_plan(ctx, raw, absent_parts(ctx, plan, judged))
    results = list(judged)
    for v in protected:
        for i, series in _series_by_result(v.table).items():
            results[i] = rejudge(judged[i], series)
    results = tuple(results)
    goals = tuple(_finish_goal_view(ctx, plan, year, v, tuple(r for r in results if r.goal.id == g.id))
                  for v, g in zip(protected, plan.goals))
    return PlanOutput(plan=plan, year=year, results=results, summary=_summary_view(plan, year, results),
                      goals=goals, results_view=_results_view(plan, year, results),
                      measurement=_measurement_view(plan, year, results),
                      appendix=_appendix_view(plan, year, results), identity=ctx.identity,
                      chapters=tuple(dict.fromkeys(g.chapter for g in _chapter_order(plan.goals))),
                      units=tuple(dict.fromkeys(r.unit.label for r in results)))


def _chapter_order(goals):
    from indicators.plan import CHAPTERS

    order = {c: i for i, c in enumerate(CHAPTERS)}
    return sorted(goals, key=lambda g: order.get(g.chapter, len(order)))


# -- goal views: rows with cells ------------------------------------------------------------------------

def _cell(ctx, ind, goal, unit, part, year: int) -> Cell:
    """The data cells one year of a unit (and part) of a goal counts: the goal's filters, the unit,
    the part (a pathway or register when the goal says "alla"), the year's months."""
    where = {dim: list(values) for dim, values in goal.filters}
    if unit.dimension:
        where[unit.dimension] = [unit.code]
    if part:
        where[part[0]] = [part[1]]
    dims = cellmod.base_dims(ctx, ind, date(year, 1, 1), date(year, 12, 31), where)
    return cellmod.make(ind, dims)


def _raw_goal_view(ctx, plan: Plan, year: int, goal, indexed: list[tuple[int, GoalResult]]) -> View:
    rows = []
    ind = next((r.indicator for _, r in indexed if r.indicator is not None), None)
    for i, r in indexed:
        if r.indicator is None or not r.series:
            continue
        for p in r.series:
            rows.append({
                "label": r.unit_label, "series": r.unit_label, "unit_label": r.unit.label,
                "part_label": r.part_label, "x": str(p.year), "year": p.year, "role": "unit",
                "unit_code": r.part[1] if r.part else (r.unit.code or ""),
                "numerator": p.numerator if p.has_data else (0 if ind.kind != "median" else None),
                "denominator": p.denominator if p.has_data else 0.0, "value": p.value, "ci_low": p.ci_low,
                "ci_high": p.ci_high, "suppressed": bool(p.suppressed), "provisional": bool(p.provisional),
                "placeholder_target": bool(p.placeholder_target), "missing": p.missing,
                "cell": _cell(ctx, r.indicator, goal, r.unit, r.part, p.year),
                "hidden": (HIDDEN_SECONDARY if p.protected else HIDDEN_PRIMARY) if p.suppressed else None,
                "judge_protected": bool(p.protected), "no_cases": not p.has_data, "result": i,
            })
    table = pd.DataFrame(rows)
    return View(goal_view_id(goal.id), "plan_goal", _goal_title(goal), "", table,
                indicators=(ind.id,) if ind is not None else ())


def absent_parts(ctx, plan: Plan, judged) -> list[Cell]:
    """The cells of the pathways/registers a goal that says "alla" has no data for at all (the
    engine returned no row in any year): known zeros, which complete the goal's parts to the
    unit's total."""
    out = []
    for goal in plan.goals:
        if not goal.split:
            continue
        mine = [r for r in judged if r.goal.id == goal.id and r.indicator is not None]
        domain = ctx.domain(goal.split) or frozenset()
        for unit in dict.fromkeys(r.unit for r in mine):
            of_unit = [r for r in mine if r.unit == unit]
            present = {r.part[1] for r in of_unit if r.part}
            years = sorted({p.year for r in of_unit for p in r.series})
            if not present or not years:
                continue
            ind = of_unit[0].indicator
            out += [_cell(ctx, ind, goal, unit, (goal.split, value), y)
                    for value in sorted(domain - present) for y in years]
    return out


def protect_plan(ctx, views: list[View], zeros: list[Cell] = ()) -> list[View]:
    """The goal views with complementary suppression across all of them (module docstring): the
    sjukvårdsregion and riket totals and the pathway/register totals of what is shown, and `zeros`
    (absent_parts), are added as known cells while partners are chosen; they are not part of the
    output."""
    domains = {d: ctx.domain(d) for d in ("region", "svf_code", "treatment_type", "sex", "register")}
    known = _known_cells(ctx, views, zeros)
    out = protectmod.protect([*views, known], domains)[:-1]
    fixed = []
    for v in out:
        t = v.table
        if t is not None and len(t) and "judge_protected" in t.columns:
            t = t.copy()  # the judge's own partners stay marked as partners (protect calls every hidden row primary)
            t.loc[t["judge_protected"].astype(bool), "hidden"] = HIDDEN_SECONDARY
            v = v.replace(table=t)
        fixed.append(v)
    return fixed


def _known_cells(ctx, views: list[View], zeros) -> View:
    """A view that is never shown: the totals of every counted cell over its sjukvårdsregion, riket
    and its pathways/registers (taken as shown, as the other pages show them), and the known zeros."""
    real = {c for v in views if v.table is not None and len(v.table) for c in v.table["cell"]}
    shown: dict[Cell, None] = {}
    for v in views:
        t = v.table
        if t is None or t.empty:
            continue
        for cell in t["cell"]:
            regions = cell.get("region")
            if regions is not None:
                parents = {ctx.healthcare_region_of.get(r) for r in regions}
                if len(parents) == 1 and None not in parents:
                    shown[_with(cell, "region", frozenset(ctx.regions_of(parents.pop())))] = None
                shown[_with(cell, "region", None)] = None
            for dim in ("svf_code", "register", "treatment_type", "sex"):
                if cell.get(dim) is not None:
                    shown[_with(cell, dim, None)] = None
    zeros = [c for c in dict.fromkeys(zeros) if c not in real]
    cells = [c for c in shown if c not in real and c not in set(zeros)]
    table = pd.DataFrame({
        "label": ["(känd summa)"] * len(cells) + ["(inga fall)"] * len(zeros),
        "cell": cells + zeros,
        "suppressed": [False] * (len(cells) + len(zeros)),
        "denominator": [float("nan")] * len(cells) + [0.0] * len(zeros),
        "no_cases": [False] * len(cells) + [True] * len(zeros),
    })
    return View("plan:kanda-summor", "plan_known", "", "", table)


def _with(cell: Cell, dim: str, values: frozenset | None) -> Cell:
    rest = [(d, v) for d, v in cell.dims if d != dim]
    if values is not None:
        rest.append((dim, values))
    return Cell(cell.family, tuple(sorted(rest)))


def _series_by_result(table: pd.DataFrame) -> dict[int, list[YearValue]]:
    """The protected table as each result's series of YearValues."""
    out: dict[int, list[YearValue]] = {}
    if table is None or table.empty:
        return out
    for r in table.to_dict("records"):
        out.setdefault(int(r["result"]), []).append(_year_value(r))
    return out


def _num(v, cast=float):
    return None if v is None or fmt.is_missing(v) else cast(v)


def _year_value(r: dict) -> YearValue:
    year = int(r["year"])
    if bool(r["no_cases"]) and not bool(r["suppressed"]):
        return YearValue(year, has_data=False)
    if bool(r["suppressed"]):
        return YearValue(year, True, True, bool(r["provisional"]), placeholder_target=bool(r["placeholder_target"]),
                         protected=r.get("hidden") == HIDDEN_SECONDARY)
    return YearValue(year, True, False, bool(r["provisional"]), _num(r["numerator"], int), _num(r["denominator"]),
                     _num(r["value"]), _num(r["ci_low"]), _num(r["ci_high"]), bool(r["placeholder_target"]),
                     _num(r.get("missing"), int))


# -- finished goal views ----------------------------------------------------------------------------------

def _goal_title(goal) -> str:
    from textfmt.safe import one_line

    return one_line(f"Mål {goal.id}: {goal.goal_text}", 110)


def goal_line(goal, ind) -> str:
    """The goal as measured: 'SVF-inklusion minst 70 % senast 2027', or why it is not measured."""
    if ind is None:
        return "ej mätbart i panelen (ingen indikator)"
    if goal.goal_value is None:
        return f"{ind.short_sv} visas utan målvärde"
    unit = {"procent": " %", "dagar": " dagar"}.get(ind.unit, f" {ind.unit}")
    value = fmt.number(goal.goal_value, 0 if float(goal.goal_value).is_integer() else 1)
    word = "minst" if goal.direction == "higher" else "högst"
    due = ""
    if goal.deadline is not None:
        due = (f" senast {goal.deadline.year}" if (goal.deadline.month, goal.deadline.day) == (12, 31)
               else f" senast {goal.deadline.isoformat()}")
    return f"{ind.short_sv} {word} {value}{unit}{due}"


def units_text(results) -> str:
    """'Mellansverige och 7 regioner', 'Uppsala', '31 förlopp i Mellansverige'."""
    units = list(dict.fromkeys(r.unit.label for r in results))
    parts = [r for r in results if r.part]
    if parts:
        what = SPLIT_LABELS[parts[0].part[0]].lower()
        plural = {"förlopp": "förlopp", "register": "register"}[what]
        n = len({r.part for r in parts})
        return f"{n} {plural} i " + fmt.join_names(units, 3)
    if len(units) <= 3:
        return fmt.join_names(units, 3)
    return f"{len(units)} enheter: " + fmt.join_names(units, 3)


def _selection(plan: Plan, year: int, goal, results) -> str:
    ind = next((r.indicator for r in results if r.indicator is not None), None)
    parts = [f"Uppföljning {year}", units_text(results) if results else "", goal_line(goal, ind)]
    if goal.filter_labels:
        parts.append(", ".join(goal.filter_labels))
    return " · ".join(p for p in parts if p)


def trend_points(r: GoalResult) -> tuple[list[int], list[float]] | None:
    """The fitted trend line of a result as (years, values) from its first year to the deadline's
    year (or the follow-up year): what a chart draws. None without a trend."""
    t = r.trend
    if t is None:
        return None
    end = t.projection_year or r.year
    years = list(range(t.years[0], end + 1))
    upper = 100.0 if r.indicator is not None and r.indicator.kind == "proportion" else None
    values = [max(0.0, t.at(y)) for y in years]
    if upper is not None:
        values = [min(upper, v) for v in values]
    return years, values


def _finish_goal_view(ctx, plan: Plan, year: int, raw: View, results: tuple[GoalResult, ...]) -> View:
    goal = results[0].goal if results else None
    ind = next((r.indicator for r in results if r.indicator is not None), None)
    t = raw.table
    if t is not None and len(t):
        by_label = {r.unit_label: r for r in results}
        t = t.copy()
        t["status"] = [by_label[label].status if label in by_label else None for label in t["label"]]
        t["meets"] = [_meets(row, goal) for row in t.to_dict("records")]
        t = t.drop(columns=["result", "judge_protected"])
    deadline_year = goal.deadline.year if goal is not None and goal.deadline is not None else None
    options = {
        "unit": ind.unit if ind is not None else "procent", "goal_value": goal.goal_value if goal else None,
        "direction": goal.direction if goal else None, "deadline_year": deadline_year, "year": year,
        "max_trend_series": MAX_TREND_SERIES, "results": results, "label_title": "Enhet",
        "layout": chart_layout(t),
        "show_ci": bool(ind is not None and ind.has_interval),
    }
    return View(raw.id, "plan_goal", raw.title, _selection(plan, year, goal, results), t, indicators=raw.indicators,
                notes=goal_notes(ctx, goal, results, t), options=options)


def chart_layout(table) -> str:
    """'trend' for at most MAX_TREND_SERIES series, else 'bars' (the follow-up year, per series)."""
    if table is None or table.empty:
        return "trend"
    return "bars" if len(dict.fromkeys(table["label"])) > MAX_TREND_SERIES else "trend"


def _meets(row: dict, goal) -> bool | None:
    from indicators.plan.status import meets

    if goal is None or goal.goal_value is None or bool(row["suppressed"]) or fmt.is_missing(row["value"]):
        return None
    return meets(float(row["value"]), goal.goal_value, goal.direction)


def status_line(r: GoalResult) -> str:
    """'✓ Uppsala: Uppnått (osäkert …)' for one result."""
    extra = ""
    if r.uncertain:
        extra = " (osäkert: 95 %-intervallet omfattar målvärdet)"
    return f"{STATUS_SYMBOLS[r.status]} {r.unit_label}: {r.status_label}{extra}"


def goal_notes(ctx, goal, results, table) -> tuple[str, ...]:
    """What goes with a goal view: status and reason per unit, how it is measured, the indicator,
    what is hidden and why, responsible, timeframe, status notes, the data set."""
    if goal is None:
        return ()
    lines = [f"Mål {goal.id}: {goal.goal_text}"]
    if goal.chapter or goal.area:
        lines.append(" · ".join(x for x in (goal.chapter_label if goal.chapter else "", goal.area) if x))
    for r in results[:MAX_NOTE_RESULTS]:
        lines.append(f"{status_line(r)} – {r.reason}")
    if len(results) > MAX_NOTE_RESULTS:
        lines.append(f"… och {len(results) - MAX_NOTE_RESULTS} resultat till (se tabellen).")
    ind = next((r.indicator for r in results if r.indicator is not None), None)
    if goal.measurement:
        lines.append(f"Så mäts målet: {goal.measurement}")
    if ind is not None:
        om = (ind.texts or {}).get("om", "")
        lines.append(f"Indikator: {ind.name_sv} ({ind.id}). {om}".strip())
        if ind.has_interval and goal.goal_value is not None:
            lines.append("Statusen följer värdet; ”osäkert” betyder att 95 %-intervallet omfattar målvärdet "
                         f"({ind.interval_text}).")
        if any(r.trend is not None and r.trend.projection_year for r in results):
            lines.append("Trend: en linje genom de visade årsvärdena för de fem senaste åren (minst tre), vägd med "
                         "antalet fall; målet är på väg när linjen når målvärdet senast måldatums år.")
    lines += hidden_lines(ind, table)
    if goal.responsible_text:
        lines.append(f"Ansvarig: {goal.responsible_text}")
    if goal.timeframe_text:
        lines.append(f"Tidsram: {goal.timeframe_text}")
    for note in sorted(goal.notes, key=lambda n: n.date, reverse=True):
        lines.append(f"Anteckning {note.date.isoformat()}: {note.text}")
    lines.append(data_line(ctx))
    return tuple(lines)


def hidden_lines(ind, table) -> list[str]:
    """Which years of which units show no counts, and why (never a count)."""
    if ind is None or table is None or table.empty:
        return []
    limit = max(int(getattr(ind, "min_n", 5) or 5), 5)
    out = []
    hidden = table[table["suppressed"].astype(bool)]
    primary = hidden[hidden["hidden"] != HIDDEN_SECONDARY]
    secondary = hidden[hidden["hidden"] == HIDDEN_SECONDARY]

    def names(rows) -> str:
        return fmt.join_names([f"{s} {x}" for s, x in zip(rows["series"].astype(str), rows["x"].astype(str))], 8)

    if len(primary):
        out.append(f"Otillräckligt underlag (färre än {limit} fall), utan antal och värden: {names(primary)}.")
    if len(secondary):
        out.append(f"Dolda så att en liten grupp inte kan räknas fram ur de andra siffrorna: {names(secondary)}.")
    return out


def goal_slide_parts(view: View, per_slide: int = 12) -> list[View]:
    """A goal view drawn as bars (more series than a trend chart can show) split over slides of at
    most `per_slide` series each, in the view's order; parts of a protected view: nothing is
    added or changed."""
    t = view.table
    if view.kind != "plan_goal" or t is None or t.empty:
        return [view]
    labels = list(dict.fromkeys(t["label"]))
    if len(labels) <= max(per_slide, view.options.get("max_trend_series", MAX_TREND_SERIES)):
        return [view]
    # in the bars' order (the follow-up year's value, best first; hidden last), so the parts read on
    latest = t[t["year"].astype(int) == int(view.options["year"])].set_index("label")["value"]
    sign = -1 if view.options.get("direction") != "lower" else 1
    labels.sort(key=lambda lab: (fmt.is_missing(latest.get(lab)), sign * float(latest.get(lab))
                                 if not fmt.is_missing(latest.get(lab)) else 0.0, lab))
    chunks = [labels[i:i + per_slide] for i in range(0, len(labels), per_slide)]
    return [view.replace(table=t[t["label"].isin(chunk)].reset_index(drop=True),
                         title=f"{view.title} ({i}/{len(chunks)})")
            for i, chunk in enumerate(chunks, start=1)]


# -- summary and tables ------------------------------------------------------------------------------------

def _summary_view(plan: Plan, year: int, results) -> View:
    table = summary(list(results))
    goals = len({r.goal.id for r in results})
    selection = (f"Uppföljning {year} · {goals} mål, {len(results)} bedömningar (mål × enhet"
                 + (" × förlopp/register" if any(r.part for r in results) else "") + ")")
    notes = [f"{plan.title}.", f"Uppföljningsår {year}. Varje mål bedöms för varje enhet det gäller (och för "
             "varje förlopp eller register när planen säger ”alla”); tabellen räknar bedömningarna.",
             "Uppnått: årets värde når målvärdet. På väg: inte än, men trenden når målet senast måldatum. "
             "Ej uppnått: målet är inte nått och måldatum har passerat eller trenden räcker inte. "
             "Otillräckligt underlag: för få fall, för få år eller inga data. Ej mätbar: ingen indikator i panelen.",
             CI_LABELS["uncertain"].capitalize() + ": markeras ”osäkert” vid målet."]
    if plan.problems:
        notes.append(f"{len({(p.sheet, p.row) for p in plan.problems})} rader i planfilen har fel och är "
                     "utelämnade ur uppföljningen.")
    return View(SUMMARY_ID, "plan_summary", "Målens status per kapitel", selection, table,
                notes=tuple(notes), options={"label_title": "Kapitel"})


def _results_view(plan: Plan, year: int, results) -> View:
    table = results_table(list(results))
    return View(RESULTS_ID, "reference", f"Uppföljning {year}: alla mål och enheter",
                f"{plan.title} · uppföljning {year}", table,
                notes=("En rad per mål och enhet (och förlopp eller register när planen säger ”alla”); värden och "
                       "antal tomma där de inte visas.",))


def _measurement_view(plan: Plan, year: int, results) -> View:
    rows = []
    for goal in plan.goals:
        mine = [r for r in results if r.goal.id == goal.id]
        if not mine:
            continue
        ind = next((r.indicator for r in mine if r.indicator is not None), None)
        rows.append({"Id": goal.id, "Mål": goal.goal_text, "Mäts som": goal_line(goal, ind),
                     "Avgränsning": "; ".join(goal.filter_labels) + ("; " if goal.filter_labels and goal.split
                                                                      else "")
                     + (f"{SPLIT_LABELS[goal.split].lower()}: varje för sig" if goal.split else ""),
                     "Enheter": fmt.join_names(list(dict.fromkeys(r.unit.label for r in mine)), 50),
                     "Mätning enligt planen": goal.measurement})
    table = pd.DataFrame(rows, columns=["Id", "Mål", "Mäts som", "Avgränsning", "Enheter", "Mätning enligt planen"])
    return View(MEASUREMENT_ID, "reference", "Hur målen mäts", f"{plan.title} · uppföljning {year}", table)


def _appendix_view(plan: Plan, year: int, results) -> View:
    rows = []
    for ind in linked_indicators(list(results)):
        texts = ind.texts or {}
        used = list(dict.fromkeys(r.goal.id for r in results if r.indicator is not None and r.indicator.id == ind.id))
        target = ("registrens egna målnivåer" if ind.targets_from == "registers"
                  else fmt.targets_text(ind.target_low, ind.target_high, ind.direction) or "ingen målnivå")
        rows.append({"Indikator": ind.name_sv, "Id": ind.id, "Används av mål": ", ".join(used),
                     "Om indikatorn": texts.get("om", ""), "Att tänka på vid tolkning": texts.get("tolkning", ""),
                     "Teknisk beskrivning": texts.get("teknisk", ""),
                     "Panelens målnivå": fmt.capitalize(target) + (f" ({ind.target_source})" if ind.target_source else ""),
                     "Konfidensintervall": ind.interval_text,
                     "Preliminärt": f"de senaste {ind.maturity_months} månaderna före uttaget"})
    table = pd.DataFrame(rows, columns=["Indikator", "Id", "Används av mål", "Om indikatorn",
                                        "Att tänka på vid tolkning", "Teknisk beskrivning", "Panelens målnivå",
                                        "Konfidensintervall", "Preliminärt"])
    return View(APPENDIX_ID, "reference", "Hur målen mäts: indikatorerna", f"{plan.title} · uppföljning {year}",
                table)


def status_counts(results) -> dict[str, int]:
    """How many results have each status (every status, in order)."""
    return {s: sum(1 for r in results if r.status == s) for s in STATUS_LABELS}
