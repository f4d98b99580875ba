"""The measure page (/nyckeltal/<kpi>/<år>/), its map page and their JSON twins.

Thin: store.measure gathers the figures, reports.figures draws them (cached), core.chart_text writes
the descriptions.
"""

from __future__ import annotations

import dataclasses
import re

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from kommunkvalitet.core import gender
from kommunkvalitet.core.chart_words import t
from kommunkvalitet.core.charts import ValueFormat
from kommunkvalitet.core.text import swedish_sort_key
from kommunkvalitet.reports import figures
from kommunkvalitet.reports.charts import cache_key, cached
from kommunkvalitet.reports.maps import MAP_CSS, MAP_CSS_HASH, MapArea
from kommunkvalitet.reports.report_pages import FIRST_EDITION, editions
from kommunkvalitet.store import geo
from kommunkvalitet.store.comparison import current_settings
from kommunkvalitet.store.measure import MeasurePage, measure_page, years_with_values
from kommunkvalitet.store.models import KPI, Municipality, MunicipalityGroup
from kommunkvalitet.web import downloads, presentation
from kommunkvalitet.web.embedding import snippets
from kommunkvalitet.web.jsonout import json_response
from kommunkvalitet.web.language import page_lang

SOURCE = "Källa: Kolada (RKA). Bearbetning: kommunkvalitet."


def _kommun(request) -> str | None:
    mid = (request.GET.get("kommun") or "").strip()
    return mid or None


def _page(kpi_id: str, year: int, municipality_id: str | None) -> MeasurePage:
    try:
        page = measure_page(kpi_id, year, municipality_id)
    except KPI.DoesNotExist:
        raise Http404("Okänt nyckeltal") from None
    except Municipality.DoesNotExist:
        raise Http404("Okänd kommun") from None
    if not page.rows and year not in page.years:
        raise Http404("Inga värden för det året")
    return page


def _query(municipality_id: str | None, **extra: str) -> str:
    params = {"kommun": municipality_id, **extra} if municipality_id else dict(extra)
    params = {k: v for k, v in params.items() if v}
    return ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""


def latest(request, kpi_id: str):
    """/nyckeltal/<kpi>/: the latest year with values."""
    years = years_with_values(kpi_id)
    if not years:
        if not KPI.objects.filter(pk=kpi_id).exists():
            raise Http404("Okänt nyckeltal")
        return render(request, "web/measure_empty.html", {"kpi": KPI.objects.get(pk=kpi_id)}, status=404)
    return redirect(reverse("web:measure", args=[kpi_id, years[-1]]) + _query(_kommun(request)))


def _areas_loader(county_id: str | None):
    def load() -> list[MapArea]:
        return [MapArea(s.id, s.name, s.path, s.bbox) for s in geo.shapes(county_id)]

    return load


def _href(kpi_id: str, year: int):
    base = reverse("web:measure", args=[kpi_id, year])
    return lambda mid: f"{base}?kommun={mid}"


def _county(county_id: str | None, lang: str = "sv") -> tuple[str | None, str]:
    """A county's Kolada id and its name as a map says it ("Västernorrlands läns", in English
    "Västernorrlands län"); the country otherwise ("Sveriges", "Sweden")."""
    if not county_id:
        return None, t("country", lang)
    if not Municipality.objects.filter(pk=county_id, type=Municipality.Type.REGION).exists():
        raise Http404("Okänt län")
    title = (MunicipalityGroup.objects.filter(kind="county", groupmember__municipality__county_id=county_id)
             .values_list("title", flat=True).first())  # fmt: skip
    place = (title or county_id).replace(" kommuner", "")
    return county_id, place.removesuffix("s") if lang == "en" else place


