"""A chart in a meeting pack equals the same chart on screen for the same selection (issue 9):
for every chart id of every preset, the figure the page draws (AppTest's plotly spec) has exactly
the data of the figure drawn from the pack's view, and the pack's view is the page's view."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import numpy as np
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

import textfmt as fmt
from charts.grid import frames as grid_frames
from charts.render import figure
from export.pack import build_pack
from indicators import open_data
from ui.navigation import PAGES
from views import (
    COVERAGE_PAGE_TABS,
    LEAD_TIME_PAGE_TABS,
    PRESETS,
    PUBLISHED_PAGE_TABS,
    Selection,
    context,
    page_views,
    view,
)

ROOT = Path(__file__).resolve().parents[1]
TABS = {"svf_ledtider": LEAD_TIME_PAGE_TABS, "tackningsgrad": COVERAGE_PAGE_TABS,
        "publicerad_statistik": PUBLISHED_PAGE_TABS}


def _plain(obj):
    """Figure JSON with plotly's typed arrays ({'dtype', 'bdata'}) as plain lists."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            return [None if isinstance(v, float) and np.isnan(v) else v.item() for v in a]
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _data(spec: dict) -> list:
    return _plain(spec["data"])


def where_is(ds, sel, view_id) -> tuple[str, str | None]:
    """(page url path, tab) that shows the view."""
    for page in ("oversikt", "svf_inklusion", "svf_ledtider", "kvalitetsregister", "tackningsgrad",
                 "regionjamforelse", "publicerad_statistik"):
        if view_id in page_views(ds, sel, page):
            tab = next((t for t, ids in TABS.get(page, {}).items() if view_id in ids), None)
            return page, tab
    raise AssertionError(f"{view_id} is on no page")


@pytest.fixture(scope="module")
def setting(small_data_dir):
    ds = open_data(small_data_dir)
    ctx = context(ds)
    codes = sorted(ctx.region_names)[:2]
    start, end = date(ds.extract_date.year - 1, 1, 1), date(ds.extract_date.year - 1, 12, 31)
    sel = Selection(start, end, regions=tuple(codes), own_region=codes[1], svf_code="brost", grain="quarter")
    query = {"fran": f"{start:%Y-%m}", "till": f"{end:%Y-%m}", "regioner": [ctx.region_names[c] for c in codes],
             "egen_region": ctx.region_names[codes[1]], "forlopp": ctx.pathway_names["brost"], "tidsenhet": "Kvartal"}
    return ds, sel, query


def page_specs(small_data_dir, monkeypatch, page: str, tab: str | None, query: dict) -> dict[str, dict]:
    monkeypatch.setenv("INDIKATORPANELEN_DATA", str(small_data_dir))
    monkeypatch.delenv("INDIKATORPANELEN_STORE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in {**query, **({"flik": tab} if tab else {})}.items():
        at.query_params[key] = value
    at.run()
    path = next(str(p.path) for p in PAGES if p.url_path == page)
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    out = {}
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        out[spec["layout"]["title"]["text"]] = spec
    # the grids (overview, coverage table) are coloured tables on screen: keyed by their columns
    for el in at.dataframe:
        out[tuple(str(c) for c in el.value.columns)] = el.value
    return out


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_chart_of_a_preset_equals_the_chart_on_screen(preset, setting, small_data_dir, monkeypatch):
    ds, sel, query = setting
    pack = build_pack(ds, None, sel, preset=preset, render=False)
    seen: dict[tuple, dict] = {}
    for item in pack.items:
        assert item is view(ds, sel, item.id), item.id  # the very view the page draws
        fig = figure(item)
        if fig is None:
            continue
        page, tab = where_is(ds, sel, item.id)
        if (page, tab) not in seen:
            seen[(page, tab)] = page_specs(small_data_dir, monkeypatch, page, tab, query)
        specs = seen[(page, tab)]
        if item.kind in ("scorecard", "heat"):  # a coloured table on screen, the same view's grid in the pack
            shown, _css = grid_frames(item)
            key = tuple(str(c) for c in shown.columns)
            assert key in specs, (item.id, key, [k for k in specs if isinstance(k, tuple)])
            on_screen = specs[key]
            assert list(on_screen.index) == list(shown.index), item.id
            assert on_screen.astype(str).values.tolist() == shown.astype(str).values.tolist(), item.id
            continue
        title = fig.layout.title.text
        assert title in specs, (item.id, title, list(specs))
        assert _data(specs[title]) == _plain(json.loads(pio.to_json(fig))["data"]), item.id


def test_the_pack_and_the_page_use_the_same_selection_words(setting):
    ds, sel, _query = setting
    pack = build_pack(ds, ["jamforelse:svf_within_target"], sel, render=False)
    v = view(ds, sel, "jamforelse:svf_within_target")
    assert pack.items[0].selection == v.selection
    assert fmt.period_text(sel.start, sel.end) in v.selection
