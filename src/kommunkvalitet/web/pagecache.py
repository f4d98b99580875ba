"""The page cache: public pages and their JSON twins answered from Django's cache framework.

A page is a pure function of its URL (with the query), the language and the data version
(:mod:`kommunkvalitet.store.dataversion`), so it is cached under exactly that and never goes stale: a
change advances the version in the same transaction as the data, and the next request looks under the
new key. The version is also the ETag, so a revisit with ``If-None-Match`` gets 304 without any work.

The middleware comes first in ``MIDDLEWARE``: a hit costs one small query (the version) and one cache
read, with no session, authentication, view or template. Anybody with a session cookie (a signed-in
editor) or a pending message always gets a fresh page, and only anonymous 200 answers that set no cookie
are stored. The cache is the ``pages`` alias (``KOMMUNKVALITET_PAGE_CACHE``: a file cache in the data dir
by default, Redis or memcached for a server).
"""

from __future__ import annotations

import hashlib
import pickle
import re
import threading
import zlib

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language_from_request

from kommunkvalitet.store.dataversion import page_version

# The public pages: the start page, a municipality's pages (overview, area, goal report and goal pages
# with their .json twins; not the forms under redigera/ or mal/ny/) and the measure pages with the map.
PUBLIC = re.compile(
    r"""^/(?:
        $
      | kommun/(?P<municipality>[0-9]{4})/(?:
            $
          | [0-9]{4}(?:\.json|/)$
          | [0-9]{4}/[\w-]+(?:\.json|/)$
          | mal/(?: $ | [0-9]{4}(?:\.json|/)$ | [0-9]{4}/mal-[0-9]+(?:\.json|/)$ )
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


CACHED_HEADER = "X-Page-Cache"


class PageCacheMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.cache = caches["pages"]
        self.fresh_cookies = (settings.SESSION_COOKIE_NAME, "messages")
        self.localized = "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
        self._guard = threading.Lock()
        self._rendering: dict[str, threading.Lock] = {}  # key -> held while one thread renders it

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PUBLIC.match(request.path_info)
        if (
            match is None
            or request.method not in ("GET", "HEAD")
            or any(name in request.COOKIES for name in self.fresh_cookies)
        ):
            return self.get_response(request)
        try:
            host = request.get_host()  # a Host outside ALLOWED_HOSTS: CommonMiddleware answers 400
            version = page_version(match["municipality"])
        except (DisallowedHost, DatabaseError):  # or no database yet (setup not run): the view says so
            return self.get_response(request)
        language = get_language_from_request(request) if self.localized else settings.LANGUAGE_CODE
        etag = f'"{version}-{language}"'
        if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        url = f"{request.scheme}://{host}{request.get_full_path()}"  # a page may hold absolute links
        key = f"page:{hashlib.sha1(f'{language} {url}'.encode()).hexdigest()}:{etag.strip(chr(34))}"
        stored = self.cache.get(key)
        if stored is not None:
            return self._stored(stored)
        # One render per page and process: the threads that ask for the same cold page meanwhile wait
        # for it rather than render it again (a stampede on the hot pages after every import).
        with self._guard:
            lock = self._rendering.setdefault(key, threading.Lock())
        try:
            with lock:
                stored = self.cache.get(key)
                if stored is not None:
                    return self._stored(stored)
                return self._render(request, key, etag)
        finally:
            with self._guard:
                self._rendering.pop(key, None)

    @staticmethod
    def _stored(stored) -> HttpResponse:
        status, headers, body = stored
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        response[CACHED_HEADER] = "hit"
        return response

    def _render(self, request: HttpRequest, key: str, etag: str) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"  # revisits ask again with If-None-Match and get 304
        patch_vary_headers(response, ["Cookie"])
        headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
        self.cache.set(key, (response.status_code, headers, response.content))
        response[CACHED_HEADER] = "miss"
        return response
