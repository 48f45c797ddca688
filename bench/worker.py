"""Entry point of the measurement subprocesses: `python -m bench.worker TASK ARGS.json OUT.json`.

Each task runs in a fresh interpreter so that cold figures are cold, peak RSS belongs to one
job, and a crash or time-out cannot take the orchestrator with it."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _generate(args: dict) -> dict:
    from indicators.generate import generate

    from .common import now, peak_rss_mb

    t = now()
    counts = generate(args["out"], args["scale"], args["seed"], force=True)  # bench owns data/bench/ (stamps in the set)
    return {"seconds": now() - t, "counts": counts, "peak_rss_mb": round(peak_rss_mb(), 1)}


def main(argv=None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    task, args_path, out_path = argv
    args = json.loads(Path(args_path).read_text(encoding="utf-8"))
    if task == "generate":
        out = _generate(args)
    elif task == "engine":
        from .engine import run

        out = run(args)
    elif task == "floor":
        from .floor import run

        out = run(args)
    elif task == "peer":
        from .peer import run

        out = run(args)
    elif task == "pages":
        from .pages import run

        out = run(args)
    elif task == "coldstart":
        from .coldstart import run

        out = run(args)
    elif task == "exports":
        from .exports import run

        out = run(args)
    elif task == "load":
        from .load_bench import run

        out = run(args)
    elif task == "browser":
        from .browser import run

        out = run(args)
    else:
        raise SystemExit(f"unknown task {task}")
    from .common import write_json

    write_json(Path(out_path), out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
