"""The speed a person feels (issue 13): Chromium against `streamlit run app.py`, each interaction
timed until the page has *settled* with every chart drawn.

    python -m bench.browser [--app CHECKOUT] [--data DIR] [--rounds 3] [--budget 900] [--out FILE.json]
    python -m bench.browser --pair OLD_CHECKOUT --save-before bench/browser_before.json   # before/after
    python -m bench.run --only browser --scales 1          # as a part of `make bench`

`--app` is the checkout whose `app.py` is served (this one by default), so the same measurement
runs against an older checkout (the "before" figures of issue 13); `--pair OLD` measures both in
the same time window, their rounds interleaved, so that a loaded machine weighs on both alike, and
`--save-before` keeps the old one's summary in bench/browser_before.json, which BENCHMARKS.md
shows beside every later run. Debian's /usr/bin/chromium through Playwright, viewport 1400 × 900;
the server is started once and warmed (every page opened once) before anything is timed; the load
average is recorded at the start and end and with every sample.

Settled: Streamlit says the script run caused by the interaction has finished
(`[data-testid='stApp'][data-test-script-state='notRunning']` after it was `running`), every plotly
chart that is displayed (not in a closed tab or expander) has drawn (`.js-plotly-plot` with its
`_fullLayout` and main SVG), no skeleton, spinner or stale element is displayed, and the main area
and the sidebar have not changed for QUIET_MS. The time is measured inside the page (its own
clock): from the person's input (the pointerdown or keydown event, caught by a capturing listener)
or from the navigation start of a new page, to the last change of the main area or sidebar before
that quiet stretch (or the end of the run, if later). The quiet stretch itself is not counted.
Each sample also records where the time went: input → the server starts the run, the run (the
browser draws while the server runs), and drawing after the run has finished.

What is measured, in rounds (a round visits every page for every kind; the time budget is checked
before each sample, and a round it cuts short is reported):

  first_page   a new session: a fresh browser context (no cookies, no HTTP cache) opens the page URL
  new_tab      a new session in a new tab of a browser that has been here before (Streamlit's and
               plotly's code cached): what a returning user waits for
  shared_link  a fresh context opens the page with filters in the query string (level, own region,
               pathway and period; a selection not seen before in each sample, so nothing is cached)
  page_switch  a click on the page's link in the sidebar navigation, from the page before it
  filter       two filters changed on the page, one after the other, the way a person does it, by
               the widget (the period slider's start thumb moved a month earlier with the keyboard
               — in the older app the `fran` month selectbox —, a region added to `regioner`,
               another `egen_region`, `forlopp` or `niva` option clicked); the filters rotate with
               the page and the round, and as their values accumulate in the session the selection
               is nearly always one the server has not seen: what a person changing a filter meets
  tab_switch   a click on the next tab of every page that has tabs
  slider       the "Andel inom X dagar" slider (`inom_dagar`, on the Fördelning tab) moved one day

Interactions that do not rerun the script (a tab that is drawn in the browser only) are settled
when their charts are drawn; the sample says `reran: false`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from .common import ROOT, loadavg, now

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
QUIET_MS = 300  # no change in the main area or sidebar for this long: the page has settled
SETTLE_TIMEOUT_S = 90.0  # a sample that has not settled by then is a failure (a hang, a chart never drawn)
NO_RERUN_GRACE_MS = 2500  # a tab click that starts no run within this long is drawn in the browser only

# The targets (seconds, 90th percentile for filter and tab, per page).
TARGETS = {
    "filter": ("Filter change settles, p90 on every page", 1.0),
    "tab_switch": ("Tab switch settles, p90 on every page", 1.0),
    "page_switch": ("Page switch settles", 1.5),
    "first_page": ("A new session's first page (fresh browser context)", 3.0),
    "new_tab": ("A new session's first page (a new tab, browser cache warm)", 3.0),
    "shared_link": ("A shared link (filters in the URL)", 3.0),
}
KINDS = ("first_page", "new_tab", "shared_link", "page_switch", "filter", "tab_switch", "slider")
KIND_TEXT = {
    "first_page": "first page of a new session (fresh browser context)",
    "new_tab": "first page of a new session, browser cache warm (a new tab)",
    "shared_link": "a shared link (a new session, filters in the URL)",
    "page_switch": "switch a page (sidebar navigation)",
    "filter": "change a period, region, own region, pathway or level",
    "tab_switch": "switch a tab",
    "slider": "move the \"andel inom X dagar\" slider",
}
FILTERS = ("period", "regioner", "egen_region", "forlopp", "niva")
FILTER_CHANGES_PER_PAGE = 2  # per page and round; the filter rotates with the page and the round

# Installed in every page before its own scripts: records the script-run state changes, the last
# change of the main area or sidebar, and the time of the next input after the bench "arms" it.
INSTRUMENT = """
(() => {
  if (window.__bench) return;
  const B = window.__bench = {states: [], lastMut: 0, lastChartMut: 0, mutations: 0, armed: false, input: null,
                              pending: 0};
  const note = (s) => {
    const list = B.states;
    if (s && (!list.length || list[list.length - 1][0] !== s)) list.push([s, performance.now()]);
  };
  const watched = (node) => {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest("[data-testid='stMain'], [data-testid='stSidebar']") : null;
  };
  new MutationObserver((records) => {
    const t = performance.now();
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') {
        note(r.target.getAttribute('data-test-script-state'));
        continue;
      }
      if (!watched(r.target)) continue;
      B.lastMut = t; B.mutations++;
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (el && el.closest("[data-testid='stPlotlyChart']")) B.lastChartMut = t;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const mark = () => { if (B.armed) { B.input = performance.now(); B.armed = false; } };
  for (const ev of ['pointerdown', 'mousedown', 'keydown']) document.addEventListener(ev, mark, true);
})();
"""

# Called repeatedly until it returns an object: the settle time and its parts (ms since t0), or
# false. arg: {t0 (null = the armed input), needRun, grace, quiet}.
SETTLED = """
(arg) => {
  const B = window.__bench;
  if (!B) return false;
  const now = performance.now();
  const t0 = arg.t0 === null ? B.input : arg.t0;
  if (t0 === null || t0 === undefined) return false;
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED')
    return false;
  const since = B.states.filter(s => s[1] >= t0 - 1);
  const started = since.filter(s => s[0] === 'running');
  const reran = started.length > 0;
  if (!reran && arg.needRun && !(arg.grace !== null && now - t0 > arg.grace)) return false;
  const shown = (el) => el.getClientRects().length > 0;
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")].filter(shown);
  for (const c of charts) {
    const gd = c.querySelector('.js-plotly-plot');
    if (!gd || !gd._fullLayout || !gd.querySelector('.main-svg')) { B.pending = now; return false; }
  }
  const busy = "[data-testid='stSkeleton'], [data-testid='stSpinner'], [data-stale='true']";
  if ([...document.querySelectorAll(busy)].some(shown)) { B.pending = now; return false; }
  if (now - B.lastMut < arg.quiet) return false;
  const plotlyJs = performance.getEntriesByType('resource').filter(r => r.name.includes('/PlotlyChart.'))
    .map(r => r.responseEnd).filter(t => t >= t0);
  const done = since.filter(s => s[0] === 'notRunning');
  const runEnd = reran && done.length ? done[done.length - 1][1] : null;
  const settled = Math.max(t0, B.lastMut, runEnd === null ? t0 : runEnd);
  return {
    ms: settled - t0, reran, runs: started.length,
    run_start_ms: reran ? started[0][1] - t0 : null,
    run_end_ms: runEnd === null ? null : runEnd - t0,
    last_chart_ms: B.lastChartMut > t0 ? B.lastChartMut - t0 : null,
    waiting_for_charts_until_ms: B.pending > t0 ? B.pending - t0 : null,
    plotly_js_loaded_ms: plotlyJs.length ? plotlyJs[0] - t0 : null,
    charts: charts.length,
    elements: document.querySelectorAll("[data-testid='stMain'] [data-testid='stElementContainer']").length,
    errors: document.querySelectorAll("[data-testid='stException']").length,
    link_notices: [...document.querySelectorAll("[data-testid='stAlert']")]
      .filter(a => a.innerText.includes('ignorerades')).length,
    dom_loaded_ms: arg.t0 === 0 ? performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd : null,
  };
}
"""

# What is not yet settled, for a failure message.
PENDING = """
(arg) => {
  const B = window.__bench || {states: []};
  const app = document.querySelector("[data-testid='stApp']");
  const shown = (el) => el.getClientRects().length > 0;
  const undrawn = [...document.querySelectorAll("[data-testid='stPlotlyChart']")].filter(shown)
    .filter(c => { const gd = c.querySelector('.js-plotly-plot'); return !gd || !gd._fullLayout; }).length;
  const busy = [...document.querySelectorAll("[data-testid='stSkeleton'], [data-testid='stSpinner'], [data-stale='true']")]
    .filter(shown).map(e => e.dataset.testid || 'stale');
  return {state: app && app.dataset.testScriptState, connection: app && app.dataset.testConnectionState,
          input_seen: B.input !== null, states: B.states.slice(-6), undrawn_charts: undrawn, busy,
          quiet_ms: performance.now() - (B.lastMut || 0)};
}
"""


class SettleTimeout(RuntimeError):
    pass


# -- the server -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class Server:
    """`streamlit run app.py` of the checkout `app_root` over `data`, in its own process group."""

    def __init__(self, app_root: Path, data: Path, log_path: Path, env: dict | None = None):
        self.app_root, self.data, self.log_path = Path(app_root), Path(data), Path(log_path)
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> Server:
        port = _free_port()
        env = {**os.environ, **self.env, "INDIKATORPANELEN_DATA": str(self.data), "PYTHONPATH": str(self.app_root)}
        env.pop("INDIKATORPANELEN_STORE", None)
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.app_root / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.app_root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        deadline = now() + 180
        while not _health(self.url):
            if self.proc.poll() is not None or now() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("streamlit did not start: " + self.log_path.read_text(errors="replace")[-600:])
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


# -- waiting and timing -------------------------------------------------------------------------------

def settle(page, *, t0: float | None = None, need_run: bool = True, grace_ms: float | None = None,
           quiet_ms: float = QUIET_MS, timeout_s: float = SETTLE_TIMEOUT_S) -> dict:
    """Wait until the page has settled after the armed input (t0=None) or since `t0` (ms on the
    page's clock; 0 = its navigation start). Returns the sample (ms and its parts). Raises
    SettleTimeout naming what was still pending."""
    arg = {"t0": t0, "needRun": need_run, "grace": grace_ms, "quiet": quiet_ms}
    try:
        handle = page.wait_for_function(SETTLED, arg=arg, polling=50, timeout=timeout_s * 1000)
    except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError and a page that went away
        try:
            pending = page.evaluate(PENDING)
        except Exception:  # noqa: BLE001
            pending = {}
        raise SettleTimeout(f"not settled after {timeout_s:.0f} s: {pending or str(exc)[:200]}") from None
    return handle.json_value()


def arm(page) -> None:
    """The next pointerdown or keydown on the page is the person's input (time zero)."""
    page.evaluate("() => { window.__bench.armed = true; window.__bench.input = null; window.__bench.pending = 0; }")


def _away(page) -> None:
    """Move the mouse off what was clicked (no hover effects in the main area while settling)."""
    try:
        page.mouse.move(2, 2)
    except Exception:  # noqa: BLE001
        pass


def new_context(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    context.add_init_script(INSTRUMENT)
    return context


def open_page(context, url: str, *, timeout_s: float = SETTLE_TIMEOUT_S) -> tuple[object, dict]:
    """A new tab of `context` opens `url` (a new Streamlit session): (page, sample timed from the
    navigation start)."""
    page = context.new_page()
    t = now()
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    sample = settle(page, t0=0, need_run=True, timeout_s=timeout_s)
    sample["wall_ms"] = round((now() - t) * 1000 - QUIET_MS, 1)
    return page, sample


def new_session(browser, url: str, *, timeout_s: float = SETTLE_TIMEOUT_S) -> tuple[object, object, dict]:
    """A fresh context (no cookies, nothing cached) opens `url`: (context, page, sample)."""
    context = new_context(browser)
    try:
        page, sample = open_page(context, url, timeout_s=timeout_s)
    except BaseException:
        context.close()
        raise
    return context, page, sample


# -- finding things on the page -------------------------------------------------------------------------

def nav_links(page) -> list[dict]:
    """The sidebar navigation: [{title, path}] in menu order."""
    return page.evaluate("""() => [...document.querySelectorAll("[data-testid='stSidebarNav'] a")].map(a => ({
        title: (a.innerText || '').trim().split('\\n').pop().trim(),
        path: new URL(a.href).pathname}))""")


def widget(page, key: str):
    """The element container of the widget with this key (Streamlit gives it the class `st-key-<key>`)."""
    return page.locator(f".st-key-{key}").first


def has_widget(page, key: str) -> bool:
    return page.locator(f".st-key-{key}").count() > 0


def is_disabled(page, key: str) -> bool:
    box = widget(page, key)
    return bool(box.evaluate("(el) => !!el.querySelector('input:disabled, [aria-disabled=\"true\"], [disabled]')"))


def tab_names(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll("[data-testid='stMain'] [role='tab']")]
        .map(t => t.innerText.trim())""")


def tab_button(page, name: str):
    """The tab in the main area named exactly `name`."""
    return page.locator("[data-testid='stMain']").get_by_role("tab", name=name, exact=True).first


def selected_tab(page) -> str | None:
    return page.evaluate("""() => { const t = document.querySelector(
        "[data-testid='stMain'] [role='tab'][aria-selected='true']"); return t ? t.innerText.trim() : null; }""")


NOT_VALUES = ("Select all", "No results")  # entries of Streamlit's lists that are not an option


def _options(page) -> list[str]:
    """The option texts of the open list (those rendered), without "Select all" and the like."""
    page.locator("[role='option']").first.wait_for(timeout=15000)
    return [t.strip() for t in page.locator("[role='option']:not([aria-disabled='true'])").all_inner_texts()
            if t.strip() and t.strip() not in NOT_VALUES]


def _select_value(page, key: str) -> str:
    """The shown value of a selectbox, '' when it shows its placeholder."""
    return widget(page, key).evaluate("(el) => { const i = el.querySelector('input[role=combobox]'); "
                                      "return i ? i.value.trim() : ''; }")


def _open_list(box) -> None:
    """Open a selectbox's or multiselect's list with its button (a click on the field also types).
    A click while the page is still busy can be lost: tried up to three times."""
    page = box.page
    button = box.locator("button[aria-haspopup='listbox']")
    target = button.first if button.count() else box.locator("input[role='combobox']").first
    for _ in range(3):
        target.click()
        try:
            page.locator("[role='option']").first.wait_for(timeout=5000)
            return
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: not open yet
            page.keyboard.press("Escape")
    raise RuntimeError("the list of options did not open")


class Chooser:
    """Picks, per filter, a value not chosen before in this run (a new selection every time)."""

    def __init__(self):
        self.used: dict[str, set[str]] = {}

    def pick(self, key: str, options: list[str], current: str) -> str | None:
        used = self.used.setdefault(key, set())
        fresh = [o for o in options if o not in used and o != current]
        if not fresh:
            fresh = [o for o in options if o != current]
            used.clear()
        if not fresh:
            return None
        used.add(fresh[0])
        return fresh[0]


def change_filter(page, key: str, chooser: Chooser) -> str:
    """Change the filter `key` once, as a person does; arms the input just before the committing
    event. Returns what was done."""
    box = widget(page, key)
    box.scroll_into_view_if_needed()
    if key in ("period", "inom_dagar"):
        thumb = box.locator("input[type='range']").first
        thumb.focus()
        step = "ArrowLeft" if key == "period" else "ArrowRight"
        before = thumb.get_attribute("aria-valuetext")
        arm(page)
        thumb.press(step)
        return f"{key}: {before} → one step ({step})"
    if key == "fran":  # the older app: a month selectbox
        return _choose_option(page, box, key, chooser, neighbour=True)
    return _choose_option(page, box, key, chooser)


def _choose_option(page, box, key: str, chooser: Chooser, neighbour: bool = False) -> str:
    current = _select_value(page, key) if key != "regioner" else ""
    _open_list(box)
    if neighbour and current:  # a month selectbox: one month earlier, like the period slider's step
        target = _months_back(current, 1)
    else:
        target = chooser.pick(key, _options(page), current)
    if target is None:
        page.keyboard.press("Escape")
        raise RuntimeError(f"{key}: no other option to choose")
    option = page.get_by_role("option", name=target, exact=True).first
    if not option.count():  # not rendered in the list's window: type to find it, as a person does
        box.locator("input[role='combobox']").first.fill(target)
    option.scroll_into_view_if_needed()
    arm(page)
    option.click()
    if key == "regioner":
        page.keyboard.press("Escape")  # close the multiselect's list (not part of the change)
    return f"{key}: {current or '–'} → {target}"


# -- the run --------------------------------------------------------------------------------------

def _months_back(ym: str, n: int) -> str:
    y, m = int(ym[:4]), int(ym[5:7]) - n
    while m <= 0:
        y, m = y - 1, m + 12
    return f"{y:04d}-{m:02d}"


def _last_whole_month(data: Path) -> str:
    """The month before the extract month (the default period's end)."""
    try:
        d = date.fromisoformat(json.loads((Path(data) / "manifest.json").read_text(encoding="utf-8"))["extract_date"])
    except (OSError, ValueError, KeyError):
        d = date.today()
    return _months_back(f"{d.year:04d}-{d.month:02d}", 1)


class Bench:
    def __init__(self, browser, url: str, data: Path, log=print):
        self.browser, self.url, self.data, self.log = browser, url, Path(data), log
        self.samples: list[dict] = []
        self.failures: list[dict] = []
        self.chooser = Chooser()
        self.pages: list[dict] = []
        self.period_key = "period"
        self.regions: list[str] = []
        self.pathways: list[str] = []
        self.levels: list[str] = []
        self.tabs: dict[str, list[str]] = {}
        self.cached = None  # the context of new_tabs
        self.only_pages: set[str] = set()  # url paths to measure (empty: every page)

    # bookkeeping
    def record(self, kind: str, page_title: str, sample: dict, round_no: int, what: str = "") -> None:
        sample.update(kind=kind, page=page_title, round=round_no, what=what, load1=(loadavg() or [None])[0])
        self.samples.append(sample)

    def fail(self, kind: str, page_title: str, round_no: int, what: str, exc: Exception) -> None:
        msg = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        self.failures.append({"kind": kind, "page": page_title, "round": round_no, "what": what, "error": msg})
        self.log(f"    {kind} {page_title}: FAILED {msg}")

    # discovery and warm-up
    def warm_up(self) -> dict:
        """Open every page once in a fresh context (imports, the data set, the default views are
        loaded on the server; nothing of this is counted) and learn the pages, tabs and options."""
        t = now()
        self.cached = new_context(self.browser)  # a browser that has been here before (see new_tabs)
        page, first = open_page(self.cached, self.url + "/", timeout_s=300)
        self.pages = [p for p in nav_links(page) if p["path"]]
        if self.only_pages:
            self.pages = [p for p in self.pages if p["path"].strip("/") in self.only_pages
                          or (p["path"] == "/" and "oversikt" in self.only_pages)]
        self.period_key = "period" if has_widget(page, "period") else "fran"
        self.regions = self._harvest(page, "egen_region")
        self.pathways = self._harvest(page, "forlopp")
        self.levels = self._harvest(page, "niva")
        page.close()
        for p in self.pages:
            ctx, page, _ = new_session(self.browser, self.url + p["path"], timeout_s=300)
            try:
                names = tab_names(page)
                if names:
                    self.tabs[p["title"]] = names
            finally:
                ctx.close()
        return {"seconds": round(now() - t, 1), "first_run_ms": first["ms"], "pages": self.pages,
                "period_key": self.period_key, "tabs": self.tabs}

    def _harvest(self, page, key: str) -> list[str]:
        if not has_widget(page, key) or is_disabled(page, key):
            return []
        _open_list(widget(page, key))
        try:
            return _options(page)
        finally:
            page.keyboard.press("Escape")

    # the kinds
    def shared_link_url(self, path: str, i: int) -> tuple[str, str]:
        last = _months_back(_last_whole_month(self.data), 12 + i)  # a period not used elsewhere
        first = _months_back(last, 11)
        params: list[tuple[str, str]] = []
        if len(self.levels) > 1:
            params.append(("niva", self.levels[1]))
        if self.regions:
            params.append(("egen_region", self.regions[i % len(self.regions)]))
        if self.pathways:
            params.append(("forlopp", self.pathways[(3 * i) % len(self.pathways)]))
        if self.period_key == "period":
            params += [("period", first), ("period", last)]
        else:
            params += [("fran", first), ("till", last)]
        return self.url + path + "?" + urllib.parse.urlencode(params), "&".join(f"{k}={v}" for k, v in params)

    def first_pages(self, round_no: int, budget) -> None:
        for p in self.pages:
            if budget():
                return
            try:
                ctx, page, s = new_session(self.browser, self.url + p["path"])
                ctx.close()
                self.record("first_page", p["title"], s, round_no, p["path"])
            except Exception as exc:  # noqa: BLE001 - one failed sample is reported, the run goes on
                self.fail("first_page", p["title"], round_no, p["path"], exc)

    def new_tabs(self, round_no: int, budget) -> None:
        """A new session in a browser that has the app's files cached (a new tab, as a returning
        user opens the app): the part of first_page that is not the browser fetching and compiling
        Streamlit's and plotly's code."""
        for p in self.pages:
            if budget():
                return
            try:
                page, s = open_page(self.cached, self.url + p["path"])
                page.close()
                self.record("new_tab", p["title"], s, round_no, p["path"])
            except Exception as exc:  # noqa: BLE001
                self.fail("new_tab", p["title"], round_no, p["path"], exc)

    def shared_links(self, round_no: int, budget, offset: int) -> None:
        for j, p in enumerate(self.pages):
            if budget():
                return
            url, what = self.shared_link_url(p["path"], offset + j)
            try:
                ctx, page, s = new_session(self.browser, url)
                ctx.close()
                self.record("shared_link", p["title"], s, round_no, what)
            except Exception as exc:  # noqa: BLE001
                self.fail("shared_link", p["title"], round_no, what, exc)

    def session_walk(self, round_no: int, budget) -> None:
        """One session walks every page: a page switch to it, a filter change, its tabs, the slider."""
        ctx, page, _ = new_session(self.browser, self.url + self.pages[-1]["path"])
        try:
            for j, p in enumerate(self.pages):
                if budget():
                    return
                self._page_switch(page, p, round_no)
                for k in range(FILTER_CHANGES_PER_PAGE):
                    self._filter(page, p, round_no, j + 2 * k)
                for _ in self.tabs.get(p["title"], []):
                    self._tab(page, p, round_no)
                if has_widget(page, "flik") or p["title"] in self.tabs:
                    self._slider(page, p, round_no)
        finally:
            ctx.close()

    def _page_switch(self, page, p: dict, round_no: int) -> None:
        try:
            link = page.locator("[data-testid='stSidebarNav'] a", has_text=p["title"]).first
            arm(page)
            link.click()
            _away(page)
            s = settle(page)
            self.record("page_switch", p["title"], s, round_no, p["path"])
        except Exception as exc:  # noqa: BLE001
            self.fail("page_switch", p["title"], round_no, p["path"], exc)

    def _filter(self, page, p: dict, round_no: int, j: int) -> None:
        order = [self.period_key if f == "period" else f for f in FILTERS]
        start = (j + round_no) % len(order)
        what = ""
        for key in order[start:] + order[:start]:
            if not has_widget(page, key) or is_disabled(page, key):
                continue
            try:
                what = change_filter(page, key, self.chooser)
                _away(page)
                s = settle(page)
                s["filter"] = "period" if key == "fran" else key
                self.record("filter", p["title"], s, round_no, what)
            except Exception as exc:  # noqa: BLE001
                self.fail("filter", p["title"], round_no, what or key, exc)
            return

    def _tab(self, page, p: dict, round_no: int) -> None:
        names = tab_names(page)
        if not names:
            return
        cur = selected_tab(page)
        target = names[(names.index(cur) + 1) % len(names)] if cur in names else names[0]
        try:
            tab = tab_button(page, target)
            arm(page)
            tab.click()
            _away(page)
            s = settle(page, grace_ms=NO_RERUN_GRACE_MS)
            self.record("tab_switch", p["title"], s, round_no, f"{cur} → {target}")
        except Exception as exc:  # noqa: BLE001
            self.fail("tab_switch", p["title"], round_no, f"{cur} → {target}", exc)

    def _slider(self, page, p: dict, round_no: int) -> None:
        """On the page with the `inom_dagar` slider (behind the Fördelning tab): move it one day."""
        names = tab_names(page)
        dist = next((n for n in names if n.startswith("Fördelning")), None)
        if dist is None:
            return
        what = ""
        try:
            if selected_tab(page) != dist:  # open the tab (not timed here)
                arm(page)
                tab_button(page, dist).click()
                _away(page)
                settle(page, grace_ms=NO_RERUN_GRACE_MS)
            if not has_widget(page, "inom_dagar"):
                return
            what = change_filter(page, "inom_dagar", self.chooser)
            s = settle(page)
            self.record("slider", p["title"], s, round_no, what)
        except Exception as exc:  # noqa: BLE001
            self.fail("slider", p["title"], round_no, what, exc)


# -- summary ----------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float | None:
    """The q-quantile (0–1) by linear interpolation between order statistics (numpy's default)."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def summarise(samples: list[dict]) -> dict:
    """Per kind and per (kind, page): n, p50, p90, max (ms), and the median split of the time."""
    def stats(rows):
        ms = [r["ms"] for r in rows]
        out = {"n": len(ms), "p50": pct(ms, 0.5), "p90": pct(ms, 0.9), "max": max(ms) if ms else None}
        starts = [r["run_start_ms"] for r in rows if r.get("run_start_ms") is not None]
        ends = [r["run_end_ms"] for r in rows if r.get("run_end_ms") is not None]
        if starts and ends:
            out["to_run_start_p50"] = statistics.median(starts)
            out["run_p50"] = statistics.median(r["run_end_ms"] - r["run_start_ms"] for r in rows
                                               if r.get("run_end_ms") is not None and r.get("run_start_ms") is not None)
            out["after_run_p50"] = statistics.median(r["ms"] - r["run_end_ms"] for r in rows
                                                     if r.get("run_end_ms") is not None)
        out["charts_max"] = max((r.get("charts") or 0) for r in rows) if rows else 0
        out["no_rerun"] = sum(1 for r in rows if not r.get("reran"))
        return out

    by_kind: dict = {}
    for kind in KINDS:
        rows = [s for s in samples if s["kind"] == kind]
        if not rows:
            continue
        pages = {}
        for title in dict.fromkeys(r["page"] for r in rows):
            pages[title] = stats([r for r in rows if r["page"] == title])
        by_kind[kind] = {"all": stats(rows), "pages": pages}
        if kind == "filter":
            by_kind[kind]["filters"] = {f: stats([r for r in rows if r.get("filter") == f])
                                        for f in dict.fromkeys(r.get("filter") for r in rows)}
    return by_kind


def judge(summary: dict) -> list[dict]:
    """The issue's targets: met / missed, with the page that misses by most."""
    out = []
    for kind, (name, goal_s) in TARGETS.items():
        k = summary.get(kind)
        if not k:
            out.append({"kind": kind, "name": name, "goal_s": goal_s, "met": None, "measured": "not measured"})
            continue
        per_page = kind in ("filter", "tab_switch")
        stat = "p90"
        worst_page, worst = max(((p, s[stat]) for p, s in k["pages"].items()), key=lambda x: x[1])
        if per_page:
            met = all(s[stat] <= goal_s * 1000 for s in k["pages"].values())
            measured = f"p90 {worst / 1000:.1f} s worst ({worst_page}); all pages p90 {k['all']['p90'] / 1000:.1f} s"
        else:
            met = k["all"][stat] <= goal_s * 1000
            measured = (f"p90 {k['all'][stat] / 1000:.1f} s (p50 {k['all']['p50'] / 1000:.1f} s); slowest page "
                        f"{worst_page} p90 {worst / 1000:.1f} s")
        out.append({"kind": kind, "name": name, "goal_s": goal_s, "met": met, "measured": measured})
    return out


# -- entry points -----------------------------------------------------------------------------------

def _unusable(roots: list[Path]) -> str | None:
    for root in roots:
        if not (root / "app.py").exists():
            return f"{root / 'app.py'} finns inte"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"playwright: {exc}"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} finns inte"
    return None


def run(args: dict, log=print) -> dict:
    """Measure the app of checkout args['root'] over args['data']; the worker's task 'browser'.

    args: root, data, rounds (default 3), budget_s (default 600; includes starting and warming the
    server), cache_dir (the server's load-cache folder; default the app's own), log_dir, url (an
    app already running: no server is started), pages (url paths to measure; default all)."""
    return measure([dict(args, label="app")], args, log)["app"]


def run_pair(before: dict, after: dict, common: dict, log=print) -> dict:
    """Measure two checkouts in the same time window, their rounds interleaved (before, after,
    after, before, …) so that the machine's load weighs on both alike. Returns {'before', 'after'}."""
    return measure([dict(before, label="before"), dict(after, label="after")], common, log)


def measure(apps: list[dict], common: dict, log=print) -> dict:
    """Start a server per app (each {label, root, data[, url, cache_dir]}), warm each, then run
    `common['rounds']` rounds of every kind, alternating the apps' order from round to round, within
    common['budget_s']. Returns {label: results}."""
    from playwright.sync_api import sync_playwright

    roots = [Path(a.get("root") or ROOT) for a in apps]
    why = _unusable(roots)
    if why:
        return {a["label"]: {"skipped": why} for a in apps}
    rounds = int(common.get("rounds", 3))
    budget_s = float(common.get("budget_s", 600))
    log_dir = Path(common.get("log_dir") or (ROOT / "data" / "bench"))
    t_start = now()
    outs: dict[str, dict] = {}
    benches: dict[str, Bench] = {}

    def over_budget() -> bool:
        return now() - t_start > budget_s

    with contextlib.ExitStack() as stack:
        urls = {}
        for a, root in zip(apps, roots, strict=True):
            data = Path(a["data"])
            outs[a["label"]] = {"app": str(root), "commit": _git_commit(root), "data": str(data),
                                "started": time.strftime("%Y-%m-%d %H:%M"), "viewport": VIEWPORT,
                                "quiet_ms": QUIET_MS, "loadavg_start": loadavg(), "rounds_planned": rounds,
                                "rounds_done": 0}
            if a.get("url"):
                urls[a["label"]] = a["url"]
                continue
            env = {"INDIKATORPANELEN_CACHE_DIR": str(a["cache_dir"])} if a.get("cache_dir") else {}
            srv = stack.enter_context(Server(root, data, log_dir / f"browser-server-{a['label']}.log", env))
            urls[a["label"]] = srv.url
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        stack.callback(browser.close)
        for a in apps:
            label, out = a["label"], outs[a["label"]]
            bench = benches[label] = Bench(browser, urls[label], Path(a["data"]), log=log)
            bench.only_pages = set(common.get("pages") or ())
            log(f"  browser [{label}]: server {urls[label]} up after {now() - t_start:.1f} s; warming up")
            out["warm_up"] = bench.warm_up()
            log(f"  browser [{label}]: warm-up {out['warm_up']['seconds']:.0f} s; pages "
                f"{', '.join(pg['title'] for pg in bench.pages)}; tabs on {', '.join(bench.tabs) or '–'}")
        t_measure = now()
        labels = [a["label"] for a in apps]
        for r in range(rounds):
            order = labels if r % 2 == 0 else labels[::-1]
            for label in order:
                if over_budget():
                    break
                bench, t_round = benches[label], now()
                for kind, step in (("first_page", lambda: bench.first_pages(r, over_budget)),
                                   ("new_tab", lambda: bench.new_tabs(r, over_budget)),
                                   ("shared_link", lambda: bench.shared_links(r, over_budget, r * len(bench.pages))),
                                   ("session", lambda: bench.session_walk(r, over_budget))):
                    try:
                        step()
                    except Exception as exc:  # noqa: BLE001 - reported with the samples; the run goes on
                        bench.fail(kind, "–", r, "the rest of this kind in this round", exc)
                if not over_budget():
                    outs[label]["rounds_done"] += 1
                log(f"  browser [{label}]: round {r + 1} of {rounds} in {now() - t_round:.0f} s "
                    f"({len(bench.samples)} samples, {len(bench.failures)} failed), load {loadavg()}")
                if common.get("checkpoint"):  # a long run keeps what it has measured
                    common["checkpoint"](_results(outs, benches, rounds, budget_s, t_start, t_measure))
    return _results(outs, benches, rounds, budget_s, t_start, t_measure)


def _results(outs: dict, benches: dict, rounds: int, budget_s: float, t_start: float, t_measure: float) -> dict:
    """The results so far of every app: samples, failures, summary and targets."""
    for label, out in outs.items():
        bench = benches.get(label)
        if bench is None:
            continue
        out["loadavg_end"] = loadavg()
        out["measure_s"] = round(now() - t_measure, 1)
        out.pop("note", None)
        if out["rounds_done"] < rounds:
            out["note"] = (f"{rounds - out['rounds_done']} of {rounds} rounds left out or cut short "
                           f"(time budget {budget_s:.0f} s)")
        out["samples"] = bench.samples
        loads = [x["load1"] for x in bench.samples if x.get("load1") is not None]
        out["load1_p50"] = round(statistics.median(loads), 2) if loads else None
        out["failures"] = bench.failures
        out["summary"] = summarise(bench.samples)
        out["targets"] = judge(out["summary"])
        out["wall_s"] = round(now() - t_start, 1)
    return outs


def _git_commit(root: Path) -> str | None:
    try:
        r = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %s"], capture_output=True, text=True,
                           timeout=10)
        return r.stdout.strip()[:100] or None
    except (OSError, subprocess.SubprocessError):
        return None


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", default=str(ROOT), help="the checkout whose app.py is served (default: this one)")
    ap.add_argument("--data", default=None, help="the extract set (default: APP/data/sample)")
    ap.add_argument("--url", default=None, help="measure an app already running there (no server is started)")
    ap.add_argument("--pair", default=None, metavar="BEFORE_CHECKOUT",
                    help="also measure this older checkout, rounds interleaved with --app (before and after)")
    ap.add_argument("--pair-data", default=None, help="its extract set (default: BEFORE_CHECKOUT/data/sample)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--budget", type=float, default=900, help="seconds for the whole run")
    ap.add_argument("--pages", default="", help="comma-separated url paths to measure (default: every page)")
    ap.add_argument("--out", default=None, help="write the results as JSON here")
    ap.add_argument("--before", default=str(BEFORE_FILE), help="the \"before\" figures to compare with (JSON)")
    ap.add_argument("--save-before", default=None, metavar="FILE",
                    help="keep the \"before\" figures of this run (the --pair checkout's, else this run's) "
                         "in FILE, e.g. bench/browser_before.json")
    ap.add_argument("--report", default=None, metavar="RESULTS.json",
                    help="measure nothing: print the section for a saved run")
    ap.add_argument("--into", default=None, metavar="BENCHMARKS.md",
                    help="also put the section into this report in place of its browser section (the rest of "
                         "the file is kept; `make bench` writes the whole file)")
    a = ap.parse_args(argv)
    app = Path(a.app).resolve()
    data = Path(a.data).resolve() if a.data else app / "data" / "sample"
    pair = Path(a.pair).resolve() if a.pair else None
    pair_data = (Path(a.pair_data).resolve() if a.pair_data else pair / "data" / "sample") if pair else None
    if not a.report:
        for d in (data, pair_data):
            if d is not None and not (d / "manifest.json").exists():
                print(f"no extract set at {d} (python -m indicators generate --out {d} --scale 1 --seed 1)",
                      file=sys.stderr)
                return 2

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    common = {"rounds": a.rounds, "budget_s": a.budget, "log_dir": str(Path(a.out).parent) if a.out else None,
              "pages": [p.strip().strip("/") for p in a.pages.split(",") if p.strip()]}
    if a.out:
        def checkpoint(outs: dict) -> None:
            Path(a.out).write_text(json.dumps(outs if pair else outs["app"], indent=1, ensure_ascii=False),
                                   encoding="utf-8")
        common["checkpoint"] = checkpoint
    # a stop (SIGTERM) unwinds like Ctrl-C: the servers are stopped, the last checkpoint stays
    signal.signal(signal.SIGTERM, _stop)
    if a.report:
        res = json.loads(Path(a.report).read_text(encoding="utf-8"))
    elif pair:
        res = run_pair({"root": str(pair), "data": str(pair_data)}, {"root": str(app), "data": str(data),
                                                                      "url": a.url}, common, log=log)
    else:
        res = run({"root": str(app), "data": str(data), "url": a.url, **common}, log=log)
    if a.out and not a.report:
        Path(a.out).write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
        log(f"wrote {a.out}")
    after, before = (res["after"], before_record(res["before"])) if "after" in res else (res, None)
    if a.save_before:
        kept = before or before_record(res)
        Path(a.save_before).write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"wrote {a.save_before}")
    if before is None and a.before and not a.save_before:
        before = load_before(Path(a.before))
    section = report_lines(after, before=before)
    if a.into:
        target = Path(a.into)
        target.write_text(splice(target.read_text(encoding="utf-8") if target.exists() else "", section),
                          encoding="utf-8")
        log(f"put the browser section into {target}")
    print("\n".join(section))
    return 0


# -- the report section -------------------------------------------------------------------------------

BEFORE_FILE = Path(__file__).resolve().parent / "browser_before.json"
SHORT = {"first_page": "new session", "new_tab": "new tab (cache warm)", "shared_link": "shared link",
         "page_switch": "page switch", "filter": "filter change", "tab_switch": "tab switch", "slider": "slider"}


def load_before(path: Path = BEFORE_FILE) -> dict | None:
    """The committed "before" figures (a run against the code before issue 13), or None."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def before_record(res: dict) -> dict:
    """What of a run is kept as the "before" figures: where, when, the load, the summary."""
    keep = ("app", "commit", "data", "started", "loadavg_start", "loadavg_end", "load1_p50", "rounds_done", "summary",
            "targets", "failures", "note")
    return {k: res.get(k) for k in keep if k in res}


SECTION_TITLE = "## Speed a person feels (browser)"


def splice(text: str, section: list[str]) -> str:
    """`text` (a BENCHMARKS.md) with its browser section replaced by `section`; put before
    "## Method" (where bench.report puts it) when it has none."""
    body = "\n".join(section).strip("\n") + "\n"
    start = text.find("\n" + SECTION_TITLE + "\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        return text[:start + 1] + body + (text[end:] if end >= 0 else "")
    method = text.find("\n## Method\n")
    if method >= 0:
        return text[:method + 1] + body + text[method:]
    return text.rstrip("\n") + "\n\n" + body


def _s(v) -> str:
    return "–" if v is None else f"{v / 1000:.1f}"


def _trio(stats: dict | None) -> str:
    return "–" if not stats else f"{_s(stats['p50'])} / {_s(stats['p90'])} / {_s(stats['max'])}"


def _page_range(kind_summary: dict | None) -> str:
    if not kind_summary:
        return "–"
    meds = sorted((s["p50"], p) for p, s in kind_summary["pages"].items())
    return f"{_s(meds[0][0])}–{_s(meds[-1][0])} (slowest: {meds[-1][1]})"


def comparison_lines(before: dict, after: dict) -> list[str]:
    """The issue's table, measured the same way before and after: p50 / p90 / max over every page,
    and the range of the pages' medians."""
    def where(r):
        return (f"`{r.get('commit') or r.get('app')}` measured {r.get('started', '')}, {r.get('rounds_done')} "
                f"round(s), 1-minute load average {r.get('load1_p50')} (median over its samples)")

    lines = [f"Before: {where(before)}; after: {where(after)}. Seconds, p50 / p90 / max over all pages; then the "
             "range of the pages' medians.", "",
             "| what a person does | before | after | before, pages' medians | after, pages' medians |",
             "| --- | --- | --- | --- | --- |"]
    bs, as_ = before.get("summary") or {}, after.get("summary") or {}
    for kind in KINDS:
        b, a = bs.get(kind), as_.get(kind)
        if not b and not a:
            continue
        lines.append(f"| {KIND_TEXT[kind]} | {_trio(b and b['all'])} | {_trio(a and a['all'])} | {_page_range(b)} | "
                     f"{_page_range(a)} |")
    return lines


def report_lines(res: dict, title: str = SECTION_TITLE, before: dict | None = None) -> list[str]:
    """BENCHMARKS.md's section for one browser run, with the before/after table when `before` is given."""
    lines = ["", title, ""]
    if not res or res.get("skipped") or res.get("failed"):
        lines.append(f"Not measured: {res.get('skipped') or (res.get('failed') or '').splitlines()[0]}")
        return lines
    lines.append(f"Chromium {VIEWPORT['width']} × {VIEWPORT['height']} (Playwright, /usr/bin/chromium) against "
                 f"`streamlit run app.py` of `{res.get('commit') or res.get('app')}` over `{res.get('data')}`, server "
                 f"warm (every page opened once first). {res.get('rounds_done')} round(s) of every kind on every "
                 f"page; load average {res.get('loadavg_start')} at the start, {res.get('loadavg_end')} at the end, "
                 f"1-minute load {res.get('load1_p50')} as the median over the samples "
                 "(two cores shared by the server, Chromium and other work). Seconds until the page has settled: "
                 "the run the input started has finished, every displayed chart is drawn, nothing is loading, "
                 f"and the page has been still for {QUIET_MS} ms (not counted). `python -m bench.browser --help` "
                 "says how each kind is measured.")
    if res.get("note"):
        lines.append(f"*{res['note']}.*")
    lines += ["", "| target | goal | measured | status |", "| --- | --- | --- | --- |"]
    for t in res.get("targets") or []:
        status = {True: "**met**", False: "**missed**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['name']} | ≤ {t['goal_s']:.1f} s | {t['measured']} | {status} |")
    if before and before.get("summary"):
        lines += ["", "### Before and after (the table of issue 13)", ""] + comparison_lines(before, res)
    summary = res.get("summary") or {}
    lines += ["", "### Where the time goes", "",
              "Medians of the parts: *to the run* = from the input until the server starts the script run; *run* = "
              "until it has finished (the browser draws what arrives meanwhile); *after the run* = drawing and "
              "loading code after the run (for a new session: fetching and compiling plotly's 4.7 MB bundle).", "",
              "| what a person does | n | p50 | p90 | max | to the run | run | after the run |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind in KINDS:
        k = summary.get(kind)
        if not k:
            continue
        a = k["all"]
        lines.append(f"| {KIND_TEXT[kind]} | {a['n']} | {_s(a['p50'])} | {_s(a['p90'])} | {_s(a['max'])} | "
                     f"{_s(a.get('to_run_start_p50'))} | {_s(a.get('run_p50'))} | {_s(a.get('after_run_p50'))} |")
    pages = list(dict.fromkeys(p for k in summary.values() for p in k["pages"]))
    kinds = [k for k in KINDS if k in summary]
    lines += ["", "Per page, p50 / p90 / max (s):", "",
              "| page | " + " | ".join(SHORT[k] for k in kinds) + " |",
              "| --- | " + " | ".join("---" for _ in kinds) + " |"]
    for page in pages:
        lines.append(f"| {page} | " + " | ".join(_trio(summary[k]["pages"].get(page)) for k in kinds) + " |")
    filters = (summary.get("filter") or {}).get("filters") or {}
    if filters:
        lines += ["", "Filter changes by filter: " + "; ".join(
            f"{f} n={s['n']} p50 {_s(s['p50'])} s, max {_s(s['max'])} s" for f, s in filters.items()) + "."]
    if res.get("failures"):
        lines += ["", f"{len(res['failures'])} sample(s) failed:"]
        lines += [f"- {f['kind']} on {f['page']} ({f['what']}): {f['error']}" for f in res["failures"][:12]]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
