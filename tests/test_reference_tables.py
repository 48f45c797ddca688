"""The bundled reference tables in data/reference/ keep the rules of data-contract.md §2.

Every CSV is read as text (dtype=str, keep_default_na=False), the way the contract says a
reference CSV is read before casting, so an empty field is the empty string here.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

REF = Path(__file__).resolve().parents[1] / "data" / "reference"

SCB_CODES = [
    "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
    "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
]
HEALTHCARE_REGIONS = {"Stockholm-Gotland", "Mellansverige", "Sydöstra", "Södra", "Västra", "Norra"}
RCCS = {"RCC Stockholm Gotland", "RCC Mellansverige", "RCC Sydöst", "RCC Syd", "RCC Väst", "RCC Norr"}
SVF_CODES = [
    "brost", "prostata", "kolorektal", "lunga", "melanom", "matstrupe_magsack", "urinblasa",
    "bukspottkortel", "aggstock", "vulva", "lymfom_kll", "akut_leukemi", "myelom", "lever",
    "huvud_hals", "aos", "njure", "livmoderhals", "livmoderkropp", "gallvagar", "hjarntumor",
    "skoldkortel", "testikel", "penis", "anal", "sarkom", "buksarkom", "net", "cup", "mpn",
]
TREATMENT_TYPES = {"surgery", "drug", "radiotherapy", "palliative", "other", "expectancy", "no_further_action"}
TARGET_TREATMENT_TYPES = TREATMENT_TYPES | {"any"}
PREFIX_RE = re.compile(r"^[A-Z][0-9]{2}[0-9A-Z]*$")

REQUIRED = {
    "regions": ["region_code", "region_name", "healthcare_region", "rcc"],
    "svf_pathways": ["svf_code", "svf_name", "icd10_prefixes"],
    "svf_lead_time_targets": [
        "svf_code", "treatment_type", "extended_workup", "target_days", "valid_from", "status", "source",
    ],
    "registers": ["register_code", "register_name", "icd10_prefixes", "coverage_target_low", "coverage_target_high"],
    "quality_indicators": ["indicator_code", "register_code", "name_sv", "direction", "target_low", "target_high"],
    "svf_kva_prefixes": ["svf_code", "kva_prefix", "status", "source"],
    "hospitals": ["hospital_code", "hospital_name", "region_code", "status", "source"],
}


def read(table: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{table}.csv", dtype=str, keep_default_na=False, encoding="utf-8")


def prefixes(field: str) -> list[str]:
    return [p for p in field.split(";") if p != ""]


def pathway_of(icd10: str, pathways: pd.DataFrame) -> str | None:
    """Contract §2: the pathway whose prefix is the longest prefix of the code (dots removed)."""
    code = icd10.replace(".", "").strip().upper()
    best, best_len = None, -1
    for svf_code, field in zip(pathways["svf_code"], pathways["icd10_prefixes"]):
        for p in prefixes(field):
            if code.startswith(p) and len(p) > best_len:
                best, best_len = svf_code, len(p)
    return best


def target_of(targets: pd.DataFrame, svf_code: str, treatment: str, extended: bool, start: date) -> int | None:
    """Contract §2: the four lookup rules, latest valid_from within the first rule that finds rows."""
    t = targets[(targets["svf_code"] == svf_code) & (targets["valid_from"] <= start.isoformat())]
    flag = "true" if extended else "false"
    rules = [(treatment, flag), ("any", flag), (treatment, "false"), ("any", "false")]
    for tt, ext in rules:
        if tt == "any" and treatment == "no_further_action":
            continue
        rows = t[(t["treatment_type"] == tt) & (t["extended_workup"] == ext)]
        if len(rows):
            return int(rows.sort_values("valid_from").iloc[-1]["target_days"])
    return None


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return read("regions")


@pytest.fixture(scope="module")
def pathways() -> pd.DataFrame:
    return read("svf_pathways")


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return read("svf_lead_time_targets")


@pytest.fixture(scope="module")
def registers() -> pd.DataFrame:
    return read("registers")


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return read("quality_indicators")


@pytest.mark.parametrize("table", sorted(REQUIRED))
def test_every_table_has_the_contract_columns_in_order(table):
    df = read(table)
    assert list(df.columns[: len(REQUIRED[table])]) == REQUIRED[table]


@pytest.mark.parametrize("table", sorted(REQUIRED))
def test_no_field_has_surrounding_whitespace(table):
    df = read(table)
    for col in df.columns:
        assert (df[col] == df[col].str.strip()).all(), (table, col)


# ---------------------------------------------------------------- regions


def test_regions_are_the_21_scb_counties_with_unique_two_digit_codes(regions):
    assert len(regions) == 21
    assert regions["region_code"].is_unique
    assert regions["region_code"].str.fullmatch(r"\d{2}").all()
    assert sorted(regions["region_code"]) == SCB_CODES
    assert regions["region_name"].is_unique
    assert (regions["region_name"] != "").all()


def test_regions_fall_into_the_six_healthcare_regions_and_rccs(regions):
    assert set(regions["healthcare_region"]) == HEALTHCARE_REGIONS
    assert set(regions["rcc"]) == RCCS


def test_healthcare_region_and_rcc_agree(regions):
    pairs = set(zip(regions["healthcare_region"], regions["rcc"]))
    assert pairs == {
        ("Stockholm-Gotland", "RCC Stockholm Gotland"),
        ("Mellansverige", "RCC Mellansverige"),
        ("Sydöstra", "RCC Sydöst"),
        ("Södra", "RCC Syd"),
        ("Västra", "RCC Väst"),
        ("Norra", "RCC Norr"),
    }


def test_halland_is_sodra_and_kronoberg_is_not_sydostra(regions):
    by_code = regions.set_index("region_code")
    assert by_code.loc["13", "region_name"] == "Halland"
    assert by_code.loc["13", "healthcare_region"] == "Södra"
    assert by_code.loc["13", "rcc"] == "RCC Syd"
    assert by_code.loc["07", "healthcare_region"] == "Södra"
    assert by_code.loc["01", "region_name"] == "Stockholm"
    assert by_code.loc["25", "region_name"] == "Norrbotten"


def test_population_2024_is_a_positive_integer_and_stockholm_is_sourced(regions):
    assert regions["population_2024"].str.fullmatch(r"[1-9]\d*").all()
    assert regions.set_index("region_code").loc["01", "population_2024"] == "2473307"
    total = regions["population_2024"].astype(int).sum()
    assert abs(total - 10_587_710) / 10_587_710 < 0.02  # others are approximate (domain.md §3)


# ---------------------------------------------------------------- svf_pathways


def test_pathways_are_exactly_the_agreed_slugs(pathways):
    assert pathways["svf_code"].is_unique
    assert list(pathways["svf_code"]) == SVF_CODES
    assert pathways["svf_code"].str.fullmatch(r"[a-z_]+").all()
    assert (pathways["svf_name"] != "").all()


def test_prefixes_are_dotless_and_only_aos_has_none(pathways):
    for code, field in zip(pathways["svf_code"], pathways["icd10_prefixes"]):
        ps = prefixes(field)
        if code == "aos":
            assert ps == []
        else:
            assert ps, code
            assert field == ";".join(ps), code  # no empty items or stray separators
            for p in ps:
                assert PREFIX_RE.fullmatch(p), (code, p)


def test_no_prefix_is_listed_for_two_pathways(pathways):
    seen: dict[str, str] = {}
    for code, field in zip(pathways["svf_code"], pathways["icd10_prefixes"]):
        for p in prefixes(field):
            assert p not in seen, f"{p} in both {seen[p]} and {code}"
            seen[p] = code


@pytest.mark.parametrize(
    ("icd10", "expected"),
    [
        ("C50.9", "brost"),
        ("D05.1", "brost"),
        ("C61.9", "prostata"),
        ("C18.7", "kolorektal"),
        ("C20.9", "kolorektal"),
        ("C19.9", None),  # not used by the colorectal pathway
        ("C67.9", "urinblasa"),
        ("C25.0", "bukspottkortel"),
        ("C25.4", "net"),  # longest prefix: C254 beats C25
        ("C48.1", "aggstock"),
        ("C48.0", "buksarkom"),
        ("C49.4", "buksarkom"),
        ("C49.2", "sarkom"),
        ("C77.0", "huvud_hals"),
        ("C77.2", "cup"),
        ("C91.1", "lymfom_kll"),
        ("C91.0", "akut_leukemi"),
        ("C92.0A", "akut_leukemi"),
        ("C92.1", None),
        ("C82.6", None),  # cutaneous follicle centre lymphoma is outside the lymphoma scope
        ("C86.6", None),
        ("C90.0", "myelom"),
        ("C22.0", "lever"),
        ("C22.3", None),
        ("D47.1", "mpn"),
        (" c34.1 ", "lunga"),
    ],
)
def test_longest_prefix_puts_codes_in_the_right_pathway(pathways, icd10, expected):
    assert pathway_of(icd10, pathways) == expected


def test_extended_workup_applies_is_boolean_and_matches_target_rows(pathways, targets):
    assert set(pathways["extended_workup_applies"]) <= {"true", "false"}
    with_ext = set(pathways.loc[pathways["extended_workup_applies"] == "true", "svf_code"])
    assert with_ext == {"kolorektal", "bukspottkortel", "lever", "njure"}
    assert set(targets.loc[targets["extended_workup"] == "true", "svf_code"]) == with_ext


# ---------------------------------------------------------------- svf_lead_time_targets


def test_target_columns_have_valid_values(targets, pathways):
    assert set(targets["svf_code"]) <= set(pathways["svf_code"])
    assert set(targets["treatment_type"]) <= TARGET_TREATMENT_TYPES
    assert set(targets["extended_workup"]) <= {"true", "false"}
    assert targets["target_days"].str.fullmatch(r"[1-9]\d*").all()
    for d in targets["valid_from"]:
        assert date.fromisoformat(d).isoformat() == d
    assert (targets["source"] != "").all()


def test_target_statuses_are_only_sourced_or_placeholder(targets):
    assert set(targets["status"]) == {"sourced", "placeholder"}
    placeholders = targets[targets["status"] == "placeholder"]
    assert placeholders["source"].str.startswith("PLACEHOLDER").all()
    assert not targets.loc[targets["status"] == "sourced", "source"].str.contains("PLACEHOLDER").any()


def test_target_key_is_unique(targets):
    key = ["svf_code", "treatment_type", "extended_workup", "valid_from"]
    dupes = targets[targets.duplicated(key, keep=False)]
    assert dupes.empty, dupes


def test_every_pathway_has_a_target_row(targets):
    for code in SVF_CODES:
        assert (targets["svf_code"] == code).any(), code


def test_aos_has_22_days_for_any(targets):
    aos = targets[targets["svf_code"] == "aos"]
    assert list(zip(aos["treatment_type"], aos["target_days"], aos["status"])) == [("any", "22", "sourced")]


def test_urinblasa_has_the_2018_rows_and_the_2024_rows_five_days_longer(targets):
    u = targets[targets["svf_code"] == "urinblasa"]
    old = u[u["valid_from"] == "2018-02-01"].set_index("treatment_type")
    new = u[u["valid_from"] == "2024-05-14"].set_index("treatment_type")
    expected_old = {"no_further_action": 22, "surgery": 37, "drug": 39, "radiotherapy": 43}
    assert {k: int(v) for k, v in old["target_days"].items()} == expected_old
    assert set(new.index) == set(old.index)
    for tt in old.index:
        assert int(new.loc[tt, "target_days"]) == int(old.loc[tt, "target_days"]) + 5, tt
    assert {tt: new.loc[tt, "status"] for tt in new.index} == {
        "surgery": "sourced", "drug": "sourced", "radiotherapy": "sourced", "no_further_action": "placeholder",
    }
    assert set(u["valid_from"]) == {"2018-02-01", "2024-05-14"}


def test_akut_leukemi_goes_from_6_to_9_days_on_2018_10_30(targets):
    assert target_of(targets, "akut_leukemi", "drug", False, date(2018, 10, 29)) == 6
    assert target_of(targets, "akut_leukemi", "drug", False, date(2018, 10, 30)) == 9
    assert target_of(targets, "akut_leukemi", "palliative", False, date(2024, 1, 1)) == 9


@pytest.mark.parametrize(
    ("svf_code", "treatment", "extended", "start", "expected"),
    [
        ("brost", "surgery", False, date(2024, 3, 1), 28),
        ("brost", "no_further_action", False, date(2024, 3, 1), None),  # 'any' never covers '73'
        ("prostata", "surgery", False, date(2024, 3, 1), 61),
        ("prostata", "radiotherapy", False, date(2024, 3, 1), 68),
        ("prostata", "expectancy", False, date(2024, 3, 1), 47),
        ("kolorektal", "surgery", False, date(2024, 3, 1), 39),
        ("kolorektal", "surgery", True, date(2024, 3, 1), 53),
        ("kolorektal", "palliative", True, date(2024, 3, 1), 39),
        ("kolorektal", "no_further_action", True, date(2024, 3, 1), 25),  # rule 3
        ("kolorektal", "surgery", False, date(2018, 10, 29), None),  # before the page's adoption
        ("urinblasa", "surgery", False, date(2024, 5, 13), 37),
        ("urinblasa", "surgery", False, date(2024, 5, 14), 42),
        ("urinblasa", "no_further_action", False, date(2024, 6, 1), 27),
        ("bukspottkortel", "drug", True, date(2024, 3, 1), 36),
        ("bukspottkortel", "palliative", True, date(2024, 3, 1), 22),  # rule 3
        ("lever", "expectancy", True, date(2024, 3, 1), 29),
        ("lever", "expectancy", False, date(2024, 3, 1), 22),
        ("njure", "surgery", True, date(2024, 3, 1), 50),
        ("myelom", "palliative", False, date(2024, 3, 1), 15),
        ("myelom", "drug", False, date(2024, 3, 1), 21),
        ("melanom", "no_further_action", False, date(2024, 3, 1), 26),
        ("melanom", "surgery", False, date(2024, 3, 1), 33),
        ("aggstock", "surgery", False, date(2024, 3, 1), 24),
        ("huvud_hals", "palliative", False, date(2024, 3, 1), 18),
    ],
)
def test_lookup_rules_give_the_domain_figures(targets, svf_code, treatment, extended, start, expected):
    assert target_of(targets, svf_code, treatment, extended, start) == expected


def test_sourced_figures_from_domain_md(targets):
    def days(code, tt, ext="false"):
        rows = targets[(targets["svf_code"] == code) & (targets["treatment_type"] == tt) & (targets["extended_workup"] == ext)]
        return sorted(int(d) for d in rows["target_days"])

    assert days("matstrupe_magsack", "drug") == [31]
    assert days("vulva", "palliative") == [20]
    assert days("lymfom_kll", "drug") == [18]
    assert days("lymfom_kll", "expectancy") == [16]
    assert days("bukspottkortel", "surgery", "true") == [43]


# ---------------------------------------------------------------- registers


def test_registers_have_codes_names_prefixes_and_a_coverage_target(registers):
    assert len(registers) >= 8
    assert registers["register_code"].is_unique
    assert registers["register_code"].str.fullmatch(r"[a-z_0-9]+").all()
    assert (registers["register_name"] != "").all()
    for code, field, low, high in zip(
        registers["register_code"],
        registers["icd10_prefixes"],
        registers["coverage_target_low"],
        registers["coverage_target_high"],
    ):
        ps = prefixes(field)
        assert ps, code
        assert len(ps) == len(set(ps)), code
        assert all(PREFIX_RE.fullmatch(p) for p in ps), code
        assert low != "" or high != "", code
        for v in (low, high):
            assert v == "" or (v.isdigit() and 0 <= int(v) <= 100), (code, v)
        if low and high:
            assert int(low) <= int(high), code
        if low:
            assert high, f"{code}: a single level belongs in coverage_target_high"


def test_register_targets_from_domain_md(registers):
    r = registers.set_index("register_code")
    assert (r.loc["nkbc", "coverage_target_low"], r.loc["nkbc", "coverage_target_high"]) == ("95", "99")
    assert (r.loc["swehncr", "coverage_target_low"], r.loc["swehncr", "coverage_target_high"]) == ("", "97")
    assert r.loc["njure", "coverage_target_high"] == "99"
    assert r.loc["nkbc", "icd10_prefixes"] == "C50;D05"
    assert set(r["target_status"]) <= {"sourced", "placeholder"}
    for code in ["nkbc", "npcr", "scrcr", "nlcr", "melanom", "swehncr", "lymfom", "njure", "skoldkortel", "swelivr", "penis", "urinblasa"]:
        assert code in r.index, code


# ---------------------------------------------------------------- quality_indicators


def test_quality_indicators_cover_enough_registers(indicators, registers):
    assert len(indicators) >= 20
    assert indicators["register_code"].nunique() >= 5
    assert set(indicators["register_code"]) <= set(registers["register_code"])


def test_quality_indicator_codes_and_texts(indicators):
    assert indicators["indicator_code"].is_unique
    assert indicators["indicator_code"].str.fullmatch(r"[a-z]+[0-9]+").all()
    for code, reg in zip(indicators["indicator_code"], indicators["register_code"]):
        assert code.startswith(reg), code
    assert (indicators["name_sv"] != "").all()
    assert (indicators["description_sv"] != "").all()
    assert set(indicators["target_status"]) <= {"sourced", "placeholder"}


def test_quality_indicator_directions_and_target_order(indicators):
    assert set(indicators["direction"]) <= {"higher", "lower"}
    for code, direction, low, high in zip(
        indicators["indicator_code"], indicators["direction"], indicators["target_low"], indicators["target_high"]
    ):
        for v in (low, high):
            assert v == "" or (v.isdigit() and 0 <= int(v) <= 100), (code, v)
        if low:
            assert high, f"{code}: a single level belongs in target_high"
        if low and high:
            if direction == "higher":
                assert int(low) <= int(high), code
            else:
                assert int(low) >= int(high), code


def test_quality_indicator_targets_from_domain_md(indicators):
    q = indicators.set_index("indicator_code")
    assert (q.loc["nkbc04", "target_low"], q.loc["nkbc04", "target_high"]) == ("90", "99")
    assert (q.loc["nkbc07", "target_low"], q.loc["nkbc07", "target_high"]) == ("15", "20")
    assert (q.loc["nkbc15", "target_low"], q.loc["nkbc15", "target_high"]) == ("", "80")
    assert q.loc["nkbc04", "name_sv"] == "MDK inför behandlingsstart"
    assert q.loc["swehncr02", "direction"] == "lower"
    assert q.loc["swehncr02", "target_high"] == "20"
    assert q.loc["scrcr04", "direction"] == "lower"
    assert q.loc["scrcr05", "direction"] == "lower"
    assert (q.loc[q["register_code"] == "nkbc", "target_status"] == "sourced").all()


# --- svf_kva_prefixes (data-contract.md §9.1, domain.md §1.3) -------------------------------------
# The fourteen prefixes of domain.md §1.3 (Region Örebro's coding guide), and nothing invented.
KVA_PREFIXES = {
    "VA9": "huvud_hals", "VB0": "matstrupe_magsack", "VB2": "kolorektal", "VB4": "lever", "VB5": "gallvagar",
    "VB6": "bukspottkortel", "VC0": "lunga", "VE0": "melanom", "VG9": "brost", "VH4": "aggstock",
    "VJ1": "prostata", "VK1": "urinblasa", "VL2": "hjarntumor", "VP8": "aos",
}


def test_kva_prefixes_are_the_sourced_ones_of_domain_md():
    df = read("svf_kva_prefixes")
    assert dict(zip(df["kva_prefix"], df["svf_code"])) == KVA_PREFIXES
    assert df["kva_prefix"].is_unique
    assert set(df["status"]) == {"sourced"} and all(df["source"])


def test_kva_prefix_pathways_exist(pathways):
    assert set(read("svf_kva_prefixes")["svf_code"]) <= set(pathways["svf_code"])


# --- hospitals (data-contract.md §9.4) ------------------------------------------------------------
# INCA's hospital-county codes per region (domain.md §3, from rccShiny): the first two digits of a code.
INCA_COUNTY = {"01": {"10", "11"}, "03": {"12"}, "04": {"13"}, "05": {"21"}, "06": {"22"}, "07": {"23"},
               "08": {"24", "25"}, "09": {"26"}, "10": {"27"}, "12": {"28", "30", "41"}, "13": {"42"},
               "14": {"50", "51", "52", "53"}, "17": {"54"}, "18": {"55"}, "19": {"56"}, "20": {"57"},
               "21": {"61"}, "22": {"62"}, "23": {"63"}, "24": {"64"}, "25": {"65"}}


def test_hospitals_have_unique_five_digit_codes_in_every_region():
    df = read("hospitals")
    assert df["hospital_code"].is_unique
    assert all(re.fullmatch(r"[0-9]{5}", c) for c in df["hospital_code"])
    assert set(df["region_code"]) == set(SCB_CODES)
    assert all(name.strip() == name and name for name in df["hospital_name"])


def test_hospital_codes_start_with_their_regions_inca_county_code():
    df = read("hospitals")
    for code, region in zip(df["hospital_code"], df["region_code"]):
        assert code[:2] in INCA_COUNTY[region], (code, region)


def test_unverified_hospital_codes_are_marked_placeholders():
    df = read("hospitals")
    assert set(df["status"]) <= {"sourced", "placeholder"}
    placeholders = df[df["status"] == "placeholder"]
    assert all(s.startswith("PLATSHÅLLARE") for s in placeholders["source"])
