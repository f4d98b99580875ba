"""The data version: what the page cache, the ETags and the chart cache key on.

A row per *scope* in ``store_dataversion`` (model :class:`~kommunkvalitet.store.models.DataVersion`),
advanced by :func:`advance` inside the transaction of the write that changes a public page, so that a
reader sees the new version exactly when it sees the new data:

- ``data``: values, comparisons, KPIs, municipalities, groups and boundaries. Advanced by the snapshot
  import (each metadata file that changed something, each values file through its recompute, or once at
  the swap of its staging tables when it is written staged, ``store.staging``), the
  Kolada sync (each KPI-year unit through its recompute; new municipalities and KPIs), ``recompute`` and
  a change of direction (``store.comparison`` advances it in every chunk it writes).
- ``texts:<municipality>``: what that municipality publishes: commentary publication
  (``store.commentary.publish``) and every write to its goal follow-up (structures, goals, indicators,
  targets, values, decisions: the model signals connected by :func:`connect_signals`, so a new write
  path in the goal editor cannot forget it). ``texts`` (no municipality): a goal write whose
  municipality could not be found, which every municipality's pages key on too.

A version is a number that only grows: the larger of the old one plus one and the time in
microseconds, so a database rebuilt from scratch never repeats a version an old cache entry was stored
under. Saving a commentary *draft* does not advance anything: only editors see drafts, and they never
get cached pages.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db import connection

DATA = "data"
TEXTS = "texts"


def texts_scope(municipality_id: str) -> str:
    return f"{TEXTS}:{municipality_id}"


def advance(*scopes: str) -> None:
    """Advance ``scopes`` in the caller's transaction (call it inside ``transaction.atomic()``)."""
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    now = time.time_ns() // 1000
    with connection.cursor() as cur:
        for scope in sorted(set(scopes)):
            cur.execute(
                "INSERT INTO store_dataversion (scope, version) VALUES (%s, %s) ON CONFLICT (scope) DO UPDATE "
                f"SET version = {greatest}(store_dataversion.version + 1, excluded.version)",
                [scope, now],
            )


def versions(scopes: Iterable[str]) -> dict[str, int]:
    """``{scope: version}`` in one query; a scope never advanced is 0."""
    scopes = sorted(set(scopes))
    marks = ", ".join(["%s"] * len(scopes))
    with connection.cursor() as cur:
        cur.execute(f"SELECT scope, version FROM store_dataversion WHERE scope IN ({marks})", scopes)
        found = dict(cur.fetchall())
    return {s: found.get(s, 0) for s in scopes}


def page_version(municipality_id: str | None) -> str:
    """The version of a public page: the data, and for a municipality's pages its published texts."""
    if municipality_id is None:
        return str(versions([DATA])[DATA])
    v = versions([DATA, TEXTS, texts_scope(municipality_id)])
    return f"{v[DATA]}-{v[TEXTS]}-{v[texts_scope(municipality_id)]}"


def modified_at(version: str) -> float | None:
    """When a page version (:func:`page_version`) last advanced, in seconds since the epoch (the
    Last-Modified of its pages), None if it never did. A version is the time in microseconds of its
    last advance (or one more than the one before, for advances within the same microsecond)."""
    latest = max(int(part) for part in version.split("-"))
    return min(latest / 1_000_000, time.time()) if latest else None


def kpi_versions(kpis: Iterable[str]) -> dict[str, str]:
    """``{kpi: version}`` for the chart cache: the ``data`` version, the same for every KPI (one query)."""
    kpis = set(kpis)
    if not kpis:
        return {}
    data = str(versions([DATA])[DATA])
    return dict.fromkeys(kpis, data)


def kpi_version(kpi: str) -> str:
    return kpi_versions([kpi])[kpi]


# --- the goal follow-up: advanced by signals ----------------------------------------------------


def municipality_of(instance) -> str | None:
    """The municipality a goal follow-up or commentary row belongs to (at most one query), None when it
    is gone. Also the audit log's."""
    from kommunkvalitet.store.models import Commentary, Goal, GoalStructure, Indicator

    if getattr(instance, "municipality_id", None):
        return instance.municipality_id
    parents = (  # (the row's link, the parent model, the parent's path to its municipality)
        ("structure_id", GoalStructure.objects, "municipality_id"),
        ("goal_id", Goal.objects, "structure__municipality_id"),
        ("indicator_id", Indicator.objects, "goal__structure__municipality_id"),
        ("commentary_id", Commentary.private_objects, "municipality_id"),
    )
    for link, rows, path in parents:
        if getattr(instance, link, None):
            return rows.filter(pk=getattr(instance, link)).values_list(path, flat=True).first()
    return None


def _goal_written(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    municipality = municipality_of(instance)
    advance(texts_scope(municipality) if municipality else TEXTS)


def connect_signals() -> None:
    """Advance ``texts:<municipality>`` on every save and delete of the goal follow-up's models."""
    from django.db.models.signals import post_delete, post_save

    from kommunkvalitet.store.models.goals import FOLLOW_UP_MODELS

    for model in FOLLOW_UP_MODELS:
        post_save.connect(_goal_written, sender=model, dispatch_uid=f"dataversion-save-{model.__name__}")
        post_delete.connect(_goal_written, sender=model, dispatch_uid=f"dataversion-delete-{model.__name__}")
