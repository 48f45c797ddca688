"""A small extract set and plan for the plan views, the follow-up report and the Cancerplan page,
with every number the tests expect computed by hand here.

brost: lead-time limit 28 days (bundled targets); an episode is within at 10 days, not at 40
(40 ≤ 1.75·28 = 49: none is 'more than 75 % over'). prostata with end code 52 (drug): limit 50;
within at 10 days, not at 60.

  region          pathway   year  within/n   value
  03 Uppsala      brost     2021  12/20      60 %
                            2022  13/20      65 %
                            2023  14/20      70 %
                            2024  15/20      75 %
                            2025  15/20      75 %     trend +4,0 per year → 85 % in 2027
  04 Sörmland     brost     2025  28/40      70 %
  17 Värmland     brost     2025  12/20      60 %
  18 Örebro       brost     2025   2/3       too few: suppressed (n < 5)
                  prostata  2025   9/10      90 %     shown by the engine, but Örebro brost + prostata
                                                      (11/13) is shown too, so brost = pooled − prostata:
                                                      the plan output must hide prostata (its partner)
  21 Gävleborg    brost     2025   6/8       75 %     hidden by the engine beside Örebro in Mellansverige
  01 Stockholm    brost     2025  40/50      80 %

Örebro brost + prostata 2025: 11/13 = 84.6154 %. Mellansverige brost 2025:
15 + 28 + 12 + 2 + 6 = 63 of 20 + 40 + 20 + 3 + 8 = 91 → 69.2308 %.
Extract date 2026-06-30: 2025 is final (SVF matures in 2 months); the follow-up year is 2025.
"""

from __future__ import annotations

from datetime import date, timedelta

from extract_builder import episode, write_set

BLOCKS = [
    ("03", "brost", 2021, 12, 20), ("03", "brost", 2022, 13, 20), ("03", "brost", 2023, 14, 20),
    ("03", "brost", 2024, 15, 20), ("03", "brost", 2025, 15, 20),
    ("04", "brost", 2025, 28, 40), ("17", "brost", 2025, 12, 20),
    ("18", "brost", 2025, 2, 3), ("18", "prostata", 2025, 9, 10),
    ("21", "brost", 2025, 6, 8), ("01", "brost", 2025, 40, 50),
]
TINY = ("2 av 3", "66,7")  # Örebro brost 2025: never shown
PARTNER = ("9 av 10", "90,0")  # Örebro prostata 2025: hidden so the tiny group cannot be computed
HOSTILE_GOAL = "Alla regioner <b>fet</b> [klicka](http://x.invalid) :red[röd]"  # a goal with a chart
FORMULA_GOAL = "=HYPERLINK(\"http://x.invalid\";\"klicka\")"  # a goal without an indicator

HEADINGS = ["Id", "Kapitel", "Mål", "Region", "Indikator", "Förlopp", "Målvärde", "Måldatum", "Ansvarig", "Tidsram",
            "Statusanteckningar"]
GOALS = [
    ["up", "Diagnos och behandling", "Uppsala på väg", "Uppsala", "svf_within_target", "brost", "80", "2027",
     "SVF-samordnare", "2022–2027", "250115: Genomgång av helåret (exempel)."],
    ["pooled", "Diagnos och behandling", "Örebro bröst och prostata", "Örebro", "svf_within_target",
     "brost, prostata", "80", "2025", "", "", ""],
    ["prost", "Diagnos och behandling", "Örebro prostata", "Örebro", "svf_within_target", "prostata", "80", "2025",
     "", "", ""],
    ["brost", "Diagnos och behandling", "Örebro bröst", "Örebro", "svf_within_target", "brost", "80", "2025", "", "",
     ""],
    ["all", "Livskvalitet", HOSTILE_GOAL, "alla", "svf_within_target", "brost", "70", "2025", "", "", ""],
    ["noind", "Förebyggande", FORMULA_GOAL, "", "", "", "", "", "VPK <i>och</i> [länk](http://x.invalid)", "2024",
     ""],
]


def plan_csv(goals=None, preamble=("EXEMPEL – testplan",), headings=None) -> bytes:
    """The plan as the CSV a plan owner would save (';', UTF-8)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    for line in preamble:
        w.writerow([line])
    w.writerow(["Sjukvårdsregion", "Mellansverige"])
    w.writerow(headings or HEADINGS)
    for g in goals if goals is not None else GOALS:
        w.writerow(g)
    return buf.getvalue().encode("utf-8")


def episodes() -> list[dict]:
    rows = []
    for region, svf, year, within, n in BLOCKS:
        limit_ok, over = (10, 40) if svf == "brost" else (10, 60)
        code = "50" if svf == "brost" else "52"
        for i in range(n):
            start = date(year, 5, 1)
            days = limit_ok if i < within else over
            rows.append(episode(f"{svf[0]}{region}{year}{i}", svf, start.isoformat(),
                                (start + timedelta(days=days)).isoformat(), code, region=region,
                                sex="M" if svf == "prostata" else "K"))
    return rows


def write_plan_set(directory):
    return write_set(directory, extract_date="2026-06-30", empty_missing=False, svf_episodes=episodes())
