"""`python -m indicators report`: the meeting pack (PowerPoint or PDF) without the app.

    python -m indicators report --data DIR --out FILE [--format pptx|pdf] [--preset NAME]
                                [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--where DIM=VALUE ...]
                                [--meeting "Namn"]

The format is taken from --format, else from the file suffix (.pptx / .pdf). Without --from/--to
the period is the latest 12 whole months before the extract month (as in the app). --where takes
region (code, repeatable), healthcare_region, svf_code, register, and the indicators' other
dimensions (sex, treatment_type, substance). Bad arguments raise QueryError (exit 2); data that
cannot be used raises DataError (exit 1). Progress goes to stderr, one line at the end to stdout.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from .errors import DataError, QueryError

FORMATS = ("pptx", "pdf")


def _format(args) -> str:
    if getattr(args, "format", None):
        return args.format
    suffix = Path(args.out).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise QueryError(f"kan inte avgöra formatet av {Path(args.out).name!r}: ange --format pptx|pdf "
                     "eller filändelsen .pptx/.pdf")


def run_report(args, where: dict[str, list[str]]) -> int:
    fmt = _format(args)
    out = Path(args.out)
    if out.suffix.lower() != f".{fmt}" and out.suffix:
        raise QueryError(f"--out {out.name!r} har fel filändelse för --format {fmt}")
    if out.exists() and out.is_dir():
        raise QueryError(f"--out {str(out)[:80]!r} är en katalog")
    if not out.parent.exists():
        raise QueryError(f"katalogen för --out finns inte: {str(out.parent)[:80]}")

    from export.presets import PRESETS, PackSelection

    preset = args.preset or "styrgrupp"
    if preset not in PRESETS:
        raise QueryError(f"okänd förinställning: {preset[:40]!r} (finns: {', '.join(PRESETS)})")

    from export.images import start_renderer

    from .dataset import open_data

    started = time.perf_counter()
    start_renderer()  # Chromium starts while the data loads
    ds = open_data(args.data)
    if not ds.available:
        raise DataError(f"{args.data}: inga tabeller kunde läsas")
    sel = PackSelection.from_where(ds, start=args.start, end=args.end, where=where)

    from export.pack import build_pack, to_pdf, to_pptx

    quiet = not sys.stderr.isatty() and os.environ.get("INDIKATORPANELEN_PROGRESS") != "1"

    def progress(fraction: float, text: str) -> None:
        if not quiet:
            print(f"[{fraction * 100:3.0f} %] {text}", file=sys.stderr)

    pack = build_pack(ds, None, sel, meeting=getattr(args, "meeting", "") or "", preset=preset, progress=progress)
    data = to_pptx(pack) if fmt == "pptx" else to_pdf(pack)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    failed = [item for item in pack.items if item.error]
    took = time.perf_counter() - started
    pages = f"{pack.slide_count} bilder" if fmt == "pptx" else "PDF"
    print(f"skrev {out} ({pages}, {len(data) / 1e6:.1f} MB) på {took:.1f} s – urval: {pack.selection}; "
          f"datauttag {pack.identity.extract_date}, dataset {pack.identity.dataset_id}")
    for item in failed:
        print(f"varning: {item.title}: {item.error}", file=sys.stderr)
    return 0
