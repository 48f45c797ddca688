"""The command line (data-contract.md §7).

The main paths run as real subprocesses (`sys.executable -m indicators ...`), once each and
concurrently in one module fixture (each costs about a second of start-up). The many variants of
the exit-2 / exit-1 rules run the same `indicators.cli.main` in-process, which is the code the
subprocess runs minus the interpreter start-up.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract_builder import table, write_set

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["numerator", "denominator", "value", "ci_low", "ci_high", "target_low", "target_high", "target_level",
           "suppressed", "provisional", "placeholder_target", "missing"]


def _lead(lead, eid, start, days, region="01"):
    return lead(eid, "brost", start, days, "50", region=region)


@pytest.fixture(scope="module")
def sets(tmp_path_factory, lead):
    base = tmp_path_factory.mktemp("cli")
    # ok: region 01, 5 episodes ending in 2024-01 with lead times 10 20 28 29 35 (brost 28): 3/5;
    #     region 03, 2 episodes ending in 2024-02 (suppressed)
    eps = [_lead(lead, f"a{i}", "2024-01-01", d) for i, d in enumerate([10, 20, 28, 29, 0])]
    eps[4] = _lead(lead, "a4", "2023-12-27", 35)  # ends 2024-01-31
    eps += [_lead(lead, f"b{i}", "2024-02-01", 5, region="03") for i in range(2)]
    ok = write_set(base / "ok", svf_episodes=eps)
    only_svf = write_set(base / "only_svf", empty_missing=False, svf_episodes=eps)
    truncated = write_set(base / "truncated", svf_episodes=eps)
    raw = (truncated / "svf_episodes.parquet").read_bytes()
    (truncated / "svf_episodes.parquet").write_bytes(raw[: len(raw) // 2])
    wrong = write_set(base / "wrong")
    t = table("svf_episodes", eps)
    t = t.set_column(t.column_names.index("age"), "age", pa.array([str(r["age"]) for r in eps]))
    pq.write_table(t, wrong / "svf_episodes.parquet")
    bad_only = write_set(base / "bad_only", svf_episodes=[lead("x1", "brost", "2024-01-01", 5, "51")],
                         cancer_cases=[{"case_id": "c1", "person_id": "p", "region_code": "99",
                                        "diagnosis_date": "2023-01-01", "icd10": "C50", "sex": "K", "age": 50}])
    return {"ok": ok, "only_svf": only_svf, "truncated": truncated, "wrong": wrong, "bad_only": bad_only}


def _commands(s):
    ok = str(s["ok"])
    c = ["compute", "svf_within_target", "--data", ok]
    p = ["--from", "2024-01-01", "--to", "2024-12-31"]
    return {
        "list": ["list"],
        "csv": c + ["--by", "region,month"] + p,
        "json": c + ["--by", "region,month", "--format", "json"] + p,
        "where_twice": c + ["--where", "region=01", "--where", "region=03"] + p,
        "where_two_dims": c + ["--where", "region=01", "--where", "month=2024-01"] + p,
        "unknown_indicator": ["compute", "svf_nosuch", "--data", ok],
        "unknown_dimension": c + ["--by", "colour"],
        "dimension_not_allowed": c + ["--by", "register"],
        "inclusion_dimension_not_allowed": ["compute", "svf_inclusion", "--data", ok, "--by", "treatment_type"],
        "unknown_value": c + ["--where", "region=99"],
        "treatment_type_any": c + ["--where", "treatment_type=any"],
        "malformed_date": c + ["--from", "2024-02-30"],
        "malformed_date_2": c + ["--to", "2024/12/31"],
        "from_after_to": c + ["--from", "2024-06-01", "--to", "2024-01-01"],
        "min_n_4": c + ["--min-n", "4"],
        "min_n_6": c + ["--by", "region", "--min-n", "6"] + p,
        "inclusion_not_month": ["compute", "svf_inclusion", "--data", ok, "--from", "2024-01-02", "--to", "2024-06-30"],
        "missing_table": ["compute", "rcl_coverage", "--data", str(s["only_svf"])],
        "missing_table_other_ok": ["compute", "svf_within_target", "--data", str(s["only_svf"])] + p,
        "truncated": ["compute", "svf_within_target", "--data", str(s["truncated"])],
        "wrong_type": ["compute", "svf_within_target", "--data", str(s["wrong"])],
        "validate_bad_rows": ["validate", "--data", str(s["bad_only"])],
        "validate_missing": ["validate", "--data", str(s["only_svf"])],
        "validate_truncated": ["validate", "--data", str(s["truncated"])],
    }


# run as real subprocesses; the others in-process through indicators.cli.main
SUBPROCESS = {"list", "csv", "json", "min_n_4", "missing_table", "validate_bad_rows",
              "validate_missing"}


class _Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _in_process(args) -> _Result:
    from contextlib import redirect_stderr, redirect_stdout

    from indicators.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
    return _Result(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def runs(sets):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def run(args):
        return subprocess.run([sys.executable, "-m", "indicators", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    cmds = _commands(sets)
    sub = {k: v for k, v in cmds.items() if k in SUBPROCESS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {k: pool.submit(run, v) for k, v in sub.items()}
        results = {k: _in_process(v) for k, v in cmds.items() if k not in SUBPROCESS}
        results.update({k: f.result() for k, f in futures.items()})
    return results


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    return lines[0]


def test_csv_columns_and_values(runs):
    r = runs["csv"]
    assert r.returncode == 0, r.stderr
    got = list(csv.reader(io.StringIO(r.stdout)))
    assert got[0] == ["region", "month"] + COLUMNS
    rows = [dict(zip(got[0], row)) for row in got[1:]]
    assert [(x["region"], x["month"]) for x in rows] == [("01", "2024-01"), ("03", "2024-02")]
    a, b = rows
    assert (a["numerator"], a["denominator"]) == ("3", "5")
    assert float(a["value"]) == pytest.approx(60.0, abs=1e-6)
    assert float(a["ci_low"]) == pytest.approx(23.072428127601288, abs=1e-4)
    assert float(a["ci_high"]) == pytest.approx(88.2379225767352, abs=1e-4)
    assert (a["target_low"], a["target_high"], a["target_level"]) == ("", "80", "none")
    assert (a["suppressed"], a["provisional"], a["placeholder_target"], a["missing"]) == ("false", "false", "false", "")
    # suppressed: no counts, no values, target stays
    assert [b[k] for k in ("numerator", "denominator", "value", "ci_low", "ci_high", "target_level")] == [""] * 6
    assert (b["target_high"], b["suppressed"], b["provisional"]) == ("80", "true", "false")


def test_json_same_keys(runs):
    r = runs["json"]
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert isinstance(data, list) and len(data) == 2
    for obj in data:
        assert list(obj) == ["region", "month"] + COLUMNS
    a, b = data
    assert a["region"] == "01" and a["month"] == "2024-01"
    assert a["numerator"] == 3 and a["denominator"] == 5
    assert a["value"] == pytest.approx(60.0, abs=1e-6)
    assert a["ci_low"] == pytest.approx(23.072428127601288, abs=1e-4)
    assert a["target_low"] is None and a["target_high"] == 80 and a["target_level"] == "none"
    assert a["suppressed"] in (False, "false") and a["missing"] is None
    assert b["suppressed"] in (True, "true") and b["numerator"] is None and b["value"] is None


def test_where_twice_means_either(runs):
    r = runs["where_twice"]
    assert r.returncode == 0, r.stderr
    got = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(got) == 1
    # 01: 3/5 + 03: 2/2 -> 5/7
    assert (got[0]["numerator"], got[0]["denominator"]) == ("5", "7")
    assert float(got[0]["value"]) == pytest.approx(71.42857142857143, abs=1e-6)


def test_where_two_dimensions_both_hold(runs):
    r = runs["where_two_dims"]
    assert r.returncode == 0, r.stderr
    got = list(csv.DictReader(io.StringIO(r.stdout)))
    assert (got[0]["numerator"], got[0]["denominator"]) == ("3", "5")


@pytest.mark.parametrize("name", [
    "unknown_indicator", "unknown_dimension", "dimension_not_allowed", "inclusion_dimension_not_allowed",
    "unknown_value", "treatment_type_any", "malformed_date", "malformed_date_2", "from_after_to", "min_n_4",
    "inclusion_not_month",
])
def test_exit_2_one_line(runs, name):
    r = runs[name]
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    _one_line(r.stderr)
    assert r.stdout.strip() == ""


@pytest.mark.parametrize("name, table_name", [
    ("missing_table", "drug_treatments"),
    ("truncated", "svf_episodes"),
    ("wrong_type", "svf_episodes"),
])
def test_exit_1_names_the_table(runs, name, table_name):
    r = runs[name]
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert table_name in _one_line(r.stderr)


def test_wrong_type_message_names_column(runs):
    assert "age" in runs["wrong_type"].stderr


def test_min_n_raised(runs):
    r = runs["min_n_6"]
    assert r.returncode == 0, r.stderr
    got = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(g["region"], g["suppressed"], g["denominator"], g["target_high"]) for g in got] == [
        ("01", "true", "", "80"), ("03", "true", "", "80")]


def test_missing_table_other_indicators_work(runs):
    r = runs["missing_table_other_ok"]
    assert r.returncode == 0, r.stderr
    got = list(csv.DictReader(io.StringIO(r.stdout)))
    assert (got[0]["numerator"], got[0]["denominator"]) == ("5", "7")


def test_validate_bad_rows_only_exits_0(runs):
    r = runs["validate_bad_rows"]
    assert r.returncode == 0, r.stderr
    assert "svf_episodes" in r.stdout and "cancer_cases" in r.stdout


@pytest.mark.parametrize("name, table_name", [("validate_missing", "drug_treatments"),
                                              ("validate_truncated", "svf_episodes")])
def test_validate_exits_1_when_a_table_is_missing_or_fails(runs, name, table_name):
    r = runs[name]
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert table_name in r.stdout + r.stderr


def test_list_prints_every_indicator(runs):
    r = runs["list"]
    assert r.returncode == 0, r.stderr
    ids = ["svf_inclusion", "svf_within_target", "svf_over_175", "svf_lead_time_median", "register_coverage",
           "register_reporting_90d", "rcl_coverage", "rcl_direct_transfer", "rcl_starts_per_100k"]
    with open(ROOT / "data" / "reference" / "quality_indicators.csv", encoding="utf-8", newline="") as f:
        codes = [row["indicator_code"] for row in csv.DictReader(f)]
    assert len(codes) > 40
    ids += [f"qi:{c}" for c in codes]
    words = set(r.stdout.split())
    missing = [i for i in ids if i not in words]
    assert not missing, missing


@pytest.mark.parametrize("name, call", [
    ("unknown_indicator", lambda ds: ds.compute("svf_nosuch")),
    ("unknown_dimension", lambda ds: ds.compute("svf_within_target", by=["colour"])),
    ("unknown_value", lambda ds: ds.compute("svf_within_target", where={"region": "99"})),
])
def test_python_error_message_same_as_command_line(runs, sets, name, call):
    from indicators import open_data

    with pytest.raises(ValueError) as exc:
        call(open_data(sets["ok"]))
    assert str(exc.value) in _one_line(runs[name].stderr)


# -- hostile names (issue 10): inert in a spreadsheet, never raw escape codes on a terminal -------------
HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "\tTAB", " =1+1"]
ANSI = "\x1b]0;pwned\x07\x1b[31mröd\x1b[0m"


@pytest.fixture(scope="module")
def hostile_set(tmp_path_factory):
    """Drug starts under hostile substance names (8 each, so none is suppressed), and a quality
    indicator override whose code and name hold escape codes and a formula."""
    d = tmp_path_factory.mktemp("hostile") / "set"
    drugs = [{"treatment_id": f"T{i}-{j}", "region_code": "01", "start_date": "2024-05-10", "substance": name,
              "icd10": "C50.9", "in_rcl": j % 2 == 0, "direct_transfer": True}
             for i, name in enumerate(HOSTILE + [ANSI]) for j in range(8)]
    write_set(d, drug_treatments=drugs)
    ref = (ROOT / "data" / "reference" / "quality_indicators.csv").read_text(encoding="utf-8").splitlines()
    header, first = ref[0], ref[1].split(",")
    cols = header.split(",")
    first[cols.index("indicator_code")] = "nkbc\x1b[2J99"
    first[cols.index("name_sv")] = '=HYPERLINK("http://evil.example/";"klicka")' + ANSI
    (d / "quality_indicators.csv").write_text("\n".join([header, ",".join(first)] + ref[2:]) + "\n", encoding="utf-8")
    return d


def test_compute_csv_cells_from_hostile_names_are_inert(hostile_set, capsys):
    from indicators.cli import main

    assert main(["compute", "rcl_coverage", "--data", str(hostile_set), "--by", "substance"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    got = sorted(r["substance"] for r in rows)
    # OWASP: a leading apostrophe before = + - @ tab CR (after blanks); escape codes removed
    assert got == sorted(["'=HYPERLINK(\"http://x\",\"y\")", "'+cmd|' /C calc'!A0", "'@SUM(1)", "'-1+1", "'\tTAB"
                          .replace("\t", " "), "' =1+1", "röd"])
    assert "\x1b" not in out and "\x07" not in out
    for r in rows:
        assert r["substance"][:1] not in "=+-@\t\r", r
        assert (r["numerator"], r["denominator"]) == ("4", "8")  # 4 of 8 starts in RCL per substance


def test_compute_json_keeps_hostile_names_exact(hostile_set, capsys):
    from indicators.cli import main

    assert main(["compute", "rcl_coverage", "--data", str(hostile_set), "--by", "substance", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out  # written as \u001b, which decodes to the same text
    assert sorted(r["substance"] for r in json.loads(out)) == sorted(HOSTILE + [ANSI])


def test_list_never_prints_escape_codes_from_the_data(hostile_set, capsys):
    from indicators.cli import main

    assert main(["list", "--data", str(hostile_set)]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b\x9d"), [line for line in out.splitlines() if "röd" in line]
    line = next(line for line in out.splitlines() if "röd" in line)
    assert "qi:nkbc99" in line and 'HYPERLINK("http://evil.example/";"klicka")röd' in line
    assert main(["list", "--data", str(hostile_set), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    names = [e["name_sv"] for e in json.loads(out)]
    assert '=HYPERLINK("http://evil.example/";"klicka")' + ANSI in names  # exact, escaped in the JSON text


def test_a_message_about_a_hostile_path_is_one_line_without_escape_codes(tmp_path, capsys):
    from indicators.cli import main

    bad = tmp_path / "x\x1b]0;pwned\x07\nrad2"
    assert main(["validate", "--data", str(bad)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "\x1b" not in err and "\x07" not in err, repr(err)
    assert "katalogen finns inte" in err


def test_a_path_component_over_255_bytes_is_one_line_not_a_traceback(tmp_path, capsys):
    from indicators.cli import main

    long = tmp_path / ("a" * 300)
    for args, code in ((["validate", "--data", str(long)], 1),
                       (["compute", "svf_within_target", "--data", str(long)], 1),
                       (["ingest", str(long), "--store", str(tmp_path / "st")], 1),
                       (["generate", "--out", str(long / "x"), "--scale", "0.01"], 2)):
        assert main(args) == code, args
        out, err = capsys.readouterr()
        text = (out + err).strip()
        assert len(text.splitlines()) == 1 and "för långt" in text and "300 byte" in text, text
        assert "Traceback" not in text


def test_unexpected_os_error_and_interrupt_are_one_line(monkeypatch, capsys):
    import errno

    import indicators.cli as cli

    def boom(_args):
        raise OSError(errno.EIO, "Input/output error", "/data/x.parquet")

    monkeypatch.setitem(cli._COMMANDS, "list", boom)
    assert cli.main(["list"]) == 1
    assert capsys.readouterr().err == "fel: '/data/x.parquet': kunde inte användas: in- eller utmatningsfel på disken\n"

    def interrupted(_args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli._COMMANDS, "list", interrupted)
    assert cli.main(["list"]) == 130
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
