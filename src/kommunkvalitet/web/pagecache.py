"""The page cache: public pages and their JSON twins answered from Django's cache framework.

A page is a pure function of its URL (with the query), the language and the data version
(:mod:`kommunkvalitet.store.dataversion`), so it is cached under exactly that and never goes stale: a
change advances the version in the same transaction as the data, and the next request looks under the
new key. The version is also the ETag, and the time it last advanced the Last-Modified, so a revisit
with ``If-None-Match`` or ``If-Modified-Since`` gets 304 without any work, whether the cache backend
is on, off or misses.

The middleware comes first in ``MIDDLEWARE`` after CORS (web.cors): a hit costs one small query (the
version) and one cache read, with no session, authentication, view or template. Anybody with a session
cookie (a signed-in editor) or a pending message always gets a fresh page, and only anonymous 200
answers that set no cookie are stored. The cache is the ``pages`` alias (``KOMMUNKVALITET_PAGE_CACHE``:
a file cache in the data dir by default, Redis or memcached for a server).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import pickle
import re
import threading
import zlib
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from kommunkvalitet.store.dataversion import modified_at, page_version
from kommunkvalitet.web.language import request_language

# The public pages: the start page, a municipality's pages (overview, area, goal report and goal pages
# with their other forms, .json, .csv, .xlsx, .pdf; not the forms under redigera/ or mal/ny/) and the
# measure pages with the map.
PUBLIC = re.compile(
    r"""^/(?:
        $
      | kommun/(?P<municipality>[0-9]{4})/(?:
            $
          | [0-9]{4}(?:\.[a-z.]+|/)$
          | [0-9]{4}/[\w-]+(?:\.[a-z.]+|/)$
          | mal/(?: $ | [0-9]{4}(?:\.[a-z.]+|/)$ | [0-9]{4}/mal-[0-9]+(?:\.[a-z.]+|/)$ )
        )
      | nyckeltal/.*$
    )""",
    re.VERBOSE,
)
_SKIP_HEADERS = {"set-cookie", "date"}


class FileCache(FileBasedCache):
    """Django's file cache with zlib's fastest level: Django compresses every entry at the default level
    6, which cost a 290 kB goal report 3.6 ms of its render on the 2-core machine; level 1 takes 1.3 ms
    and stores 18.6 kB instead of 11.9 kB (docs/performance.md). Entries of either level read back the
    same (zlib.decompress)."""

    def _write_content(self, file, timeout, value) -> None:  # Django 5.2's, with the level
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), 1))

    def _cull(self) -> None:
        """Make room when the folder holds ``MAX_ENTRIES``: the oldest third goes (Django's own drops a
        random third, which after ``kommunkvalitet warm`` would drop current pages as readily as those of
        an old data version, which are never asked for again). Django counts the folder before *every*
        write (a listing of up to 20,000 names, 15-30 ms on the 2-core machine, per render); this counts
        it on a process's first write and every :data:`CULL_EVERY` th after, so the folder may exceed
        ``MAX_ENTRIES`` by that many writes per process until the next count."""
        if next(_writes) % CULL_EVERY:
            return
        entries = []
        for name in self._list_cache_files():
            with contextlib.suppress(FileNotFoundError):  # another process culled it
                entries.append((os.stat(name).st_mtime, name))
        if len(entries) < self._max_entries:
            return
        entries.sort()
        for _, name in entries[: max(1, len(entries) // (self._cull_frequency or 1))]:
            self._delete(name)


CULL_EVERY = 200
_writes = itertools.count()  # the page and chart cache writes of this process


CACHED_HEADER = "X-Page-Cache"
# The CSRF token of a page's forms (the language switch on every page) differs per reader: a page is
# stored with a slot in its place, and every answer from the cache fills it with the reader's own token
# and sends the CSRF cookie, as Django does for a page it renders.
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')
_SLOT = b"@csrf-token@"


def _not_modified(request: HttpRequest, etag: str, modified: float | None) -> bool:
    """The client's copy is current (RFC 9110 13.2.2): ``If-None-Match`` names the ETag or, only when
    there is no ``If-None-Match``, ``If-Modified-Since`` is not before the data version's last advance.
    Last-Modified has whole seconds: a client that must see two changes within one second uses the ETag."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        return etag in parse_etags(if_none_match)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and modified is not None and int(modified) <= since


