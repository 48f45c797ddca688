"""The cancer plan's yearly follow-up report (issue 14), as PowerPoint or PDF, from the plan views.

    python -m indicators plan-report --data DIR [--plan FILE] [--year YYYY] --out FILE.pdf|.pptx
                                     [--format pptx|pdf] [--meeting "Namn"] [--min-n N]

    pack = build_plan_report(ds, "plan.xlsx", year=2025)     # export.pack.Pack
    to_pdf(pack) / to_pptx(pack)

Pages: a title page (the plan, the follow-up year, extract date, data-set id, source); the
summary (statuses per chapter) and "Målen i korthet" (every goal with its statuses); one page per
goal — its chart (the goal view drawn by the view layer, as on the page), and beside it the status
of each unit, responsible, timeframe and the latest status note (a goal with many pathways or
registers continues over a few pages, twelve bars a page); then the appendix "Hur målen mäts": how
each goal is measured and the catalogue's texts of every linked indicator. Speaker notes (and the
PDF's last pages) carry each goal's full notes. The same protection as the page (views.plan):
no count hidden there appears in a picture, a text, a note or an alternative text.

Bad arguments exit 2, a plan file or data set that cannot be used exit 1, one line on stderr; rows
of the plan that had to be left out are listed on stderr and counted on the title page. The file
is written under a temporary name and renamed.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import textfmt as fmt
from export import pack as xpack
from export import tables as xtables
from indicators import DataError, QueryError
from indicators.files import atomic_write_bytes
from indicators.plan import STATUS_LABELS, STATUS_SYMBOLS
from indicators.plan.status import format_value
from textfmt.safe import one_line
from views.plan import PlanOutput, goal_line, goal_slide_parts, plan_output, status_counts

MAX_SIDE_RESULTS = 9  # status lines beside a chart; more are counted per status
NOTE_CHARS = 420
# Pictures beside text: 720 × 520 CSS px shown 8,3 in wide, so 15 px (charts.render.for_slide's
# smallest text) is 12,5 pt; scale 4.5 gives a 3240 px wide PNG.
IMAGE_LAYOUT = (720, 520, 4.5)  # the latest status note beside a chart (the full text is in the notes)

Progress = xpack.Progress


def build_plan_report(ds, source=None, *, name: str | None = None, year: int | None = None, chapters=None,
                      units=None, meeting: str = "", meeting_date: date | None = None, min_n: int | None = None,
                      progress: Progress | None = None, render: bool = True) -> xpack.Pack:
    """The follow-up report of a plan (module docstring) as a Pack. `source`: a path, bytes with
    `name`, or None for the example plan; `chapters`/`units` keep only those (views.plan)."""
    progress = progress or (lambda _f, _t: None)
    t0 = time.perf_counter()
    progress(0.02, "Läser planen och bedömer målen")
    out = plan_output(ds, source, name=name, year=year, min_n=min_n).filtered(chapters, units)
    return report_pack(ds, out, meeting=meeting, meeting_date=meeting_date, progress=progress, render=render,
                       started=t0)


def report_pack(ds, out: PlanOutput, *, meeting: str = "", meeting_date: date | None = None,
                progress: Progress | None = None, render: bool = True, started: float | None = None) -> xpack.Pack:
    """The report of an already built (and perhaps filtered) plan output."""
    progress = progress or (lambda _f, _t: None)
    t0 = started if started is not None else time.perf_counter()
    plan, year = out.plan, out.year
    items: list = [with_side(out.summary, summary_side(out))]
    items += overview_pages(out)
    for v in out.goals:
        for part in goal_slide_parts(v):
            items.append(with_side(part, goal_side(out, part)))
    identity = out.identity
    title = one_line(meeting, 120) or one_line(f"{plan.title} – uppföljning {year}", 160)
    measurable = sum(1 for g in plan.goals if g.measurable)
    info = [f"Uppföljningsår {year}: målen bedömda på helårsvärdena för {year}",
            f"Plan: {one_line(plan.title, 120)} ({one_line(plan.source, 80)}) · {len(plan.goals)} mål, "
            f"{measurable} med indikator och målvärde"]
    if plan.problems:
        info[1] += f" · {len({(p.sheet, p.row) for p in plan.problems})} rader med fel utelämnade"
    if meeting:
        info.append(f"Möte: {(meeting_date or date.today()).isoformat()}")
    selection = " · ".join(x for x in (f"Uppföljning {year}", plan.healthcare_region.label
                                       if plan.healthcare_region else "", one_line(plan.source, 80)) if x)
    pack = xpack.Pack(meeting=title, meeting_date=meeting_date or date.today(), selection=selection,
                      identity=identity, period=(date(year, 1, 1), date(year, 12, 31)), items=items,
                      catalogue=ds.catalogue(), document="Uppföljningsrapport", title_info=info,
                      closing=appendix_pages(out), closing_title="Hur målen mäts")
    pack.alt_texts = [xtables.alt_text(item, pack.catalogue) if not isinstance(item, xpack.TextPage) else ""
                      for item in items]
    if render:
        charts = [i for i, item in enumerate(items) if not isinstance(item, xpack.TextPage)]
        pack.images = [None] * len(items)
        for k, i in enumerate(charts):
            progress(0.1 + 0.85 * k / max(1, len(charts)), f"Ritar bild {k + 1} av {len(charts)}: {items[i].title}")
            pack.images[i] = xpack.chart_png(items[i], identity)
    progress(0.97, "Sätter ihop rapporten")
    pack.build_seconds = time.perf_counter() - t0
    return pack


def with_side(view, blocks):
    return view.replace(options={**view.options, "slide_text": tuple(blocks), "image_layout": IMAGE_LAYOUT})


# -- texts beside the charts ---------------------------------------------------------------------------

def summary_side(out: PlanOutput) -> list[tuple[str, str]]:
    counts = status_counts(out.results)
    goals = len({r.goal.id for r in out.results})
    blocks = [("h", f"{goals} mål, {len(out.results)} bedömningar"),
              ("s", "Ett mål bedöms för varje enhet det gäller, och för varje förlopp eller register när planen "
                    "säger ”alla”.")]
    for status, label in STATUS_LABELS.items():
        blocks.append(("p", f"{STATUS_SYMBOLS[status]} {label}: {counts[status]}"))
    blocks += [("h", "Så bedöms målen"),
               ("s", "Uppnått: årets värde når målvärdet. På väg: inte än, men trenden (vägd linje genom de fem "
                     "senaste åren) når målet senast måldatum. Ej uppnått: annars. Otillräckligt underlag: för få "
                     "fall, år eller inga data. Ej mätbar: ingen indikator i panelen.")]
    if out.plan.problems:
        rows = len({(p.sheet, p.row) for p in out.plan.problems})
        blocks += [("h", "Utelämnade rader"),
                   ("p", f"{rows} rader i planfilen har fel och ingår inte. Kontrollera filen med "
                         "python -m indicators plan-check.")]
    return blocks


def _value(r) -> str:
    p = r.latest
    if p is None:
        return ""
    if p.suppressed:
        return fmt.SUPPRESSED_SECONDARY_SHORT if p.protected else fmt.SUPPRESSED
    if not p.has_data:
        return "inga data"
    return format_value(p.value, r.indicator.unit) if p.value is not None else ""


def status_lines(results) -> list[tuple[str, str]]:
    """One line per result (unit × part), or counts per status when there are many."""
    if len(results) > MAX_SIDE_RESULTS:
        what = "förlopp" if results[0].part and results[0].part[0] == "svf_code" else \
            "register" if results[0].part else "enheter"
        counts = status_counts(results)
        lines = [("p", f"{STATUS_SYMBOLS[s]} {STATUS_LABELS[s]}: {n} av {len(results)} {what}")
                 for s, n in counts.items() if n]
        lines.append(("s", "Varje " + {"förlopp": "förlopp", "register": "register", "enheter": "enhet"}[what]
                      + " för sig i diagrammet, tabellen och anteckningarna."))
        return lines
    out = []
    for r in results:
        value = _value(r)
        mark = " (osäkert)" if r.uncertain else ""
        label = r.part_label if r.part and len({x.unit.label for x in results}) == 1 else r.unit_label
        out.append(("p", f"{STATUS_SYMBOLS[r.status]} {label}: {r.status_label.lower()}{mark}"
                         + (f" – {value}" if value else "")))
    if len(results) == 1 and results[0].indicator is not None:
        out.append(("s", results[0].reason))
    return out


def goal_side(out: PlanOutput, view) -> list[tuple[str, str]]:
    results = list(view.options.get("results", ()))
    labels = set(view.table["label"]) if view.table is not None and len(view.table) else None
    shown = [r for r in results if labels is None or r.unit_label in labels] or results
    if not shown:
        return []
    goal = shown[0].goal
    blocks: list[tuple[str, str]] = [("h", f"Status {out.year}")]
    blocks += status_lines(results if len(results) > MAX_SIDE_RESULTS else shown)
    if len(shown) < len(results):
        blocks.append(("s", f"Den här sidan: {len(shown)} av {len(results)}."))
    if labels is None:  # nothing to draw: the plan's own texts take the room
        for head, text in (("Vad ska göras", goal.what), ("Hur", goal.how), ("Uppföljning", goal.follow_up)):
            if text:
                blocks += [("h", head), ("p", text)]
    if goal.responsible_text:
        blocks += [("h", "Ansvarig"), ("p", goal.responsible_text)]
    if goal.timeframe_text:
        blocks += [("h", "Tidsram"), ("p", goal.timeframe_text)]
    note = goal.latest_note
    if note is not None:
        text = note.text if len(note.text) <= NOTE_CHARS else note.text[:NOTE_CHARS].rsplit(" ", 1)[0] + " …"
        blocks += [("h", f"Senaste anteckning ({note.date.isoformat()})"), ("p", text)]
    blocks += [("h", "Så mäts målet"), ("s", goal_line(goal, shown[0].indicator))]
    return blocks


# -- text pages ------------------------------------------------------------------------------------------

def overview_pages(out: PlanOutput) -> list[xpack.TextPage]:
    """'Målen i korthet': every goal under its chapter, with the statuses of its units."""
    blocks: list[tuple[str, str]] = []
    chapter = object()
    for v in out.goals:
        results = v.options.get("results", ())
        if not results:
            continue
        goal = results[0].goal
        if goal.chapter != chapter:
            chapter = goal.chapter
            blocks.append(("h", goal.chapter_label))
        counts = status_counts(results)
        statuses = ", ".join(f"{STATUS_SYMBOLS[s]} {n} {STATUS_LABELS[s].lower()}" for s, n in counts.items() if n)
        blocks.append(("p", f"{goal.id} {one_line(goal.goal_text, 160)} – {statuses}"))
    notes = ("Varje mål med antalet bedömningar (enheter, förlopp eller register) i varje status.",)
    return xpack.paginate("Målen i korthet", blocks, notes=notes)


def appendix_pages(out: PlanOutput) -> list[xpack.TextPage]:
    """'Hur målen mäts': each goal's measurement, then the catalogue's texts of each linked indicator."""
    blocks: list[tuple[str, str]] = [("h", "Målen")]
    for row in out.measurement.table.to_dict("records"):
        text = f"{row['Id']} {one_line(row['Mål'], 200)}: {row['Mäts som']}"
        if row["Avgränsning"]:
            text += f" ({row['Avgränsning']})"
        text += f"; {row['Enheter']}."
        blocks.append(("p", text))
        if row["Mätning enligt planen"]:
            blocks.append(("s", one_line(row["Mätning enligt planen"], 1500)))
    for row in out.appendix.table.to_dict("records"):
        blocks.append(("h", f"{row['Indikator']} ({row['Id']}) – mål {row['Används av mål']}"))
        for key in ("Om indikatorn", "Att tänka på vid tolkning", "Teknisk beskrivning"):
            if row[key]:
                blocks.append(("p", f"{key}: {one_line(row[key], 3000)}"))
        blocks.append(("s", f"Panelens målnivå: {row['Panelens målnivå']}. Konfidensintervall: "
                            f"{row['Konfidensintervall']}. Preliminärt: {row['Preliminärt']}."))
    blocks.append(("s", xtables.SUPPRESSION_NOTE))
    return xpack.paginate("Hur målen mäts", blocks)


# -- the command ---------------------------------------------------------------------------------------------

def add_arguments(r) -> None:
    r.add_argument("--data", required=True)
    r.add_argument("--plan", help="planfil (.xlsx eller .csv); utan den exempelplanen")
    r.add_argument("--year", type=int, help="uppföljningsår (standard: senaste hela år före uttagsdatum)")
    r.add_argument("--out", required=True)
    r.add_argument("--format", choices=["pptx", "pdf"])
    r.add_argument("--meeting", default="", help="mötets namn på titelsidan (annars planens titel)")
    r.add_argument("--min-n", dest="min_n", type=int)


def run_plan_report(args, _where) -> int:
    from export.images import start_renderer
    from indicators import open_data

    from .cli import _check_out, _format

    fmt_ = _format(args)
    out_path = Path(args.out)
    _check_out(out_path, fmt_)
    if args.year is not None and not 2000 <= args.year <= 2100:
        raise QueryError(f"--year {args.year} ligger utanför 2000–2100")
    if args.min_n is not None and args.min_n < 5:
        raise QueryError(f"--min-n {args.min_n}: gränsen kan inte vara lägre än 5")
    started = time.perf_counter()
    start_renderer()
    ds = open_data(args.data)
    if not ds.available:
        raise DataError(f"{args.data}: inga tabeller kunde läsas")
    quiet = not sys.stderr.isatty() and os.environ.get("INDIKATORPANELEN_PROGRESS") != "1"

    def progress(fraction: float, text: str) -> None:
        if not quiet:
            print(f"[{fraction * 100:3.0f} %] {text}", file=sys.stderr)

    pack = build_plan_report(ds, args.plan, year=args.year, meeting=args.meeting or "", min_n=args.min_n,
                             progress=progress)
    plan = plan_output(ds, args.plan, year=args.year, min_n=args.min_n).plan
    for p in plan.problems:
        print(f"utelämnad: {one_line(p, 500)}", file=sys.stderr)
    data = xpack.to_pptx(pack) if fmt_ == "pptx" else xpack.to_pdf(pack)
    atomic_write_bytes(out_path, data)
    took = time.perf_counter() - started
    pages = f"{pack.slide_count} sidor"
    print(f"skrev {out_path} ({pages}, {len(data) / 1e6:.1f} MB) på {fmt.number(took, 1)} s – {pack.selection}; "
          f"datauttag {pack.identity.extract_date}, dataset {pack.identity.dataset_id}")
    return 0
