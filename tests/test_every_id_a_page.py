"""Every id a page (issue 10): Riket and the regions have pages, unknown ids and years a Swedish 404
that says what exists, and no link from the start page, a municipality and its overview is broken."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag

import pytest

pytestmark = pytest.mark.django_db

NOTE = "gäller bara kommunerna"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _editions() -> list[int]:
    from kommunkvalitet.core.measuresets import measure_sets
    from kommunkvalitet.reports.report_pages import FIRST_EDITION

    return list(range(FIRST_EDITION, max(s.edition for s in measure_sets()) + 1))


def test_riket_has_an_overview_and_area_pages_that_say_ranks_and_bands_are_for_kommuner(client):
    from kommunkvalitet.store.models import Value

    page = client.get("/kommun/0000/2022/")
    assert page.status_code == 200 and NOTE in _text(page)
    data = json.loads(client.get("/kommun/0000/2022.json").content)
    assert data["municipality"]["type"] == "national" and "municipalities" in data["municipality"]["note"]
    area = client.get("/kommun/0000/2022/stod_och_omsorg/")
    assert area.status_code == 200 and NOTE in _text(area)
    assert "automatiskt utkast" not in _text(area)  # the drafts speak of a kommun among kommuner
    data = json.loads(client.get("/kommun/0000/2022/stod_och_omsorg.json").content)
    assert data["draft"] is None
    measures = data["measures"]
    shown = [m for m in measures if m["value"] is not None]
    assert shown, "Riket has values for Stöd och omsorg"
    for m in shown:
        riket = Value.objects.get(kpi=m["kpi"], municipality="0000", year=m["year"], gender="T").value
        assert m["value"] == riket == m["riket"]
        assert m["rank"] is None and m["band"] is None and m["rank_text"] is None


def test_a_region_has_its_pages_too(client):
    page = client.get("/kommun/0014/2022/stod_och_omsorg/")
    assert page.status_code == 200
    assert "Västra Götalandsregionen är en region, inte en kommun" in _text(page)
    data = json.loads(client.get("/kommun/0014/2022/stod_och_omsorg.json").content)
    assert data["municipality"]["type"] == "region"
    assert all(m["rank"] is None and m["band"] is None for m in data["measures"])


@pytest.mark.parametrize(
    ("url", "message", "linked"),
    [
        ("/kommun/9999/2022/", "Det finns ingen kommun med koden 9999.", None),
        ("/kommun/2284/2030/", "Det finns ingen KKiK-utgåva för 2030.", "/kommun/2284/{y}/"),
        (
            "/kommun/2284/2030/stod_och_omsorg/",
            "Det finns ingen KKiK-utgåva för 2030.",
            "/kommun/2284/{y}/stod_och_omsorg/",
        ),
        ("/kommun/2284/2022/nope/", "KKiK 2022 har inget område som heter nope.", "/kommun/2284/{y}/"),
    ],
)
def test_unknown_ids_years_and_areas_get_a_swedish_404_that_links_the_years_there_are(client, url, message, linked):
    years = _editions()
    page = client.get(url)
    assert page.status_code == 404
    html = _text(page)
    assert '<html lang="sv">' in html and "Sidan finns inte" in html and message in html
    assert "Not Found" not in html
    assert f"finns för åren {years[0]}–{years[-1]}" in html
    if linked:
        for y in years:
            assert f'href="{linked.format(y=y)}"' in html
            assert client.get(linked.format(y=y)).status_code == 200
    as_json = client.get(url.rstrip("/") + ".json")
    assert as_json.status_code == 404 and as_json["Content-Type"] == "application/json"
    error = json.loads(as_json.content)["error"]
    assert error["status"] == 404 and error["years"] == years
    assert {"text": "Välj kommun", "url": "/"} in error["links"]


def test_an_unknown_address_is_a_swedish_404_too(client):
    page = client.get("/finns-inte/")
    assert page.status_code == 404 and "Sidan finns inte" in _text(page)
    assert json.loads(client.get("/finns-inte.json").content)["error"]["status"] == 404


def test_the_municipality_page_links_its_kkik_years_and_an_unknown_one_is_a_swedish_404(client):
    page = client.get("/kommun/9999/")
    assert page.status_code == 404 and "Det finns ingen kommun med koden 9999." in _text(page)
    html = _text(client.get("/kommun/2284/"))
    for y in _editions():
        assert f'href="/kommun/2284/{y}/"' in html


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/"):
            self.hrefs.append(urldefrag(href)[0])


def _links(client, url: str) -> set[str]:
    page = client.get(url)
    assert page.status_code == 200, url
    parser = _Links()
    parser.feed(page.content.decode())
    return set(parser.hrefs)


def test_no_link_of_the_start_page_a_municipality_and_its_overview_is_broken(client, monkeypatch):
    """Every link (a GET) of /, /kommun/2284/ and /kommun/2284/2022/ answers, none with 404 or 500.
    (Charts are not drawn: their spec is built, the drawing is tested in test_charts.py.)"""
    from kommunkvalitet.reports import figures

    monkeypatch.setattr(figures, "cached_svg", lambda key, build, **kw: (json.dumps(build()), "<svg></svg>")[1])
    links = _links(client, "/") | _links(client, "/kommun/2284/") | _links(client, "/kommun/2284/2022/")
    assert {"/kommun/2284/2022/stod_och_omsorg/", "/kommun/2284/2016/", "/kommun/0380/"} <= links
    broken = {}
    for url in sorted(links):
        status = client.get(url).status_code
        if status in (404, 500):
            broken[url] = status
    assert not broken
