"""Data access for the pages: which extract set is shown, the cached Dataset, cached engine results
and Swedish names from the reference tables.

Which data set (first that applies):
  1. INDIKATORPANELEN_STORE: the current snapshot of that store (indicators.store.current_snapshot),
     resolved again on every run so a newly ingested snapshot is picked up without a restart;
  2. `streamlit run app.py -- --data DIR`;
  3. INDIKATORPANELEN_DATA=DIR;
  4. the sample set in data/sample.

Caching: one Dataset per (path, manifest stamp) in `st.cache_resource` (the engine is thread-safe:
a cursor per query); engine results in `st.cache_data` keyed by plain hashable arguments, so a
filter combination seen once is answered from memory. Pages never compute indicator values: every
number comes from `compute()` here, i.e. from `Dataset.compute`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from indicators import DataError, QueryError, open_data
from indicators.schema import HEALTHCARE_REGIONS

from . import format as fmt

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"
ENV_DATA = "INDIKATORPANELEN_DATA"
ENV_STORE = "INDIKATORPANELEN_STORE"
_STATE_KEY = "_indikatorpanelen_source"


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
    env = os.environ if environ is None else environ
    argv = sys.argv[1:] if argv is None else argv
    store = env.get(ENV_STORE)
    if store:
        from indicators.store import current_snapshot

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


# -- the Dataset and engine results -------------------------------------------------------------

@st.cache_resource(max_entries=4, show_spinner="Läser in data …")
def load_dataset(path: str, stamp: str):
    """The Dataset for `path` (one per path and manifest stamp). Raises DataError."""
    return open_data(Path(path))


def dataset():
    """The Dataset of this run. Raises DataError when it cannot be loaded."""
    path, stamp = _key()
    return load_dataset(path, stamp)


def _where_key(where) -> tuple:
    if not where:
        return ()
    out = []
    for dim, values in sorted(dict(where).items()):
        if values is None:
            continue
        if isinstance(values, (str, int)):
            values = [values]
        values = tuple(sorted(str(v) for v in values))
        if values:
            out.append((str(dim), values))
    return tuple(out)


@st.cache_data(max_entries=3000, show_spinner=False)
def _compute_cached(path: str, stamp: str, indicator: str, by: tuple[str, ...], start, end,
                    where: tuple, min_n, secondary: bool) -> pd.DataFrame:
    ds = load_dataset(path, stamp)
    return ds.compute(indicator, by=list(by), start=start, end=end,
                      where={d: list(v) for d, v in where}, min_n=min_n, secondary=secondary)


def compute(indicator: str, by: Iterable[str] | None = None, start: date | None = None, end: date | None = None,
            where: Mapping[str, Iterable[str] | str] | None = None, min_n: int | None = None,
            secondary: bool = False) -> pd.DataFrame:
    """`Dataset.compute` for the current data set, cached per argument combination.

    Same arguments and result columns as the engine (values in percent 0–100, days or per
    100 000; suppressed rows have NA counts and values). Raises QueryError / DataError.
    """
    path, stamp = _key()
    by = tuple(by or ())
    wkey = _where_key(where)
    result = _compute_cached(path, stamp, indicator, by, start, end, wkey, min_n, bool(secondary))
    return _guard_selection_total(result, path, stamp, indicator, by, start, end, wkey, min_n)


_HIDDEN_WHEN_SUPPRESSED = ("numerator", "denominator", "value", "ci_low", "ci_high", "missing", "target_level")


def _guard_selection_total(result: pd.DataFrame, path, stamp, indicator, by, start, end, wkey, min_n):
    """Hide a total over several chosen regions when one of them is suppressed on its own.

    The pages show such a total (key figures, "Valda regioner") next to the chosen regions' own
    bars; with one region suppressed, total minus the others would give its counts back. So each
    row whose regions include a suppressed one is suppressed too (same filters, region added).
    """
    regions = dict(wkey).get("region", ())
    if len(regions) < 2 or "region" in by or result.empty:
        return result
    per_region = _compute_cached(path, stamp, indicator, tuple(by) + ("region",), start, end, wkey, min_n, False)
    hidden = per_region[per_region["suppressed"].astype(bool)]
    if hidden.empty:
        return result
    result = result.copy()
    if by:
        keys = {tuple(str(v) for v in row) for row in hidden[list(by)].itertuples(index=False, name=None)}
        mask = pd.Series([tuple(str(v) for v in row) in keys
                          for row in result[list(by)].itertuples(index=False, name=None)], index=result.index)
    else:
        mask = pd.Series(True, index=result.index)
    for col in _HIDDEN_WHEN_SUPPRESSED:
        if col in result.columns:
            result[col] = result[col].mask(mask)
    result["suppressed"] = result["suppressed"].astype(bool) | mask
    return result


def try_compute(indicator: str, **kwargs) -> tuple[pd.DataFrame | None, str | None]:
    """`compute`, returning (None, Swedish message) instead of raising QueryError/DataError."""
    try:
        return compute(indicator, **kwargs), None
    except DataError as exc:
        return None, f"Data saknas för indikatorn: {exc}"
    except QueryError as exc:
        return None, f"Kan inte beräkna indikatorn för det här urvalet: {exc}"


# -- every quality indicator of a register at once (engine.compute_quality_indicators) ------------

@st.cache_data(max_entries=500, show_spinner=False)
def _qi_batch_cached(path: str, stamp: str, register: str, start, end, where: tuple, min_n) -> dict:
    from indicators.engine import compute_quality_indicators

    return compute_quality_indicators(load_dataset(path, stamp), register, by=[], start=start, end=end,
                                      where={d: list(v) for d, v in where}, min_n=min_n)


def quality_indicator_rows(register: str, start: date | None, end: date | None,
                           where: Mapping[str, Iterable[str] | str] | None = None,
                           min_n: int | None = None) -> dict[str, pd.DataFrame]:
    """{qi id: the ungrouped engine result} for every quality indicator of `register`, from one
    query (the same numbers as `compute` for each). Raises QueryError / DataError."""
    path, stamp = _key()
    wkey = _where_key(where)
    batch = _qi_batch_cached(path, stamp, str(register), start, end, wkey, min_n)
    return {k: _guard_selection_total(v, path, stamp, k, (), start, end, wkey, min_n) for k, v in batch.items()}


# -- lead-time distribution (indicators.distribution) ----------------------------------------------

@st.cache_data(max_entries=500, show_spinner=False)
def _lead_time_days_cached(path: str, stamp: str, start, end, where: tuple, min_n) -> pd.DataFrame:
    from indicators.distribution import lead_time_days as _engine

    return _engine(load_dataset(path, stamp), start, end, {d: list(v) for d, v in where}, min_n=min_n)


@st.cache_data(max_entries=500, show_spinner=False)
def _overtime_groups_cached(path: str, stamp: str, start, end, where: tuple, min_n) -> pd.DataFrame:
    from indicators.distribution import overtime_groups as _engine

    return _engine(load_dataset(path, stamp), start, end, {d: list(v) for d, v in where}, min_n=min_n)


def lead_time_days(start: date | None = None, end: date | None = None,
                   where: Mapping[str, Iterable[str] | str] | None = None, min_n: int | None = None) -> pd.DataFrame:
    """`indicators.distribution.lead_time_days` for the current data set, cached: columns days,
    episodes, cumulative, share_within (%), ci_low, ci_high (Wilson, %) for the svf_within_target
    population of the selection; empty when the selection is under the minimum n.
    Raises QueryError / DataError."""
    path, stamp = _key()
    wkey = _where_key(where)
    table = _lead_time_days_cached(path, stamp, start, end, wkey, min_n)
    return table.iloc[0:0] if _selection_has_suppressed_region(path, stamp, start, end, wkey, min_n) else table


def overtime_groups(start: date | None = None, end: date | None = None,
                    where: Mapping[str, Iterable[str] | str] | None = None, min_n: int | None = None) -> pd.DataFrame:
    """`indicators.distribution.overtime_groups` for the current data set, cached: columns group,
    label, episodes, share (%); empty when the selection is under the minimum n.
    Raises QueryError / DataError."""
    path, stamp = _key()
    wkey = _where_key(where)
    table = _overtime_groups_cached(path, stamp, start, end, wkey, min_n)
    return table.iloc[0:0] if _selection_has_suppressed_region(path, stamp, start, end, wkey, min_n) else table


def _selection_has_suppressed_region(path, stamp, start, end, wkey, min_n) -> bool:
    """A distribution over several chosen regions is hidden when one of them is suppressed on its
    own (the same reason as `_guard_selection_total`)."""
    regions = dict(wkey).get("region", ())
    if len(regions) < 2:
        return False
    per_region = _compute_cached(path, stamp, "svf_within_target", ("region",), start, end, wkey, min_n, False)
    return bool(per_region["suppressed"].astype(bool).any())


def share_within(table: pd.DataFrame, days: int) -> dict | None:
    """The row of a lead_time_days table that answers "andel inom `days` dagar": the last row with
    days ≤ `days` (the table has a row only for days on which someone started treatment).

    Returns {'days', 'share', 'ci_low', 'ci_high', 'n'} (percent; n = the whole selection), or None
    for an empty (suppressed) table. Below the shortest lead time the share is 0 % with the Wilson
    interval for 0 of n (indicators.stats)."""
    if table is None or not len(table):
        return None
    n = int(table["cumulative"].iloc[-1])
    rows = table[table["days"] <= days]
    if not len(rows):
        from indicators import stats

        lo, hi = stats.wilson_interval(0, n)
        return {"days": int(days), "share": 0.0, "ci_low": float(lo) * 100, "ci_high": float(hi) * 100, "n": n}
    row = rows.iloc[-1]
    return {"days": int(days), "share": float(row["share_within"]), "ci_low": float(row["ci_low"]),
            "ci_high": float(row["ci_high"]), "n": n}


# -- catalogue --------------------------------------------------------------------------------------

def catalogue():
    """The indicator catalogue of the current data set (iterable of indicators.Indicator)."""
    return dataset().catalogue()


def indicator(indicator_id: str):
    """One catalogue entry (id, name_sv, short_sv, unit, kind, direction, target_low/high, texts …)."""
    return catalogue().get(indicator_id)


# -- reference tables and labels ------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def _reference(path: str, stamp: str, table: str) -> pd.DataFrame:
    return load_dataset(path, stamp).reference(table)


def reference(table: str) -> pd.DataFrame:
    """A reference table of the current data set ('regions', 'svf_pathways', 'registers',
    'svf_lead_time_targets', 'quality_indicators'). Raises DataError when it is missing."""
    return _reference(*_key(), table)


def region_table() -> pd.DataFrame:
    """regions: region_code, region_name, healthcare_region, rcc, population_2024 (sorted by code)."""
    return reference("regions").sort_values("region_code").reset_index(drop=True)


def region_names() -> dict[str, str]:
    """region code → Swedish name ('01' → 'Stockholm')."""
    t = region_table()
    return dict(zip(t["region_code"].astype(str), t["region_name"].astype(str)))


def region_healthcare_region() -> dict[str, str]:
    """region code → its sjukvårdsregion."""
    t = region_table()
    return dict(zip(t["region_code"].astype(str), t["healthcare_region"].astype(str)))


def healthcare_regions() -> list[str]:
    """The six sjukvårdsregioner in the usual order (those present in the regions table)."""
    present = set(region_table()["healthcare_region"].astype(str))
    return [h for h in HEALTHCARE_REGIONS if h in present] + sorted(present - set(HEALTHCARE_REGIONS))


def pathway_names() -> dict[str, str]:
    """svf_code → pathway name ('brost' → 'Bröstcancer'), in the reference table's order."""
    t = reference("svf_pathways")
    return dict(zip(t["svf_code"].astype(str), t["svf_name"].astype(str)))


