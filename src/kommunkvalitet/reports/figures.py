"""The figures of the pages: a chart or map with its description, its accessible name and (built only
when asked, for the JSON twins and the tests) its Vega-Lite spec. One function per figure; each renders
through the cache of :mod:`reports.charts` under (kind, KPI, year, municipality, data version, language).
Every word inside a figure and its description is in ``ValueFormat.lang`` (core.chart_words)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from kommunkvalitet.core import chart_text, vocabulary
from kommunkvalitet.core.chart_words import line_label, t
from kommunkvalitet.core.charts import (
    BAND_ORDER,
    BarRow,
    ValueFormat,
    bar_spec,
    series_spec,
    sparkline_spec,
    sparkline_svg,
)
from kommunkvalitet.reports import maps
from kommunkvalitet.reports.charts import cache_key, cached, cached_svg


@dataclass
class Figure:
    """A picture as a page uses it. ``svg`` is drawn (or read from the cache) only when a page asks for
    it, and ``spec`` built only when a JSON twin or a test asks: the JSON twins draw nothing."""

    kind: str  # bar | series | sparkline | map
    draw: Callable[[], str] = field(repr=False)
    description: str
    name: str  # the picture's accessible name
    build: Callable[[], dict] | None = field(default=None, repr=False)

    @cached_property
    def svg(self) -> str:
        return self.draw()

    @cached_property
    def spec(self) -> dict | None:
        return self.build() if self.build else None


def bar_figure(page, fmt: ValueFormat) -> Figure:
    """All kommuner with a value, best to worst, the chosen one highlighted (``page``: store.measure)."""
    mid = page.municipality.id if page.municipality else None
    total = page.total
    mean = total.mean if total else None
    axis = t("axis.ranked" if page.info.direction != "none" else "axis.sorted", fmt.lang, n=len(page.rows))

    def build() -> dict:
        return bar_spec(page.rows, fmt, highlight=mid, mean=mean, axis_title=axis)

    name = t("name.bar", fmt.lang, label=page.info.label, year=page.year)
    key = cache_key("bar", page.info.id, page.year, mid or "-", page.version, fmt.lang)
    description = chart_text.describe_bar(page.rows, fmt, year=page.year, direction=page.info.direction, mean=mean,
                                          highlight=mid, highlight_name=page.municipality.name if mid else None)  # fmt: skip

    def draw() -> str:
        return cached_svg(key, build, name=name, css="chart chart-bar", locale=fmt.locale) if page.rows else ""

    return Figure("bar", draw, description, name, build)


def series_figure(page, fmt: ValueFormat) -> Figure | None:
    lines = [replace(line, label=line_label(line.key, line.label, fmt.lang))
             for line in page.series if any(v is not None for _, v in line.points)]  # fmt: skip
    if not lines:
        return None
    mid = page.municipality.id if page.municipality else None

    def build() -> dict:
        return series_spec(lines, fmt)

    who = page.municipality.name if page.municipality else t("national_mean", fmt.lang)
    name = t("name.series", fmt.lang, label=page.info.label, who=who)
    key = cache_key("series", page.info.id, page.year, mid or "-", page.version, fmt.lang)
    return Figure("series", lambda: cached_svg(key, build, name=name, css="chart chart-series", locale=fmt.locale),
                  chart_text.describe_series(lines, fmt), name, build)  # fmt: skip


def sparkline_figure(points: list[tuple[int, float | None]], fmt: ValueFormat, lang: str = "sv") -> Figure | None:
    if not any(v is not None for _, v in points):
        return None

    def build() -> dict:
        return sparkline_spec(points)

    description = chart_text.describe_sparkline(points, fmt, lang)  # the picture itself has no words
    # Drawn in Python (core.charts.sparkline_svg), cheaper than a cache read: no cache key, no data version.
    # The picture is hidden from assistive technology: its figure's caption is the description.
    return Figure("sparkline", lambda: sparkline_svg(points), description, "", build)


def map_cells(rows: list[BarRow], missing: list[tuple[str, str]], fmt: ValueFormat, href: Callable[[str], str],
              mode: str, flagged: Sequence[tuple[str, str, float, str]] = ()) -> dict[str, maps.MapCell]:  # fmt: skip
    lo = min((r.value for r in rows), default=None)
    hi = max((r.value for r in rows), default=None)
    cells = {}
    for r in rows:
        band_words = f" – {vocabulary.word('band', r.band, fmt.lang)}" if r.band in BAND_ORDER else ""
        share = None
        if mode == "scale" and lo is not None and hi is not None:
            share = (r.value - lo) / (hi - lo) if hi > lo else 0.5
        cells[r.id] = maps.MapCell(f"{r.name}: {fmt.text(r.value)}{band_words}", href(r.id), r.band or "none", share)
    for mid, name in missing:
        cells[mid] = maps.MapCell(t("cell.missing", fmt.lang, name=name), href(mid))
    for mid, name, value, _ in flagged:  # a value that is not comparable: drawn like no value, said in words
        cells[mid] = maps.MapCell(t("cell.flagged", fmt.lang, name=name, v=fmt.text(value)), href(mid))
    return cells


def map_figure(page, fmt: ValueFormat, *, mode: str, areas_loader: Callable[[], list[maps.MapArea]],
               href: Callable[[str], str], county_id: str | None = None, place: str | None = None,
               width_px: int = 420) -> Figure:  # fmt: skip
    """The map of all kommuner (or one county's: ``place`` names it in ``fmt.lang``), by band or by value;
    the chosen kommun outlined."""
    place = place or t("country", fmt.lang)
    rows, missing, flagged = page.rows, page.missing, page.flagged
    if county_id:
        members = {a.id for a in areas_loader()}
        rows = [r for r in rows if r.id in members]
        missing = [m for m in missing if m[0] in members]
        flagged = [f for f in flagged if f[0] in members]
    lo = min((r.value for r in page.rows), default=None)
    hi = max((r.value for r in page.rows), default=None)
    labels = (fmt.text(lo), fmt.text(hi))
    what = t("by.band" if mode == "band" else "by.value", fmt.lang)
    name = t("name.map", fmt.lang, place=place, what=what, label=page.info.label, year=page.year)

    def render() -> str:
        cells = map_cells(rows, missing, fmt, href, mode, flagged)
        uid = f"m{page.info.id}{county_id or ''}{mode}"
        return maps.map_svg(areas_loader(), cells, mode=mode, uid=uid, name=name, width_px=width_px,
                            scale_labels=labels if mode == "scale" else None, lang=fmt.lang)  # fmt: skip

    key = cache_key("map", page.info.id, page.year, mode, county_id or "-", width_px, page.version, fmt.lang)
    shown = {r.id for r in rows} | {m[0] for m in missing} | {f[0] for f in flagged}
    mid = page.municipality.id if page.municipality and page.municipality.id in shown else None

    bands = {r.id: r.band for r in rows} | {f[0]: None for f in flagged}  # a flagged kommun has a value
    description = chart_text.describe_map(year=page.year, bands=bands, mode=mode, place=place,
                                          total=len(rows) + len(missing) + len(flagged), fmt=fmt, low=lo, high=hi,
                                          highlight_name=page.municipality.name if mid else None,
                                          lang=fmt.lang)  # fmt: skip
    return Figure("map", lambda: maps.with_highlight(cached(key, render), mid), description, name)
