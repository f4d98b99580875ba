"""Store side of measure sets: give KPIs the direction their measure set states."""

from __future__ import annotations

from kommunkvalitet.core.measuresets import default_directions
from kommunkvalitet.store.models import KPI


def apply_directions() -> int:
    """Set the direction of KPIs that have none yet from the measure sets; returns how many changed.

    A direction somebody already set (not ``none``) is kept.
    """
    n = 0
    for kpi_id, direction in default_directions().items():
        n += (
            KPI.objects.filter(pk=kpi_id, direction=KPI.Direction.NONE)
            .exclude(direction=direction)
            .update(direction=direction)
        )
    return n
