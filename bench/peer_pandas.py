"""The pandas peer: the catalogue's indicators written the way an analyst would in plain pandas.

Read the Parquet files of an extract set with pandas, leave out the rows that break the contract's
row rules (data-contract.md §4), resolve what the contract resolves (the SVF pathway of an ICD-10
code by the longest prefix, the lead-time target of an episode by the four rules of §2, the
expected-case denominator of svf_inclusion, inhabitants per month for the RCL rate), then merge,
group and divide. Nothing here imports the engine or reads its SQL: it is an independent second
implementation, so that agreeing numbers say something (bench.run and tests/test_bench_peer.py
compare the two).

Two stages, timed apart by the benchmark:

* `PeerData(directory)` + `prepare(tables)`: read and validate the tables an indicator needs and
  build its prepared frames (the analyst's "load" cells). Frames are kept, so several indicators
  share one load.
* `compute(data, indicator, by, start, end, where)`: filter, group, divide (the "analysis" cell).
  Returns one row per group with the `by` columns, `numerator`, `denominator`, `value` (not
  suppressed) and `suppressed` (the contract's limit 5; svf_inclusion and rcl_starts_per_100k also
  when the numerator is 1–4).

Only what the comparison needs is computed: no intervals, targets or provisional flags.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
EARLIEST = pd.Timestamp("1958-01-01")
MIN_N = 5

END_CODE_TYPE = {"50": "surgery", "52": "drug", "54": "radiotherapy", "58": "palliative", "59": "other",
                 "60": "expectancy", "73": "no_further_action"}
KNOWN_END_CODES = set(END_CODE_TYPE) | {"70", "72", "74", "76", "78"}
START_TYPES = ("surgery", "drug", "radiotherapy", "palliative", "other", "expectancy")
AGE_GROUPS = ("00-39", "40-49", "50-59", "60-69", "70-79", "80+")

FIXED = ("svf_inclusion", "svf_within_target", "svf_over_175", "svf_lead_time_median", "register_coverage",
         "register_reporting_90d", "rcl_coverage", "rcl_direct_transfer", "rcl_starts_per_100k")

# What each indicator needs prepared (the names of PeerData's prepared frames).
NEEDS = {
    "svf_inclusion": ("episodes", "case_counts"),
    "svf_within_target": ("episodes",),
    "svf_over_175": ("episodes",),
    "svf_lead_time_median": ("episodes",),
    "register_coverage": ("case_registers",),
    "register_reporting_90d": ("registrations",),
    "rcl_coverage": ("drugs",),
    "rcl_direct_transfer": ("drugs",),
    "rcl_starts_per_100k": ("drugs", "population"),
    "qi": ("outcomes",),
}


# What each prepared frame and each table is built from (for attributing load time).
DEPENDS = {
    "episodes": ("table:svf_episodes",),
    "cases": ("table:cancer_cases",),
    "case_counts": ("cases",),
    "case_registers": ("cases", "table:register_cases"),
    "registrations": ("table:register_cases",),
    "outcomes": ("registrations", "table:indicator_outcomes"),
    "drugs": ("table:drug_treatments",),
    "population": ("table:population",),
    "table:indicator_outcomes": ("table:register_cases",),
}


def closure(names) -> list[str]:
    """Every frame and table that `names` are built from, `names` included."""
    out: list[str] = []
    todo = list(names)
    while todo:
        n = todo.pop()
        if n not in out:
            out.append(n)
            todo += list(DEPENDS.get(n, ()))
    return out


def needs(indicator: str) -> tuple[str, ...]:
    return NEEDS["qi" if indicator.startswith("qi:") else indicator]


def supports(indicator: str) -> bool:
    return indicator in FIXED or indicator.startswith("qi:")


# -- reading ------------------------------------------------------------------------------------

def _read_extract(directory: Path, table: str) -> pd.DataFrame:
    """`<table>.parquet` or every Parquet file under `<table>/`, dates as datetime64."""
    single = directory / f"{table}.parquet"
    kwargs = {"to_pandas_kwargs": {"date_as_object": False}}
    if single.is_file():
        return pd.read_parquet(single, **kwargs)
    files = sorted((directory / table).rglob("*.parquet"))
    return pd.concat([pd.read_parquet(f, **kwargs) for f in files], ignore_index=True)


def _read_reference(directory: Path, table: str) -> pd.DataFrame:
    """The extract set's own copy when it has one, else the bundled CSV; all text, '' as NA."""
    for path in (directory / f"{table}.parquet", directory / table):
        if path.exists():
            return _read_extract(directory, table).astype(object).astype("string")
    csv = directory / f"{table}.csv"
    if not csv.is_file():
        csv = REFERENCE_DIR / f"{table}.csv"
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    return df.replace("", pd.NA).astype("string")