def register_names() -> dict[str, str]:
    """register code → full name."""
    t = reference("registers")
    return dict(zip(t["register_code"].astype(str), t["register_name"].astype(str)))


_REGISTER_PREFIX = re.compile(r"^(Nationella kvalitetsregistret för|Nationellt kvalitetsregister för|"
                              r"Svenska registret för|Svenskt kvalitetsregister för|Nationella|Nationellt|"
                              r"Svenska|Svenskt)\s+", re.IGNORECASE)
SHORT_NAME_MAX = 32


def register_short_name(code: str, name: str) -> str:
    """A register's short name: the abbreviation in parentheses ('NKBC'), else the name without
    'Nationella kvalitetsregistret för …' / 'cancer i' ('Hudmelanom', 'Lymfomregistret'), else
    (empty or still long) the register code upper-cased ('URINBLASA')."""
    name = str(name or "").strip()
    if name.endswith(")") and "(" in name:
        abbrev = name[name.rindex("(") + 1:-1].strip()
        if abbrev:
            return abbrev
    short = _REGISTER_PREFIX.sub("", name)
    short = re.sub(r"^cancer i\s+", "", short, flags=re.IGNORECASE).strip()
    if not short or len(short) > SHORT_NAME_MAX:
        return str(code).upper()
    return short[:1].upper() + short[1:]


