"""The plan views (views/plan.py): one row per unit and year with the engine's counts and the row's
cells; the whole plan output protected together (the disclosure audit over it, on a fixture where a
unit is tiny and on the example plan over the small generated set, and the audit biting on the
unprotected views); goals judged again on what is shown; the summary, the filters, the Swedish
tables and the figures. Hand-computed values are in tests/plan_fixture.py."""

from __future__ import annotations

import pytest

import textfmt as fmt
from charts import plan as cplan
from charts import render
from disclosure_audit import disclosed
from export import tables as xtables
from indicators import open_data
from indicators.plan import judge_plan
from plan_fixture import FORMULA_GOAL, HOSTILE_GOAL, plan_csv, write_plan_set
from views import context
from views.model import HIDDEN_SECONDARY
from views.plan import _raw_goal_view, plan_output

MONTHS_2025 = frozenset(f"2025-{m:02d}" for m in range(1, 13))


def domains(ds) -> dict:
    ctx = context(ds)
    return {d: ctx.domain(d) for d in ("region", "svf_code", "treatment_type", "sex", "register")}


def audit(views, doms) -> list:
    """The disclosure audit, one year at a time: every counted row of a plan view covers the months
    of one year (checked here), so no sum links two years and the audit's matrix is block-diagonal
    by year; auditing the blocks apart finds exactly what auditing the whole would, much faster."""
    years = set()
    for v in views:
        if v.table is not None and len(v.table):
            for cell in v.table["cell"]:
                spans = {m[:4] for m in cell.get("month")}
                assert len(spans) == 1, cell
                years |= spans
    found = []
    for year in sorted(years):
        part = [v.replace(table=v.table[[next(iter(c.get("month")))[:4] == year for c in v.table["cell"]]])
                for v in views if v.table is not None and len(v.table)]
        found += disclosed(part, doms)
    return found


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return open_data(write_plan_set(tmp_path_factory.mktemp("plan_views") / "set"))


@pytest.fixture(scope="module")
def out(ds):
    return plan_output(ds, plan_csv(), name="plan.csv", year=2025)


def result(out, goal_id, unit="Örebro"):
    found = [r for r in out.results if r.goal.id == goal_id and r.unit.label == unit]
    assert len(found) == 1, found
    return found[0]


def row(view, label, year):
    t = view.table
    rows = t[(t["label"] == label) & (t["year"] == year)].to_dict("records")
    assert len(rows) == 1, rows
    return rows[0]


def test_the_plan_is_read_whole(out):
    assert out.plan.problems == []
    assert [g.id for g in out.plan.goals] == ["up", "pooled", "prost", "brost", "all", "noind"]
    assert [v.id for v in out.goals] == [f"plan:mal:{g}" for g in ("up", "pooled", "prost", "brost", "all", "noind")]


def test_a_goal_view_has_a_row_per_unit_and_year_with_the_engines_counts_and_its_cells(out):
    v = out.goal_view("up")
    t = v.table
    # Uppsala brost 2021–2025: 12, 13, 14, 15, 15 of 20 (plan_fixture)
    assert list(t["year"]) == [2021, 2022, 2023, 2024, 2025]
    assert [int(x) for x in t["numerator"]] == [12, 13, 14, 15, 15]
    assert [float(x) for x in t["denominator"]] == [20.0] * 5
    assert [float(x) for x in t["value"]] == pytest.approx([60.0, 65.0, 70.0, 75.0, 75.0])
    cell = row(v, "Uppsala", 2025)["cell"]
    assert cell.family == "svf_lead_time"
    assert cell.get("region") == frozenset({"03"}) and cell.get("svf_code") == frozenset({"brost"})
    assert cell.get("month") == MONTHS_2025
    assert v.kind == "plan_goal" and v.options["layout"] == "trend" and v.options["goal_value"] == 80
    assert v.options["deadline_year"] == 2027


