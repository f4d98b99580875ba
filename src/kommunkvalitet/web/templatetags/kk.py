"""Template filters: Swedish number formatting and the words and symbols of codes."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from kommunkvalitet.core.formatting import format_number, format_percentage_points, format_value
from kommunkvalitet.web import presentation

register = template.Library()


def _lang() -> str:
    return "en" if (get_language() or "sv").startswith("en") else "sv"


@register.filter
def value(v, measure):
    """``{{ f.value|value:f }}``: a value with the finding's (or measure's) unit and decimals."""
    return format_value(v, measure.unit, measure.decimals, _lang())


@register.filter
def number(v, decimals=0):
    return format_number(v, int(decimals), _lang())


@register.filter
def change(f):
    """The change of a finding in its natural unit: percentage points for shares, else the unit."""
    if f.change is None:
        return "–"
    if f.change_pp is not None:
        return format_percentage_points(f.change_pp, f.decimals, _lang(), signed=True)
    text = format_value(f.change, f.unit, f.decimals, _lang())
    return ("+" + text) if f.change > 0 else text


@register.filter
def band(code):
    return presentation.band(code)


@register.filter
def trend(code):
    return presentation.trend(code)


@register.filter
def position(code):
    return presentation.POSITIONS.get(code or "", "–")


@register.filter
def direction(code):
    return presentation.DIRECTIONS.get(code or "", "")
