"""The data version a rendered chart is cached under, until issue 12 brings one for the whole store.

A chart of a KPI changes when (a) the KPI's values or the comparison rules change: every such change
goes through ``store.comparison.recompute``, which rewrites the KPI-year's ``ComparisonStat`` rows and so
moves their ``computed_at``; or (b) the municipalities or their groups change (names, kommungrupp,
liknande kommuner, boundaries): every such change is an import that adds, changes or deletes something
and writes an ``ImportLog`` row. The version of a KPI is therefore the latest ``computed_at`` of its
comparisons with the id of the latest import that changed anything: both cheap to read (one query), and
an import that changes nothing keeps every cached chart.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def kpi_versions(kpis: Iterable[str]) -> dict[str, str]:
    """``{kpi: version}`` for the KPIs that have comparisons (one query); a KPI without any gets ``"0"``."""
    kpis = sorted(set(kpis))
    if not kpis:
        return {}
    marks = ", ".join(["%s"] * len(kpis))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT kpi_id, MAX(computed_at), (SELECT MAX(id) FROM store_importlog WHERE ok AND "
            "(added > 0 OR changed > 0 OR deleted > 0)) FROM store_comparisonstat "
            f"WHERE kpi_id IN ({marks}) GROUP BY kpi_id",
            kpis,
        )
        found = {kpi: f"{computed}/{log}" for kpi, computed, log in cur.fetchall()}
    return {kpi: found.get(kpi, "0") for kpi in kpis}


def kpi_version(kpi: str) -> str:
    return kpi_versions([kpi])[kpi]
