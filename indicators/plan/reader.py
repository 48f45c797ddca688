"""`read_plan(FILE)`: a plan file (docs/cancerplan.md) read into typed goals.

The file is an Excel workbook (.xlsx) or a CSV file (`;`, `,` or tab separated; UTF-8 or
Windows-1252). The plan is the sheet named "Plan" (else the first sheet with a heading row); an
optional sheet "Statusanteckningar" (columns Id, Datum, Anteckning) adds dated notes.

Layout of the plan sheet:
- Rows above the heading row are the plan's title and notes ("Exempel – …"); a row
  "Sjukvårdsregion: Mellansverige" (in one cell, or two) says which sjukvårdsregion the plan is for.
- The heading row is the first row holding the column Mål and at least one other known heading.
  Headings are matched ignoring case, accents, spaces and punctuation ("Vad ska göras?" =
  "VAD SKA GORAS"); unknown headings are listed in `Plan.ignored_columns` and not used; two headings
  for the same column are an error.
- Every following row with content is a goal. A row that repeats the headings is skipped.

Columns (only Mål is required):
  Id, Mål, Vad ska göras, Hur, Vem, Ansvarig (or Vem/Ansvarig), När, Tidsram (or När/Tidsram),
  Uppföljning, Område, Mätning, Kommentar: text, kept as written.
  Kapitel: förebyggande | tidig upptäckt | diagnos och behandling | livskvalitet (or 1–4).
  Region: region names or codes ("Uppsala", "Region Uppsala", "03"), sjukvårdsregioner
    ("Mellansverige", "RCC Norr"), "riket", "alla" (every region of the plan's sjukvårdsregion, or
    every region when the plan names none), "alla sjukvårdsregioner"; several separated by ',', ';',
    '/', 'och' or line breaks. Empty: the plan's sjukvårdsregion, or riket. Each unit is judged apart.
  Indikator: a catalogue id (svf_inclusion, svf_within_target, qi:nkbc04 …; `python -m indicators
    list`). Empty: the goal is not measurable ('ej mätbar'), which is not an error.
  Förlopp / Register: svf_code or name / register_code or name, several pooled; "alla" judges each
    pathway / register apart. Only for indicators with that dimension.
  Målvärde: 70 | 70,5 | "70 %" | "minst 85 %" | "högst 28 dagar" | a percentage-formatted number;
    "–" follows the indicator without a goal value (shown, but 'ej mätbar'). Empty: the indicator's
    own target when it has exactly one level (svf_inclusion 70, svf_within_target 80, rcl_coverage 85).
  Riktning: minst | högst (or higher/lower words, ≥, ≤); empty: from Målvärde's words or the
    indicator's direction. A goal against the indicator's direction is an error.
  Måldatum: ÅÅÅÅ (= 31 december that year) or ÅÅÅÅ-MM-DD; the goal is judged on that year's value.
  Statusanteckningar: one note per line starting with its date, "240306: text" (ÅÅMMDD as in the
    RPO status documents), "20240306 text" or "2024-03-06: text"; a line without a date continues
    the note above. A first line without a date, an impossible date or a date after today is an error.

Each bad cell gives a `PlanProblem` naming the row number (as the spreadsheet shows it) and the
column heading (as written in the file); the row is left out of `Plan.goals` and listed in
`Plan.problems`. A file that cannot be used at all raises `PlanError` naming the file.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

from .headings import FIELD_LABELS, NOTE_FIELD_LABELS, field_of, header_score, normalise, note_field_of
from .model import Goal, Plan, PlanError, PlanProblem, StatusNote, Unit
from .reference import CellError, PlanContext
from .table import Sheet, Unevaluated, read_raw, text_of
from .values import deadline_of, direction_of, goal_value_of, note_date_of, notes_of

SAMPLE_PLAN = Path(__file__).resolve().parents[2] / "data" / "plans" / "exempel_rcc_mellansverige.xlsx"
MAX_TEXT_CHARS = 20_000
_HEADING_SEARCH_ROWS = 30
_TEXT_FIELDS = ("goal_text", "what", "how", "who", "responsible", "when", "timeframe", "follow_up", "area",
                "measurement", "comment")
_DIRECTION_SV = {"higher": "högre är bättre", "lower": "lägre är bättre"}


def read_plan(source, *, name: str | None = None, ds=None, context: PlanContext | None = None,
              today: date | None = None) -> Plan:
    """Read a plan file (a path, or bytes/a file object with `name` for an upload).

    Indicator ids and filters are checked against `ds` (a loaded `Dataset`: its catalogue and
    reference tables) or, without one, the bundled catalogue and reference tables. `today` (default:
    today) bounds the dates of status notes.
    """
    raw = read_raw(source, name)
    label = raw.label
    ctx = context or (PlanContext.for_dataset(ds) if ds is not None else PlanContext.bundled())
    today = today or date.today()
    sheet = raw.plan
    header_at = next((i for i, (_, cells) in enumerate(sheet.rows[:_HEADING_SEARCH_ROWS])
                      if header_score(cells) >= 2), None)
    if header_at is None:
        raise PlanError(f"{label}: hittar ingen rubrikrad med kolumnen Mål och minst en annan känd kolumn "
                        f"(t.ex. Vad ska göras, Indikator) bland de {_HEADING_SEARCH_ROWS} första raderna")
    columns, ignored = _columns(label, sheet.rows[header_at])
    title_lines, scope = _preamble(label, sheet.rows[:header_at], ctx)
    plan = Plan(source=label, goals=[], title_lines=title_lines, healthcare_region=scope, ignored_columns=ignored)
    seen_ids: dict[str, int] = {}
    for number, cells in sheet.rows[header_at + 1:]:
        if not any(text_of(c) for c in cells):
            continue
        if _repeats_headings(cells, columns):
            continue  # the heading row repeated (tables pasted one after another)
        goal, problems = _goal(label, sheet.name, number, cells, columns, ctx, scope, today)
        if goal is not None and goal.id in seen_ids:
            problems.append(_problem(label, sheet.name, number, columns, "id",
                                     f"Id {goal.id!r} finns redan på rad {seen_ids[goal.id]}"))
            goal = None
        if goal is None:
            plan.problems += problems
            continue
        seen_ids[goal.id] = number
        plan.goals.append(goal)
    if raw.notes is not None:
        _attach_notes(label, raw.notes, plan, today)
    return plan


def _repeats_headings(cells, columns) -> bool:
    """True for a row that holds the plan's headings again, each in its own column."""
    same = 0
    for f, (i, _) in columns.items():
        text = text_of(cells[i]) if i < len(cells) else ""
        if text:
            if field_of(text) != f:
                return False
            same += 1
    return same >= 2


