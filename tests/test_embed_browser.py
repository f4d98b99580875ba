"""Embedded charts in a real Chromium: a page on another origin frames the embeds (they show their chart
and table) and cannot frame the measure page; axe-core (WCAG 2.1 A/AA) finds nothing on the embeds or on
the measure page with its "Bädda in" code. Server, browser and axe-core: tests/browserkit.py."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from browserkit import axe, require_chromium

pytestmark = pytest.mark.browser
require_chromium()

MEASURE = "/nyckeltal/U21401/2022/"
CHARTS = ("stapel", "tidsserie", "karta")
AREA = "/kommun/2284/2022/stod_och_omsorg/"
EMBEDS = {c: f"{MEASURE}inbadda/{c}/?kommun=2284" for c in CHARTS} | {"sparkline": f"{AREA}inbadda/U21401/"}


@pytest.fixture
def other_site(tmp_path, server):
    """A page on another origin (its own port) that frames the measure page's three embeds, an area page's
    sparkline embed and the measure page."""
    frames = [f'<iframe id="{c}" title="{c}" src="{server}{path}"></iframe>' for c, path in EMBEDS.items()]
    frames.append(f'<iframe id="page" title="page" src="{server}{MEASURE}?kommun=2284"></iframe>')
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>Kommunens sida</title>" + "".join(frames))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
    httpd.shutdown()


def test_another_site_frames_the_embeds_but_not_the_pages(page, other_site):
    page.set_default_timeout(90_000)
    page.goto(other_site)
    for chart in EMBEDS:
        frame = page.frame_locator(f"#{chart}")
        assert frame.locator("svg").first.is_visible()
        assert frame.locator("table").count() == 1
        assert "Källa: Kolada; bearbetning: kommunkvalitet" in frame.locator("body").inner_text()
    # The measure page refuses to be framed: Chromium shows its own error page in the frame instead
    assert page.frame_locator("#page").locator("main").count() == 0


@pytest.mark.parametrize("path", [*EMBEDS.values(), f"{MEASURE}?kommun=2284", AREA])
def test_the_embeds_and_the_embed_code_meet_wcag_21_aa(server, page, path):
    page.set_default_timeout(90_000)
    page.goto(server + path)
    assert axe(page) == []
