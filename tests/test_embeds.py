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


# --- the area page's sparklines: one embed per measure ------------------------------------------------

AREA = "/kommun/2284/2022/stod_och_omsorg"


def _spark_points(measure: dict) -> list[tuple[int, float | None]]:
    """The sparkline's points from the area's JSON twin: every year from the first value to the data year."""
    known = {p["year"]: p["value"] for p in measure["series"]}
    first = min(y for y, v in known.items() if v is not None)
    return [(y, known.get(y)) for y in range(first, measure["year"] + 1)]


def test_each_sparkline_of_the_area_page_is_an_embed_with_its_table_description_and_source(client):
    data = json.loads(client.get(AREA + ".json").content)
    area_page = client.get(AREA + "/").content.decode()
    measures = [m for m in data["measures"] if any(p["value"] is not None for p in m["series"])]
    assert len(measures) >= 10
    for m in measures:
        url = f"{AREA}/inbadda/{m['kpi']}/"
        for _ in range(2):  # rendered, then from the page cache
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == "text/html; charset=utf-8"
            assert "X-Frame-Options" not in response and _csp(response)["frame-ancestors"] == "*"
        page = response.content.decode()
        body = page.split('<table class="series" data-chart="sparkline"', 1)[1].split("</table>", 1)[0]
        rows = [
            (int(y), _number(v))
            for y, v in re.findall(r'<tr><th scope="row">(\d{4})</th><td class="num">(.*?)</td>', body)
        ]
        points = _spark_points(m)
        assert [y for y, _ in rows] == [y for y, _ in points]
        assert all(_same(shown, value, m["decimals"]) for (_, shown), (_, value) in zip(rows, points, strict=True))
        # the area page's own description of this sparkline is the embed's caption
        caption = re.search(
            rf'<tr id="{m["kpi"]}">.*?<figcaption class="visually-hidden">(.*?)</figcaption>', area_page, re.S
        )
        assert f"<figcaption>{caption.group(1)}</figcaption>" in page
        assert "Källa: Kolada; bearbetning: kommunkvalitet" in page
        assert f'href="{AREA}/#{m["kpi"]}"' in page  # back to the measure's row on the area page
        assert 'class="chart chart-spark"' in page


def test_the_sparklines_svg_is_the_picture_of_the_area_page_named_for_a_screen_reader(client):
    response = client.get(f"{AREA}/inbadda/U23401.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "X-Frame-Options" not in response and _csp(response)["frame-ancestors"] == "*"
    svg = response.content.decode()
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    root = svg.split("<svg", 1)[1].split(">", 1)[0]
    assert 'role="img"' in root and 'aria-label="Linjediagram: ' in root and "Örnsköldsvik över tid" in root
    area_page = client.get(AREA + "/").content.decode()
    assert svg.split("<svg", 1)[1].split("</svg>", 1)[0].split(">", 1)[1] in area_page  # the same picture


def test_the_area_page_shows_the_iframe_code_of_each_sparkline(client):
    data = json.loads(client.get(AREA + ".json").content)
    page = client.get(AREA + "/").content.decode()
    assert "Bädda in" in page
    codes = dict(re.findall(r'<textarea id="badda-in-([A-Z0-9]+)"[^>]*>(.*?)</textarea>', page))
    with_values = [m["kpi"] for m in data["measures"] if any(p["value"] is not None for p in m["series"])]
    assert list(codes) == with_values
    for kpi, code in codes.items():
        code = html.unescape(code)
        src = re.search(r'src="([^"]+)"', code).group(1)
        assert src == f"http://testserver{AREA}/inbadda/{kpi}/"
        assert re.search(r'title="Linjediagram: [^"]{10,}"', code)
        assert client.get(src.removeprefix("http://testserver")).status_code == 200


def test_an_unknown_measure_or_area_of_a_sparkline_embed_is_404(client):
    assert client.get(f"{AREA}/inbadda/U99999/").status_code == 404
    assert client.get("/kommun/2284/2022/inget_omrade/inbadda/U23401/").status_code == 404
    assert client.get("/kommun/9999/2022/stod_och_omsorg/inbadda/U23401.svg").status_code == 404
