"""`compute()`: one indicator, grouped, over a period, filtered — the only place numbers are made.

The indicator's SQL file (queries/<id>.sql) yields one row per counted unit with canonical columns
(the dimensions, `period_date`, `num`, `den`, and where they apply `placeholder`, `missing`,
`target_low`/`target_high`, `lead_time`). This module wraps it in a grouping query whose
identifiers come only from the fixed dimension list below; every value arrives as a parameter.
Statistics, targets, suppression and the provisional flag are applied to the grouped counts.
"""

from __future__ import annotations

import functools
import re
from datetime import date

import numpy as np
import pandas as pd

from . import stats
from .catalogue import PERIOD_DIMENSIONS, Indicator
from .errors import QueryError
from .periods import label_range, month_end, parse_date, provisional_cutoff
from .queries import bind, read_query
from .schema import SEXES, TREATMENT_TYPES
from .suppression import apply_secondary_suppression

MIN_N_FLOOR = 5
RESULT_COLUMNS = ["numerator", "denominator", "value", "ci_low", "ci_high", "target_low", "target_high",
                  "target_level", "suppressed", "provisional", "placeholder_target", "missing"]

# The SQL expression of each dimension over an indicator's base rows. Only these names ever reach
# SQL text; user input is checked against them first.
DIM_SQL = {
    "region": "region",
    "healthcare_region": "healthcare_region",
    "svf_code": "svf_code",
    "treatment_type": "treatment_type",
    "sex": "sex",
    "register": "register",
    "hospital": "hospital",  # register_cases.hospital_code (contract §9.4)
    "substance": "substance",
    # period dimensions group on integer keys (2024, 20241, 202401): much cheaper per row than
    # building label strings; labels ('2024', '2024-Q1', '2024-01') are made after grouping
    "year": "year(period_date)",
    "quarter": "year(period_date) * 10 + quarter(period_date)",
    "month": "year(period_date) * 100 + month(period_date)",
}


def _period_key(dim: str, label: str) -> int:
    """The integer key of a period label (see DIM_SQL)."""
    if dim == "year":
        return int(label)
    year, rest = label.split("-", 1)
    return int(year) * (10 if dim == "quarter" else 100) + int(rest.lstrip("Q"))


def _period_labels(dim: str, keys: pd.Series) -> pd.Series:
    """Labels of integer period keys; NA stays NA."""
    def label(k):
        if pd.isna(k):
            return pd.NA
        k = int(k)
        if dim == "year":
            return f"{k:04d}"
        if dim == "quarter":
            return f"{k // 10:04d}-Q{k % 10}"
        return f"{k // 100:04d}-{k % 100:02d}"

    return pd.Series([label(k) for k in keys], index=keys.index, dtype="string")
_MAX_VALUE_LENGTH = 200
_RESULT_CACHE_SIZE = 512  # results kept per data set (the app caches on top of this)


def compute(ds, indicator_id: str, by=None, start=None, end=None, where=None, min_n=None,
            secondary: bool = False) -> pd.DataFrame:
    """The indicator's result table (data-contract.md §7 columns), one row per group with data.

    `where` maps a dimension to one value or a list (either value matches); `min_n` raises the
    suppression limit (never below 5); `secondary` adds complementary suppression so that no
    suppressed count can be recovered from a total (for tables that show parts and their total).
    """
    ind = ds.catalogue().get(str(indicator_id))
    by = _check_by(ind, by)
    where = _check_where(ds, ind, where)
    limit = _check_min_n(ind, min_n)
    ds.require(ind.needs)
    start, end = _period(ds, ind, start, end)
    key = (ind.id, tuple(by), start, end, tuple(sorted((k, tuple(v)) for k, v in where.items())), limit, secondary)
    with ds._lock:
        cached = ds._cache.get(key)
    if cached is not None:
        return cached.copy()
    if ind.kind == "median":
        groups = _aggregate_median(ds, ind, by, start, end, where)
    elif ind.kind in ("estimated_ratio", "rate"):
        groups = _aggregate_ratio(ds, ind, by, start, end, where)
    else:
        groups = _aggregate_proportion(ds, ind, by, start, end, where)
    result = _finish(ds, ind, groups, by, start, end, limit, secondary, where)
    with ds._lock:
        ds._cache[key] = result
        while len(ds._cache) > _RESULT_CACHE_SIZE:  # oldest first (dicts keep insertion order)
            ds._cache.pop(next(iter(ds._cache)))
    return result.copy()


