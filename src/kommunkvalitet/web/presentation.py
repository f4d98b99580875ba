"""How codes from core are shown: words, icons and CSS classes. Colour is never the only carrier:
every band and trend has a word and a symbol too."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

BANDS = {
    "best": {"text": _("Bland de 25 procent bästa"), "icon": "▲", "css": "band-best"},
    "second": {"text": _("Bland de 25 procent näst bästa"), "icon": "△", "css": "band-second"},
    "middle": {"text": _("Bland de 50 procent mellersta"), "icon": "●", "css": "band-middle"},
    "third": {"text": _("Bland de 25 procent näst sämsta"), "icon": "▽", "css": "band-third"},
    "worst": {"text": _("Bland de 25 procent sämsta"), "icon": "▼", "css": "band-worst"},
}
NO_BAND = {"text": _("Ingen placering"), "icon": "–", "css": "band-none"}

TRENDS = {
    "improved": {"text": _("Förbättrat"), "icon": "↗", "css": "trend-good"},
    "worsened": {"text": _("Försämrat"), "icon": "↘", "css": "trend-bad"},
    "unchanged": {"text": _("Oförändrat"), "icon": "→", "css": "trend-same"},
    "increased": {"text": _("Ökat"), "icon": "↑", "css": "trend-same"},
    "decreased": {"text": _("Minskat"), "icon": "↓", "css": "trend-same"},
}
NO_TREND = {"text": _("Ingen jämförelse"), "icon": "–", "css": "trend-none"}

POSITIONS = {
    "far_above": _("Långt över rikssnittet"),
    "slightly_above": _("Något över rikssnittet"),
    "level": _("I nivå med rikssnittet"),
    "slightly_below": _("Något under rikssnittet"),
    "far_below": _("Långt under rikssnittet"),
}
# Why a value is missing (core.gaps) and why a value is not comparable (core.plausibility): the page
# table's and the JSON twin's short words, kept here until they come from the one vocabulary (issue 10).
GAPS = {
    "not_collected": _("Samlades inte in i landet det året"),
    "not_yet_measured": _("Måttet fanns inte ännu"),
    "not_reported": _("Kommunen deltog inte eller lämnade ingen uppgift"),
    "withheld": _("Uppgiften lämnas inte ut"),
}
NOT_COMPARABLE = {"text": _("Ej jämförbart"), "icon": "⚠", "css": "not-comparable"}
IMPLAUSIBLE = {
    "impossible": _("värdet ligger utanför vad enheten tillåter"),
    "outlier": _("värdet ligger extremt långt från alla andra kommuners"),
}
DIRECTIONS = {"higher": _("Högre värde är bättre"), "lower": _("Lägre värde är bättre"), "none": _("Ingen riktning")}


def band(code: str | None) -> dict:
    return BANDS.get(code or "", NO_BAND)


def gap(code: str | None) -> str:
    return str(GAPS.get(code or "", _("Uppgift saknas")))


def implausible(code: str | None) -> dict | None:
    """``{"text": "Ej jämförbart", "icon": "⚠", "why": ...}`` for a flagged value, None for any other."""
    return {**NOT_COMPARABLE, "why": IMPLAUSIBLE[code]} if code in IMPLAUSIBLE else None


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
