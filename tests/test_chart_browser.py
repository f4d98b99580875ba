"""The pictures in a real Chromium: from an area page to a measure page with its bar chart, time series and
map; the map's links; search by keyboard only; axe-core (WCAG 2.1 A/AA) on every new page family.

The server, the browser and axe-core come from tests/browserkit.py (its import has the Stöd och omsorg
measures, U21401 and U23401 among them). Screenshots go to KOMMUNKVALITET_SCREENSHOTS (default var/).
"""

from __future__ import annotations

import pytest

from browserkit import SCREENSHOTS, axe, require_chromium

pytestmark = pytest.mark.browser
require_chromium()


def _tab_to(page, test: str, limit: int = 80) -> None:
    """Press Tab until ``test`` (JavaScript on ``document.activeElement`` as ``el``) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({test}))(document.activeElement)"):
            return
    pytest.fail(f"Tab never reached an element where {test}")


def test_from_an_area_page_to_the_measure_page_with_its_charts_and_map(server, page):
    page.set_default_timeout(90_000)  # the first charts of a fresh server are drawn cold
    page.goto(server + "/kommun/2284/2022/stod_och_omsorg/")
    assert page.locator("svg.chart-spark").count() >= 10
    with page.expect_navigation():
        page.locator("#U21401 th a").click()
    assert page.url.endswith("/nyckeltal/U21401/2022/?kommun=2284")
    main = page.inner_text("main")
    assert "Örnsköldsvik har 19, plats 193 av 233." in main
    bar, series, country = page.locator("svg.chart-bar"), page.locator("svg.chart-series"), page.locator("svg.kk-map")
    for picture in (bar, series, country):
        picture.scroll_into_view_if_needed()
        box = picture.bounding_box()
        assert picture.is_visible() and box["width"] > 300 and box["height"] > 150
    assert bar.get_attribute("aria-label").startswith("Stapeldiagram: Personalkontinuitet")
    assert country.locator("a").count() == 290
    link = page.get_by_role("link", name="Örnsköldsvik: 19 – bland de 25 procent sämsta")
    assert link.count() == 1 and link.get_attribute("href") == "/nyckeltal/U21401/2022/?kommun=2284"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "measure-U21401-2022-2284.png"), full_page=True)
    country.screenshot(path=str(SCREENSHOTS / "map-U21401-2022-2284.png"))
    assert axe(page) == []


def test_a_kpi_is_found_by_keyboard_only(server, page):
    page.set_default_timeout(90_000)
    page.goto(server + "/")
    _tab_to(page, "el.textContent === 'Sök nyckeltal'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "el.id === 'sok-q'")
    page.keyboard.type("vantetid sarskilt boende")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "U23401" in page.inner_text("main")
    _tab_to(page, "el.getAttribute('href') === '/nyckeltal/U23401/2022/'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/nyckeltal/U23401/2022/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Väntetid")
    # Choose a kommun with the keyboard too: the select, then the button.
    _tab_to(page, "el.id === 'kommun'")
    page.keyboard.type("Mark")
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent === 'Visa'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/nyckeltal/U23401/2022/?kommun=1463")
    # The map's links can be skipped in one step.
    _tab_to(page, "el.classList.contains('skip-inline')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "efter-kartan"


@pytest.mark.parametrize(
    "path",
    [
        "/nyckeltal/U23401/2022/",
        "/nyckeltal/U23471/2022/?kommun=1463",
        "/nyckeltal/U21401/2022/karta/?kommun=2284",
        "/nyckeltal/U21401/2022/karta/?kommun=2284&lan=0022&farg=skala",
        "/sok/?q=vantetid+sarskilt+boende",
        "/nyckeltal/",
        "/nyckeltal/omrade/aldre-och-funktionshinder/",
    ],
)
def test_the_new_pages_meet_wcag_21_aa(server, page, path):
    page.set_default_timeout(90_000)
    page.goto(server + path)
    if "/karta/" in path and "lan=" not in path:
        page.locator("svg.kk-map").screenshot(path=str(SCREENSHOTS / "map-page-U21401-2022.png"))
    assert axe(page) == []
