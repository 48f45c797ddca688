"""Status of plan goals (indicators/plan/status.py): each rule against hand-computed values, first on
plain series (decide, fit_trend), then through the engine on a small extract set (judge_plan), with
suppression: a goal over a tiny group is 'otillräckligt underlag' and carries no counts."""

from __future__ import annotations

from datetime import date

import pytest

from extract_builder import write_set
from indicators import open_data
from indicators.plan import (
    YearValue,
    decide,
    default_year,
    fit_trend,
    judge_plan,
    linked_indicators,
    read_plan,
    results_table,
    summary,
)


def series(*points, provisional_from: int | None = None):
    """YearValues from (year, value, denominator) triples; value None = suppressed."""
    out = []
    for year, value, n in points:
        prov = provisional_from is not None and year >= provisional_from
        if value is None:
            out.append(YearValue(year, True, True, prov))
        else:
            out.append(YearValue(year, True, False, prov, None, float(n), float(value)))
    return out


# -- the rules on plain series -----------------------------------------------------------------------

def test_trend_is_least_squares_weighted_by_the_denominators():
    # t 2023, 2024, 2025; values 50, 70, 70; weights 10, 50, 40.
    # anchor = (10·2023 + 50·2024 + 40·2025)/100 = 2024.3; level = (500 + 3500 + 2800)/100 = 68
    # slope = Σw(t−2024.3)(v−68) / Σw(t−2024.3)² = (10·1.3·18 − 50·0.3·2 + 40·0.7·2) / (16.9 + 4.5 + 19.6)
    #       = 260/41 = 6.341463…; at 2026: 68 + 6.341463·1.7 = 78.780488
    # (unweighted it would be 63.33 + 10·2 = 83.33: the small first year must not count as much)
    t = fit_trend(series((2023, 50, 10), (2024, 70, 50), (2025, 70, 40)), 2025)
    assert t.years == (2023, 2024, 2025)
    assert t.anchor == pytest.approx(2024.3)
    assert t.level == pytest.approx(68.0)
    assert t.slope == pytest.approx(260 / 41)
    assert t.at(2026) == pytest.approx(78.78048780487805)


def test_trend_uses_the_last_five_years_and_needs_three_shown_values():
    # 2020 lies outside 2021–2025 and the suppressed 2024 does not count: 2021, 2023, 2025 remain
    s = series((2020, 0, 100), (2021, 60, 20), (2022, None, 0), (2023, 70, 20), (2024, None, 0), (2025, 80, 20))
    t = fit_trend(s, 2025)
    assert t.years == (2021, 2023, 2025) and t.slope == pytest.approx(5.0) and t.level == pytest.approx(70.0)
    assert fit_trend(series((2024, 60, 20), (2025, 70, 20)), 2025) is None


# Uppsala-like series: 60, 65, 70, 75, 75 with n = 20 each, 2021–2025.
# Unweighted (equal weights): mean year 2023, mean 69; slope = (−2·−9 −1·−4 + 0 + 1·6 + 2·6)/10 = 4.0
# Line at 2026 = 69 + 3·4 = 81; at 2027 = 85.
RISING = series((2021, 60, 20), (2022, 65, 20), (2023, 70, 20), (2024, 75, 20), (2025, 75, 20))


@pytest.mark.parametrize("goal, deadline, status, projection", [
    (80, date(2027, 12, 31), "on_track", 85.0),   # misses now, trend reaches 80 by 2027
    (80, date(2026, 12, 31), "on_track", 81.0),
    (90, date(2027, 12, 31), "not_met", 85.0),    # trend does not reach 90 by 2027
    (80, date(2025, 12, 31), "not_met", None),    # the deadline year is the follow-up year: judged on it
    (80, date(2024, 12, 31), "not_met", None),    # deadline passed
    (80, None, "not_met", None),                  # no deadline: no 'på väg'
    (75, date(2027, 12, 31), "met", 85.0),        # 75 ≥ 75: met (the engine's ≥ test)
])
def test_status_rules_for_a_rising_series(goal, deadline, status, projection):
    got, reason, trend, _ = decide(RISING, 2025, goal, "higher", deadline)
    assert got == status, reason
    assert (trend.projection if trend else None) == (pytest.approx(projection) if projection else None)
    assert trend.slope == pytest.approx(4.0)