def test_a_pooled_goal_counts_both_pathways_in_one_cell(out):
    r = row(out.goal_view("pooled"), "Örebro", 2025)
    # Örebro 2025: brost 2 of 3 + prostata 9 of 10 = 11 of 13
    assert (int(r["numerator"]), float(r["denominator"])) == (11, 13.0)
    assert r["value"] == pytest.approx(84.61538461538461)
    assert r["cell"].get("svf_code") == frozenset({"brost", "prostata"})


def test_the_partner_that_would_give_a_tiny_group_back_is_hidden(out):
    # brost Örebro (2 of 3) is too small; pooled (11 of 13) minus prostata (9 of 10) would give it back,
    # so prostata is hidden as its partner, in the view and in the judged result
    tiny = row(out.goal_view("brost"), "Örebro", 2025)
    partner = row(out.goal_view("prost"), "Örebro", 2025)
    assert tiny["suppressed"] and tiny["hidden"] == "primary"
    assert partner["suppressed"] and partner["hidden"] == HIDDEN_SECONDARY
    for r in (tiny, partner):
        assert all(fmt.is_missing(r[c]) for c in ("numerator", "denominator", "value", "ci_low", "ci_high"))
    prost = result(out, "prost")
    assert prost.status == "insufficient" and prost.latest.protected and prost.latest.numerator is None
    assert "så att en liten grupp inte kan räknas fram" in prost.reason
    assert "9" not in prost.reason.replace("2025", "")
    assert result(out, "pooled").status == "met"


def test_the_audit_finds_the_leak_in_unprotected_views_and_none_in_the_plan_output(ds, out):
    ctx = context(ds)
    judged = judge_plan(ds, out.plan, 2025)
    raw = [_raw_goal_view(ctx, out.plan, 2025, g, [(i, r) for i, r in enumerate(judged) if r.goal.id == g.id])
           for g in out.plan.goals]
    leaks = audit(raw, domains(ds))
    assert leaks == disclosed(raw, domains(ds))  # by year or whole: the same finding
    assert [(vid, label) for vid, label, _ in leaks] == [("plan:mal:brost", "Örebro")]
    assert audit(list(out.goals), domains(ds)) == disclosed(list(out.goals), domains(ds)) == []


def test_the_example_plan_over_the_small_generated_set_passes_the_audit(small_data_dir):
    ds = open_data(small_data_dir)
    out = plan_output(ds)
    hidden = sum(int(v.table["suppressed"].sum()) for v in out.goals if v.table is not None and len(v.table))
    assert hidden > 0  # the small set has groups too small to show, so the audit has something to check
    assert audit(list(out.goals), domains(ds)) == []
    assert [g.id for g in out.plan.goals] == ["1.1", "2.1", "3.1", "3.2", "3.3", "3.4", "3.5", "4.1", "4.2", "4.3",
                                            "4.4", "5.1", "6.1", "6.2"]


def test_goals_are_judged_on_what_is_shown(out):
    up = result(out, "up", "Uppsala")
    # 60, 65, 70, 75, 75 (n 20 each): slope 4.0, line at 2027 = 69 + 4·4 = 85 ≥ 80, rising: på väg
    assert up.status == "on_track" and up.trend.slope == pytest.approx(4.0)
    assert up.trend.projection == pytest.approx(85.0)
    assert up.uncertain  # Wilson [53.1, 88.8] contains 80
    statuses = {r.unit.label: r.status for r in out.results if r.goal.id == "all"}
    assert statuses == {"Uppsala": "met", "Sörmland": "met", "Värmland": "not_met", "Örebro": "insufficient",
                        "Västmanland": "insufficient", "Dalarna": "insufficient", "Gävleborg": "insufficient"}
    assert result(out, "all", "Gävleborg").latest.protected  # hidden beside Örebro within Mellansverige
    assert result(out, "all", "Västmanland").reason.startswith("Inga data för 2025")


