"""Builders of broken extract sets (the bad-input corpus of test_bad_extracts.py and test_ingest.py).

`write_good(dir)` writes a small, complete, valid extract set. Each `Case` in `CASES` writes that
set with one thing broken and says what the engine must report:

- kind 'rows':  rows break a row rule (contract §4): the table loads, `rows` rows are reported under
                a reason containing every string of `expect`, and are left out of the indicators;
- kind 'table': the table cannot be used (contract §1): `ds.tables[table].error` contains every
                string of `expect`, validate exits 1, indicators needing the table raise DataError
                naming it, the others still compute;
- kind 'set':   the directory itself cannot be used: open_data raises DataError (validate exit 1);
- kind 'ok':    accepted as the contract says (e.g. timestamps cast to dates): results equal the
                good set's.

Hostile files (issue 10): links to files outside the set (`SECRET` is what they hold; no message
may ever contain it), special files, manifests built to crash a parser, names with escape codes.
A case whose build plants `SECRET` sets `extra={"secret": True}`.

`working` lists indicators that must still compute (and equal the good set's result when
`same_result`), `broken` those that must raise DataError naming `table`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.extract_builder import case, episode, write_set

EXTRACT_DATE = "2025-03-15"
SECRET = "TOPSECRET:x:0:0:root:/root:/bin/bash"  # what an outside file holds; never in a message
ANSI_NAME = "\x1b]0;pwned\x07\x1b[31mnamn\x1b[0m"  # sets the terminal title, colours
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

SVF = ["svf_within_target", "svf_over_175", "svf_lead_time_median", "svf_inclusion"]
REGISTER = ["register_coverage", "register_reporting_90d", "qi:nkbc04"]
RCL = ["rcl_coverage", "rcl_direct_transfer", "rcl_starts_per_100k"]
ALL_INDICATORS = SVF + REGISTER + RCL
# period arguments per indicator (svf_inclusion needs whole months)
PERIOD = {"start": "2021-01-01", "end": "2024-12-31"}


# -- the good set ---------------------------------------------------------------------------------
def good_tables() -> dict[str, list[dict]]:
    cases = []
    for i in range(24):
        region = "01" if i % 3 else "13"
        year = 2021 + i % 4  # 2021–2024: base years for svf_inclusion 2024
        cases.append(case(f"C{i:03d}", "C50.9", f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}", region=region,
                          sex="K" if i % 5 else "M", age=40 + i))
    episodes = []
    for i in range(20):
        region = "01" if i % 3 else "13"
        start = date(2024, 1 + i % 11, 2 + i % 20)
        if i % 7 == 6:
            episodes.append(episode(f"E{i:03d}", "brost", start.isoformat(), None, None, region=region))
            continue
        end = start + timedelta(days=10 + 2 * i)  # some over 28 days
        code = ["50", "52", "54", "60"][i % 4]
        episodes.append(episode(f"E{i:03d}", "brost", start.isoformat(), end.isoformat(), code, region=region,
                                age=45 + i))
    registrations, outcomes = [], []
    for i in range(16):
        c = cases[i]
        diag = date.fromisoformat(c["diagnosis_date"]) if isinstance(c["diagnosis_date"], str) else c["diagnosis_date"]
        registrations.append({"registration_id": f"R{i:03d}", "register_code": "nkbc", "case_id": c["case_id"],
                              "region_code": c["region_code"], "hospital_code": "H1",
                              "diagnosis_date": diag.isoformat(),
                              "registered_date": (diag + timedelta(days=30 if i % 4 == 3 else 20 + 9 * i)).isoformat()})
        outcomes.append({"registration_id": f"R{i:03d}", "indicator_code": "nkbc04",
                         "met": [True, True, False, None][i % 4]})
    drugs = [{"treatment_id": f"T{i:03d}", "region_code": "01" if i % 3 else "13",
              "start_date": f"2024-{1 + i % 12:02d}-10", "substance": "pembrolizumab", "icd10": "C50.9",
              "in_rcl": i % 4 != 0, "direct_transfer": None if i % 4 == 0 else i % 2 == 0} for i in range(16)]
    population = [{"region_code": r, "year": y, "sex": s, "age_group": a, "population": 1000}
                  for r in ("01", "13") for y in range(2020, 2026) for s in ("M", "K")
                  for a in ("00-39", "40-49", "50-59", "60-69", "70-79", "80+")]
    return {"cancer_cases": cases, "svf_episodes": episodes, "register_cases": registrations,
            "indicator_outcomes": outcomes, "drug_treatments": drugs, "population": population}


def write_good(directory: Path, **overrides) -> Path:
    tables = good_tables()
    tables.update(overrides)
    return write_set(Path(directory), extract_date=EXTRACT_DATE, **tables)


def with_rows(table: str, extra: list[dict]) -> Callable[[Path], Path]:
    """A builder: the good set with `extra` rows appended to `table`."""
    def build(d: Path) -> Path:
        return write_good(d, **{table: good_tables()[table] + extra})
    return build


def ep(eid: str, **changes) -> dict:
    row = episode(eid, "brost", "2024-03-01", "2024-03-15", "50", region="01")
    row.update(changes)
    return row


def cc(cid: str, **changes) -> dict:
    row = case(cid, "C50.9", "2023-05-05", region="01")
    row.update(changes)
    return row


def reg(rid: str, **changes) -> dict:
    row = {"registration_id": rid, "register_code": "nkbc", "case_id": None, "region_code": "01",
           "hospital_code": "H1", "diagnosis_date": "2023-05-05", "registered_date": "2023-06-01"}
    row.update(changes)
    return row


def drug(tid: str, **changes) -> dict:
    row = {"treatment_id": tid, "region_code": "01", "start_date": "2024-05-10", "substance": "x",
           "icd10": "C50.9", "in_rcl": True, "direct_transfer": True}
    row.update(changes)
    return row


# -- writing tables with other Parquet types --------------------------------------------------------
def replace_column(d: Path, tbl: str, column: str, array: pa.Array | None) -> None:
    """Rewrite d/<tbl>.parquet with `column` replaced by `array` (None: dropped)."""
    t = pq.read_table(d / f"{tbl}.parquet")
    i = t.schema.get_field_index(column)
    t = t.remove_column(i) if array is None else t.set_column(i, column, array)
    pq.write_table(t, d / f"{tbl}.parquet")


def _column(tbl: str, column: str) -> list:
    return [r.get(column) for r in good_tables()[tbl]]


def _dt(v, tz=None, hour=0, minute=0):
    if v is None:
        return None
    d = date.fromisoformat(v) if isinstance(v, str) else v
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=tz)


# -- builders of broken sets ------------------------------------------------------------------------
def b_missing_table(d):
    write_good(d)
    (d / "svf_episodes.parquet").unlink()
    return d


def b_missing_column(d):
    write_good(d)
    replace_column(d, "cancer_cases", "icd10", None)
    return d


def b_wrong_type_int_as_text(d):
    write_good(d)
    replace_column(d, "svf_episodes", "age", pa.array([str(v) for v in _column("svf_episodes", "age")]))
    return d


def b_wrong_type_date_as_text(d):
    write_good(d)
    replace_column(d, "drug_treatments", "start_date",
                   pa.array([str(v) for v in _column("drug_treatments", "start_date")]))
    return d


def b_wrong_type_bool_as_int(d):
    write_good(d)
    replace_column(d, "drug_treatments", "in_rcl", pa.array([int(v) for v in _column("drug_treatments", "in_rcl")]))
    return d


def b_wrong_type_int_as_float(d):
    write_good(d)
    replace_column(d, "population", "population",
                   pa.array([float(v) for v in _column("population", "population")], type=pa.float64()))
    return d


def b_truncated_parquet(d):
    write_good(d)
    p = d / "register_cases.parquet"
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return d


def b_not_parquet(d):
    write_good(d)
    (d / "register_cases.parquet").write_text("registration_id,register_code\nR1,nkbc\n", encoding="utf-8")
    return d


def b_zero_byte_parquet(d):
    write_good(d)
    (d / "drug_treatments.parquet").write_bytes(b"")
    return d


def b_folder_one_file_truncated(d):
    write_good(d)
    t = pq.read_table(d / "svf_episodes.parquet")
    (d / "svf_episodes.parquet").unlink()
    (d / "svf_episodes").mkdir()
    pq.write_table(t.slice(0, 10), d / "svf_episodes" / "part-0.parquet")
    pq.write_table(t.slice(10), d / "svf_episodes" / "part-1.parquet")
    data = (d / "svf_episodes" / "part-1.parquet").read_bytes()
    (d / "svf_episodes" / "part-1.parquet").write_bytes(data[:-40])
    return d


def b_folder_empty(d):
    write_good(d)
    (d / "drug_treatments.parquet").unlink()
    (d / "drug_treatments").mkdir()
    return d


def b_folder_mixed_types(d):
    """Two parts of one table where one part has age as text."""
    write_good(d)
    t = pq.read_table(d / "svf_episodes.parquet")
    (d / "svf_episodes.parquet").unlink()
    (d / "svf_episodes").mkdir()
    pq.write_table(t.slice(0, 10), d / "svf_episodes" / "part-0.parquet")
    rest = t.slice(10)
    i = rest.schema.get_field_index("age")
    rest = rest.set_column(i, "age", pa.array([str(v) for v in rest.column("age").to_pylist()]))
    pq.write_table(rest, d / "svf_episodes" / "part-1.parquet")
    return d


def b_two_forms(d):
    write_good(d)
    (d / "drug_treatments").mkdir()
    shutil.copy(d / "drug_treatments.parquet", d / "drug_treatments" / "part-0.parquet")
    return d


def b_empty_extract_table(d):
    return write_good(d, drug_treatments=[])


def b_empty_reference_override(d):
    write_good(d)
    (d / "registers.csv").write_text(
        "register_code,register_name,icd10_prefixes,coverage_target_low,coverage_target_high\n", encoding="utf-8")
    return d


def b_csv_semicolon(d):
    write_good(d)
    src = (REFERENCE_DIR / "svf_lead_time_targets.csv").read_text(encoding="utf-8").splitlines()
    # the common Excel export: ';' separated, decimal comma world; no quoted commas left
    rows = [line.replace('"', "").replace(",", ";") for line in src]
    (d / "svf_lead_time_targets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return d


def b_csv_latin1(d):
    write_good(d)
    text = (REFERENCE_DIR / "svf_pathways.csv").read_text(encoding="utf-8")
    (d / "svf_pathways.csv").write_bytes(text.encode("latin-1", errors="replace"))
    return d


def b_csv_utf8_bom_crlf(d):
    """UTF-8 with a byte-order mark and CRLF line ends (what Excel writes as 'CSV UTF-8'): accepted."""
    write_good(d)
    text = (REFERENCE_DIR / "regions.csv").read_text(encoding="utf-8")
    (d / "regions.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    return d


def b_csv_bad_bool(d):
    write_good(d)
    text = (REFERENCE_DIR / "svf_lead_time_targets.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1].replace(",false,", ",nej,", 1)
    (d / "svf_lead_time_targets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


def b_reference_duplicate_key(d):
    write_good(d)
    text = (REFERENCE_DIR / "registers.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    (d / "registers.csv").write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    return d


def b_manifest_bad_json(d):
    write_good(d)
    (d / "manifest.json").write_text("{extract_date: 2025-03-15", encoding="utf-8")
    return d


def b_manifest_bad_date(d):
    write_good(d)
    (d / "manifest.json").write_text(json.dumps({"extract_date": "15/03/2025"}), encoding="utf-8")
    return d


def b_timestamps(d):
    """Naive timestamps (with a time of day) in every date column of svf_episodes and register_cases."""
    write_good(d)
    for tbl, cols in (("svf_episodes", ("start_date", "end_date")),
                      ("register_cases", ("diagnosis_date", "registered_date"))):
        for col in cols:
            replace_column(d, tbl, col, pa.array([_dt(v, hour=23, minute=30) for v in _column(tbl, col)],
                                                 type=pa.timestamp("us")))
    return d


def b_timestamps_ns(d):
    """pandas' default: timestamp[ns] at midnight."""
    write_good(d)
    for col in ("start_date", "end_date"):
        replace_column(d, "svf_episodes", col,
                       pa.array([_dt(v) for v in _column("svf_episodes", col)], type=pa.timestamp("ns")))
    return d


