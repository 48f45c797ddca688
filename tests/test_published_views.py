"""Published figures in the views (issue 12, phase 2): the published value beside the computed one
in the comparison bars, the overview, the tables and the notes; the reconciliation view; the map
view (computed and published), protected like the comparison; and the views of the page
"Publicerad statistik", also without any extract.

Expected numbers are worked out by hand next to the fixture.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from disclosure_audit import disclosed
from export.pack import build_pack
from export.tables import frame, to_csv_bytes
from extract_builder import write_set
from indicators import open_data
from indicators.published import has_extract, without_extract
from views import PAGES, PRESETS, Selection, context, page_views, preset_views, view

Y2024 = Selection(date(2024, 1, 1), date(2024, 12, 31))


def _pf(region, period, value, indicator="svf_within_target", source_id="N79198", status=None, num=None, den=None):
    return {"source": "Kolada", "source_id": source_id, "indicator": indicator, "region_code": region,
            "period": period, "value": value, "numerator": num, "denominator": den, "status": status}


def _eps(lead, prefix: str, n: int, region: str, end: str, days: int) -> list[dict]:
    """n treated brost episodes closed by `region` on `end` with a lead time of `days` (bundled
    brost limit 28 days: within when days <= 28)."""
    start = (date.fromisoformat(end) - timedelta(days=days)).isoformat()
    return [lead(f"{prefix}{i}", "brost", start, days, "50", region=region) for i in range(n)]


# ---------------------------------------------------------------------------------------------
# Lead time, extract date 2025-03-15 (whole years 2023 and 2024).
#   2023: Stockholm (01) 5 episodes within (from 2023-01-05)                 -> 100.0 %
#   2024: Stockholm (01)   200 episodes, 120 within, 80 over                  ->  60.0 %
#         Uppsala (03)     200 episodes,  90 within, 110 over (to 2024-12-20) ->  45.0 %
#         Östergötland (05) 10 episodes,   8 within,   2 over                 ->  80.0 %
#         Skåne (12)         3 episodes,   2 within,   1 over                 -> suppressed (n < 5)
#         riket            413 episodes, 220 within                           ->  53.26876513317191 %
#   The other 17 regions have no episodes ("inga fall", known zeros).
# Disclosure control: riket = the 21 regions (the comparison and the map show them all), Skåne is
#   hidden, so the smallest shown part, Östergötland (10), is hidden too (secondary).
# Published (Kolada N79198): 2023: 01 MSK (withheld), riket 90; 2024: 01 57, 03 44, 05 75, 12 50,
#   riket 52; Norrbotten (25) nothing.
# Tolerance 2 pp or 3 patients: riket 2024 max(2, 300/413 = 0.73) = 2; 01, 03 max(2, 1.5) = 2.
# Beside, 2024:  riket 53.26876513317191 − 52 = +1.26876513317191 (within)
#                Stockholm 60 − 57 = +3.0 (exceeds); Uppsala 45 − 44 = +1.0 (within)
#                Östergötland and Skåne: the published value (75, 50), no difference.
# Reconciliation: 2023 riket 100 − 90 = +10 (tolerance max(2, 300/5 = 60): within), 01 MSK (not
#   comparable); 2024 as above. Beyond tolerance and shown: Stockholm 2024 only.
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lead_set(tmp_path_factory, lead):
    eps = []
    eps += _eps(lead, "a", 1, "01", "2023-01-05", 10) + _eps(lead, "b", 4, "01", "2023-06-10", 10)
    eps += _eps(lead, "c", 120, "01", "2024-03-10", 10) + _eps(lead, "d", 80, "01", "2024-05-10", 40)
    eps += _eps(lead, "e", 90, "03", "2024-03-10", 10) + _eps(lead, "f", 110, "03", "2024-12-20", 40)
    eps += _eps(lead, "g", 8, "05", "2024-04-10", 12) + _eps(lead, "h", 2, "05", "2024-04-10", 50)
    eps += _eps(lead, "i", 2, "12", "2024-03-10", 10) + _eps(lead, "j", 1, "12", "2024-03-10", 40)
    published = [_pf("01", "2023", None, status="MSK"), _pf(None, "2023", 90.0), _pf("01", "2024", 57.0),
                 _pf("03", "2024", 44.0), _pf("05", "2024", 75.0), _pf("12", "2024", 50.0), _pf(None, "2024", 52.0)]
    d = write_set(tmp_path_factory.mktemp("beside"), extract_date="2025-03-15", svf_episodes=eps,
                  published_figures=published)
    return open_data(d)


def _row(table: pd.DataFrame, label: str) -> dict:
    hit = table[table["label"] == label]
    assert len(hit) == 1, (label, list(table["label"]))
    return hit.iloc[0].to_dict()


# -- beside our own numbers -------------------------------------------------------------------------

def test_comparison_carries_the_published_value_and_the_hand_computed_difference(lead_set, check_row):
    t = view(lead_set, Y2024, "jamforelse:svf_within_target").table
    check_row(_row(t, "Riket"), value=53.26876513317191, published_value=52.0, published_source="Kolada",
              difference_pp=1.26876513317191, tolerance_pp=2.0, exceeds_tolerance=False)
    check_row(_row(t, "Stockholm"), value=60.0, published_value=57.0, difference_pp=3.0, tolerance_pp=2.0,
              exceeds_tolerance=True)
    check_row(_row(t, "Uppsala"), value=45.0, published_value=44.0, difference_pp=1.0, exceeds_tolerance=False)
    check_row(_row(t, "Norrbotten"), published_value=None, difference_pp=None)


def test_a_hidden_row_shows_the_published_value_but_no_difference(lead_set, check_row):
    v = view(lead_set, Y2024, "jamforelse:svf_within_target")
    t = v.table
    # Skåne: too few (primary); Östergötland: hidden so that Skåne cannot be computed from riket
    check_row(_row(t, "Skåne"), suppressed=True, hidden="primary", value=None, published_value=50.0,
              difference_pp=None, tolerance_pp=None, exceeds_tolerance=None)
    check_row(_row(t, "Östergötland"), suppressed=True, hidden="secondary", value=None, published_value=75.0,
              difference_pp=None, tolerance_pp=None, exceeds_tolerance=None)
    table = frame(v, lead_set.catalogue()).set_index("Region")
    assert table.loc["Skåne", "Publicerat"] == 50 and table.loc["Skåne", "Skillnad (procentenheter)"] == \
        "otillräckligt underlag"
    assert table.loc["Östergötland", "Publicerat"] == 75
    assert table.loc["Östergötland", "Skillnad (procentenheter)"] == "dold så att en liten grupp inte kan räknas fram"
    # 80 − 75 = +5,0 would give Östergötland's 80 % back: nowhere in the notes or the figure
    from charts.render import figure

    text = json.dumps(figure(v).to_plotly_json(), ensure_ascii=False) + "\n".join(v.notes)
    assert "+5,0" not in text and "80,0" not in text and "8 av 10" not in text
    assert "2 av 3" not in text and "66,7" not in text and "+16,7" not in text


def test_the_bars_mark_the_published_value_with_its_source_and_difference(lead_set):
    from charts.render import figure

    fig = figure(view(lead_set, Y2024, "jamforelse:svf_within_target"))
    marker = next(t for t in fig.data if t.meta and t.meta.get("role") == "published")
    assert marker.name == "Publicerat (Kolada)" and marker.marker.symbol == "diamond"
    bars = fig.data[0]
    by_label = dict(zip(marker.y, marker.x))
    assert by_label["Stockholm"] == 57.0 and by_label["Riket"] == 52.0 and by_label["Skåne"] == 50.0
    assert list(marker.y) == list(bars.y)  # one per bar, in the bars' order
    hover = dict(zip(marker.y, marker.hovertext))
    assert "Publicerat (Kolada): 57,0\u00a0%" in hover["Stockholm"]
    assert "Skillnad beräknat − publicerat: +3,0 procentenheter" in hover["Stockholm"]
    assert "Skillnad" not in hover["Skåne"] and "Skillnad" not in hover["Östergötland"]
    assert "Romb: publicerat 2024 (Källa: Kolada)" in fig.layout.annotations[-1].text


def test_the_table_has_the_published_columns(lead_set):
    table = frame(view(lead_set, Y2024, "jamforelse:svf_within_target"), lead_set.catalogue()).set_index("Region")
    assert table.loc["Stockholm", "Publicerat"] == 57
    assert table.loc["Stockholm", "Publicerat, källa"] == "Kolada, 2024"
    assert table.loc["Stockholm", "Skillnad (procentenheter)"] == pytest.approx(3.0)
    assert table.loc["Riket", "Skillnad (procentenheter)"] == pytest.approx(1.26876513317191)
    assert table.loc["Norrbotten", "Publicerat"] == "uppgift saknas"


def test_the_notes_name_the_source_and_the_differences(lead_set):
    notes = "\n".join(view(lead_set, Y2024, "jamforelse:svf_within_target").notes)
    assert "Publicerat värde för samma enhet och helår 2024 visas bredvid det beräknade (Källa: Kolada, KPI N79198)" \
        in notes
    assert ("Riket: publicerat 52,0\u00a0%, beräknat 53,3\u00a0%; skillnad +1,3 procentenheter (inom toleransen "
            "2,0 procentenheter).") in notes
    assert "Skillnad större än toleransen (procentenheter, beräknat − publicerat): Stockholm +3,0." in notes
    assert "Varför siffrorna kan skilja" in notes and "egen beräkning" in notes


def test_not_a_whole_calendar_year_shows_no_published_value_and_says_why(lead_set):
    v = view(lead_set, Selection(date(2024, 1, 1), date(2024, 6, 30)), "jamforelse:svf_within_target")
    assert v.table["published_value"].isna().all() and "published_col" not in v.options
    assert any("finns per kalenderår" in n for n in v.notes)
    assert "Publicerat" not in frame(v, lead_set.catalogue()).columns


def test_a_pathway_filter_shows_no_published_value(lead_set):
    v = view(lead_set, Y2024.replace(svf_code="brost"), "jamforelse:svf_within_target")
    assert v.table["published_value"].isna().all()
    assert any("gäller alla förlopp" in n for n in v.notes)


def test_a_year_the_source_has_not_published_says_so(tmp_path, lead):
    eps = _eps(lead, "a", 20, "01", "2025-02-10", 10) + _eps(lead, "b", 5, "01", "2025-11-20", 10)
    ds = open_data(write_set(tmp_path / "s", extract_date="2026-01-15", svf_episodes=eps,
                             published_figures=[_pf("01", "2024", 50.0)]))
    v = view(ds, Selection(date(2025, 1, 1), date(2025, 12, 31)), "jamforelse:svf_within_target")
    assert any("ingen publicerad siffra för 2025 ännu" in n for n in v.notes)


def test_the_overview_has_published_values_in_its_svf_columns(lead_set, check_row):
    v = view(lead_set, Y2024, "scorecard")
    t = v.table
    stockholm = t[(t["label"] == "Stockholm") & (t["indicator"] == "svf_within_target")].iloc[0].to_dict()
    check_row(stockholm, published_value=57.0, difference_pp=3.0)
    skane = t[(t["label"] == "Skåne") & (t["indicator"] == "svf_within_target")].iloc[0].to_dict()
    check_row(skane, suppressed=True, published_value=50.0, difference_pp=None)
    other = t[t["indicator"] == "svf_over_175"]
    assert other["published_value"].isna().all()  # no published figure for other indicators
    assert any("Inom ledtid: Riket: publicerat 52,0" in n for n in v.notes)
    from charts.render import figure

    assert "Publicerat 2024 (Kolada): 57,0" in json.dumps(figure(v).to_plotly_json(), ensure_ascii=False)


# -- the reconciliation view ---------------------------------------------------------------------------

def test_reconciliation_lists_the_region_years_beyond_tolerance(lead_set, check_row):
    v = view(lead_set, Y2024, "avstamning:svf_within_target")
    assert v.kind == "reconciliation"
    assert list(zip(v.table["label"], v.table["year"])) == [("Stockholm", 2024)]
    check_row(v.table.iloc[0].to_dict(), value=60.0, published_value=57.0, difference_pp=3.0, tolerance_pp=2.0)
    # compared: riket 2023 and 2024 and Uppsala 2024 within, Stockholm 2024 beyond; Skåne and
    # Östergötland 2024 hidden; Stockholm 2023 withheld by the source (not compared)
    assert ("Jämförda region-år (och riket): 4; inom toleransen 3, större skillnad 1; 2 utan beräknat värde "
            "(otillräckligt underlag eller dolt).") in v.notes
    table = frame(v, lead_set.catalogue())
    assert list(table.columns) == ["Region", "År", "Beräknat (%)", "Antal i nämnaren", "Publicerat (%)", "Källa",
                                   "Skillnad (procentenheter)", "Tolerans (procentenheter)", "Preliminärt",
                                   "Anmärkning"]
    assert table.iloc[0]["Källa"] == "Kolada N79198" and table.iloc[0]["Publicerat (%)"] == 57


def test_reconciliation_is_on_the_svf_pages_and_its_rows_are_protected(lead_set):
    assert "avstamning:svf_inclusion" in page_views(lead_set, Y2024, "svf_inklusion")
    assert "avstamning:svf_within_target" in page_views(lead_set, Y2024, "svf_ledtider")
    raw = view(lead_set, Y2024, "avstamning:svf_within_target")
    # the hidden region-years never appear, whatever their difference
    assert not set(raw.table["label"]) & {"Skåne", "Östergötland"}


# -- the map ------------------------------------------------------------------------------------------

def test_map_colours_regions_and_hides_what_the_comparison_hides(lead_set):
    from charts.render import figure

    v = view(lead_set, Y2024, "karta:svf_within_target")
    assert v.kind == "map"
    fig = figure(v)
    regions = {t.meta["region_code"]: t for t in fig.data if t.meta and "class" in t.meta and "region_code" in t.meta}
    assert len(regions) == 21
    assert regions["01"].meta["class"] == "none" and "60,0\u00a0%" in regions["01"].text
    assert "120 av 200" in regions["01"].text
    for code in ("12", "05"):  # Skåne too few, Östergötland hidden to protect it
        assert regions[code].meta["class"] == "suppressed" and regions[code].fillpattern.shape == "/"
    assert "dold så att en liten grupp" in regions["05"].text.lower()
    dumped = json.dumps(fig.to_plotly_json(), ensure_ascii=False)
    for leaked in ("80,0", "8 av 10", "66,7", "2 av 3"):
        assert leaked not in dumped
    labels = next(t for t in fig.data if t.meta and t.meta.get("role") == "value_labels")
    assert "80" not in list(labels.text) and "67" not in list(labels.text)
    assert regions["25"].meta["class"] == "missing" and "Inga fall" in regions["25"].text
    assert "Riket 53,3\u00a0%" in fig.layout.annotations[-1].text
    # the list beside the map: best first, then the regions without a value ('–' hidden)
    columns = [a.text.split("<br>") for a in fig.layout.annotations if a.name == "ranking"][:4]
    names, values = columns[0] + columns[2], columns[1] + columns[3]
    listed = dict(zip(names, values))
    assert len(listed) == 21 and names[:2] == ["Stockholm", "Uppsala"]
    assert listed["Stockholm"] == "60 ✗" and listed["Uppsala"] == "45 ✗"
    assert listed["Skåne"] == "–" and listed["Östergötland"] == "–" and listed["Norrbotten"] == "inga fall"


def test_map_is_on_the_svf_pages_and_in_the_svf_preset(lead_set):
    assert "karta:svf_inclusion" in page_views(lead_set, Y2024, "svf_inklusion")
    assert "karta:svf_within_target" in page_views(lead_set, Y2024, "svf_ledtider")
    assert {"karta:svf_inclusion", "karta:svf_within_target"} <= set(preset_views("svf"))


def test_pages_and_packs_with_maps_pass_the_disclosure_audit(lead_set):
    ctx = context(lead_set)
    domains = {d: ctx.domain(d) for d in ("region", "svf_code", "treatment_type", "sex", "register")}
    for sel in (Y2024, Y2024.replace(own_region="05"), Y2024.replace(regions=("01", "12")),
                Y2024.replace(level="healthcare_region")):
        for page in PAGES:
            assert disclosed([view(lead_set, sel, v) for v in page_views(lead_set, sel, page)], domains) == [], page
        for preset in PRESETS:
            assert disclosed([view(lead_set, sel, v) for v in preset_views(preset)], domains) == [], preset


# -- the published page, with and without an extract ----------------------------------------------------

@pytest.fixture(scope="module")
def no_extract():
    return without_extract()


def test_without_extract_there_are_reference_tables_and_published_figures_only(no_extract):
    assert not has_extract(no_extract) and no_extract.extract_date is None
    assert {"regions", "svf_pathways"} <= no_extract.available
    with pytest.raises(Exception, match="inget uttag är inläst"):
        no_extract.compute("svf_within_target")
    assert no_extract.published("svf_inclusion").attribution == "Källa: Kolada"


def test_published_ranking_shows_values_over_100_and_regions_without_a_value(no_extract, check_row):
    from charts.render import figure

    v = view(no_extract, Selection(date(2023, 1, 1), date(2023, 12, 31), own_region="03"), "publicerat:svf_inclusion")
    assert v.error is None and v.kind == "bars"
    t = v.table
    # Kolada N70643 2023 as published: Uppsala 103.3 (estimated denominator), riket 83.5, Norrbotten none
    check_row(_row(t, "Uppsala"), value=103.3, role="own", target_level="high")
    check_row(_row(t, "Riket"), value=83.5)
    check_row(_row(t, "Norrbotten"), value=None, missing_text="uppgift saknas")
    fig = figure(v)
    assert fig.layout.xaxis.range[1] > 103.3  # the axis goes past 100 where a value does
    text = json.dumps(fig.to_plotly_json(), ensure_ascii=False)
    assert "103,3\u00a0%" in text and "uppgift saknas" in text
    assert any("över 100 %" in n and "Uppsala 103,3" in n for n in v.notes)
    assert "2023" in v.title and "Källa: Kolada, KPI N70643" in v.selection
    table = frame(v, no_extract.catalogue()).set_index("Region")
    assert table.loc["Norrbotten", "Andel (%)"] == "uppgift saknas" and table.loc["Uppsala", "Andel (%)"] == 103.3


def test_published_year_follows_the_period_end_and_the_years_published(no_extract):
    v = view(no_extract, Selection(date(2025, 1, 1), date(2025, 12, 31)), "publicerat:svf_inclusion")
    assert "2024" in v.title  # N70643 is published to 2024
    v = view(no_extract, Selection(date(2025, 1, 1), date(2025, 12, 31)), "publicerat:svf_within_target")
    assert "2025" in v.title  # N79198 to 2025
    v = view(no_extract, Selection(date(2024, 1, 1), date(2024, 6, 30)), "publicerat:svf_within_target")
    assert "2023" in v.title  # the last whole year before the period's end


def test_published_map_trend_and_table(no_extract):
    from charts.render import figure

    sel = Selection(date(2024, 1, 1), date(2024, 12, 31), own_region="13")
    fig = figure(view(no_extract, sel, "publicerat-karta:svf_inclusion"))
    regions = {t.meta["region_code"]: t for t in fig.data if t.meta and "class" in t.meta and "region_code" in t.meta}
    assert regions["25"].meta["class"] == "missing" and "Uppgift saknas" in regions["25"].text
    assert regions["03"].meta["class"] == "high" and "97,8\u00a0%" in regions["03"].text  # Uppsala 2024
    own = next(t for t in fig.data if t.meta and t.meta.get("role") == "own_region")
    assert own.meta["region_code"] == "13"
    trend = view(no_extract, sel, "publicerat-trend:svf_within_target")
    assert trend.options["x_order"] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert set(trend.table["series"]) == {"Riket", "Halland"}
    table = view(no_extract, sel, "publicerat-tabell:svf_inclusion").table.set_index("Region")
    assert table.loc["Uppsala", "2023"] == 103.3 and table.loc["Norrbotten", "2024"] == "uppgift saknas"
    assert table.loc["Riket", "2018"] == 71.2 and list(table.index[:2]) == ["Riket", "Halland"]


def test_withheld_values_show_their_status_and_healthcare_regions_only_from_counts(tmp_path, check_row):
    from charts.render import figure

    # Södra = Blekinge 10, Halland 13, Kronoberg 07, Skåne 12: counts for all four in 2024 give
    # (30 + 40 + 20 + 100) / (40 + 50 + 25 + 125) = 190 / 240 = 79.16666666666667 %.
    rows = [_pf("10", "2024", 75.0, num=30, den=40), _pf("13", "2024", 80.0, num=40, den=50),
            _pf("07", "2024", 80.0, num=20, den=25), _pf("12", "2024", 80.0, num=100, den=125),
            _pf("01", "2024", None, status="MSK"), _pf(None, "2024", 70.0)]
    ds = open_data(write_set(tmp_path / "s", extract_date="2025-03-15", empty_missing=False, published_figures=rows))
    assert not has_extract(ds)
    sel = Selection(date(2024, 1, 1), date(2024, 12, 31), level="healthcare_region")
    t = view(ds, sel, "publicerat:svf_within_target").table
    check_row(_row(t, "Södra"), value=79.16666666666667, numerator=190, denominator=240)
    check_row(_row(t, "Norra"), value=None, missing_text="publiceras inte per sjukvårdsregion")
    region = view(ds, sel.replace(level="region"), "publicerat:svf_within_target")
    check_row(_row(region.table, "Stockholm"), value=None, missing_text="ej publicerat (status MSK)", status="MSK")
    assert "ej publicerat (status MSK)" in json.dumps(figure(region).to_plotly_json(), ensure_ascii=False)
    kolada = view(without_extract(), sel, "publicerat:svf_within_target").table
    assert "Södra" not in set(kolada["label"]) and "Stockholm" in set(kolada["label"])  # no counts: regions


def test_published_exports_name_the_source(no_extract):
    v = view(no_extract, Selection(date(2024, 1, 1), date(2024, 12, 31)), "publicerat:svf_within_target")
    ident = context(no_extract).identity
    text = to_csv_bytes(v, ident, no_extract.catalogue()).decode("utf-8-sig")
    assert "# Källa: Kolada, KPI N79198" in text and "# Datauttag: inget uttag inläst" in text
    from export.images import _footnote_source, footnote_text

    extract_date, source = _footnote_source(v, ident)
    assert footnote_text(extract_date, source) == "Källa: Kolada, KPI N79198"


def test_the_published_preset_builds_without_an_extract(no_extract):
    pack = build_pack(no_extract, None, Selection(date(2024, 1, 1), date(2024, 12, 31)), preset="publicerat",
                      render=False)
    assert [i.id for i in pack.items] == preset_views("publicerat")
    assert all(i.error is None for i in pack.items)
