"""`make serve REPLICAS=N`: N Streamlit replicas of the app behind haproxy, all serving the current
snapshot of one store, on this machine.

    python scripts/serve.py --replicas 2 [--port 8500] [--store data/store] [--data data/sample]
                            [--run-dir data/serve] [--bind 127.0.0.1] [--no-restart]

- The store (`INDIKATORPANELEN_STORE`) is shared: every replica resolves `STORE/CURRENT` on every
  run, so `python -m indicators ingest NEW --store STORE` is picked up by all of them without a
  restart. A store without a current snapshot gets `--data` ingested first (the sample by default).
- Replica i listens on 127.0.0.1:PORT+i (only the proxy is meant to be reached); haproxy listens on
  BIND:PORT with cookie affinity (WebSocket and downloads stay on one replica) and health checks on
  `/_stcore/health` (deploy/haproxy/haproxy.cfg.in).
- All replicas get the same `server.cookieSecret` (kept in RUN_DIR/cookie_secret, mode 600), so a
  login cookie signed by one replica is valid on another after a failover.
- A replica that exits is restarted (like systemd's Restart=always or a Kubernetes pod); while it
  is down haproxy takes it out of rotation and its users reconnect to another replica, keeping their
  page and filters (they are in the URL). `--no-restart` leaves it down.
- RUN_DIR/state.json names the URL, the pids and ports (tests and `make bench` read it); logs go to
  RUN_DIR/*.log. Ctrl-C or SIGTERM stops everything this script started.

Exit codes: 0 stopped by a signal, 1 could not start (a one-line reason on stderr), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "haproxy" / "haproxy.cfg.in"
MAX_REPLICAS = 16


def _log(msg: str) -> None:
    print(f"[serve {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _die_with_parent() -> None:
    """Children get SIGTERM when this process dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)


def render_config(run_dir: Path, bind: str, port: int, replicas: list[tuple[str, int]]) -> str:
    """The haproxy configuration for `replicas` [(name, port)] on the loopback."""
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} cookie {name}" for name, p in replicas)
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in (("{run_dir}", str(run_dir)), ("{bind}", bind), ("{port}", str(port)), ("{servers}", servers)):
        text = text.replace(key, value)
    return text


def _healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def proxy_status(sock: Path) -> dict[str, str]:
    """{replica name: 'UP' | 'DOWN' | ...} from haproxy's stats socket ({} when it does not answer)."""
    import socket

    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(3)
            s.connect(str(sock))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError:
        return {}
    out = {}
    for line in data.decode(errors="replace").splitlines():
        f = line.split(",")
        if len(f) > 17 and f[0] == "streamlit" and f[1] not in ("BACKEND", "FRONTEND"):
            out[f[1]] = f[17].split()[0] if f[17] else ""
    return out


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


