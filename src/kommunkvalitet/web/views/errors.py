"""The 404 page in Swedish (and a JSON error object for ``.json`` URLs), saying what does exist.

A view raises :class:`NotFound` with a message and the pages a reader may have meant (the KKiK years
of the kommun, the areas of the year); any other 404 (an unknown URL, a plain ``Http404``) gets the
same page with a general message and the way back to the start page.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kommunkvalitet.web.jsonout import json_response


class NotFound(Http404):
    """A 404 with a message for the reader and links to the pages that do exist: ``[(text, url), ...]``."""

    def __init__(self, message: str, links: list[tuple[str, str]] | None = None, years: list[int] | None = None):
        super().__init__(message)
        self.message = message
        self.links = links or []
        self.years = sorted(years or [])


def unknown_municipality(municipality_id: str) -> str:
    return _("Det finns ingen kommun med koden %(id)s.") % {"id": municipality_id}


def not_found(request, exception=None):
    """handler404: Swedish HTML, or ``{"error": {...}}`` with status 404 for a ``.json`` URL."""
    if isinstance(exception, NotFound):
        message, links, years = exception.message, exception.links, exception.years
    else:
        message, links, years = _("Det finns ingen sida med den adressen."), [], []
    links = [*links, (_("Välj kommun"), reverse("web:start"))]
    if request.path.endswith(".json"):
        error = {"status": 404, "message": message, "years": years,
                 "links": [{"text": text, "url": url} for text, url in links]}  # fmt: skip
        return json_response({"error": error}, status=404)
    context = {"message": message, "links": links, "years": years}
    return render(request, "404.html", context, status=404)
