"""CORS for the open data: any web page, on any site, may read the public pages and their other forms
(JSON, CSV, Excel, PDF, SVG), the search's JSON and the API description with a plain ``fetch()``.

``Access-Control-Allow-Origin: *`` and nothing else: no credentials (a cookie never travels with a
cross-site read, so no editor's session can be used from another site) and no ``Vary: Origin``, since
the answer is the same for every origin. The validators (``ETag``, ``Link``) are exposed so that a
script can revalidate, and a preflight (a script that sends ``If-None-Match`` itself) is answered.
The editing pages, the login and the admin get no CORS header at all: a browser keeps their answers
from other sites. Outermost in ``MIDDLEWARE`` so that page-cache hits and 304s carry the headers too.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

from kommunkvalitet.web.pagecache import PUBLIC

OPEN_TOO = re.compile(r"^/(?:sok\.json|api/openapi\.json)$")  # public, but not in the page cache
METHODS = "GET, HEAD"
EXPOSED = "ETag, Link, Content-Disposition"
REQUEST_HEADERS = "If-None-Match, If-Modified-Since"


def is_open(path: str) -> bool:
    return bool(PUBLIC.match(path) or OPEN_TOO.match(path))


class CorsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_open(request.path_info):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = METHODS
            response["Access-Control-Allow-Headers"] = REQUEST_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            if request.method not in ("GET", "HEAD"):
                return response
            response["Access-Control-Expose-Headers"] = EXPOSED
        response["Access-Control-Allow-Origin"] = "*"
        return response
