"""rcl_coverage, rcl_direct_transfer and rcl_starts_per_100k (data-contract.md §5, §6, §7).

Expected numbers are worked out by hand in the comments and written literally.
"""

from __future__ import annotations

import pandas as pd
import pytest

from extract_builder import write_set
from indicators import open_data


def drug(tid: str, region: str, start: str, substance: str, icd: str, in_rcl: bool, direct):
    return {"treatment_id": tid, "region_code": region, "start_date": start, "substance": substance, "icd10": icd,
            "in_rcl": in_rcl, "direct_transfer": direct}


def pop(region: str, year: int, sex: str, age_group: str, n: int):
    return {"region_code": region, "year": year, "sex": sex, "age_group": age_group, "population": n}


# ---------------------------------------------------------------------------------------------
# D1. Starts in March 2024 (extract 2025-03-15, maturity 3 -> provisional after 2024-12-15).
#  region 01: pembrolizumab C34.1 (lunga) x6: (in_rcl, direct) = (T,T) (T,T) (T,T) (T,F) (T,null) (F,T)
#             trastuzumab (brost) x5, spelled C50.9 / c509 / ' C50 ' / c50.1 / D05.1: (T,T)
#  region 03: pembrolizumab C43.9 (melanom) x5: (T,T) (T,T) (T,F) (T,F) (F,null)
#             nivolumab C44.9 (no pathway) x5: (T,F)
# coverage: 19/21; 01 10/11, 03 9/10; brost 5/5, lunga 5/6, melanom 4/5, (none) 5/5.
# direct transfer (in_rcl and direct not null): 01 lunga 3/4, brost 5/5; 03 melanom 2/4, nivolumab 0/5
#   -> 10/18; 01 8/9, 03 2/9.
# ---------------------------------------------------------------------------------------------
RCL_PERIOD = {"start": "2024-01-01", "end": "2024-06-30"}


@pytest.fixture(scope="module")
def d1(tmp_path_factory):
    rows = []
    for i, (inr, dt) in enumerate([(True, True), (True, True), (True, True), (True, False), (True, None),
                                   (False, True)]):
        rows.append(drug(f"l{i}", "01", "2024-03-05", "pembrolizumab", "C34.1", inr, dt))
    for i, icd in enumerate(["C50.9", "c509", " C50 ", "c50.1", "D05.1"]):
        rows.append(drug(f"b{i}", "01", "2024-03-06", "trastuzumab", icd, True, True))
    for i, (inr, dt) in enumerate([(True, True), (True, True), (True, False), (True, False), (False, None)]):
        rows.append(drug(f"m{i}", "03", "2024-03-07", "pembrolizumab", "C43.9", inr, dt))
    for i in range(5):
        rows.append(drug(f"n{i}", "03", "2024-03-08", "nivolumab", "C44.9", True, False))
    return open_data(write_set(tmp_path_factory.mktemp("rcl"), drug_treatments=rows))


def test_coverage_riket(d1, rows, check_row, result_columns):
    df = d1.compute("rcl_coverage", **RCL_PERIOD)
    assert list(df.columns) == result_columns
    (r,) = rows(df)
    check_row(r, numerator=19, denominator=21, value=90.47619047619048, ci_low=71.08586092608175,
              ci_high=97.34812325619255, target_low=None, target_high=85, target_level="high", suppressed=False,
              provisional=False, placeholder_target=None, missing=None)


def test_coverage_by_region(d1, rows, check_row):
    got = rows(d1.compute("rcl_coverage", by=["region"], **RCL_PERIOD))
    assert [r["region"] for r in got] == ["01", "03"]
    check_row(got[0], numerator=10, denominator=11, value=90.9090909090909, ci_low=62.26415635484044,
              ci_high=98.37678271141151, target_level="high")
    check_row(got[1], numerator=9, denominator=10, value=90.0, target_level="high")


