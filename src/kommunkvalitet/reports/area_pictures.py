"""The pictures of an area page: per measure row a sparkline of the municipality's values by year (with
its description and data table) and the link to the measure's page; and the gender figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from kommunkvalitet.core.charts import ValueFormat
from kommunkvalitet.reports import figures


@dataclass
class RowPicture:
    url: str  # the measure page with the municipality highlighted
    points: list[tuple[int, float | None]]  # every year from the first value to the data year
    spark: figures.Figure | None


def points_of(series: list[tuple[int, float | None]], year: int) -> list[tuple[int, float | None]]:
    """The municipality's values for every year from its first one to ``year``; a missing year is None."""
    known = dict(series)
    first = min((y for y, v in series if v is not None), default=None)
    if first is None:
        return []
    return [(y, known.get(y)) for y in range(first, year + 1)]


def area_pictures(report, lang: str = "sv") -> dict[str, RowPicture]:
    """Per KPI of an ``AreaReport``: its link and sparkline (its description in ``lang``); no query."""
    mid = report.municipality.id
    out = {}
    for r in report.rows:
        f = r.finding
        points = points_of(r.series, f.year)
        spark = figures.sparkline_figure(points, ValueFormat(f.unit, f.decimals), lang)
        out[f.kpi] = RowPicture(reverse("web:measure", args=[f.kpi, f.year]) + f"?kommun={mid}", points, spark)
    return out
