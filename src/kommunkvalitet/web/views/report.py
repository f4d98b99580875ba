"""The KKiK report pages: a municipality's overview per edition and its area pages, each with a JSON twin.

Views stay thin: store.report builds the figures, core.pages decides what the overview counts and
ranks, core.narrative drafts the text.
"""

from __future__ import annotations

import dataclasses

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from kommunkvalitet.core import pages
from kommunkvalitet.core.gender import with_gender_gaps
from kommunkvalitet.core.measuresets import MeasureSet, measure_sets, set_for_edition
from kommunkvalitet.core.narrative import draft_area, draft_measure
from kommunkvalitet.store import commentary
from kommunkvalitet.store.comparison import current_settings
from kommunkvalitet.store.gender import gender_findings
from kommunkvalitet.store.models import Municipality
from kommunkvalitet.store.report import AreaReport, area_report, measure_set_report
from kommunkvalitet.web import presentation
from kommunkvalitet.web.area_pictures import area_pictures
from kommunkvalitet.web.markup import render as render_markup

FIRST_EDITION = 2016  # the snapshot holds 2015-2022; an edition shows its own and the previous year


def _measure_set(year: int) -> MeasureSet:
    ms = set_for_edition(measure_sets(), year)
    if ms is None or not FIRST_EDITION <= year <= max(s.edition for s in measure_sets()):
        raise Http404("Ingen KKiK-utgåva för det året")
    return ms


def _report(municipality_id: str, year: int, area_id: str) -> AreaReport:
    ms = _measure_set(year)
    try:
        return area_report(municipality_id, ms, area_id, edition=year)
    except Municipality.DoesNotExist:
        raise Http404("Okänd kommun") from None
    except KeyError:
        raise Http404("Okänt område") from None


def _editions() -> list[int]:
    return list(range(max(s.edition for s in measure_sets()), FIRST_EDITION - 1, -1))


def area(request, municipality_id: str, year: int, area_id: str, fmt: str = "html"):
    report = _report(municipality_id, year, area_id)
    findings = [r.finding for r in report.rows]
    genders = gender_findings(municipality_id, findings)  # women and men, where the KPI is divided by gender
    drafts = {lang: with_gender_gaps(draft_area(report.area.name if lang == "sv" else report.area.name_en, findings,
                                                lang, year), list(genders.values()), current_settings())
              for lang in ("sv", "en")}  # fmt: skip
    texts = commentary.published_for(municipality_id, report.measure_set.slug, area_id)
    figures = report.figures()
    if fmt == "json":
        data = _area_json(report, drafts, texts)
        for m in data["measures"]:  # added keys: the gender figures beside the total
            g = genders.get(m["kpi"])
            m["women"], m["men"] = (dataclasses.asdict(g.women), dataclasses.asdict(g.men)) if g else (None, None)
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    pictures = area_pictures(report)  # sparklines and links to the measure pages
    area_text = texts.get("")
    rows = [
        {
            "r": r,
            "f": r.finding,
            "summary": draft_measure(r.finding, "sv"),
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
        "draft": drafts["sv"],
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
        "municipality": {"id": report.municipality.id, "name": report.municipality.name},
        "measure_set": report.measure_set.name,
        "edition": report.edition,
        "area": {"id": report.area.id, "name": report.area.name, "name_en": report.area.name_en},
        "data_years": report.data_years,
        "national_mean_definition": "unweighted mean of the municipalities with a value (rikssnitt)",
        "riket_definition": "Riket (0000) as Kolada gives it: weighted by population",
        "measures": [
            {
                **dataclasses.asdict(r.finding),
                "rank_text": r.rank_text,
                "gap_text": presentation.gap(r.finding.gap) if r.finding.value is None else None,
                "comparable": r.finding.value is not None and r.finding.implausible is None,
                "series": [{"year": y, "value": v} for y, v in r.series],
                "groups": [dataclasses.asdict(g) for g in r.groups],
            }
            for r in report.rows
        ],
        "draft": {lang: {"title": d.title, "text": d.text} for lang, d in drafts.items()},
        "commentary": {kpi or "_area": c.published_text for kpi, c in texts.items()},
        "source": "Källa: Kolada (RKA). Bearbetning: kommunkvalitet.",
    }


def overview(request, municipality_id: str, year: int, fmt: str = "html"):
    ms = _measure_set(year)
    try:
        reports = list(measure_set_report(municipality_id, ms, edition=year).values())
    except Municipality.DoesNotExist:
        raise Http404("Okänd kommun") from None
    ov = pages.overview([(r.area, [row.finding for row in r.rows]) for r in reports], current_settings())
    if fmt == "json":
        return JsonResponse(
            {
                "municipality": {"id": reports[0].municipality.id, "name": reports[0].municipality.name},
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
        "municipality": reports[0].municipality,
        "ms": ms,
        "year": year,
        "overview": ov,
        "editions": _editions(),
    }
    return render(request, "web/overview.html", context)


def _change_json(c: pages.RankedChange) -> dict:
    return {"kpi": c.finding.kpi, "label": c.finding.label, "change": c.finding.change, "change_sd": c.size}
