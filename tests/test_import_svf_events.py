"""`import svf-events` (data-contract.md §9.1, §9.5): KVÅ code rows paired into svf_episodes, every
unused row reported by reason, sources in every form the contract allows, and nothing in the output
directory touched when a source cannot be read.

The shipped example data/examples/svf_events_example.csv holds one person per rule (P01–P11) and
one row per row rule (R01–R16); its expected episodes and report are written out below by hand.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli_runner import run_cli
from indicators import open_data
from indicators.imports.common import read_report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "examples" / "svf_events_example.csv"
SRC = "svf_events_example.csv"
D = date.fromisoformat

# (episode_id, person_id, region_code, home_region_code, svf_code, start, end, end_code, extended, sex, age)
EXPECTED_EPISODES = [
    # P01: 10, 25, 44, 35, 50 closes (the first end code), 52 after it is an end without an episode
    ("P01-VG9-20240110", "P01", "01", "01", "brost", D("2024-01-10"), D("2024-02-01"), "50", True, "K", 60),
    # P02: 'vg9 10' (lower case, a space) with region '1' opens; a second 10 the next day is ignored
    ("P02-VG9-20240301", "P02", "01", None, "brost", D("2024-03-01"), None, None, False, "K", 55),
    # P04: transferred from Halland (13) to Västra Götaland (14): 90 and 91 are follow-up codes; the
    # closing region is the end row's, home region the end row's
    ("P04-VJ1-20240401", "P04", "14", "13", "prostata", D("2024-04-01"), D("2024-04-20"), "54", False, "M", 66),
    # P05: a 44 the day before the start is outside any episode; 73 closes
    ("P05-VB2-20240502", "P05", "05", "05", "kolorektal", D("2024-05-02"), D("2024-05-10"), "73", False, "K", 71),
    # P06: the start row twice, identical: one extra copy reported
    ("P06-VC0-20240601", "P06", "06", "06", "lunga", D("2024-06-01"), D("2024-06-20"), "60", False, "M", 58),
    # P07: 50 listed before two 10s on the same day: 10 sorts first, the first 10 (region 01) opens,
    # the second (region 03) is a start while one runs, 50 closes the same day (lead time 0)
    ("P07-VE0-20240701", "P07", "01", "01", "melanom", D("2024-07-01"), D("2024-07-01"), "50", False, "K", 45),
    # P08: two episodes after each other
    ("P08-VG9-20240801", "P08", "12", "12", "brost", D("2024-08-01"), D("2024-08-05"), "70", False, "K", 49),
    ("P08-VG9-20240810", "P08", "12", "12", "brost", D("2024-08-10"), D("2024-08-30"), "58", False, "K", 49),
    # P09: two pathways at once; the breast episode closes, the prostate one is ongoing
    ("P09-VG9-20240901", "P09", "18", "18", "brost", D("2024-09-01"), D("2024-09-20"), "52", False, "K", 52),
    ("P09-VJ1-20240903", "P09", "18", "18", "prostata", D("2024-09-03"), None, None, False, "K", 52),
    # P10: the end row has no home region: the start row's
    ("P10-VK1-20241001", "P10", "05", "05", "urinblasa", D("2024-10-01"), D("2024-10-20"), "50", False, "M", 77),
    # P11: AOS closed with 72; age 64 at the start, 65 at the end: the start row's
    ("P11-VP8-20241030", "P11", "22", "22", "aos", D("2024-10-30"), D("2024-11-20"), "72", False, "K", 64),
]

EXPECTED_REPORT = {
    "raden kunde inte tolkas (för många fält)": 1,                                   # R16
    "person_id är tom": 1,                                                           # R01
    "region_code: okänd region": 2,                                                  # R02, R15 (also sex X)
    "home_region_code: okänd region": 1,                                             # R03
    "event_date är inte ett datum ÅÅÅÅ-MM-DD": 1,                                    # R04
    "event_date efter uttagsdatum": 1,                                               # R05 (2025-02-01)
    "event_date före 1958-01-01": 1,                                                 # R06
    "sex är inte M eller K": 1,                                                      # R07
    "age är inte ett heltal": 1,                                                     # R08 (61.5)
    "age utanför 0–120": 1,                                                          # R09
    "kva_code felformad (väntat V, en bokstav, en siffra och en tvåsiffrig händelse, t.ex. VG910)": 2,  # R10 R11
    "okänt förloppsprefix VZ9 (finns inte i svf_kva_prefixes)": 1,                   # R12
    "okänd händelsekod 99": 1,                                                       # R13
    "händelsekod 42 utgick 2018, används inte": 1,                                   # R14
    "identisk upprepad rad (extra kopia)": 1,                                        # P06
    "start medan ett förlopp pågår (ignoreras)": 2,                                  # P02, P07
    "avslut utan pågående förlopp (ignoreras)": 2,                                   # P01's 52, P03
    "44 (utökad utredning) utan pågående förlopp (ignoreras)": 1,                    # P05
    "uppföljningskod 25 (första besök i specialiserad vård), används inte": 1,       # P01
    "uppföljningskod 35 (första multidisciplinära konferens), används inte": 1,      # P01
    "uppföljningskod 90 (överflyttad till annan region), används inte": 1,           # P04
    "uppföljningskod 91 (mottagen från annan region), används inte": 1,              # P04
}
# 49 data lines = 23 used (12 starts, 10 ends, one 44) + 26 reported
USED_ROWS = 23


def run_import(*args) -> subprocess.CompletedProcess:
    """`python -m indicators import svf-events ARGS`, run in this process (exit code, stdout, stderr)."""
    return run_cli("import", "svf-events", *args)


def episodes(out: Path) -> list[tuple]:
    t = pq.read_table(out / "svf_episodes.parquet")
    return [tuple(r.values()) for r in t.to_pylist()]


def report(out: Path) -> dict[str, int]:
    rows = read_report(out / "import_report.csv")
    got: dict[str, int] = {}
    for _source, reason, n in rows:
        got[reason] = got.get(reason, 0) + n
    return got


@pytest.fixture(scope="module")
def example_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kva") / "extract"
    done = run_import(EXAMPLE, "--out", out, "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    return out


def test_example_episodes_exactly(example_out):
    assert episodes(example_out) == EXPECTED_EPISODES


def test_example_episode_table_has_the_contract_types(example_out):
    schema = pq.read_schema(example_out / "svf_episodes.parquet")
    assert schema.names == ["episode_id", "person_id", "region_code", "home_region_code", "svf_code", "start_date",
                            "end_date", "end_code", "extended_workup", "sex", "age"]
    assert schema.field("start_date").type == pa.date32() and schema.field("extended_workup").type == pa.bool_()
    assert pa.types.is_integer(schema.field("age").type)


def test_example_report_exactly(example_out):
    rows = read_report(example_out / "import_report.csv")
    assert {source for source, _, _ in rows} == {SRC}
    assert len(rows) == len(EXPECTED_REPORT)  # one line per reason
    assert report(example_out) == EXPECTED_REPORT
    assert sum(EXPECTED_REPORT.values()) + USED_ROWS == 49


def test_example_writes_manifest_and_nothing_else(example_out):
    assert sorted(p.name for p in example_out.iterdir()) == ["import_report.csv", "manifest.json",
                                                              "svf_episodes.parquet"]
    assert json.loads((example_out / "manifest.json").read_text(encoding="utf-8"))["extract_date"] == "2025-01-15"


def test_printed_report_names_every_reason(tmp_path):
    done = run_import(EXAMPLE, "--out", tmp_path / "o", "--extract-date", "2025-01-15")
    assert done.returncode == 0
    assert "svf_episodes" in done.stdout and "12 rader" in done.stdout
    for reason, n in EXPECTED_REPORT.items():
        assert f"{SRC}; {reason}; {n}" in done.stdout
    assert "49 kodrader" not in done.stdout  # one line could not be parsed: 48 rows read
    assert "48 kodrader lästa, 23 användes" in done.stdout


def test_imported_set_validates_and_computes(example_out, rows, check_row):
    ds = open_data(example_out)
    assert ds.tables["svf_episodes"].error is None
    assert ds.tables["svf_episodes"].rows_valid == 12
    # treated or 73 episodes with a target, ended in 2024, each within its limit: P01 brost 22 d (28),
    # P04 prostata radiotherapy 19 d (68), P05 kolorektal 73 8 d (25), P07 melanom surgery 0 d (33),
    # P08b brost palliative 20 d (28), P09 brost drug 19 d (28), P10 urinblasa surgery 19 d (42).
    # Not counted: P06 (lunga has no limit for expectancy), P08a (70) and P11 (72) closed untreated,
    # P02 and P09's prostate episode ongoing.
    (r,) = rows(ds.compute("svf_within_target", start="2024-01-01", end="2024-12-31"))
    check_row(r, numerator=7, denominator=7, value=100.0)


def _write_csv(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


SMALL = [  # a closed breast episode with a Swedish letter in the person key
    ("PÅ1", "01", "01", "2024-01-10", "VG910", "K", "60"),
    ("PÅ1", "01", "01", "2024-01-20", "VG935", "K", "60"),
    ("PÅ1", "01", "01", "2024-02-01", "VG950", "K", "60"),
]
SMALL_EPISODE = [("PÅ1-VG9-20240110", "PÅ1", "01", "01", "brost", D("2024-01-10"), D("2024-02-01"), "50", False,
                  "K", 60)]
HEADER = ("person_id", "region_code", "home_region_code", "event_date", "kva_code", "sex", "age")


@pytest.mark.parametrize("delimiter,encoding,bom", [(",", "utf-8", False), (";", "cp1252", False),
                                                    (";", "utf-8", True), ("\t", "utf-8", False)])
def test_csv_forms_give_the_same_episodes(tmp_path, delimiter, encoding, bom):
    text = "\n".join(delimiter.join(r) for r in [HEADER, *SMALL]) + "\n"
    src = _write_csv(tmp_path / "kva.csv", ("\ufeff" if bom else "") + text, encoding)
    done = run_import(src, "--out", tmp_path / "o", "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert episodes(tmp_path / "o") == SMALL_EPISODE
    assert report(tmp_path / "o") == {"uppföljningskod 35 (första multidisciplinära konferens), används inte": 1}


def test_parquet_with_typed_columns(tmp_path):
    t = pa.table({"person_id": [r[0] for r in SMALL], "region_code": [r[1] for r in SMALL],
                  "home_region_code": pa.array([None, None, None], type=pa.string()),
                  "event_date": pa.array([D(r[3]) for r in SMALL], type=pa.date32()),
                  "kva_code": [r[4] for r in SMALL], "sex": [r[5] for r in SMALL],
                  "age": pa.array([60, 60, 60], type=pa.int16()), "extra": [1.5, 2.5, 3.5]})
    pq.write_table(t, tmp_path / "kva.parquet")
    done = run_import(tmp_path / "kva.parquet", "--out", tmp_path / "o", "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    (ep,) = episodes(tmp_path / "o")
    assert ep[:3] == ("PÅ1-VG9-20240110", "PÅ1", "01") and ep[3] is None and ep[5:8] == (D("2024-01-10"),
                                                                                         D("2024-02-01"), "50")


def test_codes_of_one_person_paired_across_files(tmp_path):
    # the start in one region's file, the end in another's (and in another form)
    a = _write_csv(tmp_path / "region13.csv", "person_id;region_code;home_region_code;event_date;kva_code;sex;age\n"
                   "P4;13;13;2024-04-01;VJ110;M;66\nP4;13;13;2024-04-05;VJ190;M;66\n", "cp1252")
    b = _write_csv(tmp_path / "region14.csv", "PERSON_ID,Region_Code,home_region_code,event_date,kva_code,sex,age\n"
                   "P4,14,13,2024-04-06,VJ191,M,66\nP4,14,13,2024-04-20,VJ154,M,66\n", "utf-8")
    done = run_import(a, b, "--out", tmp_path / "o", "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert episodes(tmp_path / "o") == [("P4-VJ1-20240401", "P4", "14", "13", "prostata", D("2024-04-01"),
                                         D("2024-04-20"), "54", False, "M", 66)]
    rows = read_report(tmp_path / "o" / "import_report.csv")
    assert sorted(rows) == [("region13.csv", "uppföljningskod 90 (överflyttad till annan region), används inte", 1),
                            ("region14.csv", "uppföljningskod 91 (mottagen från annan region), används inte", 1)]


def _snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture()
def busy_out(tmp_path) -> Path:
    """An output directory that already holds a table and a report."""
    out = tmp_path / "busy"
    out.mkdir()
    (out / "cancer_cases.parquet").write_bytes(b"not really parquet, never read")
    (out / "import_report.csv").write_text("source,reason,rows\nx.csv,något,3\n", encoding="utf-8")
    return out


def test_missing_column_names_file_column_and_expectation(tmp_path, busy_out):
    src = _write_csv(tmp_path / "kva.csv", "person_id;region_code;event_date;kva_code;sex;age\n"
                     "P1;01;2024-01-10;VG910;K;60\n", "utf-8")
    before = _snapshot(busy_out)
    done = run_import(src, "--out", busy_out)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "kva.csv" in done.stderr and "home_region_code saknas" in done.stderr and "hemregion" in done.stderr
    assert _snapshot(busy_out) == before


def test_missing_file_and_wrong_encoding_exit_1_and_touch_nothing(tmp_path, busy_out):
    before = _snapshot(busy_out)
    done = run_import(tmp_path / "finns_inte.csv", "--out", busy_out)
    assert done.returncode == 1 and "finns_inte.csv: filen finns inte" in done.stderr
    bad = tmp_path / "trasig.csv"
    bad.write_bytes(",".join(HEADER).encode() + b"\nP\x81,01,,2024-01-01,VG910,K,60\n")  # 0x81: neither
    done = run_import(bad, "--out", busy_out)
    assert done.returncode == 1 and "trasig.csv" in done.stderr and "Windows-1252" in done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot(busy_out) == before


def test_existing_table_refused_and_report_appended_otherwise(tmp_path, busy_out):
    src = _write_csv(tmp_path / "kva.csv", "\n".join(",".join(r) for r in [HEADER, *SMALL]) + "\n", "utf-8")
    done = run_import(src, "--out", busy_out, "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert read_report(busy_out / "import_report.csv")[0] == ("x.csv", "något", 3)  # earlier lines kept
    assert (busy_out / "cancer_cases.parquet").read_bytes() == b"not really parquet, never read"
    before = _snapshot(busy_out)
    done = run_import(src, "--out", busy_out, "--extract-date", "2025-01-15")
    assert done.returncode == 2 and "svf_episodes: tabellen finns redan" in done.stderr
    assert _snapshot(busy_out) == before


def test_same_file_twice_is_refused(tmp_path):
    src = _write_csv(tmp_path / "kva.csv", "\n".join(",".join(r) for r in [HEADER, *SMALL]) + "\n", "utf-8")
    done = run_import(src, src, "--out", tmp_path / "o")
    assert done.returncode == 2 and not (tmp_path / "o").exists()


def test_prefix_table_of_the_extract_set_overrides_the_bundled_one(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "svf_kva_prefixes.csv").write_text("svf_code,kva_prefix\nlunga,VX1\n", encoding="utf-8")
    src = _write_csv(tmp_path / "kva.csv", ",".join(HEADER) + "\nP1,01,,2024-01-10,VX110,K,60\n"
                     "P1,01,,2024-01-20,VX152,K,60\nP2,01,,2024-01-10,VG910,K,60\n", "utf-8")
    done = run_import(src, "--out", out, "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert [e[4] for e in episodes(out)] == ["lunga"]  # VG9 is not in the set's own table
    assert report(out) == {"okänt förloppsprefix VG9 (finns inte i svf_kva_prefixes)": 1}


def test_prefix_table_naming_an_unknown_pathway_exits_1(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "svf_kva_prefixes.csv").write_text("svf_code,kva_prefix\nokand,VX1\n", encoding="utf-8")
    src = _write_csv(tmp_path / "kva.csv", ",".join(HEADER) + "\nP1,01,,2024-01-10,VX110,K,60\n", "utf-8")
    done = run_import(src, "--out", out)
    assert done.returncode == 1 and "svf_kva_prefixes" in done.stderr and "okänt förlopp" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["svf_kva_prefixes.csv"]


def test_extract_date_from_the_sets_manifest(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "manifest.json").write_text('{"extract_date": "2024-01-15"}', encoding="utf-8")
    src = _write_csv(tmp_path / "kva.csv", "\n".join(",".join(r) for r in [HEADER, *SMALL]) + "\n", "utf-8")
    done = run_import(src, "--out", out, "--extract-date", "2025-01-15")
    assert done.returncode == 2 and "manifest.json" in done.stderr and "2024-01-15" in done.stderr
    done = run_import(src, "--out", out)  # the manifest's date: 2024-01-20 and 2024-02-01 are after it
    assert done.returncode == 0, done.stderr
    assert report(out) == {"event_date efter uttagsdatum": 2}
    assert episodes(out)[0][6] is None  # the start alone: ongoing
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == {"extract_date": "2024-01-15"}


def test_bad_extract_date_argument_exits_2(tmp_path):
    done = run_import(EXAMPLE, "--out", tmp_path / "o", "--extract-date", "2025-13-01")
    assert done.returncode == 2 and done.stderr.startswith("fel: --extract-date")


def test_hostile_values_stay_data(tmp_path):
    # a formula-like person key and a header with quotes are only data; the report is inert
    src = _write_csv(tmp_path / "=evil.csv", ",".join(HEADER) + ',"x""y"\n'
                     '"=1+1",01,,2024-01-10,VG910,K,60,z\n"=1+1",01,,2024-01-12,VG925,K,60,z\n', "utf-8")
    out = tmp_path / "o"
    done = run_import(src, "--out", out, "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert episodes(out)[0][1] == "=1+1"
    text = (out / "import_report.csv").read_text(encoding="utf-8")
    assert "\n'=evil.csv," in text
    shutil.rmtree(out)


def test_real_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "indicators", "import", "svf-events", str(EXAMPLE), "--out",
                           str(tmp_path / "o"), "--extract-date", "2025-01-15"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert episodes(tmp_path / "o") == EXPECTED_EPISODES and report(tmp_path / "o") == EXPECTED_REPORT


def test_trailing_delimiter_and_empty_lines_are_read(tmp_path):
    text = ";".join(HEADER) + ";\n\n" + "".join(";".join(r) + ";\n" for r in SMALL) + "\n"
    src = _write_csv(tmp_path / "kva.csv", text, "utf-8")
    done = run_import(src, "--out", tmp_path / "o", "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert episodes(tmp_path / "o") == SMALL_EPISODE


def test_header_with_an_unnamed_column_in_the_middle_exits_1(tmp_path):
    src = _write_csv(tmp_path / "kva.csv", "person_id;;region_code\nP1;x;01\n", "utf-8")
    done = run_import(src, "--out", tmp_path / "o")
    assert done.returncode == 1 and "kolumn utan namn (kolumn 2)" in done.stderr
