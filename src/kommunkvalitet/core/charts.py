"""Vega-Lite specifications of the charts, built from plain data. Pure: no rendering, no I/O.

Every chart here is drawn from the same rows its data table shows (``BarRow``, ``SeriesLine``), so the
picture and the table cannot disagree. Rendering to SVG (vl-convert) is :mod:`kommunkvalitet.reports.charts`;
the one-sentence descriptions are :mod:`kommunkvalitet.core.chart_text`.

Design rules (docs/method.md §16):

- **Colour is never alone.** Bands are coloured and also labelled over their part of the bar chart; the
  series differ in colour, dash and point shape, and are named in a legend.
- **A palette for colour-blind readers** (Okabe & Ito): blue for the best band, grey for the middle,
  vermilion for the worst; every colour has a contrast of at least 3:1 against the white background.
- **The page's language.** Words come from :mod:`core.chart_words` and labels are formatted by
  :mod:`core.formatting` in ``ValueFormat.lang``; axis ticks use d3-format with the sv-SE locale (decimal
  comma, a no-break space between thousands) or en-US on English pages, which the renderer sets.
- **Gaps are gaps.** A year without a value breaks the line; an isolated value is still drawn as a point.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from kommunkvalitet.core.chart_words import t
from kommunkvalitet.core.formatting import format_number, format_value

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TEXT = "#1b1b1b"
MUTED = "#555555"

# Band colours (Okabe-Ito based; contrast against white: 5.2, 3.9, 3.2, 3.9, 4.5).
BAND_COLOURS = {
    "best": "#0072B2",
    "second": "#3f86c4",
    "middle": "#8f8f8f",
    "third": "#c75400",
    "worst": "#D55E00",
    "none": "#8f8f8f",
}
HIGHLIGHT = "#000000"
BAND_ORDER = ("best", "second", "middle", "third", "worst")

# Time-series lines: colour, dash and point shape together tell them apart.
SERIES_STYLE = {
    "municipality": ("#0072B2", [1, 0], "circle"),
    "national_mean": ("#000000", [6, 3], "square"),
    "skr": ("#c75400", [8, 3, 2, 3], "triangle-up"),
    "similar": ("#008060", [12, 4], "diamond"),
    "riket": ("#a3508a", [2, 3], "cross"),
}
SERIES_ORDER = tuple(SERIES_STYLE)

BASE_CONFIG = {
    "aria": False,  # the SVG is one image with a name; its data table and caption carry the content
    "font": FONT,
    "background": "#ffffff",
    "view": {"stroke": None},
    "axis": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12, "titleFontSize": 12,
             "titleFontWeight": "normal", "gridColor": "#e3e3e3", "domainColor": "#767676", "tickColor": "#767676"},
    "legend": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12, "titleFontSize": 12, "labelLimit": 360},
    "text": {"color": TEXT, "fontSize": 12},
}  # fmt: skip


@dataclass(frozen=True)
class BarRow:
    """One municipality in the bar chart and its table, in the chart's order (best to worst)."""

    id: str
    name: str
    value: float
    rank: int | None
    band: str | None


@dataclass(frozen=True)
class SeriesLine:
    """One line of the time series: ``key`` is one of :data:`SERIES_ORDER`."""

    key: str
    label: str
    points: tuple[tuple[int, float | None], ...]  # (year, value), every year of the chart, None = a gap


Locale = Literal["sv-SE", "en-US"]  # the d3 number locales the charts are drawn in


@dataclass(frozen=True)
class ValueFormat:
    """How a chart writes its values, and in which language ("sv" or "en") it writes its words."""

    unit: str
    decimals: int
    lang: str = "sv"

    def text(self, value: float | None) -> str:
        return format_value(value, self.unit, self.decimals, self.lang)

    def number(self, value: float | None) -> str:
        return format_number(value, self.decimals, self.lang)

    @property
    def locale(self) -> Locale:
        """The d3 number locale of the axis ticks (vl-convert's ``format_locale``)."""
        return "en-US" if self.lang == "en" else "sv-SE"

    @property
    def d3(self) -> str:
        """The axis tick format: grouped thousands, up to ``decimals`` decimals without trailing zeros."""
        return f",.{self.decimals}~f" if self.decimals else ",.0f"


