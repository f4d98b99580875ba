"""The start page (pick a municipality) and a municipality's profile."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from kommunkvalitet.store import goals, queries
from kommunkvalitet.store.models import Municipality


def start(request):
    search = request.GET.get("q", "")
    items = list(queries.kommuner(search))
    return render(request, "web/start.html", {"municipalities": items, "q": search, "count": len(items)})


def municipality(request, municipality_id: str):
    try:
        profile = queries.municipality_profile(municipality_id)
    except Municipality.DoesNotExist:
        raise Http404("Okänd kommun") from None
    goal_years = goals.years_with_structures(municipality_id)
    return render(request, "web/municipality.html", {"p": profile, "goal_years": goal_years})