def _columns(label: str, header_row) -> tuple[dict[str, tuple[int, str]], list[str]]:
    number, cells = header_row
    columns: dict[str, tuple[int, str]] = {}
    ignored = []
    for i, cell in enumerate(cells):
        heading = text_of(cell)
        if not heading:
            continue
        f = field_of(heading)
        if f is None:
            ignored.append(heading)
        elif f in columns:
            raise PlanError(f"{label}, rad {number}: kolumnerna {columns[f][1]!r} och {heading!r} betyder båda "
                            f"{FIELD_LABELS[f]}; ta bort eller byt namn på den ena")
        else:
            columns[f] = (i, heading)
    return columns, ignored


def _preamble(label: str, rows, ctx: PlanContext) -> tuple[list[str], Unit | None]:
    """Title lines, and the plan's sjukvårdsregion from a 'Sjukvårdsregion: …' row."""
    lines, scope = [], None
    for number, cells in rows:
        texts = [text_of(c) for c in cells if text_of(c)]
        if not texts:
            continue
        first, rest = texts[0], texts[1:]
        head, sep, tail = first.partition(":")
        if normalise(head) == "sjukvardsregion":
            value = tail.strip() if sep and tail.strip() else (rest[0] if rest else "")
            if not value:
                raise PlanError(f"{label}, rad {number}: raden Sjukvårdsregion saknar värde")
            try:
                scope = ctx.healthcare_region(value)
            except CellError as exc:
                raise PlanError(f"{label}, rad {number}, Sjukvårdsregion: {exc}") from None
            continue
        lines.append(" ".join(texts))
    return lines, scope