def test_coverage_by_svf_code_via_icd10_empty_last(d1, rows, check_row):
    got = rows(d1.compute("rcl_coverage", by=["svf_code"], **RCL_PERIOD))
    assert [r["svf_code"] for r in got][:3] == ["brost", "lunga", "melanom"]
    assert len(got) == 4
    check_row(got[3], svf_code=None, numerator=5, denominator=5, value=100.0)  # C44.9: no pathway, sorted last
    check_row(got[0], numerator=5, denominator=5, value=100.0, target_level="high")
    check_row(got[1], numerator=5, denominator=6, value=83.33333333333333, ci_low=43.64971778135299,
              ci_high=96.99466302516933, target_level="none")
    check_row(got[2], numerator=4, denominator=5, value=80.0, target_level="none")


def test_sort_two_columns_empty_last(d1, rows):
    got = rows(d1.compute("rcl_coverage", by=["region", "svf_code"], **RCL_PERIOD))
    keys = [(r["region"], None if pd.isna(r["svf_code"]) else r["svf_code"]) for r in got]
    assert keys == [("01", "brost"), ("01", "lunga"), ("03", "melanom"), ("03", None)]
    got = rows(d1.compute("rcl_coverage", by=["svf_code", "region"], **RCL_PERIOD))
    keys = [(None if pd.isna(r["svf_code"]) else r["svf_code"], r["region"]) for r in got]
    assert keys == [("brost", "01"), ("lunga", "01"), ("melanom", "03"), (None, "03")]


def test_coverage_by_substance(d1, by_key, check_row):
    got = by_key(d1.compute("rcl_coverage", by=["substance"], **RCL_PERIOD), "substance")
    assert list(got) == ["nivolumab", "pembrolizumab", "trastuzumab"]
    check_row(got["pembrolizumab"], numerator=9, denominator=11, value=81.81818181818181)
    check_row(got["nivolumab"], numerator=5, denominator=5)


def test_coverage_where(d1, rows, check_row):
    (r,) = rows(d1.compute("rcl_coverage", where={"svf_code": "lunga", "region": "01"}, **RCL_PERIOD))
    check_row(r, numerator=5, denominator=6)
    (r,) = rows(d1.compute("rcl_coverage", where={"svf_code": ["brost", "melanom"]}, **RCL_PERIOD))
    check_row(r, numerator=9, denominator=10, value=90.0)
    (r,) = rows(d1.compute("rcl_coverage", where={"substance": "pembrolizumab", "region": "03"}, **RCL_PERIOD))
    check_row(r, numerator=4, denominator=5)


def test_substance_is_free_text(d1, rows, check_row):
    # an unseen substance is not an unknown value (contract §7): the result is just empty
    got = rows(d1.compute("rcl_coverage", where={"substance": "okänd substans"}, **RCL_PERIOD))
    assert len(got) == 1
    check_row(got[0], suppressed=True, numerator=None)


def test_coverage_provisional_3_months(d1, rows, check_row):
    (r,) = rows(d1.compute("rcl_coverage", start="2024-01-01", end="2024-12-15"))
    check_row(r, provisional=False, numerator=19)
    (r,) = rows(d1.compute("rcl_coverage", start="2024-01-01", end="2024-12-16"))
    check_row(r, provisional=True, numerator=19)


