"""AppTest of Översikt, SVF – inklusion and SVF – ledtider: every page renders for the default
filters and for filters given in the URL, each chart on screen is the protected view of the
page's selection, and the plotted values are the engine's values for that selection (a unit the
engine shows is drawn with its value or hidden as a complementary partner, never changed);
tests/page_checks.py holds the comparison."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

import textfmt as fmt
import views
from indicators import open_data, stats
from page_checks import (arr, bar_values, chart_titled, charts, check_comparison, engine_units, figure_texts,
                         pathway_names, region_names, run_app, screen_equals_view, selection)

PAGE_DIR = "app_pages"
OVERSIKT = f"{PAGE_DIR}/1_Oversikt.py"
INKLUSION = f"{PAGE_DIR}/2_SVF_inklusion.py"
LEDTIDER = f"{PAGE_DIR}/3_SVF_ledtider.py"

INCLUSION_BY_REGION = "Andel nya cancerfall utredda inom SVF per region"
WITHIN_BY_REGION = "Andel behandlade inom ledtid per region"
MEDIAN_BY_REGION = "Median ledtid, dagar per region"
SCORECARD = "Måluppfyllelse per region"


@pytest.fixture(scope="module")
def ds(small_data_dir):
    return open_data(small_data_dir)


@pytest.fixture()
def app(small_data_dir):
    """run(page=None, **query) → a finished AppTest of app.py on the small data set."""

    def run(page: str | None = None, **query):
        return run_app(small_data_dir, page, **query)

    return run


def labels_of(ds) -> dict[str, str]:
    return {"__riket__": fmt.RIKET, **region_names(ds)}


# -- every page renders ------------------------------------------------------------------------

URL_COMBINATIONS = [
    {},
    {"niva": "Sjukvårdsregion", "egen_region": "Uppsala", "tidsenhet": "Kvartal", "forlopp": "Bröstcancer",
     "period": ["jan 2024", "jun 2025"]},  # the range slider's link holds the months as shown
    {"niva": "Riket", "tidsenhet": "År", "regioner": ["Gotland", "Jämtland Härjedalen"], "forlopp": "Peniscancer",
     "register": "NKBC", "flik": "Median ledtid"},
    {"fran": "2024-03", "till": "2024-11", "tidsenhet": "Månad", "regioner": ["Skåne", "Halland"],
     "egen_region": "Skåne", "flik": "Fördelning"},  # an older link (fran/till) still works
]


@pytest.mark.parametrize("query", URL_COMBINATIONS, ids=["default", "hr-quarter", "riket-year-small", "old-link"])
@pytest.mark.parametrize("page", [OVERSIKT, INKLUSION, LEDTIDER])
def test_page_renders_for_url_filters(app, ds, page, query):
    at = app(page, **query)
    assert at.title[0].value in ("Översikt", "SVF – inklusion", "SVF – ledtider")
    assert not at.error
    sel = selection(at)
    if page == OVERSIKT:  # the overview is a coloured table of the scorecard view
        grid = overview_grid(at)
        table = views.view(ds, sel, "scorecard").table
        assert len(grid) == table["row_key"].nunique()
        assert len(grid.columns) == table["indicator"].nunique()
        return
    assert len(at.get("plotly_chart")) >= 1
    if "period" in query:
        assert (sel.start, sel.end) == (date(2024, 1, 1), date(2025, 6, 30))
    if "fran" in query:
        assert (sel.start, sel.end) == (date(2024, 3, 1), date(2024, 11, 30))
    # every chart on the page is a protected view of the page's selection, drawn as it is
    ids = views.page_views(ds, sel, {OVERSIKT: "oversikt", INKLUSION: "svf_inklusion", LEDTIDER: "svf_ledtider"}[page])
    drawn = charts(at)
    by_title = {}
    for vid in ids:
        v = views.view(ds, sel, vid)
        from charts.render import figure

        fig = figure(v)
        if fig is not None:
            by_title[fig.layout.title.text] = v
    assert drawn.keys() <= by_title.keys(), (list(drawn), list(by_title))
    for title, spec in drawn.items():
        screen_equals_view(spec, by_title[title])


@pytest.mark.parametrize("tab", ["Median ledtid", "Långa väntetider"])
def test_ledtider_tabs_render_from_the_url(app, tab):
    at = app(LEDTIDER, flik=tab, egen_region="Skåne")
    titles = list(charts(at))
    assert any(("Median" in t) if tab == "Median ledtid" else ("75" in t) for t in titles), titles


def test_an_unknown_tab_in_the_url_gives_a_notice(app):
    at = app(LEDTIDER, flik="Okänd")
    assert any("flik" in w.value for w in at.warning)


# -- plotted values equal the engine ----------------------------------------------------------

def test_median_chart_shows_engine_medians_and_the_pathways_limit(app, ds):
    at = app(LEDTIDER, flik="Median ledtid", forlopp="Bröstcancer")
    sel = selection(at)
    assert sel.svf_code == "brost"
    spec = charts(at)[MEDIAN_BY_REGION]
    v = views.view(ds, sel, "jamforelse:svf_lead_time_median")
    engine = engine_units(ds, "svf_lead_time_median", sel, where={"svf_code": ["brost"]})
    check_comparison(spec, v, engine, labels_of(ds))
    # the order-statistic interval of riket as whiskers
    tr = spec["data"][0]
    i = list(tr["y"]).index(fmt.RIKET)
    riket = engine.loc["__riket__"]
    assert arr(tr["error_x"]["array"]).astype(float)[i] == pytest.approx(float(riket["ci_high"] - riket["value"]))
    assert arr(tr["error_x"]["arrayminus"]).astype(float)[i] == pytest.approx(float(riket["value"] - riket["ci_low"]))
    # the lead-time limit of Bröstcancer (28 days) is drawn as a reference mark
    ref = next(t for t in spec["data"] if t.get("name") == "Ledtidsgräns")
    assert set(arr(ref["x"]).astype(float)) == {28.0}


def test_inklusion_region_chart_shows_engine_values(app, ds):
    at = app(INKLUSION, egen_region="Örebro")
    sel = selection(at)
    assert sel.own_region == "18"
    spec = charts(at)[INCLUSION_BY_REGION]
    v = views.view(ds, sel, "jamforelse:svf_inclusion")
    check_comparison(spec, v, engine_units(ds, "svf_inclusion", sel), labels_of(ds))
    shown = bar_values(spec)
    assert list(shown.index[:2]) == [fmt.RIKET, "Örebro"]  # riket and the own region first
    assert str(sel.end.year) in spec["layout"]["title"]["subtitle"]["text"]
    assert spec["layout"]["separators"] == ", "
    # the key figure is riket's inclusion from the engine
    riket = ds.compute("svf_inclusion", start=sel.start, end=sel.end).iloc[0]
    metric = next(m for m in at.metric if m.label.replace("\\", "").startswith("SVF-inklusion · Riket"))
    assert metric.value == fmt.pct(riket["value"])


def test_inklusion_trend_shows_engine_values_per_quarter(app, ds):
    at = app(INKLUSION, tidsenhet="Kvartal", forlopp="Lungcancer")
    sel = selection(at)
    assert sel.grain == "quarter" and sel.svf_code == "lunga"
    spec = next(s for t, s in charts(at).items() if t.startswith("Andel nya cancerfall utredda inom SVF per kvartal"))
    riket = next(tr for tr in spec["data"] if tr.get("name") == fmt.RIKET and tr.get("mode") == "markers")
    shown = pd.Series(arr(riket["y"]).astype(float), index=riket["x"])
    lo, hi = sel.trend_period()
    assert lo == date(sel.end.year - 2, 1, 1)  # three calendar years of context
    eng = ds.compute("svf_inclusion", by=["quarter"], start=lo, end=hi, where={"svf_code": ["lunga"]})
    hidden = set(views.view(ds, sel, "trend:svf_inclusion").table.query("suppressed")["x"])
    for q, value, supp in zip(eng["quarter"], eng["value"], eng["suppressed"]):
        x = fmt.period_label("quarter", q)
        if supp or x in hidden:
            assert np.isnan(shown[x]), x
        else:
            assert shown[x] == pytest.approx(float(value), abs=1e-9), x
    # the latest quarter is provisional: an open marker
    colors = riket["marker"]["color"]
    last = list(riket["x"]).index(fmt.period_label("quarter", eng["quarter"].iloc[-1]))
    assert colors[last] == "white" and bool(eng["provisional"].iloc[-1])


def test_ledtider_region_chart_shows_engine_values_and_wilson_intervals(app, ds):
    at = app(LEDTIDER, forlopp="Prostatacancer")
    sel = selection(at)
    spec = charts(at)[WITHIN_BY_REGION]
    where = {"svf_code": ["prostata"]}
    engine = engine_units(ds, "svf_within_target", sel, where=where)
    check_comparison(spec, views.view(ds, sel, "jamforelse:svf_within_target"), engine, labels_of(ds))
    # whiskers: ci_high − value above, value − ci_low below (Wilson, from the engine)
    riket = engine.loc["__riket__"]
    err = spec["data"][0]["error_x"]
    i = list(spec["data"][0]["y"]).index(fmt.RIKET)
    assert arr(err["array"]).astype(float)[i] == pytest.approx(float(riket["ci_high"] - riket["value"]))
    assert arr(err["arrayminus"]).astype(float)[i] == pytest.approx(float(riket["value"] - riket["ci_low"]))
    x, n = int(riket["numerator"]), int(riket["denominator"])
    lo, hi = stats.wilson_interval(x, n)
    assert float(riket["ci_low"]) == pytest.approx(100 * float(lo)) and float(riket["ci_high"]) == pytest.approx(
        100 * float(hi))


def test_patients_to_target_are_computed_from_engine_counts(app, ds):
    at = app(LEDTIDER)
    sel = selection(at)
    spec = next(s for t, s in charts(at).items() if t.startswith("Fler patienter inom ledtid"))
    shown = bar_values(spec)
    v = views.view(ds, sel, "malgap:svf_within_target").table.set_index("unit_code")
    regions = ds.compute("svf_within_target", by=["region"], start=sel.start, end=sel.end)
    names = region_names(ds)
    assert fmt.RIKET not in shown.index  # at the region level the bars are the regions
    for code, x, n, supp in zip(regions["region"], regions["numerator"], regions["denominator"],
                                regions["suppressed"]):
        if supp or v.loc[code, "hidden"] is not None:
            assert np.isnan(shown[names[code]]), code
        else:
            assert shown[names[code]] == stats.patients_to_target(int(x), int(n), 80), code
    # the key figure: riket's patients to 80 % from the engine's counts
    riket = ds.compute("svf_within_target", start=sel.start, end=sel.end).iloc[0]
    need = stats.patients_to_target(int(riket["numerator"]), int(riket["denominator"]), 80)
    metric = next(m for m in at.metric if m.label.startswith("Patienter kvar till"))
    assert metric.value == fmt.count(need)


def test_suppressed_groups_are_labelled_not_zero(app, ds):
    """A small pathway: the regions the engine suppresses say "otillräckligt underlag", the partners
    hidden beside them say so too, and no hidden row has a bar."""
    code = "penis"
    sel = views.Selection(date(2025, 1, 1), date(2025, 12, 31), svf_code=code)
    regions = ds.compute("svf_within_target", by=["region"], start=sel.start, end=sel.end, where={"svf_code": [code]})
    names = region_names(ds)
    suppressed = {names[c] for c, s in zip(regions["region"], regions["suppressed"]) if s}
    assert suppressed, "the small data set should suppress some regions for this pathway"
    at = app(LEDTIDER, forlopp=pathway_names(ds)[code], period=["jan 2025", "dec 2025"])
    assert selection(at) == sel
    spec = charts(at)[WITHIN_BY_REGION]
    hidden = check_comparison(spec, views.view(ds, sel, "jamforelse:svf_within_target"),
                              engine_units(ds, "svf_within_target", sel, where={"svf_code": [code]}), labels_of(ds))
    assert suppressed <= set(hidden)
    words = figure_texts(spec)
    assert all(words[n] == fmt.SUPPRESSED for n in suppressed)


SYMBOLS = {"high": "✓", "low": "◐", "none": "✗", "suppressed": "–"}


def overview_grid(at) -> pd.DataFrame:
    """The Översikt grid: one row per unit (riket first), one column per indicator, each cell its
    status symbol, value and n (a coloured table, ui.layout.grid)."""
    return next(d.value for d in at.dataframe if list(d.value.index[:1]) == [fmt.RIKET])


def test_oversikt_cells_show_engine_values_and_target_levels(app, ds):
    at = app(OVERSIKT)
    sel = selection(at)
    grid = overview_grid(at)
    col = next(c for c in grid.columns if c.startswith("Inom ledtid"))
    assert col == "Inom ledtid (mål ≥ 80\u00a0%)"
    names = region_names(ds)
    hidden = views.view(ds, sel, "scorecard").table.query("indicator == 'svf_within_target'").set_index("unit_code")
    regions = ds.compute("svf_within_target", by=["region"], start=sel.start, end=sel.end)
    riket = ds.compute("svf_within_target", by=[], start=sel.start, end=sel.end).iloc[0]
    assert list(grid.index[:1]) == [fmt.RIKET] and len(grid) == 22
    cell = grid.loc[fmt.RIKET, col]
    assert cell.startswith(f"{SYMBOLS[riket['target_level']]} {fmt.pct(riket['value'])} "
                           f"({fmt.n_text(riket['numerator'], riket['denominator'])})"), cell
    wrong = []
    for code, value, level, supp, num, den in zip(regions["region"], regions["value"], regions["target_level"],
                                                  regions["suppressed"], regions["numerator"], regions["denominator"]):
        cell = grid.loc[names[code], col]
        if supp:
            ok = cell == f"– {fmt.SUPPRESSED}"
        elif hidden.loc[code, "hidden"] == "secondary":
            # hidden beside a small group: no value and no target symbol (✓ ◐ ✗ would tell whether the
            # hidden value reaches the target)
            ok = "dold" in cell and "%" not in cell and not any(sym in cell for sym in "✓◐✗")
        else:
            ok = cell.startswith(f"{SYMBOLS[level]} {fmt.pct(value)} ({fmt.n_text(num, den)})")
        if not ok:
            wrong.append((names[code], cell))
    assert not wrong, wrong


def test_oversikt_marks_uncertain_cells_by_the_ci_rule(app, ds):
    at = app(OVERSIKT)
    sel = selection(at)
    grid = overview_grid(at)
    col = next(c for c in grid.columns if c.startswith("RCL"))
    regions = ds.compute("rcl_coverage", by=["region"], start=sel.start, end=sel.end)
    shown = views.view(ds, sel, "scorecard").table.query("indicator == 'rcl_coverage'").set_index("unit_code")
    names = region_names(ds)
    checked = 0
    for code, lo, hi, supp in zip(regions["region"], regions["ci_low"], regions["ci_high"], regions["suppressed"]):
        if supp or shown.loc[code, "hidden"] is not None:
            continue
        uncertain = stats.target_status_ci(float(lo), float(hi), 85.0, "higher") == "uncertain"
        assert grid.loc[names[code], col].endswith(" ?") == uncertain, code
        checked += 1
    assert checked >= 2  # the small set has few regions with enough RCL starts


# -- SVF – ledtider: the lead-time distribution (Fördelning) ---------------------------------------

DIST_TITLE = "Andel behandlade inom X dagar"
OVERTIME_TITLE = "Ledtid i förhållande till gränsen"


def dist_line(spec, name: str) -> tuple[pd.DataFrame, dict]:
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


def chosen_point(spec, name: str, days: int) -> dict:
    """The marker the slider puts on a series' line at `days`."""
    color = next(t for t in spec["data"] if t.get("meta") == name and t.get("mode") == "lines")["line"]["color"]
    pts = [t for t in spec["data"] if t.get("mode") == "markers" and list(t.get("x") or []) == [days]
           and t["marker"]["color"] == color]
    assert len(pts) == 1, (name, days)
    return pts[0]


