"""Computed beside published: the dashboard's SVF figures against the official ones, region × year.

    from indicators.reconcile import reconcile, published_beside
    rec = reconcile(ds, "svf_within_target")      # every region and riket, every whole year
    rec.table[rec.table["comparison"] == "exceeds"]   # the list of differences beyond tolerance
    rec.explanation, rec.tolerance_text, rec.attribution

    # one computed result (a page's bars or table) with the published value of the same region and
    # period beside it
    df = ds.compute("svf_within_target", by=["region"], start=date(2024, 1, 1), end=date(2024, 12, 31))
    df = published_beside(df, ds.published("svf_within_target"), "svf_within_target",
                          start=date(2024, 1, 1), end=date(2024, 12, 31))

Only whole calendar years are compared: published SVF figures are yearly, and a year the extract
does not cover from 1 January to 31 December (or that ends after the extract date) would compare a
part with a whole. Riket is the ungrouped result. A computed group that is suppressed stays
suppressed: no value, no count and no difference are shown for it (the published value, which
the source has already made public, is still shown).

Tolerances (percentage points; the larger of `points` and the share `patients` patients make of
the group's denominator):

- svf_within_target, 2 pp or 3 patients. Same definition on both sides (the closing region, all
  pathways, all treatment starts), so what remains is: Kolada rounds N79198 to whole percent
  (up to 0.5 pp); the published figure is the registry as of its publication day, and late
  registrations and corrections of a full year typically move a region by about 1 pp; a few
  patients are many percent in a small region (3 of Gotland's ~170 episodes are 1.8 pp). A larger
  difference points to a real difference of definition or data (placeholder lead-time limits,
  '73' episodes, a missing month) worth a look.
- svf_inclusion, 5 pp or 3 patients. The denominator is an estimate made differently on the two
  sides: the official model uses the Cancer Register's latest available years (which lag a year
  or more behind the reported year), ours the mean of the three years before the reported one
  in the extract's cancer_cases; with incidence growing 1–2 % a year a one-year shift alone moves
  an 80–85 % inclusion by 1–2 pp, and differences in which diagnoses count for a pathway move the
  denominator by a few percent more. Published with one decimal; the numerator is counted by home
  region on both sides, but the official figures fall back on the reporting region where it is
  missing. Method alone thus explains some 3–4 pp; 5 pp flags what it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .errors import QueryError
from .periods import month_end

RECONCILED = ("svf_inclusion", "svf_within_target")


@dataclass(frozen=True)
class Tolerance:
    points: float  # percentage points
    patients: int  # or the share this many patients make of the group's denominator, if larger

    def for_denominator(self, denominator) -> float:
        if denominator is None or pd.isna(denominator) or float(denominator) <= 0:
            return self.points
        return max(self.points, 100.0 * self.patients / float(denominator))


TOLERANCES: dict[str, Tolerance] = {
    "svf_inclusion": Tolerance(5.0, 3),
    "svf_within_target": Tolerance(2.0, 3),
}

# Why the two may differ, one short Swedish paragraph per indicator (shown beside the comparison)
EXPLANATIONS: dict[str, str] = {
    "svf_inclusion": (
        "Nämnaren, det förväntade antalet nya cancerfall, är en uppskattning på båda håll: den publicerade "
        "siffran bygger på en nationell modell från Cancerregistrets senast tillgängliga år, Indikatorpanelen "
        "på medelvärdet av de tre föregående årens fall i extraktet. Den publicerade siffran avser data per "
        "publiceringsdagen; förlopp som rapporterats eller rättats senare finns bara i extraktet. Förloppen "
        "räknas i patientens hemregion, och där hemregion saknas i den region som avslutat förloppet. "
        "Skillnader på några procentenheter är därför väntade."
    ),
    "svf_within_target": (
        "Den publicerade andelen har samma definition (den region som avslutat förloppet, alla förlopp och "
        "behandlingar) men bygger på data per publiceringsdagen; sena registreringar och rättelser finns bara "
        "i extraktet. Kolada avrundar till hela procent. Ledtidsgränser som här är platshållare och förlopp "
        "avslutade med ingen ytterligare åtgärd kan ge ytterligare skillnad."
    ),
}

TOLERANCE_TEXTS: dict[str, str] = {
    "svf_inclusion": (
        "Avvikelse: mer än 5 procentenheter (i små regioner mer än vad 3 patienter motsvarar). Olika sätt att "
        "uppskatta nämnaren förklarar i sig 3–4 procentenheter."
    ),
    "svf_within_target": (
        "Avvikelse: mer än 2 procentenheter (i små regioner mer än vad 3 patienter motsvarar). Avrundning till "
        "hela procent och sena registreringar förklarar i sig omkring 1 procentenhet."
    ),
}

COMPARISONS = ("within", "exceeds", "not_comparable")
COLUMNS = ["indicator", "source", "source_id", "level", "region_code", "year", "computed_value",
           "computed_numerator", "computed_denominator", "suppressed", "provisional", "published_value",
           "published_status", "difference_pp", "tolerance_pp", "comparison", "note"]


@dataclass(frozen=True)
class Reconciliation:
    """`table`: one row per source × region (and riket) × whole year, COLUMNS; `comparison` is
    'within', 'exceeds' or 'not_comparable' (then `note` says why, in Swedish). `difference_pp` is
    computed − published in percentage points."""

    indicator: str
    table: pd.DataFrame
    years: list[int]
    attribution: str  # 'Källa: Kolada' for the published column
    explanation: str  # EXPLANATIONS[indicator]
    tolerance_text: str

    @property
    def differences(self) -> pd.DataFrame:
        """The rows beyond tolerance."""
        return self.table[self.table["comparison"] == "exceeds"].reset_index(drop=True)


def whole_years(ds, indicator: str) -> list[int]:
    """Calendar years the extract covers wholly for `indicator`: from the month of its first
    period date to the month of its last, and ending on or before the extract date."""
    from .engine import default_period

    ind = ds.catalogue().get(indicator)
    ds.require(ind.needs)
    first, last = default_period(ds, ind)
    last = min(last, ds.extract_date)
    return [y for y in range(first.year, last.year + 1) if date(y, 1, 1) >= first and date(y, 12, 31) <= last]


def reconcile(ds, indicator: str, *, years=None, min_n=None) -> Reconciliation:
    """Computed (ds.compute by region and year, and riket by year) against the published figures
    of `ds.published(indicator)` for every whole year both have. `years` narrows the years.

    Raises QueryError for an indicator other than RECONCILED, DataError when a table the
    indicator needs is missing.
    """
    if indicator not in RECONCILED:
        raise QueryError(f"jämförelse med publicerad statistik finns för {', '.join(RECONCILED)}, inte {indicator[:40]!r}")
    pub = ds.published(indicator)
    tol = TOLERANCES[indicator]
    published_years = {int(y) for y in pub.years()}
    wanted = [y for y in whole_years(ds, indicator) if y in published_years]
    if years is not None:
        chosen = {int(y) for y in years}
        wanted = [y for y in wanted if y in chosen]
    rows: list[dict] = []
    if wanted:
        start, end = date(min(wanted), 1, 1), date(max(wanted), 12, 31)
        by_region = ds.compute(indicator, by=["region", "year"], start=start, end=end, min_n=min_n)
        riket = ds.compute(indicator, by=["year"], start=start, end=end, min_n=min_n)
        computed = {(r, int(y)): row for r, y, row in
                    zip(by_region["region"], by_region["year"], by_region.to_dict("records"))}
        computed.update({(None, int(y)): row for y, row in zip(riket["year"], riket.to_dict("records"))})
        region_codes = list(ds.reference("regions")["region_code"].astype(str))
        table = pub.table[pub.table["period"].isin([str(y) for y in wanted])]
        for source in pub.sources or ["Kolada"]:
            src = table[table["source"] == source]
            lookup = {(None if pd.isna(r) else str(r), int(p)): row
                      for r, p, row in zip(src["region_code"], src["period"], src.to_dict("records"))}
            source_id = src["source_id"].dropna().iloc[0] if len(src) else pd.NA
            for year in wanted:
                for region in [None] + region_codes:
                    rows.append(_compare(indicator, source, source_id, region, year,
                                         computed.get((region, year)), lookup.get((region, year)), tol))
    out = pd.DataFrame(rows, columns=COLUMNS)
    out = _typed(out)
    return Reconciliation(indicator, out, wanted, pub.attribution, EXPLANATIONS[indicator],
                          TOLERANCE_TEXTS[indicator])


def _compare(indicator, source, source_id, region, year, comp: dict | None, pub: dict | None,
             tol: Tolerance) -> dict:
    row = {"indicator": indicator, "source": source, "source_id": source_id,
           "level": "riket" if region is None else "region", "region_code": region, "year": year,
           "computed_value": pd.NA, "computed_numerator": pd.NA, "computed_denominator": pd.NA,
           "suppressed": False, "provisional": False, "published_value": pd.NA, "published_status": pd.NA,
           "difference_pp": pd.NA, "tolerance_pp": pd.NA, "comparison": "not_comparable", "note": ""}
    if pub is not None:
        row["published_value"] = pub["value"]
        row["published_status"] = pub["status"]
    notes = []
    if comp is None:
        notes.append("inget beräknat värde (inga förlopp i extraktet)")
    else:
        row["suppressed"] = bool(comp["suppressed"])
        row["provisional"] = bool(comp["provisional"])
        if row["suppressed"]:
            notes.append("beräknat värde visas inte: otillräckligt underlag (eller ingen nämnare)")
        else:
            row["computed_value"] = comp["value"]
            row["computed_numerator"] = comp["numerator"]
            row["computed_denominator"] = comp["denominator"]
    if pub is None:
        notes.append("källan publicerar inget värde")
    elif pd.isna(pub["value"]):
        if bool(pub.get("suppressed", False)):
            notes.append("publicerat värde visas inte (otillräckligt underlag)")
        elif not pd.isna(pub["status"]):
            notes.append(f"publicerat värde saknas (status {pub['status']})")
        else:
            notes.append("publicerat värde saknas")
    if not notes and pd.isna(row["computed_value"]):
        notes.append("inget beräknat värde")
    if not notes:
        diff = float(row["computed_value"]) - float(pub["value"])
        limit = tol.for_denominator(row["computed_denominator"])
        row["difference_pp"] = diff
        row["tolerance_pp"] = limit
        row["comparison"] = "exceeds" if abs(diff) > limit + 1e-9 else "within"
        if row["provisional"]:
            notes.append("preliminär period: sena registreringar kan ändra det beräknade värdet")
    row["note"] = "; ".join(notes)
    return row


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    out["region_code"] = out["region_code"].astype("string")
    out["year"] = out["year"].astype("Int64")
    for col in ("computed_value", "published_value", "difference_pp", "tolerance_pp"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Float64")
    out["computed_numerator"] = pd.to_numeric(out["computed_numerator"], errors="coerce").astype("Int64")
    # svf_inclusion's denominator is an estimate (a fraction of a case): keep it as it is
    out["computed_denominator"] = pd.to_numeric(out["computed_denominator"], errors="coerce").astype("Float64")
    out["suppressed"] = out["suppressed"].astype(bool)
    out["provisional"] = out["provisional"].astype(bool)
    for col in ("source", "source_id", "published_status", "comparison", "note", "indicator", "level"):
        out[col] = out[col].astype("string")
    return out


# -- one computed result with the published value beside it -----------------------------------------

BESIDE_COLUMNS = ["published_value", "published_status", "published_source", "difference_pp", "tolerance_pp",
                  "exceeds_tolerance"]
_COMPARABLE_DIMS = {"region", "year"}


def period_label(start, end) -> str | None:
    """'2024', '2024-Q1' or '2024-03' when start..end is exactly that calendar period, else None."""
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if start.day != 1 or end != month_end(end) or start.year != end.year:
        return None
    months = end.month - start.month + 1
    if months == 12:
        return f"{start.year}"
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}-Q{(start.month + 2) // 3}"
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    return None


def published_beside(result: pd.DataFrame, pub, indicator: str, *, start, end, where=None) -> pd.DataFrame:
    """`result` (a compute() table grouped by nothing, 'region', 'year' or 'region' and 'year') with
    BESIDE_COLUMNS added: the published value of the same region (riket when there is no region
    column) and period, its status and source, and for rows that are not suppressed the
    difference computed − published and whether it exceeds the indicator's tolerance.

    Published figures cover every pathway and treatment: with any other grouping or a `where`
    other than region or year, or a period that is not a whole calendar year (or a quarter or
    month the source publishes), the published columns stay empty. `pub`: a PublishedFigures.
    """
    out = result.copy()
    for col in BESIDE_COLUMNS:
        out[col] = pd.NA
    dims = [c for c in ("region", "healthcare_region", "svf_code", "treatment_type", "sex", "register", "substance",
                        "quarter", "month") if c in out.columns]
    filters = {k for k, v in (where or {}).items() if v not in (None, [], ())}
    label = period_label(start, end)
    if (set(dims) - _COMPARABLE_DIMS) or (filters - _COMPARABLE_DIMS) or (label is None and "year" not in out.columns):
        return _beside_types(out)
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    table = pub.table[pub.table["indicator"] == indicator]
    lookup: dict = {}
    for r, p, v, s, src, hidden in zip(table["region_code"], table["period"], table["value"], table["status"],
                                       table["source"], table["suppressed"]):
        # the first source wins when several publish the same figure (the table is sorted by source)
        lookup.setdefault((None if pd.isna(r) else str(r), str(p)), (v, s, src, bool(hidden)))
    tol = TOLERANCES.get(indicator)
    for i in out.index:
        region = str(out.at[i, "region"]) if "region" in out.columns and not pd.isna(out.at[i, "region"]) else None
        if "region" in out.columns and region is None:
            continue
        if "year" in out.columns:
            if pd.isna(out.at[i, "year"]):
                continue
            period = str(out.at[i, "year"])
            year = int(period)
            if date(year, 1, 1) < first or date(year, 12, 31) > last:
                continue  # the group holds only part of its year
        else:
            period = label
        hit = lookup.get((region, period))
        if hit is None:
            continue
        value, status, source, _hidden = hit
        out.at[i, "published_value"] = value
        out.at[i, "published_status"] = status
        out.at[i, "published_source"] = source
        if bool(out.at[i, "suppressed"]) or pd.isna(value) or pd.isna(out.at[i, "value"]):
            continue
        diff = float(out.at[i, "value"]) - float(value)
        out.at[i, "difference_pp"] = diff
        if tol is not None:
            limit = tol.for_denominator(out.at[i, "denominator"])
            out.at[i, "tolerance_pp"] = limit
            out.at[i, "exceeds_tolerance"] = abs(diff) > limit + 1e-9
    return _beside_types(out)


def _beside_types(out: pd.DataFrame) -> pd.DataFrame:
    for col in ("published_value", "difference_pp", "tolerance_pp"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Float64")
    for col in ("published_status", "published_source"):
        out[col] = out[col].astype("string")
    out["exceeds_tolerance"] = out["exceeds_tolerance"].astype("boolean")
    return out
