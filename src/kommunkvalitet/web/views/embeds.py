"""Embeddable charts: each chart of a measure page, and each measure's sparkline on an area page, as an
SVG and as a minimal HTML page (the chart, its one-sentence description, its data table and the source
line, linking back to the full page) that a municipality can put in an ``<iframe>`` on its own site.

These URLs, and only these, may be framed by any site (:func:`frameable`): ``X-Frame-Options`` is left
out and the CSP's ``frame-ancestors`` is ``*``; every other page keeps ``DENY`` / ``frame-ancestors
'none'``. Thin: the figures are the pages' own (reports.figures via views.measures, the area page's
reports.area_pictures), so an embed cannot disagree with its page or its JSON twin.
"""

from __future__ import annotations

from csp.decorators import csp_replace
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt

from kommunkvalitet.core.charts import ValueFormat
from kommunkvalitet.reports import figures
from kommunkvalitet.reports.area_pictures import area_pictures
from kommunkvalitet.reports.maps import MAP_CSS
from kommunkvalitet.reports.tables import SOURCE  # the same source line as the downloads
from kommunkvalitet.store import geo
from kommunkvalitet.web.embedding import CHARTS, sparkline_name
from kommunkvalitet.web.language import page_lang
from kommunkvalitet.web.views import measures, report


def frameable(view):
    """The one exception to ``X-Frame-Options: DENY``: any site may frame ``view`` (an embed)."""
    allowed = csp_replace({"frame-ancestors": ["*"]})(view)
    return xframe_options_exempt(allowed)


def _figure(request, kpi_id: str, year: int, chart: str):
    if chart not in CHARTS:
        raise Http404("Okänt diagram")
    mid = measures._kommun(request)
    page = measures._page(kpi_id, year, mid)
    vf = ValueFormat(page.info.unit, page.info.decimals, page_lang())
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


def standalone_svg(fig: figures.Figure, name: str = "") -> str:
    """An inline chart as a file of its own: the XML declaration, the xlink namespace and (a map) its CSS.
    A picture its page hides from assistive technology (a sparkline: its caption says it all) is named
    ``name`` instead, since a file has no caption."""
    svg = fig.svg
    if name:
        svg = svg.replace('aria-hidden="true"', f'role="img" aria-label="{escape(name)}"', 1)
    if 'xmlns="' not in svg.split(">", 1)[0]:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    if fig.kind == "map":
        svg = svg.replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ', 1)
        svg = svg.replace("<defs>", f"<style>{MAP_CSS}</style><defs>", 1)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + svg


@frameable
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
        "name": fig.name,
        "heading": f"{page.info.label}, {page.year}" + (f", {page.municipality.name}" if page.municipality else ""),
        "mid": mid,
        "series_table": measures._series_table(page) if kind == "series" else None,
        "page_url": reverse("web:measure", args=[kpi_id, year]) + query,
        "svg_url": reverse("web:embed_svg", args=[kpi_id, year, chart]) + query,
        "source": SOURCE,
    }
    return render(request, "web/embed/chart.html", context)


@frameable
def area_embed(request, municipality_id: str, year: int, area_id: str, kpi_id: str, fmt: str = "html"):
    """The sparkline of one measure on an area page: the municipality's values by year up to the data
    year, with its description, its table of the values and the source line."""
    rep = report._report(municipality_id, year, area_id)
    row = next((r for r in rep.rows if r.finding.kpi == kpi_id), None)
    if row is None:
        raise Http404("Måttet finns inte i området")
    pic = area_pictures(rep, page_lang())[kpi_id]
    if pic.spark is None:
        raise Http404("Kommunen har inga värden för måttet")
    f, m = row.finding, rep.municipality
    name = sparkline_name(f.label, m.name)
    if fmt == "svg":
        return HttpResponse(standalone_svg(pic.spark, name), content_type="image/svg+xml")
    context = {
        "figure": pic.spark,
        "name": name,
        "heading": f"{f.label}, {m.name}, {pic.points[0][0]}–{pic.points[-1][0]}",
        "spark_table": {"rows": pic.points, "measure": f},
        "page_url": reverse("web:area", args=[m.id, year, area_id]) + f"#{kpi_id}",
        "svg_url": reverse("web:area_embed_svg", args=[m.id, year, area_id, kpi_id]),
        "source": SOURCE,
    }
    return render(request, "web/embed/chart.html", context)
