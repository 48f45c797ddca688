"""The load generator against a real browser (Playwright with Debian's chromium): the same
interactions done by a person's browser and by a simulated session, on the same server.

For each interaction this records
- what the browser sent (its BackMsg frames, decoded) and what the generator sent, so that a test
  can check that the generator speaks to the server as the frontend does;
- the browser's times: from the click to the end of the script run as the page shows it
  (`data-test-script-state` back to `notRunning`), to the frame after that (drawn), and between its
  own WebSocket frames (rerun request sent → `script_finished` received);
- the generator's time for the same interaction (request sent → `script_finished`).

Widgets are found in the page by their key (Streamlit gives a keyed widget's container the class
``st-key-<key>``) and pages by their url path in the navigation, as bench/load/widgets.py does.
"""

from __future__ import annotations

import asyncio
import re
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from .protocol import Session
from .target import loopback_target

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# (kind, target, value): the interactions compared
# (the time grain is changed on a page with trends: elsewhere it is disabled, as it does nothing there)
ACTIONS = (("filter", "niva", "Sjukvårdsregion"), ("filter", "egen_region", "Uppsala"),
           ("page", "svf_ledtider", None), ("filter", "tidsenhet", "År"),
           ("filter", "regioner", "Skåne"), ("page", "", None))
OBSERVER = """
window.__lg = {click: 0, running: 0, done: 0, painted: 0};
document.addEventListener('click', () => { window.__lg.click = performance.now(); window.__lg.running = 0;
                                            window.__lg.done = 0; window.__lg.painted = 0; }, true);
new MutationObserver(() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || !window.__lg.click) return;
  const s = app.getAttribute('data-test-script-state');
  if (s === 'running' && !window.__lg.running) window.__lg.running = performance.now();
  if (s === 'notRunning' && window.__lg.running && !window.__lg.done) {
    window.__lg.done = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__lg.painted = performance.now(); }));
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""


def decode_rerun(data: bytes) -> dict | None:
    """The parts of a rerun BackMsg that say what was asked: page, query parameters, widget values."""
    msg = BackMsg.FromString(data)
    if msg.WhichOneof("type") != "rerun_script":
        return None
    cs = msg.rerun_script
    states = {}
    for w in cs.widget_states.widgets:
        kind = w.WhichOneof("value")
        value = None if kind is None else (tuple(w.string_array_value.data) if kind == "string_array_value"
                                           else getattr(w, kind))
        states[w.id] = (kind, value)
    from .widgets import parse_query

    return {"page_script_hash": cs.page_script_hash, "page_name": cs.page_name,
            "query": sorted(parse_query(cs.query_string)), "widgets": states}


def _wait_run(page, timeout_ms: float) -> None:
    page.wait_for_function("() => window.__lg.painted > 0", timeout=timeout_ms)


def _wait_loaded(page, timeout_ms: float) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_timeout(300)


def _do(page, kind: str, target: str, value) -> None:
    if kind == "page":
        import urllib.parse

        links = page.locator("[data-testid='stSidebarNav'] a")
        for i in range(links.count()):
            link = links.nth(i)
            if urllib.parse.urlsplit(link.get_attribute("href") or "").path.strip("/") == target.strip("/"):
                link.click()
                return
        raise LookupError(f"ingen länk till /{target} i navigeringen")
    box = page.locator(f".st-key-{target}").first
    if box.count() == 0:
        raise LookupError(f"ingen widget med nyckeln '{target}' på sidan")
    buttons = box.locator("button[data-variant]").filter(has_text=re.compile("^" + re.escape(value) + "$"))
    if buttons.count():  # segmented control / pills
        buttons.first.click()
        return
    box.scroll_into_view_if_needed()
    field = box.locator("input").first
    field.click()
    option = page.get_by_role("option", name=value, exact=True).first
    if not option.is_visible():  # a list at the window's lower edge may not open on the click: type to filter
        field.press_sequentially(value)
    option.click()


def browser_pass(url: str, actions=ACTIONS, *, start: str = "", timeout_s: float = 90.0) -> list[dict]:
    """Do `actions` in Chromium; one dict per action with the BackMsg it sent and its times (ms)."""
    from playwright.sync_api import sync_playwright

    loopback_target(url)
    frames: list[tuple[float, str, bytes]] = []
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="sv-SE",
                                    timezone_id="Europe/Stockholm")
            page.add_init_script(OBSERVER)

            def on_ws(ws):
                ws.on("framesent", lambda d: frames.append((time.perf_counter(), "sent", d if isinstance(d, bytes) else d.encode())))
                ws.on("framereceived", lambda d: frames.append((time.perf_counter(), "recv", d if isinstance(d, bytes) else d.encode())))

            page.on("websocket", on_ws)
            page.goto(url.rstrip("/") + "/" + start)
            _wait_loaded(page, timeout_s * 1000)
            for kind, target, value in actions:
                mark = len(frames)
                _do(page, kind, target, value)
                _wait_run(page, timeout_s * 1000)
                lg = page.evaluate("() => window.__lg")
                page.wait_for_timeout(200)
                sent = [(t, decode_rerun(d)) for t, k, d in frames[mark:] if k == "sent"]
                sent = [(t, m) for t, m in sent if m is not None]
                finished = [t for t, k, d in frames[mark:] if k == "recv" and
                            ForwardMsg.FromString(d).WhichOneof("type") == "script_finished"]
                ws_ms = (finished[-1] - sent[0][0]) * 1000 if sent and finished else None
                out.append({"kind": kind, "target": target, "value": value, "sent": sent[0][1] if sent else None,
                            "reruns_sent": len(sent), "script_ms": lg["done"] - lg["click"],
                            "painted_ms": lg["painted"] - lg["click"], "ws_ms": ws_ms})
        finally:
            browser.close()
    return out


async def generator_pass(url: str, actions=ACTIONS, *, start: str = "", timeout_s: float = 90.0) -> list[dict]:
    """The same actions by a simulated session; the BackMsg it sent and its time per action."""
    session = Session(loopback_target(url), timeout=timeout_s)
    out = []
    try:
        await session.open(start)
        for kind, target, value in actions:
            run = await (session.goto(target) if kind == "page" else
                         session.set_filter(target, _new_value(session, target, value)))
            out.append({"kind": kind, "target": target, "value": value, "sent": decode_rerun(session.last_sent),
                        "ms": run.ms, "ok": run.ok, "page": run.page})
    finally:
        await session.close()
    return out


def _new_value(session: Session, key: str, value: str) -> tuple[str, ...]:
    w = session.find(key)
    if w.kind == "multiselect":
        held = tuple(session.values.get(w.id, w.default))
        return held if value in held else held + (value,)
    return (value,)


def compare(url: str, actions=ACTIONS, *, start: str = "") -> list[dict]:
    """Warm the caches with one generator pass, then a browser pass and a generator pass over the
    same actions; one row per action with both sides' times."""
    asyncio.run(generator_pass(url, actions, start=start))
    seen = browser_pass(url, actions, start=start)
    sim = asyncio.run(generator_pass(url, actions, start=start))
    rows = []
    for b, g in zip(seen, sim):
        rows.append({"action": f"{b['kind']} {b['target'] or '/'}" + (f"={b['value']}" if b["value"] else ""),
                     "browser_script_ms": b["script_ms"], "browser_painted_ms": b["painted_ms"],
                     "browser_ws_ms": b["ws_ms"], "generator_ms": g["ms"], "generator_ok": g["ok"]})
    return rows
