"""Change over time for one KPI (and gender): since the previous year or over N years.

Pure functions over a 2-D array ``values[year_index, municipality_index]`` (NaN = missing) and the
list of its years. Every rule, with worked examples, is in docs/method.md ("Change over time").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kommunkvalitet.core.comparison import (
    BAND_BEST,
    BAND_NAMES,
    BAND_NONE,
    BAND_WORST,
    DEFAULT_SETTINGS,
    ComparisonSettings,
    Direction,
    check_municipality_ids,
    compare_table,
    direction_code,
    index_of,
)
from kommunkvalitet.errors import InputError

# How the value moved, whatever the direction (Klippan's "Upp / Lika / Ned / Ingen").
MOVEMENT_NONE, MOVEMENT_UP, MOVEMENT_UNCHANGED, MOVEMENT_DOWN = 0, 1, 2, 3
MOVEMENT_NAMES = ("none", "up", "unchanged", "down")
# The same movement read with the direction; 0 when the direction is "none" or there is no base.
ASSESSMENT_NONE, ASSESSMENT_IMPROVED, ASSESSMENT_UNCHANGED, ASSESSMENT_WORSENED = 0, 1, 2, 3
ASSESSMENT_NAMES = ("none", "improved", "unchanged", "worsened")

# Band movement between the base year and the year, named by the band it ends in when that is an
# extreme band, else by the band it left; moved_up / moved_down are moves between inner groups.
BAND_MOVEMENT_NAMES = (
    "none", "stayed", "entered_best", "left_best", "entered_worst", "left_worst", "moved_up", "moved_down",
)  # fmt: skip
(
    BANDMOVE_NONE,
    BANDMOVE_STAYED,
    BANDMOVE_ENTERED_BEST,
    BANDMOVE_LEFT_BEST,
    BANDMOVE_ENTERED_WORST,
    BANDMOVE_LEFT_WORST,
    BANDMOVE_MOVED_UP,
    BANDMOVE_MOVED_DOWN,
) = range(8)


@dataclass(frozen=True)
class MunicipalityChange:
    """One municipality's change, with None where there is nothing to say."""

    municipality_id: str
    year: int
    requested_base_year: int
    base_year: int | None  # the year actually compared with (earlier when the requested one is missing)
    value: float | None
    base_value: float | None
    absolute: float | None
    percent: float | None
    percentage_points: float | None
    movement: str | None
    assessment: str | None
    marked: bool
    band_before: str | None
    band_after: str | None
    band_movement: str | None


@dataclass(frozen=True)
class Change:
    """The result of :func:`change`; arrays are aligned with the municipality ids."""

    ids: np.ndarray
    year: int
    requested_base_year: int
    is_share: bool
    value: np.ndarray  # the year's value (NaN = missing)
    base_value: np.ndarray  # NaN where no base year has a value
    base_year: np.ndarray  # int32, 0 = no base
    absolute: np.ndarray  # value - base_value (NaN = no change to report)
    percent: np.ndarray  # 100 * absolute / |base_value|; NaN also where base_value == 0
    percentage_points: np.ndarray | None  # = absolute when the unit is a share, else None
    movement: np.ndarray  # int8 MOVEMENT_* code
    assessment: np.ndarray  # int8 ASSESSMENT_* code
    marked: np.ndarray  # bool: a marked (markant) change
    band_before: np.ndarray  # int8 band code in base_year (comparison.BAND_NAMES)
    band_after: np.ndarray  # int8 band code in year
    band_movement: np.ndarray  # int8 BANDMOVE_* code

    @property
    def fell_back(self) -> np.ndarray:
        """True where the base is an earlier year than the one asked for."""
        fell_back: np.ndarray = (self.base_year != 0) & (self.base_year != self.requested_base_year)
        return fell_back

    def municipality(self, municipality_id: str) -> MunicipalityChange:
        i = index_of(self.ids, municipality_id, "change")

        def num(a: np.ndarray | None) -> float | None:
            return None if a is None or np.isnan(a[i]) else float(a[i])

        def name(names: tuple[str, ...], a: np.ndarray) -> str | None:
            return names[a[i]] if a[i] else None

        return MunicipalityChange(
            municipality_id=municipality_id,
            year=self.year,
            requested_base_year=self.requested_base_year,
            base_year=int(self.base_year[i]) or None,
            value=num(self.value),
            base_value=num(self.base_value),
            absolute=num(self.absolute),
            percent=num(self.percent),
            percentage_points=num(self.percentage_points),
            movement=name(MOVEMENT_NAMES, self.movement),
            assessment=name(ASSESSMENT_NAMES, self.assessment),
            marked=bool(self.marked[i]),
            band_before=name(BAND_NAMES, self.band_before),
            band_after=name(BAND_NAMES, self.band_after),
            band_movement=name(BAND_MOVEMENT_NAMES, self.band_movement),
        )


