"""The KKiK report pages: a municipality's overview per edition and its area pages, each with a JSON twin.

Views stay thin: store.report builds the figures, core.pages decides what the overview counts and
ranks, core.narrative drafts the text.
"""

from __future__ import annotations

import dataclasses

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kommunkvalitet.core import pages, vocabulary
from kommunkvalitet.core.gender import with_gender_gaps
from kommunkvalitet.core.measuresets import MeasureSet, measure_sets, set_for_edition
from kommunkvalitet.core.narrative import draft_area, draft_measure
from kommunkvalitet.store import commentary
from kommunkvalitet.store.comparison import current_settings
from kommunkvalitet.store.gender import gender_findings
from kommunkvalitet.store.models import Municipality
from kommunkvalitet.store.report import AreaReport, area_report, measure_set_report
from kommunkvalitet.web import markup, presentation
from kommunkvalitet.web.area_pictures import area_pictures
from kommunkvalitet.web.language import page_lang
from kommunkvalitet.web.markup import render as render_markup
from kommunkvalitet.web.views.errors import NotFound, unknown_municipality

#: The code kinds of an area's JSON twin, explained in words by its "vocabulary" key (core.vocabulary).
_JSON_WORDS = ("band", "position", "verdict", "trend", "gap", "implausible", "direction")
FIRST_EDITION = 2016  # the snapshot holds 2015-2022; an edition shows its own and the previous year


def _measure_set(year: int, municipality_id: str, area_id: str | None = None) -> MeasureSet:
    ms = set_for_edition(measure_sets(), year)
    if ms is None or year not in _editions():
        raise _not_found(_("Det finns ingen KKiK-utgåva för %(year)s.") % {"year": year}, municipality_id, area_id)
    return ms


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


def _editions() -> list[int]:
    """The KKiK years there are pages for, newest first."""
    return list(range(max(s.edition for s in measure_sets()), FIRST_EDITION - 1, -1))


def _not_found(message: str, municipality_id: str | None = None, area_id: str | None = None,
               links: list[tuple[str, str]] | None = None) -> NotFound:  # fmt: skip
    """A 404 that names the KKiK years there are, with links to them for a known municipality (to the
    same area when it exists that year)."""
    links = list(links or [])
    muni = Municipality.objects.filter(pk=municipality_id).first() if municipality_id else None
    if muni is None:
        return NotFound(message, links, _editions())
    for y in _editions():
        ms = set_for_edition(measure_sets(), y)
        has_area = area_id is not None and ms is not None and area_id in {a.id for a in ms.areas}
        url = (
            reverse("web:area", args=[muni.id, y, area_id]) if has_area else reverse("web:overview", args=[muni.id, y])
        )
        links.append((f"{muni.name}, KKiK {y}", url))
    links.append((muni.name, reverse("web:municipality", args=[muni.id])))
    return NotFound(message, links, _editions())


def area(request, municipality_id: str, year: int, area_id: str, fmt: str = "html"):
    report = _report(municipality_id, year, area_id)
    findings = [r.finding for r in report.rows]
    genders = gender_findings(municipality_id, findings)  # women and men, where the KPI is divided by gender
    drafts = {lang: with_gender_gaps(draft_area(report.area.name if lang == "sv" else report.area.name_en, findings,
                                                lang, year, set_edition=report.measure_set.edition),
                                     list(genders.values()), current_settings())
              for lang in ("sv", "en")} if report.is_kommun else {}  # fmt: skip
    # The drafts are written about a kommun among kommuner: Riket and the regions get none.
    texts = commentary.published_for(municipality_id, report.measure_set.slug, area_id)
    figures = report.figures()
    if fmt == "json":
        data = _area_json(report, drafts, texts)
        for m in data["measures"]:  # added keys: the gender figures beside the total
            g = genders.get(m["kpi"])
            m["women"], m["men"] = (dataclasses.asdict(g.women), dataclasses.asdict(g.men)) if g else (None, None)
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    lang = page_lang()  # the reader's language (web.language): the drafts of both are made above
    pictures = area_pictures(report, lang)  # sparklines and links to the measure pages
    area_text = texts.get("")
    rows = [
        {
            "r": r,
            "f": r.finding,
            "summary": draft_measure(r.finding, lang) if report.is_kommun else None,
            "comment": texts.get(r.finding.kpi),
            "comment_html": render_markup(texts[r.finding.kpi].published_text) if r.finding.kpi in texts else "",
            "revised": commentary.revised_since_publication(texts[r.finding.kpi], figures)
            if r.finding.kpi in texts
            else [],
            "pic": pictures[r.finding.kpi],
            "gender": genders.get(r.finding.kpi),
        }
        for r in report.rows
    ]
    context = {
        "report": report,
        "rows": rows,
        "draft": drafts.get(lang),
        "area_text": area_text,
        "area_text_html": render_markup(area_text.published_text) if area_text else "",
        "area_revised": commentary.revised_since_publication(area_text, figures) if area_text else [],
        "can_edit": commentary.can_edit(request.user, municipality_id),
        "editions": _editions(),
        "json_url": reverse("web:area_json", args=[municipality_id, year, area_id]),
    }
    response = render(request, "web/area.html", context)
    response["Link"] = f'<{context["json_url"]}>; rel="alternate"; type="application/json"'
    return response


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
    ov = pages.overview([(r.area, [row.finding for row in r.rows]) for r in reports], current_settings())
    if fmt == "json":
        return JsonResponse(
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
            },
            json_dumps_params={"ensure_ascii": False},
        )
    context = {
        "is_kommun": reports[0].is_kommun,
        "municipality": reports[0].municipality,
        "ms": ms,
        "year": year,
        "overview": ov,
        "editions": _editions(),
    }
    return render(request, "web/overview.html", context)


def _municipality_json(m: Municipality) -> dict:
    """The id, name and type (kommun, region, national); ranks and bands exist only for kommuner."""
    out = {"id": m.id, "name": m.name, "type": m.type}
    if m.type != Municipality.Type.KOMMUN:
        out["note"] = "ranks and bands are computed for municipalities (kommuner) only"
    return out


def _change_json(c: pages.RankedChange) -> dict:
    return {"kpi": c.finding.kpi, "label": c.finding.label, "change": c.finding.change, "change_sd": c.size}
