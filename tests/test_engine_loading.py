"""Loading an extract set and the validation report (data-contract.md §1, §4, §8).

Each row rule of §4 gets its own tiny set, so the report must hold exactly one table with the
hand-counted number of rows and a non-empty reason.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract_builder import case, episode, table, write_set
from indicators import DataError, open_data

PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


def ep(eid="e1", **kw):
    row = episode(eid, "brost", "2024-03-01", "2024-03-11", "50")
    row.update(kw)
    return row


def cc(cid="c1", **kw):
    row = case(cid, "C50.9", "2023-05-01")
    row.update(kw)
    return row


def rg(rid="r1", **kw):
    row = {"registration_id": rid, "register_code": "nkbc", "case_id": None, "region_code": "01",
           "hospital_code": "H1", "diagnosis_date": "2023-05-01", "registered_date": "2023-05-20"}
    row.update(kw)
    return row


def oc(rid="r1", **kw):
    row = {"registration_id": rid, "indicator_code": "nkbc04", "met": True}
    row.update(kw)
    return row


def dt(tid="t1", **kw):
    row = {"treatment_id": tid, "region_code": "01", "start_date": "2024-03-01", "substance": "x", "icd10": "C50",
           "in_rcl": True, "direct_transfer": True}
    row.update(kw)
    return row


def pp(**kw):
    row = {"region_code": "01", "year": 2024, "sex": "K", "age_group": "00-39", "population": 1000}
    row.update(kw)
    return row


# (id, tables for write_set, table expected in the report, rows expected). Extract date 2025-03-15.
RULES = [
    # key column null, or naming something missing from the reference tables
    ("episode_id null", {"svf_episodes": [ep(), ep(episode_id=None)]}, "svf_episodes", 1),
    ("person_id null", {"svf_episodes": [ep(), ep("e2", person_id=None)]}, "svf_episodes", 1),
    ("case region null", {"cancer_cases": [cc(), cc("c2", region_code=None)]}, "cancer_cases", 1),
    ("case region unknown", {"cancer_cases": [cc(), cc("c2", region_code="99")]}, "cancer_cases", 1),
    ("episode region unknown", {"svf_episodes": [ep(), ep("e2", region_code="02")]}, "svf_episodes", 1),
    ("svf_code null", {"svf_episodes": [ep(), ep("e2", svf_code=None)]}, "svf_episodes", 1),
    ("svf_code unknown", {"svf_episodes": [ep(), ep("e2", svf_code="nosuch")]}, "svf_episodes", 1),
    ("register unknown", {"register_cases": [rg(), rg("r2", register_code="nosuch")]}, "register_cases", 1),
    ("register null", {"register_cases": [rg(), rg("r2", register_code=None)]}, "register_cases", 1),
    ("indicator unknown", {"register_cases": [rg()], "indicator_outcomes": [oc(), oc(indicator_code="zz01")]},
     "indicator_outcomes", 1),
    ("outcome registration null", {"register_cases": [rg()], "indicator_outcomes": [oc(), oc(None)]},
     "indicator_outcomes", 1),
    ("drug region unknown", {"drug_treatments": [dt(), dt("t2", region_code="99")]}, "drug_treatments", 1),
    ("drug id null", {"drug_treatments": [dt(), dt(None)]}, "drug_treatments", 1),
    ("population region unknown", {"population": [pp(), pp(region_code="99")]}, "population", 1),
    # duplicate unique ids: every copy
    ("episode id x3", {"svf_episodes": [ep(), ep("d"), ep("d"), ep("d")]}, "svf_episodes", 3),
    ("case id x2", {"cancer_cases": [cc(), cc("d"), cc("d")]}, "cancer_cases", 2),
    ("registration id x2", {"register_cases": [rg(), rg("d"), rg("d")]}, "register_cases", 2),
    ("treatment id x2", {"drug_treatments": [dt(), dt("d"), dt("d")]}, "drug_treatments", 2),
    # date order
    ("end before start", {"svf_episodes": [ep(), ep("e2", end_date="2024-02-28")]}, "svf_episodes", 1),
    ("registered before diagnosis", {"register_cases": [rg(), rg("r2", registered_date="2023-04-30")]},
     "register_cases", 1),
    # end_date / end_code
    ("end code without date", {"svf_episodes": [ep(), ep("e2", end_date=None)]}, "svf_episodes", 1),
    ("end date without code", {"svf_episodes": [ep(), ep("e2", end_code=None)]}, "svf_episodes", 1),
    ("unknown end code", {"svf_episodes": [ep(), ep("e2", end_code="51"), ep("e3", end_code="5")]},
     "svf_episodes", 2),
    # dates after the extract date or before 1958-01-01
    ("episode end after extract", {"svf_episodes": [ep(), ep("e2", start_date="2025-03-10", end_date="2025-03-16")]},
     "svf_episodes", 1),
    ("case after extract", {"cancer_cases": [cc(), cc("c2", diagnosis_date="2025-03-16")]}, "cancer_cases", 1),
    ("drug after extract", {"drug_treatments": [dt(), dt("t2", start_date="2025-03-16")]}, "drug_treatments", 1),
    ("registered after extract", {"register_cases": [rg(), rg("r2", registered_date="2025-03-16")]},
     "register_cases", 1),
    ("case before 1958", {"cancer_cases": [cc(), cc("c2", diagnosis_date="1957-12-31")]}, "cancer_cases", 1),
    ("episode before 1958", {"svf_episodes": [ep(), ep("e2", start_date="1957-12-31", end_date=None,
                                                        end_code=None)]}, "svf_episodes", 1),
    # sex and age
    ("case sex X", {"cancer_cases": [cc(), cc("c2", sex="X")]}, "cancer_cases", 1),
    ("episode sex k", {"svf_episodes": [ep(), ep("e2", sex="k")]}, "svf_episodes", 1),
    ("population sex X", {"population": [pp(), pp(sex="X")]}, "population", 1),
    ("age 121", {"cancer_cases": [cc(), cc("c2", age=121)]}, "cancer_cases", 1),
    ("age -1", {"svf_episodes": [ep(), ep("e2", age=-1)]}, "svf_episodes", 1),
    # another column not marked nullable is null
    ("icd10 null", {"cancer_cases": [cc(), cc("c2", icd10=None)]}, "cancer_cases", 1),
    ("diagnosis_date null", {"cancer_cases": [cc(), cc("c2", diagnosis_date=None)]}, "cancer_cases", 1),
    ("extended_workup null", {"svf_episodes": [ep(), ep("e2", extended_workup=None)]}, "svf_episodes", 1),
    ("start_date null", {"svf_episodes": [ep(), ep("e2", start_date=None)]}, "svf_episodes", 1),
    ("hospital null", {"register_cases": [rg(), rg("r2", hospital_code=None)]}, "register_cases", 1),
    ("in_rcl null", {"drug_treatments": [dt(), dt("t2", in_rcl=None)]}, "drug_treatments", 1),
    ("substance null", {"drug_treatments": [dt(), dt("t2", substance=None)]}, "drug_treatments", 1),
    ("population null", {"population": [pp(), pp(region_code="03", population=None)]}, "population", 1),
    ("year null", {"population": [pp(), pp(region_code="03", year=None)]}, "population", 1),
    # an outcome whose registration is not in register_cases
    ("outcome without registration", {"register_cases": [rg()], "indicator_outcomes": [oc(), oc("r9")]},
     "indicator_outcomes", 1),
]


def _rounds(rules):
    """Pack the rules into as few sets as possible, at most one rule per table in each set, so that
    every table's report rows in a set come from exactly one rule."""
    by_table: dict[str, list] = {}
    for rule in rules:
        by_table.setdefault(rule[2], []).append(rule)
    rounds = []
    for i in range(max(len(v) for v in by_table.values())):
        rounds.append([v[i] for v in by_table.values() if i < len(v)])
    return rounds


