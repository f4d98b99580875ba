"""``kommunkvalitet warm`` (web.warm) on the imported snapshot: a warmed page is then a cache hit with the
same bytes as a render, a data change makes it render anew (and warm renders it again), an editor never
gets a warmed page, and the list of pages covers every public URL pattern."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client
from django.urls import URLPattern

from goal_fixtures import build_large_structure
from kommunkvalitet.store.importing import SnapshotImporter
from kommunkvalitet.store.models import EditorRole, Value
from kommunkvalitet.web import urls as web_urls
from kommunkvalitet.web import warm as warming
from kommunkvalitet.web.pagecache import CACHED_HEADER, PUBLIC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]  # tests/conftest.py

BASE = "http://testserver"  # the test client's Host and scheme
MUNI, YEAR, AREA = "2284", 2022, "stod_och_omsorg"


def reader(language: str) -> Client:
    client = Client()
    if language != "sv":
        client.cookies["django_language"] = language
    return client


def untokened(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"', b"", body)


def one_of_each_kind() -> list[warming.Target]:
    """A page of every kind warm renders, in both languages (the first of each kind in warm's order)."""
    seen: dict[tuple[str, str], warming.Target] = {}
    for t in warming.targets():
        seen.setdefault((t.kind, t.language), t)
    return list(seen.values())


@pytest.fixture(autouse=True)
def _the_tests_connection_stays_open(monkeypatch):
    """As Django's test client does around each request: a request through the WSGI handler closes the
    database connection at its end (close_old_connections), and with it, on PostgreSQL, the test's
    transaction and its data. (The test client connects the receivers again after each of its requests.)"""
    from django.core import signals
    from django.db import close_old_connections

    real = warming.warm

    def warm(*args, **kwargs):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            return real(*args, **kwargs)
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    monkeypatch.setattr(warming, "warm", warm)


def test_warm_fills_the_cache_so_the_next_request_is_a_hit_with_the_bytes_of_a_render():
    build_large_structure("1463", 2022, goals=3, indicators=6)
    todo = one_of_each_kind()
    assert {t.kind for t in todo} == set(warming.KINDS)  # the snapshot with a goal structure has every kind
    summary = warming.warm(BASE, todo, workers=1)
    assert summary.outcomes == {warming.RENDERED: len(todo)}, summary.failed
    served = {}
    for t in todo:
        served[t] = reader(t.language).get(t.path)
        assert (served[t].status_code, served[t][CACHED_HEADER]) == (200, "hit"), t
        assert served[t]["Content-Language"] == t.language
    caches["pages"].clear()
    for t in todo:
        rendered = reader(t.language).get(t.path)
        assert rendered[CACHED_HEADER] == "miss", t
        assert untokened(served[t].content) == untokened(rendered.content), t
    caches["pages"].clear()
    warming.warm(BASE, todo, workers=1)
    again = warming.warm(BASE, todo, workers=1)  # everything is there: a second warm renders nothing
    assert again.outcomes == {warming.CACHED: len(todo)}


def test_a_page_warm_cached_is_rendered_anew_after_a_data_change(snapshot_dir, write_values_file):
    url = f"/kommun/{MUNI}/{YEAR}/{AREA}.json"
    todo = [t for t in warming.targets(["sv"], [MUNI], [YEAR]) if t.path == url]
    assert warming.warm(BASE, todo).outcomes == {warming.RENDERED: 1}
    data = json.loads(reader("sv").get(url).content)
    kpi, old = next(
        (m["kpi"], s["value"])
        for m in data["measures"]
        for s in m["series"]
        if s["year"] == YEAR and s["value"] is not None
        and Value.objects.filter(kpi_id=m["kpi"], municipality_id=MUNI, year=YEAR, gender="T").exists()
    )  # fmt: skip
    path = write_values_file("rev.csv", "kpi,municipality_id,year,gender,value", [f"{kpi},{MUNI},{YEAR},T,{old + 7}"])
    SnapshotImporter(snapshot_dir, value_files=[path]).import_values_file(path)

    assert warming.warm(BASE, todo).outcomes == {warming.RENDERED: 1}  # the old entry is not taken for current
    served = reader("sv").get(url)
    assert served[CACHED_HEADER] == "hit"
    now = next(s["value"] for m in json.loads(served.content)["measures"] if m["kpi"] == kpi for s in m["series"]
               if s["year"] == YEAR)  # fmt: skip
    assert now == pytest.approx(old + 7)


def test_an_editor_never_gets_a_page_warm_cached():
    url = f"/kommun/{MUNI}/{YEAR}/{AREA}/"
    warming.warm(BASE, [warming.Target("area", url, "sv")])
    assert reader("sv").get(url)[CACHED_HEADER] == "hit"
    editor = User.objects.create_user("redaktor-warm", password="hemligt-lösen-9")
    EditorRole.objects.create(user=editor, municipality_id=MUNI, role=EditorRole.Role.EDITOR)
    client = Client()
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200 and CACHED_HEADER not in response
    assert b"redigera/" in response.content  # the editor's own page, with the link to the editing form


SAMPLE = {"municipality_id": MUNI, "year": str(YEAR), "area_id": AREA, "goal_id": "1", "kpi_id": "N00001",
          "indicator_id": "1", "area_slug": "vard", "chart": "stapel"}  # fmt: skip


def public_patterns() -> dict[str, str]:
    """Every pattern of web/urls.py whose URLs the page cache keeps (``PUBLIC``), by name: a sample URL."""
    found = {}
    for p in web_urls.urlpatterns:
        assert isinstance(p, URLPattern)
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE[m[1]], str(p.pattern))
        if PUBLIC.match(url):
            found[p.name] = url
    return found


