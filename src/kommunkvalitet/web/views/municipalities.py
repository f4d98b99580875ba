"""The start page (pick a municipality) and a municipality's profile."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kommunkvalitet.reports.report_pages import editions
from kommunkvalitet.store import goals, queries
from kommunkvalitet.store.models import Municipality
from kommunkvalitet.web.views.errors import NotFound, unknown_municipality


def start(request):
    search = request.GET.get("q", "")
    items = list(queries.kommuner(search))
    return render(request, "web/start.html", {"municipalities": items, "q": search, "count": len(items)})


def municipality(request, municipality_id: str):
    try:
        profile = queries.municipality_profile(municipality_id)
    except Municipality.DoesNotExist:
        links = [(_("Sök nyckeltal"), reverse("web:search"))]
        raise NotFound(unknown_municipality(municipality_id), links, editions()) from None
    goal_years = goals.years_with_structures(municipality_id)
    context = {"p": profile, "goal_years": goal_years, "kkik_years": editions()}
    return render(request, "web/municipality.html", context)
