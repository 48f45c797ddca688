"""AppTest of the pages Kvalitetsregister, Täckningsgrad, Regionjämförelse and Om indikatorerna.

Each page renders without an exception for the default filters and for a filter combination given
in the URL, and for at least one chart per page the plotted values are the engine's result for the
selection the page shows (read back from the page's own Filters in session state). Data: the
session's small generated extract set (tests/conftest.py `small_data_dir`).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators import open_data, stats

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
FILTERS_KEY = "_indikatorpanelen_filters"

pytestmark = pytest.mark.skipif(not APP.exists(), reason="app.py finns inte ännu")


@pytest.fixture(scope="module")
def data_dir(small_data_dir):
    old = {k: os.environ.get(k) for k in ("INDIKATORPANELEN_DATA", "INDIKATORPANELEN_STORE")}
    os.environ["INDIKATORPANELEN_DATA"] = str(small_data_dir)
    os.environ.pop("INDIKATORPANELEN_STORE", None)
    yield small_data_dir
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def ds(data_dir):
    return open_data(data_dir)


def run_page(page: str, query: dict[str, str | list[str]] | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)

    def set_query():
        for k, v in (query or {}).items():
            at.query_params[k] = v

    set_query()
    at.run()
    at.switch_page(f"app_pages/{page}")
    set_query()
    at.run()
    assert not at.exception, [(e.message, e.stack_trace[-8:]) for e in at.exception]
    return at


def specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def arr(v) -> np.ndarray:
    """A plotly 7 array (typed base64 or a list) as numpy."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v)


def chart_titled(at, text: str) -> dict:
    for s in specs(at):
        if text in s["layout"]["title"]["text"]:
            return s
    raise AssertionError(f"no chart titled {text!r}: {[s['layout']['title']['text'] for s in specs(at)]}")


