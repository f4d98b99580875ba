"""Swedish and English number formatting (core/formatting.py)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kommunkvalitet.core import formatting
from kommunkvalitet.core.formatting import (
    MISSING,
    NBSP,
    format_number,
    format_percent_change,
    format_percentage_points,
    format_value,
    is_missing,
    missing_text,
)


@pytest.mark.parametrize(
    ("value", "decimals", "sv", "en"),
    [
        (12.5, 1, "12,5", "12.5"),
        (1234, 0, f"1{NBSP}234", "1,234"),
        (1234.5, 1, f"1{NBSP}234,5", "1,234.5"),
        (245100, 0, f"245{NBSP}100", "245,100"),
        (1234567.891, 2, f"1{NBSP}234{NBSP}567,89", "1,234,567.89"),
        (999, 0, "999", "999"),
        (0.0534, 3, "0,053", "0.053"),
        (77, 0, "77", "77"),
        (15.9, 0, "16", "16"),
        (-3.25, 1, "-3,3", "-3.3"),  # half away from zero
        (12.25, 1, "12,3", "12.3"),  # not banker's rounding
        (2.675, 2, "2,68", "2.68"),  # the decimal text of the float, not its binary value
        (0.5, 0, "1", "1"),
        (-0.04, 1, "0,0", "0.0"),  # no negative zero
        (-0.4, 0, "0", "0"),
        (7, 2, "7,00", "7.00"),
    ],
)
def test_format_number(value, decimals, sv, en):
    assert format_number(value, decimals, "sv") == sv
    assert format_number(value, decimals, "en") == en


def test_format_number_default_language_is_swedish():
    assert format_number(1234.5, 1) == f"1{NBSP}234,5"


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf])
def test_missing_values(value):
    assert is_missing(value)
    assert format_number(value, 1) == MISSING == "\u2013"
    assert format_value(value, "percent", 1, "en") == MISSING
    assert format_percentage_points(value, 1) == MISSING
    assert format_percent_change(value, 0) == MISSING


def test_missing_text():
    assert missing_text("sv") == "uppgift saknas"
    assert missing_text("en") == "no data"


def test_unknown_language_raises():
    with pytest.raises(ValueError, match="unknown language"):
        format_number(1, 0, "de")


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "sv", "en"),
    [
        (12.5, "percent", 1, f"12,5{NBSP}%", "12.5%"),
        (77, "days", 0, f"77{NBSP}dagar", f"77{NBSP}days"),
        (1, "days", 0, f"1{NBSP}dag", f"1{NBSP}day"),
        (1.0, "days", 1, f"1,0{NBSP}dagar", f"1.0{NBSP}days"),
        (8.7, "days", 1, f"8,7{NBSP}dagar", f"8.7{NBSP}days"),
        (1234, "kr_per_inhabitant", 0, f"1{NBSP}234{NBSP}kr/inv", f"SEK{NBSP}1,234{NBSP}per inhabitant"),
        (
            245100,
            "kr_per_inhabitant_80plus",
            0,
            f"245{NBSP}100{NBSP}kr/inv 80+",
            f"SEK{NBSP}245,100{NBSP}per inhabitant aged 80+",
        ),
        (
            160512,
            "kr_per_child",
            0,
            f"160{NBSP}512{NBSP}kr/inskrivet barn",
            f"SEK{NBSP}160,512{NBSP}per enrolled child",
        ),
        (120000, "kr_per_pupil", 0, f"120{NBSP}000{NBSP}kr/elev", f"SEK{NBSP}120,000{NBSP}per pupil"),
        (500, "kr", 0, f"500{NBSP}kr", f"SEK{NBSP}500"),
        (19, "count", 0, "19", "19"),
        (5.1, "ratio", 1, "5,1", "5.1"),
        (0.061, "ratio", 3, "0,061", "0.061"),
        (72, "index", 0, "72", "72"),
        (12.3, "per_1000", 1, f"12,3{NBSP}per 1{NBSP}000 inv", f"12.3{NBSP}per 1,000 inhabitants"),
        (3.4, "per_inhabitant", 1, f"3,4{NBSP}per inv", f"3.4{NBSP}per inhabitant"),
        (50, "hours_per_week", 0, f"50{NBSP}timmar/vecka", f"50{NBSP}hours per week"),
        (1, "hours_per_week", 0, f"1{NBSP}timme/vecka", f"1{NBSP}hour per week"),
        (3.5, "no_such_unit", 1, "3,5", "3.5"),
        (3.5, "", 1, "3,5", "3.5"),
    ],
)
def test_format_value(value, unit, decimals, sv, en):
    assert format_value(value, unit, decimals, "sv") == sv
    assert format_value(value, unit, decimals, "en") == en


def test_percentage_points():
    assert format_percentage_points(3.2, 1) == f"3,2{NBSP}procentenheter"
    assert format_percentage_points(3.2, 1, "en") == f"3.2{NBSP}percentage points"
    assert format_percentage_points(1, 0) == f"1{NBSP}procentenhet"
    assert format_percentage_points(-1, 0, "en") == f"-1{NBSP}percentage point"
    assert format_percentage_points(1.0, 1) == f"1,0{NBSP}procentenheter"
    assert format_percentage_points(3.2, 1, signed=True) == f"+3,2{NBSP}procentenheter"
    assert format_percentage_points(-3.2, 1, signed=True) == f"-3,2{NBSP}procentenheter"
    assert format_percentage_points(0.01, 1, signed=True) == f"0,0{NBSP}procentenheter"


def test_percent_change():
    assert format_percent_change(4.44) == f"4{NBSP}procent"
    assert format_percent_change(4.44, 1, "en", signed=True) == f"+4.4{NBSP}per cent"


def _parse(text: str, lang: str) -> Decimal:
    if lang == "sv":
        return Decimal(text.replace(NBSP, "").replace(",", "."))
    return Decimal(text.replace(",", ""))


@given(
    value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    decimals=st.integers(0, 4),
    lang=st.sampled_from(["sv", "en"]),
)
def test_format_number_round_trips(value, decimals, lang):
    text = format_number(value, decimals, lang)
    parsed = _parse(text, lang)
    assert abs(parsed - Decimal(repr(value))) <= Decimal(1).scaleb(-decimals) / 2
    if decimals:
        assert len(text.rsplit("," if lang == "sv" else ".", 1)[1]) == decimals
    assert not text.startswith("-0") or parsed != 0


@given(
    value=st.floats(allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(["percent", "days", "count", "ratio", "kr_per_inhabitant", "kr_per_pupil", "zzz"]),
    decimals=st.integers(0, 3),
    lang=st.sampled_from(["sv", "en"]),
)
def test_format_value_never_crashes_and_contains_the_number(value, unit, decimals, lang):
    assert format_number(value, decimals, lang) in format_value(value, unit, decimals, lang)


# Values near every kind of edge of the quick way (format_number's float formatting): ties one place
# after the last decimal kept (2.675), values that round to zero from below, the range's end (1e8) and
# beyond, and any float at all.
_TIES = st.builds(
    lambda whole, tail, decimals, sign: (sign * float(f"{whole}.{tail:0{decimals}d}5"), decimals),
    st.integers(0, 10**9), st.integers(0, 10**4), st.integers(0, 4), st.sampled_from([1, -1]),
)  # fmt: skip
_ANY = st.tuples(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.floats(-1e9, 1e9),
        st.floats(-1e-3, 1e-3),
        st.sampled_from([1e8, -1e8, 99999999.99999999, 1e8 + 0.125, 0.5, -0.5, 1.5, 2.5, -0.0, 1e-7]),
    ),
    st.integers(0, 8),
)


@given(case=st.one_of(_TIES, _ANY), lang=st.sampled_from(["sv", "en"]))
def test_format_number_gives_babels_digits_by_either_way(case, lang):
    """The quick way (Python's float formatting) and the Decimal way give Babel's digits with the
    rounding on the decimal text, half away from zero: 2.675 -> "2,68", -0.04 -> "0,0"."""
    value, decimals = case
    reference = formatting._babel_number(value, decimals, lang)
    assert format_number(value, decimals, lang) == reference
    assert formatting._digits(formatting._rounded(value, decimals), lang) == reference


def test_format_number_rounds_ties_on_the_text_not_the_binary_value():
    # The binary values are 2.67499..., 1.00499..., 0.1249999...: Python's own formatting rounds down.
    assert f"{2.675:.2f}" == "2.67"
    assert format_number(2.675, 2) == "2,68"
    assert format_number(1.005, 2, "en") == "1.01"
    assert format_number(-0.125, 2) == "-0,13"
    assert format_number(-0.004, 2) == "0,00"
    assert format_value(-0.4, "days", 0) == f"0{NBSP}dagar"
    assert format_value(-1.4, "days", 0) == f"-1{NBSP}dag"
