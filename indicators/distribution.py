"""Lead-time distributions for the SVF pages: the share treated within X days (rccShiny's "andel
inom X dagar") and the RCC overtime groups. Same population, period date and filters as
svf_within_target; the same suppression (a selection under the minimum n shows nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import stats
from .engine import _check_min_n, _check_where, _filters, _period
from .queries import bind, read_query

OVERTIME_GROUPS = (
    ("inom", "Inom ledtid"),
    ("1-25", "1–25 % över"),
    ("26-50", "26–50 % över"),
    ("51-75", "51–75 % över"),
    ("over75", "Mer än 75 % över"),
)


def lead_time_days(ds, start=None, end=None, where=None, min_n=None) -> pd.DataFrame:
    """Episodes per lead time in days for the selection: columns days, episodes, cumulative,
    share_within (percent of the selection with lead time <= days), ci_low, ci_high (Wilson, %).
    Empty when the selection has fewer episodes than the limit."""
    ind = ds.catalogue().get("svf_within_target")
    where = _check_where(ds, ind, where)
    limit = _check_min_n(ind, min_n)
    ds.require(ind.needs)
    start, end = _period(ds, ind, start, end)
    filt, params = _filters(where)
    sql = (f"WITH base AS ({read_query('svf_lead_time_days.sql')}) SELECT lead_time AS days, count(*) AS episodes "
           f"FROM base WHERE period_date BETWEEN $start AND $end{filt} GROUP BY 1 ORDER BY 1")
    df = ds.query_df(sql, bind(sql, {"start": start, "end": end, **params}))
    total = int(df["episodes"].sum()) if len(df) else 0
    if total < limit:
        return pd.DataFrame(columns=["days", "episodes", "cumulative", "share_within", "ci_low", "ci_high"])
    df["cumulative"] = df["episodes"].cumsum()
    lo, hi = stats.wilson_interval(df["cumulative"].to_numpy(float), np.full(len(df), float(total)))
    df["share_within"] = df["cumulative"] / total * 100
    df["ci_low"], df["ci_high"] = np.asarray(lo) * 100, np.asarray(hi) * 100
    return df.reset_index(drop=True)


def overtime_groups(ds, start=None, end=None, where=None, min_n=None) -> pd.DataFrame:
    """The RCC overtime groups (within the limit; 1–25, 26–50, 51–75 and more than 75 % over it)
    for the selection: columns group, label, episodes, share (%). Empty under the limit."""
    ind = ds.catalogue().get("svf_within_target")
    where = _check_where(ds, ind, where)
    limit = _check_min_n(ind, min_n)
    ds.require(ind.needs)
    start, end = _period(ds, ind, start, end)
    filt, params = _filters(where)
    # integer comparisons (lead·100 vs target·(100+p)) so that no rounding decides a border case
    sql = (f"WITH base AS ({read_query('svf_lead_time_days.sql')}) SELECT CASE "
           "WHEN lead_time <= target_days THEN 'inom' "
           "WHEN 100 * lead_time <= 125 * target_days THEN '1-25' "
           "WHEN 100 * lead_time <= 150 * target_days THEN '26-50' "
           "WHEN 100 * lead_time <= 175 * target_days THEN '51-75' ELSE 'over75' END AS grp, count(*) AS episodes "
           f"FROM base WHERE period_date BETWEEN $start AND $end{filt} GROUP BY 1")
    counts = dict(ds.cursor().execute(sql, bind(sql, {"start": start, "end": end, **params})).fetchall())
    total = sum(counts.values())
    if total < limit:
        return pd.DataFrame(columns=["group", "label", "episodes", "share"])
    rows = [{"group": g, "label": label, "episodes": counts.get(g, 0), "share": counts.get(g, 0) / total * 100}
            for g, label in OVERTIME_GROUPS]
    return pd.DataFrame(rows)
