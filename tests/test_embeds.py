"""Embeddable charts (web.views.embeds): the bar chart, the time series and the map of a measure page as
an SVG and as a minimal HTML page with the chart, its description, its data table and the source line.
Only these URLs may be framed; the table's numbers are the JSON twin's; the measure page shows the
<iframe> code."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

KPI, YEAR, MUNI = "N00640", 2022, "2284"
BASE = f"/nyckeltal/{KPI}/{YEAR}/inbadda"
CHARTS = ("stapel", "tidsserie", "karta")
NOT_FRAMED = (f"/nyckeltal/{KPI}/{YEAR}/", f"/nyckeltal/{KPI}/{YEAR}.json", f"/nyckeltal/{KPI}/{YEAR}/karta/",
              "/kommun/2284/2022/stod_och_omsorg/", "/kommun/2284/2022.json", "/api/", "/konto/login/", "/")  # fmt: skip


def _csp(response) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip())


def _number(text: str) -> float | None:
    """A value as the table shows it in Swedish ("1 234,5 %", "19 dagar"), None for a missing one."""
    found = re.search(r"[-−]?\d[\d\s\u00a0\u202f]*(?:,\d+)?", html.unescape(text))
    if not found:
        return None
    return float(re.sub(r"[\s\u00a0\u202f]", "", found.group()).replace(",", ".").replace("−", "-"))


def _same(shown: float | None, value: float | None, decimals: int) -> bool:
    """The table's number is the JSON value, rounded to the decimals the pages show."""
    if shown is None or value is None:
        return shown is value
    return abs(shown - value) <= 0.5 * 10**-decimals + 1e-9


@pytest.mark.parametrize("url", [f"{BASE}/{c}/" for c in CHARTS] + [f"{BASE}/{c}.svg" for c in CHARTS])
def test_only_the_embeds_may_be_framed_by_any_site(client, url):
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(url)
        assert response.status_code == 200
        assert "X-Frame-Options" not in response
        assert _csp(response)["frame-ancestors"] == "*"
        assert _csp(response)["script-src"] == "'self'"  # the rest of the policy is kept


@pytest.mark.parametrize("url", NOT_FRAMED)
def test_every_other_page_keeps_deny(client, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert _csp(response)["frame-ancestors"] == "'none'"


def _json(client: Client, query: str = "") -> dict:
    return json.loads(client.get(f"/nyckeltal/{KPI}/{YEAR}.json{query}").content)


def _rows(page: str) -> dict[str, float | None]:
    """The data table's value per kommun id."""
    rows = re.findall(r'data-id="(\d{4})"><td class="num">[^<]*</td><th scope="row">.*?</th><td class="num">(.*?)</td>',
                      page)  # fmt: skip
    return {mid: _number(cell) for mid, cell in rows}


@pytest.mark.parametrize("chart", ["stapel", "karta"])
def test_the_table_of_the_bar_chart_and_the_map_has_the_json_numbers(client, chart):
    data = _json(client, f"?kommun={MUNI}")
    page = client.get(f"{BASE}/{chart}/?kommun={MUNI}").content.decode()
    shown = _rows(page)
    expected = {m["id"]: m["value"] for m in data["municipalities"]}
    assert expected and expected.keys() <= shown.keys()
    assert all(_same(shown[k], v, data["kpi"]["decimals"]) for k, v in expected.items())
    assert {m["id"] for m in data["missing"]} <= {k for k, v in shown.items() if v is None}
    description = data["charts"]["bar" if chart == "stapel" else "map"]["description"]
    assert html.escape(description, quote=False) in page
    assert "Källa: Kolada; bearbetning: kommunkvalitet" in page
    assert f'href="/nyckeltal/{KPI}/{YEAR}/?kommun={MUNI}"' in page  # back to the full page
    assert f'<tr class="chosen" data-id="{MUNI}"' in page


def test_the_table_of_the_time_series_has_the_json_numbers(client):
    data = _json(client, f"?kommun={MUNI}")
    page = client.get(f"{BASE}/tidsserie/?kommun={MUNI}").content.decode()
    body = page.split('<table class="series"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>', body)
    lines = [line for line in data["series"] if any(p["value"] is not None for p in line["points"])]
    decimals = data["kpi"]["decimals"]
    assert rows and len(rows) == len(lines[0]["points"])
    for i, (year, cells) in enumerate(rows):
        values = [_number(c) for c in re.findall(r'<td class="num">(.*?)</td>', cells)]
        assert int(year) == lines[0]["points"][i]["year"]
        assert len(values) == len(lines)
        assert all(_same(v, ln["points"][i]["value"], decimals) for v, ln in zip(values, lines, strict=True))
    assert html.escape(data["charts"]["series"]["description"], quote=False) in page


def test_the_svg_is_the_chart_of_the_page(client):
    response = client.get(f"{BASE}/stapel.svg?kommun={MUNI}")
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    page = client.get(f"{BASE}/stapel/?kommun={MUNI}").content.decode()
    assert svg.split("<svg", 1)[1].split(">", 1)[0] in page  # the same picture as the HTML embed


def test_an_unknown_chart_or_year_is_404(client):
    assert client.get(f"{BASE}/cirkel/").status_code == 404
    assert client.get(f"/nyckeltal/{KPI}/1990/inbadda/stapel/").status_code == 404


def test_the_measure_page_shows_the_iframe_code_of_each_chart(client):
    page = client.get(f"/nyckeltal/{KPI}/{YEAR}/?kommun={MUNI}").content.decode()
    assert "Bädda in" in page
    codes = [html.unescape(c) for c in re.findall(r'<textarea id="badda-in-[a-z]+"[^>]*>(.*?)</textarea>', page)]
    assert len(codes) == len(CHARTS)
    for chart, code in zip(CHARTS, codes, strict=True):
        src = re.search(r'src="([^"]+)"', code).group(1)
        assert src == f"http://testserver{BASE}/{chart}/?kommun={MUNI}"
        assert re.search(r'title="[^"]{10,}"', code)
        assert client.get(src.removeprefix("http://testserver")).status_code == 200
        assert f'<label for="badda-in-{chart}">' in page
