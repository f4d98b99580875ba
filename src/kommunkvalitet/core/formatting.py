"""Numbers and units as a Swedish or English reader expects them. Pure functions, no I/O.

Decisions (one place, so that the pages and the narrative print the same strings):

- Digits follow Babel (CLDR) with the locales ``sv_SE`` and ``en_GB``: Swedish "1 234,5", English "1,234.5".
  The Swedish thousands separator is CLDR's U+00A0 NO-BREAK SPACE (not U+202F), so a number never wraps
  over two lines and looks the same in every font. The minus sign is Babel's ASCII hyphen-minus.
  The number is laid out by Python's decimal formatting (groups of three, as CLDR's ``#,##0`` of both
  locales) with the separators taken from Babel: the same text as Babel's ``NumberPattern.apply``
  (:func:`_babel_number`, kept as the reference) at a third of the cost, which a page of a few hundred
  numbers notices.
- Rounding is half away from zero (12,25 -> "12,3"), done on the decimal text of the float
  (``Decimal(repr(x))``), so 2.675 with 2 decimals gives "2,68" as a reader expects, not the binary "2,67".
  A value that rounds to zero is shown without a sign ("0,0", never "-0,0").
- Between a number and its unit stands U+00A0 as well ("12,5 %", "77 dagar", "1 234 kr/inv"). English
  writes the per cent sign without a space ("12.5%") and puts SEK before the number ("SEK 1,234 per inhabitant").
- A missing value (None, NaN, infinity) is :data:`MISSING` ("–", EN DASH) in tables; running text uses
  :func:`missing_text` ("uppgift saknas" / "no data").
- An unknown unit code formats as the bare number: formatting never fails on a new unit.
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from babel import Locale
from babel.numbers import NumberPattern, get_decimal_symbol, get_group_symbol, parse_pattern

NBSP = "\u00a0"
MISSING = "\u2013"  # EN DASH
LANGS = ("sv", "en")
_LOCALES = {"sv": "sv_SE", "en": "en_GB"}

# unit code -> (singular, plural) written after the number; "" = the bare number
_SUFFIX_SV: dict[str, tuple[str, str]] = {
    "percent": ("%", "%"),
    "days": ("dag", "dagar"),
    "hours": ("timme", "timmar"),
    "hours_per_week": ("timme/vecka", "timmar/vecka"),
    "years": ("år", "år"),
    "points": ("poäng", "poäng"),
    "per_1000": ("per 1\u00a0000 inv", "per 1\u00a0000 inv"),
    "per_inhabitant": ("per inv", "per inv"),
    "kr": ("kr", "kr"),
    "kr_per_unit": ("kr", "kr"),
    "kr_per_inhabitant": ("kr/inv", "kr/inv"),
    "kr_per_inhabitant_80plus": ("kr/inv 80+", "kr/inv 80+"),
    "kr_per_child": ("kr/inskrivet barn", "kr/inskrivet barn"),
    "kr_per_pupil": ("kr/elev", "kr/elev"),
    "kr_per_user": ("kr/brukare", "kr/brukare"),
}
_SUFFIX_EN: dict[str, tuple[str, str]] = {
    "days": ("day", "days"),
    "hours": ("hour", "hours"),
    "hours_per_week": ("hour per week", "hours per week"),
    "years": ("year", "years"),
    "points": ("point", "points"),
    "per_1000": ("per 1,000 inhabitants", "per 1,000 inhabitants"),
    "per_inhabitant": ("per inhabitant", "per inhabitant"),
    "kr_per_inhabitant": ("per inhabitant", "per inhabitant"),
    "kr_per_inhabitant_80plus": ("per inhabitant aged 80+", "per inhabitant aged 80+"),
    "kr_per_child": ("per enrolled child", "per enrolled child"),
    "kr_per_pupil": ("per pupil", "per pupil"),
    "kr_per_user": ("per user", "per user"),
}
_PP = {"sv": ("procentenhet", "procentenheter"), "en": ("percentage point", "percentage points")}
_PERCENT_WORD = {"sv": "procent", "en": "per cent"}
_MISSING_TEXT = {"sv": "uppgift saknas", "en": "no data"}
_CONTEXT = Context(prec=1000, rounding=ROUND_HALF_UP)  # wide enough for any finite float


def _lang(lang: str) -> str:
    if lang not in _LOCALES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    return lang


def is_missing(value: float | None) -> bool:
    """True for None, NaN and infinities: the values no formatter prints as a number."""
    return value is None or not math.isfinite(value)


@functools.lru_cache(maxsize=16)
def _exponent(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-max(decimals, 0))


def _rounded(value: float, decimals: int) -> Decimal:
    rounded = Decimal(repr(float(value))).quantize(_exponent(decimals), context=_CONTEXT)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def shown(value: float, decimals: int) -> float:
    """``value`` as a page shows it: rounded half away from zero to ``decimals`` (12.25 -> 12.3)."""
    return float(_rounded(value, decimals))


def format_number(value: float | None, decimals: int, lang: str = "sv") -> str:
    """``value`` with ``decimals`` decimals and grouped thousands: sv "1 234,5" (U+00A0), en "1,234.5"; None -> "–"."""
    lang = _lang(lang)
    if value is None or is_missing(value):
        return MISSING
    return _number_text(value, max(int(decimals), 0), lang)


def _number_text(value: float, decimals: int, lang: str) -> str:
    """The digits of a finite value rounded half away from zero on its decimal text (:func:`_rounded`).

    Most values take a quicker way with the same result: Python's float formatting (``f"{x:,.2f}"``)
    rounds the binary value correctly, and that gives the same digits as rounding the shortest decimal
    text ``repr(x)`` unless that text ends in a 5 exactly one place after the last decimal kept (a tie
    such as 2.675 with 2 decimals: the binary value is 2.67499..., the text rounds up), or the value is
    so large that its binary neighbours lie further apart than the decimals shown. Those go through
    :class:`~decimal.Decimal` as before; ``tests/test_formatting.py`` checks both ways against Babel."""
    value = float(value)
    if decimals <= _QUICK_DECIMALS and -_QUICK_BELOW < value < _QUICK_BELOW:
        text = repr(value)
        point = text.find(".")
        if point < 0 or "e" in text or (len(text) - point == decimals + 2 and text[-1] == "5"):
            return _digits(_rounded(value, decimals), lang)
        text = f"{value:,.{decimals}f}"
        if text[0] == "-" and not text.strip("-0.,"):  # rounds to zero: no sign ("0,0", never "-0,0")
            text = text[1:]
        return _layout(text, lang)
    return _digits(_rounded(value, decimals), lang)


# The quick way's range: below 1e8 two neighbouring floats lie less than 1.5e-8 apart, well inside half
# of the last place of 6 decimals (5e-7), so the binary value and its text round to the same digits.
_QUICK_BELOW = 1e8
_QUICK_DECIMALS = 6


def _digits(rounded: Decimal, lang: str) -> str:
    """A rounded number (its exponent gives the decimals) in the language's digits: Python lays it out
    as "-1,234.50", then "," and "." become the locale's group and decimal symbols."""
    return _layout(f"{rounded:,f}", lang)


