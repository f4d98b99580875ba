"""How codes from core are shown: words, icons and CSS classes. Colour is never the only carrier:
every band and trend has a word and a symbol too."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from kommunkvalitet.core import vocabulary
from kommunkvalitet.web.language import page_lang as _lang


def _word(kind: str, code: str):
    """The phrase of a code from core.vocabulary, capitalised, in the language of the request."""
    return lazy(lambda: vocabulary.label(kind, code, _lang()), str)()


_BAND_SIGNS = {"best": ("▲", "band-best"), "second": ("△", "band-second"), "middle": ("●", "band-middle"),
               "third": ("▽", "band-third"), "worst": ("▼", "band-worst")}  # fmt: skip
_TREND_SIGNS = {"improved": ("↗", "trend-good"), "worsened": ("↘", "trend-bad"), "unchanged": ("→", "trend-same"),
                "increased": ("↑", "trend-same"), "decreased": ("↓", "trend-same")}  # fmt: skip
BANDS = {code: {"text": _word("band", code), "icon": icon, "css": css} for code, (icon, css) in _BAND_SIGNS.items()}
NO_BAND = {"text": _word("band", "none"), "icon": "–", "css": "band-none"}
TRENDS = {code: {"text": _word("trend", code), "icon": icon, "css": css} for code, (icon, css) in _TREND_SIGNS.items()}
NO_TREND = {"text": _word("trend", "none"), "icon": "–", "css": "trend-none"}
POSITIONS = {code: _word("position", code) for code in vocabulary.WORDS["position"]}
DIRECTIONS = {code: _word("direction", code) for code in vocabulary.WORDS["direction"]}


def band(code: str | None) -> dict:
    return BANDS.get(code or "", NO_BAND)


def gap(code: str | None) -> str:
    """Why a value is missing, in words (core.vocabulary's gap phrases; "Uppgift saknas" without a reason)."""
    return vocabulary.label("gap", code if code in vocabulary.WORDS["gap"] else "unknown", _lang())


def implausible(code: str | None) -> dict | None:
    """``{"text": "Ej jämförbart", "icon": "⚠", "why": ...}`` for a flagged value, None for any other."""
    if code not in vocabulary.WORDS["implausible"]:
        return None
    said, why = vocabulary.label("implausible", code, _lang()).split(": ", 1)  # "Ej jämförbart: <why>"
    return {"text": said, "icon": "⚠", "css": "not-comparable", "why": why}


def trend(code: str | None) -> dict:
    return TRENDS.get(code or "", NO_TREND)


def unit_text(unit: str) -> str:
    """A unit code in words for a definition list: "procent (%)", "dagar", "kr/inv"; "" for a bare number."""
    if unit == "percent":
        return _("andel, procent (%)")
    from kommunkvalitet.core.formatting import NBSP, format_value

    text = format_value(2.0, unit, 0)
    return text.split(NBSP, 1)[1] if NBSP in text else _("antal eller kvot (ingen enhet)")


def slug(name: str) -> str:
    """An operating area's name in a URL: "Äldre och funktionshinder" -> "aldre-och-funktionshinder"."""
    from django.utils.text import slugify

    return slugify(name or "Övrigt")


def options_html(items: list[tuple[str, str]], selected: str | None):
    """``<option>`` elements for a list of (value, label): 290 kommuner are 0.3 ms here and 30 ms in a
    template loop."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(  # noqa: S308 - every value and label is escaped
        "".join(f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(label)}</option>'
                for v, label in items)
    )  # fmt: skip
