"""The meeting pack (export/pack.py over protected views, `python -m indicators report` in
reports/cli.py).

A hand-built extract where Uppsala ('03') has 3 breast-cancer episodes, 2 of them within the
28-day limit (2 av 3, 66,7 %), and 3 new cases a year in the base years: far under the limit of 5,
so neither its counts nor its values may appear on any slide, note, alternative text, chart or
table. Stockholm ('01') has 30 episodes (24 within, 80,0 %) and Västra Götaland ('14') 12 (9 within,
75,0 %); riket 45 (35 within, 77,8 %). With riket shown next to the regions, complementary
suppression also hides Västra Götaland (the smallest shown region), which is the own region here.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

import views
from charts.render import figure
from export import pack as xpack
from extract_builder import case, episode, write_set
from indicators import QueryError, cli, open_data
from reports.cli import COMMANDS
from views import Selection, preset_views

START, END = "2024-01-01", "2024-12-31"
SUPP = "otillräckligt underlag"
EXTRACT_DATE = "2025-03-15"


def _episodes(region: str, n: int, within: int, prefix: str) -> list[dict]:
    rows = []
    for i in range(n):
        start = date(2024, 1 + i % 6, 3)  # all end inside 2024
        days = 20 if i < within else 60
        rows.append(episode(f"{prefix}{i}", "brost", start.isoformat(), (start + timedelta(days=days)).isoformat(),
                            "50", region=region))
    return rows


def _cases(region: str, per_year: int, prefix: str) -> list[dict]:
    return [case(f"{prefix}{y}_{i}", "C50.9", f"{y}-0{1 + i % 9}-10", region=region)
            for y in (2021, 2022, 2023) for i in range(per_year)]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    episodes = _episodes("01", 30, 24, "S") + _episodes("03", 3, 2, "U") + _episodes("14", 12, 9, "V")
    cases = _cases("01", 40, "S") + _cases("03", 3, "U") + _cases("14", 15, "V")
    return write_set(tmp_path_factory.mktemp("pack") / "tiny", extract_date=EXTRACT_DATE,
                     svf_episodes=episodes, cancer_cases=cases)


@pytest.fixture(scope="module")
def built(tiny_dir):
    ds = open_data(tiny_dir)
    sel = Selection(start=date(2024, 1, 1), end=date(2024, 12, 31), own_region="14")
    steps = []
    pack = xpack.build_pack(ds, None, sel, preset="styrgrupp", meeting="Styrgrupp bröst",
                            meeting_date=date(2025, 4, 2), progress=lambda f, t: steps.append((f, t)))
    return ds, pack, steps, sel


@pytest.fixture(scope="module")
def pptx_file(built):
    _ds, pack, _, _sel = built
    return Presentation(io.BytesIO(xpack.to_pptx(pack)))


def _slide_texts(slide) -> str:
    return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def _notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def _figure_texts(fig) -> str:
    """Every text a figure can draw: trace text/hover/labels, annotations, titles, axis ticks."""
    j = fig.to_plotly_json()
    out = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(j)
    return "\n".join(out)


def _chart_slides(pack, prs) -> list:
    return list(prs.slides)[1:1 + len(pack.items)]


def test_slide_count_and_order(built, pptx_file):
    ds, pack, steps, sel = built
    charts = preset_views("styrgrupp")
    # one slide per chart, except the overview grid of 21 regions: split over slides of at most
    # SCORECARD_ROWS_PER_SLIDE units, riket and the own region on each
    assert list(dict.fromkeys(it.id for it in pack.items)) == charts
    parts = [it for it in pack.items if it.id == "scorecard"]
    assert len(parts) == 3  # 21 regions, the own one on every slide: 20 others in slides of 7
    assert [p.title for p in parts] == [f"Måluppfyllelse per region ({i}/3)" for i in (1, 2, 3)]
    whole = views.view(ds, sel, "scorecard").table
    keys = lambda t: set(zip(t["indicator"], t["role"], t["unit_code"].astype(str)))  # noqa: E731
    assert set().union(*(keys(p.table) for p in parts)) == keys(whole)  # nothing lost, nothing added
    for p in parts:
        assert {"riket", "own"} <= set(p.table["role"])
        units = set(p.table.loc[p.table["role"] == "unit", "unit_code"])
        assert 0 < len(units) <= xpack.SCORECARD_ROWS_PER_SLIDE
        merged = p.table.merge(whole, on=["indicator", "role", "unit_code"], suffixes=("", "_w"))
        assert len(merged) == len(p.table)
        assert merged["numerator"].astype("Float64").equals(merged["numerator_w"].astype("Float64"))
    assert len(pack.items) == len(charts) + 2
    defs = pack.definition_slides
    assert defs == -(-len(pack.indicators()) // xpack.DEFINITIONS_PER_SLIDE)
    assert len(pptx_file.slides) == pack.slide_count == 1 + len(pack.items) + defs
    titles = [s.shapes.title.text for s in pptx_file.slides]
    assert titles[0] == "Styrgrupp bröst"
    assert titles[1:1 + len(pack.items)] == [item.title for item in pack.items]
    assert all(t.startswith("Definitioner") for t in titles[1 + len(pack.items):])
    assert pptx_file.slide_width * 9 == pptx_file.slide_height * 16  # 16:9
    # progress: fractions within 0..1, never going back, and "k av n" never past n
    assert steps and steps[-1][0] > 0.9 and all(0 <= f <= 1 for f, _ in steps), steps
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    for _f, text in steps:
        m = re.search(r"(\d+) av (\d+)", text)
        assert m is None or int(m.group(1)) <= int(m.group(2)), text


def test_title_slide_has_meeting_date_selection_extract_date_and_dataset_id(built, pptx_file):
    _ds, pack, _, _sel = built
    text = _slide_texts(pptx_file.slides[0])
    assert "2025-04-02" in text
    assert f"Datauttag: {EXTRACT_DATE}" in text
    assert re.fullmatch(r"[0-9a-f]{8}", pack.identity.dataset_id)
    assert pack.identity.dataset_id in text
    assert pack.selection in text and "2024" in pack.selection


def test_every_chart_slide_has_a_slide_sized_picture_selection_and_notes(built, pptx_file):
    _ds, pack, _, _sel = built
    w, h, scale = xpack.PACK_IMAGE_LAYOUT
    size = (round(w * scale), round(h * scale))
    assert size[0] >= 3200 and abs(size[0] / size[1] - 16 / 9) < 0.005  # at least the downloads' 3200 × 1800
    for item, slide in zip(pack.items, _chart_slides(pack, pptx_file)):
        assert item.error is None, f"{item.id}: {item.error}"
        pictures = _pictures(slide)
        assert len(pictures) == 1, item.id
        img = Image.open(io.BytesIO(pictures[0].image.blob))
        assert img.size == size, item.id
        assert item.selection in _slide_texts(slide)
        notes = _notes(slide)
        assert item.selection in notes
        assert f"datauttag {EXTRACT_DATE}" in notes


def test_notes_carry_definition_n_interval_and_caveats(built, pptx_file):
    _ds, pack, _, _sel = built
    i = [it.id for it in pack.items].index("jamforelse:svf_within_target")
    notes = _notes(pptx_file.slides[1 + i])
    assert "Definition:" in notes and "Wilsonintervall" in notes
    assert "Riket: 77,8\u00a0% – 35 av 45." in notes  # riket's n: 35 of 45 episodes within
    # which groups show no counts, by name and why
    assert "Otillräckligt underlag (färre än 5 fall), utan antal och värden: Uppsala." in notes
    assert "Dolda så att en liten grupp inte kan räknas fram ur totalerna: Västra Götaland." in notes
    assert "SVF-inklusionen" in notes  # lead times read together with inclusion
    assert notes == "\n".join(pack.items[i].notes)
    defs = _notes(pptx_file.slides[-1])
    assert "Att tänka på vid tolkning" in defs and "Teknisk beskrivning" in defs


def _pictures(slide):
    return [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_every_picture_carries_its_numbers_as_alternative_text(built, pptx_file):
    _ds, pack, _, _sel = built
    assert len(pack.alt_texts) == len(pack.items)
    for item, alt, slide in zip(pack.items, pack.alt_texts, _chart_slides(pack, pptx_file)):
        (pic,) = _pictures(slide)
        assert pic._element.nvPicPr.cNvPr.get("descr") == alt, item.id
        assert alt.split("\n")[:2] == [item.title, item.selection]
        # one line per row of the view (its Swedish table)
        assert len(alt.split("\n")) == 2 + len(xpack.xtables.frame(item, pack.catalogue)), item.id
    alt = pack.alt_texts[[it.id for it in pack.items].index("jamforelse:svf_within_target")]
    lines = {line.split(";")[0]: line for line in alt.split("\n")[2:]}
    assert "Täljare: 24; Nämnare: 30" in lines["Region: Stockholm"]
    assert "Täljare: 35; Nämnare: 45" in lines["Region: Riket"]
    assert "Täljare: otillräckligt underlag" in lines["Region: Uppsala"]
    assert "Täljare: dold så att en liten grupp inte kan räknas fram" in lines["Region: Västra Götaland"]
    assert "Status: inga fall" in lines["Region: Gotland"]


def test_pack_items_are_the_views_the_pages_show(built):
    """A chart id in a pack and the same chart on screen for the same selection are one view."""
    ds, pack, _, sel = built
    for item in pack.items:
        if item.id != "scorecard":  # the overview grid is split over slides (test_slide_count_and_order)
            assert item is views.view(ds, sel, item.id), item.id  # the shared, cached, protected view
    for preset in views.PRESETS:
        built_pack = xpack.build_pack(ds, None, sel, preset=preset, render=False)
        assert list(dict.fromkeys(it.id for it in built_pack.items)) == preset_views(preset)
        for item in built_pack.items:
            screen = views.view(ds, sel, item.id)
            if item is screen:
                continue
            assert item.kind in ("scorecard", "heat"), (preset, item.id)
            assert (item.selection, item.notes) == (screen.selection, screen.notes)
            assert item.title.startswith(screen.title + " (")


def test_suppressed_group_counts_appear_nowhere(built, pptx_file):
    ds, pack, _, sel = built
    # primary suppression by the engine: Uppsala only
    res = ds.compute("svf_within_target", by=["region"], start=START, end=END).set_index("region")
    assert bool(res.loc["03", "suppressed"]) and not bool(res.loc["14", "suppressed"])
    # the view adds Västra Götaland as Uppsala's partner beside riket
    v = views.view(ds, sel, "jamforelse:svf_within_target").table.set_index("unit_code")
    assert (v.loc["03", "hidden"], v.loc["14", "hidden"]) == ("primary", "secondary")
    forbidden = ["2 av 3", "66,7", "9 av 12"]
    texts = [_slide_texts(s) + "\n" + _notes(s) for s in pptx_file.slides]
    texts += [pic._element.nvPicPr.cNvPr.get("descr") for s in pptx_file.slides for pic in _pictures(s)]
    texts += [_figure_texts(figure(item)) for item in pack.items if figure(item) is not None]
    for text in texts:
        for needle in forbidden:
            assert needle not in text, needle
    for item in pack.items:
        if item.table is None or "suppressed" not in item.table.columns:
            continue
        supp = item.table[item.table["suppressed"].astype(bool)]
        for col in ("numerator", "denominator", "value", "ci_low", "ci_high", "patients_to_target"):
            if col in supp.columns:
                assert supp[col].isna().all(), (item.id, col)
    # the region bars draw no bar for them and say so
    i = [it.id for it in pack.items].index("jamforelse:svf_within_target")
    fig = figure(pack.items[i])
    bars = dict(zip(fig.data[0].y, fig.data[0].x))
    assert bars["Uppsala"] != bars["Uppsala"] and bars["Västra Götaland"] != bars["Västra Götaland"]  # NaN
    assert bars["Stockholm"] == pytest.approx(80.0) and bars["Riket"] == pytest.approx(100 * 35 / 45)
    assert SUPP in _figure_texts(fig)


def test_pdf_has_the_slides_then_the_notes(built):
    _ds, pack, _, _sel = built
    reader = PdfReader(io.BytesIO(xpack.to_pdf(pack)))
    n = pack.slide_count
    assert n + 1 <= len(reader.pages) <= n + 6  # the slides, then the speaker notes
    first = reader.pages[0].extract_text()
    assert "Styrgrupp bröst" in first and EXTRACT_DATE in first and "Möte" in first
    for k, item in enumerate(pack.items, start=1):
        page = reader.pages[k].extract_text()
        assert item.title.split(" – ")[0] in page
    assert "Definitioner" in reader.pages[n - 1].extract_text()
    assert "Anteckningar" in reader.pages[n].extract_text()
    all_text = "\n".join(p.extract_text() for p in reader.pages)
    assert "2 av 3" not in all_text and "66,7" not in all_text and "9 av 12" not in all_text
    assert "å" in all_text and "ö" in all_text  # DejaVu: Swedish letters survive


def test_picked_charts_and_an_unusable_chart(tiny_dir):
    """The user's own pick; a view whose data is missing still gives a slide that says so."""
    ds = open_data(tiny_dir)
    sel = Selection(start=date(2024, 1, 1), end=date(2024, 12, 31), level="healthcare_region")
    pack = xpack.build_pack(ds, ["jamforelse:svf_inclusion", "forlopp:svf_within_target"], sel, render=False)
    assert [i.id for i in pack.items] == ["jamforelse:svf_inclusion", "forlopp:svf_within_target"]
    assert pack.slide_count == 4
    assert pack.items[0].title == "Andel nya cancerfall utredda inom SVF per sjukvårdsregion"
    assert "de sex sjukvårdsregionerna och riket" in pack.items[0].selection
    assert pack.items[1].selection.startswith("2024 · Riket")
    # the quality-indicator table needs a chosen register: that view fails with a reason, the pack is built
    broken = xpack.build_pack(ds, ["kvalitetsindikatorer", "jamforelse:svf_within_target"], sel, render=True)
    assert broken.items[0].error and broken.images[0] is None
    assert broken.items[1].error is None and broken.images[1] is not None
    prs = Presentation(io.BytesIO(xpack.to_pptx(broken)))
    text = _slide_texts(prs.slides[1])
    assert "Diagrammet kunde inte skapas" in text and broken.items[0].error in text
    with pytest.raises(QueryError):
        xpack.build_pack(ds, [], sel, render=False)
    with pytest.raises(QueryError):
        xpack.build_pack(ds, None, sel, preset="finns_inte", render=False)


