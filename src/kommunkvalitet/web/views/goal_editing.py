"""The forms that build a goal structure and fill it in: structures, goals, indicators with their targets
and values, the combined assessment (decision) and the goal's text, with their review. Who may open and
post each form is :mod:`store.roles` (readers see; editors write their committees' indicators, goal
texts and proposed assessments; publishers publish and decide; administrators build the structure).
Thin: the store does the work and checks the rights again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kommunkvalitet.core import goals as rules
from kommunkvalitet.core import goals_text
from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.reports.filenames import filename, who
from kommunkvalitet.store import commentary, roles
from kommunkvalitet.store import goal_editing as build
from kommunkvalitet.store import goals as store
from kommunkvalitet.store.models import Indicator, Municipality, Period
from kommunkvalitet.web import downloads, uploads
from kommunkvalitet.web.goal_forms import (
    AUTO,
    DecisionForm,
    GoalForm,
    GoalTextForm,
    ImportForm,
    IndicatorForm,
    KpiSearchForm,
    StructureForm,
)
from kommunkvalitet.web.language import page_lang as _lang
from kommunkvalitet.web.markup import render as render_markup
from kommunkvalitet.web.views.editing import SendBackForm, sent_back

TEXT_ACTIONS = {"save_text": gettext_lazy("Utkastet är sparat."),
                "submit_text": gettext_lazy("Texten är skickad för granskning."),
                "publish_text": gettext_lazy("Texten är publicerad.")}  # fmt: skip
MOTIVATION_REQUIRED = "Bedömningen skiljer sig från regelns förslag: skriv en motivering."


def _allow(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _posting(request) -> bool:
    return request.method == "POST"


def _structure(request, municipality_id: str, year: int, *, manage_post: bool = False):
    """The year's structure, for a user who may see its drafts (and, ``manage_post``, change it by POST)."""
    rights = roles.rights(request.user, municipality_id)
    _allow(rights.may_view_drafts and (rights.may_manage or not (manage_post and _posting(request))))
    struct = store.structure(municipality_id, year)
    if struct is None:
        raise Http404(_("Det finns ingen målstruktur för det året."))
    return struct


def _edit_url(struct, anchor: str = "") -> str:
    url = reverse("web:structure_edit", args=[struct.municipality_id, struct.year])
    return f"{url}#{anchor}" if anchor else url


def _form_error(form, err: KommunkvalitetError) -> None:
    """A store error on the field it names (InputError.field), else on the whole form."""
    field = getattr(err, "field", None)
    message = getattr(err, "reason", None) or str(err)
    message = message[:1].upper() + message[1:]
    form.add_error(field if field in form.fields else None, message if message.endswith(".") else message + ".")


def _words(code: str) -> dict:
    return {
        "code": code, "word": goals_text.assessment_word(code, _lang()),
        "symbol": goals_text.assessment_symbol(code), "css": goals_text.assessment_css(code),
    }  # fmt: skip


# --- structures -----------------------------------------------------------------------------------


@login_required
def structure_new(request, municipality_id: str):
    municipality = get_object_or_404(Municipality, pk=municipality_id)
    _allow(roles.rights(request.user, municipality_id).may_manage)
    form = StructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            struct = build.create_structure(request.user, municipality_id, form.cleaned_data["year"], **form.settings())
        except KommunkvalitetError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("Målstrukturen för %(y)s är skapad. Lägg nu till målen.") % {"y": struct.year})
            return redirect(_edit_url(struct))
    years = store.years_with_structures(municipality_id)
    return render(request, "web/goals/edit_structure_new.html",
                  {"municipality": municipality, "form": form, "years": years})  # fmt: skip


