"""Reading plan files (indicators/plan, docs/cancerplan.md): good rows become typed goals, every bad
cell is reported with its row number and column heading and the row is left out, and a file that
cannot be used at all raises PlanError naming the file."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from indicators.plan import SAMPLE_PLAN, PlanError, read_plan
from indicators.plan.model import Unit

TODAY = date(2025, 6, 1)
MELLANSVERIGE = ["Uppsala", "Sörmland", "Värmland", "Örebro", "Västmanland", "Dalarna", "Gävleborg"]


def write_csv(tmp_path: Path, text: str, name: str = "plan.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(tmp_path, text, **kw):
    return read_plan(write_csv(tmp_path, text, **kw), today=TODAY)


def problems_by_row(plan) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for p in plan.problems:
        out.setdefault(p.row, []).append((p.column, p.message))
    return out


# -- good rows ----------------------------------------------------------------------------------------

GOOD = """\
Handlingsplan 2025 – test
Sjukvårdsregion: Mellansverige
Id;Kapitel;Vad ska göras?;Mål;Hur?;Vem?;När?;Uppföljning;Ansvarig;Tidsram;Region;Indikator;Förlopp;Register;Målvärde;Riktning;Måldatum;Statusanteckningar
1;Diagnos och behandling;Analysera SVF-data;Inklusion mer än 70 %;Dialogmöten;SVF-samordnare;Löpande;LG, SG;RCC;2022–24;Mellansverige, alla;svf_inclusion;;;70 %;;2027;"240306: Genomgång av rapporten.
Fortsättning på samma anteckning.
2024-10-13: Ny rapport."
2;3;;Ledtider i alla förlopp;;;;;;;Region Uppsala;SVF_WITHIN_TARGET;alla;;"80,5";minst;2026-06-30;
3;;;Bröst och prostata sammantaget;;;;;;;03, Örebro län;svf_within_target;"brost; Prostatacancer";;;;
4;Livskvalitet;;Samverkansprojekt i alla regioner;;;;;;;;;;;;;;
5;;;Täckningsgrad per register;;;;;;;riket;register_coverage;;alla;95;;2024;
6;;;Lång väntan som underlag;;;;;;;alla;svf_over_175;;;–;;;
7;;;Median högst 30 dagar;;;;;;;RCC Norr;svf_lead_time_median;brost;;högst 30 dagar;;;
"""


def test_good_rows_become_typed_goals(tmp_path):
    plan = read(tmp_path, GOOD)
    assert plan.problems == []
    assert plan.title == "Handlingsplan 2025 – test"
    assert plan.healthcare_region == Unit("healthcare_region", "Mellansverige", "Mellansverige")
    g = {x.id: x for x in plan.goals}
    assert list(g) == ["1", "2", "3", "4", "5", "6", "7"]

    one = g["1"]
    assert (one.chapter, one.what, one.goal_text, one.how, one.who, one.when) == (
        "diagnos_behandling", "Analysera SVF-data", "Inklusion mer än 70 %", "Dialogmöten", "SVF-samordnare", "Löpande")
    assert (one.follow_up, one.responsible, one.timeframe) == ("LG, SG", "RCC", "2022–24")
    assert [u.label for u in one.units] == ["Mellansverige", *MELLANSVERIGE]
    assert [u.code for u in one.units][:3] == ["Mellansverige", "03", "04"]
    assert (one.indicator, one.goal_value, one.direction, one.deadline) == ("svf_inclusion", 70.0, "higher",
                                                                            date(2027, 12, 31))
    assert [(n.date, n.text) for n in one.notes] == [
        (date(2024, 3, 6), "Genomgång av rapporten. Fortsättning på samma anteckning."),
        (date(2024, 10, 13), "Ny rapport."),
    ]
    assert one.latest_note.date == date(2024, 10, 13)

    two = g["2"]  # chapter by number, indicator id in upper case, split by pathway, decimal comma
    assert (two.chapter, two.indicator, two.split, two.filters) == ("diagnos_behandling", "svf_within_target",
                                                                    "svf_code", ())
    assert (two.goal_value, two.direction, two.deadline) == (80.5, "higher", date(2026, 6, 30))
    assert two.units == (Unit("region", "03", "Uppsala"),)

    three = g["3"]  # two pathways pooled; region by code and by "X län"; target from the catalogue (80)
    assert three.filters == (("svf_code", ("brost", "prostata")),)
    assert three.filter_labels == ("Förlopp: Bröstcancer, Prostatacancer",)
    assert [u.label for u in three.units] == ["Uppsala", "Örebro"]
    assert (three.goal_value, three.direction) == (80.0, "higher")

    four = g["4"]  # no indicator: ej mätbar, not an error; empty Region = the plan's sjukvårdsregion
    assert (four.indicator, four.measurable, four.chapter) == (None, False, "livskvalitet")
    assert four.units == (Unit("healthcare_region", "Mellansverige", "Mellansverige"),)

    five = g["5"]
    assert (five.split, five.units, five.goal_value) == ("register", (Unit.riket(),), 95.0)

    six = g["6"]  # '–': the indicator is followed without a goal value
    assert (six.indicator, six.goal_value, six.measurable, six.direction) == ("svf_over_175", None, False, "lower")
    assert [u.label for u in six.units] == MELLANSVERIGE

    seven = g["7"]  # days, direction from the value's words, sjukvårdsregion by its RCC's name
    assert (seven.goal_value, seven.direction, seven.units) == (30.0, "lower",
                                                                (Unit("healthcare_region", "Norra", "Norra"),))


def test_headings_in_odd_case_spacing_and_accents_are_recognised(tmp_path):
    text = ("  MÅL  ;vad SKA goras;MALVARDE (%);region / sjukvardsregion;Vem/Ansvarig;När/Tidsram;INDIKATOR ID;"
            "Egen kolumn\n"
            "Ett mål;Något;85;Gävleborg;RCC;2024;rcl_coverage;x\n")
    plan = read(tmp_path, text)
    assert plan.problems == []
    [g] = plan.goals
    assert (g.goal_text, g.what, g.goal_value, g.responsible, g.timeframe, g.indicator) == (
        "Ett mål", "Något", 85.0, "RCC", "2024", "rcl_coverage")
    assert g.units == (Unit("region", "21", "Gävleborg"),)
    assert plan.ignored_columns == ["Egen kolumn"]
    # without a plan sjukvårdsregion, an empty Region means riket and 'alla' every region
    assert g.id == "rad 2"


def test_all_regions_without_a_plan_sjukvardsregion_means_every_region(tmp_path):
    plan = read(tmp_path, "Mål;Region\nA;alla\nB;\nC;alla sjukvårdsregioner\nD;Hela landet\n")
    a, b, c, d = plan.goals
    assert len(a.units) == 21 and a.units[0] == Unit("region", "01", "Stockholm")
    assert b.units == (Unit.riket(),)
    # in the contract's order of the six sjukvårdsregioner
    assert [u.code for u in c.units] == ["Stockholm-Gotland", "Mellansverige", "Sydöstra", "Södra", "Västra",
                                         "Norra"]
    assert d.units == (Unit.riket(),)


@pytest.mark.parametrize("written, code", [
    ("Uppsala", "03"), ("region uppsala", "03"), ("03", "03"), ("3", "03"), ("Örebro län", "18"),
    ("Region Örebro län", "18"), ("Region Jönköpings län", "06"), ("Västra Götalandsregionen", "14"),
    ("Jämtland Härjedalen", "23"), ("Region  Skåne", "12"),
])
def test_region_names_as_plan_owners_write_them(tmp_path, written, code):
    plan = read(tmp_path, f"Mål;Region\nA;{written}\n")
    assert plan.problems == [] and [u.code for u in plan.goals[0].units] == [code]


@pytest.mark.parametrize("written, name", [
    ("Mellansverige", "Mellansverige"), ("Sjukvårdsregion Mellansverige", "Mellansverige"),
    ("RCC Mellansverige", "Mellansverige"), ("Norra sjukvårdsregionen", "Norra"), ("RCC Sydöst", "Sydöstra"),
    ("SÖSR", "Sydöstra"), ("Stockholm Gotland", "Stockholm-Gotland"), ("RCC Väst", "Västra"),
])
def test_healthcare_region_names_as_plan_owners_write_them(tmp_path, written, name):
    plan = read(tmp_path, f"Mål;Region\nA;{written}\n")
    assert plan.problems == [] and plan.goals[0].units == (Unit("healthcare_region", name, name),)


def test_windows_1252_csv_with_commas_is_read(tmp_path):
    text = ('Mål,Region,Indikator,Målvärde,Statusanteckningar\n'
            '"Täckningsgrad, alla regioner",Örebro,rcl_coverage,"85,5 %",240306: Möte i Västerås\n')
    plan = read(tmp_path, text, encoding="cp1252")
    assert plan.problems == []
    [g] = plan.goals
    assert (g.goal_text, g.units[0].label, g.goal_value) == ("Täckningsgrad, alla regioner", "Örebro", 85.5)
    assert g.notes[0].text == "Möte i Västerås"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_refused_with_a_hint(tmp_path, encoding):
    path = write_csv(tmp_path, "Mål\tRegion\nA\tUppsala\n", encoding=encoding)
    with pytest.raises(PlanError, match=r"plan\.csv: .*UTF-16"):
        read_plan(path, today=TODAY)


@pytest.mark.parametrize("data, message", [
    (bytes(range(256)) * 4, "binära tecken"),
    (("Mål;Hur\nA;" + "x" * 200_000 + "\n").encode(), "en cell är längre än"),
])
def test_binary_files_and_giant_cells_are_refused_in_swedish(data, message):
    with pytest.raises(PlanError, match=message):
        read_plan(data, name="plan.csv")


def test_a_long_text_cell_is_a_row_problem(tmp_path):
    plan = read(tmp_path, "Mål;Hur\nA;" + "x" * 20_001 + "\nB;kort\n")
    assert [g.goal_text for g in plan.goals] == ["B"]
    assert (plan.problems[0].row, plan.problems[0].column) == (2, "Hur")


# -- bad rows ------------------------------------------------------------------------------------------

BAD = """\
Mål;Region;Indikator;Förlopp;Register;Målvärde;Riktning;Måldatum;Statusanteckningar;Id
Gott mål;Uppsala;rcl_coverage;;;85;;2024;;a
Okänd indikator;;svf_inclusions;;;70;;;;b
Okänt förlopp;;svf_within_target;brostcancer;;;;;;c
Okänt register;;register_coverage;;nkbcx;95;;;;d
Okänd region;Sormland;;;;;;;;e
Felaktigt målvärde;;svf_inclusion;;;sjuttio procent;;;;f
Över 100;;svf_inclusion;;;120 %;;;;g
Procent på dagar;;svf_lead_time_median;;;30 %;;;;h
Fel datum;;svf_inclusion;;;70;;31/12 2024;;i
;Uppsala;svf_inclusion;;;70;;;;j
Anteckning utan datum;;;;;;;;Möte hölls;k
Anteckning i framtiden;;;;;;;;311224: Möte;l
Förlopp på registerindikator;;register_coverage;brost;nkbc;95;;;;m
Förlopp utan indikator;;;brost;;;;;;n
Målvärde utan indikator;;;;;70;;;;o
Mot indikatorns riktning;;svf_within_target;;;80;högst;;;p
Två målnivåer utan målvärde;;qi:nkbc04;;;;;;;q
Dubblett;;;;;;;;;a
Andel i stället för procent;;svf_inclusion;;;0,7;;;;r
Riktning som motsäger målvärdet;;svf_over_175;;;minst 10 %;högst;;;s
Riktning saknas;;rcl_direct_transfer;;;50;;;;t
"""


def test_each_bad_row_is_reported_with_its_row_and_column_and_left_out(tmp_path):
    plan = read(tmp_path, BAD)
    assert [g.id for g in plan.goals] == ["a"]
    got = problems_by_row(plan)
    expected_columns = {
        3: "Indikator", 4: "Förlopp", 5: "Register", 6: "Region", 7: "Målvärde", 8: "Målvärde", 9: "Målvärde",
        10: "Måldatum", 11: "Mål", 12: "Statusanteckningar", 13: "Statusanteckningar", 14: "Förlopp",
        15: "Förlopp", 16: "Målvärde", 17: "Riktning", 18: "Målvärde", 19: "Id", 20: "Målvärde", 21: "Riktning",
        22: "Riktning",
    }
    assert {row: [c for c, _ in msgs] for row, msgs in got.items()} == {r: [c] for r, c in expected_columns.items()}
    msg = {row: msgs[0][1] for row, msgs in got.items()}
    assert "okänd indikator 'svf_inclusions' (menade du svf_inclusion?)" in msg[3]
    assert "okänt förlopp 'brostcancer'" in msg[4]
    assert "okänt register 'nkbcx'" in msg[5]
    assert "okänd region 'Sormland' (menade du Sörmland?)" in msg[6]
    assert "'sjuttio procent' är inget målvärde" in msg[7]
    assert "över 100 %" in msg[8]
    assert "inte i procent" in msg[9]
    assert "'31/12 2024' är inget datum" in msg[10]
    assert msg[11] == "Mål saknas"
    assert "börjar inte med ett datum" in msg[12]
    assert "ligger i framtiden" in msg[13]
    assert "kan inte avgränsas per förlopp" in msg[14]
    assert msg[15] == "Förlopp kräver en Indikator"
    assert msg[16] == "Målvärde kräver en Indikator"
    assert "går mot indikatorns riktning" in msg[17]
    assert "qi:nkbc04 har två målnivåer" in msg[18]
    assert "finns redan på rad 2" in msg[19]
    assert "inte som andel" in msg[20]
    assert "stämmer inte med Målvärde" in msg[21]
    assert "Riktning saknas" in msg[22]
    # the message a user reads names the file, the row and the column
    assert str(plan.problems[0]).startswith("plan.csv, rad 3, kolumn Indikator: okänd indikator")


def test_a_row_with_several_bad_cells_reports_each(tmp_path):
    plan = read(tmp_path, "Mål;Region;Indikator;Måldatum\n;Ingenstans;ingen_sådan;igår\n")
    assert plan.goals == []
    assert sorted(c for c, _ in problems_by_row(plan)[2]) == ["Indikator", "Mål", "Måldatum", "Region"]


def test_a_section_title_row_gets_a_hint_to_use_the_area_column(tmp_path):
    plan = read(tmp_path, "Vad ska göras?;Mål\nTabell 14. SVF;\nGöra;Ett mål\n")
    assert [g.goal_text for g in plan.goals] == ["Ett mål"]
    assert "skriv den i kolumnen Område" in plan.problems[0].message


def test_a_repeated_heading_row_is_skipped(tmp_path):
    plan = read(tmp_path, "Vad ska göras?;Mål\nA;Ett\nVad ska göras?;Mål\nB;Två\n")
    assert plan.problems == [] and [g.goal_text for g in plan.goals] == ["Ett", "Två"]


@pytest.mark.parametrize("text, message", [
    ("Titel\nNågot annat;Kolumn\n", "hittar ingen rubrikrad med kolumnen Mål"),
    ("Mål;Målsättning;Region\nA;B;C\n", "'Mål' och 'Målsättning' betyder båda Mål"),
    ("Sjukvårdsregion: Mittsverige\nMål;Region\nA;\n", r"rad 1, Sjukvårdsregion: okänd sjukvårdsregion 'Mittsverige'"),
    ("", "filen är tom"),
])
def test_a_file_that_cannot_be_used_raises_plan_error_naming_it(tmp_path, text, message):
    with pytest.raises(PlanError, match=message):
        read(tmp_path, text)


def test_unknown_file_types_are_refused(tmp_path):
    for name, message in (("plan.xls", r"\.xls läses inte"), ("plan.pdf", "okänd filtyp")):
        (tmp_path / name).write_bytes(b"x")
        with pytest.raises(PlanError, match=message):
            read_plan(tmp_path / name)
    with pytest.raises(PlanError, match="filen finns inte"):
        read_plan(tmp_path / "saknas.xlsx")
    (tmp_path / "trasig.xlsx").write_bytes(b"PK\x03\x04 inte en riktig arbetsbok")
    with pytest.raises(PlanError, match="kunde inte läsas som Excel"):
        read_plan(tmp_path / "trasig.xlsx")


def test_an_xlsx_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    from indicators.plan import table

    wb = Workbook()
    wb.active.append(["Mål"])
    wb.save(tmp_path / "plan.xlsx")
    monkeypatch.setattr(table, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(PlanError, match="packas upp till mer än"):
        read_plan(tmp_path / "plan.xlsx")


def test_an_upload_is_read_from_bytes_with_its_name():
    plan = read_plan("Mål;Region\nA;Dalarna\n".encode(), name="uppladdad.csv", today=TODAY)
    assert plan.source == "uppladdad.csv" and plan.goals[0].units[0].label == "Dalarna"


# -- Excel ---------------------------------------------------------------------------------------------

def test_xlsx_with_title_rows_percent_cells_dates_merged_cells_and_a_notes_sheet(tmp_path):
    wb = Workbook()
    guide = wb.active
    guide.title = "Instruktioner"  # a first sheet without headings: the sheet named Plan is used
    guide.append(["Så fyller du i"])
    ws = wb.create_sheet("Plan")
    ws.append(["EXEMPEL – testplan"])
    ws.append(["Sjukvårdsregion", "Norra"])
    ws.append([])
    ws.append(["Id", "Vad ska göras?", "Mål", "Region", "Indikator", "Målvärde", "Måldatum", "Statusanteckningar"])
    ws.append(["1.1", "Gemensam aktivitet", "Inklusion", "alla", "svf_inclusion", 0.7, date(2026, 12, 31), None])
    ws.append(["1.2", None, "Läkemedel", 24, "rcl_coverage", 85, 2025, "250110: Startmöte"])
    ws.append(["1.3", "Egen", "Fel målvärde", None, "rcl_coverage", "=A1", None, None])
    ws["F5"].number_format = "0%"
    ws.merge_cells("B5:B6")  # one "Vad ska göras?" for two goals, as in the plan documents
    notes = wb.create_sheet("Statusanteckningar")
    notes.append(["Id", "Datum", "Anteckning"])
    notes.append(["1.1", date(2025, 2, 1), "Rapport klar"])
    notes.append(["1.1", "240306", "Första mötet"])
    notes.append(["9.9", "240306", "Fel id"])
    notes.append(["1.2", date(2030, 1, 1), "Framtiden"])
    path = tmp_path / "plan.xlsx"
    wb.save(path)

    plan = read_plan(path, today=TODAY)
    assert plan.title == "EXEMPEL – testplan"
    assert plan.healthcare_region.code == "Norra"
    g = {x.id: x for x in plan.goals}
    assert list(g) == ["1.1", "1.2"]
    assert (g["1.1"].goal_value, g["1.1"].deadline) == (70.0, date(2026, 12, 31))
    assert [u.label for u in g["1.1"].units] == ["Västernorrland", "Jämtland Härjedalen", "Västerbotten",
                                                 "Norrbotten"]
    assert g["1.2"].what == "Gemensam aktivitet"  # from the merged cell
    assert (g["1.2"].units[0].code, g["1.2"].goal_value, g["1.2"].deadline) == ("24", 85.0, date(2025, 12, 31))
    assert [(n.date, n.text) for n in g["1.1"].notes] == [(date(2024, 3, 6), "Första mötet"),
                                                         (date(2025, 2, 1), "Rapport klar")]
    assert [n.text for n in g["1.2"].notes] == ["Startmöte"]
    got = {(p.sheet, p.row, p.column): p.message for p in plan.problems}
    # a formula is never evaluated; one without a value saved by Excel is reported, not read as empty
    assert "formeln =A1 har inget sparat värde" in got[("Plan", 7, "Målvärde")]
    assert "inget mål i planen har Id '9.9'" in got[("Statusanteckningar", 4, "Id")]
    assert "ligger i framtiden" in got[("Statusanteckningar", 5, "Datum")]
    assert str(plan.problems[-1]).startswith("plan.xlsx, bladet Statusanteckningar, rad 5, kolumn Datum:")


# -- the example plan ----------------------------------------------------------------------------------

def _load_script():
    spec = importlib.util.spec_from_file_location("make_sample_plan",
                                                  Path(__file__).resolve().parents[1] / "scripts" / "make_sample_plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_plan_reads_without_problems_and_says_it_is_an_example():
    plan = read_plan(SAMPLE_PLAN)
    assert plan.problems == [] and plan.ignored_columns == []
    assert plan.title.startswith("EXEMPEL") and "inte en fastställd plan" in plan.title_lines[1]
    assert plan.healthcare_region.code == "Mellansverige"
    measurable = {g.id: (g.indicator, g.goal_value, g.split) for g in plan.goals if g.measurable}
    assert measurable == {
        "3.1": ("svf_inclusion", 70.0, None), "3.2": ("svf_within_target", 80.0, "svf_code"),
        "3.3": ("svf_within_target", 80.0, None), "4.1": ("register_reporting_90d", 80.0, "register"),
        "4.2": ("register_coverage", 95.0, "register"), "5.1": ("rcl_coverage", 85.0, None),
    }
    assert {g.chapter for g in plan.goals} == {"forebyggande", "tidig_upptackt", "diagnos_behandling", "livskvalitet"}
    assert all(g.measurement for g in plan.goals)  # every goal says how it is measured (or why not)


def test_the_example_plan_as_csv_and_xlsx_and_its_generator_agree(tmp_path):
    committed = read_plan(SAMPLE_PLAN).goals
    assert read_plan(SAMPLE_PLAN.with_suffix(".csv")).goals == committed
    script = _load_script()
    script.main(["--out", str(tmp_path)])
    assert read_plan(tmp_path / SAMPLE_PLAN.name).goals == committed
