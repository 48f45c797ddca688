"""textfmt: Swedish number format, labels, dates, periods and slugs (decimal comma, space thousands,
"70 %"), and textfmt.safe: text that leaves the program is inert where it lands."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import textfmt as fmt
from textfmt.safe import markup, one_line, spreadsheet_cell

NB = "\u00a0"


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, 1, f"1{NB}234,5"),
    (72.44, 1, "72,4"),
    (0, 0, "0"),
    (1234567, 0, f"1{NB}234{NB}567"),
    (-3.25, 2, "-3,25"),
])
def test_numbers_use_decimal_comma_and_space_thousands(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_missing_values_print_as_dash(missing):
    assert fmt.number(missing) == "–"
    assert fmt.pct(missing) == "–"
    assert fmt.days(missing) == "–"


def test_percent_has_a_space_before_the_sign():
    assert fmt.pct(72.44) == f"72,4{NB}%"
    assert fmt.target_pct(70) == f"70{NB}%"
    assert fmt.target_pct(82.5) == f"82,5{NB}%"


def test_n_text_shows_both_counts_or_n():
    assert fmt.n_text(1234, 2000) == f"1{NB}234 av 2{NB}000"
    assert fmt.n_text(None, 57) == "n = 57"
    assert fmt.n_text(pd.NA, pd.NA) == ""


def test_days_singular_and_plural():
    assert fmt.days(1) == "1 dag"
    assert fmt.days(34) == "34 dagar"


def test_value_text_follows_the_unit():
    assert fmt.value_text(12.345, "procent") == f"12,3{NB}%"
    assert fmt.value_text(41, "dagar") == "41 dagar"
    assert fmt.value_text(8.26, "per 100 000") == f"8,3 per 100{NB}000"
    assert fmt.value_text(1269, "antal") == f"1{NB}269"


def test_interval_text():
    assert fmt.interval_text(68.12, 74.01) == f"95{NB}% KI 68,1–74,0{NB}%"
    assert fmt.interval_text(40, 42, "dagar") == f"95{NB}% KI 40–42 dagar"
    assert fmt.interval_text(None, 3) == ""


def test_targets_text_one_or_two_levels():
    assert fmt.targets_text(None, 80) == f"målnivå ≥ 80{NB}%"
    assert fmt.targets_text(80, 90) == f"låg målnivå 80{NB}%, hög 90{NB}%"
    assert fmt.targets_text(None, None) == ""
    assert fmt.targets_text(None, 10, "lower") == f"målnivå ≤ 10{NB}%"


def test_period_labels_for_axes():
    assert fmt.period_label("year", "2024") == "2024"
    assert fmt.period_label("quarter", "2024-Q3") == f"2024 kv{NB}3"
    assert fmt.period_label("month", "2024-05") == "maj 2024"
    assert fmt.month_label("2025-03", long=True) == "mars 2025"


def test_period_and_date_text():
    assert fmt.period_text(date(2025, 1, 1), date(2025, 12, 31)) == "2025"
    assert fmt.period_text(date(2024, 1, 1), date(2024, 6, 30)) == "jan–jun 2024"
    assert fmt.date_text(date(2026, 1, 15)) == "15 januari 2026"


def test_labels_are_swedish_not_codes():
    assert fmt.treatment_label("radiotherapy") == "Strålbehandling"
    assert fmt.sex_label("K") == "Kvinnor"
    assert fmt.target_level_text("high") == "Hög målnivå uppnådd"
    assert fmt.target_level_text(pd.NA) == "Ingen målnivå"


def test_swedish_alphabetical_order_puts_aao_last():
    names = ["Örebro", "Västra Götaland", "Östergötland", "Ängelholm", "Åre", "Blekinge"]
    assert sorted(names, key=fmt.sv_sort_key) == ["Blekinge", "Västra Götaland", "Åre", "Ängelholm", "Örebro",
                                                   "Östergötland"]


def test_join_names():
    assert fmt.join_names(["A"]) == "A"
    assert fmt.join_names(["A", "B", "C"]) == "A, B och C"
    assert fmt.join_names(list("ABCDEF"), limit=4) == "A, B, C, D och 2 till"


# -- tables and names shown in the frame ------------------------------------------------------------

def test_table_names_are_swedish():
    assert fmt.table_label("cancer_cases") == "Cancerregistret – tumörer"
    assert fmt.table_label("svf_lead_time_targets") == "Ledtidsgränser"
    assert fmt.table_label("drug_treatments") == "Läkemedelsstarter (RCL)"
    assert fmt.table_label("okand_tabell") == "okand_tabell"
    for raw in ("cancer_cases", "svf_episodes", "register_cases", "indicator_outcomes", "drug_treatments",
                "population", "regions", "svf_pathways", "svf_lead_time_targets", "registers",
                "quality_indicators", "svf_kva_prefixes", "hospitals"):
        assert "_" not in fmt.table_label(raw)


@pytest.mark.parametrize("code, name, expected", [
    ("nkbc", "Nationellt kvalitetsregister för bröstcancer (NKBC)", "NKBC"),
    ("melanom", "Nationella kvalitetsregistret för hudmelanom", "Hudmelanom"),
    ("lymfom", "Svenska lymfomregistret", "Lymfomregistret"),
    ("urinblasa", "Svenska registret för cancer i urinblåsa och övre urinvägar", "Urinblåsa och övre urinvägar"),
    ("xyz", "", "XYZ"),
    ("lang", "Ett mycket långt registernamn utan förkortning som inte går att korta", "LANG"),
])
def test_register_short_names_are_short(code, name, expected):
    from views.context import register_short_name

    assert register_short_name(code, name) == expected


def test_tables_show_numbers_with_decimal_comma():
    from ui.layout import swedish_table

    # a missing cell is blank in the new view layer (the reason, e.g. 'otillräckligt underlag', sits in
    # the row's own cells); whole numbers without decimals, also in nullable integer columns
    table = pd.DataFrame({"Enhet": ["Riket", "Gotland"], "Andel (%)": [72.44, None],
                          "Nämnare": [12345.0, 7.0], "Täljare": pd.array([8942, None], dtype="Int64"),
                          "Värde": [12.5, "otillräckligt underlag"]})
    shown, cfg = swedish_table(table)
    assert list(shown["Andel (%)"]) == ["72,4", ""]
    assert list(shown["Nämnare"]) == [f"12{NB}345", "7"]
    assert list(shown["Täljare"]) == [f"8{NB}942", ""]
    assert list(shown["Värde"]) == ["12,5", "otillräckligt underlag"]
    assert list(shown["Enhet"]) == ["Riket", "Gotland"]
    assert set(cfg) == {"Andel (%)", "Nämnare", "Täljare", "Värde"}
    assert not any("." in v for v in shown["Andel (%)"])


# -- periods, dates and slugs (one implementation each, textfmt) ------------------------------------

def test_period_labels_cover_whole_periods_in_order():
    # 2023-02-15 .. 2024-05-31: quarters whose first day is on or after 15 Feb 2023 → 2023-Q2 first
    assert fmt.period_labels("quarter", date(2023, 2, 15), date(2024, 5, 31)) == [
        "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    assert fmt.period_labels("quarter", date(2023, 1, 1), date(2023, 12, 31)) == [
        "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    assert fmt.period_labels("year", date(2022, 1, 1), date(2024, 3, 31)) == ["2022", "2023", "2024"]
    assert fmt.period_labels("year", date(2022, 7, 1), date(2024, 3, 31)) == ["2023", "2024"]
    assert fmt.period_labels("month", date(2024, 11, 1), date(2025, 2, 28)) == [
        "2024-11", "2024-12", "2025-01", "2025-02"]


def test_short_and_iso_dates():
    assert fmt.iso_date(date(2026, 1, 15)) == "2026-01-15"
    assert fmt.iso_date(None) == "okänt"
    assert fmt.short_date(date(2025, 12, 31)) == "31 dec 2025"
    assert fmt.short_date(pd.Timestamp("2024-03-05")) == "5 mar 2024"
    assert fmt.short_date(None) == ""
    assert fmt.date_text(None) == "–"


def test_slug_is_ascii_and_file_safe():
    assert fmt.slug("Andel behandlade inom ledtid – Bröst") == "andel_behandlade_inom_ledtid_brost"
    assert fmt.slug("Ålder/Öst: ../../etc") == "alder_ost_etc"
    assert fmt.slug("") == "indikatorpanelen"
    assert fmt.slug("<<>>") == "indikatorpanelen"
    long = fmt.slug("a b " * 50, max_len=10)
    assert long == "a_b_a_b_a" and len(long) <= 10


def test_missing_text_says_why_a_row_has_no_value():
    assert fmt.missing_text({"no_cases": True, "suppressed": False, "value": None}) == "inga fall"
    assert fmt.missing_text({"suppressed": True, "hidden": "primary", "value": None}) == "otillräckligt underlag"
    assert fmt.missing_text({"suppressed": True, "hidden": "secondary", "value": None}) == \
        "dold (skyddar en liten grupp)"
    assert fmt.missing_text({"suppressed": False, "value": 71.2}) is None


# -- textfmt.safe ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+46", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_spreadsheet_cells_never_start_a_formula(text):
    assert spreadsheet_cell(text) == "'" + text


def test_spreadsheet_cells_keep_numbers_and_plain_text():
    assert spreadsheet_cell(-2) == -2
    assert spreadsheet_cell(3.5) == 3.5
    assert spreadsheet_cell("Västra Götaland") == "Västra Götaland"


def test_markup_is_drawn_as_characters():
    assert markup('<a href="x">Region</a> & co') == '&lt;a href="x"&gt;Region&lt;/a&gt; &amp; co'


def test_one_line_removes_breaks_and_escape_sequences():
    assert one_line("Rad 1\nRad 2\r\n\x1b[31mröd\x1b[0m\x1b]8;;http://x\x07länk") == "Rad 1 Rad 2 röd länk"
    assert one_line("abcdefghij", 5) == "abcd…"
