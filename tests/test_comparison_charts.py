"""The funnel plot and the caterpillar chart of Regionjämförelse: the statistics (views/funnel.py)
and the figures (charts/comparison.py), alone and through the protected views 'tratt:<ind>' and
'rangordning:<ind>' that the page and the pack draw (charts.render).

The fixtures are engine-shaped result tables written by hand (columns of Dataset.compute), so each
expectation can be checked on paper: the PHE limits at n = 100, p0 = 80 % are 72,16–87,84 % (95 %)
and 67,64–92,36 % (99,8 %) (peers.md §2.4, verification case 20).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from charts import comparison as cmp
from indicators import stats
from views import funnel as fn


def result(rows: list[tuple]) -> pd.DataFrame:
    """Rows (region, numerator, denominator, suppressed) → an engine-shaped result."""
    df = pd.DataFrame(rows, columns=["region", "numerator", "denominator", "suppressed"])
    df["region"] = df["region"].astype("string")
    df["numerator"] = df["numerator"].astype("Int64")
    df["denominator"] = df["denominator"].astype("Int64")
    value = (df["numerator"].astype("Float64") / df["denominator"].astype("Float64")) * 100
    lo, hi = stats.wilson_interval(df["numerator"].fillna(0).to_numpy(float),
                                   df["denominator"].fillna(1).to_numpy(float))
    df["value"] = value
    df["ci_low"] = pd.array(np.asarray(lo) * 100, dtype="Float64")
    df["ci_high"] = pd.array(np.asarray(hi) * 100, dtype="Float64")
    for col in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        df[col] = df[col].mask(df["suppressed"])
    return df


# n = 100 everywhere, p0 = 80 %: 70 is outside 95 % only, 60 outside both, 90 outside 95 % only,
# 80 inside; region 09 has too few cases and is suppressed (counts NA, as the engine gives them).
HAND = result([
    ("01", 70, 100, False),
    ("03", 60, 100, False),
    ("04", 80, 100, False),
    ("05", 90, 100, False),
    ("09", None, None, True),
])
NAMES = {"01": "Stockholm", "03": "Uppsala", "04": "Sörmland", "05": "Östergötland", "09": "Gotland"}


def test_points_outside_counted_from_published_limits():
    f = fn.funnel(HAND, labels=NAMES, p0=80.0)
    pts = f.points.set_index("key")
    assert pts.loc["01", "lo95"] == pytest.approx(72.160, abs=1e-3)
    assert pts.loc["01", "hi95"] == pytest.approx(87.840, abs=1e-3)
    assert pts.loc["01", "lo998"] == pytest.approx(67.64, abs=1e-2)
    assert pts.loc["01", "hi998"] == pytest.approx(92.36, abs=1e-2)
    assert pts["outside_95"].to_dict() == {"01": True, "03": True, "04": False, "05": True}
    assert pts["outside_998"].to_dict() == {"01": False, "03": True, "04": False, "05": False}
    assert (f.units, f.n_outside_95, f.n_outside_998) == (4, 3, 1)
    assert pts.loc["05", "side"] == "över" and pts.loc["03", "side"] == "under" and pts.loc["04", "side"] == ""


def test_funnel_limits_drawn_equal_the_statistics_module():
    df = result([("01", 412, 520, False), ("03", 61, 80, False), ("04", 33, 40, False), ("05", 140, 170, False)])
    f = fn.funnel(df, p0=78.5)
    fig = cmp.funnel_figure(f, title="T")
    lines = [t for t in fig.data if t.mode == "lines" and t.legendgroup in ("95", "998")]
    assert len(lines) == 4  # upper and lower at each level
    for t in lines:
        level = 0.95 if t.legendgroup == "95" else 0.998
        n = np.asarray(t.x, dtype=float)
        lo, hi = stats.phe_funnel_limits(0.785, n, level)
        y = np.asarray(t.y, dtype=float)
        expected = hi if np.nanmean(y) > 78.5 else lo
        np.testing.assert_allclose(y, np.asarray(expected) * 100, rtol=1e-12)
    # the curve reaches every plotted n, and the points' own limits are the module's values too
    lo95, hi95 = stats.phe_funnel_limits(0.785, [520, 80, 40, 170], 0.95)
    np.testing.assert_allclose(f.points["lo95"], np.asarray(lo95) * 100)
    np.testing.assert_allclose(f.points["hi95"], np.asarray(hi95) * 100)


def test_overdispersed_limits_use_phi_and_tau2_from_the_statistics_module():
    df = result([("01", 300, 500, False), ("03", 150, 200, False), ("04", 40, 90, False), ("05", 160, 180, False),
                 ("06", 70, 100, False)])
    f = fn.funnel(df, p0=70.0, overdispersed=True)
    od = stats.overdispersion([300, 150, 40, 160, 70], [500, 200, 90, 180, 100], 0.70)
    assert f.phi == pytest.approx(od["phi"]) and f.tau2 == pytest.approx(od["tau2"])
    assert f.tau2 > 0
    lo, hi = stats.overdispersed_funnel_limits(0.70, [500, 200, 90, 180, 100], od["tau2"], 0.998)
    np.testing.assert_allclose(f.points["lo998"], np.asarray(lo) * 100)
    np.testing.assert_allclose(f.points["hi998"], np.asarray(hi) * 100)
    assert f.method == "overdispersed"
    # φ is computed in the binomial mode as well, so the page can show it
    assert fn.funnel(df, p0=70.0).phi == pytest.approx(od["phi"])
    assert "φ = " in fn.funnel_caption(f) and "τ²" in fn.funnel_caption(f)


def test_suppressed_regions_are_not_points_but_are_listed():
    f = fn.funnel(HAND, labels=NAMES, p0=80.0)
    assert f.suppressed == ["Gotland"]
    assert "09" not in set(f.points["key"])
    fig = cmp.funnel_figure(f, title="T", highlight="01")
    plotted = [k for t in fig.data if t.customdata is not None for k in t.customdata]
    assert sorted(plotted) == ["01", "03", "04", "05"]
    caption = fn.funnel_caption(f)
    assert "Gotland" in caption and "otillräckligt underlag" in caption.lower()


def test_plotted_points_are_the_engine_values():
    f = fn.funnel(HAND, labels=NAMES, p0=80.0)
    fig = cmp.funnel_figure(f, title="T", highlight="04")
    got = {}
    for t in fig.data:
        if t.customdata is not None:
            got.update(zip(t.customdata, zip(np.asarray(t.x, float), np.asarray(t.y, float), strict=True),
                           strict=True))
    assert got == {"01": (100, 70.0), "03": (100, 60.0), "04": (100, 80.0), "05": (100, 90.0)}
    names = [t.name for t in fig.data]
    assert "Egen region: Sörmland" in names


def test_caption_counts_and_chance_expectation_in_swedish():
    f = fn.funnel(HAND, labels=NAMES, p0=80.0)
    text = fn.funnel_caption(f)
    assert text.startswith("3 av 4 regioner ligger utanför 95\u00a0%-gränserna, varav 1 även utanför 99,8")
    # 4 regions: 4 × 0,05 = 0,2 and 4 × 0,002 = 0,008 by chance alone
    assert "ungefär 0,2 av 4" in text and "0,01 utanför 99,8" in text
    assert fn.funnel_caption(fn.funnel(HAND.iloc[[2]], p0=80.0)).startswith("0 av 1 region ligger")


def test_twenty_one_regions_expect_about_one_outside_95_by_chance():
    rows = [(f"{i:02d}", 80, 100, False) for i in range(21)]
    f = fn.funnel(result(rows), p0=80.0)
    assert f.expected_outside(0.95) == pytest.approx(1.05)
    assert f.expected_outside(0.998) == pytest.approx(0.042)


def test_caterpillar_sorted_with_interval_suppressed_row_and_highlight():
    fig = cmp.caterpillar_figure(HAND, title="T", labels=NAMES, benchmark=75.0, highlight="01",
                                 target_low=70, target_high=85, direction="higher")
    order = list(fig.layout.yaxis.categoryarray)[::-1]  # top to bottom
    assert order == ["Östergötland", "Sörmland", "Stockholm", "Uppsala", "Gotland"]
    points = {k: x for t in fig.data if t.customdata is not None and t.mode == "markers" for k, x in zip(t.customdata, t.x, strict=True)}
    assert points == {"05": 90.0, "04": 80.0, "01": 70.0, "03": 60.0}
    words = [t for t in fig.data if t.mode == "text"]
    assert len(words) == 1 and list(words[0].y) == ["Gotland"] and list(words[0].text) == ["otillräckligt underlag"]
    hl = [t for t in fig.data if t.name == "Egen region: Stockholm"]
    assert len(hl) == 1 and list(hl[0].customdata) == ["01"]
    # interval whiskers are the engine's ci_low / ci_high
    t = next(t for t in fig.data if t.customdata is not None and "05" in list(t.customdata))
    i = list(t.customdata).index("05")
    row = HAND.set_index("region").loc["05"]
    assert t.error_x.array[i] == pytest.approx(row["ci_high"] - 90.0)
    assert t.error_x.arrayminus[i] == pytest.approx(90.0 - row["ci_low"])
    # n beside every percentage, Swedish decimal comma; the riket line is drawn
    notes = [a.text for a in fig.layout.annotations]
    assert "<b>90,0\u00a0%</b>  90 av 100" in notes and "otillräckligt underlag" in notes
    assert any("Riket 75,0" in a for a in notes)
    assert any(s.type == "line" and s.x0 == 75.0 for s in fig.layout.shapes)


def test_caterpillar_lower_is_better_puts_lowest_first():
    fig = cmp.caterpillar_figure(HAND, title="T", labels=NAMES, direction="lower")
    order = list(fig.layout.yaxis.categoryarray)[::-1]
    assert order[:4] == ["Uppsala", "Stockholm", "Sörmland", "Östergötland"]


def test_target_bands_yellow_low_green_high():
    fig = cmp.caterpillar_figure(HAND, title="T", labels=NAMES, target_low=70, target_high=85, direction="higher")
    rects = [(s.x0, s.x1, s.fillcolor) for s in fig.layout.shapes if s.type == "rect"]
    assert (85.0, 100.0, cmp.BAND_HIGH) in rects and (70.0, 85.0, cmp.BAND_LOW) in rects
    fig = cmp.caterpillar_figure(HAND, title="T", labels=NAMES, target_high=20, direction="lower")
    rects = [(s.x0, s.x1, s.fillcolor) for s in fig.layout.shapes if s.type == "rect"]
    assert rects == [(0.0, 20.0, cmp.BAND_HIGH)]


# -- through the views: what the page and the pack draw ------------------------------------------------

@pytest.fixture(scope="module")
def small_regions(tmp_path_factory):
    """Stockholm (01) 12 of 12 within the lead time, Uppsala (03) 2 of 2, Västra Götaland (14) 0 of 7
    (2024, bröst): riket 14 of 21. Uppsala is suppressed (2 < 5); Västra Götaland is its complementary
    partner (the smallest shown region), else riket − Stockholm would give Uppsala back."""
    from datetime import date

    from extract_builder import episode, write_set

    import views
    from indicators import open_data

    eps = [episode(f"A{i}", "brost", "2024-03-01", f"2024-03-{10 + i:02d}", "50", region="01") for i in range(12)]
    eps += [episode(f"B{i}", "brost", "2024-03-01", "2024-03-20", "50", region="03") for i in range(2)]
    eps += [episode(f"C{i}", "brost", "2024-03-01", "2024-04-20", "50", region="14") for i in range(7)]
    ds = open_data(write_set(tmp_path_factory.mktemp("funnel") / "set", svf_episodes=eps))
    return ds, views.Selection(date(2024, 1, 1), date(2024, 12, 31), own_region="01")


def _points(fig) -> dict:
    got = {}
    for t in fig.data:
        if t.customdata is not None and t.mode == "markers":
            got.update(zip(list(t.customdata), zip(np.asarray(t.x, float), np.asarray(t.y, float))))
    return got


def test_funnel_view_plots_the_engine_values_and_no_hidden_region(small_regions):
    import views
    from charts.render import figure

    ds, sel = small_regions
    v = views.view(ds, sel, "tratt:svf_within_target")
    f = v.options["funnel"]
    assert f.p0 == pytest.approx(100 * 14 / 21)  # riket's value, from the engine
    by_region = ds.compute("svf_within_target", by=["region"], start=sel.start, end=sel.end).set_index("region")
    assert by_region.loc["01", "numerator"] == 12 and by_region.loc["01", "denominator"] == 12
    assert not by_region.loc["14", "suppressed"]  # the engine alone shows Västra Götaland: 0 of 7
    # only Stockholm is a point; Uppsala (too few) and Västra Götaland (its partner) are listed, not drawn
    assert set(f.points["key"]) == {"01"}
    assert sorted(f.suppressed) == ["Uppsala", "Västra Götaland"]
    fig = figure(v)
    assert _points(fig) == {"01": (12.0, 100.0)}
    assert "Egen region: Stockholm" in [t.name for t in fig.data]
    caption = fn.funnel_caption(f)
    # PHE limits at n = 12 around p0 = 66,7 %: 95 % up to 93,3 %, 99,8 % up to 100 % → 100 % lies outside
    # the 95 % limits only
    pts = f.points.set_index("key")
    assert pts.loc["01", "hi95"] == pytest.approx(93.338, abs=1e-3)
    assert caption.startswith("1 av 1 region ligger utanför 95\u00a0%-gränserna, ingen utanför 99,8")
    assert "Uppsala, Västra Götaland" in caption
    hidden = v.table.set_index("unit_code")["hidden"]
    assert hidden["03"] == "primary" and hidden["14"] == "secondary"


def test_caterpillar_view_ranks_shown_regions_and_words_for_hidden_ones(small_regions):
    import views
    from charts.render import figure

    ds, sel = small_regions
    v = views.view(ds, sel, "rangordning:svf_within_target")
    fig = figure(v)
    assert _points_x(fig) == {"01": (100.0, "Stockholm")}  # x = the engine's value, 12 of 12
    words = [t for t in fig.data if t.mode == "text"]
    assert len(words) == 1
    hidden_rows = set(words[0].y)
    assert {"Uppsala", "Västra Götaland"} <= hidden_rows
    assert "Stockholm" not in hidden_rows
    notes = [a.text for a in fig.layout.annotations]
    assert "<b>100,0\u00a0%</b>  12 av 12" in notes
    assert any("Riket 66,7" in a for a in notes)  # riket's value from the engine (14 of 21)
    assert not any("av 7" in a or "av 2<" in a or a.endswith("av 2") for a in notes)


def _points_x(fig) -> dict:
    got = {}
    for t in fig.data:
        if t.customdata is not None and t.mode == "markers":
            got.update(zip(list(t.customdata), zip(np.asarray(t.x, float), list(t.y))))
    return got