def test_reason_texts_say_value_goal_and_trend_in_swedish():
    _, reason, _, _ = decide(RISING, 2025, 80, "higher", date(2027, 12, 31))
    assert reason == ("2025: 75,0 % (mål minst 80 % senast 2027) – inte nått än, men trenden (+4,0 procentenheter "
                      "per år) ger 85,0 % år 2027.")
    _, reason, _, _ = decide(RISING, 2025, 80, "higher", date(2024, 12, 31))
    assert reason == "2025: 75,0 % (mål minst 80 % senast 2024) – målet är inte nått och måldatum har passerat."


def test_a_projection_that_reaches_the_goal_while_the_trend_goes_the_wrong_way_is_not_on_track():
    # 100, 100, 100, 100, 75: mean 95 at 2023; slope = (−2·5 −1·5 + 0 + 1·5 + 2·−20)/10 = −5
    # line at 2026 = 95 − 5·3 = 80 ≥ 80, but the values are falling: ej uppnått
    s = series((2021, 100, 20), (2022, 100, 20), (2023, 100, 20), (2024, 100, 20), (2025, 75, 20))
    status, _, trend, _ = decide(s, 2025, 80, "higher", date(2026, 12, 31))
    assert trend.slope == pytest.approx(-5.0) and trend.projection == pytest.approx(80.0)
    assert status == "not_met"


def test_an_exact_share_meets_its_goal_despite_float_rounding():
    # 57/100 is 56.99999999999999 % in floating point; 57 % is the goal
    s = [YearValue(2025, True, False, False, 57, 100.0, 57 / 100 * 100)]
    assert s[0].value < 57
    assert decide(s, 2025, 57, "higher", None)[0] == "met"
    assert decide(s, 2025, 56.9, "lower", None)[0] == "not_met"


def test_lower_is_better_goals():
    # 30, 25, 20 (n 10 each): slope −5; line at 2027 = 25 − 5·3 = 10 ≤ 12: on track
    s = series((2023, 30, 10), (2024, 25, 10), (2025, 20, 10))
    assert decide(s, 2025, 12, "lower", date(2027, 12, 31))[0] == "on_track"
    assert decide(s, 2025, 9, "lower", date(2027, 12, 31))[0] == "not_met"   # 10 > 9
    assert decide(s, 2025, 20, "lower", None)[0] == "met"                    # 20 ≤ 20
    assert decide(s, 2025, 19.9, "lower", None)[0] == "not_met"


def test_projection_of_a_share_stays_within_0_and_100():
    # 80, 90, 99: slope 9.5, line at 2028 = 89.67 + 9.5·4 = 127.7 → 100
    s = series((2023, 80, 10), (2024, 90, 10), (2025, 99, 10))
    _, _, trend, _ = decide(s, 2025, 99.5, "higher", date(2028, 12, 31))
    assert trend.projection == 100.0
    s = series((2023, 20, 10), (2024, 10, 10), (2025, 1, 10))
    _, _, trend, _ = decide(s, 2025, 0.5, "lower", date(2028, 12, 31))
    assert trend.projection == 0.0


@pytest.mark.parametrize("points, deadline, message", [
    (((2024, 70, 20), (2025, None, 0)), date(2027, 12, 31), "2025: otillräckligt underlag"),
    (((2023, 70, 20), (2024, 70, 20)), date(2027, 12, 31), "Inga data för 2025"),
    (((2024, 60, 20), (2025, 70, 20)), date(2027, 12, 31), "2 av minst 3 år 2021–2025"),
])
def test_insufficient_basis(points, deadline, message):
    status, reason, _, _ = decide(series(*points), 2025, 80, "higher", deadline)
    assert status == "insufficient" and message in reason


def test_two_years_are_enough_when_no_trend_is_needed():
    assert decide(series((2024, 60, 20), (2025, 85, 20)), 2025, 80, "higher", date(2027, 12, 31))[0] == "met"
    assert decide(series((2024, 60, 20), (2025, 70, 20)), 2025, 80, "higher", date(2025, 12, 31))[0] == "not_met"


@pytest.mark.parametrize("low, high, goal, direction, expected", [
    (81.0, 90.0, 80, "higher", "met"),        # the whole interval above the goal
    (70.0, 85.0, 80, "higher", "uncertain"),  # the interval contains the goal
    (60.0, 79.0, 80, "higher", "not_met"),
    (5.0, 9.0, 10, "lower", "met"),
    (9.0, 12.0, 10, "lower", "uncertain"),
])
def test_interval_judgement_follows_fingertips(low, high, goal, direction, expected):
    s = [YearValue(2025, True, False, False, 30, 40.0, (low + high) / 2, low, high)]
    assert decide(s, 2025, goal, direction, None)[3] == expected