def _problem(label, sheet_name, number, columns, field_name, message) -> PlanProblem:
    heading = columns[field_name][1] if field_name in columns else FIELD_LABELS.get(field_name, "")
    return PlanProblem(label, number, heading, message, sheet_name)


def _goal(label, sheet_name, number, cells, columns, ctx: PlanContext, scope, today):
    problems: list[PlanProblem] = []

    def fail(f, message):
        problems.append(_problem(label, sheet_name, number, columns, f, message))

    def cell(f):
        if f not in columns:
            return None
        i = columns[f][0]
        return cells[i] if i < len(cells) else None

    for f in columns:
        if isinstance(cell(f), Unevaluated):
            fail(f, f"formeln {str(cell(f))[:40]} har inget sparat värde (filen är inte sparad i Excel); "
                    "skriv in värdet eller öppna och spara filen i Excel")
    if problems:
        return None, problems

    def attempt(f, parse):
        try:
            return parse()
        except CellError as exc:
            fail(f, str(exc))
            return None

    texts = {}
    for f in _TEXT_FIELDS + ("id",):
        t = text_of(cell(f))
        if len(t) > MAX_TEXT_CHARS:
            fail(f, f"texten är längre än {MAX_TEXT_CHARS} tecken")
            t = ""
        texts[f] = t
    if not texts["goal_text"]:
        filled = sum(1 for c in cells if text_of(c))
        fail("goal_text", "Mål saknas" + (" (är raden en rubrik? skriv den i kolumnen Område)" if filled == 1 else ""))

    chapter = attempt("chapter", lambda: _chapter(cell("chapter")))
    units = attempt("region", lambda: ctx.units(text_of(cell("region")), scope))
    indicator = attempt("indicator", lambda: ctx.indicator(text_of(cell("indicator")))) \
        if text_of(cell("indicator")) else None
    has_indicator_text = bool(text_of(cell("indicator")))

    filters, filter_labels, split = [], [], None
    for f, dim, lookup in (("pathway", "svf_code", ctx.pathways_of), ("register", "register", ctx.registers_of)):
        text = text_of(cell(f))
        if not text:
            continue
        if not has_indicator_text:
            fail(f, f"{FIELD_LABELS[f]} kräver en Indikator")
            continue
        if indicator is None:
            continue  # the indicator's own error is reported
        if dim not in indicator.dimensions:
            fail(f, f"indikatorn {indicator.id} kan inte avgränsas per {FIELD_LABELS[f].lower()}")
            continue
        parsed = attempt(f, lambda lookup=lookup, text=text: lookup(text))
        if parsed is None:
            continue
        codes, labels, each = parsed
        if each:
            if split is not None:
                fail(f, "bara en av Förlopp och Register kan vara 'alla'")
            split = dim
        else:
            filters.append((dim, tuple(codes)))
            filter_labels.append(f"{FIELD_LABELS[f]}: {', '.join(labels)}")

    goal_value, direction = _goal_value(cell, indicator, has_indicator_text, fail)
    deadline = attempt("deadline", lambda: deadline_of(cell("deadline"))) if text_of(cell("deadline")) else None
    notes = attempt("notes", lambda: notes_of(cell("notes"), today)) if text_of(cell("notes")) else []
    if problems:
        return None, problems
    goal = Goal(
        row=number, id=texts["id"] or f"rad {number}", goal_text=texts["goal_text"], what=texts["what"],
        how=texts["how"], who=texts["who"], when=texts["when"], follow_up=texts["follow_up"],
        responsible=texts["responsible"], timeframe=texts["timeframe"], area=texts["area"], chapter=chapter,
        measurement=texts["measurement"], comment=texts["comment"], units=tuple(units),
        indicator=indicator.id if indicator else None, filters=tuple(filters), filter_labels=tuple(filter_labels),
        split=split, goal_value=goal_value, direction=direction, deadline=deadline,
        notes=tuple(sorted(notes, key=lambda n: n.date)),
    )
    return goal, problems


def _chapter(value):
    from .values import chapter_of

    text = text_of(value)
    return chapter_of(text) if text else None