def _layout(text: str, lang: str) -> str:
    """Python's "-1,234.50" with the language's group and decimal symbols."""
    group, point = _separators(lang)
    if group == "," and point == ".":
        return text
    return text.replace(",", "\0").replace(".", point).replace("\0", group)  # faster than str.translate


@functools.lru_cache(maxsize=4)
def _separators(lang: str) -> tuple[str, str]:
    locale = _locale(lang)
    return get_group_symbol(locale), get_decimal_symbol(locale)


def _babel_number(value: float, decimals: int, lang: str) -> str:
    """The reference :func:`format_number` is checked against: Babel's own layout of the same rounding."""
    decimals = max(int(decimals), 0)
    with localcontext(_CONTEXT):  # Babel quantizes again in the current context; the default one is too narrow
        return str(_pattern(decimals).apply(_rounded(value, decimals), _locale(lang)))


@functools.lru_cache(maxsize=16)
def _pattern(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


@functools.lru_cache(maxsize=4)
def _locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES[lang])


def _is_one(value: float, decimals: int) -> bool:
    return decimals <= 0 and abs(_rounded(value, 0)) == 1


def format_value(value: float | None, unit: str, decimals: int, lang: str = "sv") -> str:
    """A value with its unit: sv "12,5 %", "77 dagar", "1 234 kr/inv"; en "12.5%", "77 days",
    "SEK 1,234 per inhabitant". Unitless codes (count, ratio, index, "") give the bare number; None -> "–"."""
    if lang not in _LOCALES:  # _lang and is_missing written out: a page formats hundreds of values
        _lang(lang)
    if value is None or not math.isfinite(value):
        return MISSING
    number = _number_text(value, max(int(decimals), 0), lang)
    one = decimals <= 0 and number.lstrip("-") == "1"  # _is_one without rounding twice
    if lang == "sv":
        suffix = _SUFFIX_SV.get(unit)
        return f"{number}{NBSP}{suffix[0] if one else suffix[1]}" if suffix else number
    if unit == "percent":
        return f"{number}%"
    prefix = "SEK" + NBSP if unit.startswith("kr") else ""
    suffix = _SUFFIX_EN.get(unit)
    text = f"{prefix}{number}"
    return f"{text}{NBSP}{suffix[0] if one else suffix[1]}" if suffix else text


def format_percentage_points(value: float | None, decimals: int, lang: str = "sv", signed: bool = False) -> str:
    """A difference of two shares: "3,2 procentenheter" / "3.2 percentage points" ("1 procentenhet" in the
    singular). ``signed`` puts "+" before a positive value; None -> "–"."""
    lang = _lang(lang)
    if value is None or is_missing(value):
        return MISSING
    number = format_number(value, decimals, lang)
    if signed and _rounded(value, decimals) > 0:
        number = "+" + number
    singular, plural = _PP[lang]
    return f"{number}{NBSP}{singular if _is_one(value, decimals) else plural}"


def format_percent_change(value: float | None, decimals: int = 0, lang: str = "sv", signed: bool = False) -> str:
    """A relative change in running text: "4 procent" / "4 per cent" (a "%" sign is for values, not prose)."""
    lang = _lang(lang)
    if value is None or is_missing(value):
        return MISSING
    number = format_number(value, decimals, lang)
    if signed and _rounded(value, decimals) > 0:
        number = "+" + number
    return f"{number}{NBSP}{_PERCENT_WORD[lang]}"


def missing_text(lang: str = "sv") -> str:
    """What running text says instead of a number: "uppgift saknas" / "no data"."""
    return _MISSING_TEXT[_lang(lang)]


_SPACES = str.maketrans("", "", " \xa0\u202f\u2009")


def parse_number(text: str) -> float:
    """A number as Swedish and English writers write it: "12.5", "12,5", "1 234,5", "−3" (a finite
    float); ValueError otherwise, for the caller to name where it was."""
    try:
        value = float(text)
    except ValueError:
        value = float(text.strip().translate(_SPACES).replace("\u2212", "-").replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(text)
    return value