# -- through the engine --------------------------------------------------------------------------------
# brost: lead-time limit 28 days (bundled targets, 'any'); an episode is within when its lead time is
# 10 days and not when it is 40 (40 ≤ 1.75·28 = 49, so none is 'more than 75 % over').
# prostata, end code 52 (drug): limit 50; within at 10 days, not at 60.
#
#  region          year  within/n       value
#  03 Uppsala      2021  12/20          60 %
#                  2022  13/20          65 %
#                  2023  14/20          70 %
#                  2024  15/20          75 %
#                  2025  15/20          75 %   Wilson 95 % [53.13, 88.81]
#  04 Sörmland     2023   5/10          50 %
#                  2024  35/50          70 %
#                  2025  28/40          70 %
#  17 Värmland     2024  10/20          50 %
#                  2025  12/20          60 %
#  18 Örebro       2025   2/3           suppressed (n < 5)
#  21 Gävleborg    2025   6/8           suppressed beside Örebro (complementary, smallest shown in
#                                       Mellansverige 2025)
#  01 Stockholm    2025  40/50          80 %   Wilson 95 % [66.96, 88.76]
#                  2025  prostata 4/5   80 %
# Mellansverige 2025 (brost): 63/91 = 69.2308 % (Wilson [59.13, 77.77]); riket 2025 (brost): 103/141 = 73.0496 %.
# Extract date 2026-06-30: 2025 is not provisional (SVF maturity 2 months).

BLOCKS = [
    ("03", 2021, 12, 20), ("03", 2022, 13, 20), ("03", 2023, 14, 20), ("03", 2024, 15, 20), ("03", 2025, 15, 20),
    ("04", 2023, 5, 10), ("04", 2024, 35, 50), ("04", 2025, 28, 40),
    ("17", 2024, 10, 20), ("17", 2025, 12, 20),
    ("18", 2025, 2, 3), ("21", 2025, 6, 8), ("01", 2025, 40, 50),
]


def _episodes(lead):
    eps = []
    for region, year, within, n in BLOCKS:
        for i in range(n):
            eps.append(lead(f"b{region}{year}{i}", "brost", f"{year}-05-01", 10 if i < within else 40, "50",
                            region=region))
    for i in range(5):
        eps.append(lead(f"p01{i}", "prostata", "2025-05-01", 10 if i < 4 else 60, "52", region="01", sex="M"))
    return eps


@pytest.fixture(scope="module")
def plan_data(tmp_path_factory, lead):
    d = write_set(tmp_path_factory.mktemp("plan_status"), extract_date="2026-06-30", empty_missing=False,
                  svf_episodes=_episodes(lead))
    return open_data(d)


PLAN = """\
Id;Kapitel;Mål;Region;Indikator;Förlopp;Målvärde;Måldatum
ontrack;Diagnos och behandling;På väg;Uppsala;svf_within_target;brost;80;2027
weighted;Diagnos och behandling;Vägd trend;Sörmland;svf_within_target;brost;80;2026
few;Diagnos och behandling;Två år;Värmland;svf_within_target;brost;80;2027
fewdue;Diagnos och behandling;Två år, måldatum nu;Värmland;svf_within_target;brost;80;2025
tiny;Diagnos och behandling;Liten grupp;Örebro;svf_within_target;brost;80;2027
partner;Diagnos och behandling;Granne till liten grupp;Gävleborg;svf_within_target;brost;80;2027
many;Diagnos och behandling;Flera enheter;Mellansverige, Örebro, riket;svf_within_target;brost;60;2027
certain;Livskvalitet;Säkert uppnått;Stockholm;svf_within_target;brost;60;2025
uncertain;Livskvalitet;Osäkert uppnått;Stockholm;svf_within_target;brost;80;2025
split;Livskvalitet;Varje förlopp;Stockholm;svf_within_target;alla;80;2025
context;;Lång väntan som underlag;Uppsala;svf_over_175;brost;–;
noind;;Ej mätbart;Uppsala;;;;
missingtable;;Läkemedel;Uppsala;rcl_coverage;;85;2025
"""


@pytest.fixture(scope="module")
def judged(plan_data):
    plan = read_plan(PLAN.encode(), name="plan.csv", ds=plan_data)
    assert plan.problems == []
    results = judge_plan(plan_data, plan, 2025)
    return {(r.goal.id, r.unit.label, r.part_label): r for r in results}, results


