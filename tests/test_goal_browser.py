"""A real Chromium builds a small goal structure through the forms with the keyboard only (Tab, typing,
Enter, Space, arrow keys), enters values and sees the assessment change; every form page meets
WCAG 2.1 AA (axe-core). Same server set-up as tests/test_browser.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kommunkvalitet.core.measuresets import MEASURESET_DIR, load_measure_set

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(os.environ.get("KOMMUNKVALITET_SCREENSHOTS", Path(__file__).resolve().parent.parent / "var"))
USER, PASSWORD, MUNI, YEAR = "tangentbord", "Tangent-Bord-2022!", "1463", 2022

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
    pytest.skip("no Chromium on this machine (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, snapshot_dir):
    data = tmp_path_factory.mktemp("goal-browser-data")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KOMMUNKVALITET_DATA_DIR=str(data), KOMMUNKVALITET_SNAPSHOT=str(snapshot_dir))
    kpis = [m.kpi for m in load_measure_set(MEASURESET_DIR / "kkik_2022.toml").area("stod_och_omsorg").measures]
    cli = [sys.executable, "-m", "kommunkvalitet"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run([*cli, "import", "snapshot", *(a for k in kpis for a in ("--kpi", k))], env=env, check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run([*cli, "editor", "add", USER, MUNI, "--publisher", "--password", PASSWORD], env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kommunkvalitet.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the server did not start")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def _axe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} st)" for v in results.response["violations"]]


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (the page's own Tab order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def _tab_to_text(page, text: str, limit: int = 120) -> None:
    """Press Tab until the focused link or button's text starts with ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if (page.evaluate("document.activeElement.textContent") or "").strip().startswith(text):
            return
    pytest.fail(f"Tab never reached {text!r}")


def _enter(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _replace(page, text: str) -> None:
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def _check_axe(page, seen: list) -> None:
    seen.append((page.url.split("/", 3)[3], _axe(page)))


def test_building_a_goal_structure_by_keyboard(server, page):
    axe: list[tuple[str, list[str]]] = []
    # Sign in: the user name field has the focus; Tab to the password; Enter submits.
    page.goto(f"{server}/konto/login/?next=/kommun/{MUNI}/mal/ny/")
    page.keyboard.type(USER)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _enter(page)
    assert page.url.endswith(f"/kommun/{MUNI}/mal/ny/")

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
    for path in ("redigera/mal/1/", "redigera/indikator/1/", "redigera/importera/"):
        page.goto(f"{server}/kommun/{MUNI}/mal/{YEAR}/{path}")
        _check_axe(page, axe)
    assert [(url, v) for url, v in axe if v] == []
    assert len(axe) == 11