def _goal_value(cell, indicator, has_indicator_text, fail):
    """(goal value, direction) of a row, reporting problems through `fail`."""
    value_text, direction_text = text_of(cell("goal_value")), text_of(cell("direction"))
    if not has_indicator_text:
        if value_text:
            fail("goal_value", "Målvärde kräver en Indikator")
        if direction_text:
            fail("direction", "Riktning kräver en Indikator")
        return None, None
    if indicator is None:
        return None, None
    given_direction = None
    if direction_text:
        try:
            given_direction = direction_of(direction_text)
        except CellError as exc:
            fail("direction", str(exc))
            return None, None
    if not value_text:
        single = indicator.target_high is not None and indicator.target_low is None and not indicator.targets_from
        if not single:
            kind = ("registrens egna målnivåer" if indicator.targets_from else
                    "två målnivåer" if indicator.target_low is not None else "inget eget mål")
            fail("goal_value", f"Målvärde saknas: {indicator.id} har {kind}; skriv ett målvärde, eller – för att "
                               "följa indikatorn utan målvärde")
            return None, None
        value, cell_direction = float(indicator.target_high), None
    else:
        try:
            value, cell_direction = goal_value_of(cell("goal_value"), indicator.unit)
        except CellError as exc:
            fail("goal_value", str(exc))
            return None, None
    if given_direction and cell_direction and given_direction != cell_direction:
        fail("direction", f"Riktning {direction_text!r} stämmer inte med Målvärde {value_text!r}")
        return None, None
    direction = given_direction or cell_direction
    own = indicator.direction if indicator.direction in ("higher", "lower") else None
    if value is None:
        return None, direction or own
    if direction and own and direction != own:
        fail("direction", f"målet går mot indikatorns riktning: {indicator.id} är {_DIRECTION_SV[own]}")
        return None, None
    direction = direction or own
    if direction is None:
        fail("direction", f"Riktning saknas: {indicator.id} har ingen given riktning; skriv minst eller högst")
        return None, None
    return value, direction


def _attach_notes(label: str, sheet: Sheet, plan: Plan, today: date) -> None:
    """Notes from the Statusanteckningar sheet: one row per note (Id, Datum, Anteckning)."""
    header_at = next((i for i, (_, cells) in enumerate(sheet.rows[:_HEADING_SEARCH_ROWS])
                      if header_score(cells, note_field_of, required="id") >= 3), None)
    if header_at is None:
        plan.problems.append(PlanProblem(label, 1, "", "hittar ingen rubrikrad med kolumnerna Id, Datum och "
                                                        "Anteckning", sheet.name))
        return
    number, cells = sheet.rows[header_at]
    cols = {}
    for i, c in enumerate(cells):
        f = note_field_of(c)
        if f and f not in cols:
            cols[f] = (i, text_of(c))
    added: dict[str, list[StatusNote]] = {}
    ids = {g.id for g in plan.goals}
    for number, cells in sheet.rows[header_at + 1:]:
        if not any(text_of(c) for c in cells):
            continue

        def get(f, cells=cells):
            i = cols[f][0]
            return cells[i] if i < len(cells) else None

        def fail(f, message, number=number):
            plan.problems.append(PlanProblem(label, number, cols[f][1] or NOTE_FIELD_LABELS[f], message, sheet.name))

        goal_id, when, text = text_of(get("id")), get("date"), text_of(get("text"))
        if not goal_id:
            fail("id", "Id saknas")
            continue
        if goal_id not in ids:
            fail("id", f"inget mål i planen har Id {goal_id!r}")
            continue
        try:
            if isinstance(when, datetime):
                when = when.date()
            if isinstance(when, date):
                if when > today:
                    raise ValueError
                note_date = when
            else:
                note_date = note_date_of(text_of(when), today)
        except ValueError as exc:
            fail("date", str(exc) if str(exc) else f"datumet {when.isoformat()} ligger i framtiden")
            continue
        if not text:
            fail("text", "Anteckning saknas")
            continue
        added.setdefault(goal_id, []).append(StatusNote(note_date, text))
    plan.goals = [dataclasses.replace(g, notes=tuple(sorted(g.notes + tuple(added.get(g.id, ())), key=lambda n: n.date)))
                  if g.id in added else g for g in plan.goals]
