"""The municipality's own commentary (KKiK texts and goal texts): drafts, review and publication.

The workflow: an editor saves drafts and sends one for review (:func:`submit`, "klar för granskning"); a
publisher publishes it (:func:`publish`) or sends it back with a comment the editor sees
(:func:`send_back`, "skickas tillbaka"). A publisher may also publish her own draft at once. The
published text stays on the public site, unchanged, while a new draft is written. Every step is a row
of the append-only :class:`CommentaryVersion` and a change in the audit log. Views call only this; who
may do what is :mod:`store.roles`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kommunkvalitet.errors import InputError, KommunkvalitetError
from kommunkvalitet.store import dataversion, roles
from kommunkvalitet.store.models import Commentary, CommentaryVersion

MAX_LENGTH = 20_000
NOTE_MAX = 2_000
Status = Commentary.Status


class EditConflict(KommunkvalitetError):
    """Somebody else saved the draft after this user opened it: nothing was overwritten."""


@dataclass(frozen=True)
class Place:
    municipality_id: str
    measure_set: str
    area: str
    kpi: str = ""


def get(place: Place) -> Commentary | None:
    return Commentary.private_objects.filter(
        municipality_id=place.municipality_id, measure_set=place.measure_set, area=place.area, kpi=place.kpi
    ).first()


def published_for(municipality_id: str, measure_set: str, area: str) -> dict[str, Commentary]:
    """Published texts of an area page, by KPI ("" = the area's own text). One query."""
    rows = Commentary.public_objects.filter(municipality_id=municipality_id, measure_set=measure_set, area=area)
    return {c.kpi: c for c in rows}


def _check_text(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_LENGTH:
        raise KommunkvalitetError(f"texten är för lång ({len(text)} tecken, högst {MAX_LENGTH})")
    return text


@transaction.atomic
def save_draft(
    user, place: Place, text: str, *, based_on: str | None, committees: Collection[int | None] = ()
) -> Commentary:
    """Save a draft. ``based_on`` is the ``draft_at`` (ISO) the editor started from; if somebody saved in
    between, :class:`EditConflict` is raised and nothing is overwritten. ``committees``: whose text it is
    (a goal's committees; none for a KKiK text, which only an editor of every committee writes)."""
    roles.require_edit(user, place.municipality_id, committees)
    text = _check_text(text)
    obj, _ = Commentary.private_objects.select_for_update().get_or_create(
        municipality_id=place.municipality_id, measure_set=place.measure_set, area=place.area, kpi=place.kpi
    )
    current = obj.draft_at.isoformat() if obj.draft_at else ""
    if (based_on or "") != current:
        raise EditConflict(
            "någon annan har sparat ett nytt utkast sedan du öppnade sidan; din text har inte sparats "
            "över deras. Kopiera din text, ladda om sidan och för in dina ändringar igen."
        )
    if text != obj.draft_text or obj.status not in (Status.REVIEW, Status.PUBLISHED):
        obj.status = Status.DRAFT  # a new edit is a new draft; the published text stays as it was
    obj.draft_text, obj.draft_by, obj.draft_at = text, user, timezone.now()
    obj.save()
    CommentaryVersion.objects.create(commentary=obj, action=CommentaryVersion.Action.SAVED, text=text, author=user)
    return obj


def _locked(place: Place) -> Commentary | None:
    return (
        Commentary.private_objects.select_for_update()
        .filter(municipality_id=place.municipality_id, measure_set=place.measure_set, area=place.area, kpi=place.kpi)
        .first()
    )


@transaction.atomic
def submit(user, place: Place, *, committees: Collection[int | None] = ()) -> Commentary:
    """Send the draft for review ("klar för granskning"); who may write it may send it."""
    roles.require_edit(user, place.municipality_id, committees)
    obj = _locked(place)
    if obj is None or not obj.draft_text:
        raise KommunkvalitetError("det finns inget utkast att skicka för granskning")
    if obj.status in (Status.REVIEW, Status.PUBLISHED):
        raise KommunkvalitetError(f"texten är redan {obj.get_status_display().lower()}")
    obj.status, obj.review_note = Status.REVIEW, ""
    obj.save()
    CommentaryVersion.objects.create(
        commentary=obj, action=CommentaryVersion.Action.SUBMITTED, text=obj.draft_text, author=user
    )
    return obj


@transaction.atomic
def send_back(user, place: Place, note: str) -> Commentary:
    """Refuse a draft under review: back to the editor with ``note`` (required), which her page shows."""
    roles.require_publish(user, place.municipality_id, "granska den här kommunens texter")
    note = note.replace("\r\n", "\n").strip()
    if not note:
        raise InputError("skriv vad som behöver ändras", field="note")
    if len(note) > NOTE_MAX:
        raise InputError(f"kommentaren är för lång ({len(note)} tecken, högst {NOTE_MAX})", field="note")
    obj = _locked(place)
    if obj is None or obj.status != Status.REVIEW:
        raise KommunkvalitetError("texten är inte skickad för granskning")
    obj.status, obj.review_note = Status.RETURNED, note
    obj.save()
    CommentaryVersion.objects.create(commentary=obj, action=CommentaryVersion.Action.RETURNED, text=note, author=user)
    return obj


@transaction.atomic
def publish(user, place: Place, values: dict[str, float | None]) -> Commentary:
    """Publish the current draft; ``values`` are the figures on the page ("kpi:year" -> value), kept with
    the text as they were."""
    roles.require_publish(user, place.municipality_id)
    obj = _locked(place)
    if obj is None or not obj.draft_text:
        raise KommunkvalitetError("det finns inget utkast att publicera")
    obj.published_text, obj.published_by, obj.published_at = obj.draft_text, user, timezone.now()
    obj.published_values = values
    obj.status, obj.review_note = Status.PUBLISHED, ""
    obj.save()
    dataversion.advance(dataversion.texts_scope(place.municipality_id))  # its public pages change now
    CommentaryVersion.objects.create(
        commentary=obj, action=CommentaryVersion.Action.PUBLISHED, text=obj.published_text, author=user
    )
    return obj


def revised_since_publication(comment: Commentary, values: dict[str, float | None]) -> list[str]:
    """The "kpi:year" keys whose value differs now from when the text was published."""
    return sorted(k for k, v in comment.published_values.items() if k in values and values[k] != v)
