"""Shared helpers: timing, statistics of repeated runs, machine facts, subprocess workers."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

now = time.perf_counter


def ms(seconds: float) -> float:
    return round(seconds * 1000.0, 2)


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values) -> float | None:
    """(max − min) / median of repeated runs: how noisy one figure was."""
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return None
    m = statistics.median(values)
    return (max(values) - min(values)) / m if m else None


def timed(fn, *args, **kwargs):
    t = now()
    out = fn(*args, **kwargs)
    return now() - t, out


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb() -> tuple[float, float]:
    """Current and peak RSS from /proc (MiB); (nan, nan) where /proc is not there."""
    cur = peak = float("nan")
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024.0
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return cur, peak


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    info = {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": None,
        "cpu": platform.processor() or platform.machine(),
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("duckdb", "pandas", "pyarrow", "numpy", "streamlit", "plotly", "kaleido", "playwright"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20)
        out["chromium"] = chromium.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        out["chromium"] = None
    return out


class WorkerError(RuntimeError):
    pass


def run_worker(task: str, args: dict, *, timeout: float, env: dict | None = None, log=None) -> dict:
    """Run `python -m bench.worker TASK` in a fresh process; returns the JSON it writes.

    The worker's own stderr is kept (last lines shown on failure). Raises WorkerError on a
    failure or a time-out (the process group is killed)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        a, o = Path(tmp) / "args.json", Path(tmp) / "out.json"
        a.write_text(json.dumps(args, default=_json_default), encoding="utf-8")
        full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
        err = Path(tmp) / "stderr.txt"
        with err.open("w") as errf:
            proc = subprocess.Popen([PY, "-m", "bench.worker", task, str(a), str(o)], cwd=ROOT, env=full_env,
                                    stdout=errf, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
                raise WorkerError(f"{task}: stopped after {timeout:.0f} s (time budget)") from None
        text = err.read_text(errors="replace")
        if rc != 0 or not o.exists():
            tail = "\n".join(text.strip().splitlines()[-12:])
            raise WorkerError(f"{task}: exit {rc}\n{tail}")
        if log and text.strip():
            for line in text.strip().splitlines()[-3:]:
                log(f"    [{task}] {line}")
        return json.loads(o.read_text(encoding="utf-8"))


def _json_default(obj):
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(type(obj).__name__)


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=_json_default, ensure_ascii=False), encoding="utf-8")