def register_short_names() -> dict[str, str]:
    """register code → short name (register_short_name), unique: a name that two registers would
    share is replaced by the code upper-cased."""
    names = {code: register_short_name(code, name) for code, name in register_names().items()}
    seen: dict[str, int] = {}
    for short in names.values():
        seen[short] = seen.get(short, 0) + 1
    return {code: (short if seen[short] == 1 else str(code).upper()) for code, short in names.items()}


def lead_time_targets() -> pd.DataFrame:
    """svf_lead_time_targets: svf_code, treatment_type, extended_workup, target_days, valid_from, status."""
    return reference("svf_lead_time_targets")


def label(dimension: str, value) -> str:
    """Display name of a dimension value; NA (the ungrouped row) is 'Riket'."""
    if fmt.is_missing(value):
        return fmt.RIKET
    v = str(value)
    if dimension == "region":
        return region_names().get(v, v)
    if dimension == "healthcare_region":
        return v
    if dimension == "svf_code":
        return pathway_names().get(v, v)
    if dimension == "register":
        return register_short_names().get(v, v)
    if dimension == "treatment_type":
        return fmt.treatment_label(v)
    if dimension == "sex":
        return fmt.sex_label(v)
    if dimension in ("year", "quarter", "month"):
        return fmt.period_label(dimension, v)
    return v


