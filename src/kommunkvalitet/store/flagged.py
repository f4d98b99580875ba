"""Every value that is not comparable (core.plausibility), as the comparison engine last flagged it.

The comparisons keep the flagged kommuner per KPI, year and gender (``ComparisonStat.flagged``); this
module adds the value, the kommun's name and the KPI's title for ``kommunkvalitet values flagged``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from kommunkvalitet.store.models import KPI, ComparisonStat, Municipality, Value


@dataclass(frozen=True)
class FlaggedValue:
    kpi: str
    title: str
    year: int
    gender: str
    municipality_id: str
    municipality: str
    value: float | None
    code: str  # one of core.findings.IMPLAUSIBLE
    median: float | None  # the median of the comparable values, for scale


def flagged_values(year: int | None = None, kpis: list[str] | None = None) -> list[FlaggedValue]:
    """The flagged values (of ``year`` and ``kpis`` when given), by KPI, year, gender and kommun."""
    stats = ComparisonStat.objects.exclude(flagged={})
    if year is not None:
        stats = stats.filter(year=year)
    if kpis:
        stats = stats.filter(kpi_id__in=kpis)
    found = [(s, mid, code) for s in stats.order_by("kpi_id", "year", "gender") for mid, code in s.flagged.items()]
    if not found:
        return []
    wanted = Q()
    for s, mid, _ in found:
        wanted |= Q(kpi_id=s.kpi_id, year=s.year, gender=s.gender, municipality_id=mid)
    values = {
        (k, y, g, m): v
        for k, y, g, m, v in Value.objects.filter(wanted).values_list(
            "kpi_id", "year", "gender", "municipality_id", "value"
        )
    }
    names = dict(Municipality.objects.filter(pk__in={mid for _, mid, _ in found}).values_list("id", "name"))
    titles = dict(KPI.objects.filter(pk__in={s.kpi_id for s, _, _ in found}).values_list("id", "title"))
    return [
        FlaggedValue(s.kpi_id, titles.get(s.kpi_id, ""), s.year, s.gender, mid, names.get(mid, mid),
                     values.get((s.kpi_id, s.year, s.gender, mid)), code, s.median)
        for s, mid, code in sorted(found, key=lambda f: (f[0].kpi_id, f[0].year, "TKM".index(f[0].gender), f[1]))
    ]  # fmt: skip
