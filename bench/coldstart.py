"""The app's cold start: `streamlit run app.py` (headless) until the first page is rendered.

A Chromium (Debian's /usr/bin/chromium through Playwright, no browser download) is started first
and kept: a user's browser is already open. Then, per run: start the server in a new process,
poll /_stcore/health until it answers (server ready), open the page, and wait for
[data-testid='stApp'][data-test-script-state='notRunning'] (the first script run has finished and
its elements are on screen). The time is from spawning the server. One warm-up run (the OS page
cache, Python's bytecode cache) is made and not counted. When Chromium cannot be used the result
says so and the orchestrator falls back to AppTest's first run in a fresh process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .common import ms, now

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Records, in the page, when the app's script-run state changes (ms since navigation start), so
# the cold start can be split into: page loaded, script started (the server runs the app), done.
OBSERVER = """
window.__bench = {states: []};
new MutationObserver(() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app) return;
  const s = app.getAttribute('data-test-script-state');
  const list = window.__bench.states;
  if (!list.length || list[list.length - 1][0] !== s) list.push([s, performance.now()]);
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['data-test-script-state']});
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def _one(browser, root: Path, data: str | None, timeout: float) -> dict:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("INDIKATORPANELEN_STORE", None)
    if data:
        env["INDIKATORPANELEN_DATA"] = data
    cmd = [sys.executable, "-m", "streamlit", "run", str(root / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    t0 = now()
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    rec = {}
    context = None
    try:
        deadline = t0 + timeout
        while not _health(port):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited {proc.returncode}: "
                                   f"{proc.stderr.read().decode(errors='replace')[-400:]}")
            if now() > deadline:
                raise RuntimeError("server not ready in time")
            time.sleep(0.02)
        rec["server_ready_ms"] = ms(now() - t0)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_init_script(OBSERVER)
        page = context.new_page()
        t_nav = now()
        page.goto(f"http://127.0.0.1:{port}/", wait_until="commit", timeout=timeout * 1000)
        page.wait_for_selector(READY, timeout=max(1.0, deadline - now()) * 1000)
        rec["rendered_ms"] = ms(now() - t0)
        try:  # the split, relative to spawning the server
            nav0 = ms(t_nav - t0)
            info = page.evaluate("() => ({states: window.__bench.states, dom: "
                                 "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd})")
            rec["dom_loaded_ms"] = round(nav0 + info["dom"], 1)
            states = [(s_, round(nav0 + t, 1)) for s_, t in info["states"]]
            running = [t for s_, t in states if s_ == "running"]
            if running:
                rec["script_started_ms"] = running[0]
            rec["script_runs"] = len(running)
            rec["states"] = states
        except Exception:  # noqa: BLE001 - the split is a diagnostic only
            pass
        rec["exceptions"] = page.locator("[data-testid='stException']").count()
        rec["elements"] = page.locator("[data-testid='stMain'] [data-testid='stElementContainer']").count()
    finally:
        if context is not None:
            context.close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    return rec


def run(args: dict) -> dict:
    from playwright.sync_api import sync_playwright  # a test requirement: `make bench` installs it

    root = Path(args["root"])
    repeats = int(args.get("repeats", 3))
    timeout = float(args.get("timeout", 120))
    out = {"runs": [], "warmup": None}
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:  # noqa: BLE001 - no usable Chromium: the caller falls back
            return {"browser_error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        try:
            out["warmup"] = _one(browser, root, args.get("data"), timeout)
            for _ in range(repeats):
                out["runs"].append(_one(browser, root, args.get("data"), timeout))
        except Exception as exc:  # noqa: BLE001
            out["error"] = f"{type(exc).__name__}: {str(exc)[:400]}"
        finally:
            browser.close()
    return out