def default_period(ds, ind: Indicator) -> tuple[date, date]:
    """First day of the month of the earliest period date to the last day of the latest's month."""
    key = ("default_period", ind.id)
    with ds._lock:
        if key in ds._cache:
            return ds._cache[key]
    lo, hi = ds.cursor().execute(
        f"SELECT min(period_date), max(period_date) FROM ({read_query(ind.sql)})", bind(read_query(ind.sql), dict(ind.params))
    ).fetchone()
    if lo is None:
        lo = hi = ds.extract_date
    period = (date(lo.year, lo.month, 1), month_end(hi))
    with ds._lock:
        ds._cache[key] = period
    return period


# -- checking the request ---------------------------------------------------------------------------

def _check_by(ind: Indicator, by) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        by = [b for b in by.split(",") if b]
    by = [str(b).strip() for b in by]
    for dim in by:
        _check_dimension(ind, dim)
    if len(set(by)) != len(by):
        raise QueryError(f"dimension angiven två gånger i --by: {', '.join(by)}")
    return by


def _check_dimension(ind: Indicator, dim: str) -> None:
    if dim not in DIM_SQL:
        raise QueryError(f"okänd dimension: {dim[:40]!r} (tillåtna: {', '.join(DIM_SQL)})")
    if dim not in ind.dimensions:
        raise QueryError(f"dimensionen {dim} finns inte för {ind.id} (tillåtna: {', '.join(ind.dimensions)})")


def _check_where(ds, ind: Indicator, where) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for dim, values in (where or {}).items():
        dim = str(dim).strip()
        _check_dimension(ind, dim)
        if isinstance(values, (str, int)) or values is None:
            values = [values]
        values = [str(v) for v in values if v is not None]
        if not values:
            raise QueryError(f"inget värde angivet för {dim}")
        allowed = _allowed_values(ds, dim)
        for v in values:
            if len(v) > _MAX_VALUE_LENGTH:
                raise QueryError(f"för långt värde för {dim} ({len(v)} tecken)")
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise QueryError(f"ogiltiga tecken i värdet för {dim} (inte UTF-8)") from None
            if allowed is not None and v not in allowed:
                raise QueryError(f"okänt värde för {dim}: {v[:40]!r}")
            if dim in PERIOD_DIMENSIONS and not _is_label(dim, v):
                raise QueryError(f"okänt värde för {dim}: {v[:40]!r} (skriv {_label_hint(dim)})")
        out[dim] = sorted(set(out.get(dim, [])) | set(values))
    return out


def _is_label(dim: str, v: str) -> bool:
    from .periods import is_valid_label

    return is_valid_label(dim, v)


def _label_hint(dim: str) -> str:
    return {"year": "ÅÅÅÅ", "quarter": "ÅÅÅÅ-Qn", "month": "ÅÅÅÅ-MM"}[dim]


def allowed_values(ds, dim: str) -> list[str] | None:
    """The values a dimension may take in this data set (None: free text or a period label)."""
    allowed = _allowed_values(ds, dim)
    return sorted(allowed) if allowed is not None else None


def _allowed_values(ds, dim: str) -> set[str] | None:
    key = ("allowed", dim)
    with ds._lock:
        if key in ds._cache:
            return ds._cache[key]
    sql = {
        "region": ("regions", "SELECT region_code FROM regions"),
        "healthcare_region": ("regions", "SELECT DISTINCT healthcare_region FROM regions"),
        "svf_code": ("svf_pathways", "SELECT svf_code FROM svf_pathways"),
        "register": ("registers", "SELECT register_code FROM registers"),
    }.get(dim)
    if dim == "treatment_type":
        values = set(TREATMENT_TYPES)
    elif dim == "sex":
        values = set(SEXES)
    elif dim == "hospital":
        values = _hospital_codes(ds)
    elif sql is None:
        values = None
    else:
        ds.require([sql[0]])
        values = {r[0] for r in ds.cursor().execute(sql[1]).fetchall()}
    with ds._lock:
        ds._cache[key] = values
    return values


def _hospital_codes(ds) -> set[str]:
    """Codes a `hospital` filter may name: those of the hospitals table and those the registrations
    use (a code missing from the table is still a hospital of its own, contract §9.4)."""
    values: set[str] = set()
    for table, sql in (("hospitals", "SELECT hospital_code FROM hospitals"),
                       ("registrations", "SELECT DISTINCT hospital_code FROM registrations")):
        if table in ds.available:
            values |= {r[0] for r in ds.cursor().execute(sql).fetchall() if r[0] is not None}
    return values