def b_timestamps_tz(d):
    """Time-zone-aware timestamps (UTC-adjusted in Parquet) just after local midnight in Sweden: the
    date is the Swedish calendar date, whatever the server's time zone."""
    write_good(d)
    tz = ZoneInfo("Europe/Stockholm")
    for col in ("start_date", "end_date"):
        replace_column(d, "svf_episodes", col,
                       pa.array([_dt(v, tz=tz, hour=0, minute=30) for v in _column("svf_episodes", col)],
                                type=pa.timestamp("us", tz="Europe/Stockholm")))
    return d


def b_extra_columns(d):
    write_good(d)
    t = pq.read_table(d / "cancer_cases.parquet")
    t = t.append_column("comment", pa.array(["x"] * t.num_rows))
    pq.write_table(t, d / "cancer_cases.parquet")
    return d


# -- hostile files (issue 10) ------------------------------------------------------------------------
def outside(d: Path, name: str, content: bytes | None = None) -> Path:
    """A file beside (not inside) the set `d`, holding SECRET unless `content` is given."""
    p = d.parent / f"{d.name}.outside" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes((SECRET + "\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n").encode() if content is None
                  else content)
    return p


def b_symlink_reference_csv(d):
    """regions.csv is a link to another file (the issue's /etc/passwd case)."""
    write_good(d)
    (d / "regions.csv").symlink_to(outside(d, "passwd"))
    return d


