"""The tables of an extract set, as data-contract.md §1–3 defines them.

Column types are the contract's logical types (`text`, `date`, `int`, `bool`, and `double` for the
published figures of §9.3); `loader.py` maps them onto Parquet/DuckDB types. Nothing here touches
data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # 'text' | 'date' | 'int' | 'bool' | 'double'
    nullable: bool = False


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


REFERENCE_TABLES: dict[str, tuple[Column, ...]] = {
    "regions": _cols(
        ("region_code", "text"), ("region_name", "text"), ("healthcare_region", "text"), ("rcc", "text")
    ),
    "svf_pathways": _cols(("svf_code", "text"), ("svf_name", "text"), ("icd10_prefixes", "text", True)),
    "svf_lead_time_targets": _cols(
        ("svf_code", "text"),
        ("treatment_type", "text"),
        ("extended_workup", "bool"),
        ("target_days", "int"),
        ("valid_from", "date"),
        ("status", "text"),
        ("source", "text", True),
    ),
    "registers": _cols(
        ("register_code", "text"),
        ("register_name", "text"),
        ("icd10_prefixes", "text"),
        ("coverage_target_low", "int", True),
        ("coverage_target_high", "int", True),
    ),
    "quality_indicators": _cols(
        ("indicator_code", "text"),
        ("register_code", "text"),
        ("name_sv", "text"),
        ("direction", "text"),
        ("target_low", "int", True),
        ("target_high", "int", True),
    ),
    # data-contract.md §9.1: KVÅ pathway prefix (e.g. 'VG9') -> pathway; read by `import svf-events`
    "svf_kva_prefixes": _cols(("svf_code", "text"), ("kva_prefix", "text")),
    # data-contract.md §9.4: the units that report to the registers (the `hospital` dimension's names)
    "hospitals": _cols(("hospital_code", "text"), ("hospital_name", "text"), ("region_code", "text")),
}

# Reference tables no indicator needs: a set without them (bundled or its own) loads without error.
OPTIONAL_REFERENCE_TABLES = ("svf_kva_prefixes", "hospitals")

EXTRACT_TABLES: dict[str, tuple[Column, ...]] = {
    "cancer_cases": _cols(
        ("case_id", "text"),
        ("person_id", "text"),
        ("region_code", "text"),
        ("diagnosis_date", "date"),
        ("icd10", "text"),
        ("sex", "text"),
        ("age", "int"),
    ),
    "svf_episodes": _cols(
        ("episode_id", "text"),
        ("person_id", "text"),
        ("region_code", "text"),
        ("home_region_code", "text", True),
        ("svf_code", "text"),
        ("start_date", "date"),
        ("end_date", "date", True),
        ("end_code", "text", True),
        ("extended_workup", "bool"),
        ("sex", "text"),
        ("age", "int"),
    ),
    "register_cases": _cols(
        ("registration_id", "text"),
        ("register_code", "text"),
        ("case_id", "text", True),
        ("region_code", "text"),
        ("hospital_code", "text"),
        ("diagnosis_date", "date"),
        ("registered_date", "date"),
    ),
    "indicator_outcomes": _cols(
        ("registration_id", "text"), ("indicator_code", "text"), ("met", "bool", True)
    ),
    "drug_treatments": _cols(
        ("treatment_id", "text"),
        ("region_code", "text"),
        ("start_date", "date"),
        ("substance", "text"),
        ("icd10", "text"),
        ("in_rcl", "bool"),
        ("direct_transfer", "bool", True),
    ),
    "population": _cols(
        ("region_code", "text"), ("year", "int"), ("sex", "text"), ("age_group", "text"), ("population", "int")
    ),
}

# Extract tables an extract set may leave out without being incomplete (data-contract.md §9.3).
# When `published_figures` is missing, the project's bundled Kolada figures stand in for it
# (indicators.published).
OPTIONAL_EXTRACT_TABLES: dict[str, tuple[Column, ...]] = {
    "published_figures": _cols(
        ("source", "text"),
        ("source_id", "text"),
        ("indicator", "text"),
        ("region_code", "text", True),
        ("period", "text"),
        ("value", "double", True),
        ("numerator", "int", True),
        ("denominator", "int", True),
        ("status", "text", True),
    ),
}

ALL_TABLES: dict[str, tuple[Column, ...]] = {**REFERENCE_TABLES, **EXTRACT_TABLES, **OPTIONAL_EXTRACT_TABLES}

# The unique id of each extract table (contract §3 "unique"); duplicates are left out, every copy.
UNIQUE_ID: dict[str, str] = {
    "cancer_cases": "case_id",
    "svf_episodes": "episode_id",
    "register_cases": "registration_id",
    "drug_treatments": "treatment_id",
}

# End codes (contract §3) and the treatment type each one means.
END_CODE_TREATMENT: dict[str, str | None] = {
    "50": "surgery",
    "52": "drug",
    "54": "radiotherapy",
    "58": "palliative",
    "59": "other",
    "60": "expectancy",
    "73": "no_further_action",
    "70": None,
    "72": None,
    "74": None,
    "76": None,
    "78": None,
}
TREATMENT_TYPES = ("surgery", "drug", "radiotherapy", "palliative", "other", "expectancy", "no_further_action")
TREATMENT_START_TYPES = TREATMENT_TYPES[:6]
TARGET_TREATMENT_TYPES = ("any",) + TREATMENT_TYPES
AGE_GROUPS = ("00-39", "40-49", "50-59", "60-69", "70-79", "80+")
SEXES = ("M", "K")
HEALTHCARE_REGIONS = ("Stockholm-Gotland", "Mellansverige", "Sydöstra", "Södra", "Västra", "Norra")

EARLIEST_DATE = "1958-01-01"  # the Cancer Register starts in 1958 (contract §4)
