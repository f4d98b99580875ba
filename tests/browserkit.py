"""What the browser tests share: Debian's Chromium, one production server (gunicorn) for the whole
session on its own temporary SQLite database, and axe-core for WCAG 2.1 A/AA.

The server has the Stöd och omsorg measures imported, the example goal structure (Mark 2017) loaded as
`make run` loads it, an administrator for Mark (:data:`USER`, :data:`PASSWORD`), and an editor and a
publisher for Mark (:data:`EDITOR`, :data:`PUBLISHER`, same password). The keyboard helpers press Tab,
Enter and type as a keyboard user does. Chromium is
/usr/bin/chromium: .ci/run installs it; on a machine without it the browser tests are skipped, except
under CI=true, where a missing browser fails.
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

from buildonce import build_once
from kommunkvalitet.cli import gunicorn_args
from kommunkvalitet.core.measuresets import MEASURESET_DIR, load_measure_set

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(os.environ.get("KOMMUNKVALITET_SCREENSHOTS", Path(__file__).resolve().parent.parent / "var"))
USER, PASSWORD, MUNI = "tangentbord", "Tangent-Bord-2022!", "1463"
#: the review workflow's two users in Mark: an editor (of every committee) and a publisher
EDITOR, PUBLISHER = "redaktor", "granskare"


def require_chromium() -> None:
    """Call at the top of a browser test module: skip it without Chromium (fail under CI)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(data: Path, snapshot_dir: Path) -> dict[str, str]:
    """A served site's environment: its own data dir (SQLite database), never the tests' database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KOMMUNKVALITET_DATA_DIR=str(data), KOMMUNKVALITET_SNAPSHOT=str(snapshot_dir))
    return env


@pytest.fixture(scope="session")
def server(tmp_path_factory, snapshot_dir):
    kpis = [m.kpi for m in load_measure_set(MEASURESET_DIR / "kkik_2022.toml").area("stod_och_omsorg").measures]
    cli = [sys.executable, "-m", "kommunkvalitet"]

    def build(data: Path) -> None:
        env = server_env(data, snapshot_dir)
        for args in (
            ["manage", "migrate", "-v0"],
            ["import", "snapshot", *(a for k in kpis for a in ("--kpi", k))],
            ["goals", "load"],
            ["editor", "add", USER, MUNI, "--admin", "--password", PASSWORD],
            ["users", "add", EDITOR, "--password", PASSWORD],
            ["users", "set-role", EDITOR, MUNI, "editor"],
            ["users", "add", PUBLISHER, "--password", PASSWORD],
            ["users", "set-role", PUBLISHER, MUNI, "publisher"],
        ):
            subprocess.run([*cli, *args], env=env, check=True, capture_output=True)

    # built once per run; each xdist worker serves its own copy (tests/buildonce.py)
    data = build_once(tmp_path_factory, "browser-data", build)
    proc, url, _ = start_server(server_env(data, snapshot_dir))
    yield url
    proc.terminate()
    proc.wait(10)


def start_server(env: dict) -> tuple[subprocess.Popen, str, int]:
    """gunicorn as `kommunkvalitet serve` runs it, on a free port: the process, its URL and port."""
    port = _free_port()
    proc = subprocess.Popen(
        gunicorn_args(f"127.0.0.1:{port}", 2, 32, access_log=False),
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            return proc, url, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("the server did not start")


@pytest.fixture(scope="session")
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


def axe(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one line each (empty: none)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} st)" for v in results.response["violations"]]


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (the page's own Tab order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def tab_to_text(page, text: str, limit: int = 120) -> None:
    """Press Tab until the focused link or button's text starts with ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if (page.evaluate("document.activeElement.textContent") or "").strip().startswith(text):
            return
    pytest.fail(f"Tab never reached {text!r}")


def enter(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def replace_text(page, text: str) -> None:
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def sign_in(page, server: str, user: str, then: str) -> None:
    """Sign in by keyboard (the user name field has the focus; Tab; Enter) and land on ``then``."""
    page.goto(f"{server}/konto/login/?next={then}")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    page.keyboard.type(user)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    enter(page)
    assert page.url.endswith(then), page.url
