"""Template filters: Swedish number formatting and the words and symbols of codes."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from kommunkvalitet.core import chart_words, goals_text, pages, vocabulary
from kommunkvalitet.core.charts import sparkline_svg
from kommunkvalitet.core.formatting import format_number, format_percentage_points, format_value
from kommunkvalitet.core.narrative import phrases
from kommunkvalitet.core.narrative.common import join_list
from kommunkvalitet.web import presentation
from kommunkvalitet.web.language import page_lang as _lang

register = template.Library()


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
def named(thing):
    """``{{ report.area|named }}``: an area's (or group's) English name on an English page, else its name."""
    english = getattr(thing, "name_en", "") if _lang() == "en" else ""
    return english or thing.name


@register.simple_tag
def print_sparkline(points, description):
    """``{% print_sparkline row.pic.points row.pic.spark.description %}``: the PDF's sparkline, the page's
    drawing (core.charts.sparkline_svg) named by its description, its alternative text in the tagged PDF."""
    return mark_safe(sparkline_svg(points, title=description))  # noqa: S308 - built by us, the description escaped


@register.filter
def and_list(items):
    """``{{ years|and_list }}``: "2021 och 2022" / "2021 and 2022"."""
    return join_list([str(i) for i in items], phrases.t("and", _lang()))


@register.filter
def line_label(line):
    """A time series' name as a table header in the page's language, as the chart's legend says it
    (core.chart_words: the reference lines by what they are, the municipality and the groups by name)."""
    return chart_words.line_label(line.key, line.label, _lang())


@register.filter
def pair(a, b):
    """``{% for x in a|pair:b %}``: loop over two things."""
    return (a, b)


@register.filter
def band(code):
    return presentation.band(code)


@register.filter
def trend(code):
    return presentation.trend(code)


@register.filter
def gap(code):
    return presentation.gap(code)


@register.filter
def implausible(code):
    return presentation.implausible(code)


@register.filter
def position(code):
    return presentation.POSITIONS.get(code or "", "–")


@register.filter
def verdict(f):
    """A finding's position against rikssnittet read with its direction (core.pages.verdict):
    "Något sämre än rikssnittet" for 19 against 16 when lower is better; the bare position without
    a direction; "–" without a position."""
    code = pages.verdict(f.position, f.direction)
    if code is None:
        return position(f.position)
    return vocabulary.label("verdict", code, _lang())


@register.filter
def direction(code):
    return presentation.DIRECTIONS.get(code or "", "")


# --- goal follow-up: the words, symbols and classes of core.goals_text ---------------------------------


@register.filter
def assessment(code):
    """``{% with x=code|assessment %}``: ``x.text`` (the word), ``x.icon`` (a symbol differing in shape)
    and ``x.css``, like :func:`band`."""
    return {
        "text": goals_text.assessment_word(code, _lang()),
        "icon": goals_text.assessment_symbol(code),
        "css": goals_text.assessment_css(code),
    }


@register.filter
def goal_reason(code):
    return goals_text.reason_text(code, _lang())


@register.filter
def goal_target(row):
    """What an indicator row is held against: "målnivå 90 %", "bättre än rikssnittet" ..."""
    ind = row.indicator
    return goals_text.target_text(ind.target_kind, row.target, ind.unit, ind.decimals, _lang())
