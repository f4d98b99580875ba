"""The goal follow-up pages: a municipality's years with goals, the goal report of a year (the council's
goals and sub-goals, each assessed in three columns) and a goal's page with its history, each with a
JSON twin like the KKiK pages.

Views stay thin: store.goals builds and assesses the report, core.goals_text has the words,
web.goal_presenter prepares what the templates print (the report of 300 indicators in well under 100 ms).
"""

from __future__ import annotations

import math

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kommunkvalitet.core import goals as rules
from kommunkvalitet.core.goals_text import (
    assessment_css,
    assessment_symbol,
    assessment_word,
    rule_text,
)
from kommunkvalitet.store import goals as store
from kommunkvalitet.store import roles
from kommunkvalitet.store.models import Municipality, Period
from kommunkvalitet.web import downloads, markup
from kommunkvalitet.web.goal_presenter import GoalPresenter
from kommunkvalitet.web.jsonout import json_response
from kommunkvalitet.web.language import page_lang as _lang

SOURCE = "Källa: kommunens egna uppgifter (indikatorer, målnivåer, bedömningar) och Kolada (RKA). Bearbetning: kommunkvalitet."


# --- errors ------------------------------------------------------------------------------------------


class _NotFound(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _not_found(fmt: str, message: str):
    if fmt == "json":
        return json_response({"error": "not_found", "message": message}, status=404)  # fmt: skip
    raise Http404(message)


def _period(request) -> str:
    period = request.GET.get("period", Period.YEAR)
    if period not in Period.values:
        raise _NotFound(_("Okänd period"))
    return period


def _goal_report(municipality_id: str, year: int, period: str) -> store.GoalReport:
    try:
        report = store.goal_report(municipality_id, year, period)
    except store.StructureNotFound:
        raise _NotFound(_("Ingen målstruktur för den kommunen och det året")) from None
    if period == Period.INTERIM and report.structure.interim_end is None:
        raise _NotFound(_("Målstrukturen följs inte upp per delår"))
    return report


# --- words ---------------------------------------------------------------------------------------------


def _assessment(code: str, lang: str) -> dict:
    return {"code": code, "word": assessment_word(code, lang), "symbol": assessment_symbol(code),
            "css": assessment_css(code)}  # fmt: skip


def legend(lang: str | None = None) -> list[dict]:
    lang = lang or _lang()
    return [_assessment(code, lang) for code in rules.ASSESSMENTS]


# --- the pages -----------------------------------------------------------------------------------------


def index(request, municipality_id: str):
    try:
        municipality = Municipality.objects.get(pk=municipality_id)
    except Municipality.DoesNotExist:
        raise Http404(_("Okänd kommun")) from None
    structures = [store.structure(municipality_id, y) for y in store.years_with_structures(municipality_id)]
    context = {
        "municipality": municipality,
        "structures": [s for s in structures if s is not None],
        "can_edit": roles.rights(request.user, municipality_id).may_manage,
    }
    return render(request, "web/goals/index.html", context)


def report(request, municipality_id: str, year: int, fmt: str = "html"):
    try:
        period = _period(request)
        report = _goal_report(municipality_id, year, period)
    except _NotFound as e:
        return _not_found(fmt, e.message)
    if fmt in downloads.FORMATS:  # CSV and Excel: goals, assessments and indicators
        return downloads.goals(fmt, report)
    present = GoalPresenter(report, _lang())
    if fmt == "json":
        data = {**_head(present), "goals": [_goal_json(present, n) for n in report.goals], "source": SOURCE}
        return _json(data)
    page = _page(request, present)
    nodes = [present.node(n) for n in report.nodes()]
    context = {
        **page,
        "nodes": nodes,
        "sections_html": present.sections(nodes, page),
        "years": store.years_with_structures(municipality_id),
    }
    return render(request, "web/goals/report.html", context)


def goal(request, municipality_id: str, year: int, goal_id: int, fmt: str = "html"):
    try:
        period = _period(request)
        report = _goal_report(municipality_id, year, period)
        try:
            node = report.node(goal_id)
        except KeyError:
            raise _NotFound(_("Okänt mål")) from None
    except _NotFound as e:
        return _not_found(fmt, e.message)
    if fmt in downloads.FORMATS:  # the goal and its sub-goals, as in the goal report's files
        return downloads.goals(fmt, report, node)
    history = store.goal_history(node.goal, period)
    query = f"?period={period}" if period != Period.YEAR else ""
    present = GoalPresenter(report, _lang())
    if fmt == "json":
        data = {
            **_head(present),
            "goal": _goal_json(present, node),
            "history": [_history_json(present, h, query) for h in history],
            "source": SOURCE,
        }
        return _json(data)
    parent = None
    if node.goal.parent_id:
        parent = report.node(node.goal.parent_id)
    view = present.node(node, level=1)
    page = _page(request, present)
    context = {
        **page,
        "node": view,
        "sections_html": present.sections([view], page, own_page=True),
        "subgoals": [present.node(n, rows=False) for n in _descendants(node)],
        "parent": parent,
        "history": history,
    }
    return render(request, "web/goals/goal.html", context)


def _descendants(node) -> list:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_descendants(child))
    return out


