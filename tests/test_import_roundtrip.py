"""The round trip (issue 11): the generated extract written as source forms (`generate --sources`),
imported again with `import svf-events` and `import mapped`, gives an extract set on which every
indicator of the catalogue equals the same indicator computed on the generated extract, and whose
tables hold the same valid rows.

Scale 0.02 (the shared small_data_dir, seed 1) keeps it fast; the same code runs at scale 1 in the
timing reported in the README."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cli_runner import run_cli
from indicators import open_data
from indicators.catalogue import PERIOD_DIMENSIONS
from indicators.generate import EXTRACT_DATE
from indicators.generate_sources import import_commands, valid_rows, write_sources
from indicators.imports.common import read_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def trip(small_data_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("roundtrip")
    sources, imported = base / "sources", base / "imported"
    write_sources(small_data_dir, sources, seed=1)
    imported.mkdir()
    shutil.copy(sources / "svf_kva_prefixes.csv", imported)
    outputs = {}
    for cmd in import_commands(sources, imported, date.fromisoformat(EXTRACT_DATE)):
        done = run_cli(*cmd)
        assert done.returncode == 0, (cmd, done.stderr)
        outputs[Path(cmd[2]).name] = done.stdout
    return {"extract": small_data_dir, "sources": sources, "imported": imported, "outputs": outputs,
            "a": open_data(small_data_dir), "b": open_data(imported)}


def _groupings(ind) -> list[list[str]]:
    dims = [d for d in ind.dimensions if d not in PERIOD_DIMENSIONS]
    if ind.is_quality_indicator:  # (region and year are covered by the row-level checks below)
        return [[], ["hospital", "year"]]
    return [[]] + [[d] for d in dims] + [[dims[0], "quarter"]]


def test_every_indicator_of_the_catalogue_round_trips(trip):
    a, b = trip["a"], trip["b"]
    ids = a.catalogue().ids()
    assert ids == b.catalogue().ids() and len(ids) == 9 + 52
    compared = 0
    for ind in a.catalogue():
        for by in _groupings(ind):
            x = a.compute(ind.id, by=by)
            y = b.compute(ind.id, by=by)
            assert len(x) > 0, (ind.id, by)
            pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=1e-12, obj=f"{ind.id} by {by}")
            compared += 1
    assert compared > 150


def test_complementary_suppression_by_hospital_round_trips(trip):
    for ind_id in ("register_reporting_90d", "qi:nkbc04"):
        x = trip["a"].compute(ind_id, by=["hospital"], secondary=True)
        y = trip["b"].compute(ind_id, by=["hospital"], secondary=True)
        pd.testing.assert_frame_equal(x, y)


def _valid(directory: Path, table: str, columns: str) -> list[tuple]:
    con = duckdb.connect()
    from indicators.imports.common import load_reference

    load_reference(con, directory, ["regions", "svf_pathways", "registers", "quality_indicators"])
    valid_rows(con, directory, table, date.fromisoformat(EXTRACT_DATE))
    return sorted(con.execute(f"SELECT {columns} FROM valid_{table}").fetchall(), key=repr)


@pytest.mark.parametrize("table,columns", [
    ("svf_episodes", "person_id, region_code, home_region_code, svf_code, start_date, end_date, end_code, "
                     "extended_workup, sex, age"),
    ("cancer_cases", "case_id, person_id, region_code, diagnosis_date, replace(icd10, '.', ''), sex, age"),
    ("register_cases", "*"),
    ("drug_treatments", "*"),
    ("population", "region_code, year, sex, age_group, population"),
])
def test_valid_rows_of_every_table_round_trip(trip, table, columns):
    assert _valid(trip["extract"], table, columns) == _valid(trip["imported"], table, columns)


def test_outcomes_round_trip(trip):
    def outcomes(directory):
        con = duckdb.connect()
        files = [str(p) for p in Path(directory).rglob("*.parquet") if "indicator_outcomes" in str(p)]
        regs = [str(p) for p in Path(directory).rglob("*.parquet") if "register_cases" in str(p)]
        return sorted(con.execute(
            "SELECT o.registration_id, o.indicator_code, o.met FROM read_parquet($o) o "
            "WHERE o.registration_id IN (SELECT registration_id FROM read_parquet($r) WHERE registered_date >= "
            "diagnosis_date) AND o.indicator_code <> 'okand01'", {"o": files, "r": regs}).fetchall(), key=repr)
    assert outcomes(trip["extract"]) == outcomes(trip["imported"])


def test_kva_lists_hold_the_awkward_cases(trip):
    rows = read_report(trip["imported"] / "import_report.csv")
    reasons = {reason for source, reason, _ in rows if source.startswith("kva_")}
    for expected in ("start medan ett förlopp pågår (ignoreras)", "avslut utan pågående förlopp (ignoreras)",
                     "44 (utökad utredning) utan pågående förlopp (ignoreras)", "identisk upprepad rad (extra kopia)",
                     "uppföljningskod 25 (första besök i specialiserad vård), används inte",
                     "uppföljningskod 90 (överflyttad till annan region), används inte",
                     "uppföljningskod 91 (mottagen från annan region), används inte",
                     "region_code: okänd region", "sex är inte M eller K", "age är tom",
                     "event_date efter uttagsdatum", "händelsekod 42 utgick 2018, används inte",
                     "okänt förloppsprefix VQ9 (finns inte i svf_kva_prefixes)"):
        assert expected in reasons, expected
    assert any(r.startswith("kva_code felformad") for r in reasons)
    codes = pd.concat([pd.read_csv(p, sep=None, engine="python", dtype=str, encoding="cp1252"
                                   if "2018" in p.name else "utf-8")["kva_code"]
                       for p in (trip["sources"] / "svf_events").glob("kva_201*.csv")])
    assert codes.str.match(r"^v[a-z][0-9][0-9]{2}$").any()  # lower case
    assert codes.str.contains(" ").any()                    # spaces
    # every code row is accounted for: used, or reported by reason
    summary = trip["outputs"]["kva_2018.csv"]
    assert "kodrader lästa" in summary and "användes" in summary


def test_kva_file_forms(trip):
    folder = trip["sources"] / "svf_events"
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["kva_2018.csv", "kva_2019.csv", "kva_2020.parquet", "kva_2021.csv", "kva_2022.csv",
                     "kva_2023.parquet", "kva_2024.csv", "kva_2025.csv"]
    first = (folder / "kva_2018.csv").read_bytes()
    assert first.startswith(b"person_id;region_code;") and "Öron".encode("cp1252") in first  # ';', Windows-1252
    assert (folder / "kva_2019.csv").read_bytes().startswith(b"person_id,region_code,")
    assert str(pq.read_schema(folder / "kva_2020.parquet").field("event_date").type) == "date32[day]"


def test_generated_nkbc_export_also_fits_the_shipped_mapping(trip, tmp_path):
    out = tmp_path / "o"
    done = run_cli("import", "mapped", trip["sources"] / "inca" / "inca_nkbc.csv", "--mapping",
                   ROOT / "data" / "mappings" / "inca_nkbc.yaml", "--out", out)
    assert done.returncode == 0, done.stderr
    b = open_data(out, cache=False)
    for code in ("qi:nkbc04", "qi:nkbc02", "qi:nkbc15"):
        pd.testing.assert_frame_equal(trip["a"].compute(code, by=["region"]).drop(columns="provisional"),
                                      b.compute(code, by=["region"]).drop(columns="provisional"))


def test_sources_are_the_same_for_the_same_seed(trip, tmp_path):
    again = tmp_path / "again"
    write_sources(trip["extract"], again, seed=1)

    def digests(d: Path) -> dict[str, str]:
        return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*"))
                if p.is_file() and p.suffix != ".xlsx" and p.name != "LASMIG.txt"}
    assert digests(again) == digests(trip["sources"])


def test_generate_command_line_for_sources(tmp_path):
    done = run_cli("generate", "--scale", "0.005")
    assert done.returncode == 2 and "--out" in done.stderr and "--sources" in done.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    done = run_cli("generate", "--sources", tmp_path / "full", "--scale", "0.005")
    assert done.returncode == 2 and "inte en tom katalog" in done.stderr
    done = run_cli("generate", "--sources", tmp_path / "src", "--scale", "0.005", "--seed", "2")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "src" / "LASMIG.txt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "src"]  # the temporary extract is gone
