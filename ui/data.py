"""Data access for the pages: which extract set is shown, the cached Dataset, and the views of the
current selection.

Which data set (first that applies):
  1. INDIKATORPANELEN_STORE: the current snapshot of that store (indicators.store.current_snapshot),
     resolved again on every run so a newly ingested snapshot is picked up without a restart;
  2. `streamlit run app.py -- --data DIR`;
  3. INDIKATORPANELEN_DATA=DIR;
  4. the sample set in data/sample.

Without any extract (the directory does not exist, or holds no extract table: an empty folder,
or one with only `published_figures` from `import kolada`), the app shows only the published
figures and the descriptions of the indicators (`no_extract_reason`); `dataset()` is then a
Dataset without extract tables (indicators.published.without_extract when there is no folder).

Caching: one Dataset per (path, manifest stamp) in `st.cache_resource` (the engine is thread-safe:
a cursor per query). Views are cached by the view layer itself on the Dataset, per selection, and
shared by every session and the command line (views.registry). Pages never compute numbers: they
draw views.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

import textfmt as fmt
import views
from indicators import DataError, QueryError, open_data

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"
ENV_DATA = "INDIKATORPANELEN_DATA"
ENV_STORE = "INDIKATORPANELEN_STORE"
_STATE_KEY = "_indikatorpanelen_source"

__all__ = ["DataError", "QueryError", "DataSource", "resolve_source", "activate", "current_source", "dataset",
           "view", "page_views", "month_options", "default_months", "validation_status", "context",
           "no_extract_reason", "published_years", "published_attribution"]


@dataclass(frozen=True)
class DataSource:
    """The extract set shown: its directory, where the choice came from, and a Swedish description."""

    path: Path
    origin: str  # 'snapshot' | 'argument' | 'environment' | 'sample'
    description: str

    @property
    def stamp(self) -> str:
        return data_stamp(self.path)


# -- choosing the data set ------------------------------------------------------------------------

def _data_argument(argv: list[str]) -> str | None:
    """The value of `--data DIR` / `--data=DIR` in argv (after streamlit's `--`)."""
    for i, arg in enumerate(argv):
        if arg == "--data" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--data="):
            return arg.split("=", 1)[1]
    return None


def resolve_source(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> DataSource:
    """Which extract set to show (see the module docstring). Raises DataError when a snapshot store
    is configured but has no usable current snapshot."""
    from indicators.store import current_snapshot

    env = os.environ if environ is None else environ
    argv = sys.argv[1:] if argv is None else argv
    store = env.get(ENV_STORE)
    if store:
        path = current_snapshot(Path(store))
        return DataSource(Path(path), "snapshot", f"aktuellt snapshot {Path(path).name} i {store}")
    arg = _data_argument(argv)
    if arg:
        return DataSource(Path(arg).expanduser(), "argument", f"katalogen {arg} (--data)")
    if env.get(ENV_DATA):
        return DataSource(Path(env[ENV_DATA]).expanduser(), "environment",
                          f"katalogen {env[ENV_DATA]} ({ENV_DATA})")
    return DataSource(SAMPLE_DIR, "sample", "exempeldata (syntetiska, data/sample)")


def data_stamp(path: Path) -> str:
    """Changes when the set in `path` is rewritten in place (manifest modification time)."""
    manifest = Path(path) / "manifest.json"
    try:
        st_ = manifest.stat()
        return f"{st_.st_mtime_ns}-{st_.st_size}"
    except OSError:
        return "no-manifest"


def activate(source: DataSource) -> None:
    """Remember the data set of this run (called by app.py before the page runs)."""
    st.session_state[_STATE_KEY] = (str(source.path), source.stamp, source.origin, source.description)


def current_source() -> DataSource:
    """The data set of this run (as chosen by app.py; resolved here when a page runs alone)."""
    saved = st.session_state.get(_STATE_KEY)
    if saved:
        return DataSource(Path(saved[0]), saved[2], saved[3])
    source = resolve_source()
    activate(source)
    return source


def _key() -> tuple[str, str]:
    saved = st.session_state.get(_STATE_KEY)
    if saved:
        return saved[0], saved[1]
    src = current_source()
    return str(src.path), src.stamp


@st.cache_resource(max_entries=4, show_spinner="Läser in data …")
def load_dataset(path: str, stamp: str):
    """The Dataset for `path` (one per path and manifest stamp). Raises DataError."""
    return open_data(Path(path))


@st.cache_resource(show_spinner=False)
def _without_extract():
    from indicators.published import without_extract

    return without_extract()


def _missing_directory(source: DataSource) -> bool:
    """A data directory that is not there (never a snapshot store's: that one must exist)."""
    if source.origin == "snapshot":
        return False
    try:
        return not source.path.exists() and not source.path.is_symlink()
    except OSError:  # a name the system cannot even look up: open_data says why
        return False


def dataset():
    """The Dataset of this run. Raises DataError when it cannot be loaded. Without a data
    directory at all: a Dataset of the bundled reference tables and published figures only."""
    source = current_source()
    if _missing_directory(source):
        return _without_extract()
    return load_dataset(*_key())


def no_extract_reason() -> str | None:
    """Why there is no extract to show (then only the published figures are shown), in Swedish;
    None when the data set holds extract tables. Raises DataError like `dataset()`."""
    from indicators.published import has_extract

    source = current_source()
    if _missing_directory(source):
        if source.origin == "sample":
            return "exempeldata saknas (data/sample; bygg dem med make run)"
        return f"katalogen {source.path} finns inte"
    if source.origin != "snapshot" and not has_extract(dataset()):
        return f"katalogen {source.path.name or source.path} innehåller inga uttagstabeller"
    return None


def published_attribution() -> str:
    """'Källa: Kolada' (the sources of the published figures shown)."""
    try:
        return dataset().published().attribution or "Källa: Kolada"
    except DataError:
        return "Källa: Kolada"


def published_years() -> list[str]:
    """Every year with published figures for the SVF indicators (for the year filter without an
    extract), oldest first."""
    from indicators.reconcile import RECONCILED

    years: set[str] = set()
    for ind_id in RECONCILED:
        try:
            years |= set(dataset().published(ind_id).years())
        except DataError:
            continue
    return sorted(years)


def context():
    """Names, domains and identity of the current data set (views.context)."""
    return views.context(dataset())


# -- views ------------------------------------------------------------------------------------------

def view(view_id: str, sel: views.Selection | None = None) -> views.View:
    """The protected view `view_id` for the current selection (views.view, cached across sessions)."""
    from . import filters

    return views.view(dataset(), sel or filters.current(), view_id)


def page_views(page: str, sel: views.Selection | None = None) -> list[str]:
    from . import filters

    return views.page_views(dataset(), sel or filters.current(), page)


# -- period bounds and data status ----------------------------------------------------------------

_PERIOD_INDICATORS = ("svf_within_target", "svf_inclusion", "register_coverage", "rcl_coverage")


@st.cache_data(show_spinner=False)
def _month_range(path: str, stamp: str) -> tuple[str, str]:
    from indicators.engine import default_period

    ds = load_dataset(path, stamp)
    los, his = [], []
    for ind_id in _PERIOD_INDICATORS:
        try:
            ind = ds.catalogue().get(ind_id)
            ds.require(ind.needs)
            lo, hi = default_period(ds, ind)
        except (DataError, QueryError):
            continue
        los.append(lo)
        his.append(hi)
    extract = ds.extract_date
    if not los:
        lo, hi = date(extract.year - 1, 1, 1), extract
    else:
        lo, hi = min(los), max(his)
    hi = min(hi, extract)  # never beyond the extract month
    return f"{lo.year:04d}-{lo.month:02d}", f"{hi.year:04d}-{hi.month:02d}"


def month_options() -> list[str]:
    """Every month 'YYYY-MM' from the earliest data to the extract month."""
    lo, hi = _month_range(*_key())
    y, m = int(lo[:4]), int(lo[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= hi:
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def default_months() -> tuple[str, str]:
    """The default period: the latest 12 whole months before the extract month (views.default_period)."""
    start, end = views.default_period(dataset().extract_date)
    months = month_options()
    first, last = f"{start.year:04d}-{start.month:02d}", f"{end.year:04d}-{end.month:02d}"
    if first not in months or last not in months:
        return months[max(0, len(months) - 12)], months[-1]
    return first, last


def validation_status() -> tuple[str, str, pd.DataFrame]:
    """('ok' | 'warning' | 'error', a Swedish one-line summary, the validation report table).

    Rows that break a rule are a warning; episodes that only lack a lead-time limit are no error
    of the data and are counted apart."""
    ds = dataset()
    report = ds.validation_report()
    failed = ds.failed_tables
    if failed:
        names = ", ".join(fmt.table_label(t.table) for t in failed)
        return "error", f"{len(failed)} tabell(er) kunde inte användas: {names}", report
    rows = report["rows"].fillna(0) if len(report) else pd.Series(dtype=float)
    no_limit = report["reason"].astype(str).str.contains("ledtidsgräns", case=False) if len(report) else rows
    invalid = int(rows[~no_limit].sum()) if len(report) else 0
    without = int(rows[no_limit].sum()) if len(report) else 0
    extra = f"; {fmt.count(without)} förlopp utan ledtidsgräns räknas inte i ledtiderna" if without else ""
    if invalid:
        return "warning", f"Alla tabeller inlästa; {fmt.count(invalid)} felaktiga rader utelämnade{extra}", report
    return "ok", f"Alla tabeller inlästa och kontrollerade{extra}", report