def b_symlink_table_parquet(d):
    """drug_treatments.parquet is a link to a perfectly valid Parquet file elsewhere: still refused."""
    write_good(d)
    target = outside(d, "drug_treatments.parquet", (d / "drug_treatments.parquet").read_bytes())
    (d / "drug_treatments.parquet").unlink()
    (d / "drug_treatments.parquet").symlink_to(target)
    return d


def b_symlink_folder_part(d):
    write_good(d)
    t = pq.read_table(d / "svf_episodes.parquet")
    (d / "svf_episodes.parquet").unlink()
    (d / "svf_episodes").mkdir()
    pq.write_table(t.slice(0, 10), d / "svf_episodes" / "part-0.parquet")
    pq.write_table(t.slice(10), d / "part-1.tmp")
    target = outside(d, "part-1.parquet", (d / "part-1.tmp").read_bytes())
    (d / "part-1.tmp").unlink()
    (d / "svf_episodes" / "part-1.parquet").symlink_to(target)
    return d


def b_symlink_folder(d):
    """The table folder itself is a link to a folder elsewhere."""
    write_good(d)
    t = pq.read_table(d / "drug_treatments.parquet")
    (d / "drug_treatments.parquet").unlink()
    folder = d.parent / f"{d.name}.outside" / "drug_treatments"
    folder.mkdir(parents=True)
    pq.write_table(t, folder / "part-0.parquet")
    (d / "drug_treatments").symlink_to(folder, target_is_directory=True)
    return d


