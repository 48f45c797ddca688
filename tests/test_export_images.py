"""Chart images (export/images.py): the stamp says what the chart shows, the screen figure is never
changed, PNGs are 3200 × 1800, SVGs carry the texts, concurrent renders never swap images, and the
image of a view (`view_png`, `view_svg`) draws the same protected view as the screen, with the
preliminary flag kept in its stamp."""

from __future__ import annotations

import html
import io
import re
import threading
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image

import views
from charts.render import figure
from export import images
from indicators import open_data
from view_fixtures import EXTRACT_DATE, four_regions

TITLE = "Andel behandlade inom ledtid – Bröstcancer"
SELECTION = "jan–dec 2025 · alla regioner (egen region: Västra Götaland) · Bröstcancer"
SOURCE = "Testdata för Indikatorpanelen"


def _figure(values=(52.5, 61.0, 47.25), title="Skärmtitel") -> go.Figure:
    fig = go.Figure(go.Bar(x=list(values), y=["Stockholm", "Västra Götaland", "Skåne"], orientation="h",
                           name="andel"))
    fig.update_layout(title=title, legend=dict(orientation="h", y=-0.2))
    return fig


def test_stamp_returns_a_copy_with_title_selection_and_footnote():
    fig = _figure()
    before = fig.to_json()
    stamped = images.stamp(fig, TITLE, SELECTION, "2026-01-15", SOURCE, footnote_extra="Dataset abcd1234")
    assert fig.to_json() == before, "the screen figure must not change"
    assert stamped is not fig
    assert TITLE in stamped.layout.title.text
    assert "Bröstcancer" in stamped.layout.title.subtitle.text
    notes = [a.text for a in stamped.layout.annotations]
    assert any("Datauttag 2026-01-15" in t and SOURCE in t and "abcd1234" in t for t in notes)
    # the data itself is untouched
    assert list(stamped.data[0].x) == list(fig.data[0].x)


def test_long_selection_is_wrapped_not_cut():
    long_sel = " · ".join(f"Region nummer {i}" for i in range(30))
    stamped = images.stamp(_figure(), TITLE, long_sel, "2026-01-15", SOURCE)
    sub = stamped.layout.title.subtitle.text
    assert "<br>" in sub and sub.count("<br>") <= 2
    assert stamped.layout.margin.t >= 100


def test_png_is_slide_sized_3200_by_1800():
    png = images.stamped_png(_figure(), TITLE, SELECTION, "2026-01-15", SOURCE)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == (3200, 1800)
    # the footnote band at the bottom is not empty (text drawn), the very corners are white
    band = img.convert("L").crop((0, 1800 - 60, 1600, 1800))
    assert band.getextrema()[0] < 200
    assert img.convert("RGB").getpixel((3199, 1799)) == (255, 255, 255)


def test_a_figure_designed_taller_than_the_frame_keeps_its_rows_and_the_pixel_size():
    tall = _figure()
    tall.update_layout(height=1100)
    frame = images._frame(tall, 1600, 900)
    assert frame[1] >= 1100 and abs(frame[0] / frame[1] - 16 / 9) < 0.01
    png = images.stamped_png(tall, TITLE, SELECTION, "2026-01-15", SOURCE)
    assert Image.open(io.BytesIO(png)).size == (3200, 1800)
    svg = images.stamped_svg(tall, TITLE, SELECTION, "2026-01-15", SOURCE).decode()
    assert 'width="1600" height="900" viewBox="0 0 %d %d"' % frame in svg


def test_svg_carries_title_selection_and_footnote_as_text():
    svg = images.stamped_svg(_figure(), TITLE, SELECTION, "2026-01-15", SOURCE).decode("utf-8")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert 'width="1600"' in svg and 'height="900"' in svg
    text = re.sub(r"<[^>]+>", " ", svg)
    for needle in ("Andel behandlade inom ledtid", "Västra Götaland", "Datauttag 2026-01-15", SOURCE):
        assert needle in text, needle


