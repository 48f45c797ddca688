"""A real browser (Playwright with Debian's chromium) against `streamlit run app.py` on a small
generated data set: the app loads, every page opens from the navigation without an error element,
a filter change is written to the URL, and opening that URL in a new page restores the filter."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from app_harness import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from playwright import sync_api as playwright  # a test requirement; Debian's chromium from `make test`

ARGS = CHROMIUM_ARGS
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
WARNINGS = "[data-testid='stAlertContentWarning']"


@pytest.fixture(scope="module")
def app_url(small_data_dir, tmp_path_factory):
    with streamlit_server(small_data_dir, tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium: `make test` installs it (scripts/install_system_deps.sh)"
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def wait_for_run(page) -> None:
    """Streamlit's own e2e wait: connected, then the script has finished (stack-notes §7.2)."""
    page.wait_for_timeout(200)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120000)
    page.wait_for_timeout(400)


def test_every_page_opens_from_the_navigation_without_errors(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/")
    wait_for_run(page)
    assert page.locator("h1").first.inner_text() == "Översikt"
    assert page.locator(ERRORS).count() == 0
    # the overview is a coloured grid (ui.layout.grid), not a chart
    assert page.get_by_test_id("stDataFrame").count() >= 1
    links = page.locator("[data-testid='stSidebarNav'] a")
    # a link's text is its icon name and its title on separate lines
    titles = [links.nth(i).inner_text().strip().splitlines()[-1].strip() for i in range(links.count())]
    for mine in ("Översikt", "SVF – inklusion", "SVF – ledtider"):
        assert mine in titles
    for title in titles:
        page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
        wait_for_run(page)
        errors = page.locator(ERRORS)
        assert errors.count() == 0, f"{title}: {errors.first.inner_text()[:300]}"
        assert page.get_by_text("Page not found").count() == 0, title
    page.close()


def test_a_filter_change_goes_to_the_url_and_the_url_restores_it(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/svf_ledtider")
    wait_for_run(page)
    level = page.get_by_test_id("stSelectbox").filter(has_text="Jämförelsenivå")
    level.click()
    page.get_by_role("option", name="Sjukvårdsregion").click()
    wait_for_run(page)
    own = page.get_by_test_id("stSelectbox").filter(has_text="Egen region")
    own.scroll_into_view_if_needed()
    own.click()
    page.keyboard.type("Uppsala")  # typed, as a person does in a long list at the window's lower edge
    page.get_by_role("option", name="Uppsala", exact=True).click()
    wait_for_run(page)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query.get("niva") == ["Sjukvårdsregion"]
    assert query.get("egen_region") == ["Uppsala"]
    page.locator(".gtitle", has_text="Andel behandlade inom ledtid per sjukvårdsregion").first.wait_for(timeout=20000)

    shared = page.url
    other = browser.new_page(viewport={"width": 1400, "height": 1000})
    other.goto(shared)
    wait_for_run(other)
    assert other.locator("h1").first.inner_text() == "SVF – ledtider"
    assert other.get_by_role("combobox", name="Jämförelsenivå").input_value() == "Sjukvårdsregion"
    assert other.get_by_role("combobox", name="Egen region (markeras)").input_value() == "Uppsala"
    other.locator(".gtitle", has_text="Andel behandlade inom ledtid per sjukvårdsregion").first.wait_for(timeout=20000)
    assert other.locator(ERRORS).count() == 0
    other.close()
    page.close()


def test_a_scorecard_cell_leads_to_its_page_keeping_the_filters(app_url, browser):
    """The overview is a coloured table (ui.layout.grid, single-cell selection): choosing the own
    sjukvårdsregion's "Inom ledtid" cell opens SVF – ledtider with the filters kept."""
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(app_url + "/?niva=Sjukv%C3%A5rdsregion&egen_region=Uppsala")
    wait_for_run(page)
    grid = page.get_by_test_id("stDataFrame").first
    # the accessible copy of the table: riket first, the own sjukvårdsregion second, "Inom ledtid" the
    # second indicator column
    assert grid.locator("#glide-cell-0-1").inner_text() == "Mellansverige (egen)"
    assert grid.locator("th").nth(2).inner_text().startswith("Inom ledtid")
    box = grid.bounding_box()
    row_h = 35  # Streamlit's row height; the header row is as high
    page.mouse.click(box["x"] + 12, box["y"] + row_h * 1.5 + row_h)  # the own row's first cell (its name)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # … to its "Inom ledtid" cell
    wait_for_run(page)
    page.locator("h1", has_text="SVF – ledtider").first.wait_for(timeout=30000)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert urllib.parse.urlparse(page.url).path == "/svf_ledtider"
    assert query.get("niva") == ["Sjukvårdsregion"] and query.get("egen_region") == ["Uppsala"]
    assert page.locator(ERRORS).count() == 0
    # and the navigation keeps them too
    page.locator("[data-testid='stSidebarNav'] a", has_text="SVF – inklusion").first.click()
    wait_for_run(page)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query.get("niva") == ["Sjukvårdsregion"]
    page.close()


def test_a_period_change_goes_to_the_url_and_the_link_restores_it_without_notices(app_url, browser):
    """The period is one range slider: moving its first month writes the link, and that link
    opens the same period on a fresh page with no "Okänt värde i länken" notice."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url + "/svf_inklusion")
    wait_for_run(page)
    thumbs = page.get_by_test_id("stSidebar").get_by_role("slider")
    first = thumbs.first
    before = first.get_attribute("aria-valuetext") or first.get_attribute("aria-valuenow")
    first.focus()
    first.press("ArrowRight")
    wait_for_run(page)
    after = first.get_attribute("aria-valuetext") or first.get_attribute("aria-valuenow")
    assert after != before
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert len(query.get("period", [])) == 2, page.url
    moved = [page.locator(WARNINGS).nth(i).inner_text() for i in range(page.locator(WARNINGS).count())]

    other = browser.new_page(viewport={"width": 1400, "height": 1000})
    other.goto(page.url)
    wait_for_run(other)
    again = other.get_by_test_id("stSidebar").get_by_role("slider").first
    assert (again.get_attribute("aria-valuetext") or again.get_attribute("aria-valuenow")) == after
    opened = [other.locator(WARNINGS).nth(i).inner_text() for i in range(other.locator(WARNINGS).count())]
    assert other.locator(ERRORS).count() == 0
    other.close()
    page.close()
    # the link is the app's own: neither moving the slider nor opening its link warns about it
    assert not moved and not opened, (moved, opened)
