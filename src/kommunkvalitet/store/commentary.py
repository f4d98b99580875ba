"""The municipality's own commentary: drafts and publication. Views call only this; who may do what is
:mod:`store.roles`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.store import dataversion, roles
from kommunkvalitet.store.models import Commentary, CommentaryVersion

MAX_LENGTH = 20_000


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
    obj.draft_text, obj.draft_by, obj.draft_at = text, user, timezone.now()
    obj.save()
    CommentaryVersion.objects.create(commentary=obj, action=CommentaryVersion.Action.SAVED, text=text, author=user)
    return obj


@transaction.atomic
def publish(user, place: Place, values: dict[str, float | None]) -> Commentary:
    """Publish the current draft; ``values`` are the figures on the page ("kpi:year" -> value)."""
    roles.require_publish(user, place.municipality_id)
    obj = get(place)
    if obj is None or not obj.draft_text:
        raise KommunkvalitetError("det finns inget utkast att publicera")
    obj.published_text, obj.published_by, obj.published_at = obj.draft_text, user, timezone.now()
    obj.published_values = values
    obj.save()
    dataversion.advance(dataversion.texts_scope(place.municipality_id))  # its public pages change now
    CommentaryVersion.objects.create(
        commentary=obj, action=CommentaryVersion.Action.PUBLISHED, text=obj.published_text, author=user
    )
    return obj


def revised_since_publication(comment: Commentary, values: dict[str, float | None]) -> list[str]:
    """The "kpi:year" keys whose value differs now from when the text was published."""
    return sorted(k for k, v in comment.published_values.items() if k in values and values[k] != v)
