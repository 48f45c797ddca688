"""Published figures: official values (Kolada, Vården i siffror, …) to show beside the computed ones
(data-contract.md §9.3).

Two places hold them: an extract set's own `published_figures` table (written by `import kolada`
or `import vardenisiffror`, checked at load like every extract table), and the figures bundled
with the project, `data/published/kolada_svf.csv` (Kolada's KPIs N70643 and N79198 for every
region and riket), which stand in whenever a set has none and whenever there is no extract at all.

    from indicators.published import bundled_published
    pub = bundled_published("svf_within_target")     # no extract needed
    pub = ds.published("svf_within_target")           # the set's own table, else the bundled one
    pub.table        # one row per source × indicator × region × period (PUBLISHED_COLUMNS + extras)
    pub.attribution  # 'Källa: Kolada' – show it wherever the figures are shown

Kolada's terms of use: the source is named ('Källa: Kolada') wherever its figures are shown, and
figures we derive from them (a sum, a difference) must not be presented as Kolada's. Hence
`attribution` for the figures as published, and `DERIVED_NOTE` for anything computed from them.

Values are percent as published (one decimal or whole percent); svf_inclusion may exceed 100
because its denominator is an estimate. A withheld value is null with the source's `status`
code. Counts the source publishes follow the dashboard's suppression rule (a denominator under 5,
or for an estimated ratio a numerator of 1–4, shows no counts and no value), like every output.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .errors import DataError

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_PUBLISHED_FILE = ROOT / "data" / "published" / "kolada_svf.csv"

# The contract's columns (§9.3), in order
PUBLISHED_COLUMNS = ["source", "source_id", "indicator", "region_code", "period", "value", "numerator",
                     "denominator", "status"]
# What the accessors add: the targets of the catalogue and the level the value meets, and whether
# the dashboard's small-number rule hid the row's counts and value.
EXTRA_COLUMNS = ["target_low", "target_high", "target_level", "suppressed"]

MIN_N = 5  # the dashboard's suppression limit (contract §6), never lower
DERIVED_NOTE = "Egen beräkning utifrån publicerade täljare och nämnare"


@dataclass(frozen=True)
class PublishedFigures:
    """Published figures and where they came from.

    `table`: PUBLISHED_COLUMNS + EXTRA_COLUMNS, sorted by indicator, period, region (riket, with
    region_code NA, first). `bundled`: True when these are the project's bundled Kolada figures,
    False when they are the extract set's own `published_figures`. `origin`: the file they were
    read from (for the data-status line).
    """

    table: pd.DataFrame
    bundled: bool
    origin: str

    @property
    def sources(self) -> list[str]:
        """The sources present, in order of first appearance ('Kolada', 'Vården i siffror')."""
        return list(dict.fromkeys(self.table["source"].dropna().astype(str)))

    @property
    def attribution(self) -> str:
        """'Källa: Kolada' (or 'Källa: Kolada, Vården i siffror'); show it with every use."""
        return attribution(self.sources)

    def for_indicator(self, indicator: str | None) -> "PublishedFigures":
        if indicator is None:
            return self
        return PublishedFigures(_sorted(self.table[self.table["indicator"] == indicator]), self.bundled,
                                self.origin)

    def years(self) -> list[str]:
        """The yearly periods present ('2018', …), sorted."""
        periods = self.table["period"].dropna().astype(str)
        return sorted({p for p in periods if len(p) == 4 and p.isdigit()})


def attribution(sources) -> str:
    """'Källa: ' and the sources joined; 'Källa: Kolada' for the bundled figures."""
    names = [s for s in dict.fromkeys(str(s) for s in sources) if s]
    return "Källa: " + ", ".join(names) if names else ""


# -- the bundled figures ---------------------------------------------------------------------------

def bundled_published(indicator: str | None = None) -> PublishedFigures:
    """The Kolada figures bundled with the project, without any extract (DataError if the file is
    missing or broken, naming it). `indicator` keeps one catalogue id."""
    try:
        st = os.stat(BUNDLED_PUBLISHED_FILE)
    except OSError:
        raise DataError(f"published_figures: den medföljande filen {BUNDLED_PUBLISHED_FILE.name} saknas") from None
    table = _bundled_table(str(BUNDLED_PUBLISHED_FILE), st.st_mtime_ns, st.st_size)
    return PublishedFigures(table.copy(), True, str(BUNDLED_PUBLISHED_FILE)).for_indicator(indicator)


@lru_cache(maxsize=2)
def _bundled_table(path: str, _mtime: int, _size: int) -> pd.DataFrame:
    from .catalogue import Catalogue

    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        missing = [c for c in ("source", "kpi", "indicator", "level", "region_code", "year", "value")
                   if c not in raw.columns]
        if missing:
            raise ValueError(f"kolumnen {missing[0]} saknas")
        df = pd.DataFrame({
            "source": raw["source"],
            "source_id": raw["kpi"],
            "indicator": raw["indicator"],
            "region_code": raw["region_code"].where(raw["level"] != "riket", ""),
            "period": raw["year"],
            "value": pd.to_numeric(raw["value"].replace("", None), errors="raise"),
            "numerator": pd.NA,
            "denominator": pd.NA,
            "status": pd.NA,
        })
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"published_figures: den medföljande filen {Path(path).name} kunde inte läsas: "
                        f"{str(exc).splitlines()[0][:200]}") from None
    return finish_table(df, Catalogue.bundled())


# -- shared by the bundled figures and a data set's own table ------------------------------------

def finish_table(df: pd.DataFrame, catalogue) -> pd.DataFrame:
    """Types of §9.3, the catalogue's targets and target level, and the suppression rule."""
    from .engine import target_level

    out = pd.DataFrame({
        "source": df["source"].astype("string"),
        "source_id": df["source_id"].astype("string"),
        "indicator": df["indicator"].astype("string"),
        "region_code": df["region_code"].astype("string").replace("", pd.NA),
        "period": df["period"].astype("string"),
        "value": pd.to_numeric(df["value"], errors="coerce").astype("Float64"),
        "numerator": pd.to_numeric(df["numerator"], errors="coerce").astype("Int64"),
        "denominator": pd.to_numeric(df["denominator"], errors="coerce").astype("Int64"),
        "status": df["status"].astype("string").replace("", pd.NA),
    })
    inds = {i.id: i for i in catalogue}
    low, high, level, hidden = [], [], [], []
    for ind_id, value, num, den in zip(out["indicator"], out["value"], out["numerator"], out["denominator"]):
        ind = inds.get(str(ind_id))
        small = (not pd.isna(den) and den < MIN_N) or (
            ind is not None and ind.kind in ("estimated_ratio", "rate") and not pd.isna(num) and 1 <= num < MIN_N)
        hidden.append(bool(small))
        lo = ind.target_low if ind is not None else None
        hi = ind.target_high if ind is not None else None
        low.append(lo)
        high.append(hi)
        level.append(pd.NA if small or ind is None else target_level(ind.direction, value, lo, hi))
    out["target_low"] = pd.array(low, dtype="Int64")
    out["target_high"] = pd.array(high, dtype="Int64")
    out["target_level"] = pd.array(level, dtype="string")
    out["suppressed"] = pd.array(hidden, dtype=bool)
    for col in ("value", "numerator", "denominator"):
        out[col] = out[col].mask(out["suppressed"])
    return _sorted(out)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["indicator", "source", "period", "region_code"], na_position="first",
                          kind="stable").reset_index(drop=True)


