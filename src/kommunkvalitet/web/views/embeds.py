"""Embeddable charts: each chart of a measure page as an SVG and as a minimal HTML page (the chart, its
one-sentence description, its data table and the source line, linking back to the full page) that a
municipality can put in an ``<iframe>`` on its own site.

These URLs, and only these, may be framed by any site: ``X-Frame-Options`` is left out and the CSP's
``frame-ancestors`` is ``*``; every other page keeps ``DENY`` / ``frame-ancestors 'none'``. Thin: the
figures are the measure page's own (reports.figures via views.measures), so an embed cannot disagree
with the page or its JSON twin.
"""

from __future__ import annotations

from csp.decorators import csp_replace
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

from kommunkvalitet.core.charts import ValueFormat
from kommunkvalitet.reports import figures
from kommunkvalitet.reports.maps import MAP_CSS
from kommunkvalitet.store import geo
from kommunkvalitet.web.embedding import CHARTS, SOURCE
from kommunkvalitet.web.views import measures


def _figure(request, kpi_id: str, year: int, chart: str):
    if chart not in CHARTS:
        raise Http404("Okänt diagram")
    mid = measures._kommun(request)
    page = measures._page(kpi_id, year, mid)
    vf = ValueFormat(page.info.unit, page.info.decimals)
    kind = CHARTS[chart][0]
    if kind == "bar":
        fig = figures.bar_figure(page, vf) if page.rows else None
    elif kind == "series":
        fig = figures.series_figure(page, vf)
    else:
        fig = (figures.map_figure(page, vf, mode="band", areas_loader=measures._areas_loader(None),
                                  href=measures._href(kpi_id, year))
               if geo.has_shapes() and (page.rows or page.missing) else None)  # fmt: skip
    if fig is None:
        raise Http404("Diagrammet saknas för det året")
    return page, vf, kind, fig, mid


def standalone_svg(fig: figures.Figure) -> str:
    """An inline chart as a file of its own: the XML declaration, the xlink namespace and (a map) its CSS."""
    svg = fig.svg
    if 'xmlns="' not in svg.split(">", 1)[0]:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    if fig.kind == "map":
        svg = svg.replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ', 1)
        svg = svg.replace("<defs>", f"<style>{MAP_CSS}</style><defs>", 1)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + svg


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]  # django-csp types a view as f(request)
def embed(request, kpi_id: str, year: int, chart: str, fmt: str = "html"):
    page, vf, kind, fig, mid = _figure(request, kpi_id, year, chart)
    if fmt == "svg":
        return HttpResponse(standalone_svg(fig), content_type="image/svg+xml")
    query = measures._query(mid)
    context = {
        "page": page,
        "info": page.info,
        "vf": vf,
        "kind": kind,
        "figure": fig,
        "mid": mid,
        "series_table": measures._series_table(page) if kind == "series" else None,
        "page_url": reverse("web:measure", args=[kpi_id, year]) + query,
        "svg_url": reverse("web:embed_svg", args=[kpi_id, year, chart]) + query,
        "source": SOURCE,
    }
    return render(request, "web/embed/chart.html", context)