@dataclass(frozen=True)
class BandLimits:
    """The values at the edges of the best and worst bands (``None`` without bands)."""

    best: float | None  # the weakest value still in the best band
    worst: float | None  # the best value already in the worst band


def band_limits(rows: list[BarRow]) -> BandLimits:
    """From rows ordered best to worst: the last value of the best band and the first of the worst."""
    best = [r.value for r in rows if r.band == "best"]
    worst = [r.value for r in rows if r.band == "worst"]
    return BandLimits(best[-1] if best else None, worst[0] if worst else None)


def order_rows(rows: list[BarRow], direction: str) -> list[BarRow]:
    """Best to worst: by rank, then by value (ascending for ``lower`` and ``none``), then by name."""
    sign = -1.0 if direction == "higher" else 1.0
    return sorted(rows, key=lambda r: (r.rank if r.rank else 0, sign * r.value, r.name))


def _band_segments(rows: list[BarRow], lang: str = "sv") -> list[dict[str, Any]]:
    """Consecutive runs of one band: first and last position and the label over them."""
    segments: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        if not r.band or r.band not in BAND_ORDER:
            continue
        if segments and segments[-1]["band"] == r.band and segments[-1]["last"] == i - 1:
            segments[-1]["last"] = i
        else:
            segments.append({"band": r.band, "first": i, "last": i})
    for s in segments:
        s["label"] = t(f"band.{s['band']}", lang)
        s["mid"] = (s["first"] + s["last"]) // 2
    return segments


def bar_spec(
    rows: list[BarRow],
    fmt: ValueFormat,
    *,
    highlight: str | None,
    mean: float | None,
    axis_title: str,
    width: int = 720,
    height: int = 260,
) -> dict[str, Any]:
    """All municipalities with a value as bars from best to worst (``rows`` already in that order), the
    chosen one in black with its name and value, the rikssnitt as a dashed line, and the band limits as
    vertical lines with the bands named over their part of the chart."""
    data = [
        {"pos": i, "id": r.id, "name": r.name, "value": r.value, "band": r.band or "none",
         "highlight": r.id == highlight, "text": fmt.text(r.value)}
        for i, r in enumerate(rows)
    ]  # fmt: skip
    n = len(rows)
    x = {"field": "pos", "type": "ordinal", "sort": None, "scale": {"paddingInner": 0.15, "paddingOuter": 0.3},
         "axis": {"labels": False, "ticks": False, "title": axis_title, "titlePadding": 8}}  # fmt: skip
    y_axis = {"format": fmt.d3, "title": None, "grid": True, "tickCount": 6}
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar"},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative", "axis": y_axis, "scale": {"zero": True, "nice": True}},
                "color": {
                    "condition": {"test": "datum.highlight", "value": HIGHLIGHT},
                    "field": "band",
                    "type": "nominal",
                    "scale": {"domain": list(BAND_COLOURS), "range": list(BAND_COLOURS.values())},
                    "legend": None,
                },
            },
        }
    ]
    segments = _band_segments(rows, fmt.lang)
    if segments:
        limits = [{"pos": s["first"]} for s in segments[1:]]
        if limits:
            layers.append({
                "data": {"values": limits},
                "mark": {"type": "rule", "color": TEXT, "strokeWidth": 1, "strokeDash": [2, 2]},
                "encoding": {"x": {"field": "pos", "type": "ordinal", "bandPosition": 0}},
            })  # fmt: skip
        layers.append({
            "data": {"values": [{"pos": s["mid"], "label": s["label"], "band": s["band"]} for s in segments]},
            "mark": {"type": "text", "baseline": "bottom", "dy": -4, "fontWeight": "bold", "fontSize": 12},
            "encoding": {"x": {"field": "pos", "type": "ordinal", "bandPosition": 0.5}, "y": {"value": 0},
                         "text": {"field": "label"}, "color": {"value": TEXT}},
        })  # fmt: skip
    if mean is not None:
        layers.append({
            "data": {"values": [{"mean": mean, "label": t("mean_label", fmt.lang, v=fmt.text(mean))}]},
            "layer": [
                {"mark": {"type": "rule", "color": TEXT, "strokeWidth": 1.5, "strokeDash": [6, 3]},
                 "encoding": {"y": {"field": "mean", "type": "quantitative"}}},
                {"mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 6, "x": width,
                          "fontWeight": "bold"},
                 "encoding": {"y": {"field": "mean", "type": "quantitative"}, "text": {"field": "label"}}},
            ],
        })  # fmt: skip
    chosen = next((i for i, r in enumerate(rows) if r.id == highlight), None)
    if chosen is not None:
        align = "left" if chosen < n / 3 else "right" if chosen > 2 * n / 3 else "center"
        layers.append({
            "data": {"values": [{"pos": chosen, "value": rows[chosen].value,
                                 "label": f"{rows[chosen].name}: {fmt.text(rows[chosen].value)}"}]},
            "mark": {"type": "text", "align": align, "baseline": "bottom", "dy": -6, "fontWeight": "bold",
                     "fontSize": 13},
            "encoding": {"x": {"field": "pos", "type": "ordinal", "bandPosition": 0.5},
                         "y": {"field": "value", "type": "quantitative"}, "text": {"field": "label"}},
        })  # fmt: skip
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": width,
        "height": height,
        "padding": {"left": 4, "right": 40, "top": 22, "bottom": 4},  # room for the rikssnitt label in any font
        "config": BASE_CONFIG,
        "data": {"values": data},
        "layer": layers,
    }


