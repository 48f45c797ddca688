"""`open_data(DIR)`: one extract set loaded into an in-memory DuckDB database, validated, with the
derived tables every indicator reads (data-contract.md §1, §4 and §8).

Loading order: reference tables (the extract set's own override the bundled ones), extract tables,
row rules (bad rows are kept out and counted by table and reason), then derived tables built once
so that each query only filters and groups. A table that cannot be used is recorded, not raised:
indicators that need it raise `DataError` naming it, the others work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from . import load_cache
from .errors import DataError
from .files import os_error_message, quoted
from .loader import BUNDLED_REFERENCE_DIR, Source, duckdb_reason, find_source, load_table, table_select
from .manifest import read_manifest
from .queries import bind, read_query
from .schema import (
    AGE_GROUPS,
    EARLIEST_DATE,
    END_CODE_TREATMENT,
    EXTRACT_TABLES,
    HEALTHCARE_REGIONS,
    OPTIONAL_EXTRACT_TABLES,
    OPTIONAL_REFERENCE_TABLES,
    REFERENCE_TABLES,
    TARGET_TREATMENT_TYPES,
)

# Derived tables: name → (query file, tables it reads). Built in this order.
_DERIVED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("icd_pathway", "prepare/icd_pathway.sql", ("icd_codes", "svf_pathways")),
    ("icd_register", "prepare/icd_register.sql", ("icd_codes", "registers")),
    ("cases", "prepare/cases.sql", ("cancer_cases", "regions", "icd_pathway")),
    ("case_counts", "prepare/case_counts.sql", ("cases",)),
    ("case_data_years", "prepare/case_data_years.sql", ("cases",)),
    ("episodes", "prepare/episodes.sql", ("svf_episodes", "regions", "svf_lead_time_targets")),
    ("registrations", "prepare/registrations.sql", ("register_cases", "regions")),
    ("case_registers", "prepare/case_registers.sql", ("cases", "icd_register", "registrations", "registers")),
    ("outcomes", "prepare/outcomes.sql", ("indicator_outcomes", "registrations")),
    ("drugs", "prepare/drugs.sql", ("drug_treatments", "regions", "icd_pathway")),
    ("population_year", "prepare/population_year.sql", ("population",)),
)


@dataclass
class TableStatus:
    table: str
    source: str  # path shown to users, or '' when missing
    bundled: bool = False
    rows_read: int = 0
    rows_valid: int = 0
    error: str | None = None  # set when the table is missing or failed to load
    first_date: str | None = None  # range of the table's main date column (valid rows)
    last_date: str | None = None


@dataclass
class Dataset:
    """A loaded extract set. Thread-safe: every query runs on its own cursor."""

    directory: Path
    extract_date: date
    manifest: dict
    con: duckdb.DuckDBPyConnection
    tables: dict[str, TableStatus]
    report_rows: list[tuple[str, str, int]] = field(default_factory=list)
    available: set[str] = field(default_factory=set)
    _catalogue: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict = field(default_factory=dict)

    # -- access -------------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def query_df(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        cur = self.cursor()
        try:
            return cur.execute(sql, bind(sql, params or {})).df()
        finally:
            cur.close()

    def require(self, tables) -> None:
        """Raise DataError naming the first needed table that is missing or failed to load."""
        for name in tables:
            if name not in self.available:
                status = self.tables.get(name)
                reason = status.error if status and status.error else "kunde inte användas"
                raise DataError(f"{name}: {reason}")

    @property
    def failed_tables(self) -> list[TableStatus]:
        return [t for t in self.tables.values() if t.error]

    def validation_report(self) -> pd.DataFrame:
        """Rows left out or not usable, by table and reason (contract §8): columns table, reason, rows.

        Tables that are missing or failed to load appear with their message and `rows` empty.
        """
        rows = [(t.table, t.error, pd.NA) for t in self.tables.values() if t.error]
        rows += list(self.report_rows)
        df = pd.DataFrame(rows, columns=["table", "reason", "rows"])
        df["rows"] = df["rows"].astype("Int64")
        return df

    def catalogue(self):
        from .catalogue import Catalogue

        if self._catalogue is None:
            self._catalogue = Catalogue.for_dataset(self)
        return self._catalogue

    def compute(self, indicator: str, by=None, start=None, end=None, where=None, min_n=None,
                secondary: bool = False) -> pd.DataFrame:
        from .engine import compute

        return compute(self, indicator, by=by, start=start, end=end, where=where, min_n=min_n,
                       secondary=secondary)

    def published(self, indicator: str | None = None):
        """Official figures to show beside the computed ones (`indicators.published.PublishedFigures`:
        `.table`, `.attribution` e.g. 'Källa: Kolada', `.bundled`): the set's own
        `published_figures`, else the Kolada figures bundled with the project. Raises DataError
        when the set's own table failed to load."""
        from .published import published_of

        return published_of(self, indicator)

    def reference(self, table: str) -> pd.DataFrame:
        """A reference table as loaded (valid rows, with any extra columns)."""
        self.require([table])
        return self.query_df(f"SELECT * FROM {table}")  # table name from the fixed schema

    def hospital_names(self) -> dict[str, str]:
        """hospital_code → hospital_name from the `hospitals` reference table ({} when the set has none).

        A code that is not in the table has no name: show the code itself (contract §9.4). Rows of the
        bundled table are placeholders (see its `status` column, via `reference("hospitals")`)."""
        if "hospitals" not in self.available:
            return {}
        return dict(self.cursor().execute("SELECT hospital_code, hospital_name FROM hospitals").fetchall())

    def import_report(self) -> pd.DataFrame:
        """The set's `import_report.csv` (contract §9.5): columns source, reason, rows (Int64), one line per
        source and reason of the rows an import could not use; empty when the set has no report (it was
        not made by `import`). Raises DataError naming the file when it cannot be read."""
        from .imports.common import REPORT_FILE, read_report

        try:
            rows = read_report(self.directory / REPORT_FILE)
        except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
            raise DataError(f"{REPORT_FILE}: filen kunde inte läsas ({type(exc).__name__})") from None
        df = pd.DataFrame(rows, columns=["source", "reason", "rows"])
        df["rows"] = df["rows"].astype("Int64")
        return df

    def table_summary(self) -> pd.DataFrame:
        """Per table: source, rows read, valid rows and the date range of its main date column."""
        return pd.DataFrame([{"table": t.table, "source": t.source, "bundled": t.bundled, "rows_read": t.rows_read,
                              "rows_valid": t.rows_valid, "first_date": t.first_date, "last_date": t.last_date,
                              "error": t.error} for t in self.tables.values()])


