"""The page "Publicerad statistik" in the app (AppTest): with no extract at all (a missing or an
empty data directory) it is the only data page and says so, beside "Om indikatorerna"; with an
extract it is one page among the others, and the SVF pages show the map and the reconciliation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parents[1]


def _page(url_path: str) -> str:
    return next(str(p.path) for p in PAGES if p.url_path == url_path)


def _app(monkeypatch, data_dir, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("INDIKATORPANELEN_DATA", str(data_dir))
    monkeypatch.delenv("INDIKATORPANELEN_STORE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_without_any_extract_the_published_page_is_shown_and_says_so(monkeypatch, tmp_path, kind):
    data_dir = tmp_path / "uttag"
    if kind == "empty":
        data_dir.mkdir()
    at = _app(monkeypatch, data_dir, {"egen_region": "Uppsala"})
    assert [t.value for t in at.title] == ["Publicerad statistik"]
    reason = "finns inte" if kind == "missing" else "innehåller inga uttagstabeller"
    assert any("Inget uttag är inläst" in i.value and reason in i.value for i in at.info)
    assert not at.error
    specs = _specs(at)
    titles = [s["layout"]["title"]["text"] for s in specs]
    # the first tab: ranking, map and trend of the inclusion (2025 chosen: N70643 is published to 2024)
    assert titles == ["Andel nya cancerfall utredda inom SVF per region, 2024: publicerad statistik",
                      "Andel nya cancerfall utredda inom SVF, 2024: publicerad statistik per region",
                      "Andel nya cancerfall utredda inom SVF per år: publicerad statistik"]
    assert all("Källa: Kolada" in json.dumps(s, ensure_ascii=False) for s in specs)
    # the year filter is the only period filter; the extract's filters are not drawn
    assert [s.label for s in at.sidebar.selectbox] == ["År", "Egen region (markeras)"]
    assert at.sidebar.selectbox[0].value == "2025"


def test_without_an_extract_the_other_pages_are_not_there(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "none")
    # the navigation holds the published page and the descriptions, nothing computed
    with pytest.raises(ValueError, match="Could not find a navigation page") as info:
        at.switch_page(_page("svf_ledtider"))
    assert f"Known pages: {[_page('publicerad_statistik'), _page('om_indikatorerna')]}" in str(info.value)
    at.switch_page(_page("om_indikatorerna")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Om indikatorerna"]


def test_without_an_extract_the_year_is_chosen_in_the_sidebar(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "none", {"ar": "2021", "flik": "Inom ledtid"})
    titles = [s["layout"]["title"]["text"] for s in _specs(at)]
    assert titles[0] == "Andel behandlade inom ledtid per region, 2021: publicerad statistik"


def test_with_an_extract_the_published_page_follows_the_period(monkeypatch, small_data_dir):
    at = _app(monkeypatch, small_data_dir)
    at.switch_page(_page("publicerad_statistik")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [i for i in at.info if "Inget uttag" in i.value]
    assert any("Året följer periodens slut" in c.value for c in at.caption)
    assert len(_specs(at)) == 3


def test_the_svf_pages_show_the_map_and_the_reconciliation(monkeypatch, small_data_dir):
    at = _app(monkeypatch, small_data_dir)
    at.switch_page(_page("svf_inklusion")).run()
    assert not at.exception, [e.value for e in at.exception]
    titles = [s["layout"]["title"]["text"] for s in _specs(at)]
    assert "Andel nya cancerfall utredda inom SVF per region – karta" in titles
    assert any(e.label.startswith("Jämförelse med publicerad statistik") for e in at.expander)