def expected_share(table: pd.DataFrame, days: int) -> pd.Series:
    return table[table["days"] <= days].iloc[-1]


def test_distribution_renders_for_default_filters(app, ds):
    from indicators.distribution import lead_time_days, overtime_groups

    at = app(LEDTIDER, flik="Fördelning")
    sel = selection(at)
    assert at.slider(key="inom_dagar").value == 28  # all pathways: no single limit, default 28
    specs = charts(at)
    assert DIST_TITLE in specs and OVERTIME_TITLE in specs
    table = lead_time_days(ds, sel.start, sel.end, {})
    check_line(specs[DIST_TITLE], fmt.RIKET, table)
    # no single limit: no limit line
    assert not any(str(t.get("name", "")).startswith("Ledtidsgräns") for t in specs[DIST_TITLE]["data"])
    # the slider's point: the share within 28 days, its interval and n, as the engine's table has them
    row = expected_share(table, 28)
    point = chosen_point(specs[DIST_TITLE], fmt.RIKET, 28)
    assert float(arr(point["y"]).astype(float)[0]) == pytest.approx(float(row["share_within"]))
    hover = point["hovertext"][0]
    assert fmt.pct(row["share_within"]) in hover and fmt.interval_text(row["ci_low"], row["ci_high"]) in hover
    assert f"n = {fmt.count(table['cumulative'].iloc[-1])} i urvalet" in hover
    notes = [a["text"] for a in specs[DIST_TITLE]["layout"]["annotations"]]
    assert f"<b>{fmt.pct(row['share_within'])}</b>" in notes and "X = 28 dagar" in notes
    # overtime groups: the engine's shares in the engine's order
    groups = overtime_groups(ds, sel.start, sel.end, {})
    bars = specs[OVERTIME_TITLE]["data"]
    assert len(bars) == 1 and list(bars[0]["x"]) == list(groups["label"])
    np.testing.assert_allclose(arr(bars[0]["y"]).astype(float), groups["share"].astype(float), atol=1e-9)
    assert not any(str(c) in " ".join(bars[0]["hovertext"]) for c in groups["episodes"] if c > 99)
    assert not at.error


