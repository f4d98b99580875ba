"""A large goal structure for the query-count test and benchmarks/goal_report.py (one builder, both use it)."""

from __future__ import annotations

import random

from kommunkvalitet.core import goals as rules
from kommunkvalitet.store.models import (
    KPI,
    Committee,
    Goal,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
)


def build_large_structure(municipality_id: str, year: int, *, goals: int = 30, indicators: int = 300,
                          seed: int = 1, kpi_data_year: int | None = None) -> GoalStructure:  # fmt: skip
    """``goals`` goals (a third council goals, the rest their sub-goals) with ``indicators`` indicators
    spread over them: four fifths own indicators with targets and values, a tenth external key figures,
    a tenth Kolada key figures of the KPIs that have values in the store. ``kpi_data_year``: the year the
    key figures' data is read for (a structure for a year without data still evaluates real figures)."""
    rng = random.Random(seed)
    struct = GoalStructure.objects.create(municipality_id=municipality_id, year=year, title="Benchmark")
    committees = [
        Committee.objects.get_or_create(municipality_id=municipality_id, name=f"Nämnd {i}")[0] for i in range(5)
    ]
    tops = goals // 3
    made: list[Goal] = []
    for i in range(goals):
        parent = made[i % tops] if i >= tops else None
        g = Goal.objects.create(structure=struct, parent=parent, title=f"Mål {i}", order=i)
        g.committees.set([committees[i % len(committees)]])
        made.append(g)
    kpis = list(
        KPI.objects.filter(direction__in=["higher", "lower"]).order_by("id").values_list("id", "direction")[:40]
    )
    kinds = rules.TARGET_KINDS
    inds, targets, values = [], [], []
    for i in range(indicators):
        goal = made[i % goals]
        if i % 10 == 0 and kpis:
            kpi, direction = kpis[i % len(kpis)]
            inds.append(Indicator(goal=goal, kind="kpi", kpi_id=kpi, name=f"Nyckeltal {kpi}", direction=direction,
                                  target_kind=kinds[i % len(kinds)], order=i,
                                  data_year_offset=(kpi_data_year or year) - year))  # fmt: skip
        elif i % 10 == 5:
            inds.append(Indicator(goal=goal, kind="external", name=f"Extern {i}", unit="percent",
                                  target_kind=rules.BETTER_THAN_NATIONAL, order=i))  # fmt: skip
        else:
            inds.append(Indicator(goal=goal, kind="own", name=f"Indikator {i}", unit="percent",
                                  committee=committees[i % len(committees)], tolerance=2.0, order=i))  # fmt: skip
    Indicator.objects.bulk_create(inds)
    for ind in Indicator.objects.filter(goal__structure=struct):
        targets.append(IndicatorTarget(indicator=ind, year=year, level=rng.uniform(50, 90)))
        if ind.kind != "kpi":
            for y in (year - 1, year):
                values.append(IndicatorValue(indicator=ind, year=y, value=rng.uniform(40, 100),
                                             reference=rng.uniform(40, 100) if ind.kind == "external" else None))  # fmt: skip
    IndicatorTarget.objects.bulk_create(targets)
    IndicatorValue.objects.bulk_create(values)
    return struct