def open_data(directory, *, reference_dir: Path | None = None, cache: bool | None = None) -> Dataset:
    """Load the extract set in `directory` (see module docstring). Raises DataError when the
    directory itself or its manifest cannot be used.

    With the load cache on (default; `INDIKATORPANELEN_CACHE=off` turns it off), the loaded and
    validated database is kept as a DuckDB file keyed by a fingerprint of the extract's files, the
    reference tables and the loading code, and later opens of the same set attach it read-only.
    """
    directory = Path(directory)
    try:
        is_dir = directory.is_dir()
    except OSError as exc:  # e.g. a name over 255 bytes
        raise DataError(os_error_message(exc, directory, action="kan inte läsas")) from None
    if not is_dir:
        raise DataError(f"{quoted(directory)}: katalogen finns inte")
    manifest, extract_date = _read_manifest(directory)
    reference_dir = reference_dir or BUNDLED_REFERENCE_DIR
    use_cache = load_cache.enabled() if cache is None else cache
    if use_cache:
        try:
            key = load_cache.fingerprint(directory, reference_dir)
            hit = load_cache.open_cached(key)
        except OSError:  # an unusable cache directory costs a load, never the load itself
            use_cache, hit = False, None
        if hit is not None:
            con, meta = hit
            return _dataset_from_meta(directory, extract_date, manifest, con, meta)
    if use_cache:
        try:
            path, con = load_cache.new_database(key)
        except (OSError, duckdb.Error):
            use_cache = False
    if not use_cache:
        con = duckdb.connect(config={"threads": 2})
    ds = Dataset(directory=directory, extract_date=extract_date, manifest=manifest, con=con, tables={})
    if use_cache:
        # building a national extract needs no more than this; DuckDB spills the rest to disk
        con.execute("SET memory_limit = '1500MB'")
    cur = con.cursor()
    _load_reference(ds, cur, directory, reference_dir)
    _load_extracts(ds, cur, directory)
    _load_published(ds, cur, directory)
    _build_derived(ds, cur)
    _summarise_and_drop_raw(ds, cur)
    cur.close()
    if use_cache:
        con = load_cache.publish(path, key, con, _meta_of(ds))
        if con is not None:
            ds.con = con
    return ds


