"""The other forms of a page (JSON, CSV, Excel, PDF), found by one naming rule.

A page whose URL is named ``<name>`` (``web:area``) has its other forms at the URLs named
``<name>_<format>`` (``web:area_json``, ``web:area_csv``, ...) with the same arguments and query. Adding
such a URL is all it takes: every HTML page then lists its forms under "Ladda ner" (``web/_formats.html``,
included by ``base.html``), names them in ``<link rel="alternate">`` and sends them as ``Link`` headers
(:class:`AlternatesMiddleware`), so a client finds the data behind any page it has.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Format:
    key: str  # the URL-name suffix
    label: str | Promise
    mime: str


# In the order the page lists them: what most readers want first.
FORMATS = (
    Format("pdf", _("PDF"), "application/pdf"),
    Format("xlsx", _("Excel"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    Format("csv", _("CSV för Excel (semikolon, decimalkomma)"), "text/csv"),
    Format("plain_csv", _("CSV för program (komma, decimalpunkt)"), "text/csv"),
    Format("json", _("JSON"), "application/json"),
)
_SUFFIXES = tuple(f"_{f.key}" for f in FORMATS)


@dataclass(frozen=True)
class Alternate:
    format: Format
    url: str


def alternates(request: HttpRequest) -> list[Alternate]:
    """The other forms of the page ``request`` asked for (none for a page that is itself one of them);
    found once per request, for the template and the ``Link`` header."""
    found = getattr(request, "_kk_alternates", None)
    if found is None:
        found = request._kk_alternates = _find(request)
    return found


def _find(request: HttpRequest) -> list[Alternate]:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name or match.url_name.endswith(_SUFFIXES):
        return []
    query = request.GET.urlencode()
    found = []
    for fmt in FORMATS:
        try:
            url = reverse(f"{match.namespace}:{match.url_name}_{fmt.key}", args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            continue
        found.append(Alternate(fmt, f"{url}?{query}" if query else url))
    return found


def context(request: HttpRequest) -> dict:
    """Template context processor: ``alternates`` for ``base.html``."""
    return {"alternates": alternates(request)}


def link_header(found: list[Alternate]) -> str:
    return ", ".join(f'<{a.url}>; rel="alternate"; type="{a.format.mime}"' for a in found)


class AlternatesMiddleware:
    """``Link: <...>; rel="alternate"`` on every HTML page that has other forms."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            found = alternates(request)
            if found:
                response["Link"] = link_header(found)
        return response
