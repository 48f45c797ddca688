"""Swedish text for everything the dashboard prints: numbers, percentages, days, dates, periods,
the label vocabularies (treatment types, sex, levels, table names, dimensions) and file-name slugs.

The one place for this: views, charts, exports and pages all format through here, so a number or
a word reads the same on screen, in an image, a table and a slide. Pure functions, no Streamlit.
Conventions: decimal comma, a non-breaking space as thousands separator and before "%"
("72,4 %", "1 234"), an en dash for a missing value, "otillräckligt underlag" for a group with
too few cases (never 0 or a blank), "inga fall" for a unit without any.

Data-derived text that leaves the program (spreadsheets, plotly markup, terminals) goes through
`textfmt.safe` first.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

NBSP = "\u00a0"
MISSING = "–"
SUPPRESSED = "otillräckligt underlag"
# a group hidden only so that a small group beside it cannot be computed from the totals
SUPPRESSED_SECONDARY = "dold så att en liten grupp inte kan räknas fram"
SUPPRESSED_SECONDARY_SHORT = "dold (skyddar en liten grupp)"
NO_CASES = "inga fall"
RIKET = "Riket"
PROVISIONAL = "preliminärt"
PROVISIONAL_NOTE = "preliminära uppgifter (perioden är inte färdigrapporterad)"

# Engine target_level → Swedish (rccShiny's wording for the two levels).
TARGET_LEVEL_LABELS = {
    "high": "Hög målnivå uppnådd",
    "low": "Låg målnivå uppnådd",
    "none": "Målnivå ej uppnådd",
}
NO_TARGET_LABEL = "Ingen målnivå"

# stats.target_status_ci → Swedish (Fingertips' CI rule, peers §2.3).
CI_STATUS_LABELS = {
    "met": "säkert uppfyllt",
    "not_met": "säkert ej uppfyllt",
    "uncertain": "osäkert (intervallet omfattar målnivån)",
}

TREATMENT_LABELS = {
    "surgery": "Kirurgi",
    "drug": "Läkemedel",
    "radiotherapy": "Strålbehandling",
    "palliative": "Palliativ behandling",
    "other": "Annan behandling",
    "expectancy": "Exspektans (aktiv monitorering)",
    "no_further_action": "Ingen ytterligare åtgärd",
    "any": "Alla behandlingstyper",
}
SEX_LABELS = {"M": "Män", "K": "Kvinnor"}
# Extract and reference tables (data contract) → Swedish names for the data status.
TABLE_LABELS = {
    "cancer_cases": "Cancerregistret – tumörer",
    "svf_episodes": "SVF-förlopp",
    "register_cases": "Kvalitetsregister – registreringar",
    "indicator_outcomes": "Indikatorutfall",
    "drug_treatments": "Läkemedelsstarter (RCL)",
    "population": "Folkmängd",
    "regions": "Regioner",
    "svf_pathways": "SVF-förlopp (referens)",
    "svf_lead_time_targets": "Ledtidsgränser",
    "registers": "Register",
    "quality_indicators": "Kvalitetsindikatorer",
    "published_figures": "Publicerad statistik",
    "hospitals": "Sjukhus",
    "svf_kva_prefixes": "SVF-koder (KVÅ-prefix)",
}
GRAIN_LABELS = {"year": "År", "quarter": "Kvartal", "month": "Månad"}
LEVEL_LABELS = {"riket": "Riket", "healthcare_region": "Sjukvårdsregion", "region": "Region"}
LEVEL_PLURAL = {"riket": "riket", "healthcare_region": "sjukvårdsregioner", "region": "regioner"}
MONTHS_SV = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
MONTHS_SV_LONG = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
                  "oktober", "november", "december"]


def is_missing(value) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value, decimals: int = 0) -> str:
    """'1 234', '12,5' (non-breaking space thousands, decimal comma); '–' when missing."""
    if is_missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return MISSING
    text = f"{value:,.{decimals}f}"  # '1,234.5'
    return text.replace(",", NBSP).replace(".", ",")


def pct(value, decimals: int = 1) -> str:
    """A value already in percent (0–100) → '72,4 %'; '–' when missing."""
    if is_missing(value):
        return MISSING
    return f"{number(value, decimals)}{NBSP}%"


def target_pct(value) -> str:
    """A target level in percent without decimals: 70 → '70 %'."""
    if is_missing(value):
        return MISSING
    v = float(value)
    return f"{number(v, 0 if v == int(v) else 1)}{NBSP}%"


def days(value, decimals: int = 0) -> str:
    """'34 dagar' ('1 dag')."""
    if is_missing(value):
        return MISSING
    v = float(value)
    unit = "dag" if v == 1 and decimals == 0 else "dagar"
    return f"{number(v, decimals)} {unit}"


def count(value) -> str:
    """A whole count: '1 234'; '–' when missing."""
    return number(value, 0)


def n_text(numerator=None, denominator=None) -> str:
    """'123 av 456' when both are known, else 'n = 456'; '' when the denominator is missing."""
    if is_missing(denominator):
        return ""
    if not is_missing(numerator):
        return f"{count(numerator)} av {count(denominator)}"
    return f"n = {count(denominator)}"


def value_text(value, unit: str = "procent", decimals: int | None = None) -> str:
    """A value in an indicator's unit ('procent', 'dagar', 'per 100 000')."""
    if unit == "procent":
        return pct(value, 1 if decimals is None else decimals)
    if unit == "dagar":
        return days(value, 0 if decimals is None else decimals)
    if unit == "per 100 000":
        return f"{number(value, 1 if decimals is None else decimals)} per 100{NBSP}000"
    if unit == "antal":
        return count(value)
    return number(value, 1 if decimals is None else decimals)