def _bool(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower().map({"true": True, "false": False}).astype("boolean")


def _norm_icd(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.replace(".", "", regex=False).str.upper()


def _prefixes(text) -> list[str]:
    if text is None or pd.isna(text):
        return []
    return [p.strip().replace(".", "").upper() for p in str(text).split(";") if p.strip()]


def _dup(df: pd.DataFrame, cols) -> pd.Series:
    return df.duplicated(cols, keep=False)


def _quarter(ts: pd.Series) -> pd.Series:
    return ts.dt.year.astype(str) + "-Q" + ts.dt.quarter.astype(str)


# -- the prepared data ----------------------------------------------------------------------------

@dataclass
class PeerData:
    directory: Path
    extract_date: pd.Timestamp = None
    ref: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)  # valid extract rows
    frames: dict = field(default_factory=dict)  # prepared frames
    seconds: dict = field(default_factory=dict)  # exclusive time spent building each frame / table
    _stack: list = field(default_factory=list)

    def _timed(self, name, build):
        """build(), recording its time less the time of what it built on the way (nested calls)."""
        self._stack.append(0.0)
        t = time.perf_counter()
        try:
            return build()
        finally:
            total = time.perf_counter() - t
            nested = self._stack.pop()
            self.seconds[name] = self.seconds.get(name, 0.0) + total - nested
            if self._stack:
                self._stack[-1] += total

    def load_seconds(self, indicator: str) -> float:
        """What reading, checking and preparing `indicator`'s data cost (each shared piece counted)."""
        return sum(self.seconds.get(n, 0.0) for n in closure(needs(indicator)))

    def __post_init__(self):
        self.directory = Path(self.directory)
        manifest = self.directory / "manifest.json"
        if manifest.exists():
            self.extract_date = pd.Timestamp(json.loads(manifest.read_text(encoding="utf-8"))["extract_date"])
        else:
            self.extract_date = pd.Timestamp(date.today())

    # reference tables (small)
    def reference(self, table: str) -> pd.DataFrame:
        if table not in self.ref:
            self.ref[table] = _read_reference(self.directory, table)
        return self.ref[table]

    def regions(self) -> pd.DataFrame:
        return self.reference("regions")[["region_code", "healthcare_region"]]

    def pathway_of(self, icd_norm: pd.Series) -> pd.Series:
        """The pathway whose prefix is the longest prefix of each (normalised) code; NA for none."""
        prefixes = {}
        pathways = self.reference("svf_pathways")
        for code, text in zip(pathways["svf_code"], pathways["icd10_prefixes"], strict=True):
            for p in _prefixes(text):
                prefixes[p] = code
        mapping = {}
        for c in icd_norm.dropna().unique():
            best = None
            for n in range(len(c), 0, -1):
                if c[:n] in prefixes:
                    best = prefixes[c[:n]]
                    break
            mapping[c] = best
        return icd_norm.map(mapping).astype("string")

    # valid rows of each extract table (contract §4)
    def table(self, name: str) -> pd.DataFrame:
        if name not in self.raw:
            self.raw[name] = self._timed(
                f"table:{name}", lambda: getattr(self, f"_valid_{name}")(_read_extract(self.directory, name)))
        return self.raw[name]

    def _common(self, df, key, dates):
        ex = self.extract_date
        regions = set(self.reference("regions")["region_code"].dropna())
        bad = df[key].isna() | _dup(df, [key])
        bad |= df["region_code"].isna() | ~df["region_code"].isin(regions)
        for d in dates:
            bad |= (df[d] > ex) | (df[d] < EARLIEST)
        return bad

    def _valid_cancer_cases(self, df):
        bad = self._common(df, "case_id", ["diagnosis_date"])
        bad |= df[["person_id", "diagnosis_date", "icd10", "sex", "age"]].isna().any(axis=1)
        bad |= ~df["sex"].isin(["M", "K"]) | (df["age"] < 0) | (df["age"] > 120)
        return df[~bad.fillna(True)]

    def _valid_svf_episodes(self, df):
        regions = set(self.reference("regions")["region_code"].dropna())
        pathways = set(self.reference("svf_pathways")["svf_code"].dropna())
        bad = self._common(df, "episode_id", ["start_date", "end_date"])
        bad |= df["home_region_code"].notna() & ~df["home_region_code"].isin(regions)
        bad |= df["svf_code"].isna() | ~df["svf_code"].isin(pathways)
        bad |= df[["person_id", "start_date", "extended_workup", "sex", "age"]].isna().any(axis=1)
        bad |= df["end_date"].isna() != df["end_code"].isna()
        bad |= df["end_code"].notna() & ~df["end_code"].isin(KNOWN_END_CODES)
        bad |= df["end_date"] < df["start_date"]
        bad |= ~df["sex"].isin(["M", "K"]) | (df["age"] < 0) | (df["age"] > 120)
        return df[~bad.fillna(True)]

    def _valid_register_cases(self, df):
        registers = set(self.reference("registers")["register_code"].dropna())
        bad = self._common(df, "registration_id", ["diagnosis_date", "registered_date"])
        bad |= df["register_code"].isna() | ~df["register_code"].isin(registers)
        bad |= df[["hospital_code", "diagnosis_date", "registered_date"]].isna().any(axis=1)
        bad |= df["registered_date"] < df["diagnosis_date"]
        return df[~bad.fillna(True)]

    def _valid_indicator_outcomes(self, df):
        codes = set(self.reference("quality_indicators")["indicator_code"].dropna())
        registrations = self.table("register_cases")["registration_id"]
        bad = df["registration_id"].isna() | df["indicator_code"].isna()
        bad |= ~df["indicator_code"].isin(codes) | ~df["registration_id"].isin(registrations)
        bad |= _dup(df, ["registration_id", "indicator_code"])
        return df[~bad.fillna(True)]

    def _valid_drug_treatments(self, df):
        bad = self._common(df, "treatment_id", ["start_date"])
        bad |= df[["start_date", "substance", "icd10", "in_rcl"]].isna().any(axis=1)
        return df[~bad.fillna(True)]

    def _valid_population(self, df):
        regions = set(self.reference("regions")["region_code"].dropna())
        bad = df["region_code"].isna() | ~df["region_code"].isin(regions)
        bad |= df[["year", "sex", "age_group", "population"]].isna().any(axis=1)
        bad |= ~df["sex"].isin(["M", "K"]) | ~df["age_group"].isin(AGE_GROUPS) | (df["population"] < 0)
        bad |= (df["year"] < 1958) | (df["year"] > self.extract_date.year)
        bad |= _dup(df, ["region_code", "year", "sex", "age_group"])
        return df[~bad.fillna(True)]

    # prepared frames
    def prepare(self, names) -> None:
        for name in names:
            if name not in self.frames:
                self.frames[name] = self._timed(name, getattr(self, f"_prep_{name}"))

    def frame(self, name: str) -> pd.DataFrame:
        self.prepare([name])
        return self.frames[name]

    def _prep_cases(self):
        c = self.table("cancer_cases")
        c = c[["case_id", "region_code", "diagnosis_date", "icd10"]].copy()
        c["icd_norm"] = _norm_icd(c["icd10"])
        c["svf_code"] = self.pathway_of(c["icd_norm"])
        return c.merge(self.regions(), on="region_code")

    def _prep_case_counts(self):
        cases = self.frame("cases")
        counts = (cases.dropna(subset=["svf_code"])
                  .assign(year=lambda d: d["diagnosis_date"].dt.year)
                  .groupby(["region_code", "svf_code", "year"], observed=True).size().rename("n").reset_index())
        return {"counts": counts, "data_years": set(cases["diagnosis_date"].dt.year.unique())}

    def _prep_episodes(self):
        e = self.table("svf_episodes").copy()
        e["treatment_type"] = e["end_code"].map(END_CODE_TYPE).astype("string")
        e["lead_time"] = (e["end_date"] - e["start_date"]).dt.days
        e["incl_region"] = e["home_region_code"].fillna(e["region_code"])
        hr = self.regions().set_index("region_code")["healthcare_region"]
        e["healthcare_region"] = e["region_code"].map(hr)
        e["incl_healthcare_region"] = e["incl_region"].map(hr)
        e["treated"] = e["treatment_type"].isin(START_TYPES)
        target, placeholder = self._resolve_targets(e)
        e["target_days"] = target
        e["placeholder"] = placeholder
        return e

    def _resolve_targets(self, e: pd.DataFrame):
        """Contract §2: among the pathway's rows valid at start_date, the first of four rules that
        finds rows, then the latest valid_from. 'any' never serves 'no_further_action'."""
        t = self.reference("svf_lead_time_targets").copy()
        t["extended_workup"] = _bool(t["extended_workup"]).astype(bool)
        t["valid_from"] = pd.to_datetime(t["valid_from"].str.strip()).astype("datetime64[ms]")
        t["target_days"] = pd.to_numeric(t["target_days"]).astype(float)
        t["placeholder"] = t["status"].str.strip() == "placeholder"
        t = t[["svf_code", "treatment_type", "extended_workup", "valid_from", "target_days", "placeholder"]]
        t = t.astype({"svf_code": object, "treatment_type": object})

        ep = e.loc[e["treatment_type"].notna(), ["svf_code", "treatment_type", "extended_workup", "start_date"]]
        ep = ep.astype({"svf_code": object, "treatment_type": object})
        ep = ep.assign(_idx=ep.index).sort_values("start_date", kind="stable")
        days = pd.Series(np.nan, index=e.index)
        placeholder = pd.Series(pd.NA, index=e.index, dtype="boolean")
        left = pd.Series(True, index=ep.index)
        rules = (("own", "own"), ("any", "own"), ("own", False), ("any", False))
        for ttype, ext in rules:
            cand = ep[left]
            if ttype == "any":
                cand = cand[cand["treatment_type"] != "no_further_action"]
            if cand.empty:
                continue
            keys = cand.assign(_t=cand["treatment_type"] if ttype == "own" else "any",
                               _x=cand["extended_workup"] if ext == "own" else False)
            keys = keys.astype({"_t": object, "_x": bool})
            tab = t.rename(columns={"treatment_type": "_t", "extended_workup": "_x"}).sort_values("valid_from")
            hit = pd.merge_asof(keys, tab, left_on="start_date", right_on="valid_from",
                                by=["svf_code", "_t", "_x"], direction="backward")
            hit = hit[hit["target_days"].notna()]
            days.loc[hit["_idx"].to_numpy()] = hit["target_days"].to_numpy()
            placeholder.loc[hit["_idx"].to_numpy()] = hit["placeholder"].to_numpy()
            left.loc[hit["_idx"].to_numpy()] = False
        return days, placeholder

    def _prep_registrations(self):
        r = self.table("register_cases").merge(self.regions(), on="region_code")
        r["days_to_register"] = (r["registered_date"] - r["diagnosis_date"]).dt.days
        return r

    def _prep_case_registers(self):
        cases = self.frame("cases")
        regs = self.reference("registers")
        rows = []
        codes = cases["icd_norm"].dropna().unique()
        for register, text in zip(regs["register_code"], regs["icd10_prefixes"], strict=False):
            ps = tuple(_prefixes(text))
            if ps:
                rows += [(c, register) for c in codes if c.startswith(ps)]
        icd_register = pd.DataFrame(rows, columns=["icd_norm", "register_code"]).drop_duplicates()
        cr = cases.merge(icd_register, on="icd_norm")
        reg = self.table("register_cases")[["register_code", "case_id"]].dropna().drop_duplicates()
        cr = cr.merge(reg.assign(registered=True), on=["register_code", "case_id"], how="left")
        cr["registered"] = cr["registered"].fillna(False).astype(bool)
        return cr

    def _prep_outcomes(self):
        o = self.table("indicator_outcomes")
        g = self.frame("registrations")[["registration_id", "region_code", "healthcare_region", "diagnosis_date"]]
        return o.merge(g, on="registration_id")

    def _prep_drugs(self):
        d = self.table("drug_treatments").merge(self.regions(), on="region_code")
        d["svf_code"] = self.pathway_of(_norm_icd(d["icd10"]))
        return d

    def _prep_population(self):
        p = self.table("population")
        return p.groupby(["region_code", "year"], as_index=False)["population"].sum()


# -- computing ------------------------------------------------------------------------------------

_PERIOD_DATE = {
    "svf_inclusion": "end_date", "svf_within_target": "end_date", "svf_over_175": "end_date",
    "svf_lead_time_median": "end_date", "register_coverage": "diagnosis_date",
    "register_reporting_90d": "diagnosis_date", "rcl_coverage": "start_date", "rcl_direct_transfer": "start_date",
    "rcl_starts_per_100k": "start_date",
}


def _population(data: PeerData, indicator: str) -> pd.DataFrame:
    """One row per counted unit with the dimension columns, `period_date`, `num`, `den` (or `lead_time`)."""
    if indicator in ("svf_within_target", "svf_over_175", "svf_lead_time_median"):
        e = data.frame("episodes")
        e = e[e["target_days"].notna()]
        out = pd.DataFrame({"region": e["region_code"], "healthcare_region": e["healthcare_region"],
                            "svf_code": e["svf_code"], "treatment_type": e["treatment_type"], "sex": e["sex"],
                            "period_date": e["end_date"]})
        if indicator == "svf_within_target":
            out["num"] = (e["lead_time"] <= e["target_days"]).astype(int)
        elif indicator == "svf_over_175":
            out["num"] = (4 * e["lead_time"] > 7 * e["target_days"]).astype(int)
        else:
            out["lead_time"] = e["lead_time"]
        out["den"] = 1
        return out
    if indicator == "svf_inclusion":
        e = data.frame("episodes")
        e = e[e["treated"]]
        return pd.DataFrame({"region": e["incl_region"], "healthcare_region": e["incl_healthcare_region"],
                             "svf_code": e["svf_code"], "period_date": e["end_date"], "num": 1})
    if indicator == "register_coverage":
        c = data.frame("case_registers")
        return pd.DataFrame({"register": c["register_code"], "region": c["region_code"],
                             "healthcare_region": c["healthcare_region"], "period_date": c["diagnosis_date"],
                             "num": c["registered"].astype(int), "den": 1})
    if indicator == "register_reporting_90d":
        r = data.frame("registrations")
        return pd.DataFrame({"register": r["register_code"], "region": r["region_code"],
                             "healthcare_region": r["healthcare_region"], "period_date": r["diagnosis_date"],
                             "num": (r["days_to_register"] <= 90).astype(int), "den": 1})
    if indicator in ("rcl_coverage", "rcl_direct_transfer", "rcl_starts_per_100k"):
        d = data.frame("drugs")
        if indicator == "rcl_direct_transfer":
            d = d[d["in_rcl"] & d["direct_transfer"].notna()]
            num = d["direct_transfer"].astype(int)
        elif indicator == "rcl_starts_per_100k":
            d = d[d["in_rcl"]]
            num = 1
        else:
            num = d["in_rcl"].astype(int)
        return pd.DataFrame({"region": d["region_code"], "healthcare_region": d["healthcare_region"],
                             "svf_code": d["svf_code"], "substance": d["substance"],
                             "period_date": d["start_date"], "num": num, "den": 1})
    if indicator.startswith("qi:"):
        o = data.frame("outcomes")
        o = o[o["indicator_code"] == indicator[3:]]
        met = o["met"].astype("boolean")
        return pd.DataFrame({"region": o["region_code"], "healthcare_region": o["healthcare_region"],
                             "period_date": o["diagnosis_date"], "num": met.fillna(False).astype(int),
                             "den": met.notna().astype(int), "missing": met.isna().astype(int)})
    raise ValueError(f"the peer has no {indicator}")


def _add_period_dims(df: pd.DataFrame, by, where) -> pd.DataFrame:
    dims = set(by) | set(where)
    if "year" in dims:
        df["year"] = df["period_date"].dt.year.astype(str)
    if "quarter" in dims:
        df["quarter"] = _quarter(df["period_date"])
    if "month" in dims:
        df["month"] = df["period_date"].dt.strftime("%Y-%m")
    return df


def _filter(df: pd.DataFrame, where: dict) -> pd.DataFrame:
    for dim, values in where.items():
        values = [values] if isinstance(values, str) else list(values)
        df = df[df[dim].isin(values)]
    return df


def default_period(data: PeerData, indicator: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of the month of the earliest period date to the last day of the latest's month."""
    dates = _population(data, indicator)["period_date"].dropna()
    lo, hi = dates.min(), dates.max()
    return lo.to_period("M").start_time, hi.to_period("M").end_time.normalize()


def compute(data: PeerData, indicator: str, by=None, start=None, end=None, where=None) -> pd.DataFrame:
    by = list(by or [])
    where = dict(where or {})
    data.prepare(needs(indicator))
    if start is None or end is None:
        lo, hi = default_period(data, indicator)
        start, end = start or lo, end or hi
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    rows = _population(data, indicator)
    rows = rows[(rows["period_date"] >= start) & (rows["period_date"] <= end)]
    rows = _filter(_add_period_dims(rows, by, where), where)

    if indicator == "svf_lead_time_median":
        grouped = rows.groupby(by, dropna=False, sort=True) if by else None
        if by:
            out = grouped["lead_time"].agg(denominator="size", value="median").reset_index()
        else:
            out = pd.DataFrame({"denominator": [len(rows)], "value": [rows["lead_time"].median()]})
        out["numerator"] = np.nan
    elif indicator in ("svf_inclusion", "rcl_starts_per_100k"):
        out = _ratio(data, indicator, rows, by, start, end, where)
    else:
        if by:
            out = rows.groupby(by, dropna=False, sort=True)[["num", "den"]].sum().reset_index()
        else:
            out = pd.DataFrame({"num": [rows["num"].sum()], "den": [rows["den"].sum()]})
        out = out.rename(columns={"num": "numerator", "den": "denominator"})
        den = out["denominator"].astype(float)
        out["value"] = out["numerator"] / den.where(den > 0) * 100

    den = out["denominator"].astype(float)
    suppressed = den.isna() | (den < MIN_N)
    if indicator in ("svf_inclusion", "rcl_starts_per_100k"):
        # an estimated or population denominator: a small count is hidden too (contract §5 for
        # inclusion; for a rate, value × inhabitants would give the count back)
        suppressed |= (out["numerator"] >= 1) & (out["numerator"] < MIN_N)
    out["suppressed"] = suppressed.astype(bool)
    out = out[by + ["numerator", "denominator", "value", "suppressed"]]
    return out.sort_values(by, kind="stable").reset_index(drop=True) if by else out


def _months(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """First days of the months wholly inside [start, end]."""
    months = pd.date_range(start.to_period("M").start_time, end, freq="MS")
    return months[(months >= start) & (months + pd.offsets.MonthEnd(0) <= end)]


def _ratio(data: PeerData, indicator, rows, by, start, end, where) -> pd.DataFrame:
    """Counted rows over a denominator built per region (× pathway) × month of the period."""
    regions = data.regions().rename(columns={"region_code": "region"})
    months = pd.DataFrame({"period_date": _months(start, end)})
    grid = regions.merge(months, how="cross")
    grid["year"] = grid["period_date"].dt.year
    if indicator == "svf_inclusion":
        pathways = data.reference("svf_pathways")[["svf_code"]]
        grid = grid.merge(pathways, how="cross")
        cc = data.frame("case_counts")
        counts, data_years = cc["counts"], cc["data_years"]
        den_rows = []
        for y in sorted(grid["year"].unique()):
            base = [b for b in (y - 1, y - 2, y - 3) if b in data_years]
            if not base:
                per = None
            else:
                n = (counts[counts["year"].isin(base)].groupby(["region_code", "svf_code"])["n"].sum()
                     / len(base) / 12.0)
                per = n.rename("den").reset_index().rename(columns={"region_code": "region"})
            den_rows.append((y, per))
        parts = []
        for y, per in den_rows:
            g = grid[grid["year"] == y]
            if per is None:
                g = g.assign(den=np.nan)
            else:
                g = g.merge(per, on=["region", "svf_code"], how="left")
                g["den"] = g["den"].fillna(0.0)
            parts.append(g)
        grid = pd.concat(parts, ignore_index=True)
    else:
        pop = data.frame("population").rename(columns={"region_code": "region"})
        grid = grid.merge(pop, on=["region", "year"], how="left")
        grid["den"] = grid["population"] / 12.0
    grid = _filter(_add_period_dims(grid, by, where), where)

    if by:
        num = rows.groupby(by, dropna=False)["num"].sum().rename("numerator").reset_index()
        den = grid.groupby(by, dropna=False)["den"].agg(
            denominator=lambda s: s.sum() if s.notna().all() else np.nan).reset_index()
        out = num.merge(den, on=by, how="outer")
        out["numerator"] = out["numerator"].fillna(0)
        out = out[~((out["numerator"] == 0) & (out["denominator"].fillna(0) == 0))]
    else:
        complete = len(grid) > 0 and grid["den"].notna().all()
        out = pd.DataFrame({"numerator": [rows["num"].sum()],
                            "denominator": [grid["den"].sum() if complete else np.nan]})
    # a sum of fractions n / n_base / 12 (or population / 12): exact to far below 1e-9, so rounding
    # there makes a denominator of exactly 5 compare as 5 whatever the order of summation
    out["denominator"] = out["denominator"].astype(float).round(9)
    den = out["denominator"]
    scale = 100.0 if indicator == "svf_inclusion" else 100_000.0
    out["value"] = out["numerator"] / den.where(den > 0) * scale
    return out


# -- comparing with the engine ----------------------------------------------------------------------

@dataclass
class Comparison:
    indicator: str
    by: tuple
    rows: int
    compared: int  # rows whose values were compared (not suppressed)
    max_abs_diff: float
    problems: list

    @property
    def ok(self) -> bool:
        return not self.problems


def compare(engine: pd.DataFrame, peer: pd.DataFrame, indicator: str, by, tol: float = 1e-6) -> Comparison:
    """Same groups, same suppression, and numerator, denominator and value within `tol` (relative
    for denominators above 1, as the expected-case denominator is a sum of fractions)."""
    by = list(by or [])
    problems = []
    e = engine.copy()
    p = peer.copy()
    for d in by:
        e[d] = e[d].astype("string")
        p[d] = p[d].astype("string")
    if by:
        m = e.merge(p, on=by, how="outer", suffixes=("_e", "_p"), indicator=True)
        only_e = m[m["_merge"] == "left_only"]
        only_p = m[m["_merge"] == "right_only"]
        if len(only_e):
            problems.append(f"{len(only_e)} group(s) only in the engine, e.g. {only_e[by].iloc[0].tolist()}")
        if len(only_p):
            problems.append(f"{len(only_p)} group(s) only in the peer, e.g. {only_p[by].iloc[0].tolist()}")
        m = m[m["_merge"] == "both"]
    else:
        if len(e) != 1 or len(p) != 1:
            problems.append(f"ungrouped result has {len(e)} row(s) in the engine, {len(p)} in the peer")
        m = e.add_suffix("_e").join(p.add_suffix("_p"), how="inner")
    sup_e = m["suppressed_e"].astype(bool).to_numpy()
    sup_p = m["suppressed_p"].astype(bool).to_numpy()
    if (sup_e != sup_p).any():
        i = int(np.argmax(sup_e != sup_p))
        problems.append(f"{int((sup_e != sup_p).sum())} row(s) suppressed differently, e.g. "
                        f"{m.iloc[i][by].tolist() if by else 'riket'}: engine {sup_e[i]}, peer {sup_p[i]}")
    shown = m[~sup_e & ~sup_p]
    worst = 0.0
    cols = ["denominator", "value"] + ([] if indicator == "svf_lead_time_median" else ["numerator"])
    for col in cols:
        a = pd.to_numeric(shown[f"{col}_e"], errors="coerce").astype(float).to_numpy()
        b = pd.to_numeric(shown[f"{col}_p"], errors="coerce").astype(float).to_numpy()
        nan_diff = np.isnan(a) != np.isnan(b)
        both = ~np.isnan(a) & ~np.isnan(b)
        diff = np.abs(a - b)
        scale = np.maximum(1.0, np.abs(b)) if col == "denominator" else 1.0
        rel = np.where(both, diff / scale, 0.0)
        if both.any():
            worst = max(worst, float(np.nanmax(np.where(both, diff, 0.0))))
        bad = nan_diff | (rel > tol)
        if bad.any():
            i = int(np.argmax(bad))
            problems.append(f"{int(bad.sum())} {col}(s) differ, e.g. "
                            f"{shown.iloc[i][by].tolist() if by else 'riket'}: engine {a[i]!r}, peer {b[i]!r}")
    return Comparison(indicator, tuple(by), len(m), len(shown), worst, problems)
