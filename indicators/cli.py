"""The command line of data-contract.md §7 and §9.5 (list, compute, validate, generate, import, ingest).

The meeting-pack command `report` lives above the exports (reports/cli.py) and is added by the
program's entry point, indicators/__main__.py, so the engine never imports the layers above it.

Exit codes: 0 done; 1 data that cannot be used (a missing table, a failed load), with a one-line
message naming the table, or a write that failed on the way (disk full); 2 a request that cannot
be answered (unknown indicator, dimension or value, malformed date, --from after --to, a limit
below 5, bad arguments, an output path that cannot be written), one line on stderr. Every message
and every data-derived name printed goes through `files.safe_text` (no escape sequences, one
line); no traceback reaches the user (an unexpected OSError is named in one line, exit 1; Ctrl-C
exits 130).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

from .errors import DataError, QueryError
from .files import WriteError, os_error_message, safe_text, terminal_safe_json


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message):  # noqa: D401 - argparse API
        print(f"fel: {safe_text(message, 600)}", file=sys.stderr)
        raise SystemExit(2)


def _parser(extra=()) -> argparse.ArgumentParser:
    p = _Parser(prog="python -m indicators", description="Indikatorpanelens indikatormotor")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text, add_arguments, _run in extra:
        add_arguments(sub.add_parser(name, help=help_text))

    ls = sub.add_parser("list", help="visa katalogen")
    ls.add_argument("--data", help="extraktkatalog (dess kvalitetsindikatorer); annars de medföljande")
    ls.add_argument("--format", choices=["text", "json"], default="text")

    c = sub.add_parser("compute", help="beräkna en indikator")
    c.add_argument("indicator")
    c.add_argument("--data", required=True)
    c.add_argument("--by", default="")
    c.add_argument("--from", dest="start")
    c.add_argument("--to", dest="end")
    c.add_argument("--where", action="append", default=[], metavar="DIM=VALUE")
    c.add_argument("--min-n", dest="min_n")
    c.add_argument("--format", choices=["csv", "json"], default="csv")

    v = sub.add_parser("validate", help="kontrollera ett extrakt")
    v.add_argument("--data", required=True)
    v.add_argument("--format", choices=["text", "json"], default="text")

    g = sub.add_parser("generate", help="skapa syntetiskt exempeldata")
    g.add_argument("--out", help="extraktkatalogen (krävs utan --sources)")
    g.add_argument("--sources", help="skriv också samma data som källfiler (KVÅ-listor, INCA-exporter …) hit")
    g.add_argument("--scale", type=float, default=1.0)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--force", action="store_true",
                   help="ersätt --out även om den innehåller annat än ett tidigare genererat extrakt "
                        "(allt i den tas bort)")

    imp = sub.add_parser("import", help="läs in källformer (KVÅ-händelser, registerexporter, publicerad statistik)")
    forms = imp.add_subparsers(dest="form", required=True, parser_class=_Parser)
    from .imports import FORMS, form_module

    for form in FORMS:
        fp = forms.add_parser(form)
        form_module(form).add_arguments(fp)

    from .plan.cli import add_commands as add_plan_commands

    add_plan_commands(sub)

    i = sub.add_parser("ingest", help="validera och publicera ett nytt extrakt i ett snapshot-lager")
    i.add_argument("source")
    i.add_argument("--store", required=True)
    i.add_argument("--keep", type=int, default=5, help="antal snapshots att behålla (minst 1)")
    return p


def main(argv: list[str] | None = None, extra=()) -> int:
    """Run a command. `extra` adds commands from layers above the engine (the program's entry,
    indicators/__main__.py, passes the report commands): (name, help, add_arguments(parser),
    run(args, where) -> exit code)."""
    args = _parser(extra).parse_args(argv)
    commands = dict(_COMMANDS)
    for name, _help, _add, run in extra:
        commands[name] = (lambda a, run=run: run(a, _parse_where(getattr(a, "where", []) or [])))
    try:
        return commands[args.command](args)
    except QueryError as exc:
        _fail("fel", exc)
        return 2
    except WriteError as exc:
        _fail("fel", exc)
        return 1
    except DataError as exc:
        _fail("datafel", exc)
        return 1
    except BrokenPipeError:
        return 0
    except duckdb.Error as exc:  # a safety net: never a traceback, one line naming the problem
        from .loader import duckdb_reason

        _fail("datafel", duckdb_reason(exc))
        return 1
    except OSError as exc:  # a safety net for a file we did not expect to fail
        _fail("fel", os_error_message(exc, action="kunde inte användas"))
        return 1
    except KeyboardInterrupt:
        _fail("avbrutet", "inget ändrat som inte redan var klart")
        return 130


def _fail(prefix: str, message) -> None:
    """One line on stderr, whatever the message holds (control characters removed, 2000 chars)."""
    try:
        print(f"{prefix}: {safe_text(message, 2000)}", file=sys.stderr)
    except (BrokenPipeError, OSError):
        pass


def _parse_where(items: list[str]) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for item in items:
        if "=" not in item:
            raise QueryError(f"--where ska skrivas DIM=VÄRDE (fick {item[:40]!r})")
        dim, value = item.split("=", 1)
        where.setdefault(dim.strip(), []).append(value.strip())
    return where


def _cmd_list(args) -> int:
    from .catalogue import Catalogue

    if args.data:
        from .dataset import open_data

        catalogue = open_data(args.data).catalogue()
    else:
        catalogue = Catalogue.bundled()
    if args.format == "json":
        print(terminal_safe_json(json.dumps([_entry(i) for i in catalogue], ensure_ascii=False, indent=1)))
        return 0
    print(f"{'id':<26} {'enhet':<12} {'riktning':<8} {'mål låg/hög':<12} namn")
    for ind in catalogue:  # ids and names of quality indicators come from the data: printed inert
        target = "register" if ind.targets_from else _targets(ind)
        print(f"{safe_text(ind.id, 60):<26} {safe_text(ind.unit, 12):<12} {safe_text(ind.direction, 8):<8} "
              f"{target:<12} {safe_text(ind.name_sv, 200)}")
    print(f"\n{len(catalogue)} indikatorer. Dimensioner per indikator: python -m indicators list --format json")
    return 0


def _targets(ind) -> str:
    if ind.target_low is None and ind.target_high is None:
        return "–"
    low = "" if ind.target_low is None else str(ind.target_low)
    return f"{low}/{ind.target_high if ind.target_high is not None else ''}"


def _entry(ind) -> dict:
    return {"id": ind.id, "name_sv": ind.name_sv, "unit": ind.unit, "kind": ind.kind, "direction": ind.direction,
            "target_low": ind.target_low, "target_high": ind.target_high, "targets_from": ind.targets_from,
            "dimensions": list(ind.dimensions), "min_n": ind.min_n, "maturity_months": ind.maturity_months,
            "period_date": ind.period_date, "sql": ind.sql, "texts": ind.texts}


def _cmd_compute(args) -> int:
    from .dataset import open_data
    from .output import to_csv, to_json

    where = _parse_where(args.where)
    ds = open_data(args.data)
    df = ds.compute(args.indicator, by=args.by or None, start=args.start, end=args.end, where=where,
                    min_n=args.min_n)
    sys.stdout.write(to_json(df) + "\n" if args.format == "json" else to_csv(df))
    return 0


def _cmd_validate(args) -> int:
    from .dataset import open_data
    from .validation_report import render_json, render_text

    ds = open_data(args.data)
    print(terminal_safe_json(render_json(ds)) if args.format == "json" else render_text(ds))
    return 1 if ds.failed_tables else 0


def _cmd_generate(args) -> int:
    from .generate import generate

    if not args.scale > 0 or args.scale > 1000:  # NaN and inf too
        raise QueryError("--scale ska vara ett tal större än 0 och högst 1000")
    if not 0 <= args.seed < 2**63:
        raise QueryError("--seed ska vara ett heltal från 0 till 2^63 − 1")
    if not args.out and not args.sources:
        raise QueryError("ange --out (extraktet) och/eller --sources (källfilerna)")
    if args.sources:
        _check_sources_dir(Path(args.sources))
    started = time.perf_counter()
    if args.out:
        counts = generate(Path(args.out), scale=args.scale, seed=args.seed, force=args.force)
        took = time.perf_counter() - started
        for table, n in counts.items():
            print(f"{table:<20} {n:>12,}".replace(",", " "))
        print(f"skrev {safe_text(args.out, 300)} på {took:.1f} s")
    if args.sources:
        _generate_sources(args, Path(args.out) if args.out else None)
    return 0


def _check_sources_dir(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise QueryError(f"--sources {safe_text(path, 120)} finns redan och är inte en tom katalog")


def _generate_sources(args, extract: Path | None) -> None:
    """`generate --sources DIR`: the same data as source forms (indicators/generate_sources.py); without
    --out the extract is generated into a temporary directory beside DIR and removed afterwards."""
    import shutil
    import tempfile

    from .generate import generate
    from .generate_sources import write_sources

    started = time.perf_counter()
    sources = Path(args.sources)
    sources.parent.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        if extract is None:
            tmp = Path(tempfile.mkdtemp(prefix=".generate-", dir=sources.parent))
            extract = tmp / "extract"
            generate(extract, scale=args.scale, seed=args.seed)
        counts = write_sources(extract, sources, seed=args.seed)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    for name, n in counts.items():
        print(f"{name:<34} {n:>12,}".replace(",", " "))
    print(f"skrev källfilerna i {safe_text(sources, 300)} på {time.perf_counter() - started:.1f} s; "
          f"se {safe_text(sources / 'LASMIG.txt', 300)}")


def _cmd_ingest(args) -> int:
    from .store import ingest

    if args.keep < 1:
        raise QueryError("--keep ska vara minst 1")
    result = ingest(Path(args.source), Path(args.store), keep=args.keep)
    print(safe_text(result.message, 4000))
    return result.exit_code


def _cmd_import(args) -> int:
    from .imports import form_module
    from .imports.common import render_report, write_result

    result = form_module(args.form).run(args)
    written = write_result(result, Path(args.out))
    print(render_report(result, written))
    return 0


def _cmd_plan_check(args) -> int:
    from .plan.cli import run_check

    return run_check(args)


def _cmd_plan_status(args) -> int:
    from .plan.cli import run_status

    return run_status(args)


_COMMANDS = {
    "list": _cmd_list,
    "compute": _cmd_compute,
    "validate": _cmd_validate,
    "generate": _cmd_generate,
    "ingest": _cmd_ingest,
    "import": _cmd_import,
    "plan-check": _cmd_plan_check,
    "plan-status": _cmd_plan_status,
}
