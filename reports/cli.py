"""`python -m indicators report`: the meeting pack (PowerPoint or PDF) without the app.

    python -m indicators report --data DIR --out FILE [--format pptx|pdf] [--preset NAME]
                                [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--where DIM=VALUE ...]
                                [--level region|healthcare_region|riket] [--own-region CODE]
                                [--grain year|quarter|month] [--meeting "Namn"]

The format comes from --format, else from the file suffix (.pptx / .pdf). Without --from/--to
the period is the latest 12 whole months before the extract month (as in the app). --where takes
region (code, repeatable), healthcare_region, svf_code, register, indicator and the further
filters treatment_type, sex and substance (views.selection.from_where). The pack is made of the
same protected views as the pages (views.view). Bad arguments exit 2, data that cannot be used
exit 1, one line on stderr; the file is written under a temporary name and renamed, and nothing
is left behind on failure. Progress goes to stderr, one line at the end to stdout.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from indicators import DataError, QueryError
from indicators.files import atomic_write_bytes, check_output_path

FORMATS = ("pptx", "pdf")


def add_arguments(r) -> None:
    r.add_argument("--data", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--format", choices=list(FORMATS))
    r.add_argument("--preset", default="styrgrupp")
    r.add_argument("--from", dest="start")
    r.add_argument("--to", dest="end")
    r.add_argument("--where", action="append", default=[], metavar="DIM=VALUE")
    r.add_argument("--level", choices=["region", "healthcare_region", "riket"], default="region")
    r.add_argument("--own-region", dest="own_region")
    r.add_argument("--grain", choices=["year", "quarter", "month"], default="quarter")
    r.add_argument("--meeting", default="", help="mötets namn på titelsidan")


def _format(args) -> str:
    if getattr(args, "format", None):
        return args.format
    suffix = Path(args.out).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise QueryError(f"kan inte avgöra formatet av {Path(args.out).name[:80]!r}: ange --format pptx|pdf "
                     "eller filändelsen .pptx/.pdf")


def _check_out(out: Path, fmt: str) -> None:
    """Refuse a target before any work: wrong suffix, a link, a directory, a pseudo file system,
    a missing folder, a name over 255 bytes (indicators.files.check_output_path)."""
    if out.suffix.lower() != f".{fmt}" and out.suffix:
        raise QueryError(f"--out {out.name[:80]!r} har fel filändelse för --format {fmt}")
    check_output_path(out)


def run_report(args, where: dict[str, list[str]]) -> int:
    fmt = _format(args)
    out = Path(args.out)
    _check_out(out, fmt)

    from export.images import start_renderer
    from export.pack import build_pack, to_pdf, to_pptx
    from indicators import open_data
    from views import PRESETS, from_where

    preset = args.preset or "styrgrupp"
    if preset not in PRESETS:
        raise QueryError(f"okänd förinställning: {preset[:40]!r} (finns: {', '.join(PRESETS)})")
    started = time.perf_counter()
    start_renderer()  # Chromium starts while the data loads
    ds = open_data(args.data)
    if not ds.available:
        raise DataError(f"{args.data}: inga tabeller kunde läsas")
    own = getattr(args, "own_region", None)
    sel = from_where(ds, start=args.start, end=args.end, where=where, level=args.level,
                     grain=getattr(args, "grain", "quarter"))
    if own:
        from indicators.engine import allowed_values

        if own not in set(allowed_values(ds, "region") or []):
            raise QueryError(f"okänt värde för --own-region: {own[:40]!r} (regionkod, t.ex. 01)")
        sel = sel.replace(own_region=own)
    quiet = not sys.stderr.isatty() and os.environ.get("INDIKATORPANELEN_PROGRESS") != "1"

    def progress(fraction: float, text: str) -> None:
        if not quiet:
            print(f"[{fraction * 100:3.0f} %] {text}", file=sys.stderr)

    pack = build_pack(ds, None, sel, meeting=getattr(args, "meeting", "") or "", preset=preset, progress=progress)
    data = to_pptx(pack) if fmt == "pptx" else to_pdf(pack)
    atomic_write_bytes(out, data)  # OutputError (exit 2) or WriteError (exit 1), never a partial file
    failed = [item for item in pack.items if item.error]
    took = time.perf_counter() - started
    pages = f"{pack.slide_count} bilder" if fmt == "pptx" else "PDF"
    print(f"skrev {out} ({pages}, {len(data) / 1e6:.1f} MB) på {took:.1f} s – urval: {pack.selection}; "
          f"datauttag {pack.identity.extract_date}, dataset {pack.identity.dataset_id}")
    for item in failed:
        print(f"varning: {item.title}: {item.error}", file=sys.stderr)
    return 0


def _plan_report_arguments(r) -> None:
    from .plan_report import add_arguments as plan_arguments

    plan_arguments(r)


def _run_plan_report(args, where) -> int:
    from .plan_report import run_plan_report

    return run_plan_report(args, where)


# (name, help, add_arguments, run(args, where)) for indicators.cli.main(extra=...)
COMMANDS = [("report", "bygg ett mötespaket (pptx eller pdf)", add_arguments, run_report),
            ("plan-report", "cancerplanens årliga uppföljningsrapport (pptx eller pdf)", _plan_report_arguments,
             _run_plan_report)]
