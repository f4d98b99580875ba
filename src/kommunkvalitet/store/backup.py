"""Backup and restore of everything users created: one versioned, checksummed file.

What users created is what cannot be fetched again: users and their roles, goal structures with their
committees, goals, indicators, targets, entered values and decisions, and the commentary with its
history. Kolada's data (municipalities, KPIs, values, groups) is not in the file: it is imported again
from the snapshot or the API, and a restore checks that every id the file names is there.

The file is gzip-compressed JSON::

    {"format": "kommunkvalitet-backup", "version": 1, "created_at": ..., "counts": {...},
     "sha256": <of the canonical JSON of "objects">, "objects": [Django's serialised objects]}

A restore reads and checks the whole file first (format, version, checksum, references) and then writes
everything in one transaction, keeping every primary key, so that a backup of the restored install
equals the file row by row, also from SQLite into PostgreSQL and back.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kommunkvalitet.errors import InputError
from kommunkvalitet.store import audit, dataversion
from kommunkvalitet.store.models import (
    KPI,
    AuditEntry,
    Commentary,
    CommentaryVersion,
    EditorRole,
    Municipality,
)
from kommunkvalitet.store.models.goals import FOLLOW_UP_MODELS

FORMAT = "kommunkvalitet-backup"
VERSION = 1


def user_models() -> list[Any]:
    """The models users write, parents before children (the order a restore inserts in)."""
    return [
        get_user_model(),
        *FOLLOW_UP_MODELS,
        EditorRole,  # after the committees its rows may name
        Commentary,
        CommentaryVersion,
    ]


def backup_models() -> list[Any]:
    """What a backup carries: the models users write and the audit log of their changes."""
    return [*user_models(), AuditEntry]


def _label(model) -> str:
    return model._meta.label_lower


class _Encoder(DjangoJSONEncoder):
    """Django's JSON, but times with every microsecond (Django's keeps milliseconds: a restore would not
    give back the same rows)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _canonical(objects: list[dict]) -> bytes:
    return json.dumps(objects, cls=_Encoder, sort_keys=True, ensure_ascii=False).encode("utf-8")


def dump() -> list[dict]:
    """Every user-created row as Django's python serialisation, ordered by model and primary key."""
    out: list[dict] = []
    for model in backup_models():
        manager = model._default_manager  # every row: Commentary's default is its private manager
        out += serializers.serialize("python", manager.order_by("pk"))
    # through JSON and back: the same types (dates as text, decimals as text) on every backend
    return json.loads(_canonical(out))


def counts(objects: list[dict]) -> dict[str, int]:
    found: dict[str, int] = {_label(m): 0 for m in backup_models()}
    for obj in objects:
        found[obj["model"]] = found.get(obj["model"], 0) + 1
    return found


def write(path: Path) -> dict[str, int]:
    """Write the backup file; returns the number of rows per model."""
    objects = dump()
    document = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "counts": counts(objects),
        "sha256": hashlib.sha256(_canonical(objects)).hexdigest(),
        "objects": objects,
    }
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        json.dump(document, fh, cls=_Encoder, ensure_ascii=False)
    tmp.replace(path)  # never a half-written backup under the real name
    return document["counts"]


def read(path: Path) -> list[dict]:
    """The objects of a backup file, after checking format, version and checksum."""
    name = str(path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            document = json.load(fh)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a readable backup file (damaged or not made by kommunkvalitet backup: {exc})",
                         file=name) from None  # fmt: skip
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError("not a kommunkvalitet backup file", file=name)
    version = document.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise InputError(
            f"the backup has format version {version!r}; this kommunkvalitet reads version {VERSION} and "
            "older: update kommunkvalitet first",
            file=name,
        )
    objects = document.get("objects")
    if not isinstance(objects, list) or hashlib.sha256(_canonical(objects)).hexdigest() != document.get("sha256"):
        raise InputError("the backup's checksum does not match its content: the file is damaged", file=name)
    return objects


def existing_counts() -> dict[str, int]:
    return {_label(m): m._default_manager.count() for m in backup_models()}


def _check_references(objects: list[dict], name: str) -> None:
    wanted_munis = {o["fields"]["municipality"] for o in objects if o["fields"].get("municipality")}
    wanted_kpis = {o["fields"]["kpi"] for o in objects if o["model"] == "store.indicator" and o["fields"]["kpi"]}
    missing_munis = wanted_munis - set(Municipality.objects.filter(pk__in=wanted_munis).values_list("pk", flat=True))
    missing_kpis = wanted_kpis - set(KPI.objects.filter(pk__in=wanted_kpis).values_list("pk", flat=True))
    if missing_munis or missing_kpis:
        what = [f"kommun {m}" for m in sorted(missing_munis)] + [f"nyckeltal {k}" for k in sorted(missing_kpis)]
        raise InputError(
            f"the backup names {', '.join(what[:5])}{' …' if len(what) > 5 else ''}, which this install does not "
            "have: import them first (kommunkvalitet import snapshot --kpi ...)",
            file=name,
        )


def restore(path: Path, *, replace: bool = False) -> dict[str, int]:
    """Restore a backup into this install, in one transaction. Refused (nothing changes) when the file is
    damaged or newer, names ids this install lacks, or, without ``replace``, the install already has
    user-created content."""
    objects = read(path)
    name = str(path)
    with transaction.atomic():
        present = {k: n for k, n in existing_counts().items() if n}
        if present and not replace:
            listed = ", ".join(f"{n} {k.split('.')[-1]}" for k, n in present.items())
            raise InputError(
                f"this install already has content that users created ({listed}); restore only into an empty "
                "install, or with --replace to replace that content",
                file=name,
            )
        _check_references(objects, name)
        try:
            with audit.paused(), connection.constraint_checks_disabled():
                if replace:  # the log goes too: the file's log replaces it (raw SQL: the model refuses)
                    for model in reversed(user_models()):
                        model._default_manager.all().delete()
                    with connection.cursor() as cur:
                        cur.execute(f"DELETE FROM {AuditEntry._meta.db_table}")
                for obj in serializers.deserialize("python", objects):
                    obj.save()
            connection.check_constraints()
        except (DeserializationError, IntegrityError, ValueError, LookupError) as exc:  # a reference that fails
            raise InputError(f"the backup does not restore cleanly: {exc}", file=name) from None
        with connection.cursor() as cur:  # PostgreSQL: the id sequences continue after the restored ids
            for sql in connection.ops.sequence_reset_sql(no_style(), backup_models()):
                cur.execute(sql)
        dataversion.advance(dataversion.TEXTS)  # every municipality's published texts may have changed
    return counts(objects)