@login_required
def structure_edit(request, municipality_id: str, year: int):
    struct = _structure(request, municipality_id, year, manage_post=True)
    if request.method == "POST":
        form = StructureForm(request.POST, with_year=False, year=year)
        if form.is_valid():
            try:
                build.update_structure(request.user, struct, **form.settings())
            except KommunkvalitetError as err:
                _form_error(form, err)
            else:
                messages.success(request, _("Inställningarna är sparade."))
                return redirect(_edit_url(struct))
    else:
        form = StructureForm(initial=StructureForm.initial_from(struct), with_year=False, year=year)
    report = store.goal_report(municipality_id, year, drafts=False)
    nodes = report.nodes()
    for n in nodes:  # the words and symbols the page shows
        n.suggestion_words = _words(n.assessment.suggestion)
        n.decision_words = _words(n.decision.assessment) if n.decision else None
        for r in n.indicators:
            r.result_words = _words(r.result.assessment)
    context = {
        "structure": struct, "municipality": report.municipality, "form": form, "nodes": nodes,
        "next_year": year + 1, "next_exists": store.structure(municipality_id, year + 1) is not None,
        "rights": roles.rights(request.user, municipality_id),
    }  # fmt: skip
    return render(request, "web/goals/edit_structure.html", context)


@login_required
@require_POST
def structure_copy(request, municipality_id: str, year: int):
    struct = _structure(request, municipality_id, year, manage_post=True)
    try:
        new = build.copy_to_next_year(request.user, struct)
    except KommunkvalitetError as err:
        messages.error(request, str(err)[:1].upper() + str(err)[1:] + ".")
        return redirect(_edit_url(struct))
    messages.success(request, _("Målstrukturen är kopierad till %(y)s, med mål, indikatorer och målnivåer.")
                     % {"y": new.year})  # fmt: skip
    return redirect(_edit_url(new))


@login_required
def structure_xlsx(request, municipality_id: str, year: int):
    struct = _structure(request, municipality_id, year)
    from kommunkvalitet.store import goal_sheets  # lazily: written beside this module

    name = filename("xlsx", "mal", year, who(struct.municipality), "mall")
    return downloads.attachment(goal_sheets.export_structure(struct), downloads.MIME["xlsx"], name)


def _count(v) -> int:
    return v if isinstance(v, int) else len(v)


@login_required
def structure_import(request, municipality_id: str, year: int):
    struct = _structure(request, municipality_id, year)
    _allow(roles.rights(request.user, municipality_id).is_editor)
    posted = request.method == "POST"  # bound even when the size limit left nothing but the token
    form = ImportForm(request.POST if posted else None, request.FILES or None, too_big=uploads.too_big(request))
    if posted and form.is_valid():
        from kommunkvalitet.store import goal_sheets  # lazily: written beside this module

        upload = form.cleaned_data["file"]
        try:
            result = goal_sheets.import_structure(struct, upload.read(), upload.name, request.user)
        except KommunkvalitetError as err:  # also a row of another committee (roles.PermissionDenied)
            form.add_error("file", str(err))
        else:
            counts = {k: _count(getattr(result, k)) for k in ("added", "changed", "unchanged")}
            messages.success(
                request,
                _("Filen är inläst: %(added)s nya, %(changed)s ändrade och %(unchanged)s oförändrade rader.") % counts,
            )
            return redirect(_edit_url(struct))
    return render(request, "web/goals/edit_import.html", {"structure": struct, "form": form})


# --- goals ----------------------------------------------------------------------------------------


def _goal_form(request, struct, goal=None):
    goals = build.goals_of(struct)
    excluded = set()
    if goal is not None:
        excluded = {goal.pk} | build.goal_descendants(goal)
    parents = [g for g in goals if g.pk not in excluded]
    committees = build.committees(struct.municipality_id)
    if request.method == "POST":
        return GoalForm(request.POST, parents=parents, committees=committees)
    if goal is None:
        initial = {"parent": request.GET.get("parent", "")}
    else:
        initial = {
            "title": goal.title, "perspective": goal.perspective, "description": goal.description,
            "parent": str(goal.parent_id or ""), "order": goal.order,
            "committees": [str(c.pk) for c in goal.committees.all()],
        }  # fmt: skip
    return GoalForm(initial=initial, parents=parents, committees=committees)