def test_cli_report_builds_a_pptx(tiny_dir, tmp_path, capsys):
    out = tmp_path / "paket.pptx"
    rc = cli.main(["report", "--data", str(tiny_dir), "--out", str(out), "--from", START, "--to", END,
                   "--where", "svf_code=brost", "--meeting", "Test"], extra=COMMANDS)
    assert rc == 0, capsys.readouterr().err
    prs = Presentation(str(out))
    ds = open_data(tiny_dir)
    sel = views.from_where(ds, START, END, {"svf_code": ["brost"]})
    expected = xpack.build_pack(ds, None, sel, preset="styrgrupp", meeting="Test", render=False)
    assert len(prs.slides) == expected.slide_count
    assert [s.shapes.title.text for s in prs.slides][1:1 + len(expected.items)] == [i.title for i in expected.items]
    first = _slide_texts(prs.slides[0])
    assert "Bröstcancer" in first and EXTRACT_DATE in first
    assert "skrev" in capsys.readouterr().out


def test_cli_report_level_own_region_and_grain(tiny_dir, tmp_path, capsys):
    out = tmp_path / "paket.pdf"
    rc = cli.main(["report", "--data", str(tiny_dir), "--out", str(out), "--from", START, "--to", END,
                   "--preset", "svf", "--level", "healthcare_region", "--own-region", "14", "--grain", "year"],
                  extra=COMMANDS)
    assert rc == 0, capsys.readouterr().err
    text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "Andel behandlade inom ledtid per sjukvårdsregion" in text
    assert "Andel behandlade inom ledtid per år" in text  # the trend at the chosen grain
    assert "de sex sjukvårdsregionerna och riket" in text
    assert "Västra" in text
    assert "2 av 3" not in text and "9 av 12" not in text


