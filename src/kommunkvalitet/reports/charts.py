"""Vega-Lite spec -> SVG on the server (vl-convert), made fit to sit inline in a page, and cached.

- **Rendering.** ``vl_convert.vegalite_to_svg`` with a pinned Vega-Lite version and the sv-SE number
  locale (decimal comma, no-break space between thousands; en-US on English pages). No JavaScript reaches the browser and
  nothing is fetched from a CDN: vl-convert carries Vega in the Python wheel.
- **Inline SVG.** The root gets ``role="img"`` and the chart's accessible name; Vega's own ARIA is off
  (``config.aria``), so a screen reader meets one image with a name, then the figure's caption and the
  data table. Element ids are prefixed per chart so that several charts can share a page.
- **Cache.** A rendered chart is kept in Django's ``charts`` cache (a directory in the data dir by
  default, ``KOMMUNKVALITET_CHART_CACHE``) under its kind, KPI, year, municipality, the data version
  of :mod:`store.dataversion` and the language of its words, plus :data:`RENDER_VERSION`. A new import or recompute changes the data
  version, so stale charts are never served; they age out of the cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import threading
from collections.abc import Callable

from django.core.cache import caches

from kommunkvalitet.core.charts import Locale

VL_VERSION = "5.21"  # pinned: the SVG must not change under us when vl-convert adds a newer default
RENDER_VERSION = "6"  # bump when a spec or the post-processing changes: every cached chart is redrawn
_lock = threading.Lock()
_ROOT = re.compile(r"<svg\b([^>]*)>")
_ID = re.compile(r'\bid="([^"]+)"')
_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def render_svg(spec: dict, *, name: str, uid: str, css: str = "chart", locale: Locale = "sv-SE") -> str:
    """The chart as an inline SVG element: named for assistive technology (or, with an empty ``name``,
    hidden from it because its figure's caption says it all), ids prefixed with ``uid``, the axis numbers
    in ``locale`` (ValueFormat.locale)."""
    with _lock:  # vl-convert runs one JavaScript engine; calls from threads queue here rather than inside
        svg = _to_svg(spec, locale)
    return inline(svg, name=name, uid=uid, css=css)


def _to_svg(spec: dict, locale: Locale = "sv-SE") -> str:
    """vl-convert, with one shortcut: a spec whose only data is its top-level ``values`` (sparklines, time
    series) is compiled to Vega once per shape, and only the data changes from one chart to the next.
    Compiling is data-independent, so the SVG is identical (a test checks it), and a sparkline takes a
    third of the time: the 12 of a cold area page ~60 ms instead of ~170 ms."""
    import vl_convert

    values = spec.get("data", {}).get("values")
    if values is None or _has_own_data(spec.get("layer", [])):
        return vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION, format_locale=locale)
    vega = json.loads(_compiled(json.dumps({**spec, "data": {"values": []}}, sort_keys=True)))
    source = next(d for d in vega["data"] if d.get("values") == [])
    source["values"] = values
    return vl_convert.vega_to_svg(vega, format_locale=locale)


def _has_own_data(layers: list[dict]) -> bool:
    return any("data" in layer or _has_own_data(layer.get("layer", [])) for layer in layers)


@functools.lru_cache(maxsize=256)
def _compiled(template: str) -> str:
    import vl_convert

    return json.dumps(vl_convert.vegalite_to_vega(json.loads(template), vl_version=VL_VERSION))


def inline(svg: str, *, name: str, uid: str, css: str) -> str:
    """Post-process vl-convert's SVG for a page: ``role="img"`` and ``aria-label`` on the root, a class
    for the page's CSS, and every id (and ``url(#id)`` / ``href="#id"`` reference) prefixed."""
    ids = set(_ID.findall(svg))
    for old in ids:
        new = f"{uid}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    # Vega marks its groups as graphics objects and symbols without names; inside one named image they are
    # noise (and axe's svg-img-alt flags a nameless graphics-symbol), so only the root keeps a role.
    svg = _INNER_ARIA.sub("", svg)
    a11y = f'role="img" aria-label="{_attr(name)}"' if name else 'aria-hidden="true"'

    def root(match: re.Match) -> str:
        attrs = re.sub(r'\s(?:class|role|aria-[a-z]+)="[^"]*"', "", match.group(1))
        return f'<svg{attrs} class="{css}" {a11y} focusable="false">'

    return _ROOT.sub(root, svg, count=1)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def cache_key(kind: str, *parts: object) -> str:
    raw = "|".join(str(p) for p in (RENDER_VERSION, VL_VERSION, kind, *parts))
    return f"chart:{kind}:{hashlib.sha1(raw.encode()).hexdigest()}"


def cached_svg(key: str, build: Callable[[], dict], *, name: str, css: str = "chart", locale: Locale = "sv-SE") -> str:
    """The rendered chart under ``key`` (from :func:`cache_key`, which names the language of a chart with
    words), rendering ``build()`` on a miss."""
    uid = "c" + key.rsplit(":", 1)[-1][:8]
    return cached(key, lambda: render_svg(build(), name=name, uid=uid, css=css, locale=locale))


def cached(key: str, produce: Callable[[], str]) -> str:
    """Any rendered piece under ``key`` (a map, a chart's 290-row data table), produced on a miss."""
    cache = caches["charts"]
    text = cache.get(key)
    if text is None:
        text = produce()
        cache.set(key, text)
    return text


def warm_up() -> None:
    """Start the JavaScript engine (about 1-3 s the first time in a process) before the first request
    needs it: a server worker calls this in a background thread when it starts."""
    with contextlib.suppress(Exception):  # a failed warm-up only means that the first chart is slower
        render_svg({"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a"}}},
                   name="", uid="warmup")  # fmt: skip