def b_fifo_table(d):
    """register_cases.parquet is a FIFO: reading it would hang the load for ever."""
    import os

    write_good(d)
    (d / "register_cases.parquet").unlink()
    os.mkfifo(d / "register_cases.parquet")
    return d


def b_table_is_directory_named_parquet(d):
    write_good(d)
    (d / "population.parquet").unlink()
    (d / "population.parquet").mkdir()
    return d


def b_passwd_copied_as_csv(d):
    """A regular copy of a passwd-like file as regions.csv: its lines are not column names."""
    write_good(d)
    (d / "regions.csv").write_bytes(outside(d, "passwd").read_bytes())
    return d


def b_csv_header_escape_codes(d):
    """A column name with escape codes, and a required column missing: the message lists the
    names it can show without the codes."""
    write_good(d)
    (d / "registers.csv").write_text(f"register_code,register_name,{ANSI_NAME}\nnkbc,Bröst,x\n", encoding="utf-8")
    return d


def b_reference_value_escape_codes(d):
    """A duplicate key whose value holds escape codes: the message quotes it without them."""
    write_good(d)
    text = (REFERENCE_DIR / "registers.csv").read_text(encoding="utf-8").splitlines()
    bad = ANSI_NAME + "," + text[1].split(",", 1)[1]  # a copy of the first row under a hostile code
    (d / "registers.csv").write_text("\n".join(text + [bad, bad]) + "\n", encoding="utf-8")
    return d


def _manifest_raw(d: Path, raw: bytes | str) -> Path:
    write_good(d)
    (d / "manifest.json").write_bytes(raw.encode("utf-8") if isinstance(raw, str) else raw)
    return d


def b_manifest_symlink(d):
    write_good(d)
    target = outside(d, "manifest.json", json.dumps({"extract_date": EXTRACT_DATE, "source": SECRET}).encode())
    (d / "manifest.json").unlink()
    (d / "manifest.json").symlink_to(target)
    return d


def b_manifest_directory(d):
    write_good(d)
    (d / "manifest.json").unlink()
    (d / "manifest.json").mkdir()
    return d


def b_manifest_fifo(d):
    import os

    write_good(d)
    (d / "manifest.json").unlink()
    os.mkfifo(d / "manifest.json")
    return d


def b_manifest_deep(d):
    depth = 200_000
    return _manifest_raw(d, '{"extract_date": "%s", "x": %s%s}' % (EXTRACT_DATE, "[" * depth, "]" * depth))


def b_manifest_5000_digits(d):
    return _manifest_raw(d, '{"extract_date": "%s", "n": %s}' % (EXTRACT_DATE, "7" * 5000))


def b_manifest_50mb(d):
    """A 50 MB manifest: a 50 MB source string (the issue's PIL crash starts here)."""
    return _manifest_raw(d, json.dumps({"extract_date": EXTRACT_DATE, "source": "A" * 50_000_000}))


def b_manifest_long_source(d):
    return _manifest_raw(d, json.dumps({"extract_date": EXTRACT_DATE, "source": "B" * 5000}))


def b_manifest_future_date(d):
    return _manifest_raw(d, json.dumps({"extract_date": "2099-01-01"}))


def b_manifest_date_number(d):
    return _manifest_raw(d, '{"extract_date": 20250315}')


def b_manifest_not_object(d):
    return _manifest_raw(d, json.dumps([EXTRACT_DATE]))


def b_manifest_nan(d):
    return _manifest_raw(d, '{"extract_date": "%s", "x": NaN}' % EXTRACT_DATE)


def b_manifest_not_utf8(d):
    return _manifest_raw(d, '{"extract_date": "2025-03-15", "source": "Region Sk\xe5ne"}'.encode("latin-1"))


def b_manifest_source_not_text(d):
    return _manifest_raw(d, json.dumps({"extract_date": EXTRACT_DATE, "source": {"a": 1}}))


def b_manifest_escape_codes(d):
    """Escape codes and a carriage return in source/description are free text: accepted (whoever
    shows or writes them escapes them)."""
    return _manifest_raw(d, json.dumps({"extract_date": EXTRACT_DATE, "source": "x\r=HYPERLINK(\"a\")" + ANSI_NAME,
                                        "description": ANSI_NAME}))


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    build: Callable[[Path], Path]
    table: str
    kind: str  # 'rows' | 'table' | 'set' | 'ok'
    expect: tuple[str, ...] = ()
    rows: int = 0
    working: tuple[str, ...] = ()
    broken: tuple[str, ...] = ()
    same_result: bool = True
    extra: dict = field(default_factory=dict, hash=False, compare=False)