def frame_with(at, column: str) -> pd.DataFrame:
    """The page's table that has `column` (the frame's data-status popover has tables too)."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}: {[list(d.value.columns) for d in at.dataframe]}")


def filters_of(at):
    return at.session_state[FILTERS_KEY]


def engine_by_region(ds, indicator: str, f, where=None) -> pd.DataFrame:
    """What the region comparison shows: all regions, secondary suppression (shown with riket)."""
    return ds.compute(indicator, by=["region"], start=f.start, end=f.end, where=where or {}, secondary=True)


def bar_values(spec: dict) -> dict[str, float]:
    """label → value of a charts.figures.bar_comparison figure (its first trace, NaN when suppressed)."""
    tr = spec["data"][0]
    return dict(zip(tr["y"], arr(tr["x"]).astype(float), strict=True))


def sv(n) -> str:
    """A count the Swedish way: '1 234' with a no-break space."""
    return f"{int(n):,}".replace(",", "\u00a0")


def region_names(ds) -> dict[str, str]:
    r = ds.reference("regions")
    return dict(zip(r["region_code"].astype(str), r["region_name"].astype(str), strict=True))


# -- Regionjämförelse ---------------------------------------------------------------------------------

def funnel_points(spec: dict) -> dict[str, tuple[float, float]]:
    out = {}
    for tr in spec["data"]:
        if tr.get("customdata") is not None and tr.get("mode") == "markers":
            for k, x, y in zip(arr(tr["customdata"]), arr(tr["x"]), arr(tr["y"]), strict=True):
                out[str(k)] = (float(x), float(y))
    return out


def test_regionjamforelse_default_funnel_is_the_engine_result(ds):
    at = run_page("6_Regionjamforelse.py")
    f = filters_of(at)
    result = engine_by_region(ds, "svf_within_target", f)
    riket = ds.compute("svf_within_target", start=f.start, end=f.end)
    spec = chart_titled(at, "trattdiagram")
    shown = result[~result["suppressed"]]
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
    # suppressed regions are listed in the caption, not drawn
    suppressed = [region_names(ds)[r] for r in result.loc[result["suppressed"], "region"]]
    captions = " ".join(c.value for c in at.caption)
    for name in suppressed:
        assert name in captions
    # the caption's count is the funnel's: how many outside, and how many by chance
    outside = sum(1 for k, (n, v) in expected.items()
                  if not (stats.phe_funnel_limits(p0 / 100, n, 0.95)[0] * 100 <= v
                          <= stats.phe_funnel_limits(p0 / 100, n, 0.95)[1] * 100))
    assert f"{outside} av {len(expected)} regioner ligger utanför 95" in captions
    assert "Av slumpen ensam väntas ungefär" in captions
    # the caterpillar shows the same values, sorted, riket as a line
    cat = chart_titled(at, "rangordning")
    cat_points = {str(k): float(x) for tr in cat["data"] if tr.get("customdata") is not None
                  for k, x in zip(arr(tr["customdata"]), arr(tr["x"]), strict=True)}
    assert cat_points == pytest.approx({k: v for k, (_n, v) in expected.items()})


def test_regionjamforelse_from_url_quality_indicator_with_overdispersion(ds):
    query = {"jmf_indikator": "NKBC · MDK inför behandlingsstart", "overspridning": "true",
             "egen_region": "Stockholm", "fran": "2023-01", "till": "2024-12"}
    at = run_page("6_Regionjamforelse.py", query)
    f = filters_of(at)
    assert (f.start, f.end, f.own_region) == (date(2023, 1, 1), date(2024, 12, 31), "01")
    assert at.selectbox(key="jmf_indikator").value == "qi:nkbc04"
    assert at.toggle(key="overspridning").value is True
    result = engine_by_region(ds, "qi:nkbc04", f)
    riket = ds.compute("qi:nkbc04", start=f.start, end=f.end)
    shown = result[~result["suppressed"]]
    spec = chart_titled(at, "trattdiagram")
    assert "2023–2024" in spec["layout"]["title"]["subtitle"]["text"]
    assert "vidgade för överspridning" in spec["layout"]["title"]["subtitle"]["text"]
    got = funnel_points(spec)
    assert got == pytest.approx({r.region: (float(r.denominator), float(r.value)) for r in shown.itertuples()})
    # φ on the page is the statistics module's φ for these counts around riket
    od = stats.overdispersion(shown["numerator"].astype(float), shown["denominator"].astype(float),
                              float(riket["value"].iloc[0]) / 100)
    phi_metric = next(m for m in at.metric if m.label.startswith("Överspridning"))
    assert phi_metric.value == f"{od['phi']:.2f}".replace(".", ",")
    names = [t.get("name", "") for t in spec["data"]]
    if "01" in set(shown["region"]):
        assert "Egen region: Stockholm" in names


def test_regionjamforelse_median_has_no_funnel_but_a_ranking(ds):
    at = run_page("6_Regionjamforelse.py", {"jmf_indikator": "SVF · Median ledtid, dagar"})
    assert any("Trattdiagram ritas bara för andelar" in i.value for i in at.info)
    f = filters_of(at)
    result = engine_by_region(ds, "svf_lead_time_median", f)
    cat = chart_titled(at, "rangordning")
    got = {str(k): float(x) for tr in cat["data"] if tr.get("customdata") is not None
           for k, x in zip(arr(tr["customdata"]), arr(tr["x"]), strict=True)}
    shown = result[~result["suppressed"]]
    assert got == pytest.approx(dict(zip(shown["region"], shown["value"].astype(float), strict=True)))


# -- Kvalitetsregister --------------------------------------------------------------------------------

def test_kvalitetsregister_default_lists_every_register(ds):
    at = run_page("4_Kvalitetsregister.py")
    assert any("Välj ett kvalitetsregister" in i.value for i in at.info)
    table = frame_with(at, "Register")
    assert len(table) == len(ds.reference("registers"))
    f = filters_of(at)
    cov = ds.compute("register_coverage", by=["register"], start=f.start, end=f.end).set_index("register")
    nkbc = table[table["Register"] == "NKBC"].iloc[0]
    row = cov.loc["nkbc"]
    column = next(c for c in table.columns if c.startswith("Täckningsgrad"))
    assert nkbc[column] == (f"{row['value']:.1f}".replace(".", ",") + f"\u00a0% ({sv(row['numerator'])} av "
                            f"{sv(row['denominator'])})")
    assert ("preliminär" in column) == bool(row["provisional"])


def test_kvalitetsregister_register_from_url_charts_are_the_engine_result(ds):
    query = {"register": "NKBC", "egen_region": "Skåne", "kvalitetsindikator": "MDK inför behandlingsstart",
             "fran": "2024-01", "till": "2024-12", "tidsenhet": "År"}
    at = run_page("4_Kvalitetsregister.py", query)
    f = filters_of(at)
    assert (f.register, f.own_region, f.start, f.end, f.grain) == ("nkbc", "12", date(2024, 1, 1),
                                                                    date(2024, 12, 31), "year")
    # the indicators table: one row per NKBC indicator, riket value with n
    qis = ds.reference("quality_indicators")
    table = frame_with(at, "Indikator")
    assert len(table) == int((qis["register_code"] == "nkbc").sum())
    riket = ds.compute("qi:nkbc04", start=f.start, end=f.end).iloc[0]
    row = table[table["Indikator"] == "MDK inför behandlingsstart"].iloc[0]
    assert row["Riket"] == (f"{riket['value']:.1f}".replace(".", ",") + f"\u00a0% ({sv(riket['numerator'])} av "
                            f"{sv(riket['denominator'])})")
    assert "Skåne" in table.columns
    # the region comparison: bars are the engine's values per region (NaN = otillräckligt underlag)
    spec = chart_titled(at, "MDK inför behandlingsstart")
    bars = bar_values(spec)
    names = region_names(ds)
    result = engine_by_region(ds, "qi:nkbc04", f)
    for r in result.itertuples():
        got = bars[names[r.region]]
        if r.suppressed:
            assert np.isnan(got)
        else:
            assert got == pytest.approx(float(r.value))
    assert bars["Riket"] == pytest.approx(float(riket["value"]))
    # the trend: riket per year equals the engine by year over the trend period
    trend = chart_titled(at, "över tid")
    lo, hi = f.trend_period()
    by_year = ds.compute("qi:nkbc04", by=["year"], start=lo, end=hi)
    line = next(t for t in trend["data"] if t.get("name") == "Riket" and t.get("mode") == "markers")
    got = dict(zip(line["x"], arr(line["y"]).astype(float), strict=True))
    for r in by_year.itertuples():
        if not r.suppressed:
            assert got[r.year] == pytest.approx(float(r.value))


# -- Täckningsgrad ------------------------------------------------------------------------------------

def test_tackningsgrad_default_renders_with_rcl_equal_to_engine(ds):
    at = run_page("5_Tackningsgrad.py")
    f = filters_of(at)
    spec = chart_titled(at, "Täckningsgrad i Register för cancerläkemedel")
    bars = bar_values(spec)
    names = region_names(ds)
    result = engine_by_region(ds, "rcl_coverage", f)
    for r in result.itertuples():
        got = bars[names[r.region]]
        assert np.isnan(got) if r.suppressed else got == pytest.approx(float(r.value))
    riket = ds.compute("rcl_coverage", start=f.start, end=f.end).iloc[0]
    assert bars["Riket"] == pytest.approx(float(riket["value"]))
    # the validation report: every reason of the engine's report, with its row count
    report = ds.validation_report()
    report = report[report["rows"].notna()]
    shown = frame_with(at, "Orsak")
    counts = [int(str(v).replace("\u00a0", "")) for v in shown["Rader"]]
    assert sorted(zip(shown["Orsak"], counts, strict=True)) == sorted(
        zip(report["reason"], report["rows"].astype(int), strict=True))


def test_tackningsgrad_heat_table_from_url(ds):
    query = {"fran": "2023-01", "till": "2023-12", "egen_region": "Uppsala", "register": "NKBC"}
    at = run_page("5_Tackningsgrad.py", query)
    f = filters_of(at)
    assert (f.start, f.end) == (date(2023, 1, 1), date(2023, 12, 31))
    heat = chart_titled(at, "Täckningsgrad mot Cancerregistret")
    assert heat["layout"]["title"]["subtitle"]["text"].startswith("2023")
    z = heat["data"][0]
    cov = ds.compute("register_coverage", by=["register"], start=f.start, end=f.end).set_index("register")
    riket_row = list(z["y"]).index("<b>Riket</b>")
    texts = z["text"][riket_row]
    nkbc_col = list(z["x"]).index("NKBC")
    value = cov.loc["nkbc", "value"]
    assert texts[nkbc_col].startswith(f"<b>{value:.1f}".replace(".", ",") + "\u00a0%</b>")
    # reporting speed per region for the chosen register is drawn
    chart_titled(at, "Registrerade inom 90 dagar, NKBC")


# -- Om indikatorerna ----------------------------------------------------------------------------------

def test_om_indikatorerna_marks_placeholders_and_lists_tables(ds):
    at = run_page("7_Om_indikatorerna.py")
    frames = [d.value for d in at.dataframe]
    lead = next(d for d in frames if "Gräns (dagar)" in d.columns)
    ref = ds.reference("svf_lead_time_targets")
    assert len(lead) == len(ref)
    assert int((lead["Status"] == "⚠ platshållare").sum()) == int((ref["status"] == "placeholder").sum())
    qi = next(d for d in frames if "Målnivåernas status" in d.columns)
    qref = ds.reference("quality_indicators")
    assert int((qi["Målnivåernas status"] == "⚠ platshållare").sum()) == int(
        (qref["target_status"] == "placeholder").sum())
    tables = next(d for d in frames if "Lästa rader" in d.columns and "Källa" in d.columns)
    assert len(tables) == len(ds.table_summary())
    # the three texts of every fixed indicator are on the page
    text = " ".join(m.value for m in at.markdown)
    for heading in ("Om indikatorn", "Att tänka på vid tolkning", "Teknisk beskrivning"):
        assert text.count(heading) >= 10
    no_raw = [c for c in tables["Tabell"] if "_" in c]
    assert not no_raw, f"raw table names shown: {no_raw}"


def test_om_indikatorerna_with_url_filters():
    at = run_page("7_Om_indikatorerna.py", {"egen_region": "Gotland", "fran": "2024-01", "till": "2024-06"})
    assert any("Ledtidsgränser" in s.value for s in at.subheader)
