"""The frame (app.py): which data set is shown and how it is reported, the URL-bound filters (the
selection every page draws, `ui.filters.current()`), unknown URL values, and the Swedish error page
instead of a traceback."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from indicators import DataError, open_data
import textfmt as fmt
from textfmt.safe import md
from ui import data as uidata
from views import Selection

ROOT = Path(__file__).resolve().parents[1]
FILTERS_KEY = "_indikatorpanelen_filters"


@pytest.fixture()
def run_app(monkeypatch):
    """run_app(data_dir=None, store=None, **query) → a finished AppTest of app.py."""

    def run(data_dir=None, store=None, **query) -> AppTest:
        monkeypatch.delenv("INDIKATORPANELEN_STORE", raising=False)
        monkeypatch.delenv("INDIKATORPANELEN_DATA", raising=False)
        if data_dir is not None:
            monkeypatch.setenv("INDIKATORPANELEN_DATA", str(data_dir))
        if store is not None:
            monkeypatch.setenv("INDIKATORPANELEN_STORE", str(store))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_every_page_shows_data_set_extract_date_and_validation_status(run_app, small_data_dir):
    at = run_app(small_data_dir)
    ds = open_data(small_data_dir)
    text = captions(at)
    assert small_data_dir.name in text
    assert f"uttaget {fmt.date_text(ds.extract_date)}" in text
    assert any(word in text for word in ("Alla tabeller inlästa", "kunde inte användas"))
    assert at.title[0].value == "Översikt"


def selection(at: AppTest) -> Selection:
    return at.session_state[FILTERS_KEY]


def test_the_default_selection_is_the_latest_twelve_months_by_quarter(run_app, small_data_dir):
    at = run_app(small_data_dir)
    ds = open_data(small_data_dir)  # extract date 2026-01-15: the twelve whole months before January 2026
    assert ds.extract_date == date(2026, 1, 15)
    assert selection(at) == Selection(date(2025, 1, 1), date(2025, 12, 31), grain="quarter", level="region")
    assert at.select_slider(key="period").value == ("2025-01", "2025-12")
    assert at.get("segmented_control")[0].value == "quarter"
    assert not at.warning


def test_url_values_seed_the_shared_filters(run_app, small_data_dir):
    at = run_app(small_data_dir, period=["mar 2024", "jun 2025"], tidsenhet="Månad", niva="Sjukvårdsregion",
                 regioner=["Stockholm", "Västra Götaland"], egen_region="Uppsala", forlopp="Lungcancer",
                 register="NKBC")
    assert at.select_slider(key="period").value == ("2024-03", "2025-06")
    assert at.selectbox(key="niva").value == "healthcare_region"
    assert at.multiselect(key="regioner").value == ["01", "14"]
    assert at.selectbox(key="egen_region").value == "03"
    assert at.selectbox(key="forlopp").value == "lunga"
    assert at.selectbox(key="register").value == "nkbc"
    assert selection(at) == Selection(date(2024, 3, 1), date(2025, 6, 30), grain="month", level="healthcare_region",
                                      regions=("01", "14"), own_region="03", svf_code="lunga", register="nkbc")


def test_a_period_link_gives_no_notice(run_app, small_data_dir):
    """The range slider writes the months as it shows them ('mar 2024'); such a link is valid."""
    at = run_app(small_data_dir, period=["mar 2024", "jun 2025"])
    assert (selection(at).start, selection(at).end) == (date(2024, 3, 1), date(2025, 6, 30))
    assert not [w.value for w in at.warning]


def test_an_older_link_with_fran_and_till_still_works(run_app, small_data_dir):
    at = run_app(small_data_dir, fran="2024-03", till="2025-06", niva="Riket")
    assert (selection(at).start, selection(at).end, selection(at).level) == (date(2024, 3, 1), date(2025, 6, 30),
                                                                            "riket")
    assert at.select_slider(key="period").value == ("2024-03", "2025-06")


def test_unknown_url_values_are_ignored_with_a_notice(run_app, small_data_dir):
    at = run_app(small_data_dir, regioner=["Atlantis", "Skåne"], niva="Galax", period=["jan 1999", "dec 1999"],
                 forlopp="<script>", egen_region="Narnia", tidsenhet="Vecka")
    warnings = " ".join(w.value for w in at.warning)
    for bad in ("Atlantis", "Galax", "jan 1999", "<script>", "Narnia", "Vecka"):
        assert md(bad) in warnings, bad  # markdown-escaped: shown as its characters
    assert "<script>" not in warnings
    assert at.multiselect(key="regioner").value == ["12"]  # the valid value is kept
    assert at.selectbox(key="niva").value == "region"
    assert at.selectbox(key="egen_region").value is None
    assert selection(at) == Selection(date(2025, 1, 1), date(2025, 12, 31), regions=("12",))
    assert not at.error


def test_unknown_values_in_an_older_link_give_a_notice(run_app, small_data_dir):
    at = run_app(small_data_dir, fran="1999-01", till="2025-06")
    assert any("1999-01" in w.value for w in at.warning), [w.value for w in at.warning]
    assert (selection(at).start, selection(at).end) == (date(2025, 1, 1), date(2025, 12, 31))


def test_a_reversed_period_in_an_older_link_is_swapped(run_app, small_data_dir):
    at = run_app(small_data_dir, fran="2025-06", till="2024-01")
    assert (selection(at).start, selection(at).end) == (date(2024, 1, 1), date(2025, 6, 30))
    # the overview's grid says its selection under its title
    assert any(c.value.startswith("jan 2024 – jun 2025") for c in at.caption), [c.value for c in at.caption]


def test_missing_data_directory_shows_the_published_figures_and_says_why(run_app, tmp_path):
    """Without an extract there is still Kolada's published statistics (issue 12): that page only,
    saying in Swedish that no extract is loaded and why (test_published_page.py has the rest)."""
    at = run_app(tmp_path / "finns_inte")
    assert [t.value for t in at.title] == ["Publicerad statistik"]
    assert any("Inget uttag är inläst" in i.value and "finns inte" in i.value for i in at.info)
    assert not at.exception and not at.error


def test_unreadable_manifest_gives_the_error_page_listing_the_message(run_app, tmp_path, small_data_dir):
    bad = tmp_path / "bad"
    shutil.copytree(small_data_dir, bad)
    (bad / "manifest.json").write_text('{"extract_date": "igår"}', encoding="utf-8")
    at = run_app(bad)
    assert at.title[0].value == "Data kunde inte läsas in"
    assert "manifest.json" in " ".join(m.value for m in at.markdown)


def test_data_source_precedence_store_then_argument_then_environment_then_sample(tmp_path):
    env = {"INDIKATORPANELEN_DATA": "/från/miljön"}
    assert uidata.resolve_source(argv=[], environ={}).path == uidata.SAMPLE_DIR
    assert uidata.resolve_source(argv=[], environ=env).path == Path("/från/miljön")
    assert uidata.resolve_source(argv=["--data", "/från/arg"], environ=env).path == Path("/från/arg")
    assert uidata.resolve_source(argv=["--data=/x"], environ={}).origin == "argument"
    with pytest.raises(DataError):
        uidata.resolve_source(argv=["--data", "/från/arg"], environ={**env, "INDIKATORPANELEN_STORE": str(tmp_path)})


def test_a_new_snapshot_is_shown_without_restart(run_app, tmp_path, small_data_dir):
    from indicators.store import ingest

    store = tmp_path / "lager"
    assert ingest(small_data_dir, store).exit_code == 0
    at = run_app(store=store)
    first = captions(at)
    assert "Snapshot" in first and "15 januari 2026" in first

    newer = tmp_path / "nyare"
    shutil.copytree(small_data_dir, newer)
    manifest = json.loads((newer / "manifest.json").read_text(encoding="utf-8"))
    manifest["extract_date"] = "2026-02-01"
    (newer / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert ingest(newer, store).exit_code == 0
    at = run_app(store=store)  # same process: the cached Dataset of the old snapshot stays, a new one is used
    assert "1 februari 2026" in captions(at)


def test_a_store_without_snapshot_gives_the_error_page(run_app, tmp_path):
    (tmp_path / "tomt").mkdir()
    at = run_app(store=tmp_path / "tomt")
    assert at.title[0].value == "Data kunde inte läsas in"
    assert "ingest" in " ".join(m.value for m in at.markdown)


def test_data_status_names_tables_in_swedish_with_swedish_numbers(run_app, small_data_dir):
    at = run_app(small_data_dir)
    frames = [d.value for d in at.dataframe]
    summary = next(f for f in frames if "Lästa rader" in f.columns)
    tables = set(summary["Tabell"])
    assert {"Cancerregistret – tumörer", "SVF-förlopp", "Ledtidsgränser", "Regioner"} <= tables
    assert not any("_" in t for t in tables)
    big = summary.loc[summary["Tabell"] == "SVF-förlopp", "Lästa rader"].iloc[0]
    assert "\u00a0" in big and "," not in big  # '21 949': a space between thousands
    for frame in frames:
        if "Tabell" in frame.columns:
            assert "cancer_cases" not in set(frame["Tabell"])


def test_register_filter_shows_short_names(run_app, small_data_dir):
    at = run_app(small_data_dir)
    options = at.selectbox(key="register").options
    assert "NKBC" in options and "Hudmelanom" in options
    assert all(len(o) <= 32 for o in options)