def _merge(round_rules):
    tables: dict[str, list] = {}
    for _, t, table_name, _ in round_rules:
        for name, rows in t.items():
            if name == table_name or name not in tables:
                tables[name] = rows
    return tables


ROUNDS = _rounds(RULES)


@pytest.mark.parametrize("round_rules", ROUNDS, ids=[" + ".join(r[0] for r in rr) for rr in ROUNDS])
def test_row_rules_reported(tmp_path, round_rules):
    ds = open_data(write_set(tmp_path, **_merge(round_rules)))
    rep = ds.validation_report()
    assert list(rep.columns) == ["table", "reason", "rows"]
    assert set(rep["table"]) == {r[2] for r in round_rules}, rep
    assert all(isinstance(r, str) and r.strip() for r in rep["reason"]), rep
    for rule_id, _, table_name, n in round_rules:
        assert int(rep.loc[rep["table"] == table_name, "rows"].sum()) == n, (rule_id, rep)


def test_valid_edge_rows_not_reported(tmp_path):
    tables = {
        "svf_episodes": [ep(age=0), ep("e2", age=120, home_region_code=None),
                         ep("e3", start_date="1958-01-01", end_date=None, end_code=None),
                         ep("e4", start_date="2025-03-01", end_date="2025-03-15")],   # ends on the extract date
        "cancer_cases": [cc(sex="M"), cc("c2", diagnosis_date="1958-01-01")],
        "register_cases": [rg(case_id=None), rg("r2", registered_date="2023-05-01")],  # same day
        "indicator_outcomes": [oc(met=None), oc("r2", met=False)],
        "drug_treatments": [dt(direct_transfer=None), dt("t2", in_rcl=False, direct_transfer=None)],
        "population": [pp(), pp(sex="M", age_group="80+")],
    }
    for code in ["50", "52", "54", "58", "59", "60", "70", "72", "73", "74", "76", "78"]:
        tables["svf_episodes"].append(ep(f"c{code}", end_code=code))
    ds = open_data(write_set(tmp_path, **tables))
    rep = ds.validation_report()
    # brost '73' has no target: that one may be counted (as a no-target episode), nothing else
    assert int(rep["rows"].fillna(0).sum()) <= 1, rep
    assert set(rep["table"]) <= {"svf_episodes"}, rep