def published_of(ds, indicator: str | None = None) -> PublishedFigures:
    """A data set's published figures: its own `published_figures` when it has one, else the
    bundled ones. A table that is there but failed to load raises DataError naming it (the
    bundled figures never stand in for a set's broken table)."""
    status = ds.tables.get("published_figures")
    if "published_figures" in ds.available:
        key = ("published_figures",)
        with ds._lock:
            cached = ds._cache.get(key)
        if cached is None:
            raw = ds.query_df("SELECT * FROM published_figures")
            cached = finish_table(raw, ds.catalogue())
            with ds._lock:
                ds._cache[key] = cached
        return PublishedFigures(cached.copy(), False, status.source if status else "").for_indicator(indicator)
    if status is not None and status.error:
        raise DataError(f"published_figures: {status.error}")
    return bundled_published(indicator)


# -- healthcare regions ----------------------------------------------------------------------------

def published_healthcare_regions(pub: PublishedFigures, regions: pd.DataFrame) -> pd.DataFrame:
    """Sjukvårdsregion values derived from published counts, never from percentages: for each
    source × indicator × period × healthcare region whose every member region has a published
    numerator and denominator (and none is suppressed), value = 100 × Σ numerator / Σ denominator.

    `regions`: region_code, healthcare_region (the reference table). Returns healthcare_region,
    source, source_id, indicator, period, numerator, denominator, value, members (how many
    regions), note (DERIVED_NOTE); empty when the source publishes no counts (Kolada's KPIs).
    The result is our own computation: show it as such, never as the source's figure.
    """
    cols = ["healthcare_region", "source", "source_id", "indicator", "period", "numerator", "denominator",
            "value", "members", "note"]
    t = pub.table[pub.table["region_code"].notna()]
    members = regions[["region_code", "healthcare_region"]].astype(str)
    size = members.groupby("healthcare_region")["region_code"].nunique()
    if t.empty:
        return pd.DataFrame(columns=cols)
    t = t.merge(members, on="region_code", how="inner")
    usable = t["numerator"].notna() & t["denominator"].notna() & ~t["suppressed"]
    t = t.assign(usable=usable)
    rows = []
    for (hr, src, sid, ind, period), g in t.groupby(["healthcare_region", "source", "source_id", "indicator",
                                                      "period"], sort=True):
        if not g["usable"].all() or g["region_code"].nunique() != size.get(hr, -1):
            continue
        num, den = int(g["numerator"].sum()), int(g["denominator"].sum())
        if den < MIN_N:
            continue
        rows.append((hr, src, sid, ind, period, num, den, 100.0 * num / den, len(g), DERIVED_NOTE))
    out = pd.DataFrame(rows, columns=cols)
    out["numerator"] = out["numerator"].astype("Int64")
    out["denominator"] = out["denominator"].astype("Int64")
    out["value"] = out["value"].astype("Float64")
    return out


