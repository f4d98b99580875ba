"""The KKiK report pages: a municipality's overview per edition and its area pages, each with a JSON twin.

Views stay thin: store.report builds the figures, core.pages decides what the overview counts and
ranks, core.narrative drafts the text.
"""

from __future__ import annotations

import dataclasses

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kommunkvalitet.core import pages, vocabulary
from kommunkvalitet.core.measuresets import MeasureSet, measure_sets, set_for_edition
from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.reports import markup, pdf
from kommunkvalitet.reports.report_pages import area_page, edition_set, editions, overview_context
from kommunkvalitet.store import commentary, roles
from kommunkvalitet.store.models import Municipality
from kommunkvalitet.store.report import AreaReport, area_report, measure_set_report
from kommunkvalitet.web import downloads, presentation
from kommunkvalitet.web.embedding import area_snippets
from kommunkvalitet.web.jsonout import json_response
from kommunkvalitet.web.language import page_lang
from kommunkvalitet.web.views.errors import NotFound, unknown_municipality

#: The code kinds of an area's JSON twin, explained in words by its "vocabulary" key (core.vocabulary).
_JSON_WORDS = ("band", "position", "verdict", "trend", "gap", "implausible", "direction")


def _measure_set(year: int, municipality_id: str, area_id: str | None = None) -> MeasureSet:
    try:
        return edition_set(year)
    except KommunkvalitetError:
        message = _("Det finns ingen KKiK-utgåva för %(year)s.") % {"year": year}
        raise _not_found(message, municipality_id, area_id) from None


def _report(municipality_id: str, year: int, area_id: str) -> AreaReport:
    ms = _measure_set(year, municipality_id, area_id)
    try:
        return area_report(municipality_id, ms, area_id, edition=year)
    except Municipality.DoesNotExist:
        raise _not_found(unknown_municipality(municipality_id)) from None
    except KeyError:
        message = _("KKiK %(year)s har inget område som heter %(area)s.") % {"year": year, "area": area_id}
        links = [(a.name, reverse("web:area", args=[municipality_id, year, a.id])) for a in ms.areas]
        raise _not_found(message, municipality_id, links=links) from None


def _not_found(message: str, municipality_id: str | None = None, area_id: str | None = None,
               links: list[tuple[str, str]] | None = None) -> NotFound:  # fmt: skip
    """A 404 that names the KKiK years there are, with links to them for a known municipality (to the
    same area when it exists that year)."""
    links = list(links or [])
    muni = Municipality.objects.filter(pk=municipality_id).first() if municipality_id else None
    if muni is None:
        return NotFound(message, links, editions())
    for y in editions():
        ms = set_for_edition(measure_sets(), y)
        has_area = area_id is not None and ms is not None and area_id in {a.id for a in ms.areas}
        url = (
            reverse("web:area", args=[muni.id, y, area_id]) if has_area else reverse("web:overview", args=[muni.id, y])
        )
        links.append((f"{muni.name}, KKiK {y}", url))
    links.append((muni.name, reverse("web:municipality", args=[muni.id])))
    return NotFound(message, links, editions())


def area(request, municipality_id: str, year: int, area_id: str, fmt: str = "html"):
    report = _report(municipality_id, year, area_id)
    if fmt == "pdf":
        return _download(pdf.area_pdf(report, base_url=request.build_absolute_uri("/"), lang=page_lang()))
    if fmt in downloads.FORMATS:  # CSV and Excel: the table and the published commentary
        return downloads.area(fmt, report, commentary.published_for(municipality_id, report.measure_set.slug, area_id))
    page = area_page(report, page_lang())  # the reader's language (web.language)
    if fmt == "json":
        data = _area_json(page.report, page.drafts, page.texts)
        for m in data["measures"]:  # added keys: the gender figures beside the total
            g = page.genders.get(m["kpi"])
            m["women"], m["men"] = (dataclasses.asdict(g.women), dataclasses.asdict(g.men)) if g else (None, None)
        return json_response(data)
    context = {
        **page.context(),
        "embeds": area_snippets(request, report, page.rows),
        "can_edit": roles.rights(request.user, municipality_id).may_edit(),
        "editions": editions(),
    }
    return render(request, "web/area.html", context)