def test_direct_transfer(d1, rows, by_key, check_row, check_suppressed):
    (r,) = rows(d1.compute("rcl_direct_transfer", **RCL_PERIOD))
    check_row(r, numerator=10, denominator=18, value=55.55555555555556, ci_low=33.716415642042776,
              ci_high=75.44048187299437, target_low=None, target_high=None, target_level=None, suppressed=False,
              placeholder_target=None, missing=None)
    got = by_key(d1.compute("rcl_direct_transfer", by=["region"], **RCL_PERIOD), "region")
    check_row(got["01"], numerator=8, denominator=9, value=88.88888888888889, ci_low=56.50002944233439,
              ci_high=98.0109112361455)
    check_row(got["03"], numerator=2, denominator=9, value=22.22222222222222, ci_low=6.3225107117846715,
              ci_high=54.74110308930111)
    svf = by_key(d1.compute("rcl_direct_transfer", by=["svf_code"], **RCL_PERIOD), "svf_code")
    check_suppressed(svf["lunga"], target_high=None)      # 3/4
    check_suppressed(svf["melanom"])                      # 2/4
    check_row(svf["brost"], numerator=5, denominator=5)
    check_row(svf[None], numerator=0, denominator=5, value=0.0, suppressed=False)


@pytest.mark.parametrize("ind", ["rcl_coverage", "rcl_direct_transfer"])
@pytest.mark.parametrize("dim", ["treatment_type", "register", "sex"])
def test_rcl_dimension_not_allowed(d1, ind, dim):
    with pytest.raises(ValueError):
        d1.compute(ind, by=[dim], **RCL_PERIOD)


# ---------------------------------------------------------------------------------------------
# D2: rcl_starts_per_100k. Population (summed over sex and age group), for all 21 regions:
#   01: 2023 120 000, 2024 240 000;  03: 2023 60 000, 2024 60 000;  the 19 others: 20 000 each year.
#   Riket: 2023 560 000, 2024 680 000.  Mellansverige (03 04 17 18 19 20 21): 2024 180 000.
# Starts in RCL: 01: 2023-09-10 x4, 2024-01-10 x2, 2024-02-10 x2, 2024-03-10, 2024-03-20 (+2 not in RCL, Feb);
#                03: 2024-02-05 x3.
# ---------------------------------------------------------------------------------------------
OTHER_REGIONS = ["04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21", "22",
                 "23", "24", "25"]


@pytest.fixture(scope="module")
def d2(tmp_path_factory):
    population = [pop("01", 2023, "M", "00-39", 50000), pop("01", 2023, "K", "00-39", 70000),
                  pop("01", 2024, "M", "40-49", 100000), pop("01", 2024, "K", "80+", 140000),
                  pop("03", 2023, "K", "60-69", 60000), pop("03", 2024, "M", "70-79", 25000),
                  pop("03", 2024, "K", "50-59", 35000)]
    population += [pop(r, y, "K", "00-39", 20000) for r in OTHER_REGIONS for y in (2023, 2024)]
    starts = [drug(f"a{i}", "01", "2023-09-10", "x", "C50.9", True, True) for i in range(4)]
    starts += [drug(f"b{i}", "01", "2024-01-10", "x", "C50.9", True, True) for i in range(2)]
    starts += [drug(f"c{i}", "01", "2024-02-10", "x", "C50.9", True, None) for i in range(2)]
    starts += [drug("d0", "01", "2024-03-10", "x", "C61", True, False), drug("d1", "01", "2024-03-20", "x", "C61",
                                                                            True, True)]
    starts += [drug(f"e{i}", "01", "2024-02-15", "x", "C61", False, None) for i in range(2)]
    starts += [drug(f"f{i}", "03", "2024-02-05", "x", "C34", True, True) for i in range(3)]
    return open_data(write_set(tmp_path_factory.mktemp("rate"), drug_treatments=starts, population=population))


def test_rate_riket_quarter(d2, rows, check_row, result_columns):
    # Q1 2024: 9 starts; all regions' inhabitants 680 000 x 3/12 = 170 000 (regions without starts count too)
    df = d2.compute("rcl_starts_per_100k", start="2024-01-01", end="2024-03-31")
    assert list(df.columns) == result_columns
    (r,) = rows(df)
    check_row(r, numerator=9, denominator=170000, value=5.294117647058823, ci_low=None, ci_high=None,
              target_low=None, target_high=None, target_level=None, suppressed=False, provisional=False,
              placeholder_target=None, missing=None)


