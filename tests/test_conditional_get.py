"""ETag and Last-Modified from the data version (web.pagecache, store.dataversion) on every public page
and its other forms, with the page cache on and off: a revisit with If-None-Match or If-Modified-Since
gets 304, and a data change advances both validators so that the old ones get the new page."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.utils.http import http_date, parse_http_date

from kommunkvalitet.store import dataversion

pytestmark = pytest.mark.django_db

URLS = ("/kommun/2284/2022/stod_och_omsorg/", "/kommun/2284/2022/stod_och_omsorg.json", "/kommun/2284/2022.json",
        "/nyckeltal/N00640/2022.json?kommun=2284", "/nyckeltal/N00640/2022/inbadda/stapel/")  # fmt: skip
BACKENDS = {
    "on": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "conditional-pages"},
    "off": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}


@pytest.fixture(params=list(BACKENDS))
def client(request, settings):
    settings.CACHES = {**settings.CACHES, "pages": BACKENDS[request.param]}
    caches["pages"].clear()
    return Client()  # the middleware reads caches["pages"] when it is built: per request, in the test client


def _advance_in_a_later_second() -> None:
    """A data change (as an import makes it), a second or more after the last (Last-Modified has seconds)."""
    time.sleep(1.01)
    with transaction.atomic():
        dataversion.advance(dataversion.DATA)


@pytest.mark.parametrize("url", URLS)
def test_a_revisit_with_either_validator_gets_304_until_the_data_changes(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert parse_http_date(modified) <= time.time()
    for headers in ({"if_none_match": etag}, {"if_modified_since": modified}):
        again = client.get(url, headers=headers)
        assert again.status_code == 304 and again.content == b"", headers
        assert again["ETag"] == etag and again["Last-Modified"] == modified
    _advance_in_a_later_second()
    for headers in ({"if_none_match": etag}, {"if_modified_since": modified}):
        changed = client.get(url, headers=headers)
        assert changed.status_code == 200 and changed.content, headers
        assert changed["ETag"] != etag and parse_http_date(changed["Last-Modified"]) > parse_http_date(modified)


def test_if_none_match_wins_over_if_modified_since(client):
    url = URLS[1]
    first = client.get(url)
    stale = client.get(url, headers={"if_none_match": '"0-0-0-sv"', "if_modified_since": first["Last-Modified"]})
    assert stale.status_code == 200
    older = http_date(parse_http_date(first["Last-Modified"]) - 1)
    assert client.get(url, headers={"if_modified_since": older}).status_code == 200


def test_last_modified_is_when_the_version_last_advanced():
    with transaction.atomic():
        dataversion.advance(dataversion.texts_scope("2284"))
    version = dataversion.page_version("2284")
    assert abs(dataversion.modified_at(version) - time.time()) < 5
    assert dataversion.modified_at("0-0-0") is None