def classify(
    current: np.ndarray, base_value: np.ndarray, ok: np.ndarray, sign: np.ndarray | int,
    is_share: np.ndarray | bool, settings: ComparisonSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The rules of a change, for aligned arrays: (absolute, percent, movement, assessment, marked).

    ``ok`` marks where both values exist; ``sign`` is the direction code (scalar or per element);
    ``is_share`` (scalar or per element) makes "marked" a threshold in percentage points instead of
    a relative one. From zero any change is an infinite relative change, hence marked.
    """
    absolute = np.where(ok, current - base_value, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(ok & (base_value != 0), 100.0 * absolute / np.abs(base_value), np.nan)
    tol = settings.unchanged_tolerance
    moved = ok & (np.abs(absolute) > tol)
    up = (absolute > tol).astype(np.int8)
    down = (absolute < -tol).astype(np.int8)
    movement = np.where(ok, MOVEMENT_UNCHANGED - up + down, MOVEMENT_NONE).astype(np.int8)
    good_side = (up - down) * sign  # +1 improved, -1 worsened
    assessment = np.where(ok & (sign != 0), ASSESSMENT_UNCHANGED - good_side, ASSESSMENT_NONE).astype(np.int8)
    with np.errstate(invalid="ignore"):
        marked_share = np.abs(absolute) >= settings.marked_change_pp
        marked_other = (base_value == 0) | (np.abs(percent) >= settings.marked_change_percent)
        marked = moved & np.where(is_share, marked_share, marked_other)
    return absolute, percent, movement, assessment, marked


@dataclass(frozen=True)
class ChangeTable:
    """The result of :func:`change_table`, aligned with its input rows."""

    base_index: np.ndarray  # row of the base value (the latest earlier year with a value), -1 = none
    absolute: np.ndarray
    percent: np.ndarray
    movement: np.ndarray
    assessment: np.ndarray
    marked: np.ndarray
    band_movement: np.ndarray


def change_table(
    series: np.ndarray,
    municipality_index: np.ndarray,
    year: np.ndarray,
    values: np.ndarray,
    band: np.ndarray,
    sign: np.ndarray,
    is_share: np.ndarray | bool = False,
    settings: ComparisonSettings = DEFAULT_SETTINGS,
    *,
    span: int = 1,
) -> ChangeTable:
    """:func:`change` for every value of a whole table at once: each value against the same
    municipality's value in ``year - span`` in the same series (a KPI and gender), or the latest
    earlier one within ``settings.max_fallback_years`` (:func:`base_rows`), with no loop.

    ``band`` per row comes from :func:`~kommunkvalitet.core.comparison.compare_table`; ``sign`` and
    ``is_share`` are per row. Rows without a value (NaN) are neither compared nor used as a base.
    """
    v = np.asarray(values, dtype=np.float64)
    if span < 1:
        raise InputError("span must be at least one year", field="span")
    mun = np.asarray(municipality_index, dtype=np.int64)
    key = np.asarray(series, dtype=np.int64) * (int(mun.max(initial=0)) + 1) + mun
    yr = np.asarray(year, dtype=np.int64)
    valid = ~np.isnan(v)
    base_index = base_rows(key, yr, valid, key, yr - span, settings.max_fallback_years)
    base_index[~valid] = -1
    ok = base_index >= 0
    base_value = np.where(ok, v[np.maximum(base_index, 0)], np.nan)
    absolute, percent, movement, assessment, marked = classify(v, base_value, ok, sign, is_share, settings)
    before = np.where(ok, band[np.maximum(base_index, 0)], BAND_NONE).astype(np.int8)
    after = np.where(ok, band, BAND_NONE).astype(np.int8)
    return ChangeTable(base_index, absolute, percent, movement, assessment, marked, band_movement(before, after))


def base_rows(
    key: np.ndarray,
    year: np.ndarray,
    has_value: np.ndarray,
    wanted_key: np.ndarray,
    wanted_year: np.ndarray,
    max_fallback_years: int | None,
) -> np.ndarray:
    """The one rule of the base year: for each wanted (key, year), the row with the same ``key`` and
    a value in the latest year not after ``wanted_year`` and, with a limit, not before
    ``wanted_year - max_fallback_years``; -1 where there is none.

    ``key`` (ints >= 0, e.g. a series and municipality), ``year`` and ``has_value`` are aligned rows
    in any order; each key has each year at most once. No loop: one sort and one binary search.
    """
    key = np.asarray(key, dtype=np.int64)
    year = np.asarray(year, dtype=np.int64)
    wanted_key = np.asarray(wanted_key, dtype=np.int64)
    wanted_year = np.asarray(wanted_year, dtype=np.int64)
    out = np.full(wanted_key.shape, -1, dtype=np.int64)
    rows = np.flatnonzero(has_value)
    if rows.size == 0 or out.size == 0:
        return out
    y0 = min(int(year[rows].min()), int(wanted_year.min()))
    width = max(int(year[rows].max()), int(wanted_year.max())) - y0 + 1
    packed = key[rows] * width + (year[rows] - y0)  # (key, year) in one sortable number
    order = np.argsort(packed, kind="stable")
    packed = packed[order]
    at = np.searchsorted(packed, wanted_key * width + (wanted_year - y0), side="right") - 1
    found = at >= 0
    at = np.maximum(at, 0)
    found &= packed[at] // width == wanted_key
    if max_fallback_years is not None:
        found &= packed[at] % width + y0 >= wanted_year - max_fallback_years
    out[found] = rows[order[at[found]]]
    return out


def band_movement(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """BANDMOVE_* codes for two aligned arrays of band codes (0 = no band: no movement either)."""
    before = np.asarray(before, dtype=np.int8)
    after = np.asarray(after, dtype=np.int8)
    code = np.select(
        [
            (before == BAND_NONE) | (after == BAND_NONE),
            before == after,
            after == BAND_BEST,
            after == BAND_WORST,
            before == BAND_BEST,
            before == BAND_WORST,
            after < before,  # band codes are ordered best first
        ],
        [BANDMOVE_NONE, BANDMOVE_STAYED, BANDMOVE_ENTERED_BEST, BANDMOVE_ENTERED_WORST, BANDMOVE_LEFT_BEST,
         BANDMOVE_LEFT_WORST, BANDMOVE_MOVED_UP],
        BANDMOVE_MOVED_DOWN,
    )  # fmt: skip
    return code.astype(np.int8)


def band_matrix(
    values: np.ndarray, direction: Direction, settings: ComparisonSettings = DEFAULT_SETTINGS
) -> np.ndarray:
    """Band codes for every cell of ``values[year_index, municipality_index]``, each year on its own."""
    n_years, n_munis = values.shape
    year_index = np.repeat(np.arange(n_years), n_munis)
    zeros = np.zeros(year_index.size, dtype=np.int64)
    directions = np.array([direction_code(direction)])
    municipality_index = np.tile(np.arange(n_munis), n_years)
    table = compare_table(
        zeros,
        year_index,
        zeros,
        values.reshape(-1),
        directions,
        settings,
        municipality_index=municipality_index,
    )
    return table.band.reshape(n_years, n_munis)


def change(
    ids: np.ndarray,
    values: np.ndarray,
    years: Sequence[int],
    direction: Direction,
    *,
    year: int | None = None,
    span: int = 1,
    is_share: bool = False,
    settings: ComparisonSettings = DEFAULT_SETTINGS,
) -> Change:
    """Change of every municipality from ``year - span`` to ``year`` (default: the last year).

    ``values[year_index, municipality_index]`` holds one KPI and gender; ``years`` (strictly
    increasing) names its rows and may have gaps. When a municipality has no value in ``year - span``
    the latest earlier year with a value is used instead (at most ``settings.max_fallback_years``
    further back) and reported in ``base_year``. Band movement compares the band in ``base_year`` with
    the band in ``year``, each computed over all municipalities of that year.
    """
    vals = np.asarray(values, dtype=np.float64)
    yrs = np.asarray(years, dtype=np.int64)
    if vals.ndim != 2 or yrs.shape != (vals.shape[0],):
        raise InputError("values must be 2-D, one row per year in years", field="values")
    if yrs.size > 1 and not (np.diff(yrs) > 0).all():
        raise InputError("years must be strictly increasing", field="years")
    if np.isinf(vals).any():
        raise InputError("values must be finite or NaN (missing)", field="values")
    if span < 1:
        raise InputError("span must be at least one year", field="span")
    ids = check_municipality_ids(ids, vals.shape[1])
    sign = direction_code(direction)
    year = int(yrs[-1]) if year is None else int(year)
    if year not in yrs:
        raise InputError(f"year {year} is not one of the years given", field="year")
    t = int(np.searchsorted(yrs, year))
    requested = year - span

    # The base per municipality (the cells are rows of one long table: key = column).
    n_years, n_cols = vals.shape
    cols = np.arange(n_cols)
    cell = base_rows(
        np.tile(cols, n_years), np.repeat(yrs, n_cols), ~np.isnan(vals).reshape(-1),
        cols, np.full(n_cols, requested), settings.max_fallback_years,
    )  # fmt: skip
    found = cell >= 0
    base_row = np.where(found, cell // max(n_cols, 1), 0)
    current = vals[t]
    ok = found & ~np.isnan(current)
    base_value = np.where(found, vals[base_row, cols], np.nan)
    base_year = np.where(found, yrs[base_row], 0).astype(np.int32)

    absolute, percent, movement, assessment, marked = classify(current, base_value, ok, sign, is_share, settings)

    if sign != 0 and n_cols >= settings.min_n_for_bands:  # fewer municipalities: no bands at all
        bands = band_matrix(vals, direction, settings)
        band_after = np.where(ok, bands[t], BAND_NONE).astype(np.int8)
        band_before = np.where(ok, bands[base_row, cols], BAND_NONE).astype(np.int8)
    else:
        band_after = band_before = np.zeros(cols.size, dtype=np.int8)
    return Change(
        ids=ids,
        year=year,
        requested_base_year=requested,
        is_share=is_share,
        value=current.copy(),
        base_value=base_value,
        base_year=base_year,
        absolute=absolute,
        percent=percent,
        percentage_points=absolute.copy() if is_share else None,
        movement=movement,
        assessment=assessment,
        marked=marked,
        band_before=band_before,
        band_after=band_after,
        band_movement=band_movement(band_before, band_after),
    )