def _summarise_and_drop_raw(ds: Dataset, cur) -> None:
    """Record each extract table's date range, then drop the row-level copies: every indicator
    reads the derived tables, so the checked extract tables only cost memory."""
    date_cols = {"cancer_cases": "diagnosis_date", "svf_episodes": "start_date",
                 "register_cases": "diagnosis_date", "drug_treatments": "start_date"}
    for table, col in date_cols.items():
        if table in ds.available:
            lo, hi = cur.execute(f"SELECT min({col}), max({col}) FROM {table}").fetchone()
            ds.tables[table].first_date = lo.isoformat() if lo else None
            ds.tables[table].last_date = hi.isoformat() if hi else None
    for table in EXTRACT_TABLES:
        if table in ds.tables and table != "population":
            cur.execute(f"DROP VIEW IF EXISTS {table}")
            cur.execute(f"DROP TABLE IF EXISTS checked_{table}")
    cur.execute("DROP TABLE IF EXISTS icd_codes")


def _meta_of(ds: Dataset) -> dict:
    return {
        "tables": [t.__dict__ for t in ds.tables.values()],
        "report_rows": [list(r) for r in ds.report_rows],
        "available": sorted(ds.available),
    }


def _dataset_from_meta(directory, extract_date, manifest, con, meta) -> Dataset:
    ds = Dataset(directory=directory, extract_date=extract_date, manifest=manifest, con=con,
                 tables={t["table"]: TableStatus(**t) for t in meta["tables"]})
    ds.report_rows = [tuple(r) for r in meta["report_rows"]]
    ds.available = set(meta["available"])
    return ds


def _read_manifest(directory: Path) -> tuple[dict, date]:
    return read_manifest(directory)  # size-, depth- and type-checked (indicators/manifest.py)


def _load_reference(ds: Dataset, cur, directory: Path, bundled_dir: Path) -> None:
    for table in REFERENCE_TABLES:
        try:
            source = find_source(directory, table)
            bundled = source is None
            if bundled:
                source = find_source(bundled_dir, table)
                if source is not None:
                    source = Source(source.table, source.kind, source.path, bundled=True)
        except DataError as exc:
            ds.tables[table] = TableStatus(table, "", error=str(exc).split(": ", 1)[1])
            continue
        if source is None:
            if table not in OPTIONAL_REFERENCE_TABLES:
                ds.tables[table] = TableStatus(table, "", error="tabellen saknas")
            continue
        status = TableStatus(table, str(source.path), bundled=bundled)
        ds.tables[table] = status
        try:
            status.rows_read = load_table(cur, source)
            if status.rows_read == 0:
                raise DataError(f"{table}: tabellen är tom")
            check_reference(cur, table, ds.available)
            cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM raw_{table}")
            status.rows_valid = status.rows_read
            ds.available.add(table)
        except DataError as exc:
            status.error = str(exc).split(": ", 1)[1]


