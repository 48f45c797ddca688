"""The yearly follow-up report (reports/plan_report.py, `python -m indicators plan-report`): its pages
in PowerPoint and PDF (title, summary, the goals in short, one page per goal with its chart and the
text beside it, the appendix "Hur målen mäts"), the stamping, text of at least 12 pt, and the
suppression: the tiny group of tests/plan_fixture.py (Örebro bröst, 2 of 3) and its partner
(Örebro prostata, 9 of 10) appear in no slide, note, alternative text, PDF page or figure."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from charts import render
from export import pack as xpack
from indicators import cli, open_data
from plan_fixture import GOALS, PARTNER, TINY, plan_csv, write_plan_set
from reports.cli import COMMANDS
from reports.plan_report import build_plan_report

TITLE = "EXEMPEL – testplan – uppföljning 2025"
GOAL_TITLES = ["Mål up: Uppsala på väg", "Mål pooled: Örebro bröst och prostata", "Mål prost: Örebro prostata",
               "Mål brost: Örebro bröst"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return write_plan_set(tmp_path_factory.mktemp("plan_report") / "set")


@pytest.fixture(scope="module")
def built(data_dir):
    ds = open_data(data_dir)
    steps = []
    pack = build_plan_report(ds, plan_csv(), name="plan.csv", year=2025, meeting_date=date(2026, 9, 1),
                             progress=lambda f, t: steps.append((f, t)))
    return ds, pack, steps


@pytest.fixture(scope="module")
def slides(built):
    return list(Presentation(io.BytesIO(xpack.to_pptx(built[1]))).slides)


def texts(slide) -> str:
    return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def pictures(slide):
    return [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_pages_in_order(built, slides):
    _ds, pack, steps = built
    titles = [s.shapes.title.text for s in slides]
    assert len(slides) == pack.slide_count
    assert titles[0] == TITLE
    assert titles[1:3] == ["Målens status per kapitel", "Målen i korthet"]
    assert titles[3:7] == GOAL_TITLES
    assert titles[7].startswith("Mål all: Alla regioner") and titles[8].startswith("Mål noind: =HYPERLINK")
    assert titles[9:] == ["Hur målen mäts"] + ["Hur målen mäts (forts.)"] * (len(titles) - 10)
    assert steps[-1][0] > 0.9 and all(0 <= f <= 1 for f, _ in steps)


def test_title_page_stamps_plan_year_extract_date_and_data_set(built, slides):
    _ds, pack, _ = built
    text = texts(slides[0])
    assert "Uppföljningsår 2025" in text and "plan.csv" in text and "6 mål, 5 med indikator och målvärde" in text
    assert f"Datauttag: 2026-06-30 · Dataset-id: {pack.identity.dataset_id}" in text
    assert "Källa:" in text
    for slide in slides[1:]:
        assert f"Dataset {pack.identity.dataset_id}" in texts(slide)  # every page's footer


def test_summary_and_goals_in_short(slides):
    summary = texts(slides[1])
    assert "12 bedömningar" in summary and "✓ Uppnått: 3" in summary and "↗ På väg: 1" in summary
    assert len(pictures(slides[1])) == 1
    short = texts(slides[2])
    assert "Diagnos och behandling" in short and "up Uppsala på väg – ↗ 1 på väg" in short
    assert "pooled Örebro bröst och prostata – ✓ 1 uppnått" in short


def test_one_page_per_goal_with_its_chart_and_the_text_beside_it(built, slides):
    _ds, pack, _ = built
    up = slides[3]
    assert len(pictures(up)) == 1
    side = texts(up)
    assert "Status 2025" in side and "↗ Uppsala: på väg (osäkert) – 75,0 %" in side
    assert "Ansvarig\nSVF-samordnare" in side and "Tidsram\n2022–2027" in side
    assert "Senaste anteckning (2025-01-15)\nGenomgång av helåret (exempel)." in side
    assert "Urval: Uppföljning 2025 · Uppsala · Inom ledtid minst 80 % senast 2027" in side
    descr = pictures(up)[0]._element.nvPicPr.cNvPr.get("descr")
    assert "Uppsala" in descr and "15" in descr and "2025" in descr  # the numbers the picture shows
    assert "trenden (+4,0 procentenheter per år) ger 85,0 % år 2027" in notes(up)
    noind = slides[8]
    assert pictures(noind) == [] and "○ Mellansverige: ej mätbar" in texts(noind)
    assert "Ansvarig\nVPK <i>och</i> [länk](http://x.invalid)" in texts(noind)  # as written, inert in a slide


def test_appendix_says_how_each_goal_is_measured_with_the_catalogues_texts(slides):
    appendix = "\n".join(texts(s) for s in slides[9:])
    assert "up Uppsala på väg: Inom ledtid minst 80 % senast 2027 (Förlopp: Bröstcancer); Uppsala." in appendix
    assert "noind" in appendix and "ej mätbart i panelen (ingen indikator)" in appendix
    assert "Andel behandlade inom ledtid (svf_within_target) – mål up, pooled, prost, brost, all" in appendix
    for head in ("Om indikatorn:", "Att tänka på vid tolkning:", "Teknisk beskrivning:"):
        assert head in appendix


def test_slide_text_is_at_least_12_pt(slides):
    sizes = [r.font.size.pt for s in slides for sh in s.shapes if sh.has_text_frame
             for p in sh.text_frame.paragraphs for r in p.runs if r.font.size is not None]
    assert sizes and min(sizes) >= 12


def test_the_tiny_group_and_its_partner_appear_nowhere(built, slides):
    _ds, pack, _ = built
    everything = [texts(s) + "\n" + notes(s) for s in slides]
    everything += [p._element.nvPicPr.cNvPr.get("descr") or "" for s in slides for p in pictures(s)]
    everything += pack.alt_texts
    reader = PdfReader(io.BytesIO(xpack.to_pdf(pack)))
    everything += [page.extract_text() for page in reader.pages]
    for item in pack.items:
        fig = render.figure(item) if not isinstance(item, xpack.TextPage) else None
        if fig is not None:
            everything.append(str(fig.to_plotly_json()))
    for text in everything:
        for needle in (*TINY, *PARTNER, "66.66", "90.0"):
            assert needle not in text, (needle, text[:200])
    # … while the pooled count they make up is shown
    assert any("84,6 %" in t for t in everything)


def test_pdf_has_the_same_pages_then_the_notes(built):
    _ds, pack, _ = built
    reader = PdfReader(io.BytesIO(xpack.to_pdf(pack)))
    n = pack.slide_count
    assert len(reader.pages) > n
    assert "EXEMPEL – testplan" in reader.pages[0].extract_text()
    assert "Målens status per kapitel" in reader.pages[1].extract_text()
    assert "Mål up: Uppsala på väg" in reader.pages[3].extract_text()
    assert "Hur målen mäts" in reader.pages[9].extract_text()
    assert "Anteckningar till bilderna" in reader.pages[n].extract_text()


def test_plan_report_is_a_command_of_the_program():
    assert "plan-report" in [name for name, *_ in COMMANDS]


def test_cli_writes_the_report(data_dir, tmp_path, capsys):
    plan = tmp_path / "liten.csv"
    plan.write_bytes(plan_csv(GOALS[:1] + [["bad", "", "Okänd region", "Sormland", "", "", "", "", "", "", ""]]))
    out = tmp_path / "rapport.pptx"
    code = cli.main(["plan-report", "--data", str(data_dir), "--plan", str(plan), "--year", "2025", "--out", str(out)],
                    extra=COMMANDS)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert out.is_file() and "skrev" in captured.out and "rapport.pptx" in captured.out
    assert "utelämnad: liten.csv, rad 5, kolumn Region: okänd region 'Sormland' (menade du Sörmland?)" in captured.err
    deck = Presentation(str(out))
    assert "1 rader med fel utelämnade" in texts(deck.slides[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["liten.csv", "rapport.pptx"]  # nothing left behind


@pytest.mark.parametrize("args, code, message", [
    (["--out", "rapport.txt"], 2, "ange --format pptx|pdf"),
    (["--out", "rapport.pdf", "--year", "1999"], 2, "--year 1999 ligger utanför 2000–2100"),
    (["--out", "rapport.pdf", "--min-n", "3"], 2, "--min-n 3"),
    (["--out", "rapport.pdf", "--plan", "finns-inte.xlsx"], 1, "finns-inte.xlsx: filen finns inte"),
])
def test_cli_bad_arguments_and_plans_give_one_line(data_dir, tmp_path, capsys, monkeypatch, args, code, message):
    monkeypatch.chdir(tmp_path)
    got = cli.main(["plan-report", "--data", str(data_dir), *args], extra=COMMANDS)
    err = capsys.readouterr().err
    assert got == code and message in err and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []


# -- the pack's text pages (export/pack.py: paginate, fit_blocks) ----------------------------------------------

def test_paginate_fills_pages_in_order_and_titles_the_rest_continued():
    # 13 pt across 12,33 in: 117 characters a line; a one-line paragraph is 13·1,27/72 + 13·0,5/72 = 0,3196 in,
    # so a 5,85 in page holds 18 of them: 40 paragraphs make pages of 18, 18 and 4
    blocks = [("p", f"Rad {i}") for i in range(40)]
    pages = xpack.paginate("Hur målen mäts", blocks, notes=("n",))
    assert [len(p.blocks) for p in pages] == [18, 18, 4]
    assert [p.title for p in pages] == ["Hur målen mäts", "Hur målen mäts (forts.)", "Hur målen mäts (forts.)"]
    assert [b for p in pages for b in p.blocks] == blocks and pages[0].notes == ("n",) and pages[1].notes == ()


def test_paginate_never_leaves_a_heading_last_on_a_page():
    blocks = [("p", f"Rad {i}") for i in range(17)] + [("h", "Rubrik"), ("p", "Text under rubriken")]
    pages = xpack.paginate("T", blocks)
    assert pages[0].blocks[-1] == ("p", "Rad 16") and pages[1].blocks[0] == ("h", "Rubrik")


def test_fit_blocks_cuts_the_block_that_overflows_and_drops_a_heading_without_text():
    # 12 pt across 4 in: 41 characters a line; a line is 12·1,27/72 = 0,2117 in (+ 6/72 after a paragraph)
    words = " ".join(["ordet"] * 60)  # 359 characters: 9 lines
    fitted = xpack.fit_blocks([("p", "Kort."), ("p", words)], 4.0, 1.0, xpack.SIDE_SIZES)
    assert fitted[0] == ("p", "Kort.") and fitted[1][1].endswith(" …") and len(fitted[1][1]) < len(words)
    assert xpack.fit_blocks([("p", "Kort."), ("h", "Rubrik"), ("p", words)], 4.0, 0.6, xpack.SIDE_SIZES) == \
        [("p", "Kort.")]
