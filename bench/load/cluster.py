"""`scripts/serve.py` (what `make serve` runs) as a context manager for the load tests and
`make bench`: start N replicas behind haproxy over a store, wait until the proxy answers, read the
pids and ports from its state file, ask haproxy which replicas are in rotation, read memory and CPU
time of the replica processes from /proc, and stop everything on exit."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve.py"
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port_block(n: int, host: str = "127.0.0.1", tries: int = 50) -> int:
    """A port P such that P..P+n-1 were free a moment ago (the proxy takes P, replicas P+1...)."""
    import random

    rng = random.Random()
    for _ in range(tries):
        base = rng.randint(20000, 60000 - n)
        ok = True
        for p in range(base, base + n):
            with socket.socket() as s:
                try:
                    s.bind((host, p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free block of ports")


class Cluster:
    def __init__(self, state: dict, proc: subprocess.Popen, run_dir: Path):
        self.state, self.proc, self.run_dir = state, proc, run_dir

    @property
    def url(self) -> str:
        return self.state["url"]

    def refresh(self) -> dict:
        self.state = json.loads((self.run_dir / "state.json").read_text(encoding="utf-8"))
        return self.state

    def replica_pids(self) -> dict[str, int]:
        return {r["name"]: r["pid"] for r in self.refresh()["replicas"]}

    def kill_replica(self, name: str, sig: int = signal.SIGKILL) -> int:
        pid = self.replica_pids()[name]
        os.kill(pid, sig)
        return pid

    def server_status(self) -> dict[str, str]:
        """{replica name: 'UP' | 'DOWN' | ...} as haproxy sees it (its stats socket)."""
        return _serve_module().proxy_status(Path(self.state["proxy"]["socket"]))

    def wait_status(self, name: str, status: str, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.server_status().get(name) == status:
                return True
            time.sleep(0.2)
        return False

    def log(self, tail: int = 4000) -> str:
        parts = []
        for f in sorted(self.run_dir.glob("*.log")):
            parts.append(f"== {f.name}\n{f.read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)


def _serve_module_die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _serve_module():
    """scripts/serve.py as a module (one reader of haproxy's stats socket, not two)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("indikatorpanelen_serve", SERVE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def proc_stats(pid: int) -> dict:
    """RSS (MiB) and CPU time (user + system, s, children included) of a process from /proc."""
    out = {"rss_mb": None, "cpu_s": None}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_mb"] = round(int(line.split()[1]) / 1024.0, 1)
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        out["cpu_s"] = (utime + stime + cutime + cstime) / _TICKS
    except (OSError, ValueError, IndexError):
        pass
    return out


@contextlib.contextmanager
def serve(replicas: int, store: Path, run_dir: Path, *, data: Path | None = None, restart: bool = False,
          env: dict | None = None, ready_timeout: float = 240.0):
    """Run scripts/serve.py with `replicas` replicas over `store` on free loopback ports; yields a
    Cluster once the proxy answers. Raises RuntimeError with the logs when it does not start."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    port = free_port_block(replicas + 1)
    cmd = [sys.executable, str(SERVE), "--replicas", str(replicas), "--port", str(port), "--store", str(store),
           "--run-dir", str(run_dir), "--ready-timeout", str(ready_timeout)]
    cmd += ["--data", str(data)] if data else ["--data", ""]
    if not restart:
        cmd.append("--no-restart")
    full_env = {**os.environ, **(env or {})}
    full_env.pop("INDIKATORPANELEN_DATA", None)
    with open(run_dir / "serve.out", "w") as out:
        # serve.py gets SIGTERM if this process dies (a test run killed by a time-out), and stops its
        # replicas and haproxy in turn; nothing is left running
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=_serve_module_die_with_parent)
    state_path = run_dir / "state.json"
    try:
        end = time.monotonic() + ready_timeout + 30
        while True:
            if state_path.exists():
                try:
                    state = json.loads(state_path.read_text(encoding="utf-8"))
                except ValueError:
                    state = {}
                if state.get("ready"):
                    break
            if proc.poll() is not None or time.monotonic() > end:
                text = (run_dir / "serve.out").read_text(errors="replace")
                raise RuntimeError(f"serve.py did not start (exit {proc.poll()}):\n{text[-3000:]}")
            time.sleep(0.3)
        yield Cluster(state, proc, run_dir)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
