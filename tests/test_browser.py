"""A real Chromium on the real app: what a user sees, keyboard use and WCAG 2.1 AA (axe-core).

The server is the production one (gunicorn) on loopback, on its own temporary SQLite database with the
Stöd och omsorg measures imported. Chromium is Debian's (/usr/bin/chromium): .ci/run installs it; on a
machine without it these tests are skipped, except under CI=true, where a missing browser fails.
"""

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
    data = tmp_path_factory.mktemp("browser-data")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KOMMUNKVALITET_DATA_DIR=str(data), KOMMUNKVALITET_SNAPSHOT=str(snapshot_dir))
    kpis = [m.kpi for m in load_measure_set(MEASURESET_DIR / "kkik_2022.toml").area("stod_och_omsorg").measures]
    cli = [sys.executable, "-m", "kommunkvalitet"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run([*cli, "import", "snapshot", *(a for k in kpis for a in ("--kpi", k))], env=env, check=True,
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
    assert _axe(page) == []


@pytest.mark.parametrize("path", ["/", "/kommun/2284/", "/kommun/2284/2022/", "/konto/login/"])
def test_other_pages_meet_wcag_21_aa(server, page, path):
    page.goto(server + path)
    assert _axe(page) == []