class Replica:
    def __init__(self, name: str, port: int, env: dict, run_dir: Path):
        self.name, self.port, self.env, self.run_dir = name, port, env, run_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.started_at = 0.0

    def start(self) -> None:
        cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
        log = open(self.run_dir / f"replica-{self.name}.log", "a", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        log.close()
        self.starts += 1
        self.started_at = time.monotonic()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _ensure_store(store: Path, data: Path | None, env: dict) -> str | None:
    """None when the store has a current snapshot (ingesting `data` into it first if it has none),
    else the reason it cannot be served."""
    if (store / "CURRENT").exists():
        return None
    if data is None or not (data / "manifest.json").exists():
        return (f"snapshot-lagret {store} har inget aktuellt snapshot och inget extrakt att läsa in "
                f"(ange --data KATALOG eller kör 'python -m indicators ingest KÄLLA --store {store}')")
    _log(f"läser in {data} i snapshot-lagret {store} ...")
    r = subprocess.run([sys.executable, "-m", "indicators", "ingest", str(data), "--store", str(store)],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        return (r.stderr or r.stdout).strip().splitlines()[-1] if (r.stderr or r.stdout).strip() else "ingest misslyckades"
    _log((r.stdout or r.stderr).strip().splitlines()[-1])
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/serve.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8500, help="the proxy's port; replica i uses PORT+i")
    ap.add_argument("--replica-base", type=int, default=None, help="first replica port (default PORT+1)")
    ap.add_argument("--bind", default="127.0.0.1", help="the proxy's address (0.0.0.0 to serve the network)")
    ap.add_argument("--store", default=str(ROOT / "data" / "store"))
    ap.add_argument("--data", default=str(ROOT / "data" / "sample"), help="ingested when the store is empty")
    ap.add_argument("--run-dir", default=str(ROOT / "data" / "serve"))
    ap.add_argument("--no-restart", action="store_true", help="leave a replica that exits down")
    ap.add_argument("--ready-timeout", type=float, default=180.0)
    a = ap.parse_args(argv)
    if not 1 <= a.replicas <= MAX_REPLICAS:
        ap.error(f"--replicas must be 1..{MAX_REPLICAS}")
    base = a.replica_base or a.port + 1
    if not (1 <= a.port <= 65535 and 1 <= base and base + a.replicas - 1 <= 65535):
        ap.error("ports out of range")
    haproxy = haproxy_binary()
    if haproxy is None:
        print("serve: haproxy saknas; installera det med 'make system-deps' (apt-get install haproxy)", file=sys.stderr)
        return 1
    run_dir = Path(a.run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    store = Path(a.store).resolve()
    busy = [p for p in [a.port] + [base + i for i in range(a.replicas)] if not _port_free(p)]
    if busy:
        print(f"serve: port {busy[0]} används redan (en annan 'make serve'? välj PORT=...)", file=sys.stderr)
        return 1

    secret_file = run_dir / "cookie_secret"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    env = {**os.environ, "INDIKATORPANELEN_STORE": str(store),
           "STREAMLIT_SERVER_COOKIE_SECRET": secret_file.read_text().strip(), "PYTHONUNBUFFERED": "1"}
    env.pop("INDIKATORPANELEN_DATA", None)
    reason = _ensure_store(store, Path(a.data).resolve() if a.data else None, env)
    if reason:
        print(f"serve: {reason}", file=sys.stderr)
        return 1

    replicas = [Replica(f"r{i + 1}", base + i, env, run_dir) for i in range(a.replicas)]
    cfg_path = run_dir / "haproxy.cfg"
    cfg_path.write_text(render_config(run_dir, a.bind, a.port, [(r.name, r.port) for r in replicas]), encoding="utf-8")
    check = subprocess.run([haproxy, "-c", "-q", "-f", str(cfg_path)], capture_output=True, text=True)
    if check.returncode != 0:
        print(f"serve: haproxy-konfigurationen är ogiltig: {(check.stderr or check.stdout).strip()[:400]}", file=sys.stderr)
        return 1

    stopping = False

    def _stop(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    proxy: subprocess.Popen | None = None
    state_path = run_dir / "state.json"
    url = f"http://{'127.0.0.1' if a.bind in ('0.0.0.0', '::') else a.bind}:{a.port}"

    def write_state(ready: bool) -> None:
        state = {"url": url, "ready": ready, "store": str(store), "run_dir": str(run_dir), "pid": os.getpid(),
                 "proxy": {"pid": proxy.pid if proxy else None, "port": a.port, "config": str(cfg_path),
                           "socket": str(run_dir / "haproxy.sock")},
                 "replicas": [{"name": r.name, "port": r.port, "pid": r.proc.pid if r.proc else None,
                               "starts": r.starts} for r in replicas]}
        tmp = state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, state_path)

    try:
        state_path.unlink(missing_ok=True)
        for r in replicas:
            r.start()
        write_state(False)
        deadline = time.monotonic() + a.ready_timeout
        pending = list(replicas)
        while pending and not stopping:
            for r in list(pending):
                if r.proc.poll() is not None:
                    print(f"serve: replika {r.name} avslutades vid start (kod {r.proc.returncode}); "
                          f"se {run_dir / f'replica-{r.name}.log'}", file=sys.stderr)
                    return 1
                if _healthy(r.url):
                    pending.remove(r)
            if time.monotonic() > deadline:
                print(f"serve: {', '.join(r.name for r in pending)} svarade inte inom {a.ready_timeout:.0f} s", file=sys.stderr)
                return 1
            time.sleep(0.3)
        # the proxy starts once every replica answers, so that none begins out of rotation
        with open(run_dir / "haproxy.log", "a", encoding="utf-8") as hlog:
            proxy = subprocess.Popen([haproxy, "-db", "-f", str(cfg_path)], stdout=hlog, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        write_state(False)
        sock = run_dir / "haproxy.sock"
        while not stopping and not (_healthy(url) and
                                    set(proxy_status(sock).values()) == {"UP"} and len(proxy_status(sock)) == len(replicas)):
            if time.monotonic() > deadline or proxy.poll() is not None:
                print(f"serve: proxyn svarar inte på {url}; se {run_dir / 'haproxy.log'}", file=sys.stderr)
                return 1
            time.sleep(0.3)
        if stopping:
            return 0
        write_state(True)
        _log(f"Indikatorpanelen: {url} ({len(replicas)} repliker bakom haproxy; snapshot-lager {store})")
        backoff: dict[str, float] = {}
        while not stopping:
            time.sleep(0.3)
            if stopping:
                break
            if proxy.poll() is not None:
                time.sleep(0.5)  # Ctrl-C reaches haproxy and this process at once
                if stopping:
                    break
                print(f"serve: haproxy avslutades (kod {proxy.returncode}); stoppar", file=sys.stderr)
                return 1
            for r in replicas:
                code = r.proc.poll()
                if stopping:  # Ctrl-C reaches the replicas too: they exit, nothing is restarted
                    break
                if code is None or a.no_restart and r.name in backoff:
                    continue
                if a.no_restart:
                    _log(f"replika {r.name} avslutades (kod {code}); lämnas nere (--no-restart)")
                    backoff[r.name] = float("inf")
                    continue
                wait = backoff.get(r.name, 0.5)
                if time.monotonic() - r.started_at < 10:  # died soon after starting: wait longer each time
                    backoff[r.name] = min(wait * 2, 30.0)
                else:
                    backoff[r.name] = 0.5
                _log(f"replika {r.name} avslutades (kod {code}); startas om om {wait:.1f} s")
                time.sleep(wait)
                if stopping:
                    break
                r.start()
                write_state(True)
        return 0
    finally:
        for p in [proxy] + [r.proc for r in replicas]:
            if p is not None and p.poll() is None:
                p.terminate()
        for p in [proxy] + [r.proc for r in replicas]:
            if p is not None:
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        state_path.unlink(missing_ok=True)
        _log("stoppad")


if __name__ == "__main__":
    raise SystemExit(main())