def _goal_page(request, struct, goal=None):
    form = _goal_form(request, struct, goal)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = build.save_goal(
                request.user, struct, goal, title=d["title"], perspective=d["perspective"],
                description=d["description"], order=d["order"],
                parent_id=int(d["parent"]) if d["parent"] else None,
                committee_ids=[int(c) for c in d["committees"]], new_committees=form.new_committee_names(),
            )  # fmt: skip
        except KommunkvalitetError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("Målet ”%(t)s” är sparat.") % {"t": saved.title})
            return redirect(_edit_url(struct, f"mal-{saved.pk}"))
    parent_title = ""
    if goal is None and form["parent"].value():
        parent_title = dict(form.fields["parent"].choices).get(str(form["parent"].value()), "")
    return render(request, "web/goals/edit_goal.html",
                  {"structure": struct, "goal": goal, "form": form, "parent_title": parent_title})  # fmt: skip


@login_required
def goal_new(request, municipality_id: str, year: int):
    struct = _structure(request, municipality_id, year)
    _allow(roles.rights(request.user, municipality_id).may_manage)
    return _goal_page(request, struct)


@login_required
def goal_edit(request, municipality_id: str, year: int, goal_id: int):
    struct = _structure(request, municipality_id, year, manage_post=True)
    goal = build.get_goal(struct, goal_id)
    if goal is None:
        raise Http404
    return _goal_page(request, struct, goal)


# --- indicators -----------------------------------------------------------------------------------


def _indicator_initial(ind: Indicator, year: int, interim: bool) -> dict:
    entries = build.indicator_entries(ind, year)
    initial = {
        "kind": ind.kind, "kpi": ind.kpi_id or "", "name": ind.name, "committee": str(ind.committee_id or ""),
        "unit": ind.unit, "decimals": ind.decimals, "direction": ind.direction, "target_kind": ind.target_kind,
        "target": entries["target"], "tolerance": ind.tolerance, "baseline_value": ind.baseline_value,
        "baseline_year": ind.baseline_year, "weight": ind.weight, "source": ind.source,
        "data_year_offset": ind.data_year_offset,
    }  # fmt: skip
    for period, suffix in ((Period.YEAR, "year"), (Period.INTERIM, "interim")):
        v = entries["values"].get(period)
        if v is not None and (suffix == "year" or interim):
            initial.update({f"value_{suffix}": v.value, f"reference_{suffix}": v.reference, f"note_{suffix}": v.note})
    return initial


def _indicator_page(request, struct, goal, ind=None):
    interim = struct.interim_end is not None
    search = KpiSearchForm(request.GET or None)
    q = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    q = q.strip()[:200]
    found = store.search_kpis(q) if q else []
    choices = list(found)
    wanted = {request.POST.get("kpi", "")} if request.method == "POST" else set()
    if ind is not None and ind.kpi_id:
        wanted.add(ind.kpi_id)
    wanted -= {k.pk for k in choices} | {""}
    choices += build.kpis(sorted(wanted))
    committees = build.committees(struct.municipality_id)
    kwargs = {"kpis": choices, "committees": committees, "interim": interim}
    if request.method == "POST":
        form = IndicatorForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                saved = _save_indicator(request.user, struct, goal, ind, form.cleaned_data, interim)
            except KommunkvalitetError as err:
                _form_error(form, err)
            else:
                messages.success(request, _("Indikatorn ”%(n)s” är sparad.") % {"n": saved.name})
                return redirect(_edit_url(struct, f"indikator-{saved.pk}"))
    else:
        initial = _indicator_initial(ind, struct.year, interim) if ind is not None else {}
        if q:
            initial["kind"] = Indicator.Kind.KPI
            if ind is None:
                initial.update(direction=AUTO, unit=AUTO)
            if len(found) == 1:
                initial["kpi"] = found[0].pk
        form = IndicatorForm(initial=initial, **kwargs)
    context = {
        "structure": struct, "goal": goal, "indicator": ind, "form": form, "search": search, "q": q,
        "found": found, "searched": bool(q), "interim": interim,
    }  # fmt: skip
    return render(request, "web/goals/edit_indicator.html", context)


