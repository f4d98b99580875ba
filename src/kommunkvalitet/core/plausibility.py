"""Which values are not comparable (issue 10): a value its unit does not allow, or an extreme outlier.

Pure functions over NumPy arrays; no Django, no I/O. A flagged value is still shown (with "ej
jämförbart"), but the comparison engine leaves it out of the rikssnitt, the ranks and the bands. The
rules and the threshold, with the real example that set it (Uppsala's 2,903 library hours a week in
2019), are in docs/method.md §17.

Codes: 0 = comparable, 1 = ``impossible`` (outside what the unit allows), 2 = ``outlier`` (more than
``outlier_mad`` robust standard deviations from the median of its KPI, year and gender).
"""

from __future__ import annotations

import math

import numpy as np

from kommunkvalitet.core.findings import IMPLAUSIBLE

OK, IMPOSSIBLE, OUTLIER = 0, 1, 2
CODE_NAMES: tuple[str | None, ...] = (None, *IMPLAUSIBLE)  # code -> the MeasureFinding.implausible name

#: The MAD times this is the standard deviation for normally distributed values.
MAD_TO_SD = 1.4826
#: The outlier rule needs this many values in a group to say what is normal.
MIN_N_FOR_OUTLIERS = 10

# What a unit allows (measure-set unit codes): a share is 0-100 %, a week has 168 hours, and counts,
# days, costs, rates and indexes are never negative.
_NON_NEGATIVE = (
    "count", "days", "ratio", "index", "points", "years", "hours", "per_1000", "per_inhabitant", "kr",
)  # fmt: skip
_BOUNDS: dict[str, tuple[float, float]] = {"percent": (0.0, 100.0), "hours_per_week": (0.0, 168.0)}


def unit_bounds(unit: str) -> tuple[float, float]:
    """(lowest, highest) value the unit allows; (-inf, inf) for a unit we know nothing about.

    ``kr_...`` units (costs per inhabitant, pupil, child ...) are non-negative like the rest."""
    if unit in _BOUNDS:
        return _BOUNDS[unit]
    if unit in _NON_NEGATIVE or unit.startswith(("kr_", "per_")):
        return (0.0, math.inf)
    return (-math.inf, math.inf)