def _page(request, present: GoalPresenter) -> dict:
    report, lang = present.report, present.lang
    structure = report.structure
    periods = [{"code": Period.YEAR, "label": _("Helår"), "query": ""}]
    if structure.interim_end:
        periods.append({"code": Period.INTERIM, "query": "?period=interim",
                        "label": _("Delår (till och med %(date)s)") % {"date": _date(structure.interim_end)}})  # fmt: skip
    return {
        "report": report,
        "structure": structure,
        "municipality": report.municipality,
        "year": report.year,
        "period": report.period,
        "period_label": next(p["label"] for p in periods if p["code"] == report.period),
        "periods": periods if len(periods) > 1 else [],
        "query": f"?period={report.period}" if report.period != Period.YEAR else "",
        "legend": legend(lang),
        "rule_text": rule_text(present.rule, lang),
        "can_edit": roles.rights(request.user, report.municipality.id).may_view_drafts,
        "source": SOURCE,
    }


def _date(d) -> str:
    from django.utils.formats import date_format

    return date_format(d, "j F")


# --- JSON ----------------------------------------------------------------------------------------------


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _json(data: dict) -> JsonResponse:
    return json_response(data)


def _head(present: GoalPresenter) -> dict:
    report, lang = present.report, present.lang
    s = report.structure
    rule = present.rule
    return {
        "municipality": {"id": report.municipality.id, "name": report.municipality.name},
        "year": report.year,
        "period": report.period,
        "interim_end": s.interim_end.isoformat() if s.interim_end else None,
        "structure": {"id": s.pk, "title": s.title, "updated_at": s.updated_at.isoformat()},
        "example_note": s.example_note or None,
        "rule": {
            "kind": rule.kind,
            "met_share": rule.met_share,
            "partly_share": rule.partly_share,
            "min_assessable_share": rule.min_assessable_share,
            "subgoals_feed": s.subgoals_feed,
            "text": rule_text(rule, lang),
        },
        "legend": [{k: v for k, v in item.items() if k != "css"} for item in legend(lang)],
    }


def _result_json(result: rules.GoalResult, text: str, lang: str) -> dict:
    return {
        **_code(result.assessment, lang),
        "reason": result.reason,
        "reason_text": text,
        "n": result.n,
        "n_assessable": result.n_assessable,
        "n_met": result.n_met,
        "n_partly": result.n_partly,
        "share": _num(result.share),
    }


def _code(code: str, lang: str) -> dict:
    return {"code": code, "word": assessment_word(code, lang)}


