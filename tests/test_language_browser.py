"""The language switch in a real Chromium, by keyboard only: Örnsköldsvik's Stöd och omsorg 2022 in
English and back to Swedish on the same page, with no WCAG 2.1 A/AA violation (axe-core) in either.

The server, the browser and axe-core come from tests/browserkit.py.
"""

from __future__ import annotations

import pytest

from browserkit import SCREENSHOTS, axe, require_chromium
from kommunkvalitet.core.measuresets import MEASURESET_DIR, load_measure_set

pytestmark = pytest.mark.browser
require_chromium()

AREA = "/kommun/2284/2022/stod_och_omsorg/"


def switch_by_keyboard(page) -> None:
    """Tab to the language switch (as a keyboard user does, from the top of the page) and press Enter."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "language":
            break
    else:
        pytest.fail("the language switch cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_switching_to_english_and_back_by_keyboard_keeps_the_page_and_wcag_21_aa(server, page):
    area = load_measure_set(MEASURESET_DIR / "kkik_2022.toml").area("stod_och_omsorg")
    page.goto(server + AREA)
    assert page.get_attribute("html", "lang") == "sv"
    swedish_rows = page.locator("table.measures tbody tr[id]").evaluate_all("rows => rows.map(r => r.id)")
    assert axe(page) == []

    switch_by_keyboard(page)
    assert page.url == server + AREA  # the same page
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith(area.name_en)
    assert page.locator("table.measures tbody tr[id]").evaluate_all("rows => rows.map(r => r.id)") == swedish_rows
    assert page.get_by_role("button", name="På svenska").is_visible()
    header = page.locator("table.measures thead th").all_inner_texts()
    assert header[:2] == ["Measure", "Value"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "area-2284-2022-stod_och_omsorg-en.png"), full_page=True)
    assert axe(page) == []

    switch_by_keyboard(page)
    assert page.url == server + AREA
    assert page.get_attribute("html", "lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text().startswith(area.name)
    assert page.get_by_role("button", name="In English").is_visible()
    assert axe(page) == []