def interval_text(low, high, unit: str = "procent") -> str:
    """'95 % KI 68,1–74,0 %' (or days); '' when the interval is missing."""
    if is_missing(low) or is_missing(high):
        return ""
    if unit == "procent":
        return f"95{NBSP}% KI {number(low, 1)}–{number(high, 1)}{NBSP}%"
    if unit == "dagar":
        return f"95{NBSP}% KI {number(low, 0)}–{number(high, 0)} dagar"
    return f"95{NBSP}% KI {number(low, 1)}–{number(high, 1)}"


def table_label(table) -> str:
    """Swedish name of an extract/reference table ('cancer_cases' → 'Cancerregistret – tumörer');
    an unknown name is returned as it is."""
    if is_missing(table):
        return MISSING
    return TABLE_LABELS.get(str(table), str(table))


def target_level_text(level) -> str:
    if is_missing(level):
        return NO_TARGET_LABEL
    return TARGET_LEVEL_LABELS.get(str(level), NO_TARGET_LABEL)


def targets_text(target_low, target_high, direction: str = "higher") -> str:
    """'mål 80 %' or 'låg målnivå 60 %, hög 70 %'; '' when there is no target."""
    sign = "≤" if direction == "lower" else "≥"
    if is_missing(target_low) and is_missing(target_high):
        return ""
    if is_missing(target_low):
        return f"målnivå {sign} {target_pct(target_high)}"
    if is_missing(target_high):
        return f"målnivå {sign} {target_pct(target_low)}"
    return f"låg målnivå {target_pct(target_low)}, hög {target_pct(target_high)}"


def treatment_label(code) -> str:
    return TREATMENT_LABELS.get(str(code), str(code)) if not is_missing(code) else "Uppgift saknas"


def sex_label(code) -> str:
    return SEX_LABELS.get(str(code), str(code)) if not is_missing(code) else "Uppgift saknas"


def period_label(dimension: str, label) -> str:
    """A period label for axes: '2024', '2024 kv 1', 'jan 2024'."""
    if is_missing(label):
        return MISSING
    text = str(label)
    if dimension == "quarter" and "-Q" in text:
        year, q = text.split("-Q")
        return f"{year} kv{NBSP}{q}"
    if dimension == "month" and len(text) == 7 and text[4] == "-":
        return f"{MONTHS_SV[int(text[5:7]) - 1]} {text[:4]}"
    return text


def month_label(ym: str, long: bool = False) -> str:
    """'2024-03' → 'mar 2024' (or 'mars 2024')."""
    names = MONTHS_SV_LONG if long else MONTHS_SV
    return f"{names[int(ym[5:7]) - 1]} {ym[:4]}"


def date_text(d: date | None) -> str:
    """'15 januari 2026'."""
    if d is None:
        return MISSING
    return f"{d.day} {MONTHS_SV_LONG[d.month - 1]} {d.year}"


def period_text(start: date, end: date) -> str:
    """'2024', 'jan–jun 2024', 'jan 2023 – dec 2024' (from indicators.periods)."""
    from indicators.periods import format_period_sv

    return format_period_sv(start, end)


def join_names(names, limit: int = 4) -> str:
    """'Stockholm, Uppsala och 3 till'."""
    names = [str(n) for n in names]
    if len(names) <= limit:
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " och " + names[-1]
    return ", ".join(names[:limit]) + f" och {len(names) - limit} till"


_SV_ORDER = str.maketrans({"Å": "Z\u0001", "Ä": "Z\u0002", "Ö": "Z\u0003", "å": "z\u0001", "ä": "z\u0002",
                           "ö": "z\u0003", "É": "E", "é": "e"})