def check_reference(cur, table: str, available) -> None:
    """Rules of the reference table `raw_<table>` (contract §2, §9), including its links to the tables in
    `available` that are already loaded; raises DataError naming the table on the first break. Also used
    by the imports, which read the same reference tables."""
    _check_reference(cur, table)
    links = {"hospitals": ("region_code", "regions", "region_code", "okänd region"),
             "svf_kva_prefixes": ("svf_code", "svf_pathways", "svf_code", "okänt förlopp")}.get(table)
    if links and links[1] in available:
        col, other, other_col, what = links
        row = cur.execute(f"SELECT {col} FROM raw_{table} WHERE {col} NOT IN (SELECT {other_col} FROM {other}) "
                          "LIMIT 1").fetchone()  # identifiers from the fixed table above
        if row:
            raise DataError(f"{table}: {col} {str(row[0])[:40]!r}: {what} (finns inte i {other})")


def _check_reference(cur, table: str) -> None:
    """Rules of the reference tables themselves; any break fails the table (contract §2)."""

    def fail(message: str):
        raise DataError(f"{table}: {message}")

    def first(sql: str, params=None):
        return cur.execute(sql, params or {}).fetchone()

    key = {"regions": "region_code", "svf_pathways": "svf_code", "registers": "register_code",
           "quality_indicators": "indicator_code", "svf_kva_prefixes": "kva_prefix",
           "hospitals": "hospital_code"}.get(table)
    if key:
        row = first(f"SELECT {key} FROM raw_{table} GROUP BY {key} HAVING count(*) > 1 OR {key} IS NULL LIMIT 1")
        if row:
            fail(f"{key} {quoted(row[0], 40)} förekommer flera gånger eller är tom")
    if table == "regions":
        row = first("SELECT healthcare_region FROM raw_regions WHERE NOT list_contains($hr, healthcare_region)",
                    {"hr": list(HEALTHCARE_REGIONS)})
        if row:
            fail(f"healthcare_region {quoted(row[0], 40)} är inte en av de sex sjukvårdsregionerna")
    elif table == "svf_pathways":
        cur.execute("CREATE OR REPLACE TEMP VIEW svf_pathways AS SELECT * FROM raw_svf_pathways")
        row = first(read_query("prepare/pathway_prefix_conflicts.sql"))
        cur.execute("DROP VIEW svf_pathways")
        if row:
            pathways = ", ".join(quoted(c, 40) for c in row[1])
            fail(f"ICD-10-prefixet {quoted(row[0], 20)} finns i två förlopp ({pathways})")
    elif table == "svf_lead_time_targets":
        row = first("SELECT svf_code, treatment_type, extended_workup, valid_from FROM raw_svf_lead_time_targets "
                    "GROUP BY ALL HAVING count(*) > 1 LIMIT 1")
        if row:
            fail(f"raden ({quoted(row[0], 40)}, {quoted(row[1], 40)}, {str(row[2]).lower()}, {row[3]}) "
                 "förekommer flera gånger")
        row = first("SELECT treatment_type FROM raw_svf_lead_time_targets WHERE NOT list_contains($t, treatment_type)"
                    " OR treatment_type IS NULL LIMIT 1", {"t": list(TARGET_TREATMENT_TYPES)})
        if row:
            fail(f"treatment_type {quoted(row[0], 40)} är okänd")
        row = first("SELECT status FROM raw_svf_lead_time_targets WHERE status NOT IN ('sourced', 'placeholder') "
                    "OR status IS NULL LIMIT 1")
        if row:
            fail(f"status {quoted(row[0], 40)} ska vara sourced eller placeholder")
        row = first("SELECT svf_code FROM raw_svf_lead_time_targets WHERE target_days IS NULL OR target_days <= 0 "
                    "OR valid_from IS NULL OR svf_code IS NULL OR extended_workup IS NULL LIMIT 1")
        if row:
            fail(f"rad för {quoted(row[0], 40)} saknar target_days, valid_from eller extended_workup "
                 "(eller target_days <= 0)")
    elif table == "svf_kva_prefixes":
        row = first("SELECT kva_prefix FROM raw_svf_kva_prefixes WHERE NOT regexp_full_match(kva_prefix, 'V[A-Z][0-9]') "
                    "LIMIT 1")
        if row:
            fail(f"kva_prefix {quoted(row[0], 20)} ska vara V, en versal och en siffra (t.ex. VG9)")
        row = first("SELECT svf_code FROM raw_svf_kva_prefixes WHERE svf_code IS NULL LIMIT 1")
        if row:
            fail("svf_code är tom")
    elif table == "hospitals":
        row = first("SELECT hospital_code FROM raw_hospitals WHERE hospital_name IS NULL OR region_code IS NULL LIMIT 1")
        if row:
            fail(f"sjukhuset {quoted(row[0], 20)} saknar hospital_name eller region_code")
    elif table == "quality_indicators":
        row = first("SELECT indicator_code, direction FROM raw_quality_indicators "
                    "WHERE direction NOT IN ('higher', 'lower') OR direction IS NULL LIMIT 1")
        if row:
            fail(f"direction {quoted(row[1], 40)} för {quoted(row[0], 40)} ska vara higher eller lower")


