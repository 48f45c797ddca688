"""Swedish number and label formatting for everything the dashboard prints.

Pure functions, no Streamlit import: the export code (export/) and the tests use them too.
Conventions: decimal comma, a non-breaking space as thousands separator and before "%"
("72,4 %", "1 234"), an en dash for a missing value, and "otillräckligt underlag" for a
suppressed group (never 0 or a blank).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

NBSP = "\u00a0"
MISSING = "–"
SUPPRESSED = "otillräckligt underlag"
RIKET = "Riket"
PROVISIONAL = "preliminärt"

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
    "svf_kva_prefixes": "KVÅ-prefix för SVF",
    "hospitals": "Sjukhus",
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
