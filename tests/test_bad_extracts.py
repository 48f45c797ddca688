"""Broken extract sets (tests/bad_corpus.py): what validation reports, that no row is silently
dropped, and that the other tables and indicators keep working (data-contract.md §1, §4, §7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from indicators import DataError, open_data
from indicators.cli import main as cli_main
from indicators.validation_report import render_text
from tests import bad_corpus as bc

ROOT = Path(__file__).resolve().parent.parent
# report rows that say a row is left out of some indicators but kept in its table (contract §2:
# "An episode with no target takes part in no lead-time indicator (it is counted in the report)")
INFORMATIONAL = ("ingår inte i ledtidsindikatorerna",)

_OPENED: dict[str, object] = {}
_RESULTS: dict[tuple, pd.DataFrame] = {}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    dirs = {"good": bc.write_good(root / "good")}
    for case in bc.CASES:
        dirs[case.name] = bc.build(case.name, root / case.name)
    return dirs


def opened(corpus, name):
    if name not in _OPENED:
        _OPENED[name] = open_data(corpus[name])
    return _OPENED[name]


def result(corpus, name, indicator) -> pd.DataFrame:
    key = (name, indicator)
    if key not in _RESULTS:
        _RESULTS[key] = opened(corpus, name).compute(indicator, by=["region"], **bc.PERIOD)
    return _RESULTS[key]


def left_out(ds, table) -> list[tuple[str, int]]:
    return [(r, n) for t, r, n in ds.report_rows if t == table]


def removed(ds, table) -> int:
    return sum(n for r, n in left_out(ds, table) if not any(s in r for s in INFORMATIONAL))


CASE_IDS = [c.name for c in bc.CASES]
NOT_SET = [c for c in bc.CASES if c.kind != "set"]


# -- the good set -------------------------------------------------------------------------------------
def test_good_set_is_clean(corpus):
    ds = opened(corpus, "good")
    assert not ds.failed_tables
    assert ds.report_rows == []
    for t in ds.tables.values():
        assert t.rows_read == t.rows_valid
    for ind in bc.ALL_INDICATORS:
        df = result(corpus, "good", ind)
        assert len(df) >= 1, ind
        assert (~df["suppressed"]).any() or ind == "svf_inclusion", f"{ind}: everything suppressed in the good set"


# -- what validate reports ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", CASE_IDS)
def test_validate_reports_table_column_rule_and_exit_code(corpus, name, capsys):
    case = bc.CASES_BY_NAME[name]
    code = cli_main(["validate", "--data", str(corpus[name]), "--format", "json"])
    out, err = capsys.readouterr()
    if case.kind == "set":
        assert code == 1
        assert out == ""
        assert len(err.strip().splitlines()) == 1, err
        for s in case.expect:
            assert s in err
        return
    report = json.loads(out)
    tables = {t["table"]: t for t in report["tables"]}
    if case.kind == "table":
        assert code == 1, f"{name}: validate should exit 1 when {case.table} cannot be used"
        assert report["ok"] is False
        error = tables[case.table]["error"] or ""
        for s in case.expect:
            assert s in error, f"{name}: {s!r} not in {error!r}"
    else:
        assert code == 0, f"{name}: {[(t['table'], t['error']) for t in report['tables'] if t['error']]}"
        assert report["ok"] is True
    if case.kind == "rows":
        hits = [e for e in report["left_out"] if e["table"] == case.table and all(s in e["reason"] for s in case.expect)]
        assert hits, f"{name}: no report row for {case.table} with {case.expect}: {report['left_out']}"
        assert sum(e["rows"] for e in hits) == case.rows
        if "also" in case.extra:
            table, expect, rows = case.extra["also"]
            hits = [e for e in report["left_out"] if e["table"] == table and all(s in e["reason"] for s in expect)]
            assert sum(e["rows"] for e in hits) == rows, report["left_out"]


@pytest.mark.parametrize("name", [c.name for c in bc.CASES if c.kind in ("table", "rows")])
def test_text_report_names_table_and_reason(corpus, name):
    case = bc.CASES_BY_NAME[name]
    out = render_text(opened(corpus, name))  # what `validate` prints (the CLI path is tested above)
    line = [x for x in out.splitlines() if case.table in x and all(s in x for s in case.expect)]
    assert line, f"{name}: no line naming {case.table} and {case.expect} in\n{out}"
    if case.kind == "rows":
        assert any(str(case.rows) in x for x in line)


# -- no row silently dropped --------------------------------------------------------------------------
@pytest.mark.parametrize("name", [c.name for c in NOT_SET])
def test_rows_read_equal_valid_plus_reported(corpus, name):
    ds = opened(corpus, name)
    report = ds.validation_report()
    for t in ds.tables.values():
        if t.error:
            assert t.rows_valid == 0 and t.table not in ds.available
            assert (report["table"] == t.table).any(), f"{t.table} failed but is not in validation_report()"
            continue
        assert t.rows_read == t.rows_valid + removed(ds, t.table), (
            f"{name}/{t.table}: read {t.rows_read}, valid {t.rows_valid}, reported {left_out(ds, t.table)}")
    # validation_report() carries the same counts as the report rows
    for table, reason, rows in ds.report_rows:
        match = report[(report["table"] == table) & (report["reason"] == reason)]
        assert int(match["rows"].iloc[0]) == rows


def test_informational_row_does_not_break_the_count(tmp_path):
    """An episode whose pathway/type has no lead-time limit stays in svf_episodes (it counts for
    svf_inclusion) and is also reported; the count of left-out rows must still add up."""
    eps = bc.good_tables()["svf_episodes"] + [bc.ep("NT1", svf_code="lunga", end_code="60")]
    ds = open_data(bc.write_good(tmp_path, svf_episodes=eps))
    t = ds.tables["svf_episodes"]
    assert any(any(s in r for s in INFORMATIONAL) for r, _ in left_out(ds, "svf_episodes")), ds.report_rows
    assert t.rows_read == t.rows_valid + removed(ds, "svf_episodes")


# -- other tables and indicators keep working ----------------------------------------------------------
@pytest.mark.parametrize("name", [c.name for c in NOT_SET if c.working])
def test_working_indicators_unaffected(corpus, name):
    case = bc.CASES_BY_NAME[name]
    for ind in case.working:
        df = result(corpus, name, ind)
        assert len(df) >= 1
        if case.same_result:
            pd.testing.assert_frame_equal(df, result(corpus, "good", ind), obj=f"{name}: {ind}")


@pytest.mark.parametrize("name", [c.name for c in bc.CASES if c.broken])
def test_broken_indicators_name_the_table(corpus, name):
    case = bc.CASES_BY_NAME[name]
    ds = opened(corpus, name)
    for ind in case.broken:
        with pytest.raises(DataError) as exc:
            ds.compute(ind, by=["region"], **bc.PERIOD)
        msg = str(exc.value)
        named = msg.split(":")[0]
        assert named in ds.tables, msg
        # the message names the broken table itself, or a table that could not be checked because of
        # it (and so on: indicator_outcomes -> register_cases -> registers)
        chain, seen = named, set()
        while chain != case.table and chain not in seen:
            seen.add(chain)
            error = ds.tables[chain].error or ""
            chain = next((t for t in ds.tables if t in error.split("eftersom", 1)[-1]), chain)
        assert chain == case.table, msg


@pytest.mark.parametrize("name", ["duplicate_of_good_id"])
def test_duplicates_leave_out_every_copy(corpus, name):
    ds = opened(corpus, name)
    ids = ds.query_df("SELECT case_id FROM cases")["case_id"].tolist()  # the derived table the indicators read
    assert "C001" not in ids and len(ids) == 23


@pytest.mark.parametrize("name", ["timestamps", "timestamps_ns", "timestamps_tz"])
def test_timestamps_cast_to_the_same_dates(corpus, name):
    """Timestamps are accepted and cast to the calendar date they show (contract §1); for a
    time-zone-aware timestamp that is the Swedish date, not the server's or UTC's."""
    sql = "SELECT episode_id, start_date, end_date FROM episodes ORDER BY 1"  # the derived table
    got, want = opened(corpus, name).query_df(sql), opened(corpus, "good").query_df(sql)
    assert len(want) > 10
    pd.testing.assert_frame_equal(got, want)
    if name == "timestamps":
        sql = "SELECT registration_id, diagnosis_date FROM registrations ORDER BY 1"
        pd.testing.assert_frame_equal(opened(corpus, name).query_df(sql), opened(corpus, "good").query_df(sql))


def test_empty_extract_table_gives_suppressed_rows_not_errors(corpus):
    ds = opened(corpus, "empty_extract_table")
    assert ds.tables["drug_treatments"].rows_read == 0
    df = ds.compute("rcl_coverage", **bc.PERIOD)
    assert len(df) == 1 and bool(df["suppressed"].iloc[0])


def test_empty_reference_override_reports_every_row(corpus):
    """registers.csv with only a header: every register row is reported (not silently dropped)."""
    ds = opened(corpus, "empty_reference_override")
    assert ds.tables["registers"].rows_read == 0
    assert removed(ds, "register_cases") == ds.tables["register_cases"].rows_read


# -- the real command line (one process each, run together) ---------------------------------------------
def test_cli_processes_exit_codes_and_one_line(corpus):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = {
        "validate_good": (["validate", "--data", str(corpus["good"])], 0),
        "validate_missing": (["validate", "--data", str(corpus["missing_table"])], 1),
        "validate_manifest": (["validate", "--data", str(corpus["manifest_bad_json"])], 1),
        "compute_needs_missing": (["compute", "svf_within_target", "--data", str(corpus["missing_table"])], 1),
        "compute_other": (["compute", "rcl_coverage", "--data", str(corpus["missing_table"]), "--by", "region"], 0),
        "compute_truncated": (["compute", "qi:nkbc04", "--data", str(corpus["truncated_parquet"])], 1),
    }
    procs = {k: subprocess.Popen([sys.executable, "-m", "indicators", *args], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, (args, _) in runs.items()}
    errors = {}
    for key, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        errors[key] = err
        assert proc.returncode == runs[key][1], f"{key}: rc {proc.returncode}\n{err}"
        assert "Traceback" not in err
        if runs[key][1] == 1 and key != "validate_missing":
            assert len(err.strip().splitlines()) == 1, err
            assert out == ""
    assert "svf_episodes" in errors["compute_needs_missing"]
    assert "register_cases" in errors["compute_truncated"]
    assert "manifest.json" in errors["validate_manifest"]


def test_cli_compute_message_names_table(corpus, capsys):
    assert cli_main(["compute", "svf_within_target", "--data", str(corpus["missing_table"])]) == 1
    err = capsys.readouterr().err
    assert "svf_episodes" in err and len(err.strip().splitlines()) == 1
    assert cli_main(["compute", "qi:nkbc04", "--data", str(corpus["truncated_parquet"])]) == 1
    err = capsys.readouterr().err
    assert "register_cases" in err and len(err.strip().splitlines()) == 1


# -- hostile files (issue 10) ----------------------------------------------------------------------------
_CONTROL = [chr(c) for c in range(32) if chr(c) not in "\n"] + ["\x7f", "\x9b", "\x9d"]


def _messages(corpus, name) -> list[str]:
    """Every message the engine gives about the set: the set-level error, or each table's error
    and each report reason."""
    try:
        ds = opened(corpus, name)
    except DataError as exc:
        return [str(exc)]
    return [t.error for t in ds.tables.values() if t.error] + [r for _, r, _ in ds.report_rows]


@pytest.mark.parametrize("name", CASE_IDS)
def test_messages_never_hold_file_contents_or_control_characters(corpus, name, capsys):
    """No message quotes what a linked or copied outside file holds (bc.SECRET), and none holds
    an escape code or another control character; validate's text output neither."""
    for msg in _messages(corpus, name):
        assert "TOPSECRET" not in msg and "daemon:x" not in msg, f"{name}: {msg}"
        assert not any(c in msg for c in _CONTROL + ["\n"]), f"{name}: {msg!r}"
        assert len(msg) < 600, f"{name}: {len(msg)} characters"
    cli_main(["validate", "--data", str(corpus[name])])
    out, err = capsys.readouterr()
    assert "TOPSECRET" not in out + err
    assert not any(c in out + err for c in _CONTROL), f"{name}: {(out + err)[:400]!r}"