def _check_min_n(ind: Indicator, min_n) -> int:
    if min_n is None:
        return max(ind.min_n, MIN_N_FLOOR)
    try:
        n = int(min_n)
    except (TypeError, ValueError):
        raise QueryError(f"ogiltig gräns för minsta antal: {str(min_n)[:20]!r}") from None
    if n < MIN_N_FLOOR:
        raise QueryError(f"gränsen för minsta antal kan inte sättas under {MIN_N_FLOOR} (angiven: {n})")
    return n


def _period(ds, ind: Indicator, start, end) -> tuple[date, date]:
    start = parse_date(start, "--from")
    end = parse_date(end, "--to")
    given = (start is not None, end is not None)
    if start is None or end is None:
        lo, hi = default_period(ds, ind)
        start = start or lo
        end = end or hi
    if start > end:
        if all(given):
            raise QueryError(f"--from ({start}) är efter --to ({end})")
        raise QueryError(f"perioden är tom: {ind.id} har data {'från' if not given[0] else 'till'} "
                         f"{start if not given[0] else end}, och angivet {'--to' if given[1] else '--from'} är "
                         f"{end if given[1] else start}")
    if ind.month_aligned and (start.day != 1 or end != month_end(end)):
        raise QueryError(f"{ind.id}: perioden ska börja på en månads första dag och sluta på en månads sista dag "
                         f"(angiven {start} – {end})")
    return start, end


# -- aggregation ------------------------------------------------------------------------------------

def _filters(where: dict[str, list[str]]) -> tuple[str, dict]:
    clauses, params = [], {}
    for i, (dim, values) in enumerate(sorted(where.items())):
        clauses.append(f"list_contains($w{i}, {DIM_SQL[dim]})")
        params[f"w{i}"] = [_period_key(dim, v) for v in values] if dim in PERIOD_DIMENSIONS else values
    return "".join(f" AND {c}" for c in clauses), params


def _select_dims(by: list[str]) -> tuple[str, str]:
    if not by:
        return "", ""
    select = ", ".join(f"{DIM_SQL[d]} AS {d}" for d in by) + ", "
    group = " GROUP BY " + ", ".join(DIM_SQL[d] for d in by)
    return select, group


def _aggregate_proportion(ds, ind: Indicator, by, start, end, where) -> pd.DataFrame:
    dims, group = _select_dims(by)
    filt, params = _filters(where)
    extra = ""
    if ind.is_lead_time:
        extra += ", bool_or(placeholder) AS placeholder_target"
    if ind.is_quality_indicator:
        extra += ", coalesce(sum(missing), 0) AS missing"
    if ind.targets_from == "registers":
        # a group spanning registers with different targets has no target (contract §5)
        same = ("min(coalesce(target_low, -1)) = max(coalesce(target_low, -1)) "
                "AND min(coalesce(target_high, -1)) = max(coalesce(target_high, -1))")
        extra += (f", CASE WHEN {same} THEN max(target_low) END AS target_low"
                  f", CASE WHEN {same} THEN max(target_high) END AS target_high")
    sql = (f"WITH base AS ({read_query(ind.sql)}) "
           f"SELECT {dims}coalesce(sum(num), 0) AS numerator, coalesce(sum(den), 0) AS denominator{extra} "
           f"FROM base WHERE period_date BETWEEN $start AND $end{filt}{group}")
    return ds.query_df(sql, {"start": start, "end": end, **params, **dict(ind.params)})


