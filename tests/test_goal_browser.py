"""A real Chromium builds a small goal structure through the forms with the keyboard only (Tab, typing,
Enter, Space, arrow keys), enters values and sees the assessment change; every form page meets
WCAG 2.1 AA (axe-core). The server, the browser and axe-core come from tests/browserkit.py."""

from __future__ import annotations

import re

import pytest

from browserkit import MUNI, SCREENSHOTS, USER, axe, require_chromium, sign_in
from browserkit import enter as _enter
from browserkit import replace_text as _replace
from browserkit import tab_to as _tab_to
from browserkit import tab_to_text as _tab_to_text

pytestmark = pytest.mark.browser
require_chromium()
YEAR = 2022


def _check_axe(page, seen: list) -> None:
    seen.append((page.url.split("/", 3)[3], axe(page)))


def test_building_a_goal_structure_by_keyboard(server, page):
    axe: list[tuple[str, list[str]]] = []
    # Sign in: the user name field has the focus; Tab to the password; Enter submits.
    sign_in(page, server, USER, f"/kommun/{MUNI}/mal/ny/")

    # A new structure: the year, then Enter in a text field submits.
    _check_axe(page, axe)
    _tab_to(page, "#id_year")
    _replace(page, str(YEAR))
    _tab_to(page, "#id_interim_end")
    page.keyboard.type("2022-08-31")
    _tab_to(page, "form.goal-form button[type=submit]")
    _enter(page, "Space")
    assert page.url.endswith(f"/mal/{YEAR}/redigera/"), page.inner_text("main")[:800]
    assert "Målstrukturen för 2022 är skapad." in page.inner_text("main")
    _check_axe(page, axe)

    # A goal: the empty form first shows the error summary, then the title is typed.
    _tab_to_text(page, "Lägg till ett mål")
    _enter(page)
    _check_axe(page, axe)
    _tab_to(page, "form.goal-form button[type=submit]")
    _enter(page)
    assert "Formuläret har fel" in page.inner_text("main")
    assert page.get_attribute("#id_title", "aria-invalid") == "true"
    _check_axe(page, axe)
    _tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")  # the summary's link takes the focus to the field
    assert page.evaluate("document.activeElement.id") == "id_title"
    page.keyboard.type("I Mark ska de som behöver få bra stöd")
    _enter(page)
    assert "Målet ”I Mark ska de som behöver få bra stöd” är sparat." in page.inner_text("main")

    # An own indicator with target 90 and value 80: Inte uppfyllt.
    _tab_to_text(page, "Lägg till en indikator")
    _enter(page)
    _check_axe(page, axe)
    _tab_to(page, "#id_name")
    page.keyboard.type("Andel brukare med genomförandeplan")
    _tab_to(page, "#id_unit")
    page.keyboard.type("Pr")  # type-ahead in the select: "Procent (%)"
    _tab_to(page, "#id_target")
    page.keyboard.type("90")
    _tab_to(page, "#id_value_year")
    page.keyboard.type("80")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "goal-indicator-form.png"), full_page=True)
    _enter(page)
    row = page.locator("tr", has_text="Andel brukare med genomförandeplan")
    assert "Inte uppfyllt" in row.inner_text() and "90\u00a0%" in row.inner_text()
    page.goto(f"{server}/kommun/{MUNI}/mal/{YEAR}/")
    goal_row = page.locator("table.goals tbody tr").first
    assert "Inte uppfyllt" in goal_row.inner_text()

    # The value becomes 95: Uppfyllt on the report.
    page.goto(f"{server}/kommun/{MUNI}/mal/{YEAR}/redigera/")
    _tab_to(page, "a[href*='/redigera/indikator/']")
    _enter(page)
    _tab_to(page, "#id_value_year")
    _replace(page, "95")
    _enter(page)
    assert "Uppfyllt" in page.locator("tr", has_text="Andel brukare med genomförandeplan").inner_text()
    page.goto(f"{server}/kommun/{MUNI}/mal/{YEAR}/")
    cells = page.locator("table.goals tbody tr").first.locator("td").all_inner_texts()
    assert "Uppfyllt" in cells[0] and "Inte" not in cells[0] and "Delvis" not in cells[0]

    # A decision that differs without a motivation is refused, then given with one (arrow keys, Space).
    page.goto(f"{server}/kommun/{MUNI}/mal/{YEAR}/redigera/")
    _tab_to_text(page, "Bedömning och text")
    _enter(page)
    _check_axe(page, axe)
    _tab_to(page, "input[name=assessment]:checked")
    page.keyboard.press("ArrowDown")  # Delvis uppfyllt
    _tab_to_text(page, "Spara bedömningen")
    _enter(page, "Space")
    assert "Bedömningen skiljer sig från regelns förslag: skriv en motivering." in page.inner_text(".error-summary")
    page.screenshot(path=str(SCREENSHOTS / "goal-assess-error.png"), full_page=True)
    _check_axe(page, axe)
    _tab_to(page, "#id_motivation")
    page.keyboard.type("Nyckeltalen visar brister i kontinuiteten.")
    _tab_to_text(page, "Spara bedömningen")
    _enter(page, "Space")
    assert "Bedömningen är sparad." in page.inner_text("main")
    assert "Nyckeltalen visar brister i kontinuiteten." in page.inner_text("main")

    # The other form pages: KPI search with hits as radio buttons, goal editing, Excel upload.
    page.goto(f"{server}/kommun/{MUNI}/mal/{YEAR}/redigera/")
    _tab_to_text(page, "Lägg till en indikator")
    _enter(page)
    _tab_to(page, "input[name=q]")
    page.keyboard.type("personalkontinuitet")
    _enter(page)
    assert page.locator("input[name=kpi][value=U21401]").count() == 1
    _check_axe(page, axe)
    page.goto(f"{server}/kommun/{MUNI}/mal/{YEAR}/redigera/")
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    goal_href = next(h for h in hrefs if re.search(r"/redigera/mal/\d+/$", h))
    indicator_href = next(h for h in hrefs if re.search(r"/redigera/indikator/\d+/$", h))
    pages = (goal_href, indicator_href, f"/kommun/{MUNI}/mal/{YEAR}/redigera/importera/", goal_href + "ta-bort/")
    for path in pages:
        page.goto(server + path)
        _check_axe(page, axe)
    assert [(url, v) for url, v in axe if v] == []
    assert len(axe) == 12