def test_secret_cases_really_point_at_the_secret(corpus):
    """The corpus is honest: the planted link reads the secret when followed."""
    for case in bc.CASES:
        if case.extra.get("secret"):
            d = corpus[case.name]
            linked = [p for p in d.iterdir() if p.is_symlink()] or [d / "regions.csv"]
            assert any("TOPSECRET" in p.read_text(encoding="utf-8", errors="replace") for p in linked), case.name


def test_a_linked_folder_part_with_valid_data_is_still_refused(corpus):
    """Refused for being a link, not for its content: the linked part is a valid Parquet file."""
    import pyarrow.parquet as pq

    part = corpus["symlink_folder_part"] / "svf_episodes" / "part-1.parquet"
    assert part.is_symlink() and pq.read_table(part).num_rows > 0
    assert "symbolisk länk" in opened(corpus, "symlink_folder_part").tables["svf_episodes"].error


def test_manifest_with_escape_codes_is_kept_exactly_as_free_text(corpus):
    ds = opened(corpus, "manifest_escape_codes")
    assert ds.manifest["source"].startswith("x\r=HYPERLINK(") and bc.ANSI_NAME in ds.manifest["source"]


def test_extract_date_today_in_sweden_is_accepted_tomorrow_is_not(tmp_path, monkeypatch):
    """The boundary of 'in the future': today's Swedish date is fine, the day after is an error."""
    from datetime import date, timedelta

    import indicators.manifest as mf

    monkeypatch.setattr(mf, "today_in_sweden", lambda: date(2025, 3, 15))
    d = bc.write_good(tmp_path / "s")
    assert mf.read_manifest(d)[1] == date(2025, 3, 15)
    (d / "manifest.json").write_text(json.dumps({"extract_date": (date(2025, 3, 15) + timedelta(days=1)).isoformat()}))
    with pytest.raises(DataError, match="2025-03-16 ligger i framtiden"):
        mf.read_manifest(d)


def test_hostile_set_cases_through_the_real_command_line(corpus):
    """A few set-level cases as real processes: exit 1, one line, no traceback, nothing echoed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    names = ["manifest_deep", "manifest_5000_digits", "manifest_50mb", "manifest_fifo", "symlink_reference_csv"]
    procs = {n: subprocess.Popen([sys.executable, "-m", "indicators", "compute", "svf_within_target", "--data",
                                  str(corpus[n])], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for n in names}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 1, f"{name}: rc {proc.returncode} {err[-500:]}"
        assert out == "" and "Traceback" not in err and len(err.strip().splitlines()) == 1, f"{name}: {err[-500:]}"
        assert "TOPSECRET" not in err
        assert bc.CASES_BY_NAME[name].table in err, err