def _decision_json(d, lang: str) -> dict | None:
    if d is None:
        return None
    return {
        **_code(d.assessment, lang),
        "suggestion_then": d.suggestion,
        "values_then": d.values,
        "motivation": d.motivation,
        "decided_by": (d.decided_by.get_full_name() or d.decided_by.get_username()) if d.decided_by else None,
        "decided_at": d.decided_at.isoformat() if d.decided_at else None,
    }


def _assessment_json(present: GoalPresenter, node) -> dict:
    texts, lang = present.texts(node), present.lang
    a = node.assessment
    return {
        "committee": _result_json(a.committee, texts["committee_text"], lang),
        "key_figures": _result_json(a.key_figures, texts["key_figures_text"], lang),
        "suggestion": {
            **_code(a.suggestion, lang),
            "reason": a.suggestion_reason,
            "reason_text": texts["suggestion_text"],
        },  # fmt: skip
        "decision": _decision_json(node.decision, lang),
        "decision_differs": a.decision_differs,
        "overall": _code(a.overall, lang),
    }


def _indicator_json(r, present: GoalPresenter) -> dict:
    ind, lang = r.indicator, present.lang
    return {
        "id": ind.pk,
        "name": ind.name,
        "kind": ind.kind,
        "column": r.column,
        "committee": ind.committee.name if ind.committee_id else None,
        "kpi": ind.kpi_id,
        "unit": ind.unit,
        "decimals": ind.decimals,
        "direction": ind.direction,
        "data_year": r.data_year,
        "value": _num(r.value),
        "target_kind": ind.target_kind,
        "target": _num(r.target),
        "target_text": present.target_text(ind.target_kind, r.target, ind.unit, ind.decimals),
        "result": {
            **_code(r.result.assessment, lang),
            "reason": r.result.reason,
            "reason_text": present.reason_text(r.result.reason),
            "reference": _num(r.result.reference),
        },
        "previous_year": r.previous_year,
        "previous_value": _num(r.previous_value),
        "trend": r.trend,
        "national_mean": _num(r.national_mean),
        "n": r.n,
        "band": r.band,
        "rank": r.rank,
        "skr_mean": _num(r.skr_mean),
        "similar_mean": _num(r.similar_mean),
        "riket": _num(r.riket),
        "series": [{"year": y, "value": _num(v)} for y, v in r.series],
        "source": ind.source or ("Kolada" if ind.kind == "kpi" else None),
    }


def _text_json(node) -> dict | None:
    if node.text is None:
        return None
    return {
        **markup.for_json(node.text.published_text),
        "published_at": node.text.published_at.isoformat() if node.text.published_at else None,
    }


def _goal_json(present: GoalPresenter, node) -> dict:
    report = present.report
    g = node.goal
    return {
        "id": g.pk,
        "title": g.title,
        "perspective": g.perspective,
        "description": g.description,
        "depth": node.depth,
        "parent": g.parent_id,
        "committees": [c.name for c in node.committees],
        "url": reverse("web:goal", args=[report.municipality.id, report.year, g.pk]),
        "assessment": _assessment_json(present, node),
        "indicators": [_indicator_json(r, present) for r in node.indicators],
        "draft": {code: d.text for code, d in node.drafts.items()} if node.drafts else {"sv": None, "en": None},
        "text": _text_json(node),
        "children": [_goal_json(present, c) for c in node.children],
    }


def _history_json(present: GoalPresenter, entry, query: str) -> dict:
    report, lang = present.report, present.lang
    node = entry.node
    a = node.assessment
    return {
        "year": entry.year,
        "goal_id": node.goal.pk,
        "title": node.goal.title,
        "url": reverse("web:goal", args=[report.municipality.id, entry.year, node.goal.pk]) + query,
        "committee": _code(a.committee.assessment, lang),
        "key_figures": _code(a.key_figures.assessment, lang),
        "suggestion": _code(a.suggestion, lang),
        "decision": _decision_json(node.decision, lang),
        "overall": _code(a.overall, lang),
    }
