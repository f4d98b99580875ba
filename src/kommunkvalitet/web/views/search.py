"""Search for KPIs and kommuner (/sok/), and browsing the KPIs by operating area (/nyckeltal/).

Every KPI with values in the store can be found and opened, not only the measures of a measure set.
Search forgives case and å/ä/ö written as a/a/o ("vantetid sarskilt boende", "ornskoldsvik").
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from kommunkvalitet.store import queries
from kommunkvalitet.web.jsonout import json_response
from kommunkvalitet.web.presentation import slug

LIMIT = 50


def search(request, fmt: str = "html"):
    q = request.GET.get("q", "").strip()[:200]
    kpis, n_kpis = queries.search_kpi_entries(q, LIMIT) if q else ([], 0)
    kommuner = queries.kommuner(q) if q else []
    if fmt == "json":
        return json_response(
            {
                "q": q,
                "kpis": [{"id": e.id, "title": e.title, "operating_area": e.operating_area,
                          "latest_year": e.latest_year,
                          "url": reverse("web:measure_latest", args=[e.id]) if e.has_values else None} for e in kpis],
                "kpis_total": n_kpis,
                "municipalities": [{"id": m.id, "name": m.name, "url": reverse("web:municipality", args=[m.id])}
                                   for m in kommuner],
            })  # fmt: skip
    context = {"q": q, "kpis": kpis, "n_kpis": n_kpis, "kommuner": kommuner, "limit": LIMIT}
    return render(request, "web/search.html", context)


def kpi_areas(request):
    areas = [{"name": name, "slug": slug(name), "with_values": n, "total": total}
             for name, n, total in queries.operating_areas() if n]  # fmt: skip
    return render(request, "web/kpi_areas.html", {"areas": areas})


def kpi_area(request, area_slug: str):
    name = next((n for n, _, _ in queries.operating_areas() if slug(n) == area_slug), None)
    if name is None:
        raise Http404("Okänt verksamhetsområde")
    return render(request, "web/kpi_area.html", {"name": name, "kpis": queries.kpis_in_area(name)})
