"""Store side of the comparison engine: keeps :class:`ComparisonStat` current and reads it back.

Imports and syncs call :func:`recompute` with the KPI-years they touched; nothing else is recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from django.db import connection, transaction
from django.db.models import Q

from kommunkvalitet import config
from kommunkvalitet.core.comparison import ComparisonSettings, compare, settings_from_text
from kommunkvalitet.store.models import KPI, ComparisonStat, Municipality

NATIONAL_ID = "0000"
_CHUNK = 200  # KPI-years per read query


def current_settings() -> ComparisonSettings:
    """The comparison thresholds in force: the defaults with KOMMUNKVALITET_COMPARISON applied."""
    return settings_from_text(config.comparison_overrides())


def _nan_to_none(x: float | None) -> float | None:
    return None if x is None or x != x else float(x)


def recompute(kpi_years: Iterable[tuple[str, int]], settings: ComparisonSettings | None = None) -> int:
    """Recompute the comparison of every gender for these (kpi, year) pairs; returns rows written."""
    settings = settings or current_settings()
    pairs = sorted(set(kpi_years))
    if not pairs:
        return 0
    kommuner = set(Municipality.objects.filter(type=Municipality.Type.KOMMUN).values_list("id", flat=True))
    directions = dict(KPI.objects.filter(pk__in={k for k, _ in pairs}).values_list("id", "direction"))
    written = 0
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        groups: dict[tuple[str, int, str], list[tuple[str, float]]] = defaultdict(list)
        riket: dict[tuple[str, int, str], float] = {}
        wanted = set(chunk)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT kpi_id, year, gender, municipality_id, value FROM store_value "
                f"WHERE kpi_id IN ({', '.join(['%s'] * len({k for k, _ in chunk}))}) "
                f"AND year IN ({', '.join(['%s'] * len({y for _, y in chunk}))}) AND value IS NOT NULL",
                [*sorted({k for k, _ in chunk}), *sorted({y for _, y in chunk})],
            )
            for kpi, year, gender, muni, value in cur.fetchall():
                if (kpi, year) not in wanted:
                    continue
                if muni in kommuner:
                    groups[(kpi, year, gender)].append((muni, value))
                elif muni == NATIONAL_ID:
                    riket[(kpi, year, gender)] = value
        rows = []
        for key in sorted(set(groups) | set(riket)):
            kpi, year, gender = key
            members = groups.get(key, [])
            direction = directions.get(kpi, "none")
            ids = np.array([m for m, _ in members], dtype=object)
            values = np.array([v for _, v in members], dtype=np.float64)
            result = compare(ids, values, direction, settings)
            ref = result.reference
            positions = {
                str(m): [int(result.rank[i]), int(result.band[i]), int(result.position[i]), int(result.reading[i])]
                for i, m in enumerate(ids)
            }
            rows.append(ComparisonStat(
                kpi_id=kpi, year=year, gender=gender, direction=direction, n=ref.n,
                mean=_nan_to_none(ref.mean), median=_nan_to_none(ref.median), min=_nan_to_none(ref.min),
                max=_nan_to_none(ref.max), sd=_nan_to_none(ref.sd), riket=riket.get(key), positions=positions,
            ))  # fmt: skip
        stale = Q()
        for kpi, year in chunk:
            stale |= Q(kpi_id=kpi, year=year)
        with transaction.atomic():
            ComparisonStat.objects.filter(stale).delete()
            ComparisonStat.objects.bulk_create(rows, batch_size=500)
        written += len(rows)
    return written


def recompute_all(settings: ComparisonSettings | None = None) -> int:
    """Recompute every KPI-year that has values (after changing a direction or a setting)."""
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT kpi_id, year FROM store_value")
        pairs = [(k, int(y)) for k, y in cur.fetchall()]
    return recompute(pairs, settings)


def kpi_year(kpi: str, year: int, gender: str = "T") -> ComparisonStat | None:
    """The comparison of one KPI, year and gender (one query)."""
    return ComparisonStat.objects.filter(kpi_id=kpi, year=year, gender=gender).first()
