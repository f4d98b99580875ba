"""Maps of the kommuner as SVG, written directly from the outlines stored at import (``core.geo``).

Why not Vega-Lite here: its ``geoshape`` took 0.75 s to draw the 290 outlines (the projection runs in
JavaScript on every render) and a Vega ``path`` mark with our own path data still 0.15-0.25 s, against
about 5 ms for writing the same paths as text; and Vega rewrites relative links against its own base URL.
The map follows the charts' rules all the same: the same band colours, a pattern as well as a colour for
each band, a legend, a one-sentence description (``core.chart_text``) and a data table on the page.

Each kommun is a link (``<a href>``) whose ``<title>`` gives its name, value and band: a tooltip for the
mouse, the link's name for a screen reader. The chosen kommun is outlined in black by
:func:`with_highlight`, so that one cached map serves every highlighted kommun.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from html import escape

from kommunkvalitet.core.chart_words import t
from kommunkvalitet.core.charts import BAND_COLOURS

# Sequential single-hue blues (ColorBrewer "Blues" without its near-white first class, which vanished
# against the white borders): light = low, dark = high; safe for colour-blind readers because only the
# lightness changes.
BLUES = ("#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
MIDDLE_FILL = "#bdbdbd"
MISSING_FILL = "#f2f2f2"
LEGEND_PX = 200  # the legend column to the right of the map


@dataclass(frozen=True)
class MapArea:
    id: str
    name: str
    path: str  # SVG path data in core.geo's grid
    bbox: tuple[int, int, int, int]


@dataclass(frozen=True)
class MapCell:
    """What one kommun looks like: its band (band maps) or value share 0..1 (scale maps), its title, link."""

    title: str
    href: str
    band: str | None = None  # best | middle | worst | ... | "none" (a value without band); None: no value
    share: float | None = None  # scale maps: where the value lies between the lowest and the highest


def scale_colour(share: float) -> str:
    """A colour of :data:`BLUES` for a share 0..1, interpolated between the stops."""
    share = min(max(share, 0.0), 1.0)
    pos = share * (len(BLUES) - 1)
    i = min(int(pos), len(BLUES) - 2)
    t = pos - i
    a, b = (tuple(int(c[k : k + 2], 16) for k in (1, 3, 5)) for c in (BLUES[i], BLUES[i + 1]))
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _patterns(uid: str, upp: float) -> str:
    """Band fills with a texture as well as a colour: dots for the best bands, stripes for the worst,
    plain grey for the middle, a grey hatch on white for no value. ``upp``: grid units per pixel."""
    s = 6 * upp  # a 6 px tile
    r = 1.1 * upp
    w = 1.6 * upp
    out = ["<defs>"]
    for band in ("best", "second"):
        out.append(
            f'<pattern id="{uid}-{band}" patternUnits="userSpaceOnUse" width="{s:.1f}" height="{s:.1f}">'
            f'<rect width="{s:.1f}" height="{s:.1f}" fill="{BAND_COLOURS[band]}"/>'
            f'<circle cx="{s / 2:.1f}" cy="{s / 2:.1f}" r="{r:.1f}" fill="#ffffff"/></pattern>'
        )
    for band in ("worst", "third"):
        out.append(
            f'<pattern id="{uid}-{band}" patternUnits="userSpaceOnUse" width="{s:.1f}" height="{s:.1f}" '
            f'patternTransform="rotate(45)"><rect width="{s:.1f}" height="{s:.1f}" fill="{BAND_COLOURS[band]}"/>'
            f'<rect width="{w:.1f}" height="{s:.1f}" fill="#ffffff"/></pattern>'
        )
    out.append(
        f'<pattern id="{uid}-missing" patternUnits="userSpaceOnUse" width="{s:.1f}" height="{s:.1f}" '
        f'patternTransform="rotate(-45)"><rect width="{s:.1f}" height="{s:.1f}" fill="{MISSING_FILL}"/>'
        f'<rect width="{w / 2:.1f}" height="{s:.1f}" fill="#8f8f8f"/></pattern>'
    )
    out.append("</defs>")
    return "".join(out)


def _fill(cell: MapCell | None, uid: str, mode: str) -> str:
    if cell is None or (cell.band is None and cell.share is None):
        return f"url(#{uid}-missing)"
    if mode == "scale":
        return scale_colour(cell.share) if cell.share is not None else f"url(#{uid}-missing)"
    if cell.band in ("best", "second", "worst", "third"):
        return f"url(#{uid}-{cell.band})"
    return MIDDLE_FILL


def map_svg(areas: list[MapArea], cells: dict[str, MapCell], *, mode: str, uid: str, name: str,
            width_px: int = 420, scale_labels: tuple[str, str] | None = None, standalone: bool = False,
            lang: str = "sv") -> str:  # fmt: skip
    """The map: every area a link with a title, filled by band (``mode="band"``) or by value
    (``mode="scale"``), and a legend to the right in ``lang``. ``name`` is the map's accessible name."""
    from kommunkvalitet.core.geo import union_bbox

    x, y, w, h = union_bbox([a.bbox for a in areas])
    upp = w / width_px  # grid units per pixel at the map's natural size
    legend_w = LEGEND_PX * upp
    total_w, height_px = w + legend_w, round(h / upp)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {total_w:.0f} {h}" '
            f'width="{width_px + LEGEND_PX}" height="{height_px}" class="kk-map" role="group" '
            f'aria-label="{escape(name)}" data-upp="{upp:.3f}">')  # fmt: skip
    parts = [head]
    if standalone:
        parts.append(f"<style>{MAP_CSS}</style>")
    parts.append(_patterns(uid, upp))
    parts.append('<g class="kkm-areas" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">')
    for a in areas:
        cell = cells.get(a.id)
        href = escape(cell.href if cell else "")
        title = escape(cell.title if cell else t("cell.missing", lang, name=a.name))
        bx, by, bx1, by1 = a.bbox
        parts.append(
            f'<a href="{href}" data-id="{a.id}" data-box="{bx} {by} {bx1 - bx} {by1 - by}"><title>{title}</title>'
            f'<path d="{a.path}" fill="{_fill(cell, uid, mode)}" vector-effect="non-scaling-stroke"/></a>'
        )
    parts.append("</g>")
    parts.append(_legend(uid, mode, x + w + 12 * upp, y + 8 * upp, upp, scale_labels, lang))
    parts.append("</svg>")
    return "".join(parts)


