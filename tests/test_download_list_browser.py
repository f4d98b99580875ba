"""A reader downloads every other form of a page by keyboard alone: Örnsköldsvik, KKiK 2022, Stöd och
omsorg, in a real Chromium against the production server (tests/browserkit.py). Each format the page's
"Ladda ner" list offers is fetched by Tab and Enter and checked for what its type promises."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from browserkit import axe, require_chromium
from kommunkvalitet.web.formats import FORMATS

pytestmark = pytest.mark.browser
require_chromium()
AREA = "/kommun/2284/2022/stod_och_omsorg/"
MAX_TABS = 400  # more tab stops than the page has: a link that is never reached fails the test


def _offered(page) -> list[tuple[str, str]]:
    """The "Ladda ner" list: (MIME type, link href) of each link, in the page's order."""
    links = page.locator("nav.formats a")
    return [(links.nth(i).get_attribute("type"), links.nth(i).get_attribute("href")) for i in range(links.count())]


def _check(key: str, body: bytes) -> None:
    if key == "pdf":
        assert body.startswith(b"%PDF-")
    elif key == "json":
        assert json.loads(body)["municipality"]["name"] == "Örnsköldsvik"
    elif key == "csv":
        assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Swedish Excel opens it right
    elif key == "plain_csv":
        assert len(next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) > 1
    elif key == "xlsx":
        assert zipfile.is_zipfile(io.BytesIO(body))
    else:
        pytest.fail(f"no check for the format {key!r}")


def test_the_list_offers_every_format_and_the_page_meets_wcag_21_aa(server, page):
    page.goto(server + AREA)
    offered = _offered(page)
    assert sorted(_ending(h) for _, h in offered) == sorted(f.key for f in FORMATS)
    assert page.get_by_role("heading", name="Ladda ner").is_visible()
    assert axe(page) == []


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.key for f in FORMATS])
def test_each_offered_format_downloads_by_keyboard(server, page, fmt):
    page.goto(server + AREA)
    href = next((h for mime, h in _offered(page) if mime == fmt.mime and _ending(h) == fmt.key), None)
    assert href is not None, f"the page does not offer {fmt.key}"
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            break
    else:
        pytest.fail(f"Tab never reached the link to {href}")
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    with page.expect_response(lambda r: r.url == server + href) as answer:
        page.keyboard.press("Enter")
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"].startswith(fmt.mime)
    if downloads or "attachment" in response.headers.get("content-disposition", ""):
        download = downloads[0] if downloads else page.wait_for_event("download")
        if fmt.key == "pdf":
            assert download.suggested_filename == "kkik-2022-ornskoldsvik-2284-stod_och_omsorg.pdf"
        with open(download.path(), "rb") as fh:
            body = fh.read()
    else:
        body = response.body()
    _check(fmt.key, body)


def _ending(href: str) -> str:
    """A form's format key from its URL (``x.plain.csv`` -> ``plain_csv``): the two CSV forms apart."""
    path = href.split("?")[0]
    return "plain_csv" if path.endswith(".plain.csv") else path.rsplit(".", 1)[-1]