def _aggregate_ratio(ds, ind: Indicator, by, start, end, where) -> pd.DataFrame:
    """Numerator from counted rows, denominator (expected cases, inhabitants) per month grain."""
    dims, group = _select_dims(by)
    filt, params = _filters(where)
    num = ds.query_df(
        f"WITH base AS ({read_query(ind.sql)}) SELECT {dims}coalesce(sum(num), 0) AS numerator "
        f"FROM base WHERE period_date BETWEEN $start AND $end{filt}{group}",
        {"start": start, "end": end, **params},
    )
    den = ds.query_df(
        f"WITH base AS ({read_query(ind.denominator_sql)}) SELECT {dims}sum(den) AS denominator, "
        f"bool_and(den IS NOT NULL) AS complete FROM base WHERE TRUE{filt}{group}",
        {"start": start, "end": end, **params},
    )
    # integer sums divided once: no float noise from adding twelfths
    den["denominator"] = den["denominator"].astype(float) / ind.denominator_divisor
    if not by:
        out = num.copy()
        out["denominator"] = den["denominator"].where(den["complete"].fillna(False).astype(bool)) if len(den) else np.nan
        return out
    den["denominator"] = den["denominator"].where(den["complete"].astype(bool))
    out = num.merge(den.drop(columns="complete"), on=by, how="outer")
    out["numerator"] = out["numerator"].fillna(0)
    # a group with nothing counted and nothing expected has no data
    return out[~((out["numerator"] == 0) & (out["denominator"].fillna(0) == 0))].reset_index(drop=True)


def _aggregate_median(ds, ind: Indicator, by, start, end, where) -> pd.DataFrame:
    dims, group = _select_dims(by)
    filt, params = _filters(where)
    base = f"WITH base AS ({read_query(ind.sql)}) "
    cond = f"WHERE period_date BETWEEN $start AND $end{filt}"
    qparams = {"start": start, "end": end, **params}
    groups = ds.query_df(
        base + f"SELECT {dims}count(*) AS denominator, quantile_cont(lead_time, 0.5) AS value, "
        f"bool_or(placeholder) AS placeholder_target FROM base {cond}{group}",
        qparams,
    )
    n = groups["denominator"].to_numpy(dtype=np.int64)
    low, high = stats.median_ci_ranks(n) if len(n) else (np.array([], int), np.array([], int))
    groups["_l"], groups["_u"] = np.atleast_1d(low), np.atleast_1d(high)
    groups["ci_low"] = np.nan
    groups["ci_high"] = np.nan
    wanted = groups[groups["_l"] >= 1]
    if len(wanted):
        # the order statistics x(l) and x(n+1-l) from counts per group and lead-time day: lead
        # times are whole days, so a small count table gives the exact ranks without sorting rows
        keys = "".join(f"{DIM_SQL[d]} AS {d}, " for d in by)
        group_keys = ", ".join([DIM_SQL[d] for d in by] + ["lead_time"])
        counts = ds.query_df(
            base + f"SELECT {keys}lead_time, count(*) AS c FROM base {cond} GROUP BY {group_keys}", qparams)
        bounds = _order_statistics(counts, by, wanted)
        if by:
            merged = groups[by].merge(bounds, on=by, how="left")
            groups["ci_low"], groups["ci_high"] = merged["lo"].to_numpy(), merged["hi"].to_numpy()
        elif len(bounds):
            groups.loc[groups["_l"] >= 1, ["ci_low", "ci_high"]] = [bounds["lo"].iloc[0], bounds["hi"].iloc[0]]
    groups["numerator"] = pd.NA
    return groups.drop(columns=["_l", "_u"])


def _order_statistics(counts: pd.DataFrame, by: list[str], wanted: pd.DataFrame) -> pd.DataFrame:
    """For each group in `wanted` (with ranks _l, _u), the lead times at those ranks, from a table of
    counts per group and lead-time day. Columns: the `by` dimensions, lo, hi."""
    c = counts.sort_values(by + ["lead_time"], kind="stable")
    if not by:
        cum = np.cumsum(c["c"].to_numpy())
        days = c["lead_time"].to_numpy()
        low, high = int(wanted["_l"].iloc[0]), int(wanted["_u"].iloc[0])
        # x(r) is the first day whose cumulative count reaches r
        return pd.DataFrame({"lo": [days[np.searchsorted(cum, low)]], "hi": [days[np.searchsorted(cum, high)]]})
    c = c.assign(cum=c.groupby(by, dropna=False, sort=False)["c"].cumsum())
    m = c.merge(wanted[by + ["_l", "_u"]], on=by, how="inner")
    lo = m[m["cum"] >= m["_l"]].groupby(by, dropna=False, sort=False)["lead_time"].first().rename("lo")
    hi = m[m["cum"] >= m["_u"]].groupby(by, dropna=False, sort=False)["lead_time"].first().rename("hi")
    return pd.concat([lo, hi], axis=1).reset_index()


# -- finishing: values, intervals, targets, suppression, flags --------------------------------------