def one(judged, goal_id):
    found = [r for (g, _, _), r in judged[0].items() if g == goal_id]
    assert len(found) == 1, found
    return found[0]


def test_on_track_goal_through_the_engine(judged):
    r = one(judged, "ontrack")
    assert (r.status, r.status_label) == ("on_track", "På väg")
    assert (r.latest.numerator, r.latest.denominator, r.latest.value) == (15, 20.0, pytest.approx(75.0))
    assert r.latest.ci_low == pytest.approx(53.1299122, abs=1e-4)
    assert r.latest.ci_high == pytest.approx(88.8138299, abs=1e-4)
    assert [p.year for p in r.series] == [2021, 2022, 2023, 2024, 2025]
    assert [p.value for p in r.series] == pytest.approx([60.0, 65.0, 70.0, 75.0, 75.0])
    assert r.trend.slope == pytest.approx(4.0) and r.trend.projection == pytest.approx(85.0)
    assert r.trend.projection_year == 2027
    assert r.ci_judgement == "uncertain" and r.uncertain is True  # [53.1, 88.8] contains 80


def test_trend_weighting_through_the_engine(judged):
    r = one(judged, "weighted")
    # see test_trend_is_least_squares_weighted_by_the_denominators: 78.780488 at 2026 < 80
    assert r.status == "not_met"
    assert r.trend.projection == pytest.approx(78.78048780487805)
    # 2021 and 2022 have no Sörmland episodes: in the series, without data
    assert [(p.year, p.has_data) for p in r.series] == [(2021, False), (2022, False), (2023, True), (2024, True),
                                                       (2025, True)]


def test_too_few_years_for_a_trend_is_insufficient_only_when_a_trend_is_needed(judged):
    assert one(judged, "few").status == "insufficient"
    r = one(judged, "fewdue")
    assert r.status == "not_met" and r.latest.value == pytest.approx(60.0)


def test_a_goal_over_a_tiny_group_is_insufficient_and_carries_no_counts(judged):
    r = one(judged, "tiny")
    assert r.status == "insufficient" and r.status_label == "Otillräckligt underlag"
    p = r.latest
    assert p.suppressed and p.has_data
    assert (p.numerator, p.denominator, p.value, p.ci_low, p.ci_high) == (None, None, None, None, None)
    assert r.ci_judgement is None and r.uncertain is False
    row = results_table([r]).iloc[0]
    assert all(row[c] is None for c in ("Värde", "Täljare", "Nämnare", "KI låg", "KI hög"))
    assert "3" not in r.reason and "2" not in r.reason.replace("2025", "").replace("2027", "")


def test_a_region_beside_a_suppressed_one_is_suppressed_too(judged):
    # Gävleborg has 8 episodes, but with Örebro alone suppressed in Mellansverige 2025 its count could be
    # recovered from the sjukvårdsregion's total: the smallest shown region (Gävleborg) is hidden too
    r = one(judged, "partner")
    assert r.status == "insufficient" and r.latest.suppressed and r.latest.value is None


def test_a_goal_with_several_units_shows_each_in_order(judged):
    rs = [r for r in judged[1] if r.goal.id == "many"]
    assert [r.unit.label for r in rs] == ["Mellansverige", "Örebro", "Riket"]
    mellan, orebro, riket = rs
    assert (mellan.status, mellan.latest.numerator, mellan.latest.denominator) == ("met", 63, 91.0)
    assert mellan.latest.value == pytest.approx(69.23076923076923)
    assert mellan.latest.ci_low == pytest.approx(59.1305028, abs=1e-4)  # below 60: not certain
    assert mellan.uncertain
    assert orebro.status == "insufficient" and orebro.latest.value is None
    assert (riket.status, riket.latest.numerator, riket.latest.denominator) == ("met", 103, 141.0)
    assert riket.latest.value == pytest.approx(73.04964539007092)


def test_met_with_and_without_a_confirming_interval(judged):
    certain, uncertain = one(judged, "certain"), one(judged, "uncertain")
    # 40/50 = 80 %, Wilson [66.96, 88.76]: above 60 entirely; contains 80
    assert (certain.status, certain.ci_judgement, certain.uncertain) == ("met", "met", False)
    assert (uncertain.status, uncertain.ci_judgement, uncertain.uncertain) == ("met", "uncertain", True)
    assert uncertain.latest.ci_low == pytest.approx(66.9628941, abs=1e-4)


