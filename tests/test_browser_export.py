"""Through the running app in a real browser (Playwright + Debian's chromium, never downloaded):
download a chart's PNG from the Översikt page and build and download a meeting pack on the
Mötespaket page, then check the files."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_harness import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from playwright import sync_api  # a test requirement; Debian's chromium from `make test`


@pytest.fixture(scope="module")
def app_url(small_data_dir, tmp_path_factory):
    with streamlit_server(small_data_dir, tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium: `make test` installs it (scripts/install_system_deps.sh)"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    pg = ctx.new_page()
    pg.set_default_timeout(90_000)
    yield pg
    ctx.close()


def _wait_for_app(page) -> None:
    page.wait_for_selector('[data-testid="stSidebar"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)


def test_chart_png_downloads_from_the_overview(page, app_url, tmp_path):
    from PIL import Image

    page.goto(f"{app_url}/")  # Översikt is the default page (its URL is the root)
    _wait_for_app(page)
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="PNG").first
    button.wait_for()
    with page.expect_download(timeout=90_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".png")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    img = Image.open(path)
    assert img.format == "PNG" and img.size == (3200, 1800)


def test_meeting_pack_builds_and_downloads(page, app_url, small_data_dir, tmp_path):
    from pptx import Presentation

    import views
    from export.pack import build_pack
    from indicators import open_data

    page.goto(f"{app_url}/motespaket")
    _wait_for_app(page)
    page.get_by_label("Mötets namn (titelsidan)").fill("Webbtest styrgrupp")
    page.get_by_label("Mötets namn (titelsidan)").press("Enter")
    _wait_for_app(page)
    page.get_by_role("button", name="Bygg mötespaket").click()
    dl = page.locator('[data-testid="stDownloadButton"] button', has_text="PowerPoint")
    dl.wait_for(timeout=180_000)
    with page.expect_download(timeout=120_000) as info:
        dl.click()
    download = info.value
    assert download.suggested_filename.endswith(".pptx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    prs = Presentation(str(path))
    # the page's default selection and preset: the same pack as build_pack makes of the same views
    ds = open_data(small_data_dir)
    expected = build_pack(ds, None, views.Selection(*views.default_period(ds.extract_date)), preset="styrgrupp",
                          meeting="Webbtest styrgrupp", render=False)
    assert len(prs.slides) == expected.slide_count
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[1:1 + len(expected.items)] == [i.title for i in expected.items]
    first = "\n".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert "Webbtest styrgrupp" in first
    assert str(ds.extract_date) in first
    # every picture carries the numbers it shows (the view's alternative text)
    descr = [sh._element.xpath("./*[1]/p:cNvPr/@descr") for s in list(prs.slides)[1:1 + len(expected.items)]
             for sh in s.shapes if sh.shape_type == 13]
    from charts.render import figure

    pictured = [alt for item, alt in zip(expected.items, expected.alt_texts) if not item.error and figure(item)]
    assert [d[0] for d in descr if d] == pictured

    pdf = page.locator('[data-testid="stDownloadButton"] button', has_text="PDF")
    with page.expect_download(timeout=120_000) as info:
        pdf.click()
    pdf_path = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf_path)
    from pypdf import PdfReader

    assert len(PdfReader(str(pdf_path)).pages) > len(prs.slides)  # the slides, then the notes