_NOT_SVF = tuple(REGISTER + RCL)
_NOT_REG = tuple(SVF[:3] + RCL)
_NOT_RCL = tuple(SVF + REGISTER)

CASES: list[Case] = [
    # --- structure: the table cannot be used ---
    Case("missing_table", "svf_episodes saknas i extraktet", b_missing_table, "svf_episodes", "table",
         ("saknas",), working=_NOT_SVF, broken=tuple(SVF)),
    Case("missing_column", "cancer_cases utan kolumnen icd10", b_missing_column, "cancer_cases", "table",
         ("icd10", "saknas"), working=("svf_within_target", "register_reporting_90d", "rcl_coverage"),
         broken=("svf_inclusion", "register_coverage")),
    Case("wrong_type_int_as_text", "svf_episodes.age lagrad som text", b_wrong_type_int_as_text, "svf_episodes",
         "table", ("age", "heltal", "VARCHAR"), working=_NOT_SVF, broken=tuple(SVF)),
    Case("wrong_type_date_as_text", "drug_treatments.start_date lagrad som text 'ÅÅÅÅ-MM-DD'",
         b_wrong_type_date_as_text, "drug_treatments", "table", ("start_date", "datum", "VARCHAR"),
         working=_NOT_RCL, broken=tuple(RCL)),
    Case("wrong_type_bool_as_int", "drug_treatments.in_rcl lagrad som 0/1", b_wrong_type_bool_as_int,
         "drug_treatments", "table", ("in_rcl", "boolesk"), working=_NOT_RCL, broken=tuple(RCL)),
    Case("wrong_type_int_as_float", "population.population lagrad som flyttal", b_wrong_type_int_as_float,
         "population", "table", ("population", "heltal", "DOUBLE"), working=("rcl_coverage", "svf_within_target"),
         broken=("rcl_starts_per_100k",)),
    Case("truncated_parquet", "register_cases.parquet avklippt på mitten", b_truncated_parquet, "register_cases",
         "table", ("kunde inte läsas",), working=("svf_within_target", "rcl_coverage", "svf_inclusion"),
         broken=tuple(REGISTER)),
    Case("not_parquet", "register_cases.parquet innehåller CSV-text", b_not_parquet, "register_cases", "table",
         ("kunde inte läsas",), working=("svf_within_target", "rcl_coverage"), broken=tuple(REGISTER)),
    Case("zero_byte_parquet", "drug_treatments.parquet är 0 byte", b_zero_byte_parquet, "drug_treatments",
         "table", ("kunde inte läsas",), working=_NOT_RCL, broken=tuple(RCL)),
    Case("folder_part_truncated", "svf_episodes/ med en av två delfiler avklippt", b_folder_one_file_truncated,
         "svf_episodes", "table", ("kunde inte läsas",), working=_NOT_SVF, broken=tuple(SVF)),
    Case("folder_empty", "drug_treatments/ är en tom mapp", b_folder_empty, "drug_treatments", "table",
         ("inga Parquet-filer",), working=_NOT_RCL, broken=tuple(RCL)),
    Case("folder_mixed_types", "svf_episodes/ där en delfil har age som text", b_folder_mixed_types,
         "svf_episodes", "table", ("age",), working=_NOT_SVF, broken=tuple(SVF)),
    Case("two_forms", "drug_treatments både som .parquet och som mapp", b_two_forms, "drug_treatments", "table",
         ("flera former",), working=_NOT_RCL, broken=tuple(RCL)),
    Case("csv_semicolon", "svf_lead_time_targets.csv (override) semikolonseparerad", b_csv_semicolon,
         "svf_lead_time_targets", "table", ("kommaseparerad",),
         working=("svf_inclusion",) + _NOT_SVF, broken=tuple(SVF[:3])),
    Case("csv_latin1", "svf_pathways.csv (override) i latin-1", b_csv_latin1, "svf_pathways", "table",
         ("UTF-8",), working=("register_coverage", "register_reporting_90d", "qi:nkbc04"),
         broken=tuple(SVF) + ("rcl_coverage",)),
    Case("csv_bad_bool", "svf_lead_time_targets.csv (override) med extended_workup 'nej'", b_csv_bad_bool,
         "svf_lead_time_targets", "table", ("extended_workup", "nej", "true/false"),
         working=("svf_inclusion",) + _NOT_SVF, broken=tuple(SVF[:3])),
    Case("reference_duplicate_key", "registers.csv (override) med en kod två gånger", b_reference_duplicate_key,
         "registers", "table", ("register_code", "flera gånger"), working=tuple(SVF) + tuple(RCL),
         broken=tuple(REGISTER)),
    # --- the set itself ---
    Case("manifest_bad_json", "manifest.json är inte JSON", b_manifest_bad_json, "manifest.json", "set",
         ("manifest.json", "extract_date")),
    Case("manifest_bad_date", "manifest.json extract_date '15/03/2025'", b_manifest_bad_date, "manifest.json",
         "set", ("manifest.json", "ÅÅÅÅ-MM-DD")),
    # --- row rules: rows reported and left out ---
    Case("duplicate_ids", "svf_episodes: ett id två gånger och ett tre gånger (5 rader)",
         with_rows("svf_episodes", [ep("D1"), ep("D1"), ep("D2"), ep("D2"), ep("D2")]), "svf_episodes", "rows",
         ("episode_id", "flera gånger"), rows=5, working=tuple(ALL_INDICATORS)),
    Case("duplicate_of_good_id", "cancer_cases: en kopia av ett befintligt id (båda kopiorna utelämnas)",
         with_rows("cancer_cases", [cc("C001")]), "cancer_cases", "rows", ("case_id", "flera gånger"), rows=2,
         working=tuple(ALL_INDICATORS), same_result=False),
    Case("end_before_start", "svf_episodes: end_date före start_date (3 rader)",
         with_rows("svf_episodes", [ep(f"B{i}", start_date="2024-03-10", end_date="2024-03-01") for i in range(3)]),
         "svf_episodes", "rows", ("end_date före start_date",), rows=3, working=tuple(ALL_INDICATORS)),
    Case("registered_before_diagnosis", "register_cases: registered_date före diagnosis_date (2 rader)",
         with_rows("register_cases", [reg(f"RB{i}", registered_date="2023-01-01") for i in range(2)]),
         "register_cases", "rows", ("registered_date före diagnosis_date",), rows=2, working=tuple(ALL_INDICATORS)),
    Case("unknown_region", "cancer_cases: region_code '99' (3 rader)",
         with_rows("cancer_cases", [cc(f"U{i}", region_code="99") for i in range(3)]), "cancer_cases", "rows",
         ("region_code", "okänd region"), rows=3, working=tuple(ALL_INDICATORS)),
    Case("region_with_spaces", "drug_treatments: region_code '01 ' med blanksteg (2 rader)",
         with_rows("drug_treatments", [drug(f"S{i}", region_code="01 ") for i in range(2)]), "drug_treatments",
         "rows", ("region_code", "okänd region"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("unknown_home_region", "svf_episodes: home_region_code '00' (2 rader)",
         with_rows("svf_episodes", [ep(f"H{i}", home_region_code="00") for i in range(2)]), "svf_episodes", "rows",
         ("home_region_code", "okänd region"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("unknown_pathway", "svf_episodes: svf_code 'okand' (4 rader)",
         with_rows("svf_episodes", [ep(f"P{i}", svf_code="okand") for i in range(4)]), "svf_episodes", "rows",
         ("svf_code", "okänt vårdförlopp"), rows=4, working=tuple(ALL_INDICATORS)),
    Case("unknown_register", "register_cases: register_code 'zzz' (2 rader)",
         with_rows("register_cases", [reg(f"RZ{i}", register_code="zzz") for i in range(2)]), "register_cases",
         "rows", ("register_code", "okänt register"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("unknown_indicator", "indicator_outcomes: indicator_code 'nkbc999' (3 rader)",
         with_rows("indicator_outcomes", [{"registration_id": f"R{i:03d}", "indicator_code": "nkbc999", "met": True}
                                          for i in range(3)]), "indicator_outcomes", "rows",
         ("indicator_code", "okänd indikator"), rows=3, working=tuple(ALL_INDICATORS)),
    Case("outcome_without_registration", "indicator_outcomes: registration_id som saknas i register_cases (2 rader)",
         with_rows("indicator_outcomes", [{"registration_id": f"RX{i}", "indicator_code": "nkbc04", "met": True}
                                          for i in range(2)]), "indicator_outcomes", "rows",
         ("registration_id", "register_cases"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("unknown_end_code", "svf_episodes: end_code '99' (2 rader)",
         with_rows("svf_episodes", [ep(f"K{i}", end_code="99") for i in range(2)]), "svf_episodes", "rows",
         ("end_code", "okänd"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("end_date_without_code", "svf_episodes: end_date satt men end_code tom (2 rader)",
         with_rows("svf_episodes", [ep(f"N{i}", end_code=None) for i in range(2)]), "svf_episodes", "rows",
         ("end_date och end_code",), rows=2, working=tuple(ALL_INDICATORS)),
    Case("future_date", "svf_episodes: start/end efter uttagsdatum (3 rader)",
         with_rows("svf_episodes", [ep(f"F{i}", start_date="2025-04-01", end_date="2025-04-10") for i in range(3)]),
         "svf_episodes", "rows", ("efter uttagsdatum",), rows=3, working=tuple(ALL_INDICATORS)),
    Case("future_diagnosis", "cancer_cases: diagnosis_date 2030 (1 rad)",
         with_rows("cancer_cases", [cc("FUT", diagnosis_date="2030-01-01")]), "cancer_cases", "rows",
         ("efter uttagsdatum",), rows=1, working=tuple(ALL_INDICATORS)),
    Case("before_1958", "cancer_cases: diagnosis_date 1957-12-31 (2 rader)",
         with_rows("cancer_cases", [cc(f"O{i}", diagnosis_date="1957-12-31") for i in range(2)]), "cancer_cases",
         "rows", ("1958-01-01",), rows=2, working=tuple(ALL_INDICATORS)),
    Case("drug_before_1958", "drug_treatments: start_date 1900-01-01 (1 rad)",
         with_rows("drug_treatments", [drug("OLD", start_date="1900-01-01")]), "drug_treatments", "rows",
         ("1958-01-01",), rows=1, working=tuple(ALL_INDICATORS)),
    Case("bad_sex", "svf_episodes: sex 'X' och 'k' (2 rader)",
         with_rows("svf_episodes", [ep("SX1", sex="X"), ep("SX2", sex="k")]), "svf_episodes", "rows",
         ("sex", "M/K"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("bad_age", "cancer_cases: age 121 och -1 (2 rader)",
         with_rows("cancer_cases", [cc("A1", age=121), cc("A2", age=-1)]), "cancer_cases", "rows",
         ("age", "0–120"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("null_id", "svf_episodes: episode_id tom (2 rader)",
         with_rows("svf_episodes", [ep(None), ep(None)]), "svf_episodes", "rows", ("episode_id", "tom"), rows=2,
         working=tuple(ALL_INDICATORS)),
    Case("null_region", "register_cases: region_code tom (2 rader)",
         with_rows("register_cases", [reg(f"RN{i}", region_code=None) for i in range(2)]), "register_cases", "rows",
         ("region_code", "tom"), rows=2, working=tuple(ALL_INDICATORS)),
    Case("null_required", "svf_episodes: start_date tom (1 rad), drug_treatments: in_rcl tom (1 rad)",
         lambda d: write_good(d, svf_episodes=good_tables()["svf_episodes"] + [ep("NS", start_date=None)],
                              drug_treatments=good_tables()["drug_treatments"] + [drug("NB", in_rcl=None)]),
         "svf_episodes", "rows", ("start_date", "tom"), rows=1, working=tuple(ALL_INDICATORS),
         extra={"also": ("drug_treatments", ("in_rcl", "tom"), 1)}),
    Case("population_duplicate", "population: samma region/år/kön/åldersgrupp två gånger",
         with_rows("population", [{"region_code": "01", "year": 2024, "sex": "K", "age_group": "80+",
                                   "population": 5}]), "population", "rows", ("flera gånger",), rows=2,
         working=("rcl_coverage",), same_result=True),
    # --- accepted as the contract says ---
    Case("empty_extract_table", "drug_treatments med 0 rader (giltig men tom)", b_empty_extract_table,
         "drug_treatments", "ok", working=_NOT_RCL),
    Case("empty_reference_override", "registers.csv (override) med bara rubrikrad", b_empty_reference_override,
         "registers", "table", ("tabellen är tom",), working=tuple(SVF) + tuple(RCL),
         broken=("register_coverage", "register_reporting_90d")),
    Case("timestamps", "svf_episodes/register_cases: datum som timestamp[us] kl. 23:30", b_timestamps,
         "svf_episodes", "ok", working=tuple(ALL_INDICATORS)),
    Case("timestamps_ns", "svf_episodes: datum som timestamp[ns] (pandas standard)", b_timestamps_ns,
         "svf_episodes", "ok", working=tuple(SVF)),
    Case("timestamps_tz", "svf_episodes: datum som timestamp med tidszon Europe/Stockholm kl. 00:30",
         b_timestamps_tz, "svf_episodes", "ok", working=tuple(SVF)),
    Case("csv_utf8_bom_crlf", "regions.csv (override) UTF-8 med BOM och CRLF", b_csv_utf8_bom_crlf, "regions", "ok",
         working=tuple(ALL_INDICATORS)),
    Case("extra_columns", "cancer_cases med en extra kolumn", b_extra_columns, "cancer_cases", "ok",
         working=tuple(ALL_INDICATORS)),
    # --- hostile files (issue 10): links are not followed, contents never echoed ---
    Case("symlink_reference_csv", "regions.csv är en länk till en annan fil (/etc/passwd)", b_symlink_reference_csv,
         "regions", "table", ("'regions.csv'", "symbolisk länk"), broken=("svf_within_target", "rcl_coverage"),
         extra={"secret": True}),
    Case("symlink_table_parquet", "drug_treatments.parquet är en länk till en giltig fil utanför extraktet",
         b_symlink_table_parquet, "drug_treatments", "table", ("'drug_treatments.parquet'", "symbolisk länk"),
         working=_NOT_RCL, broken=tuple(RCL)),
    Case("symlink_folder_part", "svf_episodes/part-1.parquet är en länk", b_symlink_folder_part, "svf_episodes",
         "table", ("'svf_episodes/part-1.parquet'", "symbolisk länk"), working=_NOT_SVF, broken=tuple(SVF)),
    Case("symlink_folder", "mappen drug_treatments/ är en länk", b_symlink_folder, "drug_treatments", "table",
         ("'drug_treatments/'", "symbolisk länk"), working=_NOT_RCL, broken=tuple(RCL)),
    Case("fifo_table", "register_cases.parquet är en FIFO (skulle hänga läsningen)", b_fifo_table, "register_cases",
         "table", ("'register_cases.parquet'", "FIFO"), working=("svf_within_target", "rcl_coverage"),
         broken=tuple(REGISTER)),
    Case("table_is_directory", "population.parquet är en katalog", b_table_is_directory_named_parquet, "population",
         "table", ("'population.parquet'", "katalog"), working=("rcl_coverage", "svf_within_target"),
         broken=("rcl_starts_per_100k",)),
    Case("passwd_copied_as_csv", "regions.csv är en kopia av en passwd-fil", b_passwd_copied_as_csv, "regions",
         "table", ("region_code", "saknas", "visas inte"), broken=("svf_within_target", "rcl_coverage"),
         extra={"secret": True}),
    Case("csv_header_escape_codes", "registers.csv: ett kolumnnamn med escape-koder, en kolumn saknas",
         b_csv_header_escape_codes, "registers", "table", ("icd10_prefixes", "saknas", "'register_code'"),
         working=tuple(SVF) + tuple(RCL), broken=("register_coverage", "register_reporting_90d")),
    Case("reference_value_escape_codes", "registers.csv: en dubblerad kod med escape-koder",
         b_reference_value_escape_codes, "registers", "table", ("register_code", "flera gånger", "'namn'"),
         working=tuple(SVF) + tuple(RCL), broken=("register_coverage", "register_reporting_90d")),
    Case("manifest_symlink", "manifest.json är en länk", b_manifest_symlink, "manifest.json", "set",
         ("manifest.json", "symbolisk länk"), extra={"secret": True}),
    Case("manifest_directory", "manifest.json är en katalog", b_manifest_directory, "manifest.json", "set",
         ("manifest.json", "katalog")),
    Case("manifest_fifo", "manifest.json är en FIFO", b_manifest_fifo, "manifest.json", "set",
         ("manifest.json", "ingen vanlig fil")),
    Case("manifest_deep", "manifest.json nästlad 200 000 nivåer", b_manifest_deep, "manifest.json", "set",
         ("manifest.json", "för djupt nästlad")),
    Case("manifest_5000_digits", "manifest.json med ett tal på 5 000 siffror", b_manifest_5000_digits,
         "manifest.json", "set", ("manifest.json", "5000 siffror")),
    Case("manifest_50mb", "manifest.json på 50 MB (en source på 50 MB)", b_manifest_50mb, "manifest.json", "set",
         ("manifest.json", "för stor", "47,7 MB")),
    Case("manifest_long_source", "manifest.json med en source på 5 000 tecken", b_manifest_long_source,
         "manifest.json", "set", ("manifest.json", "source är för lång", "5000 tecken")),
    Case("manifest_future_date", "manifest.json extract_date 2099-01-01", b_manifest_future_date, "manifest.json",
         "set", ("manifest.json", "2099-01-01", "framtiden")),
    Case("manifest_date_number", "manifest.json extract_date som tal 20250315", b_manifest_date_number,
         "manifest.json", "set", ("manifest.json", "extract_date", "inte ett tal")),
    Case("manifest_not_object", "manifest.json är en lista", b_manifest_not_object, "manifest.json", "set",
         ("manifest.json", "JSON-objekt")),
    Case("manifest_nan", "manifest.json med NaN", b_manifest_nan, "manifest.json", "set",
         ("manifest.json", "NaN")),
    Case("manifest_not_utf8", "manifest.json i latin-1", b_manifest_not_utf8, "manifest.json", "set",
         ("manifest.json", "UTF-8")),
    Case("manifest_source_not_text", "manifest.json med source som objekt", b_manifest_source_not_text,
         "manifest.json", "set", ("manifest.json", "source ska vara en text")),
    Case("manifest_escape_codes", "manifest.json: source med \\r, formel och escape-koder (fri text)",
         b_manifest_escape_codes, "manifest.json", "ok", working=tuple(ALL_INDICATORS)),
]

CASES_BY_NAME = {c.name: c for c in CASES}


def build(name: str, directory: Path) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return CASES_BY_NAME[name].build(directory)


@pytest.fixture(scope="module", autouse=False)
def isolated_load_cache(tmp_path_factory):
    """Point the engine's load cache (INDIKATORPANELEN_CACHE_DIR) at a temp dir for one module, so
    the many throw-away sets of these tests neither evict a developer's cached sets (the cache
    keeps the 8 newest) nor hit stale ones. Subprocesses started meanwhile inherit it."""
    import os

    old = os.environ.get("INDIKATORPANELEN_CACHE_DIR")
    os.environ["INDIKATORPANELEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("load_cache"))
    yield
    if old is None:
        os.environ.pop("INDIKATORPANELEN_CACHE_DIR", None)
    else:
        os.environ["INDIKATORPANELEN_CACHE_DIR"] = old