def with_labels(df: pd.DataFrame, dimension: str, column: str = "label") -> pd.DataFrame:
    """`df` with a display-name column for `dimension` (missing/absent dimension → 'Riket')."""
    out = df.copy()
    if dimension in out.columns:
        out[column] = [label(dimension, v) for v in out[dimension]]
    else:
        out[column] = fmt.RIKET
    return out


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
        lo = date(extract.year - 1, 1, 1)
        hi = extract
    else:
        lo, hi = min(los), max(his)
    # never beyond the extract month
    hi = min(hi, extract)
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
    """The default period: the latest 12 whole months before the extract month."""
    months = month_options()
    extract = dataset().extract_date
    current = f"{extract.year:04d}-{extract.month:02d}"
    whole = [m for m in months if m < current] or months
    end = whole[-1]
    start_index = max(0, len(whole) - 12)
    return whole[start_index], end


def validation_status() -> tuple[str, str, pd.DataFrame]:
    """('ok' | 'warning' | 'error', a Swedish one-line summary, the validation report table)."""
    ds = dataset()
    report = ds.validation_report()
    failed = ds.failed_tables
    if failed:
        names = ", ".join(fmt.table_label(t.table) for t in failed)
        return "error", f"{len(failed)} tabell(er) kunde inte användas: {names}", report
    left_out = int(report["rows"].fillna(0).sum()) if len(report) else 0
    if left_out:
        return "warning", f"Alla tabeller inlästa; {fmt.count(left_out)} rader utelämnade efter kontroll", report
    return "ok", "Alla tabeller inlästa och kontrollerade utan anmärkning", report


