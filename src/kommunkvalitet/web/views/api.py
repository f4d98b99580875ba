"""The open API's own pages: ``/api/`` (a short page in Swedish linking the docs and the spec) and
``/api/openapi.json`` (the OpenAPI 3.1 description, from web.apischema)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kommunkvalitet.web import apischema

#: What each twin holds, in the page's words (the OpenAPI titles are English).
NAMES = {
    "area_json": _("Ett område i KKiK"),
    "overview_json": _("Översikt över en KKiK-utgåva"),
    "measure_json": _("Ett nyckeltal för alla kommuner"),
    "goal_report_json": _("Målrapport"),
    "goal_json": _("Ett mål med dess historik"),
    "search_json": _("Sök nyckeltal och kommuner"),
}


def index(request, fmt: str = "html"):
    if fmt == "json":
        spec = apischema.openapi(request.build_absolute_uri("/"))
        return JsonResponse(spec, json_dumps_params={"ensure_ascii": False})
    endpoints = [{"name": NAMES[e.name], "path": e.path, "example": e.example} for e in apischema.ENDPOINTS]
    return render(request, "web/api.html", {"endpoints": endpoints, "version": apischema.API_VERSION})