def series_spec(lines: list[SeriesLine], fmt: ValueFormat, *, width: int = 640, height: int = 260) -> dict[str, Any]:
    """Each line's values by year, gaps left open: the municipality drawn thickest. The legend names every
    line with its colour, dash and point shape."""
    years = sorted({y for line in lines for y, _ in line.points})
    labels = {line.key: line.label for line in lines}
    domain = [labels[k] for k in SERIES_ORDER if k in labels]
    styles = [SERIES_STYLE[k] for k in SERIES_ORDER if k in labels]
    data = [
        {"year": str(y), "series": line.label, "key": line.key, "value": v,
         "text": fmt.text(v) if v is not None else None}
        for line in lines
        for y, v in line.points
    ]  # fmt: skip
    legend = {"orient": "bottom", "direction": "vertical", "title": None, "symbolStrokeWidth": 2.5, "symbolSize": 500,
              "symbolType": "stroke"}  # fmt: skip
    enc_common = {
        "x": {"field": "year", "type": "ordinal", "scale": {"domain": [str(y) for y in years]},
              "axis": {"title": None, "labelAngle": 0}},
        "y": {"field": "value", "type": "quantitative", "scale": {"zero": False, "nice": True},
              "axis": {"format": fmt.d3, "title": None, "tickCount": 6}},
        "color": {"field": "series", "type": "nominal", "scale": {"domain": domain, "range": [s[0] for s in styles]},
                  "legend": legend},
    }  # fmt: skip
    layers = [
        {
            "mark": {"type": "line", "invalid": "break-paths-show-path-domains", "strokeWidth": 2},
            "encoding": {
                **enc_common,
                "strokeDash": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": domain, "range": [s[1] for s in styles]},
                    "legend": legend,
                },
                "strokeWidth": {"condition": {"test": "datum.key === 'municipality'", "value": 3.5}, "value": 2},
            },  # fmt: skip
        },
        {
            "transform": [{"filter": "isValid(datum.value)"}],
            "mark": {"type": "point", "filled": True, "size": 45, "opacity": 1},
            "encoding": {
                **enc_common,
                "color": {**enc_common["color"], "legend": None},
                "shape": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": domain, "range": [s[2] for s in styles]},
                    "legend": None,
                },
            },  # fmt: skip
        },
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": width,
        "height": height,
        "padding": 6,
        "config": BASE_CONFIG,
        "data": {"values": data},
        "layer": layers,
        # one legend of lines (colour and dash); the point shapes repeat it on the lines themselves
        "resolve": {"legend": {"shape": "independent"}},
    }


