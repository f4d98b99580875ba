"""core.trend: change since the previous year and over N years (docs/method.md, "Change over time")."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kommunkvalitet.core.comparison import (
    BAND_BEST,
    BAND_MIDDLE,
    BAND_NONE,
    BAND_SECOND,
    BAND_THIRD,
    BAND_WORST,
    ComparisonSettings,
    compare,
)
from kommunkvalitet.core.trend import (
    ASSESSMENT_NAMES,
    BAND_MOVEMENT_NAMES,
    MOVEMENT_NAMES,
    band_movement,
    change,
)
from kommunkvalitet.errors import InputError

NAN = float("nan")


def ids_for(n: int) -> np.ndarray:
    return np.array([f"{1000 + i:04d}" for i in range(n)])


def names(table: tuple[str, ...], codes: np.ndarray) -> list[str]:
    return [table[c] for c in codes]


# --- worked examples (docs/method.md) -------------------------------------------------------------


def test_example_6_previous_year_missing_falls_back_and_says_which_year():
    # a share (%): 2019 80.0, 2020 missing, 2021 86.5; the second municipality has 2020
    values = np.array([[80.0, 70.0], [NAN, 71.0], [86.5, 73.0]])
    result = change(ids_for(2), values, [2019, 2020, 2021], "higher", is_share=True)
    first = result.municipality("1000")
    assert (first.year, first.requested_base_year, first.base_year) == (2021, 2020, 2019)
    assert first.absolute == pytest.approx(6.5) and first.percentage_points == pytest.approx(6.5)
    assert first.percent == pytest.approx(8.125)
    assert (first.movement, first.assessment, first.marked) == ("up", "improved", True)
    second = result.municipality("1001")
    assert second.base_year == 2020 and second.absolute == pytest.approx(2.0) and not second.marked
    assert result.fell_back.tolist() == [True, False]


def test_fallback_can_be_limited():
    values = np.array([[80.0], [NAN], [NAN], [86.5]])
    years = [2018, 2019, 2020, 2021]
    assert change(ids_for(1), values, years, "higher").base_year[0] == 2018
    limited = change(ids_for(1), values, years, "higher", settings=ComparisonSettings(max_fallback_years=1))
    view = limited.municipality("1000")
    assert (view.base_year, view.absolute, view.movement, view.assessment) == (None, None, None, None)
    assert not view.marked


def test_example_7_waiting_days_lower_is_better_and_relative_threshold():
    # days: 30 -> 24 is -20 % (marked, inclusive), 30 -> 27 is -10 %, 30 -> 36 is +20 % and worse
    values = np.array([[30.0, 30.0, 30.0, 0.0, 12.0], [24.0, 27.0, 36.0, 2.0, 12.0]])
    result = change(ids_for(5), values, [2021, 2022], "lower")
    assert result.percentage_points is None
    assert result.percent[:3] == pytest.approx([-20.0, -10.0, 20.0])
    assert names(MOVEMENT_NAMES, result.movement) == ["down", "down", "up", "up", "unchanged"]
    assert names(ASSESSMENT_NAMES, result.assessment) == [
        "improved",
        "improved",
        "worsened",
        "worsened",
        "unchanged",
    ]
    assert result.marked.tolist() == [True, False, True, True, False]  # from 0 any change is marked
    assert np.isnan(result.percent[3])
    ten_percent = ComparisonSettings(marked_change_percent=10)
    ten = change(ids_for(5), values, [2021, 2022], "lower", settings=ten_percent)
    assert ten.marked.tolist() == [True, True, True, True, False]


def test_marked_share_threshold_is_inclusive_in_percentage_points():
    values = np.array([[50.0, 50.0, 50.0], [55.0, 54.9, 45.0]])
    result = change(ids_for(3), values, [2021, 2022], "higher", is_share=True)
    assert result.marked.tolist() == [True, False, True]
    custom = change(
        ids_for(3),
        values,
        [2021, 2022],
        "higher",
        is_share=True,
        settings=ComparisonSettings(marked_change_pp=2),
    )
    assert custom.marked.tolist() == [True, True, True]


def test_over_n_years_with_gaps_in_the_years():
    values = np.array([[10.0, 10.0], [11.0, NAN], [12.0, 13.0], [14.0, 9.0]])
    result = change(ids_for(2), values, [2015, 2017, 2018, 2020], "higher", span=3)
    assert result.requested_base_year == 2017
    assert result.base_year.tolist() == [2017, 2015]  # the second has no 2017 value
    assert result.absolute.tolist() == [3.0, -1.0]
    earlier = change(ids_for(2), values, [2015, 2017, 2018, 2020], "higher", year=2018, span=1)
    assert earlier.base_year.tolist() == [2017, 2015] and earlier.absolute.tolist() == [1.0, 3.0]


def test_negative_base_uses_its_size_for_percent():
    values = np.array([[-20.0], [-10.0]])
    result = change(ids_for(1), values, [2021, 2022], "higher")
    assert result.percent[0] == pytest.approx(50.0)
    assert names(ASSESSMENT_NAMES, result.assessment) == ["improved"]


def test_direction_none_has_movement_but_no_assessment_or_bands():
    values = np.vstack([np.arange(12.0), np.arange(12.0)[::-1]])
    result = change(ids_for(12), values, [2021, 2022], "none")
    assert (result.assessment == 0).all() and (result.band_movement == 0).all()
    assert MOVEMENT_NAMES[result.movement[0]] == "up"
    assert result.marked[0]


def test_missing_current_value_gives_no_change():
    values = np.array([[10.0, 10.0], [NAN, 10.0 + 1e-12]])
    result = change(ids_for(2), values, [2021, 2022], "higher")
    assert result.municipality("1000").absolute is None and result.base_year[0] == 2021
    assert result.municipality("1000").movement is None
    assert MOVEMENT_NAMES[result.movement[1]] == "unchanged"  # float noise is not a change


def test_example_8_band_movement():
    # 12 municipalities, higher is better; the first climbs from worst to best, the second falls
    before = np.array([1, 100, 50, 51, 52, 53, 54, 55, 56, 57, 90, 95], float)
    after = np.array([99, 2, 50, 51, 52, 53, 54, 55, 56, 57, 90, 95], float)
    result = change(ids_for(12), np.vstack([before, after]), [2021, 2022], "higher")
    view = result.municipality("1000")
    assert (view.band_before, view.band_after, view.band_movement) == ("worst", "best", "entered_best")
    assert result.municipality("1001").band_movement == "entered_worst"
    assert result.municipality("1011").band_movement == "stayed"  # 95: best both years
    # the bands are those of compare() in each year
    assert np.array_equal(result.band_before, compare(ids_for(12), before, "higher").band)
    assert np.array_equal(result.band_after, compare(ids_for(12), after, "higher").band)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (BAND_BEST, BAND_BEST, "stayed"),
        (BAND_MIDDLE, BAND_BEST, "entered_best"),
        (BAND_WORST, BAND_BEST, "entered_best"),
        (BAND_BEST, BAND_MIDDLE, "left_best"),
        (BAND_BEST, BAND_WORST, "entered_worst"),
        (BAND_MIDDLE, BAND_WORST, "entered_worst"),
        (BAND_WORST, BAND_MIDDLE, "left_worst"),
        (BAND_THIRD, BAND_SECOND, "moved_up"),
        (BAND_SECOND, BAND_THIRD, "moved_down"),
        (BAND_NONE, BAND_BEST, "none"),
        (BAND_MIDDLE, BAND_NONE, "none"),
    ],
)
def test_band_movement_codes(before, after, expected):
    assert BAND_MOVEMENT_NAMES[band_movement(np.array([before]), np.array([after]))[0]] == expected


def test_bad_input_is_refused():
    with pytest.raises(InputError):
        change(ids_for(2), np.zeros((2, 2)), [2022, 2021], "higher")
    with pytest.raises(InputError):
        change(ids_for(2), np.zeros((2, 2)), [2021, 2022], "higher", year=2023)
    with pytest.raises(InputError):
        change(ids_for(2), np.zeros((2, 2)), [2021, 2022], "higher", span=0)
    with pytest.raises(InputError):
        change(ids_for(2), np.zeros(2), [2021], "higher")
    with pytest.raises(InputError):
        change(np.array(["0000", "1463"]), np.zeros((2, 2)), [2021, 2022], "higher")


# --- property: the vectorised function equals a plain per-municipality reading of the rules -------


@given(
    st.integers(1, 6).flatmap(
        lambda n_years: st.tuples(
            st.lists(
                st.lists(st.one_of(st.integers(0, 20).map(float), st.just(NAN)), min_size=4, max_size=4),
                min_size=n_years,
                max_size=n_years,
            ),
            st.sets(st.integers(2010, 2025), min_size=n_years, max_size=n_years).map(sorted),
        )
    ),
    st.integers(1, 3),
    st.sampled_from(["higher", "lower", "none"]),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 3)),
)
def test_change_matches_a_plain_reading_of_the_rules(data, span, direction, is_share, max_fallback):
    rows, years = data
    values = np.array(rows, dtype=float)
    s = ComparisonSettings(max_fallback_years=max_fallback)
    result = change(ids_for(4), values, years, direction, span=span, is_share=is_share, settings=s)
    requested = years[-1] - span
    sign = {"higher": 1, "lower": -1, "none": 0}[direction]
    for m in range(4):
        earliest = -np.inf if max_fallback is None else requested - max_fallback
        present = [(y, values[i, m]) for i, y in enumerate(years) if not np.isnan(values[i, m])]
        candidates = [(y, v) for y, v in present if earliest <= y <= requested]
        current = values[-1, m]
        if not candidates or np.isnan(current):
            assert np.isnan(result.absolute[m]) and result.movement[m] == 0 and not result.marked[m]
            continue
        base_year, base = candidates[-1]
        assert result.base_year[m] == base_year and result.absolute[m] == current - base
        diff = current - base
        moved = "up" if diff > 0 else "down" if diff < 0 else "unchanged"
        assert MOVEMENT_NAMES[result.movement[m]] == moved
        verdicts = {1: "improved", -1: "worsened", 0: "unchanged"}
        expected = "none" if sign == 0 else verdicts[int(np.sign(diff * sign))]
        assert ASSESSMENT_NAMES[result.assessment[m]] == expected
        relative_mark = diff != 0 and abs(diff) * 100 >= 20 * abs(base)  # also: any change from 0
        marked = abs(diff) >= 5 if is_share else relative_mark
        assert result.marked[m] == marked


@hsettings(max_examples=80, deadline=None)
@given(st.data())
def test_change_table_agrees_with_change(data):
    """The whole-table change gives, row by row, what change() gives for each series and year, with
    the same base year under every fallback limit and span (one rule: trend.base_rows)."""
    from kommunkvalitet.core.comparison import compare_table
    from kommunkvalitet.core.trend import change_table

    n_munis = data.draw(st.integers(12, 30))
    years = sorted(data.draw(st.sets(st.integers(2012, 2022), min_size=2, max_size=7)))  # with gaps
    direction = data.draw(st.sampled_from(["higher", "lower", "none"]))
    is_share = data.draw(st.booleans())
    span = data.draw(st.integers(1, 3))
    s = ComparisonSettings(max_fallback_years=data.draw(st.one_of(st.none(), st.integers(0, 3))))
    grid = np.array(
        data.draw(
            st.lists(
                st.lists(st.one_of(st.none(), st.integers(0, 40)), min_size=n_munis, max_size=n_munis),
                min_size=len(years),
                max_size=len(years),
            )
        ),  # fmt: skip
        dtype=np.float64,
    )
    ids = np.array([f"{1000 + i}" for i in range(n_munis)], dtype=object)
    yi, mi = np.nonzero(~np.isnan(grid))
    year = np.array(years)[yi]
    values = grid[yi, mi]
    sign = {"higher": 1, "lower": -1, "none": 0}[direction]
    zeros = np.zeros(year.size, dtype=np.int64)
    table = compare_table(zeros, year, zeros, values, np.array([sign]), s, municipality_index=mi)
    result = change_table(zeros, mi, year, values, table.band, np.full(year.size, sign), is_share, s, span=span)
    for y in years:
        expected = change(ids, grid, years, direction, year=y, span=span, is_share=is_share, settings=s)
        for row in np.flatnonzero(year == y):
            m = mi[row]
            assert result.marked[row] == expected.marked[m]
            assert result.assessment[row] == expected.assessment[m]
            assert result.movement[row] == expected.movement[m]
            assert result.band_movement[row] == expected.band_movement[m]
            assert np.array_equal(result.absolute[row], expected.absolute[m], equal_nan=True)
            if expected.base_year[m]:
                assert year[result.base_index[row]] == expected.base_year[m]
            else:
                assert result.base_index[row] == -1


def test_change_table_keeps_the_fallback_limit():
    """With max_fallback_years=0 a value two years back is no base, in change() and in change_table."""
    grid = np.array([[80.0] * 12, [NAN] * 12, [86.0] * 12])
    years = [2019, 2020, 2021]
    s = ComparisonSettings(max_fallback_years=0)
    one = change(ids_for(12), grid, years, "higher", settings=s)
    assert one.base_year[0] == 0 and np.isnan(one.absolute[0])
    from kommunkvalitet.core.trend import change_table

    year = np.repeat([2019, 2021], 12)
    mun = np.tile(np.arange(12), 2)
    values = np.concatenate([grid[0], grid[2]])
    zeros = np.zeros(24, dtype=np.int64)
    table = change_table(zeros, mun, year, values, zeros.astype(np.int8), np.ones(24), settings=s)
    assert (table.base_index == -1).all() and np.isnan(table.absolute).all()
    unlimited = change_table(zeros, mun, year, values, zeros.astype(np.int8), np.ones(24))
    assert (unlimited.base_index[12:] == np.arange(12)).all()
