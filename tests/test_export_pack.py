"""The meeting pack (export/pack.py, export/presets.py, `python -m indicators report`).

A hand-built extract where Uppsala ('03') has 3 breast-cancer episodes, 2 of them within the
28-day limit (2 av 3, 66,7 %), and 3 new cases a year in the base years: far under the limit of 5,
so neither its counts nor its values may appear on any slide, note, chart text or table. Stockholm
('01') has 30 episodes (24 within) and Västra Götaland ('14') 12 (9 within); with riket shown next
to the regions, complementary suppression also hides Västra Götaland.
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

from export import pack as xpack
from export.presets import PackSelection, preset_charts
from extract_builder import case, episode, write_set
from indicators import cli, open_data

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
    sel = PackSelection(start=date(2024, 1, 1), end=date(2024, 12, 31), own_region="14")
    steps = []
    pack = xpack.build_pack(ds, None, sel, preset="styrgrupp", meeting="Styrgrupp bröst",
                            meeting_date=date(2025, 4, 2), progress=lambda f, t: steps.append((f, t)))
    return ds, pack, steps


@pytest.fixture(scope="module")
def pptx_file(built):
    _ds, pack, _ = built
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


def test_slide_count_and_order(built, pptx_file):
    _ds, pack, steps = built
    charts = preset_charts("styrgrupp")
    assert len(pack.items) == len(charts)
    assert len(pptx_file.slides) == pack.slide_count == 1 + len(charts) + 1
    titles = [s.shapes.title.text for s in pptx_file.slides]
    assert titles[0] == "Styrgrupp bröst"
    assert titles[1:-1] == [item.title for item in pack.items]
    assert titles[-1] == "Definitioner"
    assert pptx_file.slide_width * 9 == pptx_file.slide_height * 16  # 16:9
    assert steps and steps[-1][0] > 0.9 and all(0 <= f <= 1 for f, _ in steps)


def test_title_slide_has_meeting_date_selection_extract_date_and_dataset_id(built, pptx_file):
    _ds, pack, _ = built
    text = _slide_texts(pptx_file.slides[0])
    assert "2025-04-02" in text
    assert f"Datauttag: {EXTRACT_DATE}" in text
    assert re.fullmatch(r"[0-9a-f]{8}", pack.identity.dataset_id)
    assert pack.identity.dataset_id in text
    assert pack.selection in text and "2024" in pack.selection


def test_every_chart_slide_has_a_3200x1800_picture_selection_and_notes(built, pptx_file):
    _ds, pack, _ = built
    for item, slide in zip(pack.items, list(pptx_file.slides)[1:-1]):
        assert item.error is None, f"{item.chart_id}: {item.error}"
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1, item.chart_id
        img = Image.open(io.BytesIO(pictures[0].image.blob))
        assert img.size == (3200, 1800)
        assert item.selection in _slide_texts(slide)
        notes = _notes(slide)
        assert item.selection in notes
        assert f"datauttag {EXTRACT_DATE}" in notes


def test_notes_carry_definition_n_interval_and_caveats(built, pptx_file):
    _ds, pack, _ = built
    i = [it.chart_id for it in pack.items].index("jamforelse:svf_within_target")
    notes = _notes(pptx_file.slides[1 + i])
    assert "Definition:" in notes and "Wilsonintervall" in notes
    assert "Riket: " in notes and " av " in notes  # riket's n (45 episodes)
    assert "45" in notes
    assert "Uppsala" in notes and SUPP in notes  # which groups are suppressed, by name
    assert "SVF-inklusionen" in notes  # lead times read together with inclusion
    defs = _notes(pptx_file.slides[-1])
    assert "Att tänka på vid tolkning" in defs and "Teknisk beskrivning" in defs


def test_suppressed_group_counts_appear_nowhere(built, pptx_file):
    ds, pack, _ = built
    # the engine hides Uppsala (primary) and, beside riket, Västra Götaland (complementary)
    res = ds.compute("svf_within_target", by=["region"], start=START, end=END, secondary=True)
    hidden = set(res.loc[res["suppressed"], "region"])
    assert {"03", "14"} <= hidden
    forbidden = ["2 av 3", "66,7", "9 av 12", "75,0 %"]
    texts = [_slide_texts(s) + "\n" + _notes(s) for s in pptx_file.slides]
    texts += [_figure_texts(item.figure) for item in pack.items if item.figure is not None]
    for text in texts:
        for needle in forbidden:
            assert needle not in text, needle
    for item in pack.items:
        if item.table is None or "suppressed" not in item.table.columns:
            continue
        supp = item.table[item.table["suppressed"].astype(bool)]
        for col in ("numerator", "denominator", "value", "ci_low", "ci_high"):
            if col in supp.columns:
                assert supp[col].isna().all(), (item.chart_id, col)
    # the region bars draw no bar for them and say so
    i = [it.chart_id for it in pack.items].index("jamforelse:svf_within_target")
    fig = pack.items[i].figure
    bars = dict(zip(fig.data[0].y, fig.data[0].x))
    assert bars["Uppsala"] != bars["Uppsala"]  # NaN
    assert SUPP in _figure_texts(fig)


def test_pdf_has_the_slides_then_the_notes(built):
    _ds, pack, _ = built
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
    assert "2 av 3" not in all_text and "66,7" not in all_text
    assert "å" in all_text and "ö" in all_text  # DejaVu: Swedish letters survive


def test_picked_charts_and_an_unusable_chart(tiny_dir):
    """The user's own pick; an indicator whose table is empty still gives a slide, not a crash."""
    ds = open_data(tiny_dir)
    sel = PackSelection(start=date(2024, 1, 1), end=date(2024, 12, 31), level="healthcare_region")
    pack = xpack.build_pack(ds, ["jamforelse:svf_inclusion", "forlopp:svf_within_target"], sel, render=False)
    assert [i.chart_id for i in pack.items] == ["jamforelse:svf_inclusion", "forlopp:svf_within_target"]
    assert pack.slide_count == 4
    assert all("sjukvårdsregion" in i.selection or "Riket" in i.selection for i in pack.items)


def test_cli_report_builds_a_pptx(tiny_dir, tmp_path, capsys):
    out = tmp_path / "paket.pptx"
    rc = cli.main(["report", "--data", str(tiny_dir), "--out", str(out), "--from", START, "--to", END,
                   "--where", "svf_code=brost", "--meeting", "Test"])
    assert rc == 0, capsys.readouterr().err
    prs = Presentation(str(out))
    assert len(prs.slides) == 1 + len(preset_charts("styrgrupp")) + 1
    first = _slide_texts(prs.slides[0])
    assert "Bröstcancer" in first and EXTRACT_DATE in first
    assert "skrev" in capsys.readouterr().out


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
    (["--out", "{tmp}/x.pptx", "--data-missing"], 1),
])
def test_cli_report_bad_arguments_exit_with_one_line(tiny_dir, tmp_path, capsys, args, code):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    data = str(tiny_dir)
    if "--data-missing" in args:
        args.remove("--data-missing")
        data = str(tmp_path / "finns_inte")
    rc = cli.main(["report", "--data", data, *args])
    err = capsys.readouterr().err
    assert rc == code, err
    assert len(err.strip().splitlines()) == 1, err
    assert not any(tmp_path.glob("*.pptx"))
