"""Computed beside published (indicators.reconcile): region × whole year, riket, tolerances,
suppression kept, and one result with the published value beside it.

Expected numbers are worked out by hand next to each fixture.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from extract_builder import case, write_set
from indicators import QueryError, open_data
from indicators.reconcile import TOLERANCES, period_label, published_beside, reconcile, whole_years


def _pf(region, period, value, indicator="svf_within_target", source_id="N79198", status=None):
    return {"source": "Kolada", "source_id": source_id, "indicator": indicator, "region_code": region,
            "period": period, "value": value, "numerator": None, "denominator": None, "status": status}


def _eps(lead, prefix: str, n: int, region: str, end: str, days: int, home: str | None = None) -> list[dict]:
    """n treated brost episodes closed by `region` on `end` with a lead time of `days`
    (bundled brost limit 28 days: within when days <= 28)."""
    start = (date.fromisoformat(end) - timedelta(days=days)).isoformat()
    return [lead(f"{prefix}{i}", "brost", start, days, "50", region=region, home=home) for i in range(n)]


# ---------------------------------------------------------------------------------------------
# Lead time. Extract date 2025-03-15: whole years 2023 and 2024 (2025 is not over).
#   2023: region 01, 5 episodes within (first ends 2023-01-05, so January 2023 is covered).
#   2024: 01: 200 episodes, 120 within (10 days), 80 over (40 days)     -> 60.0 %
#         03: 200 episodes, 90 within, 110 over                          -> 45.0 %
#         12: 3 episodes, 2 within                                        -> suppressed (n < 5)
#         riket: 403 episodes, 212 within                                -> 52.605459057071966 %
#         (the last episode ends 2024-12-20, so December 2024 is covered)
# Published (Kolada): 2023: 01 MSK (withheld), riket 90;  2024: 01 57, 03 44, 12 50, riket 52;
#   2025: riket 47 (not a whole year in the extract: never compared).
# Tolerance 2 pp or 3 patients: 01 and 03 n = 200 -> max(2, 1.5) = 2; riket 2024 n = 403 -> 2;
#   riket 2023 n = 5 -> max(2, 60) = 60.
# Expected: 2024 01: +3.0 -> exceeds; 03: +1.0 -> within; 12: not comparable (suppressed, no
#   computed value or difference shown); riket: +0.605459057071966 -> within.
#   2023 01: not comparable (status MSK); riket: 100 - 90 = +10 -> within (tolerance 60).
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lead_set(tmp_path_factory, lead):
    eps = []
    eps += _eps(lead, "a", 1, "01", "2023-01-05", 10) + _eps(lead, "b", 4, "01", "2023-06-10", 10)
    eps += _eps(lead, "c", 120, "01", "2024-03-10", 10) + _eps(lead, "d", 80, "01", "2024-05-10", 40)
    eps += _eps(lead, "e", 90, "03", "2024-03-10", 10) + _eps(lead, "f", 110, "03", "2024-12-20", 40)
    eps += _eps(lead, "g", 2, "12", "2024-03-10", 10) + _eps(lead, "h", 1, "12", "2024-03-10", 40)
    published = [_pf("01", "2023", None, status="MSK"), _pf(None, "2023", 90.0), _pf("01", "2024", 57.0),
                 _pf("03", "2024", 44.0), _pf("12", "2024", 50.0), _pf(None, "2024", 52.0),
                 _pf(None, "2025", 47.0)]
    d = write_set(tmp_path_factory.mktemp("rec_lead"), extract_date="2025-03-15", svf_episodes=eps,
                  published_figures=published)
    return open_data(d)


def _one(table: pd.DataFrame, region, year) -> dict:
    sel = table[(table["region_code"].isna() if region is None else table["region_code"] == region)
                & (table["year"] == year)]
    assert len(sel) == 1, sel
    return sel.iloc[0].to_dict()


def test_whole_years_end_before_the_extract_date(lead_set):
    assert whole_years(lead_set, "svf_within_target") == [2023, 2024]


def test_lead_time_reconciliation_against_hand_computed_values(lead_set, check_row):
    rec = reconcile(lead_set, "svf_within_target")
    assert rec.years == [2023, 2024] and rec.attribution == "Källa: Kolada"
    t = rec.table
    assert len(t) == 2 * 22  # riket and the 21 regions, each whole year
    check_row(_one(t, "01", 2024), computed_value=60.0, computed_numerator=120, computed_denominator=200.0,
              published_value=57.0, difference_pp=3.0, tolerance_pp=2.0, comparison="exceeds", suppressed=False)
    check_row(_one(t, "03", 2024), computed_value=45.0, published_value=44.0, difference_pp=1.0, tolerance_pp=2.0,
              comparison="within")
    check_row(_one(t, None, 2024), level="riket", computed_value=52.605459057071966, computed_numerator=212,
              computed_denominator=403.0, published_value=52.0, difference_pp=0.605459057071966, tolerance_pp=2.0,
              comparison="within")
    check_row(_one(t, None, 2023), computed_value=100.0, published_value=90.0, difference_pp=10.0,
              tolerance_pp=60.0, comparison="within")
    assert rec.differences[["region_code", "year"]].values.tolist() == [["01", 2024]]


def test_suppressed_computed_group_stays_suppressed(lead_set, check_row):
    row = _one(reconcile(lead_set, "svf_within_target").table, "12", 2024)
    check_row(row, suppressed=True, computed_value=None, computed_numerator=None, computed_denominator=None,
              difference_pp=None, tolerance_pp=None, published_value=50.0, comparison="not_comparable")
    assert "otillräckligt underlag" in row["note"]


def test_withheld_and_missing_published_values_are_not_compared(lead_set, check_row):
    t = reconcile(lead_set, "svf_within_target").table
    withheld = _one(t, "01", 2023)
    check_row(withheld, computed_value=100.0, published_value=None, published_status="MSK", difference_pp=None,
              comparison="not_comparable")
    assert "status MSK" in withheld["note"]
    nothing = _one(t, "25", 2024)
    check_row(nothing, computed_value=None, published_value=None, comparison="not_comparable")
    assert "inget beräknat värde" in nothing["note"] and "publicerar inget" in nothing["note"]


def test_years_can_be_narrowed_and_other_indicators_are_refused(lead_set):
    assert reconcile(lead_set, "svf_within_target", years=[2024]).years == [2024]
    with pytest.raises(QueryError):
        reconcile(lead_set, "svf_lead_time_median")


def test_tolerance_uses_patients_for_small_groups():
    assert TOLERANCES["svf_within_target"].for_denominator(100) == 3.0
    assert TOLERANCES["svf_within_target"].for_denominator(1000) == 2.0
    assert TOLERANCES["svf_inclusion"].for_denominator(30) == 10.0
    assert TOLERANCES["svf_inclusion"].for_denominator(None) == 5.0


# ---------------------------------------------------------------------------------------------
# Inclusion, 2023 (extract date 2024-03-15; episodes end 2023-01-10 … 2023-12-20).
# cancer_cases brost (C50.9), 2020–2022: region 01 100 a year, region 03 50 a year.
# Expected 2023 (base 2020–2022, 12 months): 01: 100; 03: 50; riket 150.
# Treated episodes ending in 2023: home 01: 80 (closed by 01) -> 80 %; home 03: 40, of which 10
#   closed by 01 (inclusion counts the home region) -> 80 %; riket 120 / 150 = 80 %.
# Published N70643 2023: 01 74.0 -> +6.0 > 5 -> exceeds; 03 77.0 -> +3.0 -> within;
#   riket 79.5 -> +0.5 -> within.  Tolerance 5 pp or 3 patients: 01: 3 / 100 = 3 pp -> 5;
#   03: 3 / 50 = 6 pp -> 6; riket 3 / 150 = 2 pp -> 5.
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def inclusion_set(tmp_path_factory, lead):
    cases = []
    for year in (2020, 2021, 2022):
        cases += [case(f"c{year}01_{i}", "C50.9", f"{year}-06-15", region="01") for i in range(100)]
        cases += [case(f"c{year}03_{i}", "C50.9", f"{year}-06-15", region="03") for i in range(50)]
    eps = _eps(lead, "p", 1, "01", "2023-01-10", 10) + _eps(lead, "q", 79, "01", "2023-06-10", 10)
    eps += _eps(lead, "r", 30, "03", "2023-12-20", 10) + _eps(lead, "s", 10, "01", "2023-06-10", 10, home="03")
    published = [_pf("01", "2023", 74.0, "svf_inclusion", "N70643"), _pf("03", "2023", 77.0, "svf_inclusion", "N70643"),
                 _pf(None, "2023", 79.5, "svf_inclusion", "N70643")]
    d = write_set(tmp_path_factory.mktemp("rec_incl"), extract_date="2024-03-15", cancer_cases=cases,
                  svf_episodes=eps, published_figures=published)
    return open_data(d)


def test_inclusion_reconciliation_against_hand_computed_values(inclusion_set, check_row):
    rec = reconcile(inclusion_set, "svf_inclusion")
    assert rec.years == [2023]
    t = rec.table
    check_row(_one(t, "01", 2023), computed_value=80.0, computed_numerator=80, computed_denominator=100.0,
              published_value=74.0, difference_pp=6.0, tolerance_pp=5.0, comparison="exceeds")
    check_row(_one(t, "03", 2023), computed_value=80.0, computed_numerator=40, computed_denominator=50.0,
              published_value=77.0, difference_pp=3.0, tolerance_pp=6.0, comparison="within")
    check_row(_one(t, None, 2023), computed_value=80.0, computed_numerator=120, computed_denominator=150.0,
              published_value=79.5, difference_pp=0.5, tolerance_pp=5.0, comparison="within")
    assert "Nämnaren" in rec.explanation and "5 procentenheter" in rec.tolerance_text


def test_reconciliation_against_bundled_kolada_when_the_set_has_none(tmp_path, lead):
    # 2024, region 01: 10 episodes, 5 within -> 50 %; Kolada N79198 2024 Stockholm = 56 -> -6.0;
    # tolerance max(2, 300 / 10 = 30) = 30 -> within
    eps = _eps(lead, "a", 5, "01", "2024-01-05", 10) + _eps(lead, "b", 5, "01", "2024-12-20", 40)
    ds = open_data(write_set(tmp_path / "s", extract_date="2025-03-15", svf_episodes=eps))
    rec = reconcile(ds, "svf_within_target")
    assert rec.years == [2024] and rec.attribution == "Källa: Kolada"
    row = _one(rec.table, "01", 2024)
    assert (row["computed_value"], row["published_value"], row["difference_pp"], row["tolerance_pp"],
            row["comparison"]) == (50.0, 56.0, -6.0, 30.0, "within")


# -- one result with the published value beside it ----------------------------------------------------

def test_published_beside_a_region_result(lead_set, check_row):
    period = {"start": date(2024, 1, 1), "end": date(2024, 12, 31)}
    df = lead_set.compute("svf_within_target", by=["region"], **period)
    out = published_beside(df, lead_set.published("svf_within_target"), "svf_within_target", **period)
    rows = {r["region"]: r for r in out.to_dict("records")}
    check_row(rows["01"], value=60.0, published_value=57.0, published_source="Kolada", difference_pp=3.0,
              tolerance_pp=2.0, exceeds_tolerance=True)
    check_row(rows["03"], published_value=44.0, difference_pp=1.0, exceeds_tolerance=False)
    # suppressed: the published value is shown, the computed one and the difference are not
    check_row(rows["12"], suppressed=True, value=None, published_value=50.0, difference_pp=None,
              exceeds_tolerance=None)


def test_published_beside_riket_and_by_year(lead_set, check_row):
    out = published_beside(lead_set.compute("svf_within_target", start="2024-01-01", end="2024-12-31"),
                           lead_set.published(), "svf_within_target", start="2024-01-01", end="2024-12-31")
    check_row(out.iloc[0], published_value=52.0, difference_pp=0.605459057071966)
    by_year = lead_set.compute("svf_within_target", by=["year"], start="2023-01-01", end="2024-12-31")
    out = published_beside(by_year, lead_set.published(), "svf_within_target", start="2023-01-01",
                           end="2024-12-31")
    assert out["published_value"].tolist() == [90.0, 52.0]


@pytest.mark.parametrize("kwargs", [
    {"by": ["region", "svf_code"]},  # published figures cover every pathway
    {"by": ["region"], "where": {"svf_code": "brost"}},
    {"by": ["region"], "start": "2024-01-01", "end": "2024-06-30"},  # half a year
])
def test_published_beside_stays_empty_when_not_comparable(lead_set, kwargs):
    start, end = kwargs.get("start", "2024-01-01"), kwargs.get("end", "2024-12-31")
    df = lead_set.compute("svf_within_target", by=kwargs["by"], start=start, end=end, where=kwargs.get("where"))
    out = published_beside(df, lead_set.published(), "svf_within_target", start=start, end=end,
                           where=kwargs.get("where"))
    assert len(out) == len(df) and out["published_value"].isna().all() and out["difference_pp"].isna().all()


def test_published_beside_leaves_a_partly_covered_year_alone(lead_set):
    # 2023 from June only (its 4 episodes ending 2023-06-10): a part of the year, never beside 2023's figure
    df = lead_set.compute("svf_within_target", by=["year"], start="2023-06-01", end="2024-12-31")
    assert df["year"].tolist() == ["2023", "2024"]
    out = published_beside(df, lead_set.published(), "svf_within_target", start="2023-06-01", end="2024-12-31")
    assert out["published_value"].isna().tolist() == [True, False]


@pytest.mark.parametrize("start, end, label", [
    ("2024-01-01", "2024-12-31", "2024"), ("2024-04-01", "2024-06-30", "2024-Q2"), ("2024-02-01", "2024-02-29", "2024-02"),
    ("2024-01-01", "2024-06-30", None), ("2023-07-01", "2024-06-30", None), ("2024-01-02", "2024-12-31", None),
])
def test_period_label(start, end, label):
    assert period_label(start, end) == label
