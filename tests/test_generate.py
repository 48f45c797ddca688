"""The synthetic extract-set generator (indicators/generate.py) against data-contract.md §1, §3, §4."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from indicators.generate import EXTRACT_DATE, REFERENCE_DIR, generate

SCALE = 0.02

# contract §3: column -> logical type; nullable columns marked
CONTRACT = {
    "cancer_cases": {"case_id": "text", "person_id": "text", "region_code": "text", "diagnosis_date": "date",
                     "icd10": "text", "sex": "text", "age": "int"},
    "svf_episodes": {"episode_id": "text", "person_id": "text", "region_code": "text",
                     "home_region_code": "text", "svf_code": "text", "start_date": "date", "end_date": "date",
                     "end_code": "text", "extended_workup": "bool", "sex": "text", "age": "int"},
    "register_cases": {"registration_id": "text", "register_code": "text", "case_id": "text",
                       "region_code": "text", "hospital_code": "text", "diagnosis_date": "date",
                       "registered_date": "date"},
    "indicator_outcomes": {"registration_id": "text", "indicator_code": "text", "met": "bool"},
    "drug_treatments": {"treatment_id": "text", "region_code": "text", "start_date": "date", "substance": "text",
                        "icd10": "text", "in_rcl": "bool", "direct_transfer": "bool"},
    "population": {"region_code": "text", "year": "int", "sex": "text", "age_group": "text", "population": "int"},
}
DATE_COLUMNS = {t: [c for c, typ in cols.items() if typ == "date"] for t, cols in CONTRACT.items()}
IDS = {"cancer_cases": "case_id", "svf_episodes": "episode_id", "register_cases": "registration_id",
       "drug_treatments": "treatment_id"}
TREATED = ("50", "52", "54", "58", "59", "60")


def _type_ok(logical: str, t: pa.DataType) -> bool:
    return {
        "text": pa.types.is_string(t),
        "date": pa.types.is_date32(t),
        "int": pa.types.is_integer(t),
        "bool": pa.types.is_boolean(t),
    }[logical]


def _files(d: Path, table: str) -> list[Path]:
    return sorted((d / table).glob("*.parquet")) if (d / table).is_dir() else [d / f"{table}.parquet"]


def _read(d: Path, table: str) -> pa.Table:
    return pa.concat_tables([pq.read_table(f) for f in _files(d, table)])


def _digest(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("gen") / "sample"
    counts = generate(out, scale=SCALE, seed=7)
    return out, counts


@pytest.fixture(scope="module")
def con(sample) -> duckdb.DuckDBPyConnection:
    d, _ = sample
    c = duckdb.connect()
    for table in CONTRACT:
        files = [str(f) for f in _files(d, table)]
        c.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({files!r})")
    return c


def _one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_tables_columns_and_types(sample):
    d, counts = sample
    assert (d / "svf_episodes").is_dir()
    years = sorted(p.name for p in (d / "svf_episodes").glob("*.parquet"))
    assert years == [f"svf_episodes_{y}.parquet" for y in range(2018, 2026)]
    for table, cols in CONTRACT.items():
        if table != "svf_episodes":
            assert (d / f"{table}.parquet").is_file(), table
        for f in _files(d, table):
            schema = pq.read_schema(f)
            assert schema.names == list(cols), (table, schema.names)
            for name, logical in cols.items():
                assert _type_ok(logical, schema.field(name).type), (table, name, schema.field(name).type)
        assert _read(d, table).num_rows == counts[table] > 0
    # reference tables are not written: the bundled ones apply
    for ref in ("regions", "svf_pathways", "svf_lead_time_targets", "registers", "quality_indicators"):
        assert not list(d.glob(f"{ref}*"))
    assert set(counts) == set(CONTRACT)


def test_manifest(sample):
    d, _ = sample
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    assert m["extract_date"] == EXTRACT_DATE == "2026-01-15"
    assert m["source"] == f"Syntetiskt exempeldata (indicators generate, seed 7, scale {SCALE:g})"
    assert m["description"]


def test_deterministic_and_seed_dependent(sample, tmp_path):
    d, counts = sample
    again = generate(tmp_path / "again", scale=SCALE, seed=7)
    assert again == counts
    assert _digest(tmp_path / "again") == _digest(d)
    other = tmp_path / "other"
    generate(other, scale=SCALE, seed=8)
    for table in CONTRACT:
        if table == "population":  # inhabitants are not random
            continue
        assert not _read(other, table).equals(_read(d, table)), table


# -- where generate may write (indicators/generated_set.py) ------------------------------------------
TINY = 0.005


def _tree(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _siblings(d: Path) -> list[str]:
    return sorted(p.name for p in d.parent.iterdir() if p.name != d.name)


def test_a_new_or_empty_directory_is_written_with_a_marker_listing_every_file(tmp_path):
    from indicators.generated_set import MARKER, not_generated

    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (tmp_path / "new" / "deeper", empty):
        generate(out, scale=TINY, seed=3)
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
        assert marker["written_by"] == "python -m indicators generate"
        assert sorted(marker["files"]) == sorted(k for k in _tree(out) if k != MARKER)
        assert marker["files"]["manifest.json"] == hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
        assert not_generated(out) is None
    assert _siblings(tmp_path / "new" / "deeper") == []  # no temporary directory left


def test_a_set_generate_wrote_is_replaced_and_its_old_files_go(tmp_path):
    out = tmp_path / "set"
    generate(out, scale=TINY, seed=3)
    first = _tree(out)
    generate(out, scale=TINY, seed=4)
    second = _tree(out)
    assert second != first and set(second) == set(first)
    assert json.loads((out / "manifest.json").read_text())["source"].endswith("seed 4, scale 0.005)")
    assert _siblings(out) == []


@pytest.mark.parametrize("change, why", [
    (lambda d: (d / "regions.csv").write_text("region_code\n"), "'regions.csv' skrevs inte av generate"),
    (lambda d: (d / "manifest.json").write_text("{}"), "'manifest.json' har ändrats"),
    (lambda d: (d / "population.parquet").unlink(), "'population.parquet' saknas"),
    (lambda d: (d / "svf_episodes" / "notes.txt").write_text("mine"), "'svf_episodes/notes.txt' skrevs inte"),
    (lambda d: (d / "link.parquet").symlink_to("/etc/passwd"), "'link.parquet' är en länk"),
    (lambda d: (d / ".indicators-generate.json").unlink(), "markeringsfilen .indicators-generate.json saknas"),
    (lambda d: (d / ".indicators-generate.json").write_text('{"written_by": "me", "files": {}}'),
     "är inte generates"),
])
def test_a_changed_set_is_the_users_and_is_refused_unless_forced(tmp_path, change, why):
    from indicators.files import OutputError

    out = tmp_path / "set"
    generate(out, scale=TINY, seed=3)
    change(out)
    before = _tree(out)
    with pytest.raises(OutputError) as exc:
        generate(out, scale=TINY, seed=4)
    msg = str(exc.value)
    assert why in msg and "--force" in msg and "\n" not in msg, msg
    assert _tree(out) == before and _siblings(out) == []
    generate(out, scale=TINY, seed=4, force=True)
    assert not_changed_by_user(out)


def not_changed_by_user(out: Path) -> bool:
    from indicators.generated_set import not_generated

    return not_generated(out) is None and not (out / "regions.csv").exists() and not (out / "link.parquet").exists()


def test_cli_refuses_a_users_directory_and_deletes_nothing(tmp_path, capsys):
    from indicators.cli import main

    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    assert main(["generate", "--out", str(out), "--scale", str(TINY)]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("fel: --out ") and "inte tom" in err and len(err.strip().splitlines()) == 1
    assert _tree(out) == {"thesis.docx": b"years of work"} and _siblings(out) == []
    assert main(["generate", "--out", str(out), "--scale", str(TINY), "--force"]) == 0
    assert not (out / "thesis.docx").exists() and (out / "manifest.json").is_file()


@pytest.mark.parametrize("make, expect", [
    (lambda d: [(d / "target").mkdir(), (d / "out").symlink_to(d / "target"), d / "out"][2], "symbolisk länk"),
    (lambda d: [(d / "out").write_text("a file"), d / "out"][1], "ingen katalog"),
    (lambda d: d / ("x" * 256) / "out", "för långt"),
    (lambda d: Path("/proc/indikator-test"), "/proc"),
])
def test_unusable_out_is_refused_even_with_force(tmp_path, make, expect, capsys):
    from indicators.cli import main

    out = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["generate", "--out", str(out), "--scale", str(TINY), "--force"]) == 2
    _, err = capsys.readouterr()
    assert expect in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("where", ["home", "cwd", "root", "project", "reference"])
def test_force_never_replaces_home_cwd_root_or_the_project(tmp_path, monkeypatch, capsys, where):
    from indicators.cli import main
    from indicators.generate import REFERENCE_DIR

    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    (home / "work" / "thesis.docx").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home / "work")
    out = {"home": home, "cwd": home / "work", "root": Path("/"), "project": REFERENCE_DIR.parent.parent,
           "reference": REFERENCE_DIR}[where]

    def never(*_a, **_k):  # should the guard ever break, this test must not replace the checkout
        raise AssertionError("publish reached")

    monkeypatch.setattr("indicators.generated_set.publish", never)
    assert main(["generate", "--out", str(out), "--scale", str(TINY), "--force"]) == 2
    err = capsys.readouterr().err
    assert "--force ersätter aldrig" in err or "referenstabellerna" in err, err
    assert (home / "work" / "thesis.docx").read_text() == "mine"
    assert sorted(p.name for p in home.iterdir()) == ["work"]


def _fail_after_first_table(monkeypatch, exc):
    import indicators.generate as gen

    real, calls = gen._write, []

    def write(table, path, period):
        calls.append(path)
        if len(calls) == 2:
            Path(path).write_bytes(b"half a table")
            raise exc
        real(table, path, period)

    monkeypatch.setattr(gen, "_write", write)


def test_disk_full_while_generating_leaves_the_old_set_and_no_temporary_files(tmp_path, monkeypatch, capsys):
    import errno

    from indicators.cli import main

    out = tmp_path / "set"
    generate(out, scale=TINY, seed=3)
    before = _tree(out)
    _fail_after_first_table(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    assert main(["generate", "--out", str(out), "--scale", str(TINY), "--seed", "4"]) == 1
    _, err = capsys.readouterr()
    assert err.strip() == f"fel: '{out}': kunde inte skrivas: disken är full"
    assert _tree(out) == before and _siblings(out) == []


def test_interrupted_generate_leaves_no_temporary_files(tmp_path, monkeypatch):
    out = tmp_path / "set"
    _fail_after_first_table(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        generate(out, scale=TINY, seed=3)
    assert list(tmp_path.iterdir()) == []


def test_no_dates_after_extract_date_except_invalid_rows(con):
    for table, cols in DATE_COLUMNS.items():
        for col in cols:
            n = _one(con, f"SELECT count(*) FROM {table} WHERE {col} > DATE '{EXTRACT_DATE}'")
            expected = 2 if (table, col) == ("svf_episodes", "end_date") else 0
            assert n == expected, (table, col, n)
    assert _one(con, "SELECT count(*) FROM svf_episodes WHERE end_date > DATE '2026-01-15' AND end_date <> DATE '2026-02-20'") == 0
    # SVF data end with December 2025; cases and drug starts too
    assert _one(con, "SELECT max(start_date) FROM svf_episodes").isoformat() <= "2025-12-31"
    assert _one(con, "SELECT max(diagnosis_date) FROM cancer_cases").isoformat() <= "2025-12-31"
    assert _one(con, "SELECT min(diagnosis_date) FROM cancer_cases").isoformat() >= "2018-01-01"
    assert _one(con, "SELECT min(start_date) FROM svf_episodes").isoformat() >= "2018-01-01"


def test_ids_unique_except_deliberate_duplicates(con):
    for table, col in IDS.items():
        dup = con.execute(f"SELECT {col}, count(*) FROM {table} GROUP BY 1 HAVING count(*) > 1").fetchall()
        expected = 2 if table in ("svf_episodes", "cancer_cases") else 0
        assert len(dup) == expected, (table, dup)
        assert all(n == 2 for _, n in dup)
    assert _one(con, "SELECT count(*) FROM svf_episodes WHERE NOT regexp_full_match(episode_id, 'E[0-9]{9}')") == 0
    assert _one(con, "SELECT count(*) FROM cancer_cases WHERE NOT regexp_full_match(person_id, 'P[0-9]{9}')") == 0


def test_deliberately_invalid_rows(con):
    checks = {
        "SELECT count(*) FROM svf_episodes WHERE end_date < start_date": 2,
        "SELECT count(*) FROM svf_episodes WHERE region_code = '99'": 2,
        "SELECT count(*) FROM svf_episodes WHERE svf_code = 'okant_forlopp'": 2,
        "SELECT count(*) FROM svf_episodes WHERE end_code IS NOT NULL AND end_date IS NULL": 2,
        "SELECT count(*) FROM svf_episodes WHERE end_code IS NULL AND end_date IS NOT NULL": 0,
        "SELECT count(*) FROM svf_episodes WHERE end_code = '55'": 2,
        "SELECT count(*) FROM cancer_cases WHERE sex NOT IN ('M', 'K')": 2,
        "SELECT count(*) FROM cancer_cases WHERE age NOT BETWEEN 0 AND 120": 2,
        "SELECT count(*) FROM svf_episodes WHERE sex NOT IN ('M', 'K') OR age NOT BETWEEN 0 AND 120": 0,
        "SELECT count(*) FROM register_cases WHERE registered_date < diagnosis_date": 2,
        "SELECT count(*) FROM indicator_outcomes WHERE registration_id NOT IN (SELECT registration_id FROM register_cases)": 2,
        "SELECT count(*) FROM drug_treatments WHERE region_code IS NULL": 2,
    }
    for sql, expected in checks.items():
        assert _one(con, sql) == expected, sql
    indicators = {r[0] for r in duckdb.sql(
        f"SELECT indicator_code FROM read_csv('{REFERENCE_DIR / 'quality_indicators.csv'}', all_varchar=true)").fetchall()}
    codes = {r[0] for r in con.execute("SELECT DISTINCT indicator_code FROM indicator_outcomes").fetchall()}
    assert codes - indicators == {"okand01"}
    assert _one(con, "SELECT count(*) FROM indicator_outcomes WHERE indicator_code = 'okand01'") == 2


def test_codes_match_reference_tables(con):
    ref = REFERENCE_DIR
    regions = {r[0] for r in duckdb.sql(f"SELECT region_code FROM read_csv('{ref / 'regions.csv'}', all_varchar=true)").fetchall()}
    pathways = {r[0] for r in duckdb.sql(f"SELECT svf_code FROM read_csv('{ref / 'svf_pathways.csv'}', all_varchar=true)").fetchall()}
    for table in ("cancer_cases", "register_cases", "population"):
        found = {r[0] for r in con.execute(f"SELECT DISTINCT region_code FROM {table}").fetchall()}
        assert found == regions, table
    assert {r[0] for r in con.execute("SELECT DISTINCT svf_code FROM svf_episodes").fetchall()} - pathways == {"okant_forlopp"}
    assert {r[0] for r in con.execute("SELECT DISTINCT end_code FROM svf_episodes WHERE end_code IS NOT NULL").fetchall()} == {
        "50", "52", "54", "58", "59", "60", "70", "72", "73", "74", "76", "78", "55"}
    # ICD-10 codes are written with a dot: 'C50.9', 'D05.1'
    for table in ("cancer_cases", "drug_treatments"):
        assert _one(con, f"SELECT count(*) FROM {table} WHERE NOT regexp_full_match(icd10, '[CDZ][0-9]{{2}}\\.[0-9]')") == 0
    # reporting hospitals come from the bundled hospitals table, in the patient's region
    hospitals = pd.read_csv(REFERENCE_DIR / "hospitals.csv", dtype=str)
    region_of = dict(zip(hospitals["hospital_code"], hospitals["region_code"]))
    pairs = con.execute("SELECT DISTINCT hospital_code, region_code FROM register_cases").fetchall()
    assert all(region_of.get(h) == r for h, r in pairs), [p for p in pairs if region_of.get(p[0]) != p[1]][:3]


def test_treated_share_and_volumes(con):
    share = _one(con, f"SELECT avg((end_code IN {TREATED})::int) FROM svf_episodes WHERE end_code IS NOT NULL")
    assert 0.25 <= share <= 0.36
    per_year = _one(con, "SELECT count(*) / 8.0 FROM cancer_cases")
    assert 0.8 * 67_000 * SCALE <= per_year <= 1.2 * 67_000 * SCALE
    # ongoing episodes: started in the last months, both end columns null
    assert _one(con, "SELECT min(start_date) FROM svf_episodes WHERE end_date IS NULL AND end_code IS NULL").isoformat() >= "2024-01-01"
    assert _one(con, "SELECT count(*) FROM svf_episodes WHERE end_date IS NULL AND end_code IS NULL") > 0


def test_home_region_only_from_2020(con):
    assert _one(con, "SELECT count(*) FROM svf_episodes WHERE start_date < DATE '2020-01-01' AND home_region_code IS NOT NULL") == 0
    assert _one(con, "SELECT count(*) FROM svf_episodes WHERE start_date >= DATE '2020-01-01' AND home_region_code IS NULL") == 0
    moved = _one(con, "SELECT avg((home_region_code <> region_code)::int) FROM svf_episodes WHERE start_date >= DATE '2020-01-01'")
    assert 0.01 <= moved <= 0.08


def test_population_sums_to_reference(con):
    rows = duckdb.sql(
        f"SELECT region_code, population_2024::BIGINT FROM read_csv('{REFERENCE_DIR / 'regions.csv'}', all_varchar=true)"
    ).fetchall()
    for region, pop in rows:
        assert _one(con, f"SELECT sum(population) FROM population WHERE year = 2024 AND region_code = '{region}'") == pop
    assert _one(con, "SELECT count(DISTINCT year) FROM population") == 8
    assert _one(con, "SELECT count(*) FROM population") == len(rows) * 8 * 2 * 6


def test_sorted_by_period_date(sample):
    d, _ = sample
    for table, col in (("cancer_cases", "diagnosis_date"), ("register_cases", "diagnosis_date"),
                       ("drug_treatments", "start_date")):
        values = pq.read_table(d / f"{table}.parquet", columns=[col]).column(col).to_pylist()
        assert values == sorted(values), table
    for f in _files(d, "svf_episodes"):
        ends = [v for v in pq.read_table(f, columns=["end_date"]).column("end_date").to_pylist()]
        present = [v for v in ends if v is not None]
        assert present == sorted(present) and ends[: len(present)] == present, f.name
