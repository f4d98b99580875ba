"""Women and men beside the total on the area pages: the municipality's K and M values with their
rikssnitt and band, for the measures whose KPI is divided by gender (two queries for a whole area)."""

from __future__ import annotations

from django.db import connection

from kommunkvalitet.core.comparison import BAND_NAMES, unpack_position
from kommunkvalitet.core.findings import MeasureFinding
from kommunkvalitet.core.gender import GenderFigure, GenderFinding
from kommunkvalitet.store.comparison import position_sql
from kommunkvalitet.store.models import Value


def gender_findings(municipality_id: str, findings: list[MeasureFinding]) -> dict[str, GenderFinding]:
    """Per KPI that has K and M comparisons for its data year: the municipality's figures for women and
    men (a value may be missing; the rikssnitt and n are there whenever others have values)."""
    if not findings:
        return {}
    wanted = {(f.kpi, f.year) for f in findings}
    stats = {(kpi, year, gender): row for kpi, year, gender, *row in _gender_stats(municipality_id, wanted)}
    if not stats:
        return {}
    values = {
        (kpi, year, gender): value
        for kpi, year, gender, value in Value.objects.filter(
            kpi_id__in={k for k, _ in wanted}, municipality_id=municipality_id, year__in={y for _, y in wanted},
            gender__in=["K", "M"],
        ).values_list("kpi_id", "year", "gender", "value")
    }  # fmt: skip
    out = {}
    for f in findings:
        figures = []
        for gender in ("K", "M"):
            stat = stats.get((f.kpi, f.year, gender))
            if stat is None:
                break
            mean, n, pos = stat
            pos = pos or [0, 0, 0, 0]
            figures.append(GenderFigure(gender, values.get((f.kpi, f.year, gender)), mean, n,
                                        BAND_NAMES[pos[1]] if pos[1] else None, pos[0] or None))  # fmt: skip
        if len(figures) == 2:
            out[f.kpi] = GenderFinding(f.kpi, f.label, f.label_en, f.unit, f.decimals, f.year, *figures)
    return out


def _gender_stats(municipality_id: str, pairs: set[tuple[str, int]]):
    """(kpi, year, gender, mean, n, (rank, band, position, reading) or None) of the K and M comparisons of
    ``pairs``. The municipality's entry is taken out of ``positions`` by the database: decoding every
    kommun's entry in Python was ten times slower."""
    kpis = sorted({k for k, _ in pairs})
    years = sorted({y for _, y in pairs})
    pick, key = position_sql("positions", municipality_id)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT kpi_id, year, gender, mean, n, {pick} FROM store_comparisonstat "  # noqa: S608 - no user text
            f"WHERE kpi_id IN ({', '.join(['%s'] * len(kpis))}) AND year IN ({', '.join(['%s'] * len(years))}) "
            "AND gender IN ('K', 'M')",
            [key, *kpis, *years],
        )
        for kpi, year, gender, mean, n, pos in cur.fetchall():
            if (kpi, year) in pairs:
                yield kpi, year, gender, mean, n, unpack_position(pos)