# -- prepared tables for charts (engine results + labels + roles) -------------------------------
# Each returns the engine's columns plus `label` (display name) and `role` ('riket' | 'own' |
# 'selected' | 'unit'), ready for charts.figures. `f` is a ui.filters.Filters.

def comparison_table(indicator_id: str, f, *, where_extra: Mapping | None = None,
                     include_riket: bool = True) -> pd.DataFrame:
    """Riket plus every unit shown at the comparison level (f.level) for the period f.start–f.end.

    Units are computed together (all regions or all sjukvårdsregioner, secondary suppression on,
    since they are shown with riket) and then narrowed to f.shown_units(). At level 'riket' only
    riket and one's own region (if chosen) are returned. Pathway and register filters apply where the indicator has them.
    """
    ind = indicator(indicator_id)
    where = {**f.where(ind), **dict(where_extra or {})}
    parts = []
    if include_riket:
        riket = compute(indicator_id, by=[], start=f.start, end=f.end, where=where)
        riket = riket.assign(label=fmt.RIKET, role="riket", unit_code=pd.NA)
        parts.append(riket)
    geo = f.unit_dim
    if geo:
        units = compute(indicator_id, by=[geo], start=f.start, end=f.end, where=where, secondary=True)
        shown = f.shown_units()
        units = units[units[geo].astype(str).isin(shown)].copy()
        units["unit_code"] = units[geo].astype(str)
        units["label"] = [f.unit_label(u) for u in units["unit_code"]]
        own = f.own_unit
        units["role"] = ["own" if own and u == own else "unit" for u in units["unit_code"]]
        parts.append(units.drop(columns=[geo]))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def breakdown_table(indicator_id: str, dimension: str, f, *, highlight: str | None = None,
                    total_label: str | None = None, use_regions: bool = True,
                    where_extra: Mapping | None = None) -> pd.DataFrame:
    """The indicator by `dimension` (e.g. svf_code, treatment_type, register) for the selection.

    Sums over the chosen regions (or riket when none are chosen); the filter on `dimension`
    itself is not applied (every value is shown) and `highlight` marks one value as 'selected'.
    A total row (role 'riket', label `total_label`) comes first. Secondary suppression is on.
    """
    ind = indicator(indicator_id)
    where = f.where(ind, regions=use_regions, svf=dimension != "svf_code", register=dimension != "register")
    where.update(dict(where_extra or {}))
    parts = compute(indicator_id, by=[dimension], start=f.start, end=f.end, where=where, secondary=True)
    parts = parts.copy()
    parts["unit_code"] = parts[dimension].astype("string")
    parts["label"] = [label(dimension, v) for v in parts[dimension]]
    parts["role"] = ["selected" if highlight is not None and str(v) == str(highlight) else "unit"
                     for v in parts[dimension]]
    total = compute(indicator_id, by=[], start=f.start, end=f.end, where=where)
    total = total.assign(label=total_label or fmt.RIKET, role="riket", unit_code=pd.NA)
    return pd.concat([total, parts.drop(columns=[dimension])], ignore_index=True)


