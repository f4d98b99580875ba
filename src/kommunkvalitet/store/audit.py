"""The audit log: every change to what users created, with who made it, before and after.

Written from Django's model signals for the models a backup carries (``store.backup.user_models``), so
that no write path can forget it: a form, the CLI, a spreadsheet import or a restore. Who made the change
comes from :func:`store.actor.acting_as` (the web middleware sets the signed-in user; each CLI command names
itself); a change with nobody set is logged as "system". Writes to these models go through ``save()`` and
``delete()`` (a QuerySet's delete sends the signals too); none uses ``bulk_create`` or ``update()``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from kommunkvalitet.store.actor import acting_as, current
from kommunkvalitet.store.dataversion import municipality_of
from kommunkvalitet.store.models import AuditEntry

__all__ = ["acting_as", "as_csv", "connect", "record"]

_OLD = "_kk_audit_before"
_paused: ContextVar[bool] = ContextVar("kommunkvalitet_audit_paused", default=False)
SECRET_FIELDS = {"password"}  # a password hash is never shown: the log says that it changed


def _fields(instance) -> dict:
    (data,) = serializers.serialize("python", [instance])
    fields = {k: ("(ändrat)" if k in SECRET_FIELDS else v) for k, v in data["fields"].items()}
    return json.loads(json.dumps(fields, cls=DjangoJSONEncoder))


@contextmanager
def paused() -> Iterator[None]:
    """No entries inside: a restore brings back the log as it was, with the rows it logged."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def record(instance, action: str, before: dict | None, after: dict | None) -> AuditEntry:
    user, name = current()
    return AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        actor=name[:200],
        municipality_id=municipality_of(instance),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        before=before,
        after=after,
    )


def _pre_save(sender, instance, raw=False, **kwargs) -> None:
    if instance.pk is None or _paused.get():
        return
    manager = sender._default_manager  # Commentary's is its private (all rows) manager
    old = manager.filter(pk=instance.pk).first()
    setattr(instance, _OLD, _fields(old) if old is not None else None)


def _post_save(sender, instance, created, raw=False, **kwargs) -> None:
    if _paused.get():
        return
    before = None if created else getattr(instance, _OLD, None)
    after = _fields(instance)
    if before == after:
        return  # saved without a change (e.g. a login stamping last_login is below)
    if sender._meta.label_lower == "auth.user" and before is not None:
        changed = {k for k in after if before.get(k) != after[k]}
        if changed <= {"last_login"}:
            return  # a login is not a change to what users created
    record(instance, "created" if created else "changed", before, after)


def _post_delete(sender, instance, **kwargs) -> None:
    if _paused.get():
        return
    record(instance, "deleted", _fields(instance), None)


def _refuse_delete(sender, instance, **kwargs) -> None:
    raise ValueError("the audit log is append-only: an entry is never deleted")


def connect() -> None:
    from kommunkvalitet.store.backup import user_models

    # also for QuerySet.delete(), which does not call the model's delete()
    pre_delete.connect(_refuse_delete, sender=AuditEntry, dispatch_uid="kk-audit-append-only")

    for model in user_models():
        uid = f"kk-audit-{model._meta.label_lower}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-delete")


COLUMNS = ("tid", "vem", "kommun", "händelse", "typ", "id", "före", "efter")


def as_csv(entries) -> str:
    """The entries as CSV (UTF-8 with BOM, semicolons: Swedish Excel opens it as it is)."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, delimiter=";")
    w.writerow(COLUMNS)
    for e in entries:
        w.writerow([e.at.isoformat(), e.actor, e.municipality_id or "", e.get_action_display(), e.object_type,
                    e.object_id, json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
                    json.dumps(e.after, ensure_ascii=False) if e.after is not None else ""])  # fmt: skip
    return out.getvalue()