def test_bad_rows_left_out_of_every_indicator(tmp_path, rows, check_row):
    # t0..t6, t6 not in RCL; a second t0 throws out both copies; bad1 unknown region; bad2 after the
    # extract date -> t1..t6 remain: 5/6
    drugs = [dt(f"t{i}", in_rcl=i != 6) for i in range(7)]
    drugs += [dt("bad1", region_code="99"), dt("bad2", start_date="2025-04-01"), dt("t0")]
    ds = open_data(write_set(tmp_path, drug_treatments=drugs))
    (r,) = rows(ds.compute("rcl_coverage", **PERIOD))
    check_row(r, numerator=5, denominator=6, value=83.33333333333333)
    rep = ds.validation_report()
    assert set(rep["table"]) == {"drug_treatments"}
    assert int(rep["rows"].sum()) == 4


# ---------------------------------------------------------------------------------------------
# Forms of a table, missing tables, failed loads
# ---------------------------------------------------------------------------------------------
def _drugs(n=6):
    return [dt(f"t{i}", in_rcl=i != 0) for i in range(n)]  # 5 of 6 in RCL


def test_table_in_two_forms_is_an_error_naming_it(tmp_path, rows, check_row):
    d = write_set(tmp_path, svf_episodes=[ep(f"e{i}") for i in range(5)], drug_treatments=_drugs())
    (d / "svf_episodes").mkdir()
    pq.write_table(table("svf_episodes", [ep("x")]), d / "svf_episodes" / "part-0.parquet")
    ds = open_data(d)
    with pytest.raises(DataError) as exc:
        ds.compute("svf_within_target", **PERIOD)
    assert "svf_episodes" in str(exc.value)
    assert isinstance(exc.value, ValueError)
    rep = ds.validation_report()
    assert "svf_episodes" in set(rep["table"])
    (r,) = rows(ds.compute("rcl_coverage", **PERIOD))           # the other indicators still work
    check_row(r, numerator=5, denominator=6)


