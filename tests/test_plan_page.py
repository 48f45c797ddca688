"""AppTest of the Cancerplan page (app_pages/9_Cancerplan.py) and the meeting pack's plan preset: the
example plan on the small generated set; a plan owner's file with bad rows (every error listed with
row and column, the other goals shown, no traceback); a file that cannot be read at all (one clear
message); user-written texts shown as characters; the chapter and unit filters; the results table
downloads; the pack preset building the plan's follow-up in one click."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from plan_fixture import FORMULA_GOAL, GOALS, HOSTILE_GOAL, plan_csv, write_plan_set

ROOT = Path(__file__).resolve().parents[1]
PAGE = "app_pages/9_Cancerplan.py"
SOURCE_KEY = "_cancerplan_source"


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    return write_plan_set(tmp_path_factory.mktemp("plan_page") / "set")


@pytest.fixture()
def page(monkeypatch):
    """page(data_dir, plan=None (the example) | (bytes, name), page=PAGE) → a finished AppTest."""

    def run(data_dir, plan=None, page_file=PAGE) -> AppTest:
        monkeypatch.setenv("INDIKATORPANELEN_DATA", str(data_dir))
        monkeypatch.delenv("INDIKATORPANELEN_STORE", raising=False)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        if plan is not None:
            at.session_state[SOURCE_KEY] = {"data": plan[0], "name": plan[1]}
        at.run()
        at.switch_page(page_file).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def plain(text: str) -> str:
    """Markdown-escaped text as the reader sees it (the backslashes of textfmt.safe.md removed)."""
    return re.sub(r"\\(.)", r"\1", text)


def goal_headings(at) -> list[str]:
    """Goal headings as shown ('Mål 3.1: …'); the raw markdown is at.markdown."""
    return [plain(m.value)[5:] for m in at.markdown if m.value.startswith("#### Mål")]


def shown(elements) -> str:
    return "\n".join(plain(e.value) for e in elements)


def test_the_example_plan_on_the_sample_data(page, small_data_dir):
    at = page(small_data_dir)
    assert at.title[0].value == "Cancerplan"
    subheaders = [h.value for h in at.subheader]
    assert subheaders[0] == "Sammanfattning"
    assert {"Förebyggande arbete", "Diagnos och behandling", "Livskvalitet för patienter och canceröverlevare"} \
        <= set(subheaders)
    headings = goal_headings(at)
    assert len(headings) == 14 and headings[2] == "Mål 3.1: Uppnå inklusionsmålet mer än 70 %"
    assert len(at.get("plotly_chart")) >= 5  # the summary and the goals with an indicator
    assert "exempel_rcc_mellansverige.xlsx" in shown(at.markdown)
    assert not at.error and not at.warning


def test_an_uploaded_plan_with_bad_rows_lists_each_error_and_shows_the_rest(page, plan_dir):
    goals = GOALS[:2] + [["bad1", "", "Fel region", "Sormland", "", "", "", "", "", "", ""],
                         ["bad2", "", "Fel värde", "Uppsala", "svf_within_target", "brost", "sjuttio", "2027", "", "",
                          ""]]
    at = page(plan_dir, (plan_csv(goals), "vår plan.csv"))
    assert shown(at.warning) == "2 rader i vår plan.csv har fel och är utelämnade. Övriga mål visas."
    listed = shown(at.markdown)
    # rows as the spreadsheet numbers them: title, Sjukvårdsregion, headings, two goals, then the bad ones
    assert "vår plan.csv, rad 6, kolumn Region: okänd region 'Sormland' (menade du Sörmland?)" in listed
    assert "vår plan.csv, rad 7, kolumn Målvärde: 'sjuttio' är inget målvärde" in listed
    assert [h.split(":")[0] for h in goal_headings(at)] == ["Mål up", "Mål pooled"]
    assert not at.error


def test_a_file_that_cannot_be_read_gives_one_message(page, plan_dir):
    at = page(plan_dir, (b"PK\x03\x04 inte en arbetsbok", "plan.xlsx"))
    assert len(at.error) == 1
    assert plain(at.error[0].value).startswith("Planen kunde inte läsas: plan.xlsx: filen kunde inte läsas som Excel")
    assert goal_headings(at) == [] and "Traceback" not in at.error[0].value


def test_user_written_texts_are_shown_as_characters(page, plan_dir):
    at = page(plan_dir, (plan_csv(), "plan.csv"))
    headings = goal_headings(at)
    assert headings[4] == f"Mål all: {HOSTILE_GOAL}" and headings[5] == f"Mål noind: {FORMULA_GOAL}"
    raw = [m.value for m in at.markdown if m.value.startswith("#### Mål all")][0]
    # every character that would make a link, a style or markup is escaped
    for active in ("[klicka]", "](http", ":red[", "<b>"):
        assert active not in raw, active
    responsible = [m.value for m in at.markdown if m.value.startswith("**Ansvarig**")][-1]
    assert plain(responsible).endswith("VPK <i>och</i> [länk](http://x.invalid)")
    assert "[länk](" not in responsible and "<i>" not in responsible


def test_chapter_and_unit_filters(page, plan_dir):
    at = page(plan_dir, (plan_csv(), "plan.csv"))
    at.multiselect(key="cp_enheter").set_value(["Örebro"]).run()
    assert not at.exception
    assert [h.split(":")[0] for h in goal_headings(at)] == ["Mål pooled", "Mål prost", "Mål brost", "Mål all"]
    at.multiselect(key="cp_enheter").set_value([]).run()
    at.multiselect(key="cp_kapitel").set_value(["livskvalitet"]).run()
    assert [h.split(":")[0] for h in goal_headings(at)] == ["Mål all"]


def test_the_results_table_can_be_downloaded(page, plan_dir):
    at = page(plan_dir, (plan_csv(), "plan.csv"))
    keys = {b.proto.id for b in at.get("download_button")}
    assert any("cp_resultat_csv" in k for k in keys) and any("cp_resultat_xlsx" in k for k in keys)


def test_the_pack_preset_builds_the_plans_follow_up(page, plan_dir):
    at = page(plan_dir, (plan_csv(GOALS[:2]), "plan.csv"), page_file="app_pages/8_Motespaket.py")
    at.selectbox(key="mp_preset").set_value("cancerplan").run()
    assert "för planen plan.csv och uppföljningsår 2025" in shown(at.caption)
    at.button(key="mp_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    listed = [plain(m.value) for m in at.markdown]
    assert any(v.startswith("1. **EXEMPEL – testplan – uppföljning 2025**") for v in listed)
    assert any("**Mål up: Uppsala på väg**" in v for v in listed)
    assert listed[-2].endswith(". **Hur målen mäts**")  # the appendix closes the pack (then the sidebar's heading)
