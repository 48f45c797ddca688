"""Chart images (export/images.py): the stamp says what the chart shows, the screen figure is never
changed, PNGs are 3200 × 1800, SVGs carry the texts, and concurrent renders never swap images."""

from __future__ import annotations

import io
import re
import threading

import plotly.graph_objects as go
import pytest
from PIL import Image

from export import images

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