@pytest.mark.parametrize("args, code", [
    (["--out", "{tmp}/x.txt"], 2),
    (["--out", "{tmp}/x.pptx", "--format", "pdf"], 2),
    (["--out", "{tmp}/x.pptx", "--preset", "finns_inte"], 2),
    (["--out", "{tmp}/x.pptx", "--where", "region=99"], 2),
    (["--out", "{tmp}/x.pptx", "--where", "kommun=1"], 2),
    (["--out", "{tmp}/x.pptx", "--where", "svf_code=brost", "--where", "svf_code=lunga"], 2),
    (["--out", "{tmp}/x.pptx", "--from", "2024-13-01"], 2),
    (["--out", "{tmp}/x.pptx", "--from", "2024-06-01", "--to", "2024-01-31"], 2),
    (["--out", "{tmp}/saknas/x.pptx"], 2),
    (["--out", "{tmp}/x.pptx", "--own-region", "99"], 2),
    (["--out", "{tmp}/x.pptx", "--level", "kommun"], 2),
    (["--out", "{tmp}/x.pptx", "--grain", "vecka"], 2),
    (["--out", "{tmp}/x.pptx", "--data-missing"], 1),
])
def test_cli_report_bad_arguments_exit_with_one_line(tiny_dir, tmp_path, capsys, args, code):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    data = str(tiny_dir)
    if "--data-missing" in args:
        args.remove("--data-missing")
        data = str(tmp_path / "finns_inte")
    try:
        rc = cli.main(["report", "--data", data, *args], extra=COMMANDS)
    except SystemExit as exc:  # argparse's usage errors (one line, exit 2)
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == code, err
    assert len(err.strip().splitlines()) == 1, err
    assert not any(tmp_path.glob("*.pptx"))
