"""The open API's own pages: ``/api/`` (a short page in Swedish linking the docs and the spec) and
``/api/openapi.json`` (the OpenAPI 3.1 description, from web.apischema)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from kommunkvalitet.web import apischema


def index(request, fmt: str = "html"):
    if fmt == "json":
        spec = apischema.openapi(request.build_absolute_uri("/"))
        return JsonResponse(spec, json_dumps_params={"ensure_ascii": False})
    return render(request, "web/api.html", {"endpoints": apischema.ENDPOINTS, "version": apischema.API_VERSION})