def medians_and_mads(group: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The median and the MAD (median absolute deviation from the median) of each group 0..n_groups-1
    (NaN for an empty group).

    The values are laid out as the rows of a NaN-padded grid (one row per group) and sorted row-wise,
    as the comparison engine does; the deviations of the sorted grid are sorted once more for the MAD.
    A few very large groups (a grid of mostly padding) take one sort by (group, value) instead."""
    counts = np.bincount(group, minlength=n_groups)
    width = int(counts.max(initial=0))
    if n_groups * width > 4 * group.size + 4096:
        starts = np.cumsum(counts) - counts
        order = np.lexsort((values, group))
        median = _middle(values[order], starts, counts)
        deviation = np.abs(values - median[group])
        return median, _middle(deviation[np.lexsort((deviation, group))], starts, counts)
    order = np.argsort(group, kind="stable")  # a radix sort of small integers; often sorted already
    column = np.empty(group.size, dtype=np.int64)
    column[order] = np.arange(group.size) - (np.cumsum(counts) - counts)[group[order]]
    grid = np.full((n_groups, max(width, 1)), np.nan)
    grid[group, column] = values
    return _grid_medians_and_mads(grid, counts)


def _grid_medians_and_mads(grid: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`medians_and_mads` of the rows of a NaN-padded grid holding ``counts`` values each (the
    grid is sorted and overwritten)."""
    grid.sort(axis=1)  # NaN last
    starts = np.arange(grid.shape[0]) * grid.shape[1]
    median = _middle(grid.reshape(-1), starts, counts)
    grid -= median[:, None]
    np.abs(grid, out=grid)
    grid.sort(axis=1)
    return median, _middle(grid.reshape(-1), starts, counts)


def _middle(sorted_values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Medians from runs of sorted values: run i starts at ``starts[i]`` and holds ``counts[i]``."""
    out = np.full(counts.size, np.nan)
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (sorted_values[lo] + sorted_values[hi]) / 2
    return out


def flag(
    group: np.ndarray,
    values: np.ndarray,
    lower: np.ndarray | float,
    upper: np.ndarray | float,
    outlier_mad: float,
) -> np.ndarray:
    """Plausibility codes (int8, see the module) for long aligned arrays, one row per value.

    ``group`` numbers the (KPI, year, gender) groups 0..G-1; ``values`` has no NaN; ``lower`` and
    ``upper`` are what each row's unit allows (:func:`unit_bounds`). First every value outside its
    bounds is *impossible*. Then, over the remaining values of each group with at least
    ``MIN_N_FOR_OUTLIERS`` of them, a value is an *outlier* when
    ``|value - median| > outlier_mad * 1.4826 * MAD`` (MAD: the median absolute deviation from the
    median). A group whose MAD is 0 (more than half the values equal) has no outliers.
    ``outlier_mad <= 0`` turns the outlier rule off.
    """
    group = np.asarray(group, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    codes = np.zeros(v.size, dtype=np.int8)
    if v.size == 0:
        return codes
    codes[_impossible(v, lower, upper)] = IMPOSSIBLE
    if outlier_mad <= 0:
        return codes
    rest = np.flatnonzero(codes == OK)
    g, x = group[rest], v[rest]
    n_groups = int(group.max()) + 1
    median, mad = medians_and_mads(g, x, n_groups)
    deviation = np.abs(x - median[g])
    limit = _outlier_limit(np.bincount(g, minlength=n_groups), mad, outlier_mad)
    codes[rest[deviation > limit[g]]] = OUTLIER
    return codes


def flag_rows(grid: np.ndarray, lower: np.ndarray, upper: np.ndarray, outlier_mad: float) -> np.ndarray:
    """:func:`flag` of groups laid out as the rows of a grid: row g holds group g's values in any
    columns, NaN where there is none (never flagged); ``lower`` and ``upper`` are each row's bounds.
    The codes come in the grid's layout. The same rules and arithmetic as :func:`flag`, in a few
    calls on the whole grid: for a few groups (one KPI-year's three genders) the cost of :func:`flag`
    is its number of numpy calls, not its values."""
    impossible = _impossible(grid, lower[:, None], upper[:, None])  # (NaN is inside any bounds)
    codes = np.where(impossible, np.int8(IMPOSSIBLE), np.int8(OK))
    if outlier_mad <= 0:
        return codes
    rest = np.where(impossible, np.nan, grid)
    counts = np.count_nonzero(rest == rest, axis=1)  # the values that are not NaN
    median, mad = _grid_medians_and_mads(rest.copy(), counts)
    limit = _outlier_limit(counts, mad, outlier_mad)
    codes[np.abs(rest - median[:, None]) > limit[:, None]] = OUTLIER  # (NaN is never above a limit)
    return codes


def _impossible(values: np.ndarray, lower: np.ndarray | float, upper: np.ndarray | float) -> np.ndarray:
    """Where a value lies outside what its unit allows."""
    return (values < lower) | (values > upper)


def _outlier_limit(counts: np.ndarray, mad: np.ndarray, outlier_mad: float) -> np.ndarray:
    """How far from its group's median a value may lie before it is an outlier: infinite in a group
    too small to say what is normal or without spread (MAD 0)."""
    return np.where((counts >= MIN_N_FOR_OUTLIERS) & (mad > 0), outlier_mad * MAD_TO_SD * mad, np.inf)


def flag_values(values: np.ndarray, unit: str, outlier_mad: float) -> np.ndarray:
    """:func:`flag` for the values of one KPI, year and gender (NaN = missing, never flagged)."""
    v = np.asarray(values, dtype=np.float64)
    present = np.flatnonzero(~np.isnan(v))
    lo, hi = unit_bounds(unit)
    out = np.zeros(v.size, dtype=np.int8)
    out[present] = flag(np.zeros(present.size, dtype=np.int64), v[present], lo, hi, outlier_mad)
    return out