# -- no extract at all -----------------------------------------------------------------------------

NO_EXTRACT_SOURCE = "Publicerad statistik (Källa: Kolada), inget uttag inläst"
NO_EXTRACT_REASON = "inget uttag är inläst"


def without_extract():
    """A Dataset holding no extract: the bundled reference tables, every extract table missing
    (`require` raises DataError 'inget uttag är inläst' naming it, so a computed view says so),
    no extract date (None), and the bundled published figures (`published()`).

    What the app shows when it is started without any extract set: the published figures and
    the descriptions of the indicators, nothing computed. Raises DataError when a bundled
    reference table is unusable (as open_data would)."""
    import duckdb

    from .dataset import Dataset, TableStatus, _load_reference
    from .loader import BUNDLED_REFERENCE_DIR
    from .schema import EXTRACT_TABLES

    con = duckdb.connect(config={"threads": 1})
    # the folder of the bundled figures holds no reference table of its own: every one is bundled
    ds = Dataset(directory=BUNDLED_PUBLISHED_FILE.parent, extract_date=None, manifest={"source": NO_EXTRACT_SOURCE},
                 con=con, tables={})
    cur = con.cursor()
    try:
        _load_reference(ds, cur, BUNDLED_PUBLISHED_FILE.parent, BUNDLED_REFERENCE_DIR)
    finally:
        cur.close()
    broken = [t for t in ds.tables.values() if t.error]
    if broken:
        raise DataError(f"{broken[0].table}: {broken[0].error}")
    for table in EXTRACT_TABLES:
        ds.tables[table] = TableStatus(table, "", error=NO_EXTRACT_REASON)
    return ds


def has_extract(ds) -> bool:
    """Whether `ds` holds any extract table file at all (a set with only `published_figures`, an
    empty folder and `without_extract()` hold none)."""
    from .schema import EXTRACT_TABLES

    return any(ds.tables.get(t) is not None and bool(ds.tables[t].source) for t in EXTRACT_TABLES)