def test_all_pathways_gives_one_result_per_pathway(judged):
    rs = [r for r in judged[1] if r.goal.id == "split"]
    assert [(r.part, r.part_label, r.unit_label) for r in rs] == [
        (("svf_code", "brost"), "Bröstcancer", "Stockholm – Bröstcancer"),
        (("svf_code", "prostata"), "Prostatacancer", "Stockholm – Prostatacancer"),
    ]
    assert [(r.status, r.latest.numerator, r.latest.denominator) for r in rs] == [("met", 40, 50.0), ("met", 4, 5.0)]


def test_an_indicator_followed_without_a_goal_value_is_not_measurable_but_shown(judged):
    r = one(judged, "context")
    assert r.status == "not_measurable" and r.status_label == "Ej mätbar"
    assert (r.latest.numerator, r.latest.denominator, r.latest.value) == (0, 20, 0.0)
    assert r.reason.startswith("2025: 0,0 %.")


def test_a_goal_without_an_indicator_is_not_measurable(judged):
    r = one(judged, "noind")
    assert (r.status, r.latest, r.series, r.indicator) == ("not_measurable", None, (), None)


def test_a_goal_whose_table_is_missing_is_insufficient_with_the_reason(judged):
    r = one(judged, "missingtable")
    assert r.status == "insufficient" and "drug_treatments" in r.reason


def test_summary_counts_results_per_chapter(judged):
    table = summary(judged[1])
    # Diagnos och behandling: ontrack (på väg), weighted (ej), few (otillr.), fewdue (ej), tiny (otillr.),
    #   partner (otillr.), many ×3 (2 uppnått, 1 otillr.) = 9
    # Livskvalitet: certain, uncertain, split ×2: 4 uppnått
    # Utan kapitel: context, noind (ej mätbar), missingtable (otillr.) = 3
    assert table.to_dict("records") == [
        {"Kapitel": "Diagnos och behandling", "Uppnått": 2, "På väg": 1, "Ej uppnått": 2,
         "Otillräckligt underlag": 4, "Ej mätbar": 0, "Totalt": 9},
        {"Kapitel": "Livskvalitet för patienter och canceröverlevare", "Uppnått": 4, "På väg": 0, "Ej uppnått": 0,
         "Otillräckligt underlag": 0, "Ej mätbar": 0, "Totalt": 4},
        {"Kapitel": "Utan kapitel", "Uppnått": 0, "På väg": 0, "Ej uppnått": 0, "Otillräckligt underlag": 1,
         "Ej mätbar": 2, "Totalt": 3},
        {"Kapitel": "Alla kapitel", "Uppnått": 6, "På väg": 1, "Ej uppnått": 2, "Otillräckligt underlag": 5,
         "Ej mätbar": 2, "Totalt": 16},
    ]


def test_a_provisional_follow_up_year_is_marked(tmp_path, lead):
    d = write_set(tmp_path / "early", extract_date="2026-01-15", empty_missing=False, svf_episodes=_episodes(lead))
    ds = open_data(d)
    plan = read_plan(PLAN.encode(), name="plan.csv", ds=ds)
    r = next(r for r in judge_plan(ds, plan, 2025) if r.goal.id == "ontrack")
    assert r.latest.provisional and r.trend.includes_provisional
    assert "Preliminärt: 2025 är inte färdigrapporterat." in r.reason
    assert default_year(ds) == 2025


def test_earlier_follow_up_year_uses_only_data_up_to_it(judged, plan_data):
    plan = read_plan(PLAN.encode(), name="plan.csv", ds=plan_data)
    r = next(r for r in judge_plan(plan_data, plan, 2024) if r.goal.id == "ontrack")
    # 60, 65, 70, 75 over 2021–2024: slope 5, mean 67.5 at 2022.5; at 2027: 67.5 + 5·4.5 = 90
    assert [p.year for p in r.series] == [2021, 2022, 2023, 2024]
    assert r.latest.value == pytest.approx(75.0)
    assert r.trend.slope == pytest.approx(5.0) and r.trend.projection == pytest.approx(90.0)
    assert r.status == "on_track"


def test_linked_indicators_are_listed_once_in_plan_order(judged):
    # svf_within_target (many goals), svf_over_175 (context), rcl_coverage (linked, though not computable here)
    assert [i.id for i in linked_indicators(judged[1])] == ["svf_within_target", "svf_over_175", "rcl_coverage"]
    assert linked_indicators(judged[1])[0].texts["om"].startswith("Andelen av de patienter")