def test_reference_table_in_two_forms(tmp_path, rows, check_row):
    d = write_set(tmp_path, drug_treatments=_drugs())
    csv_text = "svf_code,svf_name,icd10_prefixes\nbrost,Bröstcancer,C50\n"
    (d / "svf_pathways.csv").write_text(csv_text, encoding="utf-8")
    pq.write_table(table("svf_pathways", [{"svf_code": "brost", "svf_name": "B", "icd10_prefixes": "C50"}]),
                   d / "svf_pathways.parquet")
    ds = open_data(d)
    assert "svf_pathways" in set(ds.validation_report()["table"])
    with pytest.raises(DataError) as exc:
        ds.compute("rcl_coverage", **PERIOD)                    # needs svf_pathways
    assert "svf_pathways" in str(exc.value)
    (r,) = rows(ds.compute("register_reporting_90d", **PERIOD))  # does not need it
    check_row(r, suppressed=True)


def test_missing_table_only_breaks_indicators_that_need_it(tmp_path, rows, check_row):
    d = write_set(tmp_path, empty_missing=False, svf_episodes=[ep(f"e{i}") for i in range(5)])
    ds = open_data(d)
    for ind, needed in [("rcl_coverage", "drug_treatments"), ("rcl_starts_per_100k", None),
                        ("register_coverage", None), ("qi:nkbc04", None), ("svf_inclusion", "cancer_cases")]:
        with pytest.raises(DataError) as exc:
            ds.compute(ind)
        if needed:
            assert needed in str(exc.value), (ind, str(exc.value))
    (r,) = rows(ds.compute("svf_within_target", **PERIOD))
    check_row(r, numerator=5, denominator=5, value=100.0)


def test_missing_population_named(tmp_path):
    ds = open_data(write_set(tmp_path, empty_missing=False, drug_treatments=_drugs()))
    with pytest.raises(DataError) as exc:
        ds.compute("rcl_starts_per_100k", **PERIOD)
    assert "population" in str(exc.value)


def _parquet(path, columns: dict):
    pq.write_table(pa.table(columns), path)


def _episode_columns(**override):
    cols = {
        "episode_id": pa.array(["e1", "e2", "e3", "e4", "e5"]),
        "person_id": pa.array(["p1", "p2", "p3", "p4", "p5"]),
        "region_code": pa.array(["01"] * 5),
        "home_region_code": pa.array([None] * 5, type=pa.string()),
        "svf_code": pa.array(["brost"] * 5),
        "start_date": pa.array([date(2024, 3, 1)] * 5, type=pa.date32()),
        "end_date": pa.array([date(2024, 3, 1) + timedelta(days=d) for d in (10, 20, 28, 29, 40)], type=pa.date32()),
        "end_code": pa.array(["50"] * 5),
        "extended_workup": pa.array([False] * 5),
        "sex": pa.array(["K"] * 5),
        "age": pa.array([60] * 5, type=pa.int32()),
    }
    cols.update(override)
    return {k: v for k, v in cols.items() if v is not None}


def test_wrong_column_type_fails_the_table(tmp_path, rows, check_row):
    d = write_set(tmp_path, drug_treatments=_drugs())
    _parquet(d / "svf_episodes.parquet", _episode_columns(age=pa.array(["60"] * 5)))
    ds = open_data(d)
    with pytest.raises(DataError) as exc:
        ds.compute("svf_within_target", **PERIOD)
    msg = str(exc.value)
    assert "svf_episodes" in msg and "age" in msg, msg
    rep = ds.validation_report()
    assert "svf_episodes" in set(rep["table"])
    (r,) = rows(ds.compute("rcl_coverage", **PERIOD))
    check_row(r, numerator=5, denominator=6)


