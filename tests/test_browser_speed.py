"""The browser benchmark's settle detection (bench/browser.py), checked two ways.

1. On hand-made pages that look like Streamlit's DOM: it waits for the run to finish and for every
   displayed chart to be drawn, ignores charts in a closed tab, and times out on a run or a chart
   that never finishes.
2. Against the real app (`streamlit run app.py` over the small generated set, Debian's chromium):
   a new session, a filter change, a tab switch, the "andel inom X dagar" slider and a page switch
   each settle with their charts drawn and no error, within a generous budget (SETTLE_BUDGET_S) so
   that a loaded machine does not fail it while a hang or a chart that is never drawn does. The
   real figures come from `make bench`; nothing here checks speed.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from app_harness import CHROMIUM, CHROMIUM_ARGS, streamlit_server

from bench import browser as bb

sync_api = pytest.importorskip("playwright.sync_api")

# Far above anything a working app needs, even a fresh browser compiling plotly on a loaded machine.
SETTLE_BUDGET_S = 60.0


@pytest.fixture(scope="module")
def chromium():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# -- 1. the detector on hand-made pages ------------------------------------------------------------

FAKE_APP = """
<div data-testid="stApp" data-test-script-state="running" data-test-connection-state="CONNECTED">
  <div data-testid="stSidebar"></div>
  <div data-testid="stMain">
    <div data-testid="stElementContainer"><div data-testid="stPlotlyChart" id="shown"></div></div>
    <div style="display: none"><div data-testid="stPlotlyChart" id="closed-tab"></div></div>
  </div>