def _load_extracts(ds: Dataset, cur, directory: Path) -> None:
    params_for = {
        "svf_episodes": {"end_codes": list(END_CODE_TREATMENT)},
        "population": {"age_groups": list(AGE_GROUPS)},
    }
    refs_needed = {
        "cancer_cases": ("regions",),
        "svf_episodes": ("regions", "svf_pathways"),
        "register_cases": ("regions", "registers"),
        "indicator_outcomes": ("quality_indicators", "register_cases"),
        "drug_treatments": ("regions",),
        "population": ("regions",),
    }
    for table in EXTRACT_TABLES:
        try:
            source = find_source(directory, table)
        except DataError as exc:
            ds.tables[table] = TableStatus(table, "", error=str(exc).split(": ", 1)[1])
            continue
        if source is None:
            ds.tables[table] = TableStatus(table, "", error="tabellen saknas")
            continue
        status = TableStatus(table, str(source.path))
        ds.tables[table] = status
        missing = [t for t in refs_needed[table] if t not in ds.available]
        try:
            select, select_params = table_select(cur, source)
            if missing:
                status.error = f"kan inte kontrolleras eftersom {', '.join(missing)} saknas eller inte kunde läsas"
                continue
            rules = read_query(f"validate/{table}.sql")
            params = {"extract_date": ds.extract_date, "earliest": date.fromisoformat(EARLIEST_DATE),
                      **params_for.get(table, {})}
            # read, cast and check in one pass: the file is scanned once and stored once
            cur.execute(f"CREATE OR REPLACE TABLE checked_{table} AS WITH raw_{table} AS ({select}) {rules}",
                        {**select_params, **bind(rules, params)})
        except DataError as exc:
            status.error = str(exc).split(": ", 1)[1]
            continue
        except duckdb.Error as exc:
            status.error = f"filen kunde inte läsas: {duckdb_reason(exc, source)}"
            continue
        status.rows_read = cur.execute(f"SELECT count(*) FROM checked_{table}").fetchone()[0]
        for reason, n in cur.execute(
            f"SELECT _reason, count(*) FROM checked_{table} WHERE _reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall():
            ds.report_rows.append((table, reason, int(n)))
        cur.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * EXCLUDE (_reason) FROM checked_{table} "
                    "WHERE _reason IS NULL")
        status.rows_valid = status.rows_read - sum(n for t, _, n in ds.report_rows if t == table)
        ds.available.add(table)