def _legend(uid: str, mode: str, lx: float, ly: float, upp: float, scale_labels, lang: str) -> str:
    font = 13 * upp
    row = 24 * upp
    box = 16 * upp
    out = [f'<g class="kkm-legend" aria-hidden="true" font-family="system-ui, sans-serif" font-size="{font:.0f}" '
           f'fill="#1b1b1b">']  # fmt: skip
    items: list[tuple[str, str]] = []
    if mode == "scale" and scale_labels:
        gh = 150 * upp
        out.append(f'<linearGradient id="{uid}-grad" x1="0" y1="1" x2="0" y2="0">'
                   + "".join(f'<stop offset="{i / (len(BLUES) - 1):.3f}" stop-color="{c}"/>' for i, c in enumerate(BLUES))
                   + "</linearGradient>")  # fmt: skip
        out.append(f'<rect x="{lx:.0f}" y="{ly:.0f}" width="{box:.0f}" height="{gh:.0f}" fill="url(#{uid}-grad)" '
                   f'stroke="#767676" stroke-width="1" vector-effect="non-scaling-stroke"/>')  # fmt: skip
        out.append(
            f'<text x="{lx + box * 1.5:.0f}" y="{ly + font:.0f}">{escape(t("highest", lang, v=scale_labels[1]))}</text>'
        )
        out.append(
            f'<text x="{lx + box * 1.5:.0f}" y="{ly + gh:.0f}">{escape(t("lowest", lang, v=scale_labels[0]))}</text>'
        )
        ly += gh + row
        items = [(f"url(#{uid}-missing)", t("band.missing", lang))]
    else:
        items = [(f"url(#{uid}-best)", t("band.best", lang)), (MIDDLE_FILL, t("band.middle", lang)),
                 (f"url(#{uid}-worst)", t("band.worst", lang)), (f"url(#{uid}-missing)", t("band.missing", lang))]  # fmt: skip
    for i, (fill, label) in enumerate(items):
        yy = ly + i * row
        out.append(f'<rect x="{lx:.0f}" y="{yy:.0f}" width="{box:.0f}" height="{box:.0f}" fill="{fill}" '
                   f'stroke="#767676" stroke-width="1" vector-effect="non-scaling-stroke"/>'
                   f'<text x="{lx + box * 1.5:.0f}" y="{yy + box * 0.8:.0f}">{escape(label)}</text>')  # fmt: skip
    yy = ly + len(items) * row
    out.append(f'<rect x="{lx:.0f}" y="{yy:.0f}" width="{box:.0f}" height="{box:.0f}" fill="none" stroke="#000000" '
               f'stroke-width="3" vector-effect="non-scaling-stroke"/>'
               f'<text x="{lx + box * 1.5:.0f}" y="{yy + box * 0.8:.0f}">{escape(t("chosen", lang))}</text>')  # fmt: skip
    out.append("</g>")
    return "".join(out)


_AREA = re.compile(r'<a href="[^"]*" data-id="(\d{4})" data-box="([-\d]+) ([-\d]+) (\d+) (\d+)">.*?<path d="([^"]+)"')


def with_highlight(svg: str, municipality_id: str | None) -> str:
    """The map with one kommun outlined in thick black (drawn on top; hidden from assistive technology,
    whose users have the title). A kommun smaller than 8 px also gets a ring around it."""
    if not municipality_id:
        return svg
    match = next((m for m in _AREA.finditer(svg) if m.group(1) == municipality_id), None)
    if match is None:
        return svg
    upp = float(re.search(r'data-upp="([\d.]+)"', svg).group(1))
    bx, by, bw, bh = (int(match.group(k)) for k in (2, 3, 4, 5))
    mark = (f'<g class="kkm-highlight" aria-hidden="true" fill="none" pointer-events="none">'
            f'<path d="{match.group(6)}" stroke="#ffffff" stroke-width="5" vector-effect="non-scaling-stroke"/>'
            f'<path d="{match.group(6)}" stroke="#000000" stroke-width="2.5" vector-effect="non-scaling-stroke"/>')  # fmt: skip
    if max(bw, bh) < 8 * upp:
        r = max(bw, bh) / 2 + 7 * upp
        mark += (f'<circle cx="{bx + bw / 2:.0f}" cy="{by + bh / 2:.0f}" r="{r:.0f}" stroke="#000000" '
                 f'stroke-width="2.5" vector-effect="non-scaling-stroke"/>')  # fmt: skip
    mark += "</g>"
    return svg.replace('<g class="kkm-legend"', mark + '<g class="kkm-legend"', 1)


MAP_CSS = (
    ".kk-map a:hover path, .kk-map a:focus path { stroke: #000000; stroke-width: 3px; }"
    " .kk-map a:focus { outline: none; }"
)
# The one inline style the site sends: MAP_CSS inside the map downloaded on its own (karta.svg, which
# cannot link the site's CSS). Its response's Content-Security-Policy allows exactly this text by hash.
MAP_CSS_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(MAP_CSS.encode()).digest()).decode() + "'"
