"""The load generator's parts without a server: loopback-only targets, bounds, widget discovery by
key, widget values and the URL as Streamlit's frontend writes them, percentiles, the summary, the
capacity arithmetic."""

from __future__ import annotations

import asyncio
import random

import pytest
from streamlit.proto.ButtonGroup_pb2 import ButtonGroup
from streamlit.proto.Element_pb2 import Element

from bench.load import widgets as W
from bench.load.runner import LoadConfig, percentile, run_load, summarize
from bench.load.target import TargetRefused, loopback_target

ID = "$$ID-0123456789abcdef0123456789abcdef-"


# -- targets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:8500", "http://localhost:8500", "http://[::1]:8500",
                                 "http://127.3.2.1:9000/base/"])
def test_loopback_targets_are_accepted(url):
    t = loopback_target(url)
    assert t.ws.endswith("/_stcore/stream") and t.ws.startswith("ws://")


@pytest.mark.parametrize("url", ["http://10.0.0.1:8500", "http://192.168.1.10", "http://172.16.0.5:80",
                                 "http://8.8.8.8", "http://example.com:8500", "https://127.0.0.1:8500",
                                 "ftp://127.0.0.1", "http://127.0.0.1:8500/?x=1", "http://user:pw@127.0.0.1:1",
                                 "http://0.0.0.0:8500", "http://no-such-host.invalid:8500"])
def test_anything_off_the_loopback_is_refused(url):
    with pytest.raises(TargetRefused):
        loopback_target(url)


