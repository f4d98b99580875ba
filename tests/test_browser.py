"""A real Chromium on the real app: what a user sees, keyboard use and WCAG 2.1 AA (axe-core).

The server, the browser and axe-core come from tests/browserkit.py.
"""

from __future__ import annotations

import pytest

from browserkit import SCREENSHOTS, axe, require_chromium

pytestmark = pytest.mark.browser
require_chromium()


def test_a_citizen_finds_the_municipality_without_a_mouse(server, page):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    page.get_by_label("Sök kommun (namn eller kommunkod)").fill("Örnsköld")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1 kommun matchar" in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("link", name="Örnsköldsvik").click()
    assert page.url.endswith("/kommun/2284/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Örnsköldsvik")
    assert "Mindre stad/tätort" in page.inner_text("main")


def test_the_area_page_as_a_user_sees_it_and_wcag_21_aa(server, page):
    page.goto(server + "/kommun/2284/2022/stod_och_omsorg/")
    main = page.inner_text("main")
    assert "Stöd och omsorg – Örnsköldsvik, KKiK 2022" in main
    assert "Bland de 25 procent sämsta" in main and "plats 193 av 233" in main
    assert "ligger nu bland de 25 procent sämsta kommunerna" in main
    header = page.locator("table.measures thead th").all_inner_texts()
    assert header[:2] == ["Mått", "Värde"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "area-2284-2022-stod_och_omsorg.png"), full_page=True)
    assert axe(page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/kommun/2284/",
        "/kommun/2284/2022/",
        "/konto/login/",
        # issue 10: Riket, a flagged value (Ej jämförbart), the 404 page
        "/kommun/0000/2022/stod_och_omsorg/",
        "/kommun/0380/2020/samhalle_och_miljo/",
        "/kommun/2284/2030/",
    ],
)
def test_other_pages_meet_wcag_21_aa(server, page, path):
    page.goto(server + path)
    assert axe(page) == []