def test_missing_required_column_fails_the_table(tmp_path):
    d = write_set(tmp_path)
    _parquet(d / "svf_episodes.parquet", _episode_columns(sex=None))
    ds = open_data(d)
    with pytest.raises(DataError) as exc:
        ds.compute("svf_over_175", **PERIOD)
    assert "svf_episodes" in str(exc.value) and "sex" in str(exc.value)


def test_truncated_parquet_fails_the_table(tmp_path, rows, check_row):
    d = write_set(tmp_path, svf_episodes=[ep(f"e{i}") for i in range(5)], drug_treatments=_drugs())
    raw = (d / "svf_episodes.parquet").read_bytes()
    (d / "svf_episodes.parquet").write_bytes(raw[: len(raw) // 2])
    ds = open_data(d)
    with pytest.raises(DataError) as exc:
        ds.compute("svf_lead_time_median", **PERIOD)
    assert "svf_episodes" in str(exc.value)
    (r,) = rows(ds.compute("rcl_coverage", **PERIOD))
    check_row(r, numerator=5, denominator=6)


def test_timestamps_wider_ints_and_extra_columns_accepted(tmp_path, rows, check_row):
    # lead times 10 20 28 29 40 against brost 28: 3/5 within; median 28
    d = write_set(tmp_path)
    ts = pa.array([datetime(2024, 3, 1, 13, 45)] * 5, type=pa.timestamp("us"))
    ends = pa.array([datetime(2024, 3, 1) + timedelta(days=x) for x in (10, 20, 28, 29, 40)], type=pa.timestamp("ms"))
    _parquet(d / "svf_episodes.parquet", _episode_columns(start_date=ts, end_date=ends,
                                                          age=pa.array([60] * 5, type=pa.int64()),
                                                          note=pa.array(["extra"] * 5)))
    ds = open_data(d)
    (r,) = rows(ds.compute("svf_within_target", **PERIOD))
    check_row(r, numerator=3, denominator=5, value=60.0)
    (r,) = rows(ds.compute("svf_lead_time_median", **PERIOD))
    check_row(r, denominator=5, value=28.0)


def test_folder_form_read_by_column_name(tmp_path, rows, by_key, check_row):
    # two files with the columns in different orders, one below a folder named like a column:
    # folder names are not columns (the rows' own region_code 03 stays)
    d = write_set(tmp_path)
    (d / "drug_treatments.parquet").unlink()
    (d / "drug_treatments" / "region_code=01").mkdir(parents=True)
    pq.write_table(table("drug_treatments", [dt(f"a{i}", region_code="01") for i in range(5)]),
                   d / "drug_treatments" / "part-a.parquet")
    t2 = table("drug_treatments", [dt(f"b{i}", region_code="03", in_rcl=i < 3) for i in range(6)])
    t2 = t2.select(list(reversed(t2.column_names)))
    pq.write_table(t2, d / "drug_treatments" / "region_code=01" / "part-b.parquet")
    ds = open_data(d)
    got = by_key(ds.compute("rcl_coverage", by=["region"], **PERIOD), "region")
    check_row(got["01"], numerator=5, denominator=5)
    check_row(got["03"], numerator=3, denominator=6, value=50.0)


def test_reference_csv_override_with_empty_fields(tmp_path, by_key, check_row):
    # registers.csv replaces the bundled table: one register, low target empty (null)
    d = write_set(tmp_path, cancer_cases=[case(f"c{i}", "C50.1", "2023-05-01") for i in range(5)],
                  register_cases=[rg(f"r{i}", register_code="brca", case_id=f"c{i}") for i in range(5)])
    (d / "registers.csv").write_text(
        "register_code,register_name,icd10_prefixes,coverage_target_low,coverage_target_high,extra\n"
        "brca,Bröst,C50,,90,ignored\n", encoding="utf-8")
    ds = open_data(d)
    got = by_key(ds.compute("register_coverage", by=["register"], start="2023-01-01", end="2023-12-31"), "register")
    assert list(got) == ["brca"]
    check_row(got["brca"], numerator=5, denominator=5, value=100.0, target_low=None, target_high=90,
              target_level="high")
    with pytest.raises(ValueError):   # nkbc is gone with the bundled table
        ds.compute("register_coverage", where={"register": "nkbc"})


def test_reference_parquet_override_replaces_whole_table(tmp_path, rows, check_row):
    # svf_pathways with only brost: prostata episodes now name an unknown pathway (bad rows)
    paths = [{"svf_code": "brost", "svf_name": "Bröstcancer", "icd10_prefixes": "C50"}]
    eps = [ep(f"e{i}") for i in range(5)] + [ep(f"p{i}", svf_code="prostata") for i in range(2)]
    ds = open_data(write_set(tmp_path, svf_pathways=paths, svf_episodes=eps))
    (r,) = rows(ds.compute("svf_within_target", **PERIOD))
    check_row(r, numerator=5, denominator=5)
    rep = ds.validation_report()
    assert int(rep.loc[rep["table"] == "svf_episodes", "rows"].sum()) == 2


def test_no_manifest_extract_date_is_today(tmp_path, rows, check_row):
    today = date.today()
    tomorrow = (today + timedelta(days=1)).isoformat()
    eps = [ep(f"e{i}", start_date="2024-03-01", end_date="2024-03-05") for i in range(5)]
    eps.append(ep("future", start_date=tomorrow, end_date=None, end_code=None))
    d = write_set(tmp_path, extract_date=None, svf_episodes=eps)
    assert not (d / "manifest.json").exists()
    ds = open_data(d)
    rep = ds.validation_report()
    assert int(rep["rows"].sum()) == 1                       # dated after the extract date (today)
    (r,) = rows(ds.compute("svf_within_target", start="2024-03-01", end=today.isoformat()))
    check_row(r, numerator=5, denominator=5, provisional=True)


def test_manifest_extract_date_used(tmp_path):
    d = write_set(tmp_path, extract_date="2024-06-30", svf_episodes=[ep()])
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["extract_date"] == "2024-06-30"
    ds = open_data(d)
    rep = ds.validation_report()
    assert int(rep["rows"].fillna(0).sum()) == 0
    d2 = write_set(tmp_path / "b", extract_date="2024-03-10", svf_episodes=[ep()])  # ends 2024-03-11
    rep = open_data(d2).validation_report()
    assert set(rep["table"]) == {"svf_episodes"} and int(rep["rows"].sum()) == 1


def test_prefix_in_two_pathways_fails_svf_pathways(tmp_path, rows, check_row):
    paths = [{"svf_code": "brost", "svf_name": "B", "icd10_prefixes": "C50;D05"},
             {"svf_code": "annat", "svf_name": "A", "icd10_prefixes": "C51;c50"}]
    ds = open_data(write_set(tmp_path, svf_pathways=paths, drug_treatments=_drugs(),
                             register_cases=[rg(f"r{i}") for i in range(5)]))
    assert "svf_pathways" in set(ds.validation_report()["table"])
    with pytest.raises(DataError) as exc:
        ds.compute("rcl_coverage", **PERIOD)
    assert "svf_pathways" in str(exc.value)
    (r,) = rows(ds.compute("register_reporting_90d", start="2023-01-01", end="2023-12-31"))
    check_row(r, numerator=5, denominator=5)


def test_duplicate_target_row_fails_svf_lead_time_targets(tmp_path, rows, check_row):
    row = {"svf_code": "brost", "treatment_type": "any", "extended_workup": False, "target_days": 28,
           "valid_from": "2015-12-21", "status": "sourced", "source": "x"}
    ds = open_data(write_set(tmp_path, svf_lead_time_targets=[row, dict(row, target_days=30)],
                             svf_episodes=[ep(f"e{i}") for i in range(5)], drug_treatments=_drugs()))
    assert "svf_lead_time_targets" in set(ds.validation_report()["table"])
    with pytest.raises(DataError) as exc:
        ds.compute("svf_within_target", **PERIOD)
    assert "svf_lead_time_targets" in str(exc.value)
    (r,) = rows(ds.compute("rcl_coverage", **PERIOD))
    check_row(r, numerator=5, denominator=6)


def test_extract_table_as_csv_is_not_a_form(tmp_path):
    # only reference tables may be CSV: svf_episodes.csv alone means svf_episodes is missing
    d = write_set(tmp_path, empty_missing=False, drug_treatments=_drugs())
    (d / "svf_episodes.csv").write_text(",".join(table("svf_episodes", []).column_names) + "\n", encoding="utf-8")
    ds = open_data(d)
    with pytest.raises(DataError) as exc:
        ds.compute("svf_within_target", **PERIOD)
    assert "svf_episodes" in str(exc.value)


# An unusable reference table must only break the indicators that need it (contract §1). The
# definitions of §5 do not use svf_lead_time_targets for svf_inclusion, nor svf_pathways for
# register_coverage, so both must still be computed.
def test_inclusion_works_without_usable_target_table(tmp_path, rows, check_row):
    # duplicate (svf_code, treatment_type, extended_workup, valid_from): the target table fails.
    # cases: 12 brost in 2023 (the only base year with rows) -> 12 expected in 2024; 6 treated -> 50 %
    row = {"svf_code": "brost", "treatment_type": "any", "extended_workup": False, "target_days": 28,
           "valid_from": "2015-12-21", "status": "sourced", "source": "x"}
    ds = open_data(write_set(tmp_path, svf_lead_time_targets=[row, dict(row, target_days=30)],
                             cancer_cases=[case(f"c{i}", "C50.9", "2023-05-01") for i in range(12)],
                             svf_episodes=[ep(f"e{i}") for i in range(6)]))
    assert "svf_lead_time_targets" in set(ds.validation_report()["table"])
    with pytest.raises(DataError):
        ds.compute("svf_within_target", **PERIOD)
    (r,) = rows(ds.compute("svf_inclusion", **PERIOD))
    check_row(r, numerator=6, denominator=12.0, value=50.0, suppressed=False)


def test_register_coverage_works_without_usable_pathway_table(tmp_path, rows, check_row):
    # svf_pathways fails (a prefix in two pathways); coverage uses the registers' prefixes: 8 of 12 -> 66.7 %
    paths = [{"svf_code": "brost", "svf_name": "B", "icd10_prefixes": "C50;D05"},
             {"svf_code": "annat", "svf_name": "A", "icd10_prefixes": "C51;c50"}]
    ds = open_data(write_set(tmp_path, svf_pathways=paths,
                             cancer_cases=[case(f"c{i}", "C50.9", "2023-05-01") for i in range(12)],
                             register_cases=[rg(f"r{i}", case_id=f"c{i}") for i in range(8)]))
    assert "svf_pathways" in set(ds.validation_report()["table"])
    (r,) = rows(ds.compute("register_coverage", start="2023-01-01", end="2023-12-31"))
    check_row(r, numerator=8, denominator=12, value=66.66666666666667, ci_low=39.06220888727995,
              ci_high=86.18799089087867)


def test_rcl_starts_work_without_usable_pathway_table(tmp_path, rows, check_row):
    # rcl_starts_per_100k has no svf_code dimension (§5): svf_pathways is not needed.
    # region 01: 6 starts in Q1 2024; 120 000 inhabitants x 3/12 = 30 000 -> 20 per 100 000
    paths = [{"svf_code": "brost", "svf_name": "B", "icd10_prefixes": "C50;D05"},
             {"svf_code": "annat", "svf_name": "A", "icd10_prefixes": "C51;c50"}]
    ds = open_data(write_set(tmp_path, svf_pathways=paths, drug_treatments=[dt(f"t{i}") for i in range(6)],
                             population=[pp(population=120000)]))
    with pytest.raises(DataError):
        ds.compute("rcl_coverage", **PERIOD)                  # has an svf_code dimension: needs it
    (r,) = rows(ds.compute("rcl_starts_per_100k", where={"region": "01"}, start="2024-01-01", end="2024-03-31"))
    check_row(r, numerator=6, denominator=30000, value=20.0)