@transaction.atomic
def _save_indicator(user, struct, goal, ind, d: dict, interim: bool):
    kind = d["kind"]
    saved = build.save_indicator(
        user, goal, ind, kind=kind, name=d["name"], kpi_id=d["kpi"] or None,
        committee_id=int(d["committee"]) if d["committee"] else None, new_committee=d["new_committee"],
        unit=None if d["unit"] == AUTO else d["unit"], decimals=d["decimals"],
        direction=None if d["direction"] == AUTO else d["direction"], target_kind=d["target_kind"],
        tolerance=d["tolerance"], baseline_value=d["baseline_value"], baseline_year=d["baseline_year"],
        weight=d["weight"], source=d["source"], data_year_offset=d["data_year_offset"],
    )  # fmt: skip
    store.set_target(user, saved, struct.year, d["target"])
    if kind != Indicator.Kind.KPI:
        periods = [(Period.YEAR, "year")] + ([(Period.INTERIM, "interim")] if interim else [])
        for period, suffix in periods:
            store.set_value(user, saved, struct.year, period, d[f"value_{suffix}"], d[f"reference_{suffix}"],
                            d[f"note_{suffix}"].strip())  # fmt: skip
    return saved


@login_required
def indicator_new(request, municipality_id: str, year: int, goal_id: int):
    struct = _structure(request, municipality_id, year)
    _allow(roles.rights(request.user, municipality_id).is_editor)  # the store checks the committee chosen
    goal = build.get_goal(struct, goal_id)
    if goal is None:
        raise Http404
    return _indicator_page(request, struct, goal)


@login_required
def indicator_edit(request, municipality_id: str, year: int, indicator_id: int):
    struct = _structure(request, municipality_id, year)
    ind = build.get_indicator(struct, indicator_id)
    if ind is None:
        raise Http404
    if _posting(request):
        _allow(roles.rights(request.user, municipality_id).may_edit(roles.indicator_committees(ind)))
    return _indicator_page(request, struct, ind.goal, ind)


# --- removing (a confirmation page first; the POST removes) ----------------------------------------


def _remove_page(request, struct, what: str, name: str, counts: dict, remove, back: str):
    if request.method == "POST":
        remove()
        messages.success(request, _("”%(n)s” är borttaget.") % {"n": name})
        return redirect(_edit_url(struct))
    context = {"structure": struct, "what": what, "name": name, "counts": counts, "back": back}
    return render(request, "web/goals/edit_remove.html", context)


@login_required
def goal_remove(request, municipality_id: str, year: int, goal_id: int):
    struct = _structure(request, municipality_id, year)
    _allow(roles.rights(request.user, municipality_id).may_manage)
    goal = build.get_goal(struct, goal_id)
    if goal is None:
        raise Http404
    return _remove_page(request, struct, "goal", goal.title, build.removal_counts(goal=goal),
                        lambda: build.remove_goal(request.user, goal), _edit_url(struct, f"mal-{goal.pk}"))  # fmt: skip


@login_required
def indicator_remove(request, municipality_id: str, year: int, indicator_id: int):
    struct = _structure(request, municipality_id, year)
    ind = build.get_indicator(struct, indicator_id)
    if ind is None:
        raise Http404
    _allow(roles.rights(request.user, municipality_id).may_edit(roles.indicator_committees(ind)))
    return _remove_page(request, struct, "indicator", ind.name, build.removal_counts(indicator=ind),
                        lambda: build.remove_indicator(request.user, ind), _edit_url(struct, f"indikator-{ind.pk}"))  # fmt: skip


# --- the assessment and the goal's text -----------------------------------------------------------