def sv_sort_key(text) -> str:
    """Sort key for Swedish alphabetical order (… x y z å ä ö)."""
    return str(text).translate(_SV_ORDER).casefold()


# -- vocabularies shared by titles, tables and files ----------------------------------------------

DIMENSION_LABELS = {
    "region": "Region",
    "healthcare_region": "Sjukvårdsregion",
    "svf_code": "SVF-förlopp",
    "treatment_type": "Behandlingstyp",
    "sex": "Kön",
    "register": "Register",
    "substance": "Substans",
    "hospital": "Sjukhus",
    "year": "År",
    "quarter": "Kvartal",
    "month": "Månad",
}
# "per region", "per sjukvårdsregion": chart titles at a comparison level
LEVEL_WORD = {"region": "region", "healthcare_region": "sjukvårdsregion", "riket": "riket"}
GRAIN_WORD = {"year": "år", "quarter": "kvartal", "month": "månad"}
TARGET_LEVEL_SHORT = {"high": "Hög målnivå", "low": "Låg målnivå", "none": "Ej uppnådd"}


def iso_date(d) -> str:
    """'2026-01-15' (a date, datetime or ISO text); 'okänt' when missing."""
    from datetime import datetime

    if d is None or d == "" or is_missing(d):
        return "okänt"
    if isinstance(d, datetime):
        d = d.date()
    return d.isoformat() if isinstance(d, date) else str(d)


def short_date(d) -> str:
    """'31 dec 2025'; '' when missing."""
    if d is None or is_missing(d):
        return ""
    d = pd.Timestamp(d).date()
    return f"{d.day} {MONTHS_SV[d.month - 1]} {d.year}"


def period_labels(grain: str, lo: date, hi: date) -> list[str]:
    """Every engine period label ('2024', '2024-Q1', '2024-01') from the period holding `lo` to the
    one holding `hi`, in order; only labels whose whole period starts on or after `lo`."""
    from indicators.periods import label_range

    out: list[str] = []
    y, m = lo.year, lo.month
    while (y, m) <= (hi.year, hi.month):
        lab = f"{y:04d}" if grain == "year" else f"{y:04d}-Q{(m - 1) // 3 + 1}" if grain == "quarter" \
            else f"{y:04d}-{m:02d}"
        if not out or out[-1] != lab:
            out.append(lab)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return [lab for lab in out if label_range(grain, lab)[0] >= lo]


def slug(text, max_len: int = 60) -> str:
    """A file-name and key friendly version of a title, ASCII only:
    'Andel behandlade inom ledtid – Bröst' → 'andel_behandlade_inom_ledtid_brost'."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return (text[:max_len].rstrip("_")) or "indikatorpanelen"


def capitalize(text: str) -> str:
    """First letter upper-cased, the rest as it is ('riket' → 'Riket')."""
    return text[:1].upper() + text[1:] if text else text


def missing_text(row) -> str | None:
    """Why a row shows no value: 'inga fall', 'otillräckligt underlag', the complementary
    suppression's short text; None when the row has a value."""
    if bool(row.get("no_cases", False)) and not bool(row.get("suppressed", False)):
        return NO_CASES
    if row.get("hidden") == "secondary":
        return SUPPRESSED_SECONDARY_SHORT
    if bool(row.get("suppressed", False)) or is_missing(row.get("value")):
        return SUPPRESSED
    return None


# Contract column names → the words a reader of the data status understands
COLUMN_WORDS = {
    "case_id": "tumör-id", "person_id": "person-id", "episode_id": "förlopps-id",
    "registration_id": "registrerings-id", "treatment_id": "behandlings-id", "region_code": "regionkod",
    "home_region_code": "hemregion", "svf_code": "förlopp", "register_code": "register",
    "indicator_code": "indikatorkod", "hospital_code": "sjukhuskod", "diagnosis_date": "diagnosdatum",
    "registered_date": "registreringsdatum", "start_date": "startdatum", "end_date": "slutdatum",
    "end_code": "avslutskod", "extended_workup": "utökad utredning", "icd10": "ICD-10-kod", "sex": "kön",
    "age": "ålder", "in_rcl": "registrerad i RCL", "direct_transfer": "direktöverföring", "met": "utfall",
    "substance": "substans", "population": "folkmängd", "age_group": "åldersgrupp", "year": "år",
}


def plain_reason(text) -> str:
    """A validation reason with contract column names in words ('end_date före start_date' →
    'slutdatum före startdatum')."""
    import re

    def word(m):
        w = m.group(0)
        return COLUMN_WORDS.get(w) or (TABLE_LABELS[w].lower() if w in TABLE_LABELS else w)

    return re.sub(r"\b[a-z][a-z0-9_]*\b", word, str(text))