def _load_published(ds: Dataset, cur, directory: Path) -> None:
    """The optional `published_figures` table (data-contract.md §9.3): checked like the other
    extract tables and kept as the table `published_figures`. When the set has none, the bundled
    Kolada figures stand in for it (indicators.published); a table that is there but cannot be
    used is an error, never silently replaced by the bundled figures."""
    table = "published_figures"
    assert table in OPTIONAL_EXTRACT_TABLES
    try:
        source = find_source(directory, table)
    except DataError as exc:
        ds.tables[table] = TableStatus(table, "", error=str(exc).split(": ", 1)[1])
        return
    if source is None:
        # not a table of the set: it stays out of ds.tables (and so of every table list); the
        # validation report names the bundled figures instead
        return
    status = TableStatus(table, str(source.path))
    ds.tables[table] = status
    try:
        select, select_params = table_select(cur, source)
        if "regions" not in ds.available:
            status.error = "kan inte kontrolleras eftersom regions saknas eller inte kunde läsas"
            return
        catalogue = ds.catalogue()
        rules = read_query(f"validate/{table}.sql")
        params = {"extract_date": ds.extract_date, "indicators": catalogue.ids(),
                  "proportions": [i.id for i in catalogue if i.kind == "proportion"]}
        cur.execute(f"CREATE OR REPLACE TABLE checked_{table} AS WITH raw_{table} AS ({select}) {rules}",
                    {**select_params, **bind(rules, params)})
    except DataError as exc:
        status.error = str(exc).split(": ", 1)[1]
        return
    except duckdb.Error as exc:
        status.error = f"filen kunde inte läsas: {str(exc).strip().splitlines()[0][:300]}"
        return
    status.rows_read = cur.execute(f"SELECT count(*) FROM checked_{table}").fetchone()[0]
    left_out = cur.execute(f"SELECT _reason, count(*) FROM checked_{table} WHERE _reason IS NOT NULL "
                           "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    for reason, n in left_out:
        ds.report_rows.append((table, reason, int(n)))
    cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * EXCLUDE (_reason) FROM checked_{table} "
                "WHERE _reason IS NULL")
    cur.execute(f"DROP TABLE checked_{table}")
    status.rows_valid = status.rows_read - sum(int(n) for _, n in left_out)
    ds.available.add(table)


def _build_derived(ds: Dataset, cur) -> None:
    icd_sources = [t for t in ("cancer_cases", "drug_treatments") if t in ds.available]
    if icd_sources:
        union = " UNION ".join(f"SELECT DISTINCT upper(replace(trim(icd10), '.', '')) AS icd_norm FROM {t}"
                               for t in icd_sources)
        cur.execute(f"CREATE OR REPLACE TABLE icd_codes AS {union}")
        ds.available.add("icd_codes")
    if "svf_lead_time_targets" not in ds.available and "svf_episodes" in ds.available:
        # inclusion does not need targets: build episodes with none (lead-time indicators still
        # raise DataError naming svf_lead_time_targets, which stays unavailable)
        cur.execute("CREATE OR REPLACE TABLE svf_lead_time_targets (svf_code VARCHAR, treatment_type VARCHAR, "
                    "extended_workup BOOLEAN, target_days BIGINT, valid_from DATE, status VARCHAR, source VARCHAR)")
        needs_override = {"svf_lead_time_targets"}
    else:
        needs_override = set()
    if "svf_pathways" not in ds.available and "icd_codes" in ds.available:
        # register coverage and RCL rates do not need pathways: cases and drugs get no pathway
        cur.execute("CREATE OR REPLACE TABLE icd_pathway (icd_norm VARCHAR, svf_code VARCHAR)")
        needs_override.add("icd_pathway")
    for name, query, needs in _DERIVED:
        if name in needs_override:
            continue
        needs = tuple(n for n in needs if n not in needs_override)
        if all(n in ds.available for n in needs):
            cur.execute(f"CREATE OR REPLACE TABLE {name} AS {read_query(query)}")
            ds.available.add(name)
    if "episodes" in ds.available:
        n = cur.execute("SELECT count(*) FROM episodes WHERE treatment_type IS NOT NULL AND target_days IS NULL"
                        ).fetchone()[0]
        if n:
            ds.report_rows.append(
                ("svf_episodes", "ingen ledtidsgräns för förloppets behandlingstyp (ingår inte i ledtidsindikatorerna)",
                 int(n)))
