"""Command-line access to plans, for plan owners and scripts:

    python -m indicators plan-check FILE [--data DIR]
    python -m indicators plan-status --data DIR [--plan FILE] [--year YYYY] [--format text|csv|json]
                                     [--min-n N]

`plan-check` reads a plan and lists every row it had to leave out (row, column, rule); exit 0
when every row could be used, 1 when some could not or the file cannot be used. `plan-status`
judges every goal for the follow-up year (default: the latest year that had ended by the extract
date) and prints one line per goal × unit and the summary per chapter (text), or the result table
(csv, json); rows left out of the plan are listed on stderr. Without --plan it uses the example
plan. Exit 1 when the plan file or the data cannot be used, 2 for bad arguments.
"""

from __future__ import annotations

import sys

from ..errors import QueryError


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(table):
    """Text cells that a spreadsheet would take for a formula ('=…', '+…', '-…', '@…') get a leading
    apostrophe: plan texts are written by users, and a CSV we write must open inert."""
    out = table.copy()
    for col in out.columns:
        if any(isinstance(v, str) and v.startswith(_FORMULA_STARTS) for v in out[col]):
            out[col] = [("'" + v) if isinstance(v, str) and v.startswith(_FORMULA_STARTS) else v for v in out[col]]
    return out


def add_commands(sub) -> None:
    c = sub.add_parser("plan-check", help="kontrollera en planfil (cancerplanens mål)")
    c.add_argument("plan")
    c.add_argument("--data", help="kontrollera mot den här datamängdens katalog och referenstabeller")

    s = sub.add_parser("plan-status", help="målens status för ett uppföljningsår")
    s.add_argument("--data", required=True)
    s.add_argument("--plan", help="planfil (.xlsx eller .csv); utan den exempelplanen")
    s.add_argument("--year", type=int, help="uppföljningsår (standard: senaste hela år före uttagsdatum)")
    s.add_argument("--format", choices=["text", "csv", "json"], default="text")
    s.add_argument("--min-n", dest="min_n")


def run_check(args) -> int:
    from .reader import read_plan

    ds = None
    if args.data:
        from ..dataset import open_data

        ds = open_data(args.data)
    plan = read_plan(args.plan, ds=ds)
    measurable = sum(1 for g in plan.goals if g.measurable)
    print(f"{plan.source}: {len(plan.goals)} mål lästa ({measurable} med indikator och målvärde)"
          + (f"; {plan.healthcare_region.label}" if plan.healthcare_region else ""))
    if plan.ignored_columns:
        print("kolumner som inte används: " + ", ".join(plan.ignored_columns))
    if plan.problems:
        rows = len({(p.sheet, p.row) for p in plan.problems})
        print(f"{rows} rader har fel och är utelämnade:")
        for p in plan.problems:
            print(f"  {p}")
        return 1
    return 0


def run_status(args) -> int:
    from ..dataset import open_data
    from ..output import to_csv, to_json
    from .reader import SAMPLE_PLAN, read_plan
    from .judge import default_year, judge_plan
    from .summary import results_table, summary

    ds = open_data(args.data)
    year = args.year if args.year is not None else default_year(ds)
    if not 2000 <= year <= 2100:
        raise QueryError(f"--year {year} ligger utanför 2000–2100")
    plan = read_plan(args.plan or SAMPLE_PLAN, ds=ds)
    for p in plan.problems:
        print(f"utelämnad: {p}", file=sys.stderr)
    results = judge_plan(ds, plan, year, min_n=args.min_n)
    if args.format == "csv":
        sys.stdout.write(to_csv(inert(results_table(results))))
        return 0
    if args.format == "json":
        sys.stdout.write(to_json(results_table(results)) + "\n")
        return 0
    print(f"{plan.title} – uppföljning {year} (uttag {ds.extract_date.isoformat()})")
    for r in results:
        mark = " (osäkert)" if r.uncertain else ""
        print(f"{r.goal.id:<6} {r.unit_label[:48]:<48} {r.status_label}{mark}: {r.reason}")
    print()
    print(summary(results).to_string(index=False))
    return 0