def trend_series(f) -> list[str]:
    """The units drawn as lines in trends besides riket: at region level the chosen regions (max 8),
    at sjukvårdsregion level the shown ones, one's own unit always; none at riket level."""
    if f.level == "riket":
        return [f.own_region] if f.own_region else []
    if f.level == "region":
        units = list(f.regions)[:8]
    else:
        units = f.shown_units()
    own = f.own_unit
    if own and own not in units:
        units = [own] + units
    return units


def trend_table(indicator_id: str, f, *, where_extra: Mapping | None = None,
                units: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Riket and the trend units (trend_series) per period label at f.grain over f.trend_period().

    Returns (table, x_order): table columns are the engine's plus `series` (line name), `x`
    (display period label), `role`; x_order lists every period label in the span in order, so
    gaps stay gaps.
    """
    from indicators.periods import label_range

    ind = indicator(indicator_id)
    grain = f.grain
    lo, hi = f.trend_period()
    where = {**f.where(ind), **dict(where_extra or {})}
    riket = compute(indicator_id, by=[grain], start=lo, end=hi, where=where)
    riket = riket.assign(series=fmt.RIKET, role="riket")
    parts = [riket]
    units = trend_series(f) if units is None else units
    geo = f.unit_dim
    if geo and units:
        allu = compute(indicator_id, by=[grain, geo], start=lo, end=hi, where=where, secondary=True)
        allu = allu[allu[geo].astype(str).isin(units)].copy()
        own = f.own_unit
        allu["series"] = [f.unit_label(u) for u in allu[geo].astype(str)]
        allu["role"] = ["own" if own and str(u) == own else "unit" for u in allu[geo]]
        parts.append(allu.drop(columns=[geo]))
    table = pd.concat(parts, ignore_index=True)
    labels = _period_labels(grain, lo, hi)
    table["x"] = [fmt.period_label(grain, v) for v in table[grain]]
    table["period"] = table[grain]
    # keep only whole labels within the span
    x_order = [fmt.period_label(grain, lab) for lab in labels if label_range(grain, lab)[0] >= lo]
    return table, x_order


def _period_labels(grain: str, lo: date, hi: date) -> list[str]:
    out = []
    y, m = lo.year, lo.month
    while (y, m) <= (hi.year, hi.month):
        if grain == "year":
            lab = f"{y:04d}"
        elif grain == "quarter":
            lab = f"{y:04d}-Q{(m - 1) // 3 + 1}"
        else:
            lab = f"{y:04d}-{m:02d}"
        if not out or out[-1] != lab:
            out.append(lab)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


# -- status helpers (statistics from indicators.stats on engine results) ---------------------

def ci_status(row, ind) -> str | None:
    """Fingertips' CI rule (peers §2.3) against the level the point value reached or missed.

    Returns 'uncertain' when the 95 % interval includes any of the indicator's target levels
    (so the colour could be another one), otherwise the status against the nearest level
    ('met' / 'not_met'); None without an interval or target.
    """
    from indicators import stats

    if ind.direction not in ("higher", "lower"):
        return None
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if fmt.is_missing(lo) or fmt.is_missing(hi) or bool(row.get("suppressed", False)):
        return None
    targets = [t for t in (row.get("target_low", ind.target_low), row.get("target_high", ind.target_high))
               if not fmt.is_missing(t)]
    if not targets:
        return None
    statuses = [stats.target_status_ci(float(lo), float(hi), float(t), ind.direction) for t in targets]
    if "uncertain" in statuses:
        return "uncertain"
    return statuses[0]


def patients_to_target(row, target_pct) -> int | None:
    """⌈T·n⌉ − x from the engine's numerator and denominator (None when suppressed/unknown)."""
    from indicators import stats

    x, n = row.get("numerator"), row.get("denominator")
    if fmt.is_missing(x) or fmt.is_missing(n) or fmt.is_missing(target_pct) or bool(row.get("suppressed", False)):
        return None
    return stats.patients_to_target(int(x), int(n), target_pct)