def test_warm_leaves_out_no_public_page_kind():
    public = public_patterns()
    assert "area" in public and "measure" in public and "edit" not in public  # the sample URLs are right
    downloads = {n for n in public if n.endswith(warming.DOWNLOAD_SUFFIXES)}
    assert set(public) - downloads == set(warming.KINDS) | set(warming.LEFT_OUT)
    assert set(warming.KINDS) <= set(public)  # every kind warm renders is one the cache keeps


def test_warm_lists_every_kommun_edition_area_and_measure_year():
    from kommunkvalitet.reports.report_pages import edition_set, editions
    from kommunkvalitet.store.models import ComparisonStat, Municipality

    paths = {t.path for t in warming.targets(["sv"])}
    kommuner = Municipality.objects.filter(type="kommun").values_list("id", flat=True)
    assert len(kommuner) == 290
    assert {"/kommun/0000/2022/", "/kommun/0001/2022/stod_och_omsorg/"} <= paths  # Riket and a region too
    for m in kommuner:
        assert f"/kommun/{m}/" in paths
        for year in editions():
            assert f"/kommun/{m}/{year}.json" in paths
            for area in edition_set(year).areas:
                assert f"/kommun/{m}/{year}/{area.id}/" in paths
    for kpi, year in ComparisonStat.objects.filter(gender="T").values_list("kpi_id", "year"):
        assert f"/nyckeltal/{kpi}/{year}/" in paths and f"/nyckeltal/{kpi}/{year}.json" in paths


def test_the_warm_command_renders_the_pages_asked_for_and_says_how_it_went():
    from click.testing import CliRunner

    from kommunkvalitet.cli import main

    argv = ["warm", "--base-url", BASE, "--kommun", MUNI, "--year", str(YEAR), "--language", "sv", "--workers", "1"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    assert (
        "10 renderade, 0 fanns redan, 0 utan sida i cachen." in result.output
    )  # overview, 3 areas, twins; kommun, mål
    assert reader("sv").get(f"/kommun/{MUNI}/{YEAR}/{AREA}/")[CACHED_HEADER] == "hit"
    again = CliRunner().invoke(main, argv)
    assert "0 renderade, 10 fanns redan" in again.output
    bad = CliRunner().invoke(main, ["warm", "--base-url", "ftp://example.se"])
    assert bad.exit_code == 1 and "Fel: --base-url" in bad.output


def test_shared_reports_give_each_area_what_it_gets_alone():
    """warm renders a municipality's overview, areas and twins within ``shared_reports``: the whole measure
    set computed once gives each area exactly the report it gets computed alone."""
    from kommunkvalitet.reports.report_pages import edition_set
    from kommunkvalitet.store.report import area_report, measure_set_report, shared_reports

    ms = edition_set(YEAR)
    alone = {a.id: area_report(MUNI, ms, a.id, edition=YEAR) for a in ms.areas}
    with shared_reports():
        whole = measure_set_report(MUNI, ms, edition=YEAR)
        shared = {a.id: area_report(MUNI, ms, a.id, edition=YEAR) for a in ms.areas}
        assert all(shared[a] is whole[a] for a in shared)  # computed once
    assert shared == alone == measure_set_report(MUNI, ms, edition=YEAR)
