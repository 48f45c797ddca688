"""svf_within_target, svf_over_175 and svf_lead_time_median (data-contract.md §2, §5, §6, §7).

Every expected number is worked out by hand in the comments and written literally; Wilson
intervals are z = 1.959963984540054 (checked against peers.md §3 case 1: 65/100).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from extract_builder import write_set
from indicators import open_data

PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}
LEAD_TIME_INDICATORS = ["svf_within_target", "svf_over_175", "svf_lead_time_median"]


# ---------------------------------------------------------------------------------------------
# Main fixture. Bundled targets: brost 'any' 28 (1.75 × 28 = 49); kolorektal 'any'/extended 53
# (1.75 × 53 = 92.75); kolorektal no_further_action 25 (1.75 × 25 = 43.75).
# Extract date 2025-02-10, SVF maturity 2 months -> provisional when the period ends after 2024-12-10.
#
#  id   region sex svf        code ext  start       lead  end         quarter within over
#  m01  01     K   brost      50   no   2023-12-20  16    2024-01-05  Q1      yes    no
#  m02  01     K   brost      50   no   2024-01-02  10    2024-01-12  Q1      yes    no
#  m03  01     K   brost      50   no   2024-02-01  28    2024-02-29  Q1      yes    no
#  m04  01     K   brost      50   no   2024-03-01  29    2024-03-30  Q1      no     no
#  m05  01     K   brost      50   no   2024-04-01  49    2024-05-20  Q2      no     no
#  m06  01     K   brost      50   no   2024-05-01  50    2024-06-20  Q2      no     yes
#  m07  01     K   brost      50   no   2024-08-01  60    2024-09-30  Q3      no     yes
#  m08  03*    K   brost      50   no   2024-04-02  5     2024-04-07  Q2      yes    no   (*home 01: ignored)
#  m09  03     K   brost      50   no   2024-04-10  20    2024-04-30  Q2      yes    no
#  m10  03     K   brost      52   no   2024-06-01  27    2024-06-28  Q2      yes    no
#  m11  03     K   brost      52   no   2024-09-01  28    2024-09-29  Q3      yes    no
#  m12  03     K   brost      52   no   2024-10-01  30    2024-10-31  Q4      no     no
#  m13  09     M   kolorektal 50   yes  2024-01-01  53    2024-02-23  Q1      yes    no
#  m14  09     M   kolorektal 50   yes  2024-02-01  54    2024-03-26  Q1      no     no
#  m15  09     M   kolorektal 50   yes  2024-07-01  93    2024-10-02  Q4      no     yes
#  m16  09     M   kolorektal 73   no   2024-11-01  25    2024-11-26  Q4      yes    no
#  m17  09     M   kolorektal 73   no   2024-11-01  44    2024-12-15  Q4      no     yes
# Left out: x1 ongoing; x2 end code 70; x3 brost '73' (no target: 'any' does not cover it);
# x4 prostata palliative (no target); x5 ends 2025-01-10 and x6 ends 2023-12-31 (outside the
# period, which follows end_date); x7 end code 78.
#
# Totals: n 17, within 9, over 4.  Region 01: 7 / 3 / 2; 03: 5 / 4 / 0; 09: 5 / 2 / 2.
# Lead times sorted (17): 5 10 16 20 25 27 28 28 29 30 44 49 50 53 54 60 93.
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def main_set(tmp_path_factory, lead):
    eps = [
        lead("m01", "brost", "2023-12-20", 16, "50"),
        lead("m02", "brost", "2024-01-02", 10, "50"),
        lead("m03", "brost", "2024-02-01", 28, "50"),
        lead("m04", "brost", "2024-03-01", 29, "50"),
        lead("m05", "brost", "2024-04-01", 49, "50"),
        lead("m06", "brost", "2024-05-01", 50, "50"),
        lead("m07", "brost", "2024-08-01", 60, "50"),
        lead("m08", "brost", "2024-04-02", 5, "50", region="03", home="01"),
        lead("m09", "brost", "2024-04-10", 20, "50", region="03"),
        lead("m10", "brost", "2024-06-01", 27, "52", region="03"),
        lead("m11", "brost", "2024-09-01", 28, "52", region="03"),
        lead("m12", "brost", "2024-10-01", 30, "52", region="03"),
        lead("m13", "kolorektal", "2024-01-01", 53, "50", region="09", ext=True, sex="M"),
        lead("m14", "kolorektal", "2024-02-01", 54, "50", region="09", ext=True, sex="M"),
        lead("m15", "kolorektal", "2024-07-01", 93, "50", region="09", ext=True, sex="M"),
        lead("m16", "kolorektal", "2024-11-01", 25, "73", region="09", sex="M"),
        lead("m17", "kolorektal", "2024-11-01", 44, "73", region="09", sex="M"),
        lead("x1", "brost", "2024-06-01", None, None),
        lead("x2", "brost", "2024-03-01", 10, "70"),
        lead("x3", "brost", "2024-03-01", 5, "73"),
        lead("x4", "prostata", "2024-03-01", 5, "58", sex="M"),
        lead("x5", "brost", "2024-12-20", 21, "50"),
        lead("x6", "brost", "2023-12-01", 30, "50"),
        lead("x7", "brost", "2024-01-01", 3, "78"),
    ]
    d = write_set(tmp_path_factory.mktemp("svf_main"), extract_date="2025-02-10", svf_episodes=eps)
    return open_data(d)


def test_columns_in_contract_order(main_set, result_columns):
    for ind in LEAD_TIME_INDICATORS:
        df = main_set.compute(ind, by=["healthcare_region", "region"], **PERIOD)
        assert list(df.columns) == ["healthcare_region", "region"] + result_columns, ind
        df = main_set.compute(ind, **PERIOD)
        assert list(df.columns) == result_columns, ind
        assert len(df) == 1


def test_dtypes_booleans_and_na(main_set):
    df = main_set.compute("svf_within_target", by=["treatment_type"], **PERIOD)
    assert df["suppressed"].map(lambda v: isinstance(v, (bool, np.bool_))).all()
    assert df["provisional"].map(lambda v: isinstance(v, (bool, np.bool_))).all()
    assert df["placeholder_target"].map(lambda v: isinstance(v, (bool, np.bool_))).all()
    assert df["target_low"].isna().all() and df["missing"].isna().all()
    assert df.loc[df["suppressed"], "value"].isna().all()


def test_within_target_riket(main_set, rows, check_row):
    (r,) = rows(main_set.compute("svf_within_target", **PERIOD))
    check_row(r, numerator=9, denominator=17, value=52.94117647058823, ci_low=30.96323506000443,
              ci_high=73.83489355759056, target_low=None, target_high=80, target_level="none", suppressed=False,
              provisional=True, placeholder_target=False, missing=None)


def test_over_175_riket(main_set, rows, check_row):
    (r,) = rows(main_set.compute("svf_over_175", **PERIOD))
    check_row(r, numerator=4, denominator=17, value=23.529411764705884, ci_low=9.555044322080114,
              ci_high=47.26179811956498, target_low=None, target_high=None, target_level=None, suppressed=False,
              placeholder_target=False, missing=None)


def test_median_riket(main_set, rows, check_row):
    # n = 17: median x(9) = 29; l = 5 (P(B<=4) = 3214/131072 = 0.0245) -> [x(5), x(13)] = [25, 50]
    (r,) = rows(main_set.compute("svf_lead_time_median", **PERIOD))
    check_row(r, numerator=None, denominator=17, value=29.0, ci_low=25.0, ci_high=50.0, target_low=None,
              target_high=None, target_level=None, suppressed=False, placeholder_target=False, missing=None)


def test_within_target_by_region_uses_closing_region(main_set, rows, check_row):
    # m08 has home_region_code 01 but is closed by 03: lead-time indicators count it in 03.
    df = main_set.compute("svf_within_target", by=["region"], **PERIOD)
    got = rows(df)
    assert [r["region"] for r in got] == ["01", "03", "09"]
    check_row(got[0], numerator=3, denominator=7, value=42.857142857142854, ci_low=15.821985525146975,
              ci_high=74.95416354723429, target_level="none", suppressed=False)
    # 4/5 = 80 % exactly meets the target of 80
    check_row(got[1], numerator=4, denominator=5, value=80.0, ci_low=37.55346297625253, ci_high=96.37758913675698,
              target_high=80, target_level="high", suppressed=False)
    check_row(got[2], numerator=2, denominator=5, value=40.0, ci_low=11.762077423264786, ci_high=76.9275718723987,
              target_level="none", suppressed=False)


def test_over_175_by_region(main_set, by_key, check_row):
    got = by_key(main_set.compute("svf_over_175", by=["region"], **PERIOD), "region")
    # boundary: lead 49 = 1.75 x 28 is not over, 50 is; 93 > 92.75; 44 > 43.75
    check_row(got["01"], numerator=2, denominator=7, value=28.571428571428573, ci_low=8.22189240040568,
              ci_high=64.10655481673808, target_level=None)
    check_row(got["03"], numerator=0, denominator=5, value=0.0, ci_low=0.0, ci_high=43.44824647831748,
              target_level=None, suppressed=False)
    check_row(got["09"], numerator=2, denominator=5, value=40.0)


def test_median_by_region_and_healthcare_region(main_set, by_key, check_row):
    got = by_key(main_set.compute("svf_lead_time_median", by=["region"], **PERIOD), "region")
    # 01: 10 16 28 29 49 50 60 -> 29; n = 7, l = 1 -> [10, 60]
    check_row(got["01"], numerator=None, denominator=7, value=29.0, ci_low=10.0, ci_high=60.0, suppressed=False)
    # 03: 5 20 27 28 30 -> 27; n = 5 < 6: no interval
    check_row(got["03"], denominator=5, value=27.0, ci_low=None, ci_high=None, suppressed=False)
    # 09: 25 44 53 54 93 -> 53
    check_row(got["09"], denominator=5, value=53.0, ci_low=None, ci_high=None)
    hr = by_key(main_set.compute("svf_lead_time_median", by=["healthcare_region"], **PERIOD), "healthcare_region")
    assert list(hr) == ["Mellansverige", "Stockholm-Gotland"]
    # Stockholm-Gotland = 01 + 09, 12 values: 10 16 25 28 29 44 49 50 53 54 60 93 -> (44 + 49) / 2;
    # n = 12: P(B<=2) = 79/4096 <= 0.025 < P(B<=3) -> l = 3 -> [x(3), x(10)] = [25, 54]
    check_row(hr["Stockholm-Gotland"], denominator=12, value=46.5, ci_low=25.0, ci_high=54.0)
    check_row(hr["Mellansverige"], denominator=5, value=27.0)


def test_by_healthcare_region_then_region_sorted(main_set, rows, check_row):
    got = rows(main_set.compute("svf_within_target", by=["healthcare_region", "region"], **PERIOD))
    assert [(r["healthcare_region"], r["region"]) for r in got] == [
        ("Mellansverige", "03"), ("Stockholm-Gotland", "01"), ("Stockholm-Gotland", "09")]
    hr = rows(main_set.compute("svf_within_target", by=["healthcare_region"], **PERIOD))
    check_row(hr[1], healthcare_region="Stockholm-Gotland", numerator=5, denominator=12,
              value=41.666666666666664, ci_low=19.326031365875664, ci_high=68.04886874504503)


def test_sorted_by_group_columns_in_the_order_given(main_set, rows):
    got = rows(main_set.compute("svf_within_target", by=["quarter", "region"], **PERIOD))
    keys = [(r["quarter"], r["region"]) for r in got]
    assert keys == [("2024-Q1", "01"), ("2024-Q1", "09"), ("2024-Q2", "01"), ("2024-Q2", "03"), ("2024-Q3", "01"),
                    ("2024-Q3", "03"), ("2024-Q4", "03"), ("2024-Q4", "09")]
    got = rows(main_set.compute("svf_within_target", by=["region", "quarter"], **PERIOD))
    assert [(r["region"], r["quarter"]) for r in got] == sorted((r, q) for q, r in keys)


def test_empty_data_still_one_row(tmp_path, rows, check_row):
    ds = open_data(write_set(tmp_path))
    for ind in LEAD_TIME_INDICATORS:
        got = rows(ds.compute(ind, **PERIOD))
        assert len(got) == 1, ind
        check_row(got[0], ind, suppressed=True, value=None)
        assert len(ds.compute(ind, by=["region"], **PERIOD)) == 0


def test_by_treatment_type(main_set, rows, check_row, check_suppressed):
    # drug: m10 m11 m12 (27 28 30) -> n 3; no_further_action: m16 m17 -> n 2;
    # surgery: 01's 7 + m08 m09 + m13 m14 m15 = 12, within 3 + 2 + 1 = 6
    got = rows(main_set.compute("svf_within_target", by=["treatment_type"], **PERIOD))
    assert [r["treatment_type"] for r in got] == ["drug", "no_further_action", "surgery"]
    check_suppressed(got[0], target_high=80, target_low=None)
    check_suppressed(got[1], target_high=80, target_low=None)
    check_row(got[2], numerator=6, denominator=12, value=50.0, ci_low=25.37815976337061, ci_high=74.6218402366294,
              target_level="none", suppressed=False)


def test_by_sex(main_set, by_key, check_row):
    got = by_key(main_set.compute("svf_within_target", by=["sex"], **PERIOD), "sex")
    assert list(got) == ["K", "M"]
    check_row(got["K"], numerator=7, denominator=12, value=58.333333333333336, ci_low=31.95113125495498,
              ci_high=80.67396863412435)
    check_row(got["M"], numerator=2, denominator=5, value=40.0)


def test_by_quarter(main_set, rows, check_row, check_suppressed):
    # Q1: m01-m04, m13, m14 (n 6, within 4, over 0); Q2: m05 m06 m08 m09 m10 (n 5, within 3, over 1);
    # Q3: m07 m11 (n 2); Q4: m12 m15 m16 m17 (n 4).  Q4 ends 2024-12-31 > 2024-12-10: provisional.
    got = rows(main_set.compute("svf_within_target", by=["quarter"], **PERIOD))
    assert [r["quarter"] for r in got] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    check_row(got[0], numerator=4, denominator=6, value=66.66666666666667, ci_low=29.999331513839202,
              ci_high=90.32285888942195, suppressed=False, provisional=False)
    check_row(got[1], numerator=3, denominator=5, value=60.0, ci_low=23.072428127601288, ci_high=88.2379225767352,
              suppressed=False, provisional=False)
    check_suppressed(got[2], provisional=False, target_high=80)
    check_suppressed(got[3], provisional=True, target_high=80)
    over = rows(main_set.compute("svf_over_175", by=["quarter"], **PERIOD))
    check_row(over[0], numerator=0, denominator=6, value=0.0)
    check_row(over[1], numerator=1, denominator=5, value=20.0, ci_low=3.622410863243013, ci_high=62.446537023747474)
    med = rows(main_set.compute("svf_lead_time_median", by=["quarter"], **PERIOD))
    # Q1: 10 16 28 29 53 54 -> 28.5, n 6 -> l 1 -> [10, 54]; Q2: 5 20 27 49 50 -> 27, no interval
    check_row(med[0], denominator=6, value=28.5, ci_low=10.0, ci_high=54.0)
    check_row(med[1], denominator=5, value=27.0, ci_low=None, ci_high=None)


def test_by_month_labels(main_set, rows):
    got = rows(main_set.compute("svf_within_target", by=["month"], **PERIOD))
    assert [r["month"] for r in got] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06",
                                         "2024-09", "2024-10", "2024-11", "2024-12"]
    assert [r["provisional"] for r in got] == [False] * 9 + [True]


def test_by_year(main_set, rows, check_row):
    got = rows(main_set.compute("svf_within_target", by=["year"], **PERIOD))
    assert len(got) == 1
    assert str(got[0]["year"]) == "2024"
    check_row(got[0], numerator=9, denominator=17)


def test_where_two_values_of_one_dimension_means_either(main_set, rows, check_row):
    # regions 01 + 03: n 12, within 3 + 4 = 7
    (r,) = rows(main_set.compute("svf_within_target", where={"region": ["01", "03"]}, **PERIOD))
    check_row(r, numerator=7, denominator=12, value=58.333333333333336)
    # months Jan-Mar = Q1
    (r,) = rows(main_set.compute("svf_within_target", where={"month": ["2024-01", "2024-02", "2024-03"]}, **PERIOD))
    check_row(r, numerator=4, denominator=6)


def test_where_two_dimensions_must_both_hold(main_set, rows, check_row):
    # Stockholm-Gotland AND surgery: 01's 7 (within 3) + m13 m14 m15 (within 1)
    (r,) = rows(main_set.compute("svf_within_target", where={"healthcare_region": "Stockholm-Gotland",
                                                            "treatment_type": "surgery"}, **PERIOD))
    check_row(r, numerator=4, denominator=10, value=40.0)
    (r,) = rows(main_set.compute("svf_within_target", where={"svf_code": "brost", "sex": "K"}, **PERIOD))
    check_row(r, numerator=7, denominator=12)


def test_where_single_value_not_list(main_set, rows, check_row):
    (r,) = rows(main_set.compute("svf_within_target", where={"region": "09"}, **PERIOD))
    check_row(r, numerator=2, denominator=5)


def test_start_end_accept_dates(main_set, rows, check_row):
    (r,) = rows(main_set.compute("svf_within_target", start=date(2024, 1, 1), end=date(2024, 3, 31)))
    check_row(r, numerator=4, denominator=6, provisional=False)


def test_provisional_boundary(main_set, rows, check_row):
    # extract date 2025-02-10 minus 2 months = 2024-12-10: a period ending that day is not provisional
    (r,) = rows(main_set.compute("svf_within_target", start="2024-01-01", end="2024-12-10"))
    check_row(r, provisional=False, numerator=9, denominator=16)  # m17 (ends 12-15, not within) falls out
    (r,) = rows(main_set.compute("svf_within_target", start="2024-01-01", end="2024-12-11"))
    check_row(r, provisional=True, numerator=9, denominator=16)


def test_default_period_runs_over_the_data(main_set, rows, check_row):
    # No --from/--to: the period covers every end_date in the data; x5 (2025-01-10) and x6
    # (2023-12-31) now count: n 19, within 9 + 1 (x5, lead 21) + 0 (x6, lead 30) = 10
    (r,) = rows(main_set.compute("svf_within_target"))
    check_row(r, numerator=10, denominator=19, provisional=True)


def test_suppression_min_n(main_set, by_key, check_row, check_suppressed):
    got = by_key(main_set.compute("svf_within_target", by=["region"], min_n=5, **PERIOD), "region")
    check_row(got["03"], suppressed=False, denominator=5)
    got = by_key(main_set.compute("svf_within_target", by=["region"], min_n=6, **PERIOD), "region")
    check_suppressed(got["03"], target_low=None, target_high=80)
    check_suppressed(got["09"], target_high=80)
    check_row(got["01"], suppressed=False, numerator=3, denominator=7)
    med = by_key(main_set.compute("svf_lead_time_median", by=["region"], min_n=6, **PERIOD), "region")
    check_suppressed(med["03"])
    check_row(med["01"], suppressed=False, value=29.0)


@pytest.mark.parametrize("ind", LEAD_TIME_INDICATORS)
@pytest.mark.parametrize("limit", [4, 0])
def test_min_n_below_five_rejected(main_set, ind, limit):
    with pytest.raises(ValueError):
        main_set.compute(ind, min_n=limit, **PERIOD)


@pytest.mark.parametrize("kwargs", [
    {"by": ["colour"]},
    {"by": ["register"]},                         # a dimension, but not of this indicator
    {"by": ["substance"]},
    {"where": {"region": "99"}},                  # unknown region
    {"where": {"treatment_type": "any"}},         # 'any' is not a treatment type
    {"where": {"svf_code": "nosuch"}},
    {"where": {"sex": "X"}},
    {"start": "2024-13-01"},
    {"start": "2024-1-1"},
    {"start": "2024-06-01", "end": "2024-01-01"},  # --from after --to
    {"where": {"quarter": "2024-Q5"}},
    {"where": {"month": "2024-13"}},
    {"where": {"year": "abcd"}},
    {"where": {"healthcare_region": "Norrland"}},
])
def test_bad_requests_raise_value_error(main_set, kwargs):
    with pytest.raises(ValueError):
        main_set.compute("svf_within_target", **kwargs)


def test_unknown_indicator(main_set):
    with pytest.raises(ValueError):
        main_set.compute("svf_nosuch")


# ---------------------------------------------------------------------------------------------
# A target that changed on a date (urinblasa, 2024-05-14): the episode's start date decides.
# Bundled: surgery 37 -> 42, drug 39 -> 44, no_further_action 22 -> 27 (placeholder from 2024-05-14).
#  u1 surgery start 05-13 lead 40: target 37 -> out; 1.75 x 37 = 64.75 -> not over
#  u2 surgery start 05-14 lead 40: target 42 -> in
#  u3 surgery start 05-13 lead 65: target 37 -> out, over (65 > 64.75)
#  u4 surgery start 05-14 lead 65: target 42 -> out, not over (65 <= 73.5)
#  u5 '73'    start 05-10 lead 22: target 22 (sourced) -> in
#  u6 '73'    start 06-01 lead 27: target 27 (placeholder) -> in
#  u7 drug    start 03-01 lead 39: target 39 -> in
#  u8 drug    start 06-01 lead 43: target 44 -> in
# all: n 8, within 5, over 1, placeholder (u6). Without '73': n 6, within 3, over 1, no placeholder.
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def urinblasa_set(tmp_path_factory, lead):
    eps = [
        lead("u1", "urinblasa", "2024-05-13", 40, "50"),
        lead("u2", "urinblasa", "2024-05-14", 40, "50"),
        lead("u3", "urinblasa", "2024-05-13", 65, "50"),
        lead("u4", "urinblasa", "2024-05-14", 65, "50"),
        lead("u5", "urinblasa", "2024-05-10", 22, "73"),
        lead("u6", "urinblasa", "2024-06-01", 27, "73"),
        lead("u7", "urinblasa", "2024-03-01", 39, "52"),
        lead("u8", "urinblasa", "2024-06-01", 43, "52"),
    ]
    return open_data(write_set(tmp_path_factory.mktemp("urinblasa"), svf_episodes=eps))


def test_target_changed_on_a_date(urinblasa_set, rows, check_row):
    (r,) = rows(urinblasa_set.compute("svf_within_target", **PERIOD))
    check_row(r, numerator=5, denominator=8, value=62.5, ci_low=30.57423946026273, ci_high=86.31557141764026,
              target_level="none", placeholder_target=True, provisional=False)
    (r,) = rows(urinblasa_set.compute("svf_over_175", **PERIOD))
    check_row(r, numerator=1, denominator=8, value=12.5, ci_low=2.241749145005667, ci_high=47.08881822128535,
              placeholder_target=True)
    (r,) = rows(urinblasa_set.compute("svf_within_target", where={"treatment_type": ["surgery", "drug"]}, **PERIOD))
    check_row(r, numerator=3, denominator=6, value=50.0, placeholder_target=False)
    # median of 22 27 39 40 40 43 65 65 = (40 + 40) / 2 with the placeholder flag
    (r,) = rows(urinblasa_set.compute("svf_lead_time_median", **PERIOD))
    check_row(r, numerator=None, denominator=8, value=40.0, placeholder_target=True)


def test_end_code_73_with_target_counts(urinblasa_set, rows, check_row, check_suppressed):
    got = rows(urinblasa_set.compute("svf_within_target", by=["treatment_type"], **PERIOD))
    assert [r["treatment_type"] for r in got] == ["drug", "no_further_action", "surgery"]
    check_suppressed(got[1], target_high=80)


# ---------------------------------------------------------------------------------------------
# Target rules 1-4 with the bundled table: one scenario per region; in each, 5 episodes with
# lead time = the expected target (within) and 5 with target + 1 (not within) -> 5/10 = 50 %.
# A different target would give 0/10 or 10/10, no target no row at all.
# ---------------------------------------------------------------------------------------------
BUNDLED_SCENARIOS = [
    # region, svf, end code, extended, start, expected target, placeholder
    ("01", "kolorektal", "50", True, "2024-03-01", 53, False),     # rule 2: any/extended
    ("03", "kolorektal", "58", True, "2024-03-01", 39, False),     # rule 1: palliative/extended
    ("04", "kolorektal", "58", False, "2024-03-01", 25, False),    # rule 1: palliative/false
    ("05", "kolorektal", "52", False, "2024-03-01", 39, False),    # rule 2 = 4: any/false
    ("06", "kolorektal", "73", True, "2024-03-01", 25, False),     # rule 3: no 'any' for 73
    ("07", "kolorektal", "73", False, "2024-03-01", 25, False),    # rule 1
    ("08", "bukspottkortel", "58", True, "2024-03-01", 22, False),  # rule 3: palliative/false
    ("09", "brost", "50", True, "2024-03-01", 28, False),          # rule 4: any/false
    ("10", "bukspottkortel", "50", True, "2024-03-01", 43, False),  # rule 1: surgery/extended
    ("12", "lever", "60", True, "2024-03-01", 29, False),          # rule 1: expectancy/extended
    ("13", "lever", "60", False, "2024-03-01", 22, False),         # rule 1: expectancy/false
    ("14", "akut_leukemi", "52", False, "2018-10-29", 6, False),    # any, before 2018-10-30
    ("17", "akut_leukemi", "52", False, "2018-10-30", 9, False),    # any, from 2018-10-30
    ("18", "myelom", "58", False, "2018-05-07", 21, True),         # palliative row not yet valid -> any 21
    ("19", "myelom", "58", False, "2018-05-08", 15, False),        # palliative from 2018-05-08
    ("20", "njure", "58", True, "2024-03-01", 25, True),           # rule 3: palliative/false (placeholder)
    ("21", "melanom", "73", False, "2024-03-01", 26, False),       # no_further_action 26
]
NO_TARGET_SCENARIOS = [
    ("22", "brost", "73", False, "2024-03-01"),       # 'any' does not cover 73
    ("23", "prostata", "58", False, "2024-03-01"),    # no palliative, no 'any'
    ("24", "lunga", "60", False, "2024-03-01"),       # no expectancy row
    ("25", "akut_leukemi", "52", False, "2014-12-31"),  # before the first valid_from
]


@pytest.fixture(scope="module")
def rules_set(tmp_path_factory, lead):
    eps = []
    for region, svf, code, ext, start, target, _ in BUNDLED_SCENARIOS:
        for i in range(5):
            eps.append(lead(f"{region}a{i}", svf, start, target, code, region=region, ext=ext))
            eps.append(lead(f"{region}b{i}", svf, start, target + 1, code, region=region, ext=ext))
    for region, svf, code, ext, start in NO_TARGET_SCENARIOS:
        for i in range(6):
            eps.append(lead(f"{region}n{i}", svf, start, 5, code, region=region, ext=ext))
    return open_data(write_set(tmp_path_factory.mktemp("rules"), svf_episodes=eps))


def test_target_rules_bundled_table(rules_set, by_key, check_row):
    got = by_key(rules_set.compute("svf_within_target", by=["region"], start="2014-01-01", end="2024-12-31"),
                 "region")
    assert sorted(got) == sorted(s[0] for s in BUNDLED_SCENARIOS), "regions with no target must have no row"
    for region, svf, code, ext, start, target, placeholder in BUNDLED_SCENARIOS:
        check_row(got[region], f"{region} {svf} {code} ext={ext} start={start} target={target}",
                  numerator=5, denominator=10, value=50.0, ci_low=23.6593090512564, ci_high=76.3406909487436,
                  placeholder_target=placeholder)


def test_no_target_episodes_counted_in_report(rules_set):
    rep = rules_set.validation_report()
    eps = rep[rep["table"] == "svf_episodes"]
    assert eps["reason"].map(lambda s: isinstance(s, str) and s.strip() != "").all()
    assert int(eps["rows"].sum()) == 4 * 6


# ---------------------------------------------------------------------------------------------
# Rule order with an overriding target table (CSV, read as text then cast). One scenario per region.
#   brost,surgery,false,30,2015-01-01    brost,any,false,20,2024-01-01
#   brost,drug,false,40,2024-06-01       brost,any,true,50,2015-01-01
#   brost,palliative,false,60,2015-01-01 brost,no_further_action,true,70,2015-01-01 (placeholder)
# The override replaces the whole bundled table: prostata has no target any more.
# ---------------------------------------------------------------------------------------------
OVERRIDE_CSV = """svf_code,treatment_type,extended_workup,target_days,valid_from,status,source
brost,surgery,false,30,2015-01-01,sourced,
brost,any,false,20,2024-01-01,sourced,test
brost,drug,false,40,2024-06-01,sourced,test
brost,any,true,50,2015-01-01,sourced,test
brost,palliative,false,60,2015-01-01,sourced,test
brost,no_further_action,true,70,2015-01-01,placeholder,test
"""
OVERRIDE_SCENARIOS = [
    ("01", "50", False, "2024-03-01", 30, False),  # rule 1 wins although 'any' has a later valid_from
    ("03", "52", False, "2024-03-01", 20, False),  # rule 1 row not yet valid -> rule 2
    ("04", "52", False, "2024-07-01", 40, False),  # rule 1 valid now
    ("05", "58", True, "2024-03-01", 50, False),   # rule 2 (any/extended) before rule 3 (palliative/false)
    ("06", "73", True, "2024-03-01", 70, True),    # rule 1 for no_further_action
    ("07", "50", True, "2024-03-01", 50, False),   # rule 2
]
OVERRIDE_NO_TARGET = [
    ("08", "brost", "52", False, "2023-06-01"),     # rules 1/3 and 2/4 have no row valid yet
    ("09", "brost", "73", False, "2024-03-01"),     # 73 without extended work-up: no row, 'any' not used
    ("10", "prostata", "50", False, "2024-03-01"),  # bundled table replaced
]


@pytest.fixture(scope="module")
def override_set(tmp_path_factory, lead):
    eps = []
    for region, code, ext, start, target, _ in OVERRIDE_SCENARIOS:
        for i in range(5):
            eps.append(lead(f"{region}a{i}", "brost", start, target, code, region=region, ext=ext))
            eps.append(lead(f"{region}b{i}", "brost", start, target + 1, code, region=region, ext=ext))
    for region, svf, code, ext, start in OVERRIDE_NO_TARGET:
        for i in range(5):
            eps.append(lead(f"{region}n{i}", svf, start, 3, code, region=region, ext=ext))
    d = write_set(tmp_path_factory.mktemp("override"), svf_episodes=eps)
    (d / "svf_lead_time_targets.csv").write_text(OVERRIDE_CSV, encoding="utf-8")
    return open_data(d)


def test_target_rule_order_with_override(override_set, by_key, check_row):
    got = by_key(override_set.compute("svf_within_target", by=["region"], start="2023-01-01", end="2024-12-31"),
                 "region")
    assert sorted(got) == sorted(s[0] for s in OVERRIDE_SCENARIOS)
    for region, code, ext, start, target, placeholder in OVERRIDE_SCENARIOS:
        check_row(got[region], f"{region} code {code} ext={ext} start={start} target={target}",
                  numerator=5, denominator=10, value=50.0, placeholder_target=placeholder)


def test_over_175_with_override(override_set, by_key, check_row):
    # lead times T and T + 1 are never more than 1.75 T
    got = by_key(override_set.compute("svf_over_175", by=["region"], start="2023-01-01", end="2024-12-31"),
                 "region")
    for region, *_ in OVERRIDE_SCENARIOS:
        check_row(got[region], region, numerator=0, denominator=10, value=0.0, ci_low=0.0,
                  ci_high=27.75327998628892)


def test_bad_rows_do_not_count(tmp_path, lead, rows, check_row):
    # g0..g6 lead 10..16 (all within 28); a second g0 throws out both copies -> g1..g6 remain: 6/6
    eps = [lead(f"g{i}", "brost", "2024-03-01", 10 + i, "50") for i in range(7)]
    eps += [
        lead("bad1", "brost", "2024-03-01", 10, "51"),                 # unknown end code
        lead("bad2", "brost", "2024-03-01", 10, "50", region="99"),    # unknown region
        lead("bad3", "brost", "2024-03-01", 10, "50", sex="X"),
        lead("bad4", "brost", "2024-03-01", 10, "50", age=121),
        lead("g0", "brost", "2024-03-01", 30, "50"),                   # duplicate id
    ]
    ds = open_data(write_set(tmp_path, svf_episodes=eps))
    (r,) = rows(ds.compute("svf_within_target", **PERIOD))
    check_row(r, numerator=6, denominator=6, value=100.0, ci_low=60.96657120978347, ci_high=100.0,
              suppressed=False)
    (r,) = rows(ds.compute("svf_lead_time_median", **PERIOD))
    check_row(r, denominator=6, value=13.5, ci_low=11.0, ci_high=16.0)
    rep = ds.validation_report()
    assert int(rep.loc[rep["table"] == "svf_episodes", "rows"].sum()) == 6