class PageKey(NamedTuple):
    key: str  # the entry in the ``pages`` cache
    etag: str  # quoted
    modified: float | None  # the data version's last advance (Last-Modified)


def page_key(request: HttpRequest) -> PageKey | None:
    """Where the answer to ``request`` is kept in the page cache, or None when it is never kept (not a
    public page, not GET or HEAD, a reader with a session or a pending message, a Host outside
    ALLOWED_HOSTS, no database yet). The one rule: the middleware and ``kommunkvalitet warm``
    (web.warm) both use it."""
    match = PUBLIC.match(request.path_info)
    if (
        match is None
        or request.method not in ("GET", "HEAD")
        or any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, "messages"))
    ):
        return None
    try:
        host = request.get_host()  # a Host outside ALLOWED_HOSTS: CommonMiddleware answers 400
        version = page_version(match["municipality"])
    except (DisallowedHost, DatabaseError):  # or no database yet (setup not run): the view says so
        return None
    language = request_language(request)
    etag = f'"{version}-{language}"'
    url = f"{request.scheme}://{host}{request.get_full_path()}"  # a page may hold absolute links
    key = f"page:{hashlib.sha1(f'{language} {url}'.encode()).hexdigest()}:{etag.strip(chr(34))}"
    return PageKey(key, etag, modified_at(version))


class PageCacheMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.cache = caches["pages"]
        self.csrf = CsrfViewMiddleware(get_response)
        self._guard = threading.Lock()
        self._rendering: dict[str, threading.Lock] = {}  # key -> held while one thread renders it

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = page_key(request)
        if found is None:
            return self.get_response(request)
        key, etag, modified = found
        last_modified = http_date(int(modified)) if modified is not None else None
        if _not_modified(request, etag, modified):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = last_modified
            response["Cache-Control"] = "no-cache"
            return response
        stored = self.cache.get(key)
        if stored is not None:
            return self._stored(request, stored)
        # One render per page and process: the threads that ask for the same cold page meanwhile wait
        # for it rather than render it again (a stampede on the hot pages after every import).
        with self._guard:
            lock = self._rendering.setdefault(key, threading.Lock())
        try:
            with lock:
                stored = self.cache.get(key)
                if stored is not None:
                    return self._stored(request, stored)
                return self._render(request, key, etag, last_modified)
        finally:
            with self._guard:
                self._rendering.pop(key, None)

    def _stored(self, request: HttpRequest, stored) -> HttpResponse:
        status, headers, body = stored
        if _SLOT in body:
            self.csrf.process_request(request)  # the reader's CSRF cookie, if any, as the page's secret
            body = body.replace(_SLOT, get_token(request).encode())
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        response[CACHED_HEADER] = "hit"
        return self.csrf.process_response(request, response)  # sets the CSRF cookie a token needs

    def _render(self, request: HttpRequest, key: str, etag: str, last_modified: str | None) -> HttpResponse:
        response = self.get_response(request)
        other_cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        if response.status_code != 200 or response.streaming or other_cookies:
            return response
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = last_modified
        response["Cache-Control"] = "no-cache"  # revisits ask again with If-None-Match and get 304
        patch_vary_headers(response, ["Cookie"])
        headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
        body = _TOKEN.sub(rb"\1" + _SLOT + rb"\2", response.content)
        self.cache.set(key, (response.status_code, headers, body))
        response[CACHED_HEADER] = "miss"
        return response