def test_distribution_for_a_pathway_and_a_slider_value_in_the_url(app, ds):
    from indicators.distribution import lead_time_days, overtime_groups

    at = app(LEDTIDER, flik="Fördelning", forlopp="Bröstcancer", inom_dagar="35", egen_region="Uppsala")
    sel = selection(at)
    assert at.slider(key="inom_dagar").value == 35
    spec = charts(at)[DIST_TITLE]
    riket = lead_time_days(ds, sel.start, sel.end, {"svf_code": ["brost"]})
    own = lead_time_days(ds, sel.start, sel.end, {"svf_code": ["brost"], "region": ["03"]})
    check_line(spec, fmt.RIKET, riket)
    check_line(spec, "Egen region: Uppsala", own)
    # Bröstcancer has one limit, 28 days: a vertical line there
    assert any(s.get("type") == "line" and s["x0"] == 28 and s["x1"] == 28 for s in spec["layout"]["shapes"])
    assert any(str(t.get("name", "")) == "Ledtidsgräns (28 dagar)" for t in spec["data"])
    for name, table in ((fmt.RIKET, riket), ("Egen region: Uppsala", own)):
        row = expected_share(table, 35)
        point = chosen_point(spec, name, 35)
        assert float(arr(point["y"]).astype(float)[0]) == pytest.approx(float(row["share_within"]))
        assert fmt.interval_text(row["ci_low"], row["ci_high"]) in point["hovertext"][0]
    bars = {t["meta"]: t for t in charts(at)[OVERTIME_TITLE]["data"] if t.get("type") == "bar"}
    for name, where in ((fmt.RIKET, {"svf_code": ["brost"]}),
                        ("Egen region: Uppsala", {"svf_code": ["brost"], "region": ["03"]})):
        groups = overtime_groups(ds, sel.start, sel.end, where)
        np.testing.assert_allclose(arr(bars[name]["y"]).astype(float), groups["share"].astype(float), atol=1e-9)
    # the table under the chart uses a decimal comma
    shown = next(d.value for d in at.dataframe if "Andel inom (%)" in d.value.columns)
    assert all("." not in str(v) for v in shown["Andel inom (%)"])
    assert any("," in str(v) for v in shown["Andel inom (%)"])


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