</div>
"""

DRAW = """(id) => {
  const c = document.getElementById(id);
  const gd = document.createElement('div');
  gd.className = 'js-plotly-plot';
  gd._fullLayout = {};
  gd.innerHTML = '<svg class="main-svg"></svg>';
  c.appendChild(gd);
  return performance.now();
}"""


@pytest.fixture
def fake(chromium):
    page = chromium.new_page()
    page.set_content(FAKE_APP)
    page.evaluate(bb.INSTRUMENT)
    # the person's input happened now, while the run it started is going on
    page.evaluate("() => { window.__bench.input = performance.now(); window.__bench.states.push(['running', "
                  "performance.now()]); }")
    yield page
    page.close()


def _finish_run(page) -> float:
    return page.evaluate("() => { document.querySelector('[data-testid=stApp]')"
                         ".setAttribute('data-test-script-state', 'notRunning'); return performance.now(); }")


def test_a_run_that_never_finishes_is_not_settled(fake):
    with pytest.raises(bb.SettleTimeout, match="'state': 'running'"):
        bb.settle(fake, timeout_s=1.5)


def test_a_finished_run_with_an_undrawn_chart_is_not_settled(fake):
    _finish_run(fake)
    with pytest.raises(bb.SettleTimeout, match="'undrawn_charts': 1"):
        bb.settle(fake, timeout_s=1.5)


def test_settled_when_the_shown_chart_is_drawn_and_timed_to_its_drawing(fake):
    t0 = fake.evaluate("() => window.__bench.input")
    run_end = _finish_run(fake)
    fake.wait_for_timeout(200)
    drawn = fake.evaluate(DRAW, "shown")  # the chart in the closed tab is never drawn: not waited for
    sample = bb.settle(fake, timeout_s=10)
    assert sample["reran"] is True and sample["charts"] == 1
    # the settle time is the chart's drawing (the last change), which came after the run's end
    assert sample["ms"] >= drawn - t0 - 1
    assert sample["run_end_ms"] == pytest.approx(run_end - t0, abs=60)
    assert sample["ms"] > sample["run_end_ms"]


def test_a_tab_that_starts_no_run_is_settled_once_drawn_and_says_so(chromium):
    page = chromium.new_page()
    page.set_content(FAKE_APP.replace('"running"', '"notRunning"'))
    page.evaluate(bb.INSTRUMENT)
    page.evaluate("() => { window.__bench.input = performance.now(); }")
    page.evaluate(DRAW, "shown")
    with pytest.raises(bb.SettleTimeout):  # a filter change must start a run
        bb.settle(page, timeout_s=1.0)
    sample = bb.settle(page, grace_ms=300, timeout_s=10)  # a tab may not
    assert sample["reran"] is False and sample["runs"] == 0
    page.close()


def test_percentiles_interpolate_between_order_statistics():
    values = [100, 200, 300, 400, 1000]
    assert bb.pct(values, 0.5) == 300
    assert bb.pct(values, 0.9) == pytest.approx(760.0)  # 400 + 0.6 × (1000 − 400)
    assert bb.pct(values, 1.0) == 1000
    assert bb.pct([], 0.9) is None


def test_targets_are_judged_on_the_slowest_page_for_filters_and_tabs():
    samples = ([{"kind": "filter", "page": "A", "ms": 500.0, "filter": "niva"}] * 9
               + [{"kind": "filter", "page": "B", "ms": 400.0, "filter": "niva"}] * 4
               + [{"kind": "filter", "page": "B", "ms": 3000.0, "filter": "niva"}])
    summary = bb.summarise(samples)
    # page B: p90 of (400, 400, 400, 400, 3000) = 400 + 0.6 × 2600 = 1960 ms > 1 s
    assert summary["filter"]["pages"]["B"]["p90"] == pytest.approx(1960.0)
    verdict = {t["kind"]: t for t in bb.judge(summary)}
    assert verdict["filter"]["met"] is False and "(B)" in verdict["filter"]["measured"]
    assert verdict["tab_switch"]["met"] is None


# -- 2. the real app ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_url(small_data_dir, tmp_path_factory):
    with streamlit_server(small_data_dir, tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


def _ok(sample: dict, *, charts: int = 1) -> None:
    assert sample["errors"] == 0, sample
    assert sample["charts"] >= charts, sample
    assert sample["ms"] >= 0


def test_the_app_settles_with_its_charts_after_what_a_person_does(app_url, chromium):
    ctx, page, first = bb.new_session(chromium, app_url + "/svf_ledtider", timeout_s=SETTLE_BUDGET_S)
    try:
        _ok(first)
        assert first["reran"] and first["dom_loaded_ms"] is not None

        what = bb.change_filter(page, "niva", bb.Chooser())
        after_filter = bb.settle(page, timeout_s=SETTLE_BUDGET_S)
        _ok(after_filter)
        assert after_filter["reran"], what
        assert "niva" in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)

        tab = bb.tab_button(page, "Median ledtid")
        bb.arm(page)
        tab.click()
        after_tab = bb.settle(page, grace_ms=bb.NO_RERUN_GRACE_MS, timeout_s=SETTLE_BUDGET_S)
        _ok(after_tab)
        assert bb.selected_tab(page) == "Median ledtid"

        bb.arm(page)
        bb.tab_button(page, "Fördelning").click()
        bb.settle(page, grace_ms=bb.NO_RERUN_GRACE_MS, timeout_s=SETTLE_BUDGET_S)
        bb.change_filter(page, "inom_dagar", bb.Chooser())  # one day up, with the keyboard
        after_slider = bb.settle(page, timeout_s=SETTLE_BUDGET_S)
        _ok(after_slider)
        assert after_slider["reran"]

        bb.arm(page)
        page.locator("[data-testid='stSidebarNav'] a", has_text="Täckningsgrad").first.click()
        after_switch = bb.settle(page, timeout_s=SETTLE_BUDGET_S)
        _ok(after_switch)
        assert page.locator("h1").first.inner_text().startswith("Täckningsgrad")
    finally:
        ctx.close()


def test_the_report_shows_before_and_after_and_replaces_only_its_own_section():
    before = {"commit": "b205b72", "started": "2026-12-03 18:00", "rounds_done": 1, "load1_p50": 8.0,
              "summary": bb.summarise([{"kind": "tab_switch", "page": "P", "ms": 2000.0}])}
    after_samples = [{"kind": "tab_switch", "page": "P", "ms": 400.0}, {"kind": "tab_switch", "page": "P", "ms": 600.0}]
    after = {"commit": "abc1234", "rounds_done": 1, "load1_p50": 7.5, "summary": bb.summarise(after_samples)}
    after["targets"] = bb.judge(after["summary"])
    section = bb.report_lines(after, before=before)
    # after: p50 of (400, 600) = 500, p90 = 400 + 0.9 × 200 = 580, max 600
    assert "| switch a tab | 2.0 / 2.0 / 2.0 | 0.5 / 0.6 / 0.6 |" in "\n".join(section)
    assert any("Tab switch settles" in line and "**met**" in line for line in section)
    old = "# Benchmarks\n\n## Scale 1\n\nengine\n\n" + bb.SECTION_TITLE + "\n\nold figures\n\n## Method\n\n- how\n"
    new = bb.splice(old, section)
    assert "old figures" not in new and "0.5 / 0.6 / 0.6" in new
    assert new.startswith("# Benchmarks\n\n## Scale 1\n\nengine\n\n" + bb.SECTION_TITLE)
    assert new.endswith("\n## Method\n\n- how\n")