def measure(request, kpi_id: str, year: int, fmt: str = "html"):
    mid = _kommun(request)
    page = _page(kpi_id, year, mid)
    if fmt in downloads.FORMATS:  # CSV and Excel of every kommun's value
        return downloads.measure(fmt, page)
    vf = ValueFormat(page.info.unit, page.info.decimals, page_lang())
    bar = figures.bar_figure(page, vf)
    series = figures.series_figure(page, vf)
    has_map = geo.has_shapes()
    map_fig = (figures.map_figure(page, vf, mode="band", areas_loader=_areas_loader(None), href=_href(kpi_id, year))
               if has_map and (page.rows or page.missing) else None)  # fmt: skip
    if fmt == "json":
        return json_response(_json(page, bar, series, map_fig))
    county_id = page.municipality.county_id if page.municipality else None
    context = {
        "page": page,
        "info": page.info,
        "vf": vf,
        "bar": bar,
        "series": series,
        "map": map_fig,
        "kommun_options": presentation.options_html(
            sorted(
                [(r.id, r.name) for r in page.rows] + [f[:2] for f in page.flagged] + page.missing,
                key=lambda m: swedish_sort_key(m[1]),
            ),
            mid,
        ),
        "bar_table": mark_safe(
            cached(  # noqa: S308 - rendered by our own template
                cache_key("bartable", kpi_id, year, mid or "-", page.version, page_lang()),  # words and numbers
                lambda: render_to_string(
                    "web/_bar_table.html", {"page": page, "info": page.info, "vf": vf, "mid": mid}
                ),
            )
        ),  # fmt: skip
        "genders": [page.genders[g] for g in ("T", "K", "M") if g in page.genders],
        "series_table": _series_table(page),
        "area_links": _area_links(page),
        "unit_text": presentation.unit_text(page.info.unit),
        "direction_text": presentation.DIRECTIONS.get(page.info.direction, ""),
        "map_url": reverse("web:measure_map", args=[kpi_id, year]),
        "county_query": _query(mid, lan=county_id or ""),
        "scale_query": _query(mid, farg="skala"),
        "query": _query(mid),
        "operating_area_slug": presentation.slug(page.info.operating_area),
        "gender_sentence": _gender_sentence(page),
        "embeds": snippets(request, kpi_id, year, _query(mid), [bar, series, map_fig]),
    }
    return render(request, "web/measure.html", context)


def _gender_sentence(page: MeasurePage):
    """The drafted sentence on a large gap between the chosen kommun's women and men (core.gender)."""
    women, men = page.genders.get("K"), page.genders.get("M")
    if page.municipality is None or women is None or men is None:
        return None
    finding = gender.GenderFinding(
        page.info.id, page.info.label, page.info.label, page.info.unit, page.info.decimals, page.year,
        gender.GenderFigure("K", women.value, women.mean, women.n, women.band, women.rank),
        gender.GenderFigure("M", men.value, men.mean, men.n, men.band, men.rank),
    )  # fmt: skip
    return gender.gap_sentence(finding, page_lang()) if gender.is_large_gap(finding, current_settings()) else None


def _series_table(page: MeasurePage) -> dict | None:
    """The time series as a table: one row per year, one column per line (the lines the chart draws)."""
    lines = [line for line in page.series if any(v is not None for _, v in line.points)]
    if not lines:
        return None
    rows = [{"year": y, "values": []} for y, _ in lines[0].points]
    for line in lines:
        for row, (_, v) in zip(rows, line.points, strict=True):
            row["values"].append(v)
    return {"lines": lines, "rows": rows}


def _area_links(page: MeasurePage) -> list[dict]:
    """Where the KPI is a KKiK measure: the area page of the edition that shows this data year."""
    out = []
    last = max(editions())
    for ms, area, m in page.info.memberships:
        edition = page.year - m.data_year_offset
        if FIRST_EDITION <= edition <= last:
            out.append({"set": ms.name, "area": area, "edition": edition, "measure": m})
    return out


