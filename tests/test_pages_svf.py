"""AppTest of Översikt, SVF – inklusion and SVF – ledtider: every page renders for the default
filters and for filters given in the URL, and the plotted values are the engine's values for the
selection (plotly's typed arrays decoded as stack-notes §1.5 shows)."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from indicators import open_data, stats
from ui import format as fmt

ROOT = Path(__file__).resolve().parents[1]
PAGE_DIR = "app_pages"
OVERSIKT = f"{PAGE_DIR}/1_Oversikt.py"
INKLUSION = f"{PAGE_DIR}/2_SVF_inklusion.py"
LEDTIDER = f"{PAGE_DIR}/3_SVF_ledtider.py"


@pytest.fixture(scope="module")
def ds(small_data_dir):
    return open_data(small_data_dir)


@pytest.fixture()
def app(small_data_dir, monkeypatch):
    """run(page=None, **query) → a finished AppTest of app.py on the small data set."""
    monkeypatch.setenv("INDIKATORPANELEN_DATA", str(small_data_dir))
    monkeypatch.delenv("INDIKATORPANELEN_STORE", raising=False)

    def run(page: str | None = None, **query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if page:
            at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def arr(v) -> np.ndarray:
    """A plotly array from the figure JSON: typed base64 ({'dtype','bdata'}) or a plain list."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray([np.nan if x is None else x for x in v], dtype=object)


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly figure specs by title."""
    out = {}
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        out[spec["layout"]["title"]["text"]] = spec
    return out


def period(at: AppTest) -> tuple[date, date]:
    first, last = at.selectbox(key="fran").value, at.selectbox(key="till").value
    start = date(int(first[:4]), int(first[5:]), 1)
    end = (pd.Timestamp(int(last[:4]), int(last[5:]), 1) + pd.offsets.MonthEnd(0)).date()
    return start, end


def region_names(ds) -> dict[str, str]:
    t = ds.reference("regions")
    return dict(zip(t["region_code"], t["region_name"]))


def pathway_names(ds) -> dict[str, str]:
    t = ds.reference("svf_pathways")
    return dict(zip(t["svf_code"], t["svf_name"]))


def engine_by_label(ds, indicator, *, start, end, where=None, names=None) -> pd.Series:
    """Riket plus every region (secondary suppression, as the pages show them), by display name."""
    riket = ds.compute(indicator, by=[], start=start, end=end, where=where)
    regions = ds.compute(indicator, by=["region"], start=start, end=end, where=where, secondary=True)
    values = {fmt.RIKET: riket["value"].iloc[0]}
    for code, v in zip(regions["region"], regions["value"]):
        values[names[code]] = v
    return pd.Series(values, dtype="Float64").astype(float)


def bar_series(spec) -> pd.Series:
    tr = spec["data"][0]
    return pd.Series(arr(tr["x"]).astype(float), index=list(tr["y"]))


# -- every page renders ------------------------------------------------------------------------

URL_COMBINATIONS = [
    {},
    {"niva": "Sjukvårdsregion", "egen_region": "Uppsala", "tidsenhet": "Kvartal", "forlopp": "Bröstcancer",
     "fran": "2024-01", "till": "2025-06"},
    {"niva": "Riket", "tidsenhet": "År", "regioner": ["Gotland", "Jämtland Härjedalen"], "forlopp": "Peniscancer",
     "register": "NKBC", "flik": "Median ledtid"},
]


@pytest.mark.parametrize("query", URL_COMBINATIONS, ids=["default", "hr-quarter", "riket-year-small"])
@pytest.mark.parametrize("page", [OVERSIKT, INKLUSION, LEDTIDER])
def test_page_renders_for_url_filters(app, page, query):
    at = app(page, **query)
    assert at.title[0].value in ("Översikt", "SVF – inklusion", "SVF – ledtider")
    assert len(at.get("plotly_chart")) >= 1
    assert not at.error


@pytest.mark.parametrize("tab", ["Median ledtid", "Långa väntetider"])
def test_ledtider_tabs_render_from_the_url(app, tab):
    at = app(LEDTIDER, flik=tab, egen_region="Skåne")
    titles = list(charts(at))
    assert any(("Median" in t) if tab == "Median ledtid" else ("75" in t) for t in titles), titles


def test_median_chart_shows_engine_medians_and_order_statistic_intervals(app, ds):
    at = app(LEDTIDER, flik="Median ledtid", forlopp="Bröstcancer")
    start, end = period(at)
    spec = charts(at)["Median ledtid per region"]
    shown = bar_series(spec)
    expected = engine_by_label(ds, "svf_lead_time_median", start=start, end=end, where={"svf_code": ["brost"]},
                               names=region_names(ds))
    pd.testing.assert_series_equal(shown.sort_index(), expected.sort_index(), check_names=False, atol=1e-9)
    # the lead-time limit of Bröstcancer (28 days) is drawn as a reference mark
    ref = next(tr for tr in spec["data"] if tr.get("name") == "Ledtidsgräns")
    assert set(arr(ref["x"]).astype(float)) == {28.0}


def test_an_unknown_tab_in_the_url_gives_a_notice(app):
    at = app(LEDTIDER, flik="Okänd")
    assert any("flik" in w.value for w in at.warning)


# -- plotted values equal the engine ----------------------------------------------------------

def test_inklusion_region_chart_shows_engine_values(app, ds):
    at = app(INKLUSION, egen_region="Örebro")
    start, end = period(at)
    spec = charts(at)["SVF-inklusion per region"]
    shown = bar_series(spec)
    expected = engine_by_label(ds, "svf_inclusion", start=start, end=end, names=region_names(ds))
    pd.testing.assert_series_equal(shown.sort_index(), expected.sort_index(), check_names=False, atol=1e-9)
    assert list(shown.index[:2]) == [fmt.RIKET, "Örebro"]  # riket and the own region first
    assert "2025" in spec["layout"]["title"]["subtitle"]["text"]
    assert spec["layout"]["separators"] == ", "


def test_inklusion_trend_shows_engine_values_per_quarter(app, ds):
    at = app(INKLUSION, tidsenhet="Kvartal", forlopp="Lungcancer")
    spec = next(s for t, s in charts(at).items() if t.startswith("SVF-inklusion per kvartal"))
    riket = next(tr for tr in spec["data"] if tr.get("name") == fmt.RIKET and tr.get("mode") == "markers")
    shown = pd.Series(arr(riket["y"]).astype(float), index=riket["x"])
    start, end = period(at)
    eng = ds.compute("svf_inclusion", by=["quarter"], start=date(end.year - 2, 1, 1), end=end,
                     where={"svf_code": ["lunga"]})
    expected = pd.Series(eng["value"].astype(float).to_numpy(), index=[fmt.period_label("quarter", q)
                                                                        for q in eng["quarter"]])
    pd.testing.assert_series_equal(shown.loc[expected.index], expected, check_names=False, atol=1e-9)
    # the latest quarter is provisional: an open marker
    colors = riket["marker"]["color"]
    last = list(riket["x"]).index(expected.index[-1])
    assert colors[last] == "white" and bool(eng["provisional"].iloc[-1])


def test_ledtider_region_chart_shows_engine_values_and_wilson_intervals(app, ds):
    at = app(LEDTIDER, forlopp="Prostatacancer")
    start, end = period(at)
    spec = charts(at)["Andel behandlade inom ledtid per region"]
    shown = bar_series(spec)
    names = region_names(ds)
    where = {"svf_code": ["prostata"]}
    expected = engine_by_label(ds, "svf_within_target", start=start, end=end, where=where, names=names)
    pd.testing.assert_series_equal(shown.sort_index(), expected.sort_index(), check_names=False, atol=1e-9)
    # whiskers: ci_high − value above, value − ci_low below
    riket = ds.compute("svf_within_target", by=[], start=start, end=end, where=where).iloc[0]
    err = spec["data"][0]["error_x"]
    i = list(spec["data"][0]["y"]).index(fmt.RIKET)
    assert arr(err["array"]).astype(float)[i] == pytest.approx(float(riket["ci_high"] - riket["value"]))
    assert arr(err["arrayminus"]).astype(float)[i] == pytest.approx(float(riket["value"] - riket["ci_low"]))


def test_patients_to_target_are_computed_from_engine_counts(app, ds):
    at = app(LEDTIDER)
    start, end = period(at)
    spec = next(s for t, s in charts(at).items() if t.startswith("Fler patienter inom ledtid"))
    shown = bar_series(spec)
    regions = ds.compute("svf_within_target", by=["region"], start=start, end=end, secondary=True)
    names = region_names(ds)
    for code, x, n, supp in zip(regions["region"], regions["numerator"], regions["denominator"],
                                regions["suppressed"]):
        if supp:
            assert np.isnan(shown[names[code]])
        else:
            assert shown[names[code]] == stats.patients_to_target(int(x), int(n), 80)


def test_suppressed_groups_are_labelled_not_zero(app, ds):
    """A small pathway: the regions the engine suppresses say "otillräckligt underlag"."""
    code = "penis"
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    regions = ds.compute("svf_within_target", by=["region"], start=start, end=end, where={"svf_code": [code]},
                         secondary=True)
    names = region_names(ds)
    suppressed = {names[c] for c, s in zip(regions["region"], regions["suppressed"]) if s}
    assert suppressed, "the small data set should suppress some regions for this pathway"
    at = app(LEDTIDER, forlopp=pathway_names(ds)[code], fran="2025-01", till="2025-12")
    spec = charts(at)["Andel behandlade inom ledtid per region"]
    shown = bar_series(spec)
    assert all(np.isnan(shown[n]) for n in suppressed)
    labelled = {y for tr in spec["data"] if tr.get("mode") == "text"
                for y, t in zip(tr["y"], tr["text"]) if fmt.SUPPRESSED in t}
    assert suppressed <= labelled


def test_oversikt_cells_show_engine_values_and_target_levels(app, ds):
    at = app(OVERSIKT)
    start, end = period(at)
    spec = charts(at)["Måluppfyllelse per region"]
    heat = spec["data"][0]
    columns = list(heat["x"])
    rows = list(heat["y"])
    z = np.asarray(arr(heat["z"]) if isinstance(heat["z"], dict) else heat["z"], dtype=float)
    z = z.reshape(len(rows), len(columns))
    text = heat["text"]
    codes = {"high": 0, "low": 1, "none": 2}
    col = next(j for j, c in enumerate(columns) if "Inom ledtid" in c)
    names = region_names(ds)
    regions = ds.compute("svf_within_target", by=["region"], start=start, end=end, secondary=True)
    riket = ds.compute("svf_within_target", by=[], start=start, end=end).iloc[0]
    assert rows[0] == f"<b>{fmt.RIKET}</b>"
    assert fmt.pct(riket["value"]) in text[0][col]
    assert z[0, col] == codes[riket["target_level"]]
    for code, value, level, supp in zip(regions["region"], regions["value"], regions["target_level"],
                                        regions["suppressed"]):
        i = rows.index(names[code])
        if supp:
            assert z[i, col] == 3 and "otillräckligt" in text[i][col]
        else:
            assert fmt.pct(value) in text[i][col]
            assert z[i, col] == codes[level]


def test_oversikt_marks_uncertain_cells_by_the_ci_rule(app, ds):
    at = app(OVERSIKT)
    start, end = period(at)
    heat = charts(at)["Måluppfyllelse per region"]["data"][0]
    col = next(j for j, c in enumerate(heat["x"]) if "RCL" in c)
    regions = ds.compute("rcl_coverage", by=["region"], start=start, end=end, secondary=True)
    names = region_names(ds)
    rows = list(heat["y"])
    for code, lo, hi, supp in zip(regions["region"], regions["ci_low"], regions["ci_high"], regions["suppressed"]):
        if supp:
            continue
        uncertain = stats.target_status_ci(float(lo), float(hi), 85.0, "higher") == "uncertain"
        assert ("◐" in heat["text"][rows.index(names[code])][col]) == uncertain


# -- SVF – ledtider: the lead-time distribution (Fördelning) ---------------------------------------

DIST_TITLE = "Andel behandlade inom X dagar"
OVERTIME_TITLE = "Ledtid i förhållande till gränsen"


def dist_line(spec, name: str) -> pd.DataFrame:
    """The step line of one series (days, share) from the distribution figure."""
    tr = next(t for t in spec["data"] if t.get("meta") == name and t.get("mode") == "lines")
    return pd.DataFrame({"days": arr(tr["x"]).astype(float), "share": arr(tr["y"]).astype(float)}), tr


def check_line(spec, name: str, expected: pd.DataFrame) -> None:
    shown, tr = dist_line(spec, name)
    assert len(expected), "the selection should not be suppressed"
    np.testing.assert_allclose(shown["days"], expected["days"].astype(float))
    np.testing.assert_allclose(shown["share"], expected["share_within"].astype(float), atol=1e-9)
    # hover texts: shares and the n of the whole selection, never a count per day
    total = int(expected["cumulative"].iloc[-1])
    for text, n_day in zip(tr["hovertext"], expected["episodes"]):
        assert "%" in text and f"n = {fmt.count(total)} i urvalet" in text
        assert " av " not in text and "patienter" not in text
        assert f">{n_day}<" not in text and f" {n_day} " not in text.replace(fmt.count(total), "")


def expected_share(table: pd.DataFrame, days: int) -> pd.Series:
    return table[table["days"] <= days].iloc[-1]


def test_distribution_renders_for_default_filters(app, ds):
    from indicators.distribution import lead_time_days, overtime_groups

    at = app(LEDTIDER, flik="Fördelning")
    start, end = period(at)
    assert at.slider(key="inom_dagar").value == 28  # all pathways: no single limit, default 28
    specs = charts(at)
    assert DIST_TITLE in specs and OVERTIME_TITLE in specs
    table = lead_time_days(ds, start, end, {})
    check_line(specs[DIST_TITLE], fmt.RIKET, table)
    # no single limit: no limit line
    assert not any(str(t.get("name", "")).startswith("Ledtidsgräns") for t in specs[DIST_TITLE]["data"])
    # the slider's share within 28 days, its interval and n, as the engine's table has them
    row = expected_share(table, 28)
    metric = next(m for m in at.metric if m.label == f"Inom 28 dagar · {fmt.RIKET}")
    assert metric.value == fmt.pct(row["share_within"])
    caps = " ".join(c.value for c in at.caption)
    assert fmt.interval_text(row["ci_low"], row["ci_high"]) in caps
    assert f"n = {fmt.count(table['cumulative'].iloc[-1])} patienter" in caps
    # overtime groups: the engine's shares in the engine's order
    groups = overtime_groups(ds, start, end, {})
    bars = specs[OVERTIME_TITLE]["data"]
    assert len(bars) == 1 and list(bars[0]["x"]) == list(groups["label"])
    np.testing.assert_allclose(arr(bars[0]["y"]).astype(float), groups["share"].astype(float), atol=1e-9)
    assert not any(str(c) in " ".join(bars[0]["hovertext"]) for c in groups["episodes"] if c > 99)
    assert not at.error


def test_distribution_for_a_pathway_and_a_slider_value_in_the_url(app, ds):
    from indicators.distribution import lead_time_days, overtime_groups

    at = app(LEDTIDER, flik="Fördelning", forlopp="Bröstcancer", inom_dagar="35", egen_region="Uppsala")
    start, end = period(at)
    assert at.slider(key="inom_dagar").value == 35
    spec = charts(at)[DIST_TITLE]
    riket = lead_time_days(ds, start, end, {"svf_code": ["brost"]})
    own = lead_time_days(ds, start, end, {"svf_code": ["brost"], "region": ["03"]})
    check_line(spec, fmt.RIKET, riket)
    check_line(spec, "Egen region: Uppsala", own)
    # Bröstcancer has one limit, 28 days: a vertical line there
    assert any(s.get("type") == "line" and s["x0"] == 28 and s["x1"] == 28 for s in spec["layout"]["shapes"])
    assert any(str(t.get("name", "")) == "Ledtidsgräns (28 dagar)" for t in spec["data"])
    for name, table in ((fmt.RIKET, riket), ("Egen region: Uppsala", own)):
        row = expected_share(table, 35)
        metric = next(m for m in at.metric if m.label == f"Inom 35 dagar · {name}")
        assert metric.value == fmt.pct(row["share_within"])
        assert fmt.interval_text(row["ci_low"], row["ci_high"]) in " ".join(c.value for c in at.caption)
    bars = {t["meta"]: t for t in charts(at)[OVERTIME_TITLE]["data"] if t.get("type") == "bar"}
    for name, where in ((fmt.RIKET, {"svf_code": ["brost"]}),
                        ("Egen region: Uppsala", {"svf_code": ["brost"], "region": ["03"]})):
        groups = overtime_groups(ds, start, end, where)
        np.testing.assert_allclose(arr(bars[name]["y"]).astype(float), groups["share"].astype(float), atol=1e-9)
    # the table under the chart uses a decimal comma
    shown = at.dataframe[-1].value
    assert all("." not in str(v) for v in shown["Andel (%)"])
    assert any("," in str(v) for v in shown["Andel (%)"])


def test_the_slider_starts_at_the_limit_and_follows_the_pathway(app):
    at = app(LEDTIDER, flik="Fördelning", forlopp="Testikelcancer")
    assert at.slider(key="inom_dagar").value == 14
    at.selectbox(key="forlopp").select("prostata").run()
    assert at.slider(key="inom_dagar").value == 47  # limits 47–68 days: the shortest
    at.selectbox(key="forlopp").select("brost").run()
    assert at.slider(key="inom_dagar").value == 28  # not moved by the user: follows the limit
    at.slider(key="inom_dagar").set_value(40).run()
    at.selectbox(key="forlopp").select("testikel").run()
    assert at.slider(key="inom_dagar").value == 40  # moved: kept


def test_a_bad_slider_value_in_the_url_gives_a_notice(app):
    at = app(LEDTIDER, flik="Fördelning", inom_dagar="9999")
    assert any("inom_dagar" in w.value for w in at.warning)
    assert at.slider(key="inom_dagar").value == 28


def test_a_small_selection_shows_otillrackligt_underlag_and_no_distribution(app, ds):
    from indicators.distribution import lead_time_days

    names = region_names(ds)
    found = None
    for month in ("2025-12", "2025-11", "2025-10"):
        start = date(int(month[:4]), int(month[5:]), 1)
        end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
        for region in ("09", "23", "10", "20"):
            table = lead_time_days(ds, start, end, {"svf_code": ["penis"], "region": [region]})
            if table.empty:
                found = (month, names[region])
                break
        if found:
            break
    assert found, "the small data set should have a suppressed small selection"
    month, region = found
    at = app(LEDTIDER, flik="Fördelning", forlopp="Peniscancer", regioner=region, fran=month, till=month)
    assert any(fmt.SUPPRESSED in i.value for i in at.info)
    titles = list(charts(at))
    assert DIST_TITLE not in titles and OVERTIME_TITLE not in titles
    assert not any(m.label.startswith("Inom ") and "dagar" in m.label for m in at.metric)


# -- shared chart fixes (charts.figures) ---------------------------------------------------------

def test_bar_legend_sits_above_the_plot_and_names_the_total_bar():
    from charts import figures

    df = pd.DataFrame({"label": ["Alla register", "NKBC", "NPCR"], "role": ["riket", "unit", "unit"],
                       "value": [91.0, 95.0, 88.0], "ci_low": [90.0, 93.0, 85.0], "ci_high": [92.0, 96.0, 90.0],
                       "numerator": [91, 95, 88], "denominator": [100, 100, 100], "suppressed": [False] * 3})
    fig = figures.bar_comparison(df, title="T", subtitle="S", unit="procent", target_low=80, target_high=90)
    legend = fig.layout.legend
    assert legend.yanchor == "bottom" and legend.y >= 1  # above the plot area, away from the axis title
    names = [t.name for t in fig.data if t.name]
    assert "Alla register" in names and fmt.RIKET not in names
    # the target bands end at 100 % and no tick goes past it
    for shape in fig.layout.shapes:
        if shape.type == "rect":
            assert max(shape.x0, shape.x1) <= 100
    assert max(fig.layout.xaxis.tickvals) == 100


def test_bands_stop_at_100_even_when_a_value_exceeds_it():
    from charts import figures

    df = pd.DataFrame({"label": ["Riket", "Gotland"], "role": ["riket", "unit"], "value": [95.0, 118.0],
                       "numerator": [95, 118], "denominator": [100, 100], "suppressed": [False, False]})
    fig = figures.bar_comparison(df, title="T", unit="procent", target_high=70, show_ci=False)
    assert fig.layout.xaxis.range[1] > 118  # the axis makes room for the value
    assert all(max(s.x0, s.x1) <= 100 for s in fig.layout.shapes if s.type == "rect")