@pytest.mark.parametrize("kind", ["small", "empty"])
def test_a_small_or_empty_selection_says_why_and_draws_no_distribution(app, ds, kind):
    """A month and region with 1–4 finished episodes: 'otillräckligt underlag'; with none: 'inga fall'
    (a known zero needs no protecting). Either way no days, shares or counts, and no chart."""
    names = region_names(ds)
    found = None
    for month in ("2025-12", "2025-11", "2025-10", "2025-09", "2025-08"):
        start = date(int(month[:4]), int(month[5:]), 1)
        end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
        for code in ("penis", "testikel", "sarkom", "njure"):
            # the region's row: none when it has no finished episode, suppressed when it has 1–4
            rows = ds.compute("svf_lead_time_median", by=["region"], start=start, end=end, where={"svf_code": [code]})
            for region in ("09", "23", "10", "20", "21", "25"):
                mine = rows[rows["region"] == region]
                if (kind == "empty" and mine.empty) or (kind == "small" and len(mine) and bool(mine["suppressed"].iloc[0])):
                    found = (month, code, region)
                    break
            if found:
                break
        if found:
            break
    assert found, f"the small data set should have a {kind} selection"
    month, code, region = found
    at = app(LEDTIDER, flik="Fördelning", forlopp=ds.reference("svf_pathways").set_index("svf_code").loc[code, "svf_name"],
             regioner=names[region], period=[fmt.month_label(month)] * 2)
    assert (selection(at).start, selection(at).regions) == (date(int(month[:4]), int(month[5:]), 1), (region,))
    titles = list(charts(at))
    assert DIST_TITLE not in titles and OVERTIME_TITLE not in titles
    # the views' tables say why, under their titles
    status = [d.value for d in at.dataframe if "Status" in d.value.columns and "Enhet" in d.value.columns]
    assert len(status) == 2
    for table in status:
        assert list(table["Enhet"]) == [names[region]]
        assert list(table["Status"]) == [fmt.SUPPRESSED if kind == "small" else "inga fall"]
        assert set(table.columns) == {"Enhet", "Status"}  # no days, shares or counts
    md = " ".join(m.value for m in at.markdown)
    assert DIST_TITLE in md and OVERTIME_TITLE in md


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
    # the total's dark bar is named on its own axis label ("Alla register", never "Riket"), not twice
    assert list(fig.data[0].y)[0] == "Alla register" and fmt.RIKET not in names + list(fig.data[0].y)
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
