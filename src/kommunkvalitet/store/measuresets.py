"""Store side of measure sets: give KPIs the direction their measure set states."""

from __future__ import annotations

from django.db import transaction

from kommunkvalitet.core.measuresets import CheckProblem, MeasureSet, check_measure_set, default_directions
from kommunkvalitet.store import dataversion
from kommunkvalitet.store.models import KPI


def apply_directions() -> set[str]:
    """Set the direction of KPIs that have none yet from the measure sets; returns the KPIs changed.

    A direction somebody already set (not ``none``) is kept.
    """
    changed = set()
    with transaction.atomic():
        for kpi_id, direction in default_directions().items():
            if (
                KPI.objects.filter(pk=kpi_id, direction=KPI.Direction.NONE)
                .exclude(direction=direction)
                .update(direction=direction)
            ):
                changed.add(kpi_id)
        if changed:
            dataversion.advance(dataversion.DATA)
    return changed


def check(ms: MeasureSet) -> list[CheckProblem]:
    """Check a measure set against the KPI catalogue and the values in the store."""
    from django.db.models import Count

    from kommunkvalitet.store.models import Municipality, Value

    ids = [m.kpi for m in ms.measures]
    catalogue = dict(KPI.objects.filter(pk__in=ids).values_list("id", "is_retired"))
    rows = (
        Value.objects.filter(kpi_id__in=ids, gender="T", value__isnull=False, municipality__type="kommun")
        .values_list("kpi_id", "year")
        .annotate(n=Count("id"))
    )
    coverage = {(k, y): n for k, y, n in rows}
    n_munis = Municipality.objects.filter(type=Municipality.Type.KOMMUN).count()
    return check_measure_set(ms, catalogue=catalogue, coverage=coverage, municipalities=n_munis)