def _finish(ds, ind: Indicator, g: pd.DataFrame, by, start, end, limit, secondary, where=None) -> pd.DataFrame:
    # DuckDB returns groups in no fixed order; sort first so that everything order-sensitive
    # (the tie-break of complementary suppression) gives the same answer on every call
    g = (g.sort_values(by, na_position="last", kind="stable") if by else g).reset_index(drop=True)
    out = pd.DataFrame({d: (_period_labels(d, g[d]) if d in PERIOD_DIMENSIONS else g[d].astype("string"))
                        for d in by})
    num = pd.to_numeric(g["numerator"], errors="coerce").astype("Float64")
    den = pd.to_numeric(g["denominator"], errors="coerce").astype("Float64")
    if ind.kind == "median":
        value = pd.to_numeric(g["value"], errors="coerce").astype("Float64")
        ci_low = pd.to_numeric(g["ci_low"], errors="coerce").astype("Float64")
        ci_high = pd.to_numeric(g["ci_high"], errors="coerce").astype("Float64")
    else:
        scale = 100_000.0 if ind.kind == "rate" else 100.0
        value = (num / den.where(den > 0)) * scale
        if ind.kind == "proportion":
            lo, hi = stats.wilson_interval(num.fillna(0).to_numpy(float), den.fillna(0).to_numpy(float))
            ci_low = pd.array(np.asarray(lo) * 100, dtype="Float64")
            ci_high = pd.array(np.asarray(hi) * 100, dtype="Float64")
            ci_low = pd.Series(ci_low).where(den > 0)
            ci_high = pd.Series(ci_high).where(den > 0)
        else:
            ci_low = ci_high = pd.Series(pd.NA, index=g.index, dtype="Float64")

    out["numerator"] = num.round().astype("Int64") if ind.kind != "median" else pd.Series(pd.NA, index=g.index,
                                                                                             dtype="Int64")
    out["denominator"] = den if ind.kind in ("estimated_ratio", "rate") else den.round().astype("Int64")
    out["value"] = value.astype("Float64")
    out["ci_low"] = pd.Series(ci_low, index=g.index).astype("Float64")
    out["ci_high"] = pd.Series(ci_high, index=g.index).astype("Float64")

    if ind.targets_from == "registers":
        out["target_low"] = pd.to_numeric(g["target_low"], errors="coerce").astype("Int64")
        out["target_high"] = pd.to_numeric(g["target_high"], errors="coerce").astype("Int64")
    else:
        out["target_low"] = pd.Series(ind.target_low, index=g.index, dtype="Int64")
        out["target_high"] = pd.Series(ind.target_high, index=g.index, dtype="Int64")

    suppressed = (den.isna() | (den < limit)).fillna(True)
    if ind.kind in ("estimated_ratio", "rate"):
        # the denominator is an estimate or a population, so the count itself must be hidden when
        # small: for a rate, value × inhabitants would give it back (contract §5 says so for
        # inclusion; the same reasoning applies to starts per 100 000)
        suppressed |= ((num >= 1) & (num < limit)).fillna(False)
    out["suppressed"] = suppressed.astype(bool)
    if secondary and by:
        parents = hospital_parents = None
        if "region" in by and "regions" in ds.available:
            parents = dict(ds.cursor().execute("SELECT region_code, healthcare_region FROM regions").fetchall())
        if "hospital" in by and "hospitals" in ds.available:
            hospital_parents = dict(ds.cursor().execute("SELECT hospital_code, region_code FROM hospitals").fetchall())
        out["suppressed"] = apply_secondary_suppression(out, by, den, parents, hospital_parents)

    out["target_level"] = _target_levels(ind, out)
    cutoff = provisional_cutoff(ds.extract_date, ind.maturity_months)
    out["provisional"] = [pe > cutoff for pe in _group_period_ends(out, by, _where_period_end(where, end))]
    if ind.is_lead_time:
        out["placeholder_target"] = g["placeholder_target"].astype("boolean").fillna(False)
    else:
        out["placeholder_target"] = pd.Series(pd.NA, index=g.index, dtype="boolean")
    out["missing"] = (g["missing"].astype("Int64") if ind.is_quality_indicator
                      else pd.Series(pd.NA, index=g.index, dtype="Int64"))

    hidden = out["suppressed"]
    for col in ("numerator", "denominator", "value", "ci_low", "ci_high", "missing"):
        out[col] = out[col].mask(hidden)
    out["target_level"] = out["target_level"].mask(hidden)

    if by:
        out = out.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)
    return out[by + RESULT_COLUMNS]


