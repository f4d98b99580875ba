"""The page cache (web.pagecache) and the data version (store.dataversion) on the imported snapshot:
a page is served from the cache, and the moment an import, a sync, a recompute or a publication changes
its data it is rendered anew; an ETag revisit gets 304; signed-in editors always get fresh pages."""

from __future__ import annotations

import json
import random
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client

from kolada_server import FakeTime
from kommunkvalitet.sources.kolada import KoladaClient
from kommunkvalitet.store import commentary as texts
from kommunkvalitet.store import comparison, dataversion
from kommunkvalitet.store.importing import SnapshotImporter
from kommunkvalitet.store.models import KPI, EditorRole, Municipality, Value
from kommunkvalitet.store.sync import KoladaSync
from kommunkvalitet.web.pagecache import CACHED_HEADER, PUBLIC

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]  # tests/conftest.py

MUNI, YEAR, AREA = "2284", 2022, "stod_och_omsorg"
AREA_JSON = f"/kommun/{MUNI}/{YEAR}/{AREA}.json"
AREA_HTML = f"/kommun/{MUNI}/{YEAR}/{AREA}/"


def get(client: Client, url: str, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


def untokened(body: bytes) -> bytes:
    """A page without its CSRF tokens (the language switch's), which differ for every answer."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"', b"", body)


def fresh(url: str) -> bytes:
    """The page as rendered now, past the cache (without its CSRF tokens)."""
    caches["pages"].clear()
    return untokened(get(Client(), url).content)


def measure(client: Client, kpi: str) -> dict:
    data = json.loads(get(client, AREA_JSON).content)
    return next(m for m in data["measures"] if m["kpi"] == kpi)


def a_measure_of_the_area(client: Client) -> tuple[str, float]:
    """A KPI of the area page with a value for the municipality in YEAR, and that value."""
    data = json.loads(get(client, AREA_JSON).content)
    for m in data["measures"]:
        value = next((s["value"] for s in m["series"] if s["year"] == YEAR), None)
        if value is not None and Value.objects.filter(kpi_id=m["kpi"], municipality_id=MUNI, year=YEAR).exists():
            return m["kpi"], value
    pytest.fail("the area page has no measure with a value")


def value_now(client: Client, kpi: str) -> float | None:
    return next((s["value"] for s in measure(client, kpi)["series"] if s["year"] == YEAR), None)


def test_a_public_page_is_served_from_the_cache_until_its_data_changes(client):
    first = get(client, AREA_HTML)
    second = get(client, AREA_HTML)
    assert first[CACHED_HEADER] == "miss" and second[CACHED_HEADER] == "hit"
    assert untokened(second.content) == untokened(first.content) and second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"] and "Cookie" in second["Vary"]
    assert get(client, AREA_HTML + "?a=1")[CACHED_HEADER] == "miss"  # the query is part of the key


def test_an_import_that_changes_a_value_refreshes_the_page_at_once(client, snapshot_dir, write_values_file):
    kpi, old = a_measure_of_the_area(client)
    assert get(client, AREA_JSON)[CACHED_HEADER] == "hit"
    path = write_values_file("rev.csv", "kpi,municipality_id,year,gender,value", [f"{kpi},{MUNI},{YEAR},T,{old + 7}"])
    SnapshotImporter(snapshot_dir, value_files=[path]).import_values_file(path)
    response = get(client, AREA_JSON)
    assert response[CACHED_HEADER] == "miss"
    assert value_now(client, kpi) == pytest.approx(old + 7)
    assert untokened(get(client, AREA_HTML).content) == fresh(AREA_HTML)


def test_an_import_that_changes_nothing_keeps_the_cached_pages(client, snapshot_dir, write_values_file):
    kpi, old = a_measure_of_the_area(client)
    before = dataversion.page_version(MUNI)
    path = write_values_file("same.csv", "kpi,municipality_id,year,gender,value", [f"{kpi},{MUNI},{YEAR},T,{old}"])
    SnapshotImporter(snapshot_dir, value_files=[path]).import_values_file(path)
    assert dataversion.page_version(MUNI) == before
    assert get(client, AREA_JSON)[CACHED_HEADER] == "hit"


def test_a_sync_that_changes_a_value_refreshes_the_page(client, server_factory):
    kpi, old = a_measure_of_the_area(client)
    rows = [
        {"kpi": k, "municipality_id": m, "year": y, "gender": g, "value": v, "status": s, "count": c}
        for k, m, y, g, v, s, c in Value.objects.filter(kpi_id=kpi, year=YEAR).values_list(
            "kpi_id", "municipality_id", "year", "gender", "value", "status", "count"
        )
    ]
    for r in rows:
        if r["municipality_id"] == MUNI and r["gender"] == "T":
            r["value"] = old + 3
    types = {"kommun": "K", "region": "L", "national": "L"}
    munis = [{"id": m.id, "title": m.name, "type": types[m.type]} for m in Municipality.objects.all()]
    server = server_factory(rows, municipalities=munis)
    fake = FakeTime()
    client_kolada = KoladaClient(base_url=server.base_url, sleep=fake.sleep, clock=fake.clock, rng=random.Random(1))
    with client_kolada:
        result = KoladaSync(client_kolada, kpis=[kpi], years=[YEAR]).run()
    assert result.ok and result.total("changed") >= 1
    assert get(client, AREA_JSON)[CACHED_HEADER] == "miss"
    assert value_now(client, kpi) == pytest.approx(old + 3)


def test_a_recompute_after_a_change_of_direction_refreshes_the_page(client):
    kpi, _ = a_measure_of_the_area(client)
    before = measure(client, kpi)
    direction = KPI.objects.get(pk=kpi).direction
    flipped = {"higher": "lower", "lower": "higher"}.get(direction, "higher")
    KPI.objects.filter(pk=kpi).update(direction=flipped)  # what an operator does before `recompute`
    assert measure(client, kpi) == before  # not yet recomputed: the cached page is still the truth
    comparison.recompute_all()
    after = measure(client, kpi)
    assert after != before
    assert untokened(get(client, AREA_HTML).content) == fresh(AREA_HTML)


def test_publishing_a_text_refreshes_that_municipalitys_pages_only(client):
    user = User.objects.create_user("publicerare", password="hemligt-lösen-2")
    EditorRole.objects.create(user=user, municipality_id=MUNI, role=EditorRole.Role.PUBLISHER)
    other = f"/kommun/1463/{YEAR}/{AREA}.json"
    get(client, other), get(client, AREA_JSON)
    place = texts.Place(MUNI, "kkik_2022", AREA)
    texts.save_draft(user, place, "Vårt eget utkast om omsorgen.", based_on=None)
    assert get(client, AREA_JSON)[CACHED_HEADER] == "hit"  # a draft is not public: nothing changes
    texts.publish(user, place, {})
    response = get(client, AREA_JSON)
    assert response[CACHED_HEADER] == "miss"
    assert "Vårt eget utkast om omsorgen." in [c["plain"] for c in json.loads(response.content)["commentary"].values()]
    assert get(client, other)[CACHED_HEADER] == "hit"


def test_a_goal_write_refreshes_that_municipalitys_goal_report(client):
    from goal_fixtures import build_large_structure
    from kommunkvalitet.store import goals
    from kommunkvalitet.store.models import Indicator

    struct = build_large_structure("1463", 2031, goals=3, indicators=6)
    url, elsewhere = "/kommun/1463/mal/2031.json", dataversion.page_version(MUNI)
    get(client, url)
    assert get(client, url)[CACHED_HEADER] == "hit"
    admin = User.objects.create_superuser("admin", password="hemligt-lösen-3")
    indicator = Indicator.objects.filter(goal__structure=struct, kind=Indicator.Kind.OWN).first()
    goals.set_target(admin, indicator, 2031, 123.5)
    assert get(client, url)[CACHED_HEADER] == "miss"
    assert untokened(get(client, url).content) == fresh(url)
    assert dataversion.page_version(MUNI) == elsewhere  # another municipality's pages stay cached


def test_a_revisit_with_the_etag_gets_304_and_a_change_gives_a_new_etag(client, snapshot_dir, write_values_file):
    etag = get(client, AREA_HTML)["ETag"]
    again = get(client, AREA_HTML, if_none_match=etag)
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    kpi, old = a_measure_of_the_area(client)
    path = write_values_file("etag.csv", "kpi,municipality_id,year,gender,value", [f"{kpi},{MUNI},{YEAR},T,{old + 1}"])
    SnapshotImporter(snapshot_dir, value_files=[path]).import_values_file(path)
    changed = get(client, AREA_HTML, if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_signed_in_editors_always_get_fresh_pages(client):
    get(client, AREA_HTML)
    user = User.objects.create_user("redaktor", password="hemligt-lösen-1")
    EditorRole.objects.create(user=user, municipality_id=MUNI, role=EditorRole.Role.EDITOR)
    editor = Client()
    editor.force_login(user)
    response = editor.get(AREA_HTML)
    assert response.status_code == 200 and CACHED_HEADER not in response
    assert "redigera/" in response.content.decode()  # the editor's link, which no cached page has
    assert "redigera/" not in get(client, AREA_HTML).content.decode()


def test_only_public_pages_are_cached():
    for url in ("/", "/kommun/2284/", "/kommun/2284/2022/", "/kommun/2284/2022.json", AREA_HTML, AREA_JSON,
                "/kommun/1463/mal/", "/kommun/1463/mal/2017/", "/kommun/1463/mal/2017.json",
                "/kommun/1463/mal/2017/mal-3/", "/nyckeltal/N00005/2022/", "/nyckeltal/N00005/2022/karta.svg"):  # fmt: skip
        assert PUBLIC.match(url), url
    for url in (AREA_HTML + "redigera/", "/kommun/1463/mal/ny/", "/kommun/1463/mal/2017/redigera/",
                "/kommun/1463/mal/2017/mal.xlsx", "/konto/login/", "/sok/", "/static/web/site.css"):  # fmt: skip
        assert not PUBLIC.match(url), url


def test_a_host_outside_allowed_hosts_gets_400_not_a_cached_page(client):
    get(client, AREA_HTML)
    assert client.get(AREA_HTML, headers={"host": "evil.example"}).status_code == 400
