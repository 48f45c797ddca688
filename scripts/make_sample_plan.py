"""Writes the example plan data/plans/exempel_rcc_mellansverige.xlsx (and the same plan as .csv).

The goals come from RCC Mellansverige's verksamhetsplan 2024 (the handlingsplan of the
sjukvårdsregional cancer plan 2022–2024): tables 1, 3, 6, 11, 14, 17 and 19, and the state
agreement's tasks listed on its first pages. Where a goal's wording does not say how it is
measured, the column Mätning says what this example decided and why. The status notes are
invented for the example. Run from the repository root:

    .venv/bin/python scripts/make_sample_plan.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "exempel_rcc_mellansverige"

TITLE = "EXEMPEL – handlingsplan för cancervården i sjukvårdsregion Mellansverige (2024)"
NOTE = ("Påhittat exempel för Indikatorpanelen, inte en fastställd plan. Målen är hämtade ur RCC Mellansveriges "
        "verksamhetsplan 2024 (handlingsplanen för den sjukvårdsregionala cancerplanen 2022–2024); kolumnerna "
        "Indikator–Måldatum och Mätning är exemplets val, och statusanteckningarna är påhittade.")
HEALTHCARE_REGION = "Mellansverige"

COLUMNS = ["Id", "Kapitel", "Område", "Vad ska göras?", "Mål", "Hur?", "Vem?", "När?", "Uppföljning", "Ansvarig",
           "Tidsram", "Region", "Indikator", "Förlopp", "Register", "Målvärde", "Riktning", "Måldatum", "Mätning",
           "Statusanteckningar"]

_SVF_WHAT = ("Genom regelbunden analys av SVF-data identifiera hinder och ta fram åtgärder för en förbättrad "
             "vårdprocess avseende inklusion i förloppen och ledtider inom förloppen")
_SVF_HOW = ("Identifiera förbättringsområden i respektive region utifrån inklusions-, ledtids- och SVF-PREM-data och "
            "diskutera dessa i olika forum, t.ex. SVF-samordnarmöten, VPG/RAG-möten, dialogmöten och nationella möten.")
_SVF_FOLLOW = "LG, SG (via årlig avrapportering till Socialstyrelsen, VPG:s årsrapporter, SVF-PREM-resultat)"
_SVF_RESP = ("VPG; lokal diagnosspecifik vårdprocessorganisation; SVF-samordnare i regionerna; "
             "SVF-samordnare vid RCC Mellansverige")
_SVF_DEADLINE = ("Måldatum 2027-12-31: tabellens tidsram är 2022–24, men inklusions- och ledtidsmålen är också "
                 "överenskommelsens mellan staten och SKR för 2024–2027 (verksamhetsplanens inledning), som "
                 "uppdraget fortsätter under.")
_REG_WHAT = ("Förbättra och bevaka datakvalitet i fyra dimensioner: a) inrapporteringshastighet, b) täckningsgrad, "
             "c) jämförbarhet och d) validitet")
_REG_HOW = ("a. Ta fram och distribuera topplista för RTR två gånger per år. b. Ta fram underlag kring "
            "inrapporteringshastighet och täckningsgrad för uppföljning av cancersamordnarna. c. Kontinuerlig "
            "monitorering av inrapporterad data. d. Stötta de register som vi har nationellt ansvar för i "
            "datakvalitetsarbete.")

GOALS: list[dict] = [
    {
        "Id": "1.1", "Kapitel": "Förebyggande", "Område": "Primär cancerprevention (tabell 3)",
        "Vad ska göras?": ("Öka kunskapen hos befolkning och hälso- och sjukvårdspersonal om betydelsen av "
                           "hälsosamma levnadsvanor för minskat insjuknande i cancer"),
        "Mål": "Ökad kännedom generellt om kopplingen mellan levnadsvanor och cancer",
        "Hur?": ("Deltagande i NAG cancerprevention; informationsinsatser till RCC:s sjukvårdsregionala grupper och "
                 "regionerna; insatser för solprevention i samverkan med VPG hudcancer."),
        "Vem?": "VPK", "När?": "Löpande", "Uppföljning": "LG, SG", "Ansvarig": "RCC Mellansverige",
        "Tidsram": "2022–24",
        "Mätning": "Ej mätbart i panelen: kännedom i befolkningen mäts med enkäter, inte med register- eller SVF-data.",
    },
    {
        "Id": "2.1", "Kapitel": "Tidig upptäckt", "Område": "Screening för bröstcancer (tabell 6)",
        "Vad ska göras?": "Kontinuerligt mäta och utvärdera kvalitetsparametrar inkl. ledtider",
        "Mål": "Genomföra insamling och analys av utvalda kvalitetsparametrar",
        "Hur?": ("Respektive region levererar data enligt mall, som sammanställs och analyseras i RAG mammografi "
                 "med stöd av VPK."),
        "Vem?": "Ordförande RAG mammografi", "När?": "Var 6:e månad", "Uppföljning": "LG, SG (årsrapport till SoS)",
        "Ansvarig": "Regionerna med stöd av RAG mammografi vid RCC Mellansverige", "Tidsram": "2022–24",
        "Mätning": "Ej mätbart i panelen: målet är att analysen görs; screeningdata finns inte i panelens extrakt.",
    },
    {
        "Id": "3.1", "Kapitel": "Diagnos och behandling", "Område": "Standardiserade vårdförlopp (tabell 14)",
        "Vad ska göras?": _SVF_WHAT, "Mål": "Uppnå inklusionsmålet mer än 70 %", "Hur?": _SVF_HOW,
        "Vem?": "Sjukvårdsregional och regionala SVF-samordnare, VPG", "När?": "Löpande", "Uppföljning": _SVF_FOLLOW,
        "Ansvarig": _SVF_RESP, "Tidsram": "2022–24", "Region": "Mellansverige, alla",
        "Indikator": "svf_inclusion", "Målvärde": "70 %", "Riktning": "minst", "Måldatum": date(2027, 12, 31),
        "Mätning": ("Andelen nya cancerfall utredda inom SVF (svf_inclusion), för sjukvårdsregionen och för varje "
                    "region. 'Mer än 70 %' bedöms som minst 70 %, som i panelens översikt. " + _SVF_DEADLINE),
        "Statusanteckningar": ("240215: Verksamhetsberättelse 2023: samtliga regioner i sjukvårdsregionen klarade "
                               "de uppsatta målen för 2023 och tilldelades stimulansmedel (exempel).\n"
                               "250212: Genomgång av helåret 2024 på SVF-samordnarmötet (exempel)."),
    },
    {
        "Id": "3.2", "Kapitel": "Diagnos och behandling", "Område": "Standardiserade vårdförlopp (tabell 14)",
        "Vad ska göras?": _SVF_WHAT, "Mål": "Ledtider i linje med uppsatta mål i alla förlopp", "Hur?": _SVF_HOW,
        "Vem?": "Sjukvårdsregional och regionala SVF-samordnare, VPG", "När?": "Löpande", "Uppföljning": _SVF_FOLLOW,
        "Ansvarig": _SVF_RESP, "Tidsram": "2022–24", "Region": "Mellansverige",
        "Indikator": "svf_within_target", "Förlopp": "alla", "Målvärde": "80 %", "Riktning": "minst",
        "Måldatum": date(2027, 12, 31),
        "Mätning": ("'I linje med uppsatta mål' = det nationella ledtidsmålet: minst 80 % av patienterna startar "
                    "behandling inom förloppets ledtid (svf_within_target). 'I alla förlopp' = varje förlopp för sig, "
                    "för sjukvårdsregionen som helhet; per region och förlopp blir de flesta grupper för små. "
                    + _SVF_DEADLINE),
        "Statusanteckningar": "240610: Förloppen med lägst andel inom ledtid tas upp på VPG-dialogmötena (exempel).",
    },
    {
        "Id": "3.3", "Kapitel": "Diagnos och behandling", "Område": "Standardiserade vårdförlopp (tabell 14)",
        "Vad ska göras?": _SVF_WHAT, "Mål": "Ledtider i linje med uppsatta mål i alla förlopp (per region)",
        "Hur?": _SVF_HOW, "Vem?": "Regionala SVF-samordnare", "När?": "Löpande", "Uppföljning": _SVF_FOLLOW,
        "Ansvarig": "SVF-samordnare i regionerna", "Tidsram": "2022–24", "Region": "alla",
        "Indikator": "svf_within_target", "Målvärde": "80 %", "Riktning": "minst", "Måldatum": date(2027, 12, 31),
        "Mätning": ("Samma mål som 3.2, mätt per region med alla förlopp sammantagna, så att varje region ser sin "
                    "egen nivå. " + _SVF_DEADLINE),
    },
    {
        "Id": "3.4", "Kapitel": "Diagnos och behandling", "Område": "Standardiserade vårdförlopp (överenskommelsen 2024)",
        "Vad ska göras?": ("Stödja regionerna i att kartlägga orsaker till de allra längsta väntetiderna (mer än "
                           "75 % över den optimala ledtiden som anges i SVF)"),
        "Mål": "Orsakerna till de allra längsta väntetiderna är kartlagda i varje region",
        "Hur?": "Genomgång av förlopp med ledtid mer än 75 % över gränsen tillsammans med regionernas SVF-samordnare.",
        "Vem?": "SVF-samordnare vid RCC Mellansverige", "När?": "2024", "Uppföljning": "LG, SG",
        "Ansvarig": "Regionerna med stöd av RCC Mellansverige", "Tidsram": "2024", "Region": "alla",
        "Indikator": "svf_over_175", "Målvärde": "–",
        "Mätning": ("En kartläggning är en aktivitet, inte en nivå: målet är ej mätbart. Andelen med ledtid mer än "
                    "75 % över gränsen (svf_over_175) visas per region som underlag, utan målvärde, eftersom planen "
                    "inte anger något."),
        "Statusanteckningar": "240925: Kartläggningsmall utskickad till regionernas SVF-samordnare (exempel).",
    },
    {
        "Id": "3.5", "Kapitel": "Diagnos och behandling", "Område": "Standardiserade vårdförlopp (tabell 14)",
        "Vad ska göras?": "Kvalitetssäkring av SVF-registrering och rapportering till nationell databas",
        "Mål": "Alla regioner rapporterar fullständiga och korrekta data till Signe i tid",
        "Hur?": ("Leda sjukvårdsregionala SVF-samordnarmöten, delta i nationell samordningsgrupp SVF och "
                 "kvalitetssäkringsgrupp, besvara frågor kring registrering."),
        "Vem?": "Sjukvårdsregional SVF-samordnare, kvalitetssäkringsgruppen, PL och VPK", "När?": "Löpande",
        "Uppföljning": "LG, SG", "Ansvarig": "Regionerna med stöd av RCC Mellansverige", "Tidsram": "2022–24",
        "Mätning": ("Ej mätbart i panelen: fullständighet och rättidighet i Signe syns inte i SVF-extraktet "
                    "(bara de förlopp som rapporterats)."),
    },
    {
        "Id": "4.1", "Kapitel": "Diagnos och behandling", "Område": "Register (tabell 11)",
        "Vad ska göras?": _REG_WHAT, "Mål": "Kontinuerlig inrapportering av god kvalité – a) inrapporteringshastighet",
        "Hur?": _REG_HOW, "Vem?": "Statistiker, RAD", "När?": "Löpande", "Uppföljning": "LG, SG",
        "Ansvarig": "RCC Mellansverige; regionerna", "Tidsram": "2022–24", "Region": "Mellansverige",
        "Indikator": "register_reporting_90d", "Register": "alla", "Målvärde": "80 %", "Måldatum": date(2024, 12, 31),
        "Mätning": ("Planen anger ingen nivå. Inrapporteringshastighet = andelen registreringar inom 90 dagar från "
                    "diagnos (register_reporting_90d), per register; målvärdet är katalogens låga målnivå 80 % (den "
                    "höga, 90 %, är en platshållare). Måldatum = tidsramens slut."),
        "Statusanteckningar": "240415: Topplistan för RTR distribuerad (exempel).\n241015: Topplistan distribuerad (exempel).",
    },
    {
        "Id": "4.2", "Kapitel": "Diagnos och behandling", "Område": "Register (tabell 11)",
        "Vad ska göras?": _REG_WHAT, "Mål": "Kontinuerlig inrapportering av god kvalité – b) täckningsgrad",
        "Hur?": _REG_HOW, "Vem?": "Statistiker, RAD", "När?": "Löpande", "Uppföljning": "LG, SG",
        "Ansvarig": "RCC Mellansverige; regionerna", "Tidsram": "2022–24", "Region": "Mellansverige",
        "Indikator": "register_coverage", "Register": "alla", "Målvärde": "95 %", "Måldatum": date(2024, 12, 31),
        "Mätning": ("Planen anger ingen nivå. Täckningsgrad mot Cancerregistret (register_coverage), per register; "
                    "95 % är den låga målnivån för de flesta register i referenstabellen (registrens egna nivåer "
                    "ligger på 95–99 %). Täckningsgraden mognar i 12 månader: det senaste året är preliminärt."),
    },
    {
        "Id": "4.3", "Kapitel": "Diagnos och behandling", "Område": "Register (tabell 11)",
        "Vad ska göras?": _REG_WHAT, "Mål": "Kontinuerlig inrapportering av god kvalité – c) jämförbarhet",
        "Hur?": _REG_HOW, "Vem?": "Statistiker, RAD", "När?": "Löpande", "Uppföljning": "LG, SG",
        "Ansvarig": "RCC Mellansverige; regionerna", "Tidsram": "2022–24",
        "Mätning": "Ej mätbart i panelen: jämförbarhet bedöms i registrens valideringsarbete, inte i ett mått.",
    },
    {
        "Id": "4.4", "Kapitel": "Diagnos och behandling", "Område": "Register (tabell 11)",
        "Vad ska göras?": _REG_WHAT, "Mål": "Kontinuerlig inrapportering av god kvalité – d) validitet",
        "Hur?": _REG_HOW, "Vem?": "Statistiker, RAD", "När?": "Löpande", "Uppföljning": "LG, SG",
        "Ansvarig": "RCC Mellansverige; regionerna", "Tidsram": "2022–24",
        "Mätning": "Ej mätbart i panelen: validitet kräver valideringsstudier mot journaluppgifter.",
    },
    {
        "Id": "5.1", "Kapitel": "Diagnos och behandling", "Område": "Cancerläkemedel (tabell 19)",
        "Vad ska göras?": "Öka täckningsgraden i registret för cancerläkemedel",
        "Mål": "Alla regioner rapporterar fullständiga data med en täckningsgrad om minst 85 %",
        "Hur?": "Regionerna erbjuds löpande stöd i utveckling av arbetssätt kopplat till registrering.",
        "Vem?": "VPK, VC, VUT", "När?": "2024", "Uppföljning": "LG, SG", "Ansvarig": "Regionerna; RCC Mellansverige",
        "Tidsram": "2022–24", "Region": "alla", "Indikator": "rcl_coverage", "Målvärde": "minst 85 %",
        "Måldatum": date(2024, 12, 31),
        "Mätning": ("Täckningsgrad i Register för cancerläkemedel (rcl_coverage) för varje region; 'alla regioner' "
                    "= varje region för sig. Måldatum = När (2024)."),
        "Statusanteckningar": ("240215: Verksamhetsberättelse 2023: RCC har avlönat en koordinator på 10 % av heltid "
                               "som stött klinikerna i registreringen till RCL (exempel)."),
    },
    {
        "Id": "6.1", "Kapitel": "Livskvalitet", "Område": "Palliativ vård (tabell 17)",
        "Vad ska göras?": "Verka för ökad täckningsgrad i Svenska palliativregistret",
        "Mål": "Öka täckningsgraden i Svenska palliativregistret i sjukvårdsregionen",
        "Hur?": ("Sprida kunskap och kommunicera nyttan med registret i förbättringsarbeten till berörda "
                 "verksamheter i sjukvårdsregionen."),
        "Vem?": "VPK och RPO äldres hälsa och palliativ vård", "När?": "Löpande",
        "Uppföljning": "LG, SG (uppföljning av täckningsgrad i mars 2025)",
        "Ansvarig": "Regioner och kommuner med stöd av RCC Mellansverige och RPO äldres hälsa", "Tidsram": "2022–24",
        "Mätning": "Ej mätbart i panelen: Svenska palliativregistret finns inte i panelens data.",
    },
    {
        "Id": "6.2", "Kapitel": "Livskvalitet", "Område": "Stöd till patienter och närstående (tabell 1)",
        "Vad ska göras?": "Genomföra projekt för lokal stödverksamhet i regi av lokala cancerföreningar",
        "Mål": "Samverkansprojekt mellan patientföreningar ska initieras i samtliga sju regioner",
        "Hur?": ("Alla regioner ska erbjudas möjlighet att äska om medel enligt givet projektdirektiv för lokal "
                 "patientsamverkan (50 000 SEK/region). Kommunicera goda exempel via nyhetsbrev, PNR, webbplats och "
                 "utbildningsdag för PNF."),
        "Vem?": "VPK, kommunikatör", "När?": "Ansökan senast 30/4 2024", "Uppföljning": "LG, SG",
        "Ansvarig": "RCC Mellansverige", "Tidsram": "2024",
        "Mätning": "Ej mätbart i panelen: följs med statusanteckningar (antal regioner med startade projekt).",
        "Statusanteckningar": "240506: Ansökningar inkomna från fem av sju regioner (exempel).",
    },
]

GUIDE = [
    ("Så fyller du i planen", ""),
    ("", "Varje rad på bladet Plan är ett mål. Bara kolumnen Mål måste fyllas i; rubrikerna får skrivas med stora "
         "eller små bokstäver och med eller utan å, ä, ö. Beskrivning av formatet: docs/cancerplan.md."),
    ("Vad ska göras? Mål, Hur?, Vem?, När?, Uppföljning, Ansvarig, Tidsram", "Fri text, som i handlingsplanen."),
    ("Id", "Målets nummer, t.ex. 3.1. Används av bladet Statusanteckningar om du hellre skriver anteckningar där."),
    ("Kapitel", "Förebyggande, Tidig upptäckt, Diagnos och behandling eller Livskvalitet (EU:s cancerplan)."),
    ("Område", "Fri text, t.ex. handlingsplanens tabellrubrik."),
    ("Region", "Regionens namn eller kod (Uppsala, Region Uppsala, 03), en sjukvårdsregion (Mellansverige), "
               "'alla' (varje region i planens sjukvårdsregion) eller 'riket'. Flera åtskilda med komma. Tomt = "
               "hela sjukvårdsregionen."),
    ("Indikator", "Ett id ur panelens katalog (svf_inclusion, svf_within_target, svf_over_175, rcl_coverage, "
                  "register_coverage, register_reporting_90d, qi:nkbc04 …). Tomt = målet är ej mätbart."),
    ("Förlopp / Register", "Avgränsning: förloppets kod eller namn (brost, Bröstcancer) eller registrets kod eller "
                           "namn (nkbc). 'alla' = varje förlopp/register bedöms för sig."),
    ("Målvärde", "T.ex. 70 %, 85 eller 70,5. Skriv – för att visa indikatorn utan målvärde."),
    ("Riktning", "minst eller högst. Tomt = indikatorns egen riktning."),
    ("Måldatum", "År (2027) eller datum (2027-12-31). Målet bedöms på årets värde."),
    ("Mätning", "Hur målet mäts när formuleringen inte säger det (visas i uppföljningsrapportens bilaga)."),
    ("Statusanteckningar", "En anteckning per rad som börjar med datum: 240306: text (ÅÅMMDD) eller 2024-03-06: text."),
]


def _cell_text(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _check_inert(rows) -> None:
    """Nothing a spreadsheet would run: no cell may start with '=', '@' or '+'."""
    for row in rows:
        for v in row:
            text = _cell_text(v) if v is not None else ""
            if text[:1] in ("=", "@") or (text[:1] in ("+",) and len(text) > 1):
                raise ValueError(f"cell would be read as a formula: {text[:30]!r}")


def table_rows() -> list[list]:
    """The plan sheet as rows: title, note, sjukvårdsregion, an empty row, headings, goals."""
    rows = [[TITLE], [NOTE], ["Sjukvårdsregion", HEALTHCARE_REGION], [], COLUMNS]
    rows += [[g.get(c) for c in COLUMNS] for g in GOALS]
    _check_inert(rows)
    return rows


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    for row in table_rows():
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(italic=True)
    ws["A3"].font = Font(bold=True)
    header_row = 5
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"Id": 6, "Kapitel": 16, "Område": 24, "Vad ska göras?": 40, "Mål": 40, "Hur?": 40, "Vem?": 20,
              "När?": 12, "Uppföljning": 24, "Ansvarig": 28, "Tidsram": 10, "Region": 18, "Indikator": 22,
              "Förlopp": 10, "Register": 10, "Målvärde": 11, "Riktning": 9, "Måldatum": 12, "Mätning": 50,
              "Statusanteckningar": 50}
    for i, name in enumerate(COLUMNS):
        letter = ws.cell(row=header_row, column=i + 1).column_letter
        ws.column_dimensions[letter].width = widths[name]
    for row in ws.iter_rows(min_row=header_row + 1, max_row=ws.max_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=6)
    guide = wb.create_sheet("Så fyller du i")
    for row in GUIDE:
        guide.append(list(row))
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 40
    guide.column_dimensions["B"].width = 110
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.creator = "Indikatorpanelen (scripts/make_sample_plan.py)"
    wb.properties.title = TITLE
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_csv(path: Path) -> None:
    """The same plan as semicolon-separated UTF-8 with BOM (what Excel writes as 'CSV UTF-8')."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        for row in table_rows():
            w.writerow(["" if v is None else _cell_text(v) for v in row])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "data" / "plans"))
    args = p.parse_args(argv)
    out = Path(args.out)
    write_xlsx(out / f"{NAME}.xlsx")
    write_csv(out / f"{NAME}.csv")
    print(f"skrev {out / (NAME + '.xlsx')} och {out / (NAME + '.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