def test_concurrent_renders_get_their_own_images():
    """kaleido's server is not thread-safe; export.images serialises every render."""
    figs = {i: _figure(values=(10 * i + 1, 5, 5)) for i in range(1, 5)}
    expected = {i: images.to_svg(f, width=400, height=225) for i, f in figs.items()}
    got: dict[int, list[bytes]] = {i: [] for i in figs}

    def work(i):
        for _ in range(2):
            got[i].append(images.to_svg(figs[i], width=400, height=225))

    threads = [threading.Thread(target=work, args=(i,)) for i in figs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    def bars(svg: bytes) -> str:  # the bar geometry, not ids that differ per render
        return " ".join(re.findall(r'<path class="point" d="[^"]+"', svg.decode()))

    for i in figs:
        assert len(got[i]) == 2
        assert all(bars(s) == bars(expected[i]) for s in got[i]), f"figure {i} got another figure's image"


def test_plotly_config_keeps_the_toolbar_image_button_slide_sized():
    cfg = images.plotly_config("inom_ledtid")
    opts = cfg["toImageButtonOptions"]
    assert (opts["width"], opts["height"], opts["scale"], opts["filename"]) == (1600, 900, 2, "inom_ledtid")
    assert images.PLOTLY_CONFIG["toImageButtonOptions"]["filename"] == "indikatorpanelen"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        images.render(_figure(), "eps")


# -- images of views ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return open_data(four_regions(tmp_path_factory.mktemp("images") / "set"))


YEAR = views.Selection(date(2024, 1, 1), date(2024, 12, 31))


def _svg_text(svg: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", svg.decode("utf-8")))


def test_view_svg_draws_the_protected_view_with_its_stamp(ds):
    v = views.view(ds, YEAR, "jamforelse:svf_within_target")
    ident = views.context(ds).identity
    text = _svg_text(images.view_svg(v, ident))
    for needle in (v.title, "2024 · 21 regioner och riket · alla förlopp", f"Datauttag {EXTRACT_DATE}",
                   f"Dataset {ident.dataset_id}",
                   # the shown bars with their counts (view_fixtures.four_regions); spaces normalised
                   "81,5 % (66 av 81)", "82,0 % (41 av 50)", "73,9 % (17 av 23)",
                   "otillräckligt underlag", "dold (skyddar en liten grupp)"):
        assert needle in text, needle
    for hidden in ("2 av 2", "6 av 6", "100,0"):  # Uppsala and Norrbotten
        assert hidden not in text, hidden
    # the bars are the view's values: NaN for the hidden rows
    bars = dict(zip(figure(v).data[0].y, figure(v).data[0].x))
    assert bars["Stockholm"] == pytest.approx(82.0) and bars["Västra Götaland"] == pytest.approx(100 * 17 / 23)
    assert bars["Uppsala"] != bars["Uppsala"] and bars["Norrbotten"] != bars["Norrbotten"]


def test_view_png_is_slide_sized_and_a_table_view_has_no_image(ds):
    ident = views.context(ds).identity
    png = images.view_png(views.view(ds, YEAR, "trend:svf_within_target"), ident)
    assert Image.open(io.BytesIO(png)).size == (3200, 1800)
    assert images.view_png(views.view(ds, YEAR, "nyckeltal:ledtider"), ident) is None
    assert images.view_svg(views.view(ds, YEAR, "nyckeltal:ledtider"), ident) is None


def test_stamp_of_a_preliminary_view_says_so(ds):
    final = views.view(ds, YEAR, "jamforelse:svf_within_target")
    assert images.stamp_texts(final) == (final.title, final.selection)
    early = views.view(ds, views.Selection(date(2025, 1, 1), date(2025, 2, 28)), "jamforelse:svf_within_target")
    title, selection = images.stamp_texts(early)
    assert title == early.title
    assert selection.startswith(early.selection) and "preliminära uppgifter" in selection
    assert "preliminära uppgifter" in _svg_text(images.view_svg(early, views.context(ds).identity))


def test_hostile_names_are_drawn_as_characters(tmp_path):
    import pandas as pd

    from extract_builder import write_set
    from view_fixtures import brost_episodes

    root = Path(__file__).resolve().parents[1]
    ref = pd.read_csv(root / "data" / "reference" / "regions.csv", dtype=str, keep_default_na=False)
    ref.loc[ref["region_code"] == "01", "region_name"] = '<a href="http://x.invalid">Stockholm</a>'
    d = write_set(tmp_path / "evil", extract_date=EXTRACT_DATE, svf_episodes=brost_episodes("01", 41, 9, "S"))
    ref.to_csv(d / "regions.csv", index=False)
    ds = open_data(d)
    v = views.view(ds, YEAR, "jamforelse:svf_within_target")
    svg = images.view_svg(v, views.context(ds).identity).decode("utf-8")
    assert "<a href" not in svg and "<a " not in svg  # no link element
    # the name is drawn as its characters (escaped in the SVG text)
    assert '<a href="http://x.invalid">Stockholm</a>' in html.unescape(_svg_text(svg.encode("utf-8")))