def test_the_command_line_refuses_a_remote_target_with_one_line_and_exit_2(capsys):
    from bench.load.__main__ import main

    assert main(["--url", "http://10.1.2.3:8500"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "loopback" in err[0]


@pytest.mark.parametrize("change", [dict(sessions=0), dict(sessions=401), dict(duration_s=1801),
                                    dict(think_s=(5, 1)), dict(max_interactions=0), dict(timeout_s=0),
                                    dict(hold_s=601)])
def test_runs_outside_the_bounds_are_refused(change):
    cfg = LoadConfig(url="http://127.0.0.1:1", **change)
    with pytest.raises(ValueError):
        cfg.check()
    with pytest.raises(ValueError):
        asyncio.run(run_load(cfg))


def test_a_run_is_bounded_in_time():
    cfg = LoadConfig(url="http://127.0.0.1:1", sessions=2, duration_s=10, ramp_s=2, hold_s=5, timeout_s=20)
    assert cfg.deadline_s == 2 + 10 + 5 + 2 * 20 + 30


def test_a_server_that_is_not_there_gives_connection_errors_not_a_crash():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = asyncio.run(run_load(LoadConfig(url=f"http://127.0.0.1:{port}", sessions=2, duration_s=0, ramp_s=0,
                                             timeout_s=2)))
    s = result["summary"]
    assert s["first"] == {"n": 2, "ok": 0, "p50_ms": None, "p95_ms": None}
    assert s["errors"] == {"connection lost": 2}


# -- widgets ------------------------------------------------------------------------------------

def _selectbox(key, options, default=None, param=True, raw=None, disabled=False):
    el = Element()
    sb = el.selectbox
    sb.id = ID + key
    sb.label = key.title()
    sb.options[:] = options
    if default is not None:
        sb.default = default
    if param:
        sb.query_param_key = key
    if raw is not None:
        sb.raw_value = raw
        sb.set_value = True
    sb.disabled = disabled
    return el


def _multiselect(key, options, default=()):
    el = Element()
    ms = el.multiselect
    ms.id = ID + key
    ms.options[:] = options
    ms.default[:] = list(default)
    ms.query_param_key = key
    return el


def _segmented(key, options, default):
    el = Element()
    bg = el.button_group
    bg.id = ID + key
    for o in options:
        bg.options.add(content=o)
    bg.default[:] = [default]
    bg.click_mode = ButtonGroup.SINGLE_SELECT
    bg.query_param_key = key
    return el


def _select_slider(key, options, default):
    el = Element()
    sl = el.slider
    sl.id = ID + key
    sl.type = sl.SELECT_SLIDER
    sl.options[:] = options
    sl.default[:] = [float(options.index(v)) for v in default]
    sl.query_param_key = key
    return el


def test_a_range_select_slider_is_a_widget_with_two_values():
    months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    w = W.from_element(_select_slider("period", months, ("2025-02", "2025-04")))
    assert (w.kind, w.default, w.multi, w.param) == ("select_slider", ("2025-02", "2025-04"), True, "period")
    W.check_value(w, ("2025-01", "2025-03"))
    for bad in (("2025-03", "2025-01"), ("2025-01",), ("2024-12", "2025-01")):
        with pytest.raises(ValueError):
            W.check_value(w, bad)
    s = W.widget_state(w.id, w.kind, ("2025-01", "2025-03"))
    assert list(s.string_array_value.data) == ["2025-01", "2025-03"]
    assert W.set_query_param("", "period", ("2025-01", "2025-03"), w.default) == "period=2025-01&period=2025-03"
    numeric = Element()
    numeric.slider.id = ID + "dagar"
    assert W.from_element(numeric) is None  # a numeric slider is not driven


def test_user_key_is_read_from_the_element_id():
    assert W.user_key(ID + "niva") == "niva"
    assert W.user_key(ID + "dl_chart-1") == "dl_chart-1"  # a key may contain '-'
    assert W.user_key("$$ID-0123456789abcdef0123456789abcdef") is None  # no user key
    assert W.user_key("niva") is None


def test_widgets_are_found_by_query_parameter_or_user_key_and_a_missing_one_is_named():
    niva = W.from_element(_selectbox("niva", ["Region", "Sjukvårdsregion", "Riket"], default=0))
    other = W.from_element(_selectbox("kvalitetsindikator", ["A", "B"], param=False))
    assert niva.param == "niva" and niva.key == "niva" and niva.default == ("Region",)
    assert W.find([other, niva], "niva") is niva
    assert W.find([other, niva], "kvalitetsindikator") is other
    with pytest.raises(W.WidgetNotFound) as exc:
        W.find([other, niva], "regioner", "svf_ledtider")
    assert str(exc.value) == ("ingen widget med nyckeln 'regioner' på sidan '/svf_ledtider'; "
                              "widgetar där: kvalitetsindikator, niva")


def test_widget_values_follow_the_frontend():
    own = W.from_element(_selectbox("egen_region", ["Stockholm", "Uppsala"]))
    assert own.default == () and own.server_value is None
    seeded = W.from_element(_selectbox("niva", ["Region", "Riket"], default=0, raw="Riket"))
    assert seeded.server_value == ("Riket",)
    assert W.initial_value(seeded, ("Region",)) == ("Riket",)  # the server's value wins
    plain = W.from_element(_selectbox("niva", ["Region", "Riket"], default=0))
    assert W.initial_value(plain, ("Riket",)) == ("Riket",)  # else what the tab held
    assert W.initial_value(plain, None) == ("Region",)  # else the default
    grain = W.from_element(_segmented("tidsenhet", ["År", "Kvartal", "Månad"], 2))
    assert grain.kind == "button_group" and grain.default == ("Månad",) and not grain.multi
    regions = W.from_element(_multiselect("regioner", ["Skåne", "Uppsala"]))
    assert regions.multi and regions.default == ()


def test_widget_states_are_encoded_as_the_browser_sends_them():
    # the browser's frames (tests/test_load_browser.py checks this against a real Chromium)
    s = W.widget_state(ID + "niva", "selectbox", ("Sjukvårdsregion",))
    assert s.WhichOneof("value") == "string_value" and s.string_value == "Sjukvårdsregion"
    none = W.widget_state(ID + "forlopp", "selectbox", ())
    assert none.WhichOneof("value") is None and none.id == ID + "forlopp"
    m = W.widget_state(ID + "regioner", "multiselect", ("Skåne", "Uppsala"))
    assert list(m.string_array_value.data) == ["Skåne", "Uppsala"]
    g = W.widget_state(ID + "tidsenhet", "button_group", ("Kvartal",))
    assert list(g.string_array_value.data) == ["Kvartal"]
    with pytest.raises(ValueError):
        W.widget_state(ID + "x", "slider", ("1",))


def test_values_outside_the_options_are_refused():
    niva = W.from_element(_selectbox("niva", ["Region", "Riket"], default=0))
    W.check_value(niva, ("Riket",))
    with pytest.raises(ValueError):
        W.check_value(niva, ("Län",))
    with pytest.raises(ValueError):
        W.check_value(niva, ("Region", "Riket"))


def test_the_query_string_is_written_as_the_frontend_writes_it():
    # appended in the order of change, replaced in place, one entry per value, removed at the default
    q = W.set_query_param("egen_region=Uppsala", "niva", ("Sjukvårdsregion",), ("Region",))
    assert q == "egen_region=Uppsala&niva=Sjukv%C3%A5rdsregion"
    q = W.set_query_param(q, "regioner", ("Skåne", "Västra Götaland"), ())
    assert q == "egen_region=Uppsala&niva=Sjukv%C3%A5rdsregion&regioner=Sk%C3%A5ne&regioner=V%C3%A4stra+G%C3%B6taland"
    q = W.set_query_param(q, "egen_region", ("Skåne",), ())
    assert q.startswith("egen_region=Sk%C3%A5ne&niva=")
    q = W.set_query_param(q, "niva", ("Region",), ("Region",))
    assert "niva" not in q
    q = W.set_query_param(q, "regioner", (), ())
    assert q == "egen_region=Sk%C3%A5ne"
    assert W.query_filters("regioner=Sk%C3%A5ne&x=1&regioner=Gotland", ["regioner"]) == {"regioner": ("Skåne", "Gotland")}


# -- the scenario -------------------------------------------------------------------------------

class _FakeSession:
    """What the scenario reads of a session: its widgets, values and pages."""

    def __init__(self, elements, pages=("", "svf_ledtider", "tackningsgrad"), page=""):
        self.widgets = {w.id: w for w in (W.from_element(e) for e in elements)}
        self.values = {wid: w.default for wid, w in self.widgets.items()}
        self.pages = {f"h{i}": (p, p) for i, p in enumerate(pages)}
        self.page_path = page

    def find(self, name):
        return W.find(self.widgets.values(), name, self.page_path)


def _app_widgets(pathway_disabled=False):
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    regions = ["Stockholm", "Uppsala", "Skåne", "Gotland"]
    return [_selectbox("fran", months, default=0), _selectbox("till", months, default=11),
            _segmented("tidsenhet", ["År", "Kvartal", "Månad"], 2),
            _selectbox("niva", ["Region", "Sjukvårdsregion", "Riket"], default=0),
            _multiselect("regioner", regions), _selectbox("egen_region", regions),
            _selectbox("forlopp", ["Bröstcancer", "Lungcancer"], disabled=pathway_disabled),
            _selectbox("register", ["NKBC", "NLCR"])]


def test_the_scenario_only_uses_widgets_that_are_there_and_enabled():
    from bench.load.scenario import User

    session = _FakeSession(_app_widgets(pathway_disabled=True))
    user = User(random.Random(3))
    user.check(session)
    assert "pathway" not in user.available(session)
    seen = set()
    for _ in range(300):
        a = user.next_action(session)
        if a.kind == "page":
            assert a.target in ("svf_ledtider", "tackningsgrad")  # never the page it is on
        else:
            w = session.find(a.target)
            W.check_value(w, a.values)
            assert not w.disabled
        seen.add(a.kind if a.kind == "page" else a.target)
    assert seen == {"page", "fran", "till", "tidsenhet", "niva", "regioner", "egen_region", "register"}


def test_the_period_may_be_one_range_slider_instead_of_two_selectboxes():
    from bench.load.scenario import User

    months = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]
    widgets = [e for e in _app_widgets() if e.selectbox.id not in (ID + "fran", ID + "till")]
    widgets.append(_select_slider("period", months, (months[-12], months[-1])))
    session = _FakeSession(widgets)
    user = User(random.Random(5))
    user.check(session)  # no 'fran'/'till' needed
    periods = [a for a in (user.next_action(session) for _ in range(200)) if a.kind == "filter" and a.target == "period"]
    assert periods
    for a in periods:
        W.check_value(session.find("period"), a.values)  # two months, in order
        assert 3 <= months.index(a.values[1]) - months.index(a.values[0]) <= 24 or months.index(a.values[0]) == 0


def test_a_missing_filter_stops_the_scenario_with_its_name():
    from bench.load.scenario import User

    widgets = [e for e in _app_widgets() if e.selectbox.id != ID + "niva"]
    with pytest.raises(W.WidgetNotFound, match="'niva'"):
        User(random.Random(1)).check(_FakeSession(widgets))


# -- figures ------------------------------------------------------------------------------------

def test_percentiles_are_nearest_rank():
    values = [100, 300, 200, 500, 400, 900, 700, 600, 800, 1000]  # sorted: 100..1000
    assert percentile(values, 50) == 500  # rank ceil(5.0) = 5
    assert percentile(values, 95) == 1000  # rank ceil(9.5) = 10
    assert percentile(values, 90) == 900
    assert percentile([7], 95) == 7
    assert percentile([], 50) is None


def _rec(kind, ms, ok=True, error=None, session=0, replica="r1", exceptions=(), alerts=()):
    return {"session": session, "kind": kind, "name": kind, "t": 0, "at": 0, "ms": ms, "ok": ok, "error": error,
            "status": 0 if error is None else None, "exceptions": list(exceptions), "error_alerts": list(alerts),
            "warnings": 0, "page_not_found": None, "page": "", "replica": replica, "elements": 1, "bytes": 1,
            "markers": []}


def test_the_summary_counts_what_went_wrong_and_leaves_failures_out_of_the_percentiles():
    recs = [_rec("open", 900), _rec("open", 1100, session=1, replica="r2"),
            _rec("filter", 200), _rec("filter", 400), _rec("page", 600, session=1, replica="r2"),
            _rec("filter", 5000, ok=False, exceptions=["KeyError: 'x'"]),
            _rec("filter", 0.3, ok=False, error="ConnectionLost: anslutningen stängdes"),
            _rec("reconnect", 1500, replica="r2"), _rec("reload", 800),
            _rec("reload", 700, ok=False, error="vyn förlorad: niva: ['Region'] i stället för ['Riket']")]
    s = summarize(recs)
    assert s["interactions"] == 5 and s["interactions_ok"] == 3
    assert (s["p50_ms"], s["p95_ms"], s["max_ms"]) == (400, 600, 600)
    assert s["first"] == {"n": 2, "ok": 2, "p50_ms": 900, "p95_ms": 1100}
    assert s["errors"] == {"exception shown": 1, "connection lost": 1, "view lost": 1}
    assert s["error_total"] == 3
    assert (s["reconnects"], s["reconnects_ok"], s["views_checked"], s["views_kept"]) == (1, 1, 2, 1)
    assert s["replicas"] == {"r1": 5, "r2": 2}


def test_capacity_arithmetic():
    from bench.load_capacity import capacity

    # 300 users, one interaction per 15 s each (think 14.5 s + 0.5 s response) = 20 interactions/s;
    # 0.25 CPU-s each = 5 cores busy; at 60 % utilisation 8.33 -> 9 cores; one replica per core
    # plus one spare = 10 replicas
    c = capacity(users=300, cpu_s_per_interaction=0.25, think_s=14.5, response_s=0.5, utilisation=0.6)
    assert c["interactions_per_s"] == pytest.approx(20.0)
    assert c["busy_cores"] == pytest.approx(5.0)
    assert c["cores"] == 9
    assert c["replicas"] == 10
