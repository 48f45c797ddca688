"""register_coverage, register_reporting_90d and qi:CODE (data-contract.md §2, §5, §6, §7).

Expected numbers are worked out by hand in the comments and written literally.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from extract_builder import case, write_set
from indicators import open_data


def reg(rid: str, register: str, case_id: str | None, diagnosed: str, after_days: int = 10, region: str = "01"):
    registered = (date.fromisoformat(diagnosed) + timedelta(days=after_days)).isoformat()
    return {"registration_id": rid, "register_code": register, "case_id": case_id, "region_code": region,
            "hospital_code": "H1", "diagnosis_date": diagnosed, "registered_date": registered}


def outcome(rid: str, code: str, met):
    return {"registration_id": rid, "indicator_code": code, "met": met}


# ---------------------------------------------------------------------------------------------
# register_coverage. Cases diagnosed 2023-05-10 (extract 2025-03-15, maturity 12 -> provisional
# when the period ends after 2024-03-15).
#   region 01: c1-c6 C50.9 (nkbc), c7-c11 C61 (npcr), c12-c16 C01.9 (swehncr, targets -/97), c90 c91 C44 (none)
#   region 03: c17-c21 C50.4 (nkbc)
# register_cases: nkbc c1 c2 c3 c4 (+ a second nkbc row for c1), c17-c21, c7 (a prostate case in nkbc:
# not in nkbc's denominator), one with case_id null; npcr c7-c11 and c1 (a breast case: not in npcr's
# denominator); swehncr c12 c13 c14.
#   nkbc: 9/11 (01: 4/6, 03: 5/5); npcr 5/5; swehncr 3/5.  All: 17/21.
# ---------------------------------------------------------------------------------------------
COV_PERIOD = {"start": "2023-01-01", "end": "2023-12-31"}


@pytest.fixture(scope="module")
def cov(tmp_path_factory):
    dx = "2023-05-10"
    cases = ([case(f"c{i}", "C50.9", dx) for i in range(1, 7)]
             + [case(f"c{i}", "C61", dx, sex="M") for i in range(7, 12)]
             + [case(f"c{i}", "C01.9", dx) for i in range(12, 17)] + [case("c90", "C44", dx), case("c91", "C44.1", dx)]
             + [case(f"c{i}", "C50.4", dx, region="03") for i in range(17, 22)])
    regs = [reg(f"n{i}", "nkbc", f"c{i}", dx) for i in range(1, 5)] + [reg("n1b", "nkbc", "c1", dx)]
    regs += [reg(f"n{i}", "nkbc", f"c{i}", dx, region="03") for i in range(17, 22)]
    regs += [reg("n7", "nkbc", "c7", dx), reg("nnull", "nkbc", None, dx)]
    regs += [reg(f"p{i}", "npcr", f"c{i}", dx) for i in range(7, 12)] + [reg("p1", "npcr", "c1", dx)]
    regs += [reg(f"s{i}", "swehncr", f"c{i}", dx) for i in range(12, 15)]
    d = write_set(tmp_path_factory.mktemp("cov"), cancer_cases=cases, register_cases=regs)
    return open_data(d)


def test_coverage_by_register(cov, rows, check_row, result_columns):
    df = cov.compute("register_coverage", by=["register"], **COV_PERIOD)
    assert list(df.columns) == ["register"] + result_columns
    got = rows(df)
    assert [r["register"] for r in got] == ["nkbc", "npcr", "swehncr"]
    check_row(got[0], numerator=9, denominator=11, value=81.81818181818181, ci_low=52.30194380391559,
              ci_high=94.86323102539149, target_low=95, target_high=99, target_level="none", suppressed=False,
              provisional=False, placeholder_target=None, missing=None)
    check_row(got[1], numerator=5, denominator=5, value=100.0, ci_low=56.55175352168252, ci_high=100.0,
              target_low=95, target_high=99, target_level="high")
    check_row(got[2], numerator=3, denominator=5, value=60.0, ci_low=23.072428127601288, ci_high=88.2379225767352,
              target_low=None, target_high=97, target_level="none")


def test_coverage_same_targets_kept(cov, rows, check_row):
    (r,) = rows(cov.compute("register_coverage", where={"register": ["nkbc", "npcr"]}, **COV_PERIOD))
    check_row(r, numerator=14, denominator=16, value=87.5, ci_low=63.977172734241314, ci_high=96.50225122567595,
              target_low=95, target_high=99, target_level="none")


def test_coverage_different_targets_empty(cov, rows, check_row):
    (r,) = rows(cov.compute("register_coverage", where={"register": ["nkbc", "swehncr"]}, **COV_PERIOD))
    check_row(r, numerator=12, denominator=16, value=75.0, ci_low=50.50168346449122, ci_high=89.81793250878695,
              target_low=None, target_high=None, target_level=None, suppressed=False)
    (r,) = rows(cov.compute("register_coverage", **COV_PERIOD))
    check_row(r, numerator=17, denominator=21, value=80.95238095238095, ci_low=59.99943530979507,
              ci_high=92.33243494723823, target_low=None, target_high=None, target_level=None)


def test_coverage_by_region(cov, rows, check_row):
    got = rows(cov.compute("register_coverage", by=["region"], **COV_PERIOD))
    assert [r["region"] for r in got] == ["01", "03"]
    # 01 spans nkbc, npcr and swehncr: 12/16, targets empty; 03 has only nkbc rows: 5/5, 95/99
    check_row(got[0], numerator=12, denominator=16, value=75.0, target_low=None, target_high=None, target_level=None)
    check_row(got[1], numerator=5, denominator=5, value=100.0, target_low=95, target_high=99, target_level="high")


def test_coverage_by_register_and_region(cov, rows, check_row):
    got = rows(cov.compute("register_coverage", by=["register", "region"], **COV_PERIOD))
    assert [(r["register"], r["region"]) for r in got] == [("nkbc", "01"), ("nkbc", "03"), ("npcr", "01"),
                                                         ("swehncr", "01")]
    check_row(got[0], numerator=4, denominator=6, value=66.66666666666667)
    check_row(got[1], numerator=5, denominator=5)
    check_row(got[2], numerator=5, denominator=5)
    check_row(got[3], numerator=3, denominator=5)


def test_coverage_provisional_12_months(cov, rows, check_row):
    # extract date 2025-03-15 minus 12 months = 2024-03-15
    (r,) = rows(cov.compute("register_coverage", start="2023-01-01", end="2024-03-15"))
    check_row(r, provisional=False, numerator=17, denominator=21)
    (r,) = rows(cov.compute("register_coverage", start="2023-01-01", end="2024-03-16"))
    check_row(r, provisional=True, numerator=17, denominator=21)


def test_coverage_period_follows_diagnosis_date(cov, rows, check_row):
    (r,) = rows(cov.compute("register_coverage", start="2023-05-11", end="2023-12-31"))
    check_row(r, numerator=None, denominator=None, suppressed=True)
    got = rows(cov.compute("register_coverage", by=["month"], **COV_PERIOD))
    assert [r["month"] for r in got] == ["2023-05"]


@pytest.mark.parametrize("dim", ["svf_code", "sex", "treatment_type", "substance"])
def test_coverage_dimension_not_allowed(cov, dim):
    with pytest.raises(ValueError):
        cov.compute("register_coverage", by=[dim], **COV_PERIOD)


def test_coverage_unknown_register_value(cov):
    with pytest.raises(ValueError):
        cov.compute("register_coverage", where={"register": "nosuch"}, **COV_PERIOD)


# Overlapping registers through an override of the registers table (replaces the bundled one):
#   alpha 'C50' 80/90, beta 'C5;C61' 80/90. Cases d1-d5 C50.1 (both), d6-d10 C61 (beta), d11 C34 (none).
#   register_cases: alpha d1-d3; beta d1-d10; one 'nkbc' row (no such register now: a bad row).
#   alpha 3/5, beta 10/10, together 13/15 with equal targets 80/90 -> 86.7 %: 'low'.
def test_case_counts_for_several_registers(tmp_path, rows, by_key, check_row):
    dx = "2023-05-10"
    registers = [
        {"register_code": "alpha", "register_name": "Alfa", "icd10_prefixes": "C50",
         "coverage_target_low": 80, "coverage_target_high": 90},
        {"register_code": "beta", "register_name": "Beta", "icd10_prefixes": "C5;C61",
         "coverage_target_low": 80, "coverage_target_high": 90},
    ]
    cases = [case(f"d{i}", "C50.1", dx) for i in range(1, 6)] + [case(f"d{i}", "C61", dx) for i in range(6, 11)]
    cases += [case("d11", "C34", dx)]
    regs = [reg(f"a{i}", "alpha", f"d{i}", dx) for i in range(1, 4)] + [reg(f"b{i}", "beta", f"d{i}", dx)
                                                                       for i in range(1, 11)]
    regs += [reg("x1", "nkbc", "d4", dx)]
    ds = open_data(write_set(tmp_path, registers=registers, cancer_cases=cases, register_cases=regs))
    got = by_key(ds.compute("register_coverage", by=["register"], **COV_PERIOD), "register")
    assert list(got) == ["alpha", "beta"]
    check_row(got["alpha"], numerator=3, denominator=5, value=60.0, target_low=80, target_high=90, target_level="none")
    check_row(got["beta"], numerator=10, denominator=10, value=100.0, target_level="high")
    (r,) = rows(ds.compute("register_coverage", **COV_PERIOD))
    check_row(r, numerator=13, denominator=15, value=86.66666666666667, ci_low=62.11801716767764,
              ci_high=96.26387408969347, target_low=80, target_high=90, target_level="low")
    rep = ds.validation_report()
    assert int(rep.loc[rep["table"] == "register_cases", "rows"].sum()) == 1


# ---------------------------------------------------------------------------------------------
# register_reporting_90d (target 80/90, maturity 3). Extract date 2024-01-15 -> provisional after
# 2023-10-15. Days from diagnosis to registration:
#   nkbc (01, dx 2023-03-01):    0 30 90 90 91 200    -> 4/6
#   npcr (03, dx 2023-06-01):    10 x 9, 91           -> 9/10
#   swehncr (01, dx 2023-09-01): 5 x 4, 120           -> 4/5
# All 17/21 = 80.95 % ('low').
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rep90(tmp_path_factory):
    regs = [reg(f"n{i}", "nkbc", None, "2023-03-01", days) for i, days in enumerate([0, 30, 90, 90, 91, 200])]
    regs += [reg(f"p{i}", "npcr", None, "2023-06-01", 10, region="03") for i in range(9)]
    regs += [reg("p9", "npcr", None, "2023-06-01", 91, region="03")]
    regs += [reg(f"s{i}", "swehncr", None, "2023-09-01", 5) for i in range(4)] + [reg("s4", "swehncr", None,
                                                                                       "2023-09-01", 120)]
    return open_data(write_set(tmp_path_factory.mktemp("rep90"), extract_date="2024-01-15", register_cases=regs))


def test_reporting_riket(rep90, rows, check_row):
    (r,) = rows(rep90.compute("register_reporting_90d", **COV_PERIOD))
    check_row(r, numerator=17, denominator=21, value=80.95238095238095, ci_low=59.99943530979507,
              ci_high=92.33243494723823, target_low=80, target_high=90, target_level="low", suppressed=False,
              provisional=True, placeholder_target=None, missing=None)


def test_reporting_by_register(rep90, rows, check_row):
    got = rows(rep90.compute("register_reporting_90d", by=["register"], **COV_PERIOD))
    assert [r["register"] for r in got] == ["nkbc", "npcr", "swehncr"]
    check_row(got[0], numerator=4, denominator=6, value=66.66666666666667, ci_low=29.999331513839202,
              ci_high=90.32285888942195, target_level="none")
    check_row(got[1], numerator=9, denominator=10, value=90.0, ci_low=59.584997320476155, ci_high=98.21237869049271,
              target_level="high")
    check_row(got[2], numerator=4, denominator=5, value=80.0, ci_low=37.55346297625253, ci_high=96.37758913675698,
              target_level="low")


def test_reporting_by_region_and_quarter(rep90, rows, by_key, check_row):
    got = by_key(rep90.compute("register_reporting_90d", by=["region"], **COV_PERIOD), "region")
    check_row(got["01"], numerator=8, denominator=11, value=72.72727272727273, ci_low=43.43546988238709,
              ci_high=90.25394070997511, target_level="none")
    check_row(got["03"], numerator=9, denominator=10, target_level="high")
    q = rows(rep90.compute("register_reporting_90d", by=["quarter"], **COV_PERIOD))
    assert [r["quarter"] for r in q] == ["2023-Q1", "2023-Q2", "2023-Q3"]
    assert [(r["numerator"], r["denominator"]) for r in q] == [(4, 6), (9, 10), (4, 5)]
    assert [r["provisional"] for r in q] == [False, False, False]
    hr = by_key(rep90.compute("register_reporting_90d", by=["healthcare_region"], **COV_PERIOD), "healthcare_region")
    check_row(hr["Stockholm-Gotland"], numerator=8, denominator=11)
    check_row(hr["Mellansverige"], numerator=9, denominator=10)


def test_reporting_where_and_min_n(rep90, rows, check_row, check_suppressed):
    (r,) = rows(rep90.compute("register_reporting_90d", where={"register": "swehncr", "region": "01"}, **COV_PERIOD))
    check_row(r, numerator=4, denominator=5)
    (r,) = rows(rep90.compute("register_reporting_90d", where={"register": ["nkbc", "swehncr"]}, **COV_PERIOD))
    check_row(r, numerator=8, denominator=11)
    (r,) = rows(rep90.compute("register_reporting_90d", where={"register": "swehncr"}, min_n=6, **COV_PERIOD))
    check_suppressed(r, target_low=80, target_high=90)


# ---------------------------------------------------------------------------------------------
# qi:CODE. Registrations diagnosed 2023-05-01 (extract 2025-03-15, maturity 12: 2023 is final).
#   nkbc r1-r12 in 01, r13-r18 in 03; swehncr s1-s10 in 01, s11-s16 in 03.
#   nkbc04 (higher, 90/99): r1-r9 met, r10 not, r11 r12 missing; r13-r18 met.
#       01: 9/10 = 90 % ('low'), missing 2; 03: 6/6 ('high'); all 15/16 = 93.75 % ('low'), missing 2.
#   nkbc02 (95/99): r1-r5 not met -> 0/5.
#   swehncr02 (lower is better, target 20): s1 s2 met, s3-s10 not; s11-s13 met, s14-s16 not.
#       01: 2/10 = 20 % ('high': <= 20); 03: 3/6 = 50 % ('none'); all 5/16 = 31.25 % ('none').
#   An outcome whose registration_id is not in register_cases is a bad row.
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def qi(tmp_path_factory):
    dx = "2023-05-01"
    regs = [reg(f"r{i}", "nkbc", None, dx) for i in range(1, 13)] + [reg(f"r{i}", "nkbc", None, dx, region="03")
                                                                   for i in range(13, 19)]
    regs += [reg(f"s{i}", "swehncr", None, dx) for i in range(1, 11)] + [reg(f"s{i}", "swehncr", None, dx,
                                                                             region="03") for i in range(11, 17)]
    outs = [outcome(f"r{i}", "nkbc04", True) for i in range(1, 10)] + [outcome("r10", "nkbc04", False)]
    outs += [outcome("r11", "nkbc04", None), outcome("r12", "nkbc04", None)]
    outs += [outcome(f"r{i}", "nkbc04", True) for i in range(13, 19)]
    outs += [outcome(f"r{i}", "nkbc02", False) for i in range(1, 6)]
    outs += [outcome(f"s{i}", "swehncr02", i <= 2) for i in range(1, 11)]
    outs += [outcome(f"s{i}", "swehncr02", i <= 13) for i in range(11, 17)]
    outs += [outcome("nope", "nkbc04", True)]
    return open_data(write_set(tmp_path_factory.mktemp("qi"), register_cases=regs, indicator_outcomes=outs))


def test_qi_riket_with_missing(qi, rows, check_row, result_columns):
    df = qi.compute("qi:nkbc04", **COV_PERIOD)
    assert list(df.columns) == result_columns
    (r,) = rows(df)
    check_row(r, numerator=15, denominator=16, value=93.75, ci_low=71.67126242970107, ci_high=98.88806552353576,
              target_low=90, target_high=99, target_level="low", suppressed=False, provisional=False,
              placeholder_target=None, missing=2)


def test_qi_by_region(qi, rows, check_row):
    got = rows(qi.compute("qi:nkbc04", by=["region"], **COV_PERIOD))
    assert [r["region"] for r in got] == ["01", "03"]
    check_row(got[0], numerator=9, denominator=10, value=90.0, ci_low=59.584997320476155,
              ci_high=98.21237869049271, target_level="low", missing=2)
    check_row(got[1], numerator=6, denominator=6, value=100.0, ci_low=60.96657120978347, ci_high=100.0,
              target_level="high", missing=0)


def test_qi_other_indicator_does_not_leak(qi, rows, check_row):
    (r,) = rows(qi.compute("qi:nkbc02", **COV_PERIOD))
    check_row(r, numerator=0, denominator=5, value=0.0, ci_low=0.0, ci_high=43.44824647831748, target_low=95,
              target_high=99, target_level="none", missing=0)


def test_qi_lower_is_better(qi, rows, by_key, check_row):
    (r,) = rows(qi.compute("qi:swehncr02", **COV_PERIOD))
    check_row(r, numerator=5, denominator=16, value=31.25, ci_low=14.164643854782035, ci_high=55.59564416525934,
              target_low=None, target_high=20, target_level="none", missing=0)
    got = by_key(qi.compute("qi:swehncr02", by=["region"], **COV_PERIOD), "region")
    check_row(got["01"], numerator=2, denominator=10, value=20.0, ci_low=5.6682151454375225,
              ci_high=50.98375284633582, target_level="high")
    check_row(got["03"], numerator=3, denominator=6, value=50.0, target_level="none")


def test_qi_suppressed_hides_missing_count(qi, by_key, check_suppressed, check_row):
    got = by_key(qi.compute("qi:nkbc04", by=["region"], min_n=7, **COV_PERIOD), "region")
    check_suppressed(got["03"], missing=None, target_low=90, target_high=99)
    check_row(got["01"], suppressed=False, missing=2)


def test_qi_period_and_provisional(qi, rows, check_row):
    (r,) = rows(qi.compute("qi:nkbc04", start="2023-01-01", end="2024-03-16"))
    check_row(r, numerator=15, denominator=16, provisional=True)
    (r,) = rows(qi.compute("qi:nkbc04", start="2023-05-02", end="2023-12-31"))
    check_row(r, suppressed=True, numerator=None, denominator=None, missing=None)


def test_qi_outcome_without_registration_reported(qi):
    rep = qi.validation_report()
    sub = rep[rep["table"] == "indicator_outcomes"]
    assert int(sub["rows"].sum()) == 1
    assert all(isinstance(s, str) and s.strip() for s in sub["reason"])


@pytest.mark.parametrize("kwargs", [{"by": ["register"]}, {"by": ["svf_code"]}, {"where": {"region": "99"}}])
def test_qi_bad_requests(qi, kwargs):
    with pytest.raises(ValueError):
        qi.compute("qi:nkbc04", **kwargs)


def test_qi_unknown_code(qi):
    with pytest.raises(ValueError):
        qi.compute("qi:nosuch01")


# Lower is better with two levels, from an overriding quality_indicators table (which replaces the
# bundled one: qi:nkbc04 no longer exists). x01: lower, low 30, high 20; 2 of 8 met = 25 % -> 'low'.
def test_qi_lower_two_levels_override(tmp_path, rows, check_row):
    qis = [{"indicator_code": "x01", "register_code": "nkbc", "name_sv": "Test", "direction": "lower",
            "target_low": 30, "target_high": 20}]
    regs = [reg(f"r{i}", "nkbc", None, "2023-05-01") for i in range(8)]
    outs = [outcome(f"r{i}", "x01", i < 2) for i in range(8)]
    ds = open_data(write_set(tmp_path, quality_indicators=qis, register_cases=regs, indicator_outcomes=outs))
    (r,) = rows(ds.compute("qi:x01", **COV_PERIOD))
    check_row(r, numerator=2, denominator=8, value=25.0, ci_low=7.147921275210902, ci_high=59.072456968983104,
              target_low=30, target_high=20, target_level="low", missing=0)
    with pytest.raises(ValueError):
        ds.compute("qi:nkbc04", **COV_PERIOD)


def test_reporting_provisional_boundary_and_default_period(rep90, rows, check_row):
    # extract date 2024-01-15 minus 3 months = 2023-10-15
    (r,) = rows(rep90.compute("register_reporting_90d", start="2023-01-01", end="2023-10-15"))
    check_row(r, numerator=17, denominator=21, provisional=False)
    (r,) = rows(rep90.compute("register_reporting_90d", start="2023-01-01", end="2023-10-16"))
    check_row(r, numerator=17, denominator=21, provisional=True)
    # default period: diagnosis dates 2023-03-01..2023-09-01 -> 2023-03-01..2023-09-30, not provisional
    (r,) = rows(rep90.compute("register_reporting_90d"))
    check_row(r, numerator=17, denominator=21, value=80.95238095238095, provisional=False)


def test_coverage_period_and_region_come_from_the_cancer_case(tmp_path, by_key, check_row):
    # cases in region 03 diagnosed 2023-01-05; their registrations say region 01 and diagnosis 2022-12-20
    cases = [case(f"c{i}", "C50.9", "2023-01-05", region="03") for i in range(5)]
    regs = [reg(f"r{i}", "nkbc", f"c{i}", "2022-12-20", region="01") for i in range(4)]
    ds = open_data(write_set(tmp_path, cancer_cases=cases, register_cases=regs))
    got = by_key(ds.compute("register_coverage", by=["region"], **COV_PERIOD), "region")
    assert list(got) == ["03"]
    check_row(got["03"], numerator=4, denominator=5, value=80.0)