@login_required
def goal_assess(request, municipality_id: str, year: int, goal_id: int):
    struct = _structure(request, municipality_id, year)
    goal = build.get_goal(struct, goal_id)
    if goal is None:
        raise Http404
    period = request.GET.get("period") or request.POST.get("period") or Period.YEAR
    if period not in Period.values or (period == Period.INTERIM and struct.interim_end is None):
        raise Http404
    rights = roles.rights(request.user, municipality_id)
    may_publish, may_write = rights.may_publish, rights.may_edit(roles.goal_committees(goal))
    report = store.goal_report(municipality_id, year, period)
    node = report.node(goal.pk)
    place = store.text_place(goal, period)
    current = commentary.get(place)
    choices = [(code, goals_text.assessment_word(code, _lang())) for code in rules.ASSESSMENTS]
    action = request.POST.get("action", "")
    back = reverse("web:goal_assess", args=[municipality_id, year, goal.pk]) + (
        f"?period={period}" if period != Period.YEAR else ""
    )
    decision_form = DecisionForm(initial={"assessment": node.assessment.suggestion}, choices=choices)
    text_form = None
    send_back, decision_back = SendBackForm(), SendBackForm(prefix="beslut")
    pending = store.pending_decision(goal, period)
    if request.method == "POST" and action in ("decide", "propose"):
        _allow(may_publish if action == "decide" else may_write)
        decision_form = DecisionForm(request.POST, choices=choices)
        if decision_form.is_valid():
            d = decision_form.cleaned_data
            record = store.record_decision if action == "decide" else store.propose_decision
            try:
                record(request.user, goal, period, d["assessment"], d["motivation"])
            except rules.MotivationRequired:
                decision_form.add_error("motivation", MOTIVATION_REQUIRED)
            except KommunkvalitetError as err:
                _form_error(decision_form, err)
            else:
                done = _("Bedömningen är sparad.") if action == "decide" else _("Förslaget är skickat för granskning.")
                messages.success(request, done)
                return redirect(back + "#beslut")
    elif request.method == "POST" and action in ("publish_decision", "return_decision"):
        _allow(may_publish)
        decision_back = SendBackForm(request.POST, prefix="beslut")
        try:
            if pending is None:
                raise KommunkvalitetError(_("det finns inget förslag att granska"))
            if action == "publish_decision":
                store.publish_decision(request.user, pending)
            elif decision_back.is_valid():
                store.send_back_decision(request.user, pending, decision_back.cleaned_data["note"])
            else:
                raise KommunkvalitetError(_("skriv vad som behöver ändras"))
        except KommunkvalitetError as err:
            decision_back.add_error(None, str(err))
        else:
            messages.success(request, _("Bedömningen är publicerad.") if action == "publish_decision"
                             else _("Förslaget är skickat tillbaka med din kommentar."))  # fmt: skip
            return redirect(back + "#beslut")
    elif request.method == "POST" and action == "return_text":
        _allow(may_publish)
        send_back = SendBackForm(request.POST)
        if sent_back(request, place, send_back):
            return redirect(back + "#text")
    elif request.method == "POST" and action in TEXT_ACTIONS:
        publishing = action == "publish_text"
        _allow(may_write and (may_publish or not publishing))
        text_form = GoalTextForm(request.POST, prefix="text")
        if text_form.is_valid():
            try:
                with transaction.atomic():  # a refused step saves no draft either
                    store.save_text(request.user, goal, period, text_form.cleaned_data["text"],
                                    based_on=text_form.cleaned_data["based_on"])  # fmt: skip
                    if action == "submit_text":
                        commentary.submit(request.user, place, committees=roles.goal_committees(goal))
                    elif publishing:
                        commentary.publish(request.user, place, report.figures())
            except KommunkvalitetError as err:
                _form_error(text_form, err)
            else:
                messages.success(request, TEXT_ACTIONS[action])
                return redirect(back + "#text")
    elif request.method == "POST":
        raise PermissionDenied
    if text_form is None:
        if current and current.draft_text:
            start = current.draft_text
        else:
            start = node.drafts["sv"].text if node.drafts.get("sv") else ""
        based_on = current.draft_at.isoformat() if current and current.draft_at else ""
        text_form = GoalTextForm(initial={"text": start, "based_on": based_on}, prefix="text")
    a = node.assessment
    context = {
        "structure": struct, "goal": goal, "node": node, "period": period, "periods": Period.choices,
        "interim": struct.interim_end is not None, "can_publish": may_publish, "can_save": may_write,
        "suggestion": _words(a.suggestion), "reason": goals_text.reason_text(a.suggestion_reason, _lang()),
        "committee": _words(a.committee.assessment), "key_figures": _words(a.key_figures.assessment),
        "overall": _words(a.overall), "decision_form": decision_form, "text_form": text_form,
        "current": current, "send_back": send_back, "send_back_action": "return_text",
        "pending": pending, "decision_back": decision_back, "can_propose": may_write, "preview": render_markup(text_form["text"].value() or ""),
        "history": [{"d": d, "assessment": _words(d.assessment), "suggestion": _words(d.suggestion)}
                    for d in node.decisions],
        "words": {code: _words(code) for code in rules.ASSESSMENTS},
    }  # fmt: skip
    return render(request, "web/goals/edit_assess.html", context)