def test_rate_by_region(d2, by_key, rows, check_row, check_suppressed):
    got = by_key(d2.compute("rcl_starts_per_100k", by=["region"], start="2024-01-01", end="2024-03-31"), "region")
    check_row(got["01"], numerator=6, denominator=60000, value=10.0)   # 240 000 x 3/12
    # 03: 3 starts among 15 000 inhabitants. A rate with 1-4 starts is suppressed like inclusion (the
    # project's deliberate extension of contract §6: value x inhabitants would give the count back)
    check_suppressed(got["03"])
    # Mellansverige: 180 000 x 3/12 = 45 000 inhabitants, 3 starts (all in 03): suppressed too
    (r,) = rows(d2.compute("rcl_starts_per_100k", where={"healthcare_region": "Mellansverige"}, start="2024-01-01",
                           end="2024-03-31"))
    check_suppressed(r)
    (r,) = rows(d2.compute("rcl_starts_per_100k", where={"region": ["01", "03"]}, start="2024-01-01",
                           end="2024-03-31"))
    check_row(r, numerator=9, denominator=75000, value=12.0)


def test_rate_period_must_be_whole_months(d2, rows, check_row):
    # A partial month would put its starts in the numerator but none of its inhabitants in the
    # denominator (whole months only), so the period must be whole months, as for inclusion.
    with pytest.raises(ValueError, match="månads"):
        d2.compute("rcl_starts_per_100k", start="2024-01-01", end="2024-03-15")
    # Jan + Feb: 680 000 x 2/12 = 113 333.33; starts in Jan-Feb: 6 (01) + 3 (03) = ... 2+2+3 = 7
    (r,) = rows(d2.compute("rcl_starts_per_100k", start="2024-01-01", end="2024-02-29"))
    check_row(r, numerator=7, denominator=113333.33333333333, value=6.176470588235294)
    # region 01 only: 240 000 x 2/12 = 40 000; 4 starts -> 1-4 starts are suppressed
    (r,) = rows(d2.compute("rcl_starts_per_100k", where={"region": "01"}, start="2024-01-01", end="2024-02-29"))
    assert r["suppressed"]


def test_rate_two_years(d2, rows, check_row, check_suppressed):
    # 2023-07..2024-06: 2023 part 560 000 x 6/12 = 280 000, 4 starts; 2024 part 680 000 x 6/12 = 340 000, 9 starts
    period = {"start": "2023-07-01", "end": "2024-06-30"}
    (r,) = rows(d2.compute("rcl_starts_per_100k", **period))
    check_row(r, numerator=13, denominator=620000, value=2.096774193548387)
    got = rows(d2.compute("rcl_starts_per_100k", by=["year"], **period))
    assert [str(g["year"]) for g in got] == ["2023", "2024"]
    check_suppressed(got[0])  # 4 starts (280 000 inhabitants): suppressed
    check_row(got[1], numerator=9, denominator=340000, value=2.6470588235294117)
    q = {g["quarter"]: g for g in rows(d2.compute("rcl_starts_per_100k", by=["quarter"], **period))}
    check_suppressed(q["2023-Q3"])  # 4 starts
    check_row(q["2024-Q1"], numerator=9, denominator=170000, value=5.294117647058823)
    reg = {(g["region"], str(g["year"])): g for g in rows(d2.compute("rcl_starts_per_100k", by=["region", "year"],
                                                                      **period))}
    check_suppressed(reg[("01", "2023")])  # 4 starts
    check_row(reg[("01", "2024")], numerator=5 + 1, denominator=120000, value=5.0)


@pytest.mark.parametrize("dim", ["svf_code", "substance", "treatment_type"])
def test_rate_dimension_not_allowed(d2, dim):
    with pytest.raises(ValueError):
        d2.compute("rcl_starts_per_100k", by=[dim], start="2024-01-01", end="2024-03-31")
