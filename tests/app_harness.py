"""Shared harness for tests that run the app: the environment an AppTest needs, and a real
Streamlit server with Debian's chromium for browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextlib.contextmanager
def app_environment(data_dir):
    """The app reads `data_dir` (no snapshot store), and a failing page shows its real traceback."""
    from streamlit import config

    old = {k: os.environ.get(k) for k in ("INDIKATORPANELEN_DATA", "INDIKATORPANELEN_STORE")}
    os.environ["INDIKATORPANELEN_DATA"] = str(data_dir)
    os.environ.pop("INDIKATORPANELEN_STORE", None)
    old_details = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    try:
        yield data_dir
    finally:
        config.set_option("client.showErrorDetails", old_details)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(data_dir, log_path: Path, timeout: float = 60):
    """`streamlit run app.py` on a free port over `data_dir`; yields its URL. Fails with the
    server's log when it does not answer its health check in time."""
    port = _free_port()
    env = {**os.environ, "INDIKATORPANELEN_DATA": str(data_dir)}
    env.pop("INDIKATORPANELEN_STORE", None)
    with Path(log_path).open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{Path(log_path).read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
