"""`import mapped` (data-contract.md §9.2, §9.5): the shipped mappings on their example sources give
exactly the hand-worked tables below; a mapping is validated before use (a contract column missing
from it, or a source column missing from the source, is an error naming both); rows a mapping cannot
use are reported by table and reason; parts of a table from several sources go side by side, never
twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cli_runner import run_cli
from indicators import open_data
from indicators.imports.common import read_report

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
MAPPINGS = ROOT / "data" / "mappings"
INCA = EXAMPLES / "inca_nkbc_example.csv"
D = date.fromisoformat


def imp(source, mapping, out, *extra) -> subprocess.CompletedProcess:
    return run_cli("import", "mapped", source, "--mapping", mapping, "--out", out, *extra)


def table(out: Path, name: str) -> list[dict]:
    path = out / name
    return pq.read_table(path if path.is_dir() else out / f"{name}.parquet").to_pylist()


# ---------------------------------------------------------------------------------------------
# The INCA NKBC example (data/examples/inca_nkbc_example.csv, ';', Windows-1252), registrations
# 1001-1016. a_lkf without its leading zero; 1005 unmatched (cancerreg_id empty); 1009 has MDK code 7.
# nkbc04 (a_mdk_Varde, all): 1 → met, 0 → not, 98 or empty → uppgift saknas, 7 → reported.
# nkbc02 (a_omv_kssk_Varde, all): the same code list.
# nkbc15 (both a_diag_misscadat and op_kir_dat set): days between them <= 28.
# ---------------------------------------------------------------------------------------------
REGION = {1001: "01", 1002: "01", 1003: "01", 1004: "03", 1005: "03", 1006: "12", 1007: "12", 1008: "14",
          1009: "14", 1010: "25", 1011: "05", 1012: "05", 1013: "01", 1014: "01", 1015: "01", 1016: "01"}
HOSPITAL = {1001: "11001", 1002: "11001", 1003: "11002", 1004: "12001", 1005: "12001", 1006: "41001",
            1007: "41001", 1008: "51001", 1009: "51001", 1010: "65001", 1011: "21001", 1012: "99999",
            1013: "11001", 1014: "11001", 1015: "11001", 1016: "11001"}
NKBC04 = {1001: True, 1002: True, 1003: False, 1004: None, 1005: None, 1006: True, 1007: True, 1008: True,
          1010: True, 1011: False, 1012: True, 1013: True, 1014: True, 1015: False, 1016: True}  # 1009 reported
NKBC02 = {1001: True, 1002: False, 1003: True, 1004: True, 1005: None, 1006: True, 1007: True, 1008: True,
          1009: True, 1010: False, 1011: True, 1012: True, 1013: True, 1014: True, 1015: None, 1016: True}
# days from misstanke to operation: 1001 21, 1002 40, 1005 28, 1006 29, 1007 20, 1009 21, 1010 18,
# 1011 34, 1012 20, 1013 19, 1015 39; 1003 1014 not operated, 1004 1016 no misstanke, 1008 neither
NKBC15 = {1001: True, 1002: False, 1005: True, 1006: False, 1007: True, 1009: True, 1010: True, 1011: False,
          1012: True, 1013: True, 1015: False}


@pytest.fixture(scope="module")
def inca_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("inca") / "extract"
    done = imp(INCA, MAPPINGS / "inca_nkbc.yaml", out, "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    return out


def test_inca_register_cases(inca_out):
    rows = table(inca_out, "register_cases")
    assert [r["registration_id"] for r in rows] == [str(i) for i in range(1001, 1017)]
    for r in rows:
        rid = int(r["registration_id"])
        assert r["register_code"] == "nkbc"
        assert r["region_code"] == REGION[rid], rid
        assert r["hospital_code"] == HOSPITAL[rid], rid
        assert r["case_id"] == (None if rid == 1005 else f"C{rid - 1000:04d}")
    first = rows[0]
    assert (first["diagnosis_date"], first["registered_date"]) == (D("2024-02-05"), D("2024-03-01"))


def test_inca_outcomes_per_indicator(inca_out):
    got: dict[str, dict[int, bool | None]] = {}
    for r in table(inca_out, "indicator_outcomes"):
        got.setdefault(r["indicator_code"], {})[int(r["registration_id"])] = r["met"]
    assert got == {"nkbc04": NKBC04, "nkbc02": NKBC02, "nkbc15": NKBC15}


def test_inca_report_and_parts(inca_out):
    assert read_report(inca_out / "import_report.csv") == [
        ("inca_nkbc_example.csv",
         "indicator_outcomes (nkbc04): a_mdk_Varde har ett värde som inte finns i kodlistan svar (met)", 1)]
    assert sorted(str(p.relative_to(inca_out)) for p in inca_out.rglob("*") if p.is_file()) == [
        "import_report.csv", "indicator_outcomes/inca_nkbc_example.parquet", "manifest.json",
        "register_cases/inca_nkbc_example.parquet"]


def test_inca_printed_summary(tmp_path):
    done = imp(INCA, MAPPINGS / "inca_nkbc.yaml", tmp_path / "o", "--extract-date", "2025-01-15")
    assert "indicator_outcomes (nkbc04): 16 i populationen, 15 utfall: 10 uppfyllda, 3 ej uppfyllda, " \
           "2 uppgift saknas" in done.stdout
    assert "indicator_outcomes (nkbc15): 11 i populationen, 11 utfall: 7 uppfyllda, 4 ej uppfyllda" in done.stdout


def test_compute_nkbc04_by_hospital_after_import(inca_out):
    # hospital 11001: 1001 1002 1013 1014 1016 met, 1015 not -> 5/6; every other hospital has < 5;
    # 99999 is not in the hospitals table and is shown as its code
    done = subprocess.run([sys.executable, "-m", "indicators", "compute", "qi:nkbc04", "--data", str(inca_out),
                           "--by", "hospital"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line.split(",") for line in done.stdout.splitlines()]
    assert lines[0][:4] == ["hospital", "numerator", "denominator", "value"]
    assert [line[0] for line in lines[1:]] == ["11001", "11002", "12001", "21001", "41001", "51001", "65001", "99999"]
    assert lines[1][1:4] == ["5", "6", "83.33333333333334"]
    assert all(line[1] == "" and line[9] == "true" for line in lines[2:])


def test_imported_inca_set_through_the_engine(inca_out, rows, check_row):
    ds = open_data(inca_out)
    assert ds.tables["register_cases"].rows_valid == 16 and ds.tables["indicator_outcomes"].rows_valid == 42
    (r,) = rows(ds.compute("qi:nkbc15"))  # 7 of 11 within 28 days
    check_row(r, numerator=7, denominator=11, value=63.63636363636363, missing=0)
    (r,) = rows(ds.compute("qi:nkbc02"))  # 12 of 14 with an answer, 2 uppgift saknas
    check_row(r, numerator=12, denominator=14, missing=2)
    assert list(ds.import_report()["rows"]) == [1]


def test_tumour_register_example(tmp_path):
    out = tmp_path / "o"
    done = imp(EXAMPLES / "cancerregistret_example.csv", MAPPINGS / "cancerregistret.yaml", out,
               "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert [tuple(r.values()) for r in table(out, "cancer_cases")] == [
        ("C0001", "P100", "01", D("2024-02-05"), "C509", "K", 61),
        ("C0002", "P101", "01", D("2024-02-10"), "C504", "K", 48),  # LKF 18001: leading zero restored
        ("C0003", "P102", "03", D("2024-03-01"), "C619", "M", 71),
        ("C0004", "P103", "12", D("2024-03-05"), "C186", "M", 77),
        ("C0005", "P103", "12", D("2024-09-01"), "C20", "M", 77),
        ("C0008", "P106", "05", D("2024-06-01"), "D051", "K", 52),
    ]
    assert sorted(read_report(out / "import_report.csv")) == [
        ("cancerregistret_example.csv", "cancer_cases: DIADAT är inte ett datum ÅÅÅÅMMDD (diagnosis_date)", 1),
        ("cancerregistret_example.csv", "cancer_cases: KON har ett värde som inte finns i kodlistan kon (sex)", 1)]


def test_drug_export_example_from_excel(tmp_path):
    out = tmp_path / "o"
    done = imp(EXAMPLES / "lakemedel_example.xlsx", MAPPINGS / "lakemedel.yaml", out, "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert [tuple(r.values()) for r in table(out, "drug_treatments")] == [
        ("B-1001", "01", D("2024-01-15"), "pembrolizumab", "C34.1", True, True),
        ("B-1002", "01", D("2024-02-03"), "nivolumab", "C43.5", True, False),
        ("B-1003", "12", D("2024-02-20"), "palbociclib", "C50.9", False, None),
        ("B-1004", "12", D("2024-03-01"), "enzalutamid", "C61.9", True, True),
        ("B-1005", "14", D("2024-03-12"), "osimertinib", "C34.9", True, None),
        ("B-1006", "25", D("2024-04-02"), "daratumumab", "C90.0", False, None),
        ("B-1008", "03", D("2024-05-14"), "trastuzumab deruxtekan", "C50.9", True, False),  # a text date cell
    ]
    assert sorted(read_report(out / "import_report.csv")) == [
        ("lakemedel_example.xlsx",
         'drug_treatments: "Registrerad i RCL" har ett värde som inte finns i kodlistan ja_nej (in_rcl)', 1),
        ("lakemedel_example.xlsx",
         "drug_treatments: Region har ett värde som inte finns i kodlistan region (region_code)", 1)]


# -- validation of the mapping --------------------------------------------------------------------------

NKBC_HEADER = "a_regid;a_lkf;a_inr_sjhkod;a_diag_dat;a_inr_dat;cancerreg_id;a_mdk_Varde\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def mapping(tmp_path: Path, register_cases: str | None = None, outcomes: str = "", codes: str = "",
            source: str = 'source:\n  delimiter: ";"\n') -> Path:
    rc = register_cases if register_cases is not None else (
        "  register_cases:\n    registration_id: a_regid\n    register_code: {constant: nkbc}\n"
        "    case_id: cancerreg_id\n    region_code: lpad(a_lkf, 2, '0')\n    hospital_code: a_inr_sjhkod\n"
        "    diagnosis_date: date(a_diag_dat)\n    registered_date: date(a_inr_dat)\n")
    return write(tmp_path / "m.yaml", f"{source}{codes}tables:\n{rc}{outcomes}")


def src(tmp_path: Path, *rows: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    return write(tmp_path / name, NKBC_HEADER + "".join(r + "\n" for r in rows), encoding)


ROW = "1;1;11001;2024-02-05;2024-03-01;C1;1"


def test_contract_column_missing_from_mapping_names_both(tmp_path):
    m = mapping(tmp_path, register_cases="  register_cases:\n    registration_id: a_regid\n")
    done = imp(src(tmp_path, ROW), m, tmp_path / "o")
    assert done.returncode == 2
    assert "m.yaml" in done.stderr and "register_cases.register_code saknas i mappningen" in done.stderr
    assert not (tmp_path / "o").exists()


def test_source_column_missing_names_both(tmp_path):
    m = mapping(tmp_path)
    s = write(tmp_path / "export.csv", "a_regid;a_inr_sjhkod;a_diag_dat;a_inr_dat;cancerreg_id\n1;11001;2024-02-05;"
              "2024-03-01;C1\n")
    done = imp(s, m, tmp_path / "o")
    assert done.returncode == 1
    assert "export.csv: kolumnen 'a_lkf' saknas" in done.stderr and "m.yaml" in done.stderr
    assert "register_cases.region_code" in done.stderr and not (tmp_path / "o").exists()
    assert "hittade kolumner: a_regid, a_inr_sjhkod, a_diag_dat, a_inr_dat, cancerreg_id" in done.stderr


def test_a_bare_word_meant_as_a_constant_gets_a_hint(tmp_path):
    m = mapping(tmp_path)
    m.write_text(m.read_text(encoding="utf-8").replace("{constant: nkbc}", "nkbc"), encoding="utf-8")
    done = imp(src(tmp_path, ROW), m, tmp_path / "o")
    assert done.returncode == 1 and "kolumnen 'nkbc' saknas" in done.stderr
    assert "ett fast värde skrivs {constant: nkbc}" in done.stderr


@pytest.mark.parametrize("spec,message", [
    ("tables:\n  register_case:\n    x: y\n", "okänd tabell 'register_case'"),
    ("tables:\n  register_cases:\n    registration_id: a_regid\n    colour: blue\n",
     "'colour' är ingen kolumn i kontraktets register_cases"),
    ("tables: [1, 2]\n", "tables: saknas eller är tom"),
    ("source:\n  delimiter: ;\n  sep: x\ntables: {}\n", "source: okänd nyckel 'sep'"),
    ("codes:\n  svar: {1: true}\ntables: {}\n", "nyckeln 1 ska stå inom citattecken"),
    ("codes:\n  svar: {'1': true, '2': 'x'}\ntables: {}\n", "blandar värden av olika typ"),
    ("tables:\n  x: [\n", "ogiltig YAML"),
    ("!!python/object/apply:os.system ['echo hej']\n", "ogiltig YAML"),
])
def test_malformed_mappings_exit_2(tmp_path, spec, message):
    m = write(tmp_path / "m.yaml", spec)
    done = imp(src(tmp_path, ROW), m, tmp_path / "o")
    assert done.returncode == 2, done.stdout
    assert message in done.stderr and "m.yaml" in done.stderr
    assert done.stderr.count("\n") == 1


def test_unknown_code_list_and_wrong_types_exit_2(tmp_path):
    out = "  indicator_outcomes:\n    registration_id: a_regid\n    indicator_code: {constant: nkbc04}\n"
    m = mapping(tmp_path, outcomes=out + "    met: code(a_mdk_Varde, saknas)\n")
    done = imp(src(tmp_path, ROW), m, tmp_path / "o")
    assert done.returncode == 2 and "kodlistan 'saknas' finns inte" in done.stderr
    m = mapping(tmp_path, outcomes=out + "    met: a_mdk_Varde\n")
    done = imp(src(tmp_path, ROW), m, tmp_path / "o")
    assert done.returncode == 2 and "indicator_outcomes (nkbc04).met" in done.stderr
    assert "ger text men kolumnen är bool" in done.stderr and "code(" in done.stderr


def test_rows_reported_by_rule(tmp_path):
    # row 2: empty id; row 3: bad registration date; row 4: registered after the extract date;
    # row 5: diagnosed before 1958; row 6: a line with a field too many
    s = src(tmp_path, ROW, ";1;11001;2024-02-05;2024-03-01;C2;1", "3;1;11001;2024-02-05;2024-31-01;C3;1",
            "4;1;11001;2024-02-05;2025-03-01;C4;1", "5;1;11001;1957-02-05;2024-03-01;C5;1",
            "6;1;11001;2024-02-05;2024-03-01;C6;1;x")
    done = imp(s, mapping(tmp_path), tmp_path / "o", "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert [r["registration_id"] for r in table(tmp_path / "o", "register_cases")] == ["1"]
    assert sorted(read_report(tmp_path / "o" / "import_report.csv")) == sorted([
        ("export.csv", "raden kunde inte tolkas (för många fält)", 1),
        ("export.csv", "register_cases: registration_id är tom", 1),
        ("export.csv", "register_cases: a_inr_dat är inte ett datum ÅÅÅÅ-MM-DD (registered_date)", 1),
        ("export.csv", "register_cases: registered_date efter uttagsdatum", 1),
        ("export.csv", "register_cases: diagnosis_date före 1958-01-01", 1),
    ])


def test_declared_encoding_that_does_not_fit_exits_1(tmp_path):
    s = src(tmp_path, ROW, "2;1;11001;2024-02-05;2024-03-01;Cö;1", encoding="cp1252")
    m = mapping(tmp_path, source='source:\n  delimiter: ";"\n  encoding: utf-8\n')
    done = imp(s, m, tmp_path / "o")
    assert done.returncode == 1 and "export.csv: filen är inte utf-8" in done.stderr and "rad 3" in done.stderr
    m = mapping(tmp_path, source='source:\n  delimiter: ";"\n  encoding: windows-1252\n')
    assert imp(s, m, tmp_path / "o").returncode == 0
    assert table(tmp_path / "o", "register_cases")[1]["case_id"] == "Cö"


def test_missing_excel_sheet_exits_1(tmp_path):
    m = write(tmp_path / "m.yaml", (MAPPINGS / "lakemedel.yaml").read_text(encoding="utf-8").replace(
        "sheet: Behandlingsstarter", "sheet: Blad9"))
    done = imp(EXAMPLES / "lakemedel_example.xlsx", m, tmp_path / "o")
    assert done.returncode == 1 and "bladet 'Blad9' finns inte" in done.stderr


def test_hostile_header_and_values_stay_data(tmp_path):
    s = write(tmp_path / "export.csv", 'id;"x"");DROP TABLE src;--";a_lkf\n=HYPERLINK("x");1;2\n')
    m = write(tmp_path / "m.yaml", "tables:\n  regions:\n    region_code: a_lkf\n"
              "    region_name: '\"x\"\");DROP TABLE src;--\"'\n    healthcare_region: {constant: Norra}\n"
              "    rcc: id\n")
    done = imp(s, m, tmp_path / "o")
    assert done.returncode == 0, done.stderr
    assert table(tmp_path / "o", "regions") == [{"region_code": "2", "region_name": "1", "healthcare_region": "Norra",
                                                 "rcc": '=HYPERLINK("x")'}]


# -- parts: one export per register into one extract set ----------------------------------------------

def test_second_register_beside_the_first_never_the_same_twice(tmp_path, inca_out):
    out = tmp_path / "o"
    assert imp(INCA, MAPPINGS / "inca_nkbc.yaml", out, "--extract-date", "2025-01-15").returncode == 0
    npcr = write(tmp_path / "npcr.yaml", (MAPPINGS / "inca_nkbc.yaml").read_text(encoding="utf-8")
                 .replace("{constant: nkbc}", "{constant: npcr}").replace("nkbc04", "npcr01")
                 .replace("nkbc02", "npcr06").replace("nkbc15", "npcr04"))
    npcr_src = write(tmp_path / "inca_npcr.csv", INCA.read_bytes().decode("cp1252").replace("\n10", "\n20"), "cp1252")
    done = imp(npcr_src, npcr, out)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (out / "register_cases").iterdir()) == ["inca_nkbc_example.parquet", "inca_npcr.parquet"]
    ds = open_data(out)
    assert ds.tables["register_cases"].rows_valid == 32
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = write(tmp_path / "inca_nkbc_igen.csv", INCA.read_bytes().decode("cp1252"), "cp1252")
    done = imp(again, MAPPINGS / "inca_nkbc.yaml", out)
    assert done.returncode == 2 and "register_cases: register_code nkbc finns redan" in done.stderr
    done = imp(INCA, MAPPINGS / "inca_nkbc.yaml", out)
    assert done.returncode == 2 and "delen inca_nkbc_example.parquet finns redan" in done.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["extract_date"] == "2025-01-15"


def test_table_in_single_file_form_is_never_added_to(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "register_cases.parquet").write_bytes(b"x")
    done = imp(INCA, MAPPINGS / "inca_nkbc.yaml", out)
    assert done.returncode == 2 and "register_cases: tabellen finns redan" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["register_cases.parquet"]


def test_validate_shows_the_import_report(inca_out):
    done = run_cli("validate", "--data", inca_out)
    assert "Importrapport (import_report.csv)" in done.stdout
    assert "a_mdk_Varde har ett värde som inte finns i kodlistan svar" in done.stdout
    done = run_cli("validate", "--data", inca_out, "--format", "json")
    assert json.loads(done.stdout)["import_report"] == [
        {"source": "inca_nkbc_example.csv", "rows": 1,
         "reason": "indicator_outcomes (nkbc04): a_mdk_Varde har ett värde som inte finns i kodlistan svar (met)"}]


def test_population_example(tmp_path):
    out = tmp_path / "o"
    done = imp(EXAMPLES / "folkmangd_example.csv", MAPPINGS / "scb_folkmangd.yaml", out, "--extract-date", "2025-01-15")
    assert done.returncode == 0, done.stderr
    assert [tuple(r.values()) for r in table(out, "population")] == [
        ("01", 2024, "M", "00-39", 612000), ("01", 2024, "K", "00-39", 598000), ("25", 2024, "K", "80+", 9800)]
    assert sorted(read_report(out / "import_report.csv")) == [
        ("folkmangd_example.csv", "population: folkmängd är inte ett heltal (population)", 1),   # '3 900'
        ("folkmangd_example.csv", "population: kön har ett värde som inte finns i kodlistan kon (sex)", 1)]  # okänt


def test_whole_path_import_validate_ingest_keeps_the_import_report(tmp_path):
    from indicators.store import current_snapshot

    out, store = tmp_path / "extrakt", tmp_path / "store"
    assert run_cli("import", "svf-events", EXAMPLES / "svf_events_example.csv", "--out", out,
                   "--extract-date", "2025-01-15").returncode == 0
    assert imp(INCA, MAPPINGS / "inca_nkbc.yaml", out).returncode == 0  # the manifest's extract date
    assert imp(EXAMPLES / "cancerregistret_example.csv", MAPPINGS / "cancerregistret.yaml", out).returncode == 0
    assert imp(EXAMPLES / "lakemedel_example.xlsx", MAPPINGS / "lakemedel.yaml", out).returncode == 0
    assert imp(EXAMPLES / "folkmangd_example.csv", MAPPINGS / "scb_folkmangd.yaml", out).returncode == 0
    done = run_cli("validate", "--data", out)
    assert done.returncode == 0, done.stdout  # every table present and readable
    done = run_cli("ingest", out, "--store", store)
    assert done.returncode == 0, done.stdout + done.stderr
    ds = open_data(current_snapshot(store))
    report = ds.import_report()
    assert set(report["source"]) == {"svf_events_example.csv", "inca_nkbc_example.csv", "cancerregistret_example.csv",
                                     "lakemedel_example.xlsx", "folkmangd_example.csv"}
    assert int(report["rows"].sum()) == 26 + 1 + 2 + 2 + 2
    assert ds.extract_date == date(2025, 1, 15)
    (r,) = ds.compute("qi:nkbc04", where={"hospital": "11001"}).to_dict("records")
    assert (r["numerator"], r["denominator"]) == (5, 6)