def sparkline_spec(points: list[tuple[int, float | None]], *, width: int = 96, height: int = 26) -> dict[str, Any]:
    """A small line of one municipality's values by year, gaps left open, each value a dot and the last
    one larger. No axes: the row's table cells and the figure's caption give the numbers."""
    data = [{"year": str(y), "value": v, "last": i == len(points) - 1} for i, (y, v) in enumerate(points)]
    x = {"field": "year", "type": "ordinal", "axis": None, "scale": {"domain": [str(y) for y, _ in points]}}
    y = {"field": "value", "type": "quantitative", "axis": None, "scale": {"zero": False}}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": width,
        "height": height,
        "padding": 3,
        "config": {**BASE_CONFIG, "view": {"stroke": None}},
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "line", "invalid": "break-paths-show-path-domains", "color": "#0072B2",
                      "strokeWidth": 1.5},
             "encoding": {"x": x, "y": y}},
            {"transform": [{"filter": "isValid(datum.value)"}],
             "mark": {"type": "point", "filled": True, "color": "#0072B2", "opacity": 1},
             "encoding": {"x": x, "y": y, "size": {"condition": {"test": "datum.last", "value": 36}, "value": 9}}},
        ],
    }  # fmt: skip


def _nice(lo: float, hi: float, count: int = 10) -> tuple[float, float]:
    """A linear scale's domain widened to round ticks, as Vega's ``nice: true`` (d3's ``linear.nice()``)."""
    previous = None
    for _ in range(10):
        span = (hi - lo) / count
        if span <= 0:
            break
        power = math.floor(math.log10(span))
        error = span / 10**power
        factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
        if power >= 0:
            step = factor * 10**power
            if step == previous:
                break
            lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
        else:
            inverse = 10 ** (-power) / factor
            if -inverse == previous:
                break
            lo, hi = math.ceil(lo * -inverse) / -inverse, math.floor(hi * -inverse) / -inverse
            step = -inverse
        previous = step
    return lo, hi


def sparkline_svg(
    points: list[tuple[int, float | None]], *, width: int = 96, height: int = 26, pad: int = 3, title: str = ""
) -> str:
    """:func:`sparkline_spec` drawn as an inline SVG without a renderer. The same scales as Vega's (the
    years as points with half a step at either end, the values on a linear scale widened to round numbers,
    not from zero), the same line, gaps and dots; about 0.1 ms instead of vl-convert's 5-70 ms, so an area
    page's twelve cost nothing and need no cache, and a PDF's are a few elements each for WeasyPrint.
    Without ``title`` it is hidden from assistive technology (on a page its figure's caption says it all);
    with one (the PDF) it is an image named by it, which WeasyPrint writes as its alternative text."""
    valid = [v for _, v in points if v is not None]
    if not valid:
        return ""
    lo, hi = _nice(min(valid), max(valid))
    step = width / len(points)

    def xy(i: int, v: float) -> str:
        y = height / 2 if hi == lo else height * (hi - v) / (hi - lo)
        return f"{step * (i + 0.5):.2f},{y:.2f}".replace(".00", "")

    line, dots, pen_down = [], [], False
    for i, (_, v) in enumerate(points):
        if v is None:
            pen_down = False
            continue
        line.append(("L" if pen_down else "M") + xy(i, v))
        pen_down = True
        r = 3 if i == len(points) - 1 else 1.5  # Vega's symbol sizes 36 and 9
        x, y = xy(i, v).split(",")
        dots.append(f'<circle cx="{x}" cy="{y}" r="{r}"/>')
    w, h = width + 2 * pad, height + 2 * pad
    named = f'role="img"><title>{html.escape(title)}</title' if title else 'aria-hidden="true" focusable="false"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'class="chart chart-spark" {named}><rect width="{w}" height="{h}" '
        f'fill="#ffffff"/><g transform="translate({pad},{pad})"><path d="{"".join(line)}" fill="none" '
        f'stroke="#0072B2" stroke-width="1.5"/><g fill="#0072B2">{"".join(dots)}</g></g></svg>'
    )


@dataclass(frozen=True)
class Chart:
    """A chart as the pages use it: its spec, its one-sentence description and a short name."""

    kind: str  # bar | series | sparkline
    spec: dict[str, Any]
    description: str
    name: str  # what the picture is, for its accessible name ("Stapeldiagram ...")
    extra: dict[str, Any] = field(default_factory=dict)


def chart_data(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows a spec draws (the main data of the chart), for tests and the JSON twins."""
    return list(spec.get("data", {}).get("values", []))