def _json(page: MeasurePage, bar, series, map_fig) -> dict:
    info = page.info
    return {
        "kpi": {
            "id": info.id,
            "title": info.title,
            "label": info.label,
            "description": info.description,
            "operating_area": info.operating_area,
            "perspective": info.perspective,
            "unit": info.unit,
            "decimals": info.decimals,
            "direction": info.direction,
            "is_divided_by_gender": info.is_divided_by_gender,
            "measure_sets": [{"name": ms.name, "area": a.id} for ms, a, _ in info.memberships],
        },  # fmt: skip
        "year": page.year,
        "years": page.years,
        "municipality": {"id": page.municipality.id, "name": page.municipality.name} if page.municipality else None,
        "distribution": {
            g: {k: v for k, v in dataclasses.asdict(s).items() if k != "limits"}
            | {"band_limit_best": s.limits.best, "band_limit_worst": s.limits.worst}
            for g, s in page.genders.items()
        },  # fmt: skip
        "national_mean_definition": "unweighted mean of the municipalities with a value (rikssnitt)",
        "municipalities": [dataclasses.asdict(r) for r in page.rows],
        "missing": [{"id": m, "name": n} for m, n in page.missing],
        "not_comparable": [{"id": m, "name": n, "value": v, "implausible": c} for m, n, v, c in page.flagged],
        "series": [
            {"key": line.key, "label": line.label, "points": [{"year": y, "value": v} for y, v in line.points]}
            for line in page.series
        ],  # fmt: skip
        "charts": {
            "bar": {"description": bar.description, "spec": bar.spec},
            "series": {"description": series.description, "spec": series.spec} if series else None,
            "map": {"description": map_fig.description} if map_fig else None,
        },
        "data_version": page.version,
        "source": SOURCE,
    }


def measure_map(request, kpi_id: str, year: int, fmt: str = "html"):
    """/nyckeltal/<kpi>/<år>/karta/: the map alone, by band or by value (?farg=skala), for the country or
    one county (?lan=0022), with its table; karta.svg is the picture itself."""
    mid = _kommun(request)
    mode = "scale" if request.GET.get("farg") == "skala" else "band"
    county_id, place = _county((request.GET.get("lan") or "").strip() or None, page_lang())
    page = _page(kpi_id, year, mid)
    if not geo.has_shapes():
        raise Http404("Kartan saknas: kör kommunkvalitet import geo")
    vf = ValueFormat(page.info.unit, page.info.decimals, page_lang())
    fig = figures.map_figure(page, vf, mode=mode, areas_loader=_areas_loader(county_id), href=_href(kpi_id, year),
                             county_id=county_id, place=place, width_px=560 if county_id else 420)  # fmt: skip
    if fmt == "svg":
        svg = fig.svg.replace("<svg ", '<svg xmlns:xlink="http://www.w3.org/1999/xlink" ', 1)
        svg = svg.replace("<defs>", f"<style>{MAP_CSS}</style><defs>", 1)
        response = HttpResponse('<?xml version="1.0" encoding="utf-8"?>\n' + svg, content_type="image/svg+xml")
        response._csp_update = {"style-src": [MAP_CSS_HASH]}  # type: ignore[attr-defined]  # django-csp reads it
        return response
    shown = set(_shown_ids(fig.svg))
    rows = [r for r in page.rows if r.id in shown]
    missing = [m for m in page.missing if m[0] in shown]
    flagged = [f for f in page.flagged if f[0] in shown]
    counties = Municipality.objects.filter(type=Municipality.Type.REGION).order_by("id").values_list("id", "name")
    context = {
        "page": page, "info": page.info, "vf": vf, "map": fig, "rows": rows, "missing": missing, "flagged": flagged, "mode": mode,
        "county_id": county_id, "place": place, "counties": list(counties),
        "measure_url": reverse("web:measure", args=[kpi_id, year]) + _query(mid),
        "measure_base": reverse("web:measure", args=[kpi_id, year]),
        "svg_url": reverse("web:measure_map_svg", args=[kpi_id, year]) + _query(mid, lan=county_id or "",
                                                                                 farg="skala" if mode == "scale" else ""),
        "other_mode_query": _query(mid, lan=county_id or "", farg="" if mode == "scale" else "skala"),
        "country_query": _query(mid, farg="skala" if mode == "scale" else ""),
        "mid": mid,
    }  # fmt: skip
    return render(request, "web/measure_map.html", context)


def _shown_ids(svg: str) -> list[str]:
    return re.findall(r'data-id="(\d{4})"', svg)
