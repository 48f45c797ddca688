"""AppTest of the pages Kvalitetsregister, Täckningsgrad, Regionjämförelse and Om indikatorerna.

Each page renders without an exception for the default filters and for a filter combination given
in the URL, and for at least one chart per page the plotted values are the engine's result for the
selection the page drew (read back from the page's own selection in session state; a unit the engine
shows is drawn with its value or hidden as a complementary partner, tests/page_checks.py). Data: the
session's small generated extract set (tests/conftest.py `small_data_dir`, extract date 2026-01-15).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

import textfmt as fmt
import views
from indicators import open_data, stats
from views.cells import months_between
from page_checks import (arr, bar_values, chart_titled, check_comparison, engine_units, frame_with, region_names,
                         run_app, screen_equals_view, selection)

KVALITET = "app_pages/4_Kvalitetsregister.py"
TACKNING = "app_pages/5_Tackningsgrad.py"
JAMFORELSE = "app_pages/6_Regionjamforelse.py"
OM = "app_pages/7_Om_indikatorerna.py"
# register coverage matures in 12 months: with the extract of 2026-01-15 the latest calendar year with
# final values is 2024 (a period ending after 2025-01-15 is still preliminary)
FINAL_YEAR = (date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def ds(small_data_dir):
    return open_data(small_data_dir)


@pytest.fixture()
def run_page(small_data_dir):
    def run(page: str, query: dict | None = None):
        return run_app(small_data_dir, page, **(query or {}))

    return run


def labels_of(ds) -> dict[str, str]:
    return {"__riket__": fmt.RIKET, **region_names(ds)}


def number(text) -> float:
    """'72,4' / '1 234' (swedish_table's text) → 72.4 / 1234."""
    return float(str(text).replace("\u00a0", "").replace(" ", "").replace(",", "."))


# -- Regionjämförelse ---------------------------------------------------------------------------------

def funnel_points(spec: dict) -> dict[str, tuple[float, float]]:
    out = {}
    for tr in spec["data"]:
        if tr.get("customdata") is not None and tr.get("mode") == "markers":
            for k, x, y in zip(arr(tr["customdata"]), arr(tr["x"]), arr(tr["y"])):
                out[str(k)] = (float(x), float(y))
    return out


def test_regionjamforelse_default_funnel_is_the_engine_result(run_page, ds):
    at = run_page(JAMFORELSE)
    sel = selection(at)
    page_sel = sel.replace(indicator="svf_within_target")
    result = ds.compute("svf_within_target", by=["region"], start=sel.start, end=sel.end)
    riket = ds.compute("svf_within_target", start=sel.start, end=sel.end)
    spec = chart_titled(at, "trattdiagram")
    v = views.view(ds, page_sel, "tratt:svf_within_target")
    screen_equals_view(spec, v)
    hidden = v.table.set_index("unit_code")["hidden"]
    shown = result[~result["suppressed"] & result["region"].map(lambda c: hidden.get(c) is None)]
    partners = result[~result["suppressed"] & result["region"].map(lambda c: hidden.get(c) == "secondary")]
    expected = {r.region: (float(r.denominator), float(r.value)) for r in shown.itertuples()}
    got = funnel_points(spec)
    assert got.keys() == expected.keys()
    for k, (x, y) in expected.items():
        assert got[k][0] == x and got[k][1] == pytest.approx(y, abs=1e-9)
    # the riket line is the engine's riket value, and the drawn 95 % limits are PHE's at that p0
    p0 = float(riket["value"].iloc[0])
    line = next(t for t in spec["data"] if str(t.get("name", "")).startswith("Riket"))
    assert arr(line["y"]).astype(float) == pytest.approx([p0, p0])
    upper95 = next(t for t in spec["data"] if t.get("legendgroup") == "95" and t.get("showlegend") is not False)
    lo, hi = stats.phe_funnel_limits(p0 / 100, arr(upper95["x"]).astype(float), 0.95)
    np.testing.assert_allclose(arr(upper95["y"]).astype(float), np.asarray(hi) * 100, rtol=1e-9)
    # hidden regions (too few cases, or hidden beside one) are listed in the caption, not drawn
    names = region_names(ds)
    captions = " ".join(c.value for c in at.caption)
    for code in list(result.loc[result["suppressed"], "region"]) + list(partners["region"]):
        assert names[code] in captions, code
    # the caption's count is the funnel's: how many outside, and how many by chance
    outside = sum(1 for _k, (n, val) in expected.items()
                  if not (stats.phe_funnel_limits(p0 / 100, n, 0.95)[0] * 100 <= val
                          <= stats.phe_funnel_limits(p0 / 100, n, 0.95)[1] * 100))
    assert f"{outside} av {len(expected)} regioner ligger utanför 95" in captions
    assert "Av slumpen ensam väntas ungefär" in captions
    assert next(m for m in at.metric if m.label == "Regioner i jämförelsen").value == str(len(expected))
    assert next(m for m in at.metric if m.label == "Utanför 95 %-gränserna").value == str(outside)
    # the caterpillar shows the same values, sorted, riket as a line
    cat = chart_titled(at, "rangordning")
    cat_points = {str(k): float(x) for tr in cat["data"] if tr.get("customdata") is not None
                  for k, x in zip(arr(tr["customdata"]), arr(tr["x"]))}
    assert cat_points == pytest.approx({k: val for k, (_n, val) in expected.items()})


def test_regionjamforelse_from_url_quality_indicator_with_overdispersion(run_page, ds):
    query = {"jmf_indikator": "NKBC · MDK inför behandlingsstart", "overspridning": "true",
             "egen_region": "Stockholm", "fran": "2023-01", "till": "2024-12"}
    at = run_page(JAMFORELSE, query)
    sel = selection(at)
    assert (sel.start, sel.end, sel.own_region) == (date(2023, 1, 1), date(2024, 12, 31), "01")
    assert at.selectbox(key="jmf_indikator").value == "qi:nkbc04"
    assert at.toggle(key="overspridning").value is True
    result = ds.compute("qi:nkbc04", by=["region"], start=sel.start, end=sel.end)
    riket = ds.compute("qi:nkbc04", start=sel.start, end=sel.end)
    hidden = views.view(ds, sel.replace(indicator="qi:nkbc04"), "tratt:qi:nkbc04").table.set_index("unit_code")
    shown = result[~result["suppressed"] & result["region"].map(lambda c: hidden.loc[c, "hidden"] is None)]
    spec = chart_titled(at, "trattdiagram")
    subtitle = spec["layout"]["title"]["subtitle"]["text"]
    assert "2023–2024" in subtitle
    assert any("justerade för överspridning" in str(t.get("name", "")) for t in spec["data"])  # widened limits
    got = funnel_points(spec)
    assert got == pytest.approx({r.region: (float(r.denominator), float(r.value)) for r in shown.itertuples()})
    # φ on the page is the statistics module's φ for these counts around riket
    od = stats.overdispersion(shown["numerator"].astype(float), shown["denominator"].astype(float),
                              float(riket["value"].iloc[0]) / 100)
    phi_metric = next(m for m in at.metric if m.label.startswith("Spridning mellan enheterna"))
    assert phi_metric.value == f"{od['phi']:.2f}".replace(".", ",")
    names = [t.get("name", "") for t in spec["data"]]
    if "01" in set(shown["region"]):
        assert "Egen region: Stockholm" in names
    # the line under the title says which limits are drawn (also in the downloaded image)
    assert "justerade för överspridning" in subtitle and "binomiala" not in subtitle, subtitle


def test_regionjamforelse_median_has_no_funnel_but_a_ranking(run_page, ds):
    at = run_page(JAMFORELSE, {"jmf_indikator": "SVF · Median ledtid, dagar"})
    assert any("Trattdiagram ritas bara för andelar" in i.value for i in at.info)
    sel = selection(at)
    result = ds.compute("svf_lead_time_median", by=["region"], start=sel.start, end=sel.end)
    hidden = views.view(ds, sel.replace(indicator="svf_lead_time_median"),
                        "rangordning:svf_lead_time_median").table.set_index("unit_code")
    cat = chart_titled(at, "rangordning")
    got = {str(k): float(x) for tr in cat["data"] if tr.get("customdata") is not None
           for k, x in zip(arr(tr["customdata"]), arr(tr["x"]))}
    shown = result[~result["suppressed"] & result["region"].map(lambda c: hidden.loc[c, "hidden"] is None)]
    assert len(shown) >= 5
    assert got == pytest.approx(dict(zip(shown["region"], shown["value"].astype(float))))


# -- Kvalitetsregister --------------------------------------------------------------------------------

def test_kvalitetsregister_default_shows_every_register(run_page, ds):
    at = run_page(KVALITET)
    assert any("Välj ett kvalitetsregister" in i.value for i in at.info)
    sel = selection(at)
    # coverage per register, for the latest calendar year with final values
    spec = chart_titled(at, "Täckningsgrad mot Cancerregistret per register", "bar")
    assert spec["layout"]["title"]["subtitle"]["text"].startswith("2024 · Riket")
    v = views.view(ds, sel, "register:register_coverage")
    assert v.table["cell"].iloc[0].get("month") == months_between(*FINAL_YEAR)  # riket's months: 2024
    cov = engine_units(ds, "register_coverage", views.Selection(*FINAL_YEAR), dim="register")
    labels = {"__riket__": "Riket, alla register", **views.context(ds).register_short}
    check_comparison(spec, v, cov, labels)
    bars = bar_values(spec)
    assert len(bars) == len(ds.reference("registers")) + 1
    assert bars["NKBC"] == pytest.approx(float(cov.loc["nkbc", "value"]))
    # every register in brief: how many of its indicators reach which target level
    brief = frame_with(at, "Indikatorer")
    assert len(brief) == ds.reference("quality_indicators")["register_code"].nunique()
    nkbc = brief[brief["Register"] == "NKBC"].iloc[0]
    levels = []
    for qi in (i for i in ds.catalogue() if i.is_quality_indicator and i.register_code == "nkbc"):
        r = ds.compute(qi.id, start=sel.start, end=sel.end).iloc[0]
        levels.append("suppressed" if r["suppressed"] else
                      "no_target" if fmt.is_missing(r["target_level"]) else str(r["target_level"]))
    assert number(nkbc["Indikatorer"]) == len(levels)
    for col, level in (("Hög", "high"), ("Låg", "low"), ("Under", "none"), ("Utan mål", "no_target")):
        assert number(nkbc[col]) == levels.count(level), col
    assert number(nkbc["För få fall"]) == levels.count("suppressed")


def test_kvalitetsregister_register_from_url_charts_are_the_engine_result(run_page, ds):
    query = {"register": "NKBC", "egen_region": "Skåne", "kvalitetsindikator": "MDK inför behandlingsstart",
             "fran": "2024-01", "till": "2024-12", "tidsenhet": "År"}
    at = run_page(KVALITET, query)
    sel = selection(at)
    assert (sel.register, sel.own_region, sel.start, sel.end, sel.grain) == ("nkbc", "12", date(2024, 1, 1),
                                                                              date(2024, 12, 31), "year")
    assert at.selectbox(key="kvalitetsindikator").value == "qi:nkbc04"
    # key figures: the register's coverage and reporting speed for the own region, from the engine
    for ind_id, short in (("register_coverage", "Täckningsgrad"), ("register_reporting_90d", "Inrapportering 90 d")):
        r = ds.compute(ind_id, start=sel.start, end=sel.end, where={"register": ["nkbc"], "region": ["12"]}).iloc[0]
        metric = next(m for m in at.metric if m.label.replace("\\", "") == f"{short} · Skåne")
        assert metric.value == fmt.pct(r["value"]), short
    # the indicators table: one row per NKBC indicator for riket and for Skåne, the engine's counts
    qis = [i for i in ds.catalogue() if i.is_quality_indicator and i.register_code == "nkbc"]
    table = frame_with(at, "Indikator")
    assert len(table) == 2 * len(qis)
    assert list(dict.fromkeys(table["Enhet"])) == ["Riket", "Skåne"]
    for unit, where in (("Riket", {}), ("Skåne", {"region": ["12"]})):
        for qi in qis:
            r = ds.compute(qi.id, start=sel.start, end=sel.end, where=where).iloc[0]
            row = table[(table["Enhet"] == unit) & (table["Indikator"] == qi.name_sv)].iloc[0]
            if r["suppressed"]:
                assert row["Täljare"] == fmt.SUPPRESSED, (unit, qi.id)
            else:
                assert (number(row["Täljare"]), number(row["Nämnare"])) == (r["numerator"], r["denominator"])
                assert number(row["Andel (%)"]) == pytest.approx(float(r["value"]), abs=0.05)
    # the region comparison: bars are the engine's values per region
    spec = chart_titled(at, "MDK inför behandlingsstart per region")
    detail = sel.replace(indicator="qi:nkbc04")
    check_comparison(spec, views.view(ds, detail, "jamforelse:qi:nkbc04"),
                     engine_units(ds, "qi:nkbc04", sel), labels_of(ds))
    # the trend: riket per year equals the engine by year over the trend period
    trend = chart_titled(at, "MDK inför behandlingsstart per år")
    lo, hi = sel.trend_period()
    assert lo == date(2022, 1, 1)
    by_year = ds.compute("qi:nkbc04", by=["year"], start=lo, end=hi)
    line = next(t for t in trend["data"] if t.get("name") == "Riket" and t.get("mode") == "markers")
    got = dict(zip(line["x"], arr(line["y"]).astype(float)))
    assert set(got) == {"2022", "2023", "2024"}
    for r in by_year.itertuples():
        if not r.suppressed:
            assert got[r.year] == pytest.approx(float(r.value))


# -- Täckningsgrad ------------------------------------------------------------------------------------

def test_tackningsgrad_rcl_tab_equals_the_engine(run_page, ds):
    at = run_page(TACKNING, {"flik": "Register för cancerläkemedel"})
    sel = selection(at)
    spec = chart_titled(at, "Täckningsgrad i Register för cancerläkemedel per region")
    check_comparison(spec, views.view(ds, sel, "jamforelse:rcl_coverage"), engine_units(ds, "rcl_coverage", sel),
                     labels_of(ds))
    riket = ds.compute("rcl_coverage", start=sel.start, end=sel.end).iloc[0]
    assert bar_values(spec)["Riket"] == pytest.approx(float(riket["value"]))


def test_tackningsgrad_validation_report_tab_lists_every_reason(run_page, ds):
    at = run_page(TACKNING, {"flik": "Valideringsrapport"})
    report = ds.validation_report()
    report = report[report["rows"].notna()]
    shown = frame_with(at, "Anmärkning")
    counts = [int(number(v)) for v in shown["Rader"]]
    # the reasons in plain Swedish (column names as words: 'ålder', not 'age'), one row each
    assert sorted(zip(shown["Anmärkning"], counts)) == sorted(zip(map(fmt.plain_reason, report["reason"]),
                                                                  report["rows"].astype(int)))
    assert "ålder utanför 0–120" in set(shown["Anmärkning"])
    tables = frame_with(at, "Lästa rader")
    assert len(tables) == len(ds.table_summary())


def test_tackningsgrad_heat_table_from_url(run_page, ds):
    """The coverage table register × unit: a coloured table (ui.layout.grid) with riket first and the own
    region next, each cell its status symbol, value and n."""
    query = {"fran": "2023-01", "till": "2023-12", "egen_region": "Uppsala", "register": "NKBC"}
    at = run_page(TACKNING, query)
    sel = selection(at)
    assert (sel.start, sel.end) == (date(2023, 1, 1), date(2023, 12, 31))
    grid = next(d.value for d in at.dataframe if list(d.value.index[:1]) == ["Riket"])
    # a final year is shown as chosen: the table's selection line starts with it
    assert any(c.value.startswith("2023 · 21 regioner och riket") for c in at.caption)
    assert list(grid.index[:2]) == ["Riket", "Uppsala (egen)"] and len(grid) == 22
    assert "NKBC" in grid.columns and len(grid.columns) == len(ds.reference("registers"))
    cov = ds.compute("register_coverage", by=["register"], start=sel.start, end=sel.end).set_index("register")
    row = cov.loc["nkbc"]
    cell = grid.loc["Riket", "NKBC"]
    assert f"{fmt.pct(row['value'])} ({fmt.n_text(row['numerator'], row['denominator'])})" in cell, cell
    uppsala = ds.compute("register_coverage", by=["register"], start=sel.start, end=sel.end,
                         where={"region": ["03"]}).set_index("register")
    cell = grid.loc["Uppsala (egen)", "NKBC"]
    view_row = views.view(ds, sel, "tackning").table
    view_row = view_row[(view_row["unit_code"] == "03") & (view_row["register"] == "nkbc")].iloc[0]
    if uppsala.loc["nkbc", "suppressed"] or view_row["hidden"] is not None:
        assert "%" not in cell, cell
    else:
        u = uppsala.loc["nkbc"]
        assert f"{fmt.pct(u['value'])} ({fmt.n_text(u['numerator'], u['denominator'])})" in cell, cell


# -- Om indikatorerna ----------------------------------------------------------------------------------

def test_om_indikatorerna_marks_placeholders_and_lists_tables(run_page, ds):
    at = run_page(OM)
    frames = [d.value for d in at.dataframe]
    lead = next(d for d in frames if "Gräns (dagar)" in d.columns)
    ref = ds.reference("svf_lead_time_targets")
    assert len(lead) == len(ref)
    assert int((lead["Status"] == "⚠ platshållare").sum()) == int((ref["status"] == "placeholder").sum())
    qi = next(d for d in frames if "Målnivåernas status" in d.columns)
    qref = ds.reference("quality_indicators")
    assert len(qi) == len(qref)
    assert int((qi["Målnivåernas status"] == "⚠ platshållare").sum()) == int(
        (qref["target_status"] == "placeholder").sum())
    tables = next(d for d in frames if "Lästa rader" in d.columns and "Källa" in d.columns)
    assert len(tables) == len(ds.table_summary())
    # the three texts of every fixed indicator are on the page
    text = " ".join(m.value for m in at.markdown)
    fixed = [i for i in ds.catalogue() if not i.is_quality_indicator]
    for heading in ("Om indikatorn", "Att tänka på vid tolkning", "Teknisk beskrivning"):
        assert text.count(f"**{heading}**") >= len(fixed)
    no_raw = [c for c in tables["Tabell"] if "_" in c]
    assert not no_raw, f"raw table names shown: {no_raw}"


def test_om_indikatorerna_with_url_filters(run_page):
    at = run_page(OM, {"egen_region": "Gotland", "fran": "2024-01", "till": "2024-06"})
    assert any("Ledtidsgränser" in s.value for s in at.subheader)
    assert not at.error
