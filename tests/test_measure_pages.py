"""The measure pages, their charts and data tables, search and browsing, and the pictures and gender
figures of the area pages, on the real snapshot (the default import)."""

from __future__ import annotations

import html as htmllib
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kommunkvalitet.core.charts import HIGHLIGHT
from kommunkvalitet.core.formatting import format_value

pytestmark = pytest.mark.django_db
ORN = "/nyckeltal/U21401/2022/?kommun=2284"


def _text(cell: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def _words(html: str) -> str:
    """The page's text as a reader meets it: tags are word breaks, runs of white space one space."""
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", html)))


def _table(html: str, chart: str) -> str:
    return re.search(rf'<table class="[^"]*" data-chart="{chart}">(.*?)</table>', html, re.S).group(1)


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_each_charts_data_table_holds_the_numbers_of_its_spec_and_the_highlight_is_the_chosen_one(client):
    html = _get(client, ORN).content.decode()
    data = json.loads(_get(client, ORN.replace("2022/?", "2022.json?")).content)
    # The bar chart: its table lists the same kommuner in the same order with the same values.
    spec = data["charts"]["bar"]["spec"]
    drawn = spec["data"]["values"]
    rows = re.findall(r'<tr(?: class="chosen")? data-id="(\d{4})"><td class="num">([^<]*)</td><th scope="row">'
                      r'(.*?)</th><td class="num">(.*?)</td>', _table(html, "bar"), re.S)  # fmt: skip
    with_value = rows[: len(drawn)]
    assert [r[0] for r in with_value] == [d["id"] for d in drawn]
    assert [_text(r[3]) for r in with_value] == [d["text"] for d in drawn]
    assert [_text(r[3]) for r in with_value] == [format_value(d["value"], "count", 0) for d in drawn]
    assert all(_text(r[3]) == "Uppgift saknas" for r in rows[len(drawn) :])
    assert len(rows) == 290 and len(drawn) == 233 == data["distribution"]["T"]["n"]
    # The highlighted bar is the chosen kommun: in the spec, and in the SVG (bars are drawn in data order).
    assert [d["id"] for d in drawn if d["highlight"]] == ["2284"]
    svg = re.search(r'<svg[^>]*class="chart chart-bar".*?</svg>', html, re.S).group(0)
    bars = re.search(r'<g class="mark-rect role-mark layer_0_marks"[^>]*>(.*?)</g>', svg, re.S).group(1)
    fills = re.findall(r'<path d="M([\d.]+),[^"]*" fill="([^"]+)"', bars)
    assert len(fills) == len(drawn)
    assert [float(x) for x, _ in fills] == sorted(float(x) for x, _ in fills)  # left to right = data order
    assert [i for i, (_, fill) in enumerate(fills) if fill == HIGHLIGHT] == [
        next(i for i, d in enumerate(drawn) if d["id"] == "2284")
    ]
    assert "Örnsköldsvik: 19" in svg and "Rikssnitt 16" in svg  # the label and the mean, Swedish numbers
    # The time series: its table holds every line's value for every year, a gap as a dash.
    series = data["charts"]["series"]["spec"]["data"]["values"]
    table = _table(html, "series")
    header = [_text(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)]
    labels = list(dict.fromkeys(d["series"] for d in series))
    assert header == ["År", *labels]
    body = re.findall(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>', table, re.S)
    for year, cells in body:
        shown = [_text(c).replace(" uppgift saknas", "") for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
        expected = [d["text"] or "–" for label in labels for d in series if d["series"] == label and d["year"] == year]
        assert shown == expected, year


def test_the_measure_page_shows_where_ornskoldsvik_stands(client):
    text = _words(_get(client, ORN).content.decode())
    assert "Örnsköldsvik har 19, plats 193 av 233." in text
    assert "Bland de 25 procent sämsta" in text
    assert "Stapeldiagrammet visar de 233 kommuner som har ett värde för 2022, från bästa till sämsta; " \
           "Örnsköldsvik (svart stapel) har 19, plats 193 av 233, bland de 25 procent sämsta, och rikssnittet är 16." in text  # fmt: skip
    assert "Linjediagrammet visar 2015–2022: Örnsköldsvik från 8 (2015) till 19 (2022)" in text
    assert "Kartan visar Sveriges 290 kommuner färgade efter placering 2022" in text
    assert "Kommungrupp: Mindre stad/tätort" in text and "Liknande kommuner äldreomsorg, Örnsköldsvik, 2024" in text
    assert "Gräns för de 25 procent bästa 14 eller lägre" in text
    assert "Personalkontinuitet" in text and "Ingår i Kommunens kvalitet i korthet (KKiK)" in text  # Kolada's text
    assert "Lägre värde är bättre" in text and "KKiK 2022, Stöd och omsorg" in text
    assert "Kvinnor" in text and "Män" in text  # U21401 is divided by gender
    html = _get(client, ORN).content.decode()
    assert 'href="/kommun/2284/2022/stod_och_omsorg/#U21401"' in html
    assert html.count('role="img"') == 2 and 'class="kk-map" role="group"' in html


def test_the_json_twin_has_the_figures_of_the_page(client):
    data = json.loads(_get(client, "/nyckeltal/U21401/2022.json?kommun=2284").content)
    assert data["kpi"]["id"] == "U21401" and data["kpi"]["direction"] == "lower"
    assert data["municipality"] == {"id": "2284", "name": "Örnsköldsvik"}
    assert set(data["distribution"]) == {"T", "K", "M"}
    total = data["distribution"]["T"]
    assert (total["value"], total["rank"], total["band"], total["n"]) == (19.0, 193, "worst", 233)
    assert round(total["mean"], 1) == 15.9 and total["band_limit_best"] == 14.0
    assert len(data["municipalities"]) + len(data["missing"]) == 290
    assert [s["key"] for s in data["series"]] == ["municipality", "national_mean", "skr", "similar", "riket"]
    assert data["source"].startswith("Källa: Kolada")
    assert data["charts"]["map"]["description"].startswith("Kartan visar Sveriges 290 kommuner")


def test_the_measure_page_needs_a_bounded_number_of_queries():
    from kommunkvalitet.store.measure import measure_page

    with CaptureQueriesContext(connection) as queries:
        page = measure_page("U21401", 2022, "2284")
    assert len(page.rows) == 233 and len(queries) <= 12


def test_a_warm_page_draws_nothing_and_new_data_draws_again(client, monkeypatch):
    from kommunkvalitet.reports import charts
    from kommunkvalitet.store.comparison import recompute
    from kommunkvalitet.store.dataversion import kpi_version

    _get(client, ORN)
    monkeypatch.setattr(charts, "render_svg", lambda *a, **k: pytest.fail("a warm page rendered a chart"))
    _get(client, ORN)
    before = kpi_version("U21401")
    recompute([("U21401", 2022)])
    assert kpi_version("U21401") != before  # new comparisons, a new data version: the charts are drawn again
    monkeypatch.undo()
    _get(client, ORN)


def test_a_year_nobody_has_is_a_gap_in_the_time_series_not_a_missing_year(client):
    """U23471 (the survey of older people) was not made in 2021: no kommun has a 2021 value."""
    data = json.loads(_get(client, "/nyckeltal/U23471/2022.json?kommun=2284").content)
    assert 2021 not in data["years"]
    for line in data["series"]:
        points = {p["year"]: p["value"] for p in line["points"]}
        assert 2021 in points and points[2021] is None and points[2020] is not None, line["key"]
    spec = data["charts"]["series"]["spec"]
    assert "2021" in spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert "uppgift saknas för 2021, och där är linjen bruten" in data["charts"]["series"]["description"]


def test_kpi_urls_redirect_to_the_latest_year_and_unknowns_are_404(client):
    response = client.get("/nyckeltal/U21401/?kommun=2284")
    assert response.status_code == 302 and response["Location"] == ORN
    assert client.get("/nyckeltal/X99999/2022/").status_code == 404
    assert client.get("/nyckeltal/U21401/2022/?kommun=9999").status_code == 404
    assert client.get("/nyckeltal/U21401/1990/").status_code == 404
    assert client.get("/nyckeltal/U21401/2022/karta/?lan=0099").status_code == 404


def test_the_map_page_has_its_table_and_the_continuous_variant(client):
    html = _get(client, "/nyckeltal/U21401/2022/karta/?kommun=2284&farg=skala").content.decode()
    assert "färgade efter värdet 2022, från ljust för det lägsta (6) till mörkt för det högsta (25)" in html
    assert len(re.findall(r'<tr data-id="\d{4}">', _table(html, "map"))) == 290
    areas = html.split('class="kkm-areas"', 1)[1].split("</g>", 1)[0]
    fills = re.findall(r'<path d="[^"]+" fill="([^"]+)"', areas)
    assert len(fills) == 290  # by value: each kommun its own colour; only those without a value are hatched
    assert sum(f.startswith("#") for f in fills) == 233 and sum(f.endswith("-missing)") for f in fills) == 57


def test_search_forgives_case_and_swedish_letters(client):
    html = _get(client, "/sok/?q=vantetid+sarskilt+boende").content.decode()
    assert 'href="/nyckeltal/U23401/2022/"' in html
    html = _get(client, "/sok/?q=ornskoldsvik").content.decode()
    assert 'href="/kommun/2284/"' in html and "1 kommun" in html
    data = json.loads(_get(client, "/sok.json?q=U23401").content)
    assert data["kpis"][0]["id"] == "U23401" and data["kpis"][0]["url"] == "/nyckeltal/U23401/"
    start = _get(client, "/?q=ornskoldsvik").content.decode()
    assert 'href="/kommun/2284/"' in start  # the start page's search forgives as well


def test_goal_forms_still_search_kpis_from_the_goal_store():
    from kommunkvalitet.store import goals

    assert goals.search_kpis("vantetid sarskilt boende")[0].pk == "U23401"


def test_kpis_can_be_browsed_by_operating_area(client):
    html = _get(client, "/nyckeltal/").content.decode()
    assert 'href="/nyckeltal/omrade/aldre-och-funktionshinder/"' in html
    html = _get(client, "/nyckeltal/omrade/aldre-och-funktionshinder/").content.decode()
    assert 'href="/nyckeltal/U23401/2022/"' in html
    assert client.get("/nyckeltal/omrade/finns-inte/").status_code == 404


def test_a_kpi_outside_every_measure_set_has_a_page_and_is_found(client, snapshot_dir):
    """After import --all every one of the 1,968 KPIs has a page; here one KPI outside the measure sets is
    imported on its own (N03702, BRP per invånare, from the small rKolada file)."""
    from kommunkvalitet.store.importing import SnapshotImporter

    path = snapshot_dir / "kolada" / "values" / "rkolada_vignette_values.csv"
    SnapshotImporter(snapshot_dir, kpis=["N03702"]).import_values_file(path)
    data = json.loads(_get(client, "/sok.json?q=n03702").content)
    assert data["kpis"][0]["id"] == "N03702" and data["kpis"][0]["latest_year"]
    url = f"/nyckeltal/N03702/{data['kpis'][0]['latest_year']}/"
    text = _words(_get(client, url).content.decode())
    assert "nyckeltalet ingår inte i något mätset och jämförs därför utan riktning" in text
    assert "från lägsta till högsta värde" in text


def test_the_area_page_links_each_measure_to_its_page_with_a_sparkline_and_its_values(client):
    html = _get(client, "/kommun/2284/2022/stod_och_omsorg/").content.decode()
    assert html.count('href="/nyckeltal/U21401/2022/?kommun=2284"') == 2
    sparks = re.findall(r'<figure class="spark" title="([^"]+)"><svg[^>]*class="chart chart-spark" aria-hidden="true"',
                        html)  # fmt: skip
    assert len(sparks) >= 10
    assert "Utveckling 2015–2022: från 8 till 19, lägst 8 (2015) och högst 19 (2022)." in html
    assert "Värden per år 2015–2022" in html


def test_women_and_men_beside_the_total_and_a_large_gap_in_the_draft(client):
    data = json.loads(_get(client, "/kommun/2284/2022/stod_och_omsorg.json").content)
    by_kpi = {m["kpi"]: m for m in data["measures"]}
    assert by_kpi["U21468"]["women"]["value"] == 86 and by_kpi["U21468"]["men"]["value"] == 92
    assert by_kpi["U21468"]["women"]["band"] and by_kpi["U21468"]["men"]["national_mean"]
    assert by_kpi["N30101"]["women"] is None  # a cost per inhabitant is not divided by gender
    assert ("Skillnaden mellan kvinnor och män är stor för brukarbedömning hemtjänst äldreomsorg – helhetssyn: "
            "86\xa0% för kvinnor och 92\xa0% för män (2022).") in data["draft"]["sv"]["text"]  # fmt: skip
    assert "The gap between women and men is large" in data["draft"]["en"]["text"]
    html = _get(client, "/kommun/2284/2022/stod_och_omsorg/").content.decode().replace("&nbsp;", "\xa0")
    assert "Kvinnor 86\xa0%, män 92\xa0%" in html
    page = _get(client, "/nyckeltal/U21468/2022/?kommun=2284").content.decode()
    assert "Skillnaden mellan kvinnor och män är stor" in page
