"""The region map (charts.regionmap): 21 regions drawn offline as filled polygons, coloured by target
level, suppressed regions hatched with no value anywhere, the own region outlined, Sweden's shape."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from charts import regionmap, theme
from charts.regionmap import class_color, project, region_map, region_shapes

ROOT = Path(__file__).resolve().parents[1]
REGIONS = pd.read_csv(ROOT / "data" / "reference" / "regions.csv", dtype=str)


def _table(**overrides) -> pd.DataFrame:
    """Every region: value 50 + i, counts (50 + i) of 100, target level 'none'; then overrides
    per region code: dict of columns."""
    rows = []
    for i, r in enumerate(REGIONS.itertuples()):
        row = {"region_code": r.region_code, "label": r.region_name, "value": 50.0 + i, "numerator": 50 + i,
               "denominator": 100, "suppressed": False, "target_level": "none", "provisional": False}
        row.update(overrides.get(r.region_code, {}))
        rows.append(row)
    return pd.DataFrame(rows)


def _region_traces(fig) -> dict[str, object]:
    return {t.meta["region_code"]: t for t in fig.data if t.meta and "class" in t.meta and "region_code" in t.meta}


# Gotland (09) suppressed, but its row still carries a value and counts: the builder must drop them.
# Uppsala (03) meets the high level, Västerbotten (24) the low one; Halland (13) is one's own.
@pytest.fixture(scope="module")
def fig():
    table = _table(**{"09": {"suppressed": True, "value": 47.0, "numerator": 3, "denominator": 4},
                      "03": {"target_level": "high", "value": 81.0, "numerator": 1234, "denominator": 1523},
                      "24": {"target_level": "low", "value": 72.5}})
    return region_map(table, title="Andel inom ledtid 2024", subtitle="Per region", unit="procent",
                      own_region="13", note="Källa: Kolada")


def test_all_21_regions_are_drawn(fig):
    traces = _region_traces(fig)
    assert sorted(traces) == sorted(REGIONS.region_code)
    assert all(t.fill == "toself" and t.hoveron == "fills" for t in traces.values())


def test_nothing_is_fetched_from_the_internet(fig):
    assert {t.type for t in fig.data} == {"scatter"}
    layout = fig.to_plotly_json()["layout"]
    assert not any(key.startswith(("geo", "map", "mapbox")) for key in layout)
    assert "http" not in json.dumps(fig.to_plotly_json()["data"])


def test_colours_follow_target_level_from_one_lookup(fig, monkeypatch):
    traces = _region_traces(fig)
    assert traces["03"].fillcolor == theme.LEVEL_COLORS["high"]
    assert traces["24"].fillcolor == theme.LEVEL_COLORS["low"]
    assert traces["01"].fillcolor == theme.LEVEL_COLORS["none"]
    monkeypatch.setitem(theme.LEVEL_COLORS, "high", "#123456")  # a new palette in theme follows
    again = region_map(_table(**{"03": {"target_level": "high"}}), title="t")
    assert _region_traces(again)["03"].fillcolor == "#123456"


def test_hover_shows_value_and_n_in_swedish(fig):
    text = _region_traces(fig)["03"].text
    assert "Uppsala" in text and "81,0\u00a0%" in text and "1\u00a0234 av 1\u00a0523" in text
    assert "✓ Hög målnivå uppnådd" in text  # the status with its symbol, as every chart says it


def test_suppressed_region_is_hatched_grey_and_shows_no_value_anywhere(fig):
    gotland = _region_traces(fig)["09"]
    assert gotland.fillpattern.shape == "/" and gotland.fillpattern.bgcolor == theme.LEVEL_COLORS["suppressed"]
    assert "Otillräckligt underlag" in gotland.text
    assert not any(s in gotland.text for s in ("47", "3 av", "av 4"))
    assert gotland.customdata is None
    labels = next(t for t in fig.data if t.meta and t.meta.get("role") == "value_labels")
    assert "47" not in list(labels.text) and len(labels.text) == 20
    # no trace anywhere carries Gotland's hidden numbers
    for t in fig.data:
        assert t.customdata is None


def test_own_region_is_outlined(fig):
    own = next(t for t in fig.data if t.meta and t.meta.get("role") == "own_region")
    assert own.meta["region_code"] == "13" and own.line.color == theme.OWN and own.showlegend
    assert "Halland" in own.name
    halland = _region_traces(fig)["13"]
    assert list(own.x) == list(halland.x) and list(own.y) == list(halland.y)
    # drawn after (above) every region fill
    order = [t.meta.get("role") if t.meta else None for t in fig.data]
    assert order.index("own_region") > max(i for i, t in enumerate(fig.data) if t.meta and "class" in t.meta
                                            and "region_code" in t.meta)


def test_legend_has_one_entry_per_class_shown(fig):
    entries = [t.name for t in fig.data if t.showlegend]
    # the status names and symbols of charts.theme, as the other charts and the overview use them
    assert entries == ["Egen region: Halland", "✓ Hög målnivå uppnådd", "◐ Låg målnivå uppnådd",
                       "✗ Målnivå ej uppnådd", "– Otillräckligt underlag"]


def test_regions_missing_from_the_table_are_drawn_as_missing():
    fig = region_map(_table().query("region_code != '25'"), title="t")
    norrbotten = _region_traces(fig)["25"]
    assert norrbotten.meta["class"] == "missing" and "Uppgift saknas" in norrbotten.text
    assert "Uppgift saknas" in [t.name for t in fig.data if t.showlegend]


def test_withheld_published_value_names_its_status():
    fig = region_map(_table(**{"25": {"value": None, "status": "MSK", "numerator": None, "denominator": None,
                                      "target_level": None}}), title="t")
    assert "Ej publicerat (status MSK)" in _region_traces(fig)["25"].text


def test_result_without_target_gets_value_classes():
    table = _table()
    table["target_level"] = None
    fig = region_map(table, title="t", unit="dagar", decimals=0)
    classes = {c: t.meta["class"] for c, t in _region_traces(fig).items()}
    # values 50..70 over 21 regions in five classes of equal count: lowest and highest differ
    assert classes["01"] == "value0" and classes["25"] == "value4"
    assert _region_traces(fig)["25"].fillcolor == class_color("value4")


def test_islands_and_multipolygons_are_drawn():
    shapes = region_shapes()
    assert len(shapes["01"].rings) > 5  # the Stockholm archipelago
    assert len(shapes["08"].rings) == 2  # Kalmar: the mainland and Öland
    assert len(shapes["09"].rings) >= 1  # Gotland
    trace = _region_traces(region_map(_table(), title="t"))["01"]
    assert list(trace.x).count(None) == len(shapes["01"].rings) - 1


def test_sweden_has_its_shape():
    shapes = region_shapes()
    xs = [x for s in shapes.values() for r in s.rings for x in r[:, 0]]
    ys = [y for s in shapes.values() for r in s.rings for y in r[:, 1]]
    # 55.3° N to 69.1° N is about 1 530 km; about 640 km from the west coast to the Finnish border
    assert 1480 < max(ys) - min(ys) < 1580
    assert 560 < max(xs) - min(xs) < 700
    centre = {c: s.label_xy for c, s in shapes.items()}
    assert centre["12"][1] < centre["05"][1] < centre["20"][1] < centre["25"][1]  # Skåne … Norrbotten
    assert centre["09"][0] > centre["08"][0] > centre["13"][0]  # Gotland east of Kalmar east of Halland
    # equal-area: Norrbotten is about 105 000 km² with its lakes (SCB), Gotland about 3 100 km²
    area = {c: sum(regionmap._area(r) for r in s.rings) for c, s in shapes.items()}
    assert area["25"] == pytest.approx(105_000, rel=0.03)
    assert area["09"] == pytest.approx(3_150, rel=0.06)


def test_projection_centre_and_north():
    x, y = project([15.0, 15.0, 20.0], [62.0, 63.0, 62.0])
    assert abs(x[0]) < 1e-9 and abs(y[0]) < 1e-9
    assert y[1] == pytest.approx(111.2, abs=0.5) and x[2] > 0


def test_labels_are_escaped():
    fig = region_map(_table(**{"01": {"label": "<b>x</b>"}}), title="<script>t</script>", subtitle="<i>s</i>")
    assert "<script>" not in fig.layout.title.text and "&lt;b&gt;x&lt;/b&gt;" in _region_traces(fig)["01"].text


def test_figure_is_light():
    fig = region_map(_table(), title="t", own_region="01")
    assert len(fig.data) <= 32
    assert len(fig.to_json()) < 80_000


# -- rendering ---------------------------------------------------------------------------------------

def _pixels(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def test_map_renders_with_hatching_in_the_image_export(fig):
    from export.images import render

    img = _pixels(render(fig, "png", width=900, height=900, scale=1))
    colours = {c for _, c in img.getcolors(maxcolors=1_000_000)}
    assert _rgb(theme.LEVEL_COLORS["high"]) in colours and _rgb(theme.LEVEL_COLORS["none"]) in colours
    assert _rgb(theme.LEVEL_COLORS["suppressed"]) in colours  # Gotland's grey
    counts = dict((c, n) for n, c in img.getcolors(maxcolors=1_000_000))
    # the hatching lines: neutral greys darker than the suppressed fill (antialiased, so not one colour)
    hatch = sum(n for (r, g, b), n in counts.items() if 90 <= r <= 185 and abs(r - g) <= 4 and abs(g - b) <= 4)
    assert hatch > 150
    assert counts.get(_rgb(theme.OWN), 0) > 50  # Halland's outline
    # the same figure without the suppressed region has no such greys: they are the hatching
    plain = region_map(_table(), title="Andel inom ledtid 2024", own_region="13")
    counts = dict((c, n) for n, c in _pixels(render(plain, "png", width=900, height=900, scale=1))
                  .getcolors(maxcolors=1_000_000))
    assert sum(n for (r, g, b), n in counts.items() if 90 <= r <= 185 and abs(r - g) <= 4 and abs(g - b) <= 4) < hatch / 4


def test_map_hover_works_in_chromium(fig, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    from app_harness import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    html_file = tmp_path / "map.html"
    fig.write_html(html_file, include_plotlyjs=True, full_html=True)
    shapes = region_shapes()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(html_file.as_uri())
            page.wait_for_selector(".main-svg")
            got = {}
            for code in ("03", "09", "01"):
                x, y = shapes[code].label_xy
                px, py = page.evaluate(
                    """([x, y]) => { const gd = document.querySelector('.plotly-graph-div');
                    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
                    return [r.left + xa._offset + xa.d2p(x), r.top + ya._offset + ya.d2p(y)]; }""", [x, y])
                page.mouse.move(px + 2, py + 2)
                page.wait_for_timeout(250)
                got[code] = " ".join(page.evaluate(
                    "() => Array.from(document.querySelectorAll('.hoverlayer .hovertext')).map(e => e.textContent)"))
                page.mouse.move(2, 2)
                page.wait_for_timeout(100)
        finally:
            browser.close()
    assert "Uppsala" in got["03"] and "81,0" in got["03"] and "1 234 av 1 523" in got["03"].replace("\u00a0", " ")
    assert "Gotland" in got["09"] and "Otillräckligt underlag" in got["09"] and "47" not in got["09"]
    assert "Stockholm" in got["01"]