def test_the_mark_2017_example_as_a_citizen_sees_it_and_wcag_21_aa(server, page):
    """The example structure `make run` loads: seed 002's figures, the assessments, the decision."""
    page.goto(f"{server}/kommun/{MUNI}/")
    for link in ("Målbedömning – hur Mark följer upp kommunfullmäktiges mål", "Målbedömning 2017"):
        with page.expect_navigation():
            page.get_by_role("link", name=link).click()
    assert page.url.endswith(f"/kommun/{MUNI}/mal/2017/")
    main = page.inner_text("main")
    assert "Exempeldata" in main and "Målbedömning 2017 – Mark" in main
    for text in (
        "Symbolförklaring",
        "Uppfyllt",
        "Delvis uppfyllt",
        "Inte uppfyllt",
        "Kan inte bedömas",
        "Personalkontinuitet hemtjänst, antal personal på 14 dagar: 19, rikssnitt: 15",
        "sitt särskilda boende: 81\u00a0%, rikssnitt: 83\u00a0%",
        "sin hemtjänst: 94\u00a0%, rikssnitt: 92\u00a0%",
        "Då nyckeltalen visar på kvalitetsbrister",
    ):
        assert text in main, text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "goal-report-1463-2017.png"), full_page=True)
    assert axe(page) == []
    title = "Allt arbete bedrivs med professionellt förhållningssätt och god kvalitet"
    page.get_by_role("link", name=title, exact=True).click()  # the table's link: the goal's section
    assert page.url.endswith("#" + page.locator("section", has_text=title).last.get_attribute("id"))
    with page.expect_navigation():
        page.get_by_role("link", name=f"Målets sida och historik : {title}").click()
    assert "/mal/2017/mal-" in page.url
    assert axe(page) == []