def _target_levels(ind: Indicator, out: pd.DataFrame) -> pd.Series:
    """Vectorised `target_level` over the result rows."""
    levels = pd.Series(pd.NA, index=out.index, dtype="string")
    if ind.direction not in ("higher", "lower") or out.empty:
        return levels
    value = out["value"].astype("Float64")
    low, high = out["target_low"].astype("Float64"), out["target_high"].astype("Float64")

    def meets(target):
        hit = value >= target if ind.direction == "higher" else value <= target
        return hit.fillna(False).astype(bool)

    has_target = (low.notna() | high.notna()) & value.notna()
    levels[has_target] = "none"
    levels[has_target & meets(low)] = "low"
    levels[has_target & meets(high)] = "high"
    return levels


def target_level(direction: str, value, low, high):
    """'high', 'low', 'none', or NA (no target or no value); lower-is-better meets when value <= target."""
    if pd.isna(value) or (pd.isna(low) and pd.isna(high)) or direction not in ("higher", "lower"):
        return pd.NA

    def meets(target) -> bool:
        return not pd.isna(target) and (value >= target if direction == "higher" else value <= target)

    if meets(high):
        return "high"
    if meets(low):
        return "low"
    return "none"


def _where_period_end(where: dict | None, end: date) -> date:
    """The query end, clipped to the last period a `where` on year/quarter/month lets through."""
    for dim in PERIOD_DIMENSIONS:
        values = (where or {}).get(dim)
        if values:
            end = min(end, max(label_range(dim, v)[1] for v in values))
    return end


def _group_period_ends(out: pd.DataFrame, by: list[str], end: date) -> list[date]:
    """Each group's period end: the query end, or the end of its period label clipped to it."""
    period_dims = [d for d in by if d in PERIOD_DIMENSIONS]
    if not period_dims:
        return [end] * len(out)
    ends = []
    for labels in out[period_dims].itertuples(index=False, name=None):
        group_end = end
        for dim, label in zip(period_dims, labels):
            if not pd.isna(label) and re.match(r"^\d{4}", str(label)):
                group_end = min(group_end, _label_end(dim, str(label)))
        ends.append(group_end)
    return ends


@functools.lru_cache(maxsize=4096)
def _label_end(dim: str, label: str) -> date:
    return label_range(dim, label)[1]


def compute_quality_indicators(ds, register_code: str, by=None, start=None, end=None, where=None,
                               min_n=None) -> dict[str, pd.DataFrame]:
    """Every `qi:CODE` of one register in one query: {indicator id: the same table `compute`
    gives for it}. The register page shows them all at once; one scan instead of one per indicator.
    Without start/end the period is the register's whole span of outcomes."""
    inds = [i for i in ds.catalogue() if i.is_quality_indicator and i.register_code == str(register_code)]
    if not inds:
        return {}
    first = inds[0]
    by = _check_by(first, by)
    where = _check_where(ds, first, where)
    limit = _check_min_n(first, min_n)
    ds.require(first.needs)
    sql_base = read_query("quality_indicators_of_register.sql")
    if start is None or end is None:
        lo, hi = ds.cursor().execute(f"SELECT min(period_date), max(period_date) FROM ({sql_base})",
                                     {"register_code": str(register_code)}).fetchone()
        lo, hi = lo or ds.extract_date, hi or ds.extract_date
        start = start or date(lo.year, lo.month, 1)
        end = end or month_end(hi)
    start, end = _period(ds, first, start, end)
    dims, group = _select_dims(by)
    filt, params = _filters(where)
    group = (group + ", indicator_code") if group else " GROUP BY indicator_code"
    sql = (f"WITH base AS ({sql_base}) SELECT indicator_code, {dims}coalesce(sum(num), 0) AS numerator, "
           f"coalesce(sum(den), 0) AS denominator, coalesce(sum(missing), 0) AS missing "
           f"FROM base WHERE period_date BETWEEN $start AND $end{filt}{group}")
    groups = ds.query_df(sql, {"start": start, "end": end, "register_code": str(register_code), **params})
    out = {}
    for ind in inds:
        g = groups[groups["indicator_code"] == dict(ind.params)["indicator_code"]].drop(columns="indicator_code")
        if g.empty and not by:
            g = pd.DataFrame({"numerator": [0], "denominator": [0], "missing": [0]})
        out[ind.id] = _finish(ds, ind, g, by, start, end, limit, False, where)
    return out
