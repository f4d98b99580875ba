"""The Content-Security-Policy in a real Chromium: no page family makes the browser refuse anything
(issue 11). Chromium reports each refused inline style, script or source as a console error naming the
Content Security Policy; the pages and the map downloaded on its own (whose one style is allowed by
hash) must give none. The server comes from tests/browserkit.py (Stöd och omsorg, Mark's goals 2017).
"""

from __future__ import annotations

import pytest

from browserkit import MUNI, PASSWORD, USER, require_chromium

pytestmark = pytest.mark.browser
require_chromium()

PUBLIC = [
    "/", "/kommun/2284/2022/", "/kommun/2284/2022/stod_och_omsorg/", "/nyckeltal/U21401/2022/?kommun=2284",
    "/nyckeltal/U21401/2022/karta/", "/nyckeltal/U21401/2022/karta.svg", "/sok/?q=hemtj%C3%A4nst",
    f"/kommun/{MUNI}/mal/2017/", "/konto/login/", "/finns-inte/",
]  # fmt: skip
SIGNED_IN = [f"/kommun/{MUNI}/mal/2017/redigera/", "/kommun/2284/2022/stod_och_omsorg/redigera/"]


def test_no_page_makes_the_browser_refuse_anything_under_the_policy(server, page):
    page.set_default_timeout(90_000)  # the first charts of a fresh server are drawn cold
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
    )
    for path in PUBLIC:
        page.goto(server + path)
    page.goto(server + "/konto/login/")
    page.fill("#id_username", USER)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    for path in SIGNED_IN:
        page.goto(server + path)
        assert "/konto/login/" not in page.url, path
    assert refused == []