def _area_json(report: AreaReport, drafts, texts) -> dict:
    return {
        "municipality": _municipality_json(report.municipality),
        "measure_set": report.measure_set.name,
        "edition": report.edition,
        "area": {"id": report.area.id, "name": report.area.name, "name_en": report.area.name_en},
        "data_years": report.data_years,
        "national_mean_definition": "unweighted mean of the municipalities with a value (rikssnitt)",
        "riket_definition": "Riket (0000) as Kolada gives it: weighted by population",
        "vocabulary": {lang: {kind: vocabulary.table(kind, lang) for kind in _JSON_WORDS} for lang in ("sv", "en")},
        "measures": [
            {
                **dataclasses.asdict(r.finding),
                "verdict": pages.verdict(r.finding.position, r.finding.direction),
                "rank_text": pages.rank_text(r.finding.rank, r.finding.n, page_lang()),
                "gap_text": presentation.gap(r.finding.gap) if r.finding.value is None else None,
                "comparable": r.finding.value is not None and r.finding.implausible is None,
                "series": [{"year": y, "value": v} for y, v in r.series],
                "groups": [dataclasses.asdict(g) for g in r.groups],
            }
            for r in report.rows
        ],
        "draft": {lang: {"title": d.title, "text": d.text} for lang, d in drafts.items()} or None,
        "commentary": {kpi or "_area": markup.for_json(c.published_text) for kpi, c in texts.items()},
        "source": "Källa: Kolada (RKA). Bearbetning: kommunkvalitet.",
    }


def overview(request, municipality_id: str, year: int, fmt: str = "html"):
    ms = _measure_set(year, municipality_id)
    try:
        reports = list(measure_set_report(municipality_id, ms, edition=year).values())
    except Municipality.DoesNotExist:
        raise _not_found(unknown_municipality(municipality_id)) from None
    if fmt == "pdf":
        return _download(pdf.edition_pdf(reports, ms, year, base_url=request.build_absolute_uri("/"), lang=page_lang()))
    context = overview_context(reports, ms, year)
    ov = context["overview"]
    if fmt in downloads.FORMATS:  # CSV and Excel of the whole edition
        texts = {r.area.id: commentary.published_for(municipality_id, ms.slug, r.area.id) for r in reports}
        return downloads.edition(fmt, reports, ov, texts)
    if fmt == "json":
        return json_response(
            {
                "municipality": _municipality_json(reports[0].municipality),
                "measure_set": ms.name,
                "edition": year,
                "areas": [
                    {
                        "id": a.group.id,
                        "name": a.group.name,
                        "bands": a.counts,
                        "measures": a.measures,
                        "data_years": a.data_years,
                    }
                    for a in ov.areas
                ],  # fmt: skip
                "biggest_improvements": [_change_json(c) for c in ov.improved],
                "biggest_declines": [_change_json(c) for c in ov.declined],
            }
        )
    return render(request, "web/overview.html", {**context, "editions": editions()})


def _download(file: pdf.PdfFile) -> HttpResponse:
    """A PDF to save, under its own file name."""
    return downloads.attachment(file.content, pdf.MIME, file.filename)


def _municipality_json(m: Municipality) -> dict:
    """The id, name and type (kommun, region, national); ranks and bands exist only for kommuner."""
    out = {"id": m.id, "name": m.name, "type": m.type}
    if m.type != Municipality.Type.KOMMUN:
        out["note"] = "ranks and bands are computed for municipalities (kommuner) only"
    return out


def _change_json(c: pages.RankedChange) -> dict:
    return {"kpi": c.finding.kpi, "label": c.finding.label, "change": c.finding.change, "change_sd": c.size}
