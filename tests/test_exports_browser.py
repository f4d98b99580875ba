"""A real Chromium downloads the CSV and Excel files of Örnsköldsvik 2022 Stöd och omsorg with the keyboard
only (Tab to the link under "Ladda ner", Enter) and the files are what they say. The server and the
browser come from tests/browserkit.py."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from browserkit import require_chromium

pytestmark = pytest.mark.browser
require_chromium()
AREA = "/kommun/2284/2022/stod_och_omsorg"
SOURCE = "Källa: Kolada; bearbetning: kommunkvalitet"


def _download_by_keyboard(page, server: str, suffix: str) -> tuple[str, bytes]:
    """Tab from the top of the area page to its "Ladda ner" link ending in ``suffix``, press Enter and
    return the file's suggested name and its bytes."""
    page.goto(server + AREA + "/")
    selector = f'nav.formats a[href$="{suffix}"]'
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            break
    else:
        pytest.fail(f"Tab never reached {selector}")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    with open(download.path(), "rb") as fh:
        return download.suggested_filename, fh.read()


def test_the_csv_for_excel_and_the_plain_csv_download_by_keyboard(server, page):
    name, body = _download_by_keyboard(page, server, "stod_och_omsorg.csv")
    assert name == "kkik-2022-ornskoldsvik-2284-stod_och_omsorg.csv" and body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert lines[0] == ["Örnsköldsvik – KKiK 2022 – Stöd och omsorg"] and lines[1] == [SOURCE]
    header = lines[lines.index([]) + 1]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in lines[lines.index([]) + 2 :] if r}
    assert rows["U21401"]["Värde"] == "19" and rows["U21401"]["Bland kommunerna"] == "Bland de 25 procent sämsta"
    name, body = _download_by_keyboard(page, server, ".plain.csv")
    assert name.endswith(".plain.csv")
    plain = {r["kpi"]: r for r in csv.DictReader(io.StringIO(body.decode("utf-8"), newline=""))}
    assert float(plain["U21401"]["value"]) == 19 and plain["U21401"]["band"] == "worst"


def test_the_workbook_downloads_by_keyboard(server, page):
    name, body = _download_by_keyboard(page, server, ".xlsx")
    assert name == "kkik-2022-ornskoldsvik-2284-stod_och_omsorg.xlsx"
    ws = load_workbook(io.BytesIO(body)).active
    assert ws.title == "Stöd och omsorg" and ws["A2"].value == SOURCE
    values = {ws.cell(r, 1).value: ws.cell(r, 4) for r in range(1, ws.max_row + 1)}
    assert values["U21401"].value == 19 and values["U21401"].data_type == "n"