def test_summary_counts_statuses_per_chapter(out):
    # Förebyggande: noind (ej mätbar); Diagnos och behandling: up (på väg), pooled (uppnått), prost and brost
    # (otillräckligt); Livskvalitet: all × 7 (2 uppnått, 1 ej uppnått, 4 otillräckligt)
    assert out.summary.table.to_dict("records") == [
        {"Kapitel": "Förebyggande arbete", "Uppnått": 0, "På väg": 0, "Ej uppnått": 0, "Otillräckligt underlag": 0,
         "Ej mätbar": 1, "Totalt": 1},
        {"Kapitel": "Diagnos och behandling", "Uppnått": 1, "På väg": 1, "Ej uppnått": 0,
         "Otillräckligt underlag": 2, "Ej mätbar": 0, "Totalt": 4},
        {"Kapitel": "Livskvalitet för patienter och canceröverlevare", "Uppnått": 2, "På väg": 0, "Ej uppnått": 1,
         "Otillräckligt underlag": 4, "Ej mätbar": 0, "Totalt": 7},
        {"Kapitel": "Alla kapitel", "Uppnått": 3, "På väg": 1, "Ej uppnått": 1, "Otillräckligt underlag": 6,
         "Ej mätbar": 1, "Totalt": 12},
    ]


def test_filters_leave_out_goals_and_units_and_recount(out):
    orebro = out.filtered(units=["Örebro"])
    assert [v.id for v in orebro.goals] == ["plan:mal:pooled", "plan:mal:prost", "plan:mal:brost", "plan:mal:all"]
    assert set(orebro.goal_view("all").table["label"]) == {"Örebro"}
    assert orebro.summary.table.iloc[-1].to_dict() == {
        "Kapitel": "Alla kapitel", "Uppnått": 1, "På väg": 0, "Ej uppnått": 0, "Otillräckligt underlag": 3,
        "Ej mätbar": 0, "Totalt": 4}
    assert len(orebro.results_view.table) == 4
    life = out.filtered(chapters=["livskvalitet"])
    assert [v.id for v in life.goals] == ["plan:mal:all"] and len(life.results) == 7
    assert out.filtered() is out
    assert out.all_units() == ["Uppsala", "Örebro", "Sörmland", "Värmland", "Västmanland", "Dalarna", "Gävleborg",
                               "Mellansverige"]


def test_goal_tables_say_why_a_row_has_no_counts(ds, out):
    cat = ds.catalogue()
    up = xtables.frame(out.goal_view("up"), cat)
    last = up.iloc[-1].to_dict()
    assert (last["Enhet"], last["År"], last["Andel (%)"], last["Täljare"], last["Nämnare"]) == \
        ("Uppsala", 2025, 75, 15, 20)
    assert last["Når målvärdet"] == "nej" and last["Status 2025"] == "På väg (osäkert)"
    assert up.iloc[0]["Status 2025"] == ""  # the status stands on the follow-up year's row
    prost = xtables.frame(out.goal_view("prost"), cat).iloc[-1].to_dict()
    assert prost["Andel (%)"] == prost["Täljare"] == prost["Nämnare"] == fmt.SUPPRESSED_SECONDARY
    assert prost["Status 2025"] == "Otillräckligt underlag"
    brost = xtables.frame(out.goal_view("brost"), cat).iloc[-1].to_dict()
    assert brost["Andel (%)"] == brost["Täljare"] == fmt.SUPPRESSED


def test_results_and_measurement_tables(out):
    t = out.results_view.table
    row_ = t[(t["Id"] == "pooled")].iloc[0]
    assert (row_["Enhet"], row_["Status"], row_["Täljare"], row_["Nämnare"]) == ("Örebro", "Uppnått", 11, 13.0)
    hidden = t[(t["Id"] == "prost")].iloc[0]
    assert fmt.is_missing(hidden["Värde"]) and fmt.is_missing(hidden["Täljare"]) and hidden["För få fall"] == "ja"
    m = out.measurement.table.set_index("Id")
    assert m.loc["up", "Mäts som"] == "Inom ledtid minst 80 % senast 2027"
    assert m.loc["noind", "Mäts som"] == "ej mätbart i panelen (ingen indikator)"
    a = out.appendix.table
    assert list(a["Id"]) == ["svf_within_target"] and a.iloc[0]["Används av mål"] == "up, pooled, prost, brost, all"
    assert a.iloc[0]["Om indikatorn"].startswith("Andelen av de patienter")


