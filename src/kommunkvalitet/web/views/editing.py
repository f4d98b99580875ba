"""Editing the municipality's own commentary: drafts, review and publication. Readers see the draft;
editors of every committee save it and send it for review; publishers publish it or send it back with a
comment (store.roles, asked here and again by the store)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kommunkvalitet.core.narrative import draft_area, draft_measure
from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.store import commentary, roles
from kommunkvalitet.store.models import Municipality
from kommunkvalitet.web.markup import render as render_markup
from kommunkvalitet.web.views.report import _measure_set, _report


class CommentaryForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=commentary.MAX_LENGTH,
        required=True,
        help_text=_("Stycken skiljs åt med en tom rad. **fet**, *kursiv*, listor med - och länkar [text](https://…)."),
    )
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)


class SendBackForm(forms.Form):
    """A publisher's refusal of a draft under review: what the editor needs to change (required)."""

    note = forms.CharField(
        label=_("Vad behöver ändras?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=commentary.NOTE_MAX,
        required=True,
        help_text=_("Redaktören ser kommentaren när hon öppnar texten igen."),
        error_messages={"required": _("Skriv vad som behöver ändras.")},
    )


def sent_back(request, place: commentary.Place, form: SendBackForm) -> bool:
    """Send a text under review back with the form's comment; False (the error on the form) if refused."""
    if not form.is_valid():
        return False
    try:
        commentary.send_back(request.user, place, form.cleaned_data["note"])
    except KommunkvalitetError as err:
        form.add_error(None, str(err))
        return False
    messages.success(request, _("Texten är skickad tillbaka till redaktören med din kommentar."))
    return True


WRITE_ACTIONS = {"save": _("Utkastet är sparat."), "submit": _("Texten är skickad för granskning."),
                 "publish": _("Texten är publicerad.")}  # fmt: skip


def _place(municipality_id: str, year: int, area_id: str, kpi: str) -> commentary.Place:
    """Where the text belongs, from the measure set alone (a save builds no report); an unknown
    municipality, edition or area gets the area page's 404."""
    ms = _measure_set(year, municipality_id, area_id)
    area = next((a for a in ms.areas if a.id == area_id), None)
    if area is None or not Municipality.objects.filter(pk=municipality_id).exists():
        _report(municipality_id, year, area_id)  # raises the 404 that names what there is
    kpis = {m.kpi for m in area.measures} if area else set()
    return commentary.Place(municipality_id, ms.slug, area_id, kpi if kpi in kpis else "")


def _written(request, place: commentary.Place, action: str, form: CommentaryForm, figures) -> bool:
    """Save, send or publish the form's text in one short transaction; False (the error on the form) if
    refused. ``figures``: the page's figures, read before the transaction (only publishing keeps them)."""
    try:
        # one transaction: a refused step (no right to publish, a stale form) saves nothing,
        # so the editor's next save is not met by a conflict with her own draft
        with transaction.atomic():
            commentary.save_draft(request.user, place, form.cleaned_data["text"],
                                  based_on=form.cleaned_data["based_on"])  # fmt: skip
            if action == "submit":
                commentary.submit(request.user, place)
            elif action == "publish":
                commentary.publish(request.user, place, figures)
    except KommunkvalitetError as err:
        form.add_error(None, str(err))
        return False
    messages.success(request, WRITE_ACTIONS[action])
    return True


@login_required
def edit(request, municipality_id: str, year: int, area_id: str):
    rights = roles.rights(request.user, municipality_id)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if not rights.may_view_drafts or (action and action not in WRITE_ACTIONS and action != "send_back"):
        raise DjangoPermissionDenied
    if (action in WRITE_ACTIONS and not rights.may_edit()) or (
        action in ("publish", "send_back") and not rights.may_publish
    ):
        raise DjangoPermissionDenied
    place = _place(municipality_id, year, area_id, request.GET.get("kpi", ""))
    kpi = place.kpi
    back = reverse("web:area", args=[municipality_id, year, area_id])
    # A write does only what it needs and redirects (POST/redirect/GET): the whole area report is built
    # for the form page, and for publishing (the figures kept with the text), never for a save.
    send_back = SendBackForm(request.POST if action == "send_back" else None)
    if action == "send_back" and sent_back(request, place, send_back):
        return redirect(request.get_full_path())
    form = CommentaryForm(request.POST) if action in WRITE_ACTIONS else None
    if form is not None and form.is_valid():
        figures = _report(municipality_id, year, area_id).figures() if action == "publish" else {}
        if _written(request, place, action, form, figures):
            return redirect(f"{back}#{kpi or 'kommentar'}")
    report = _report(municipality_id, year, area_id)
    row = next((r for r in report.rows if r.finding.kpi == kpi), None) if kpi else None
    current = commentary.get(place)
    if form is None:
        if current and current.draft_text:
            start = current.draft_text
        elif row is not None:
            start = draft_measure(row.finding, "sv").text
        else:
            start = draft_area(report.area.name, [r.finding for r in report.rows], "sv", year).text
        form = CommentaryForm(
            initial={"text": start, "based_on": current.draft_at.isoformat() if current and current.draft_at else ""}
        )
    context = {
        "report": report,
        "row": row,
        "form": form,
        "current": current,
        "preview": render_markup(form["text"].value() or ""),
        "can_save": rights.may_edit(),
        "can_publish": rights.may_publish,
        "send_back": send_back,
        "versions": list(current.versions.all()[:10]) if current else [],
        "back": back,
    }
    return render(request, "web/edit.html", context)
