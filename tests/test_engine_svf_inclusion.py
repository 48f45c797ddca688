"""svf_inclusion (data-contract.md §5 "Expected cases", §2 pathway rule, §6, §7).

Expected numbers are worked out by hand in the comments and written literally.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from extract_builder import case, write_set
from indicators import open_data


def _cases(prefix: str, icd: str, year: int, n: int, region: str) -> list[dict]:
    return [case(f"{prefix}{year}{region}_{i}", icd, f"{year}-06-15", region=region) for i in range(n)]


def _ended(lead, eid: str, svf: str, end: str, code: str = "50", region: str = "01", home: str | None = None):
    start = (date.fromisoformat(end) - timedelta(days=10)).isoformat()
    return lead(eid, svf, start, 10, code, region=region, home=home)


# ---------------------------------------------------------------------------------------------
# I1: a period over two years, 2023-07-01..2024-06-30.
# cancer_cases brost (C50.9): region 01: 2020 10, 2021 20, 2022 30, 2023 40;
#                             region 03: 2020 6, 2021 6, 2022 6, 2023 12.
# Expected, 2023 part (base 2020-2022, 6 months): 01: 20 x 6/12 = 10; 03: 6 x 6/12 = 3.
# Expected, 2024 part (base 2021-2023, 6 months): 01: 30 x 6/12 = 15; 03: 8 x 6/12 = 4.
# Treated brost episodes:
#   closed by 01, no home:  5 end 2023-08-15, 1 end 2023-11-15, 7 end 2024-03-10, 2 end 2024-05-10
#   closed by 01, home 03:  5 end 2024-02-10 (inclusion counts them in 03, lead times in 01)
# Not counted: '73' and '70' (2024-03-10), ongoing, ends 2024-07-01 and 2023-06-30 (outside).
# ---------------------------------------------------------------------------------------------
I1_PERIOD = {"start": "2023-07-01", "end": "2024-06-30"}


@pytest.fixture(scope="module")
def i1(tmp_path_factory, lead):
    cases = []
    for year, n01, n03 in [(2020, 10, 6), (2021, 20, 6), (2022, 30, 6), (2023, 40, 12)]:
        cases += _cases("b", "C50.9", year, n01, "01") + _cases("b", "C50.9", year, n03, "03")
    eps = []
    eps += [_ended(lead, f"a{i}", "brost", "2023-08-15") for i in range(5)]
    eps += [_ended(lead, "b0", "brost", "2023-11-15")]
    eps += [_ended(lead, f"c{i}", "brost", "2024-03-10") for i in range(7)]
    eps += [_ended(lead, f"d{i}", "brost", "2024-05-10") for i in range(2)]
    eps += [_ended(lead, f"h{i}", "brost", "2024-02-10", home="03") for i in range(5)]
    eps += [
        _ended(lead, "x73", "brost", "2024-03-10", code="73"),
        _ended(lead, "x70", "brost", "2024-03-10", code="70"),
        lead("xon", "brost", "2024-03-01", None, None),
        _ended(lead, "xlate", "brost", "2024-07-01"),
        _ended(lead, "xearly", "brost", "2023-06-30"),
    ]
    d = write_set(tmp_path_factory.mktemp("incl1"), extract_date="2025-03-15", cancer_cases=cases, svf_episodes=eps)
    return open_data(d)


def test_columns(i1, result_columns):
    df = i1.compute("svf_inclusion", by=["region", "year"], **I1_PERIOD)
    assert list(df.columns) == ["region", "year"] + result_columns


def test_riket_two_year_period(i1, rows, check_row):
    # expected 10 + 15 + 3 + 4 = 32; treated 6 + 9 + 5 = 20 -> 62.5 % (target 70: none)
    (r,) = rows(i1.compute("svf_inclusion", **I1_PERIOD))
    check_row(r, numerator=20, denominator=32.0, value=62.5, ci_low=None, ci_high=None, target_low=None,
              target_high=70, target_level="none", suppressed=False, provisional=False, placeholder_target=None,
              missing=None)


def test_by_region_uses_home_region(i1, rows, check_row):
    got = rows(i1.compute("svf_inclusion", by=["region"], **I1_PERIOD))
    assert [r["region"] for r in got] == ["01", "03"]
    check_row(got[0], numerator=15, denominator=25.0, value=60.0, target_level="none", suppressed=False)
    # 5 / 7: not suppressed (denominator >= 5, numerator not 1-4)
    check_row(got[1], numerator=5, denominator=7.0, value=71.42857142857143, target_level="high", suppressed=False,
              ci_low=None, ci_high=None)


def test_lead_time_counts_same_episodes_in_closing_region(i1, rows, check_row):
    # the 5 home-03 episodes were closed by 01: 6 + 9 + 5 = 20 in 01, none in 03 ('73' has no brost target)
    got = rows(i1.compute("svf_within_target", by=["region"], **I1_PERIOD))
    assert [r["region"] for r in got] == ["01"]
    check_row(got[0], numerator=20, denominator=20, value=100.0, ci_low=83.88748419471807, ci_high=100.0)


def test_by_healthcare_region(i1, by_key, check_row):
    got = by_key(i1.compute("svf_inclusion", by=["healthcare_region"], **I1_PERIOD), "healthcare_region")
    assert list(got) == ["Mellansverige", "Stockholm-Gotland"]
    check_row(got["Mellansverige"], numerator=5, denominator=7.0, value=71.42857142857143)
    check_row(got["Stockholm-Gotland"], numerator=15, denominator=25.0, value=60.0)


def test_by_year_each_group_is_its_overlap(i1, rows, check_row):
    # 2023: 10 + 3 = 13 expected, 6 treated; 2024: 15 + 4 = 19 expected, 9 + 5 = 14 treated
    got = rows(i1.compute("svf_inclusion", by=["year"], **I1_PERIOD))
    assert [str(r["year"]) for r in got] == ["2023", "2024"]
    check_row(got[0], numerator=6, denominator=13.0, value=46.15384615384615, target_level="none")
    check_row(got[1], numerator=14, denominator=19.0, value=73.68421052631579, target_level="high")


def test_by_region_and_year(i1, by_key, check_row, check_suppressed):
    got = by_key(i1.compute("svf_inclusion", by=["region", "year"], **I1_PERIOD), "region", "year")
    got = {(k[0], str(k[1])): v for k, v in got.items()}
    check_row(got[("01", "2023")], numerator=6, denominator=10.0, value=60.0)
    check_row(got[("01", "2024")], numerator=9, denominator=15.0, value=60.0)
    # 03/2024: expected 4 < 5 -> suppressed, target stays
    check_suppressed(got[("03", "2024")], target_high=70, target_low=None)
    if ("03", "2023") in got:  # expected 3, no episodes
        check_suppressed(got[("03", "2023")], target_high=70)


def test_by_quarter_inclusion_also_suppressed_for_numerator_1_to_4(i1, rows, check_row, check_suppressed):
    # per quarter: 2023: (20 + 6) x 3/12 = 6.5; 2024: (30 + 8) x 3/12 = 9.5
    got = rows(i1.compute("svf_inclusion", by=["quarter"], **I1_PERIOD))
    assert [r["quarter"] for r in got] == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    check_row(got[0], numerator=5, denominator=6.5, value=76.92307692307692, target_level="high", suppressed=False)
    check_suppressed(got[1], target_high=70)           # numerator 1
    # 12 / 9.5: inclusion may exceed 100 %
    check_row(got[2], numerator=12, denominator=9.5, value=126.3157894736842, target_level="high",
              ci_low=None, ci_high=None)
    check_suppressed(got[3], target_high=70)           # numerator 2


def test_where_two_dimensions(i1, rows, check_row):
    (r,) = rows(i1.compute("svf_inclusion", where={"region": "01", "year": "2024"}, **I1_PERIOD))
    check_row(r, numerator=9, denominator=15.0, value=60.0)
    (r,) = rows(i1.compute("svf_inclusion", where={"region": ["01", "03"], "quarter": "2024-Q1"}, **I1_PERIOD))
    check_row(r, numerator=12, denominator=9.5)


def test_min_n_raised(i1, by_key, check_row, check_suppressed):
    got = by_key(i1.compute("svf_inclusion", by=["region"], min_n=8, **I1_PERIOD), "region")
    check_suppressed(got["03"], target_high=70)
    check_row(got["01"], numerator=15, denominator=25.0, suppressed=False)
    with pytest.raises(ValueError):
        i1.compute("svf_inclusion", min_n=4, **I1_PERIOD)


@pytest.mark.parametrize("start, end", [
    ("2024-01-02", "2024-06-30"),
    ("2024-01-01", "2024-06-29"),
    ("2023-12-31", "2024-06-30"),
    ("2024-01-15", "2024-01-20"),
])
def test_period_must_be_whole_months(i1, start, end):
    with pytest.raises(ValueError):
        i1.compute("svf_inclusion", start=start, end=end)


def test_february_whole_month_accepted(i1, rows, check_row):
    # 2024-02: expected (30 + 8) / 12; the 5 home-03 episodes end 2024-02-10
    (r,) = rows(i1.compute("svf_inclusion", start="2024-02-01", end="2024-02-29", where={"region": "03"}))
    check_row(r, numerator=None, denominator=None, suppressed=True)  # 8/12 expected in 03


@pytest.mark.parametrize("dim", ["treatment_type", "sex", "register", "substance"])
def test_dimensions_not_allowed(i1, dim):
    with pytest.raises(ValueError):
        i1.compute("svf_inclusion", by=[dim], **I1_PERIOD)


# ---------------------------------------------------------------------------------------------
# I2: base years without rows, no base year, default period.
# cancer_cases: brost (C50.9) region 01: 2021 24, 2022 36; prostata (C61) region 03: 2020 3.
# No row at all in 2023. Treated brost episodes (01): 5 end 2024-02-10, 1 end 2024-04-20.
# Extract date 2024-07-10 (maturity 2 -> provisional after 2024-05-10).
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def i2(tmp_path_factory, lead):
    cases = (_cases("b", "C50.9", 2021, 24, "01") + _cases("b", "C50.9", 2022, 36, "01")
             + _cases("p", "C61", 2020, 3, "03"))
    eps = [_ended(lead, f"e{i}", "brost", "2024-02-10") for i in range(5)] + [_ended(lead, "e5", "brost", "2024-04-20")]
    d = write_set(tmp_path_factory.mktemp("incl2"), extract_date="2024-07-10", cancer_cases=cases, svf_episodes=eps)
    return open_data(d)


def test_default_period_whole_months_of_the_data(i2, rows, check_row):
    # period 2024-02-01..2024-04-30 (3 months); base 2021 24, 2022 36, 2023 has no rows -> mean 30
    # expected 30 x 3/12 = 7.5; 6 treated -> 80 %; period ends before 2024-05-10: not provisional
    (r,) = rows(i2.compute("svf_inclusion"))
    check_row(r, numerator=6, denominator=7.5, value=80.0, target_level="high", suppressed=False, provisional=False)


def test_base_year_without_rows_does_not_count(i2, rows, check_row):
    # 2024: base 2021 (24), 2022 (36), 2023 (no rows) -> 30
    (r,) = rows(i2.compute("svf_inclusion", start="2024-01-01", end="2024-12-31"))
    check_row(r, numerator=6, denominator=30.0, value=20.0, provisional=True)


def test_base_year_with_rows_of_other_pathways_counts(i2, rows, check_row):
    # 2023: base 2020 (only prostata rows: counts, 0 brost), 2021 24, 2022 36 -> brost (0 + 24 + 36) / 3 = 20
    (r,) = rows(i2.compute("svf_inclusion", start="2023-01-01", end="2023-12-31", where={"svf_code": "brost"}))
    check_row(r, numerator=0, denominator=20.0, value=0.0, target_level="none", suppressed=False, provisional=False)
    # all pathways: (3 + 24 + 36) / 3 = 21
    (r,) = rows(i2.compute("svf_inclusion", start="2023-01-01", end="2023-12-31"))
    check_row(r, numerator=0, denominator=21.0, value=0.0)


def test_mixed_base_years_over_two_years(i2, rows, check_row):
    # 2023-07..2024-06, brost: 2023 part 20 x 6/12 = 10; 2024 part 30 x 6/12 = 15 -> 25; 6 treated
    (r,) = rows(i2.compute("svf_inclusion", start="2023-07-01", end="2024-06-30", where={"svf_code": "brost"}))
    check_row(r, numerator=6, denominator=25.0, value=24.0, provisional=True)


def test_no_base_year_no_denominator(i2, rows, check_row):
    # 2020: base years 2017-2019 have no rows at all
    got = rows(i2.compute("svf_inclusion", start="2020-01-01", end="2020-12-31"))
    assert len(got) == 1
    check_row(got[0], denominator=None, value=None, ci_low=None, ci_high=None, target_level=None)


# ---------------------------------------------------------------------------------------------
# I3: the longest-prefix rule. Cases only in 2023, so for 2024 the expected count = the 2023 count.
# ---------------------------------------------------------------------------------------------
I3_CASES = {
    "aggstock": ["C48.1", "c48.2", " C56 ", "C57.0", "c481 "],        # C481/C482 beat buksarkom's C48
    "buksarkom": ["C48", "C48.0", "C48.9", "C49.4", "c494"],          # C494 beats sarkom's C49
    "sarkom": ["C49", "C49.1", "C40.2", "C41", "C49.9"],
    "net": ["C25.4", "C17.1", "C74", "c254", "C17"],                  # C254 beats bukspottkortel's C25
    "bukspottkortel": ["C25.0", "C25", "C24.1", "C25.9", "C25.3"],
    None: ["C19", "C44.3", "D48.1"],                                  # no pathway
}
I3_TREATED = {"aggstock": 5, "buksarkom": 6, "sarkom": 7, "net": 8, "bukspottkortel": 9}


@pytest.fixture(scope="module")
def i3(tmp_path_factory, lead):
    cases = [case(f"k{svf}{i}", icd, "2023-04-01") for svf, icds in I3_CASES.items() for i, icd in enumerate(icds)]
    eps = [_ended(lead, f"{svf}{i}", svf, "2024-05-20") for svf, n in I3_TREATED.items() for i in range(n)]
    d = write_set(tmp_path_factory.mktemp("incl3"), cancer_cases=cases, svf_episodes=eps)
    return open_data(d)


def test_longest_prefix_rule(i3, rows, check_row):
    got = rows(i3.compute("svf_inclusion", by=["svf_code"], start="2024-01-01", end="2024-12-31"))
    assert [r["svf_code"] for r in got] == ["aggstock", "buksarkom", "bukspottkortel", "net", "sarkom"]
    expected = {"aggstock": 100.0, "bukspottkortel": 180.0, "buksarkom": 120.0, "net": 160.0, "sarkom": 140.0}
    for r in got:
        check_row(r, r["svf_code"], numerator=I3_TREATED[r["svf_code"]], denominator=5.0,
                  value=expected[r["svf_code"]], suppressed=False)
    # Riket: 25 expected (the three cases with no pathway do not count), 35 treated
    (r,) = rows(i3.compute("svf_inclusion", start="2024-01-01", end="2024-12-31"))
    check_row(r, numerator=35, denominator=25.0, value=140.0)


def test_quarter_groups_clipped_to_a_period_starting_mid_quarter(i1, rows, check_row):
    # 2024-02-01..2024-06-30 by quarter: Q1 is Feb-Mar only: (30 + 8) x 2/12 = 6.3333; 7 + 5 = 12 treated
    got = rows(i1.compute("svf_inclusion", by=["quarter"], start="2024-02-01", end="2024-06-30"))
    assert [r["quarter"] for r in got] == ["2024-Q1", "2024-Q2"]
    check_row(got[0], numerator=12, denominator=6.333333333333333, value=189.4736842105263)
    check_row(got[1], suppressed=True)  # 9.5 expected, numerator 2