def test_user_written_goal_texts_are_inert_in_files_and_escaped_in_figures(ds, out):
    csv = xtables.to_csv_bytes(out.results_view, out.identity, ds.catalogue()).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and ";=HYPERLINK" not in csv and "\n=HYPERLINK" not in csv
    fig = render.figure(out.goal_view("all"))
    assert "&lt;b&gt;fet&lt;/b&gt;" in fig.layout.title.text and "<b>fet</b>" not in fig.layout.title.text
    assert FORMULA_GOAL in out.goal_view("noind").notes[0] and HOSTILE_GOAL in out.goal_view("all").notes[0]


def test_the_trend_figure_draws_values_goal_line_deadline_and_the_deciding_trend(out):
    v = out.goal_view("up")
    fig = render.figure(v)
    series = [tr for tr in fig.data if tr.name == "↗ Uppsala" and tr.mode == "markers"]
    assert len(series) == 1 and list(series[0].x) == [2021, 2022, 2023, 2024, 2025]
    assert [float(y) for y in series[0].y] == pytest.approx([60.0, 65.0, 70.0, 75.0, 75.0])
    lines = {(s.type, s.y0 if s.type == "line" else None) for s in fig.layout.shapes}
    assert any(s.type == "line" and s.y0 == 80 and s.y1 == 80 for s in fig.layout.shapes)  # the goal
    assert any(s.type == "line" and s.x0 == 2027 and s.x1 == 2027 for s in fig.layout.shapes), lines  # the deadline
    trend = [tr for tr in fig.data if tr.mode == "lines" and tr.line.dash == "dot" and list(tr.x)[-1] == 2027]
    # the weighted line through 2021–2025 (level 69 at 2023, slope 4): 61 … 85
    assert len(trend) == 1 and [float(y) for y in trend[0].y] == pytest.approx([61, 65, 69, 73, 77, 81, 85])


def test_the_bars_figure_colours_each_series_by_status_best_first(out):
    v = out.goal_view("all")
    fig = cplan.goal_bars(v)
    bars = fig.data[0]
    assert list(bars.y)[:3] == ["Uppsala", "Sörmland", "Värmland"]
    assert [float(x) for x in list(bars.x)[:3]] == pytest.approx([75.0, 70.0, 60.0])
    from charts import theme

    assert list(bars.marker.color)[:3] == [theme.PLAN_STATUS_COLORS["met"]] * 2 + [theme.PLAN_STATUS_COLORS["not_met"]]
    hidden = [y for y, x in zip(bars.y, bars.x) if x != x]
    assert set(hidden) == {"Örebro", "Västmanland", "Dalarna", "Gävleborg"}


def test_many_series_are_drawn_as_bars_and_split_over_slides_in_their_order():
    import pandas as pd

    from views.model import View
    from views.plan import goal_slide_parts

    labels = [f"Förlopp {i:02d}" for i in range(30)]
    table = pd.DataFrame({"label": labels, "year": 2025, "value": [float(i) for i in range(30)]})
    v = View("plan:mal:x", "plan_goal", "Mål x", "", table, options={"year": 2025, "direction": "higher",
                                                                     "layout": "bars", "max_trend_series": 8})
    parts = goal_slide_parts(v)
    # best first: 29, 28, … so the first slide holds Förlopp 29 … 18
    assert [len(p.table) for p in parts] == [12, 12, 6]
    assert list(parts[0].table["label"]) == labels[18:]
    assert [p.title for p in parts] == ["Mål x (1/3)", "Mål x (2/3)", "Mål x (3/3)"]
