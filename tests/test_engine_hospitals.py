"""The hospital level (data-contract.md §9.4): `hospital` as a dimension of register_reporting_90d and
qi:CODE, codes missing from the `hospitals` table shown as their code, suppression and complementary
suppression per hospital, hospital names and the import report from the engine.

Expected numbers are worked out by hand in the comments and written literally. Wilson intervals:
p = k/n, z = 1.959963984540054, centre (p + z²/2n)/(1 + z²/n) ± z·sqrt(p(1−p)/n + z²/4n²)/(1 + z²/n).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from extract_builder import write_set
from indicators import QueryError, open_data
from indicators.engine import compute_quality_indicators
from indicators.suppression import apply_secondary_suppression

ROOT = Path(__file__).resolve().parents[1]
DX = "2023-05-10"  # extract 2025-03-15, maturity 3/12 months: not provisional
PERIOD = {"start": "2023-01-01", "end": "2023-12-31"}

HOSPITALS_CSV = (
    "hospital_code,hospital_name,region_code,status\n"
    "H1,Sjukhus Ett,01,sourced\n"
    'H2,"Sjukhus Två, Söder",01,placeholder\n'
    "H3,Sjukhus Tre,03,sourced\n"
)


def reg(rid: str, hospital: str, region: str = "01", after_days: int = 10):
    registered = (date.fromisoformat(DX) + timedelta(days=after_days)).isoformat()
    return {"registration_id": rid, "register_code": "nkbc", "case_id": None, "region_code": region,
            "hospital_code": hospital, "diagnosis_date": DX, "registered_date": registered}


def out(rid: str, met, code: str = "nkbc04"):
    return {"registration_id": rid, "indicator_code": code, "met": met}


# ---------------------------------------------------------------------------------------------
# H1 (region 01, in the table): a1-a6; a5 and a6 registered after 120 days -> reporting 4/6;
#     nkbc04 a1-a5 met, a6 not -> 5/6.
# H2 (region 01, in the table): b1-b3 within 90 days -> 3/3 (suppressed); nkbc04 b1 b2 met, b3 null
#     -> 2/2 with 1 missing (suppressed).
# H3 (region 03, in the table): c1-c5 within 90 days -> 5/5; nkbc04 c1-c3 met, c4 c5 not -> 3/5.
# H9 (region 01, NOT in the table): d1-d5 within 90 days -> 5/5; nkbc04 d1-d5 met -> 5/5.
# nkbc02: a1-a5 met (H1 5/5) only.
# ---------------------------------------------------------------------------------------------
def _rows_and_outcomes():
    regs = [reg(f"a{i}", "H1", after_days=120 if i >= 5 else 10) for i in range(1, 7)]
    regs += [reg(f"b{i}", "H2") for i in range(1, 4)]
    regs += [reg(f"c{i}", "H3", region="03") for i in range(1, 6)]
    regs += [reg(f"d{i}", "H9") for i in range(1, 6)]
    outs = [out(f"a{i}", i <= 5) for i in range(1, 7)] + [out("b1", True), out("b2", True), out("b3", None)]
    outs += [out(f"c{i}", i <= 3) for i in range(1, 6)] + [out(f"d{i}", True) for i in range(1, 6)]
    outs += [out(f"a{i}", True, "nkbc02") for i in range(1, 6)]
    return regs, outs


@pytest.fixture(scope="module")
def hosp_dir(tmp_path_factory) -> Path:
    regs, outs = _rows_and_outcomes()
    d = write_set(tmp_path_factory.mktemp("hosp"), register_cases=regs, indicator_outcomes=outs)
    (d / "hospitals.csv").write_text(HOSPITALS_CSV, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def hosp(hosp_dir):
    return open_data(hosp_dir)


def test_quality_indicator_by_hospital_keeps_unknown_codes(hosp, rows, check_row, check_suppressed,
                                                           result_columns):
    df = hosp.compute("qi:nkbc04", by=["hospital"], **PERIOD)
    assert list(df.columns) == ["hospital"] + result_columns
    got = rows(df)
    assert [r["hospital"] for r in got] == ["H1", "H2", "H3", "H9"]  # H9 is not in the table: its code
    check_row(got[0], numerator=5, denominator=6, value=83.33333333333334, ci_low=43.64971778135299,
              ci_high=96.99466302516934, target_low=90, target_high=99, target_level="none", missing=0,
              suppressed=False)
    check_suppressed(got[1], missing=None)  # 2 with met set (< 5); its missing count is hidden too
    check_row(got[2], numerator=3, denominator=5, value=60.0, ci_low=23.07242812760128, ci_high=88.2379225767352,
              missing=0, suppressed=False)
    check_row(got[3], numerator=5, denominator=5, value=100.0, ci_low=56.551753521682514, ci_high=100.0,
              target_level="high", suppressed=False)


def test_reporting_speed_by_hospital(hosp, rows, check_row, check_suppressed):
    got = rows(hosp.compute("register_reporting_90d", by=["hospital"], **PERIOD))
    assert [r["hospital"] for r in got] == ["H1", "H2", "H3", "H9"]
    check_row(got[0], numerator=4, denominator=6, value=66.66666666666666, ci_low=29.999331513839202,
              ci_high=90.32285888942195, target_low=80, target_high=90, target_level="none")
    check_suppressed(got[1])  # 3 registrations
    check_row(got[2], numerator=5, denominator=5, value=100.0)
    check_row(got[3], numerator=5, denominator=5, value=100.0)


def test_hospital_with_region(hosp, by_key, check_row, check_suppressed):
    got = by_key(hosp.compute("qi:nkbc04", by=["region", "hospital"], **PERIOD), "region", "hospital")
    assert sorted(got) == [("01", "H1"), ("01", "H2"), ("01", "H9"), ("03", "H3")]
    check_row(got[("01", "H1")], numerator=5, denominator=6)
    check_suppressed(got[("01", "H2")])
    check_row(got[("03", "H3")], numerator=3, denominator=5)


def test_complementary_suppression_within_the_hospitals_region(hosp, rows, check_row, check_suppressed):
    # H2 (region 01) is the only suppressed hospital of region 01 among the table's hospitals: its
    # partner is the smallest shown hospital of the same region, H1 (6). H3 (region 03) and H9 (not in
    # the table, a group of its own) stay shown; over all hospitals two are now suppressed.
    got = rows(hosp.compute("qi:nkbc04", by=["hospital"], secondary=True, **PERIOD))
    assert [r["hospital"] for r in got] == ["H1", "H2", "H3", "H9"]
    check_suppressed(got[0])
    check_suppressed(got[1])
    check_row(got[2], numerator=3, denominator=5, suppressed=False)
    check_row(got[3], numerator=5, denominator=5, suppressed=False)


def test_secondary_suppression_partner_in_same_hospital_region():
    # Four hospitals: A (region 01, 3: suppressed), B (01, 40), C (03, 6), D (03, 7). Without the
    # hospital's region the partner would be C (smallest shown, 6); within region 01 it is B.
    frame = pd.DataFrame({"hospital": ["A", "B", "C", "D"], "suppressed": [True, False, False, False]})
    den = pd.Series([3, 40, 6, 7])
    assert list(apply_secondary_suppression(frame, ["hospital"], den)) == [True, False, True, False]
    parents = {"A": "01", "B": "01", "C": "03", "D": "03"}
    assert list(apply_secondary_suppression(frame, ["hospital"], den, hospital_parent=parents)) == \
        [True, True, False, False]


def test_where_hospital(hosp, rows, check_row):
    (r,) = rows(hosp.compute("qi:nkbc04", where={"hospital": "H9"}, **PERIOD))
    check_row(r, numerator=5, denominator=5, value=100.0)
    # H1 and H3: 5 + 3 met of 6 + 5 -> 8/11
    (r,) = rows(hosp.compute("qi:nkbc04", where={"hospital": ["H1", "H3"]}, **PERIOD))
    check_row(r, numerator=8, denominator=11, value=72.72727272727273, ci_low=43.43546988238708,
              ci_high=90.2539407099751)
    with pytest.raises(QueryError, match="okänt värde för hospital"):
        hosp.compute("qi:nkbc04", where={"hospital": "H7"})


def test_hospital_not_a_dimension_of_other_indicators(hosp):
    with pytest.raises(QueryError, match="dimensionen hospital finns inte för register_coverage"):
        hosp.compute("register_coverage", by=["hospital"])


def test_all_quality_indicators_of_a_register_by_hospital(hosp):
    batch = compute_quality_indicators(hosp, "nkbc", by=["hospital"], **PERIOD)
    for ind_id in ("qi:nkbc04", "qi:nkbc02"):
        pd.testing.assert_frame_equal(batch[ind_id], hosp.compute(ind_id, by=["hospital"], **PERIOD))
    # nkbc02: only H1 has outcomes (5/5)
    assert list(batch["qi:nkbc02"]["hospital"]) == ["H1"]


def test_hospital_names_from_the_sets_own_table(hosp):
    assert hosp.hospital_names() == {"H1": "Sjukhus Ett", "H2": "Sjukhus Två, Söder", "H3": "Sjukhus Tre"}
    ref = hosp.reference("hospitals")
    assert list(ref["status"]) == ["sourced", "placeholder", "sourced"]


def test_bundled_hospital_names(tmp_path):
    ds = open_data(write_set(tmp_path / "x"))
    names = ds.hospital_names()
    assert names["12001"] == "Akademiska sjukhuset"
    assert len(names) == len(ds.reference("hospitals"))


def test_hospitals_table_with_unknown_region_fails_alone(tmp_path, rows, check_row):
    regs, outs = _rows_and_outcomes()
    d = write_set(tmp_path / "bad", register_cases=regs, indicator_outcomes=outs)
    (d / "hospitals.csv").write_text("hospital_code,hospital_name,region_code\nH1,Ett,01\nH2,Två,99\n",
                                     encoding="utf-8")
    ds = open_data(d)
    report = ds.validation_report()
    (msg,) = report.loc[report["table"] == "hospitals", "reason"]
    assert "region_code '99'" in msg and "okänd region" in msg
    assert ds.hospital_names() == {}
    got = rows(ds.compute("qi:nkbc04", by=["hospital"], **PERIOD))
    assert [r["hospital"] for r in got] == ["H1", "H2", "H3", "H9"]
    check_row(got[0], numerator=5, denominator=6)


def test_duplicate_hospital_code_fails_the_table(tmp_path):
    d = write_set(tmp_path / "dup")
    (d / "hospitals.csv").write_text("hospital_code,hospital_name,region_code\nH1,Ett,01\nH1,Två,01\n",
                                     encoding="utf-8")
    report = open_data(d).validation_report()
    (msg,) = report.loc[report["table"] == "hospitals", "reason"]
    assert "hospital_code 'H1' förekommer flera gånger" in msg


def test_import_report_empty_without_file(hosp):
    df = hosp.import_report()
    assert list(df.columns) == ["source", "reason", "rows"] and df.empty


def test_import_report_read(tmp_path):
    d = write_set(tmp_path / "rep")
    (d / "import_report.csv").write_text(
        "source,reason,rows\nkva.csv,uppföljningskod 25 (används inte),12\nkva.csv,\"okänd region, 99\",3\n",
        encoding="utf-8")
    df = open_data(d).import_report()
    assert df.to_dict("records") == [
        {"source": "kva.csv", "reason": "uppföljningskod 25 (används inte)", "rows": 12},
        {"source": "kva.csv", "reason": "okänd region, 99", "rows": 3},
    ]
    assert str(df["rows"].dtype) == "Int64"


def test_command_line_by_hospital(hosp_dir):
    done = subprocess.run([sys.executable, "-m", "indicators", "compute", "qi:nkbc04", "--data", str(hosp_dir),
                           "--by", "hospital", "--from", "2023-01-01", "--to", "2023-12-31"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("hospital,numerator,denominator,value")
    assert [line.split(",")[:3] for line in lines[1:]] == [["H1", "5", "6"], ["H2", "", ""], ["H3", "3", "5"],
                                                           ["H9", "5", "5"]]
    done = subprocess.run([sys.executable, "-m", "indicators", "compute", "qi:nkbc04", "--data", str(hosp_dir),
                           "--where", "hospital=H7"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "hospital" in done.stderr
