"""`python -m bench.load --url http://127.0.0.1:8500 --sessions 8 --duration 60`: simulated users
against a running app (one Streamlit process or the proxy of `make serve`).

Prints a summary; `--json FILE` writes every interaction and the figures. Exit codes: 0 no errors,
1 errors seen (exceptions shown, lost views, failed interactions) or the app lacks a widget the
scenario drives, 2 bad arguments or a target that is not on the loopback (one line on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from .runner import MAX_DURATION_S, MAX_SESSIONS, LoadAbort, LoadConfig, run_load
from .scenario import FILTER_KEYS
from .target import TargetRefused


def _think(text: str) -> tuple[float, float]:
    parts = [float(x) for x in text.split("-", 1)]
    return (parts[0], parts[-1])


def parse(argv=None) -> LoadConfig:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="http://127.0.0.1:PORT (loopback only)")
    ap.add_argument("--sessions", type=int, default=4, help=f"simulated users (1..{MAX_SESSIONS})")
    ap.add_argument("--duration", type=float, default=30.0, help=f"seconds of interaction after the ramp (≤ {MAX_DURATION_S:.0f})")
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds over which sessions open")
    ap.add_argument("--think", type=_think, default=(3.0, 10.0), help="think time between interactions, MIN-MAX s")
    ap.add_argument("--max-interactions", type=int, default=200, help="per session")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one interaction may take")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pages", default="", help="url paths sessions open first, comma-separated ('' = default page)")
    ap.add_argument("--query", default="", help="query string of the first page (filters in the URL)")
    ap.add_argument("--marker", action="append", default=[], help="text to look for on every page (repeatable)")
    ap.add_argument("--keys", default="", help="filter keys if renamed: role=key,... (roles: "
                    + ", ".join(f"{r} [{k}]" for r, k in FILTER_KEYS.items()) + ")")
    ap.add_argument("--hold", type=float, default=0.0, help="keep sessions open this long after interacting")
    ap.add_argument("--no-verify", action="store_true", help="skip the view check by a fresh load at the end")
    ap.add_argument("--json", default=None, help="write records and summary here")
    a = ap.parse_args(argv)
    keys = dict(FILTER_KEYS)
    for part in filter(None, a.keys.split(",")):
        role, _, key = part.partition("=")
        if role not in keys or not key:
            ap.error(f"--keys: unknown role or empty key in {part!r}")
        keys[role] = key
    cfg = LoadConfig(url=a.url, sessions=a.sessions, duration_s=a.duration, ramp_s=a.ramp, think_s=a.think,
                     max_interactions=a.max_interactions, timeout_s=a.timeout, seed=a.seed,
                     start_pages=tuple(p.strip().strip("/") for p in a.pages.split(",")) if a.pages else ("",),
                     start_query=a.query.lstrip("?"), markers=tuple(a.marker), keys=keys,
                     verify_view=not a.no_verify, hold_s=a.hold)
    cfg.json = a.json  # type: ignore[attr-defined]
    return cfg


def format_summary(s: dict) -> str:
    def ms(v):
        return "–" if v is None else f"{v:.0f} ms"
    lines = [f"sessioner {s['sessions']}, interaktioner {s['interactions']} ({s['interactions_ok']} utan fel): "
             f"p50 {ms(s['p50_ms'])}, p95 {ms(s['p95_ms'])}, max {ms(s['max_ms'])}",
             f"första interaktionen i en ny session: p50 {ms(s['first']['p50_ms'])}, p95 {ms(s['first']['p95_ms'])} "
             f"({s['first']['ok']} av {s['first']['n']})",
             f"repliker: {', '.join(f'{k} {v}' for k, v in sorted(s['replicas'].items()))}",
             f"återanslutningar {s['reconnects']} ({s['reconnects_ok']} lyckade); vyer kontrollerade {s['views_checked']}, "
             f"behållna {s['views_kept']}",
             f"fel: {s['error_total']}" + (" — " + "; ".join(f"{k} {v}" for k, v in s["errors"].items()) if s["errors"] else "")]
    lines += [f"  t.ex. {k}: {v}" for k, v in s["error_examples"].items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    try:
        cfg = parse(argv)
        cfg.check()
    except (TargetRefused, ValueError) as exc:
        print(f"bench.load: {exc}", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(run_load(cfg))
    except LoadAbort as exc:
        print(f"bench.load: appen kan inte styras: {exc}", file=sys.stderr)
        return 1
    if cfg.json:
        Path(cfg.json).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(format_summary(result["summary"]))
    return 1 if result["summary"]["error_total"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
