"""Compare municipalities on one KPI: rikssnitt, rank, KKiK band and position against the mean.

Pure functions over NumPy arrays; no Django, no I/O. Every rule is described, with worked examples,
in docs/method.md. Vocabulary:

- *value*: float64, NaN when the municipality has no value (never 0).
- *direction*: ``"higher"`` or ``"lower"`` (which is better), or ``"none"`` (no rank and no band).
- *rank*: 1 + the number of municipalities with a value that are strictly better; 0 = no rank.
- *band*: a small integer, ordered from good to bad, 0 = no band (see ``BAND_NAMES``).
- *position*: where a value lies against the national mean, in units of the standard deviation.

Two entry points compute the same things: :func:`compare` for one (kpi, year, gender) with
municipality ids, and :func:`compare_table` for many groups at once from long arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import DTypeLike

from kommunkvalitet.errors import ConfigurationError, InputError

Direction = Literal["higher", "lower", "none"]
DIRECTION_CODES: dict[str, int] = {"higher": 1, "lower": -1, "none": 0}

# Band codes are ordered from best to worst so that "a < b" means "a is the better band". The
# three-group rule uses best/middle/worst, the four-group (quartile) rule best/second/third/worst.
BAND_NONE, BAND_BEST, BAND_SECOND, BAND_MIDDLE, BAND_THIRD, BAND_WORST = range(6)
BAND_NAMES = ("none", "best", "second", "middle", "third", "worst")

# Position of a value against the national mean (about the value, not about good or bad).
POSITION_NONE, POSITION_FAR_BELOW, POSITION_SLIGHTLY_BELOW, POSITION_LEVEL = 0, 1, 2, 3
POSITION_SLIGHTLY_ABOVE, POSITION_FAR_ABOVE = 4, 5
POSITION_NAMES = ("none", "far_below", "slightly_below", "level", "slightly_above", "far_above")
# The same position read with the KPI's direction: is the value better or worse than the mean?
READING_NONE, READING_BETTER, READING_LEVEL, READING_WORSE = 0, 1, 2, 3
READING_NAMES = ("none", "better", "level", "worse")


@dataclass(frozen=True)
class ComparisonSettings:
    """Every threshold of the comparison rules; defaults and their reasons are in docs/method.md."""

    #: Fewer municipalities with a value than this: no band for anyone (ranks are still given).
    min_n_for_bands: int = 10
    #: The older KKiK variant with four quartile groups (best, second, third, worst).
    four_groups: bool = False
    #: Share of the *other* municipalities that are strictly better: below ``best_cutoff`` is best,
    #: above ``worst_cutoff`` is worst, anything in between (both ends included) is middle.
    best_cutoff: float = 0.25
    worst_cutoff: float = 0.75
    #: Position against the mean, in standard deviations: |z| < level is "level", |z| >= far is "far".
    position_level_sd: float = 0.25
    position_far_sd: float = 1.0
    #: A change is marked (markant) from this many percentage points (shares) ...
    marked_change_pp: float = 5.0
    #: ... or from this relative change in percent (every other unit).
    marked_change_percent: float = 20.0
    #: Absolute changes up to this size count as unchanged (guards against float noise only).
    unchanged_tolerance: float = 1e-9
    #: How many years further back than asked a change may look for a base value; None = no limit.
    max_fallback_years: int | None = None
    #: A value more than this many robust standard deviations (1.4826 x MAD) from the median of its
    #: KPI-year is an outlier, left out like a value its unit does not allow (core.plausibility,
    #: docs/method.md §17); 0 turns the outlier rule off.
    outlier_mad: float = 50.0

    def __post_init__(self) -> None:
        if self.min_n_for_bands < 2:
            raise ConfigurationError("min_n_for_bands must be at least 2")
        if not 0 < self.best_cutoff <= self.worst_cutoff < 1:
            raise ConfigurationError("band cutoffs must satisfy 0 < best_cutoff <= worst_cutoff < 1")
        if not 0 <= self.position_level_sd <= self.position_far_sd:
            raise ConfigurationError("position thresholds must satisfy 0 <= level <= far")
        if self.marked_change_pp <= 0 or self.marked_change_percent <= 0 or self.unchanged_tolerance < 0:
            raise ConfigurationError("change thresholds must be positive")
        if self.max_fallback_years is not None and self.max_fallback_years < 0:
            raise ConfigurationError("max_fallback_years must be None or >= 0")
        if self.outlier_mad < 0:
            raise ConfigurationError("outlier_mad must be >= 0 (0: no outlier rule)")


DEFAULT_SETTINGS = ComparisonSettings()


@dataclass(frozen=True)
class Reference:
    """Summary of the municipalities with a value; ``mean`` is KKiK's rikssnitt (unweighted)."""

    n: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    sd: float | None  # population standard deviation (ddof=0) across municipalities


@dataclass(frozen=True)
class GroupMean:
    mean: float | None
    n: int  # members with a value
    n_members: int  # members asked for (after ``exclude``)


@dataclass(frozen=True)
class MunicipalityComparison:
    """One municipality's row, with None where there is no value, rank, band or position."""

    municipality_id: str
    value: float | None
    rank: int | None
    n: int
    band: str | None
    position: str | None
    reading: str | None
    mean: float | None


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`; arrays are aligned with the input ids."""

    ids: np.ndarray
    values: np.ndarray
    direction: Direction
    reference: Reference
    rank: np.ndarray  # int32, 0 = no rank
    band: np.ndarray  # int8 band code, 0 = no band
    position: np.ndarray  # int8 position code, 0 = none
    reading: np.ndarray  # int8 reading code, 0 = none

    def municipality(self, municipality_id: str) -> MunicipalityComparison:
        i = index_of(self.ids, municipality_id, "comparison")
        value = float(self.values[i])
        has = not np.isnan(value)
        return MunicipalityComparison(
            municipality_id=municipality_id,
            value=value if has else None,
            rank=int(self.rank[i]) or None,
            n=self.reference.n,
            band=BAND_NAMES[self.band[i]] if self.band[i] else None,
            position=POSITION_NAMES[self.position[i]] if self.position[i] else None,
            reading=READING_NAMES[self.reading[i]] if self.reading[i] else None,
            mean=self.reference.mean,
        )


def index_of(ids: np.ndarray, municipality_id: str, what: str) -> int:
    """Where ``municipality_id`` is in ``ids`` (a result's ids); InputError when it is not there."""
    hits = np.flatnonzero(ids == municipality_id)
    if hits.size == 0:
        raise InputError(f"municipality {municipality_id!r} is not in this {what}")
    return int(hits[0])


def direction_code(direction: str) -> int:
    """+1 for higher is better, -1 for lower is better, 0 for none."""
    try:
        return DIRECTION_CODES[direction]
    except KeyError:
        raise InputError(f"direction must be 'higher', 'lower' or 'none', not {direction!r}") from None


def _as_values(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1:
        raise InputError("values must be a one-dimensional array", field="values")
    _require_finite(v)
    return v


def _require_finite(v: np.ndarray) -> None:
    if np.isinf(v).any():
        raise InputError("values must be finite or NaN (missing)", field="values")


def check_municipality_ids(ids: np.ndarray, n_values: int) -> np.ndarray:
    """The ids as a str array; refuses Riket, regions, non-4-digit ids, duplicates and a length mismatch."""
    ids = np.asarray(ids, dtype=str)
    if ids.shape != (n_values,):
        raise InputError(f"{ids.size} municipality ids for {n_values} values", field="ids")
    if ids.size:
        bad = (np.char.str_len(ids) != 4) | np.char.startswith(ids, "00")
        if bad.any():
            raise InputError(
                f"not a municipality id: {ids[bad][0]!r} (Riket 0000 and regions 00xx are never compared)",
                field="ids",
            )
        if np.unique(ids).size != ids.size:
            raise InputError("municipality ids must be unique", field="ids")
    return ids


def references(values: np.ndarray) -> Reference:
    """n, unweighted mean (rikssnitt), median, min, max and sd of the values that are not missing.

    The same code as :func:`compare` and :func:`compare_table` (one block of one group)."""
    return _one_block(_as_values(values), 0, DEFAULT_SETTINGS)[0]


def _reference(stats: np.ndarray) -> Reference:
    """A :class:`Reference` from one column of a block's statistics (n, mean, median, min, max, sd)."""
    n = int(stats[0])
    if n == 0:
        return Reference(0, None, None, None, None, None)
    mean, median, vmin, vmax, sd = (float(x) for x in stats[1:])
    return Reference(n, mean, median, vmin, vmax, sd)


def group_mean(
    ids: np.ndarray,
    values: np.ndarray,
    members: Iterable[str],
    exclude: str | None = None,
) -> GroupMean:
    """Unweighted mean of the members that have a value; missing values are skipped, never zero.

    ``members`` not present in ``ids`` count as missing. ``exclude`` drops one municipality (usually
    the one being compared) so that it is never compared with itself. No member with a value gives
    ``GroupMean(None, 0, ...)``.
    """
    v = _as_values(values)
    # A set, not np.unique and np.isin: a group has a few dozen members, where numpy's set operations
    # cost more than the looking up (a goal report asks for about thirty group means).
    wanted = {str(m) for m in members}
    if exclude is not None:
        wanted.discard(exclude)
    picked = v[np.fromiter((str(i) in wanted for i in ids), dtype=bool, count=len(ids))]
    picked = picked[~np.isnan(picked)]
    mean = float(picked.sum() / picked.size) if picked.size else None
    return GroupMean(mean, int(picked.size), len(wanted))


def bands_from_better(better: np.ndarray, n: np.ndarray | int, settings: ComparisonSettings) -> np.ndarray:
    """Band codes from the number of strictly better municipalities and the number with a value.

    ``share = better / (n - 1)``: best if share < best_cutoff, worst if share > worst_cutoff, else
    middle; in four-group mode the middle is split at the midpoint of the cutoffs (below: second, at
    or above: third). Where ``n < min_n_for_bands`` the code is 0. ``n`` broadcasts against
    ``better``; callers mask rows without a value themselves.
    """
    better = np.asarray(better)
    n = np.asarray(n, dtype=np.int64)
    span = n - 1
    # better < c * span  <=>  better < ceil(c * span), and better > c * span  <=>  better > floor(c * span)
    best_below = np.ceil(settings.best_cutoff * span).astype(np.int64)
    worst_above = np.floor(settings.worst_cutoff * span).astype(np.int64)
    middle: np.ndarray | np.int8 = np.int8(BAND_MIDDLE)
    if settings.four_groups:
        mid = np.ceil((settings.best_cutoff + settings.worst_cutoff) / 2 * span).astype(np.int64)
        middle = np.where(better < mid, np.int8(BAND_SECOND), np.int8(BAND_THIRD))
    best_or_middle = np.where(better < best_below, np.int8(BAND_BEST), middle)
    band: np.ndarray = np.where(better > worst_above, np.int8(BAND_WORST), best_or_middle)
    band *= n >= settings.min_n_for_bands
    return band


def reading_codes(position: np.ndarray, direction_sign: np.ndarray | int) -> np.ndarray:
    """Good/bad reading of position codes: above the mean is better when higher is better, etc."""
    pos = np.asarray(position, dtype=np.int8)
    sign = np.asarray(direction_sign, dtype=np.int8)
    side = ((pos > POSITION_LEVEL).astype(np.int8) - (pos < POSITION_LEVEL)) * sign  # +1 good, -1 bad
    code = READING_LEVEL - side  # better = 1, level = 2, worse = 3
    code *= (pos != POSITION_NONE) & (sign != 0)
    return code


def compare(
    ids: np.ndarray,
    values: np.ndarray,
    direction: Direction,
    settings: ComparisonSettings = DEFAULT_SETTINGS,
) -> Comparison:
    """Rank, band, position and references for one (kpi, year, gender) over the kommuner.

    ``ids`` are 4-digit municipality ids (never Riket 0000 or a region), ``values`` float64 with NaN
    for missing. With direction ``"none"`` nobody gets a rank, a band or a good/bad reading.

    This is :func:`compare_table`'s engine run on one block holding this one group: the two cannot
    disagree.
    """
    v = _as_values(values)
    ids = check_municipality_ids(ids, v.size)
    ref, codes = _one_block(v, direction_code(direction), settings)
    return Comparison(ids, v, direction, ref, *unpack_codes(codes))


def _one_block(v: np.ndarray, sign: int, settings: ComparisonSettings) -> tuple[Reference, np.ndarray]:
    """The block engine on a block of one group: its reference and each value's packed codes."""
    signs = np.array([sign], dtype=np.int64)
    grid = np.full((1, max(v.size, 1)), np.nan)  # a block is at least one cell wide
    grid[0, : v.size] = v * _orientation(signs)[0]
    stats, codes = _block(grid, signs, settings, np.int64)
    return _reference(stats[:, 0]), codes[0, : v.size]


def _orientation(sign: np.ndarray) -> np.ndarray:
    """-1.0 where higher is better, else 1.0: oriented values sort ascending from the best."""
    return np.where(sign > 0, -1.0, 1.0)


# The packed code of one kommun (what the block engine writes and a stored ``positions`` holds):
# rank << RANK_SHIFT | band << BAND_SHIFT | position << POSITION_SHIFT | reading.
RANK_SHIFT, BAND_SHIFT, POSITION_SHIFT = 8, 5, 2


def pack_codes(rank: np.ndarray, band: np.ndarray, position: np.ndarray, reading: np.ndarray) -> np.ndarray:
    """The packed codes of rank, band, position and reading codes (int64); :func:`unpack_codes` undoes it."""
    code = rank.astype(np.int64) << RANK_SHIFT
    code |= band.astype(np.int64) << BAND_SHIFT
    code |= position.astype(np.int64) << POSITION_SHIFT
    code |= reading
    return code


def unpack_position(code: int | str | None) -> tuple[int, int, int, int] | None:
    """(rank, band, position, reading) of one kommun from its packed code (:func:`unpack_codes` of one),
    as a stored ``positions`` maps each kommun to it (a number, or its text as the database takes it
    out); None for none."""
    if code is None:
        return None
    c = int(code)
    return c >> RANK_SHIFT, (c >> BAND_SHIFT) & 7, (c >> POSITION_SHIFT) & 7, c & 3


def unpack_codes(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rank, band, position, reading) from the packed codes of the block engine (:func:`pack_codes`)."""
    small = packed.astype(np.uint8)  # the low byte
    return (
        (packed >> RANK_SHIFT).astype(np.int32),
        (small >> BAND_SHIFT).astype(np.int8),
        ((small >> POSITION_SHIFT) & 7).astype(np.int8),
        (small & 3).astype(np.int8),
    )


# --- gender ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenderGapSummary:
    """Women minus men. ``gap_of_means`` compares the two rikssnitt (each over its own municipalities);
    ``mean_of_gaps`` averages the per-municipality gaps over municipalities with both values."""

    mean_women: float | None
    n_women: int
    mean_men: float | None
    n_men: int
    gap_of_means: float | None
    mean_of_gaps: float | None
    n_both: int


def gender_gap(values_women: np.ndarray, values_men: np.ndarray) -> np.ndarray:
    """K minus M per municipality (aligned arrays); NaN where either value is missing."""
    k, m = _as_values(values_women), _as_values(values_men)
    if k.shape != m.shape:
        raise InputError("the K and M arrays must be aligned (same municipalities, same order)")
    gap: np.ndarray = k - m
    return gap


def gender_gap_summary(values_women: np.ndarray, values_men: np.ndarray) -> GenderGapSummary:
    gaps = gender_gap(values_women, values_men)
    rk, rm = references(values_women), references(values_men)
    both = gaps[~np.isnan(gaps)]
    gap_of_means = rk.mean - rm.mean if rk.mean is not None and rm.mean is not None else None
    mean_of_gaps = float(both.sum() / both.size) if both.size else None
    return GenderGapSummary(rk.mean, rk.n, rm.mean, rm.n, gap_of_means, mean_of_gaps, int(both.size))


# --- many groups at once ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TableComparison:
    """The result of :func:`compare_table`.

    Group arrays (one entry per distinct (kpi, year, gender), sorted by kpi, year, gender):
    ``kpi``, ``year``, ``gender``, ``n``, ``mean``, ``median``, ``min``, ``max``, ``sd`` (NaN where
    n == 0). Row arrays (aligned with the input rows): ``row_group`` (index into the group arrays),
    ``rank`` (int32, 0 = none), ``band``, ``position`` and ``reading`` (int8 codes, 0 = none).
    """

    kpi: np.ndarray
    year: np.ndarray
    gender: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    min: np.ndarray
    max: np.ndarray
    sd: np.ndarray
    row_group: np.ndarray
    rank: np.ndarray
    band: np.ndarray
    position: np.ndarray
    reading: np.ndarray


def _dense_groups(kpi: np.ndarray, yr: np.ndarray, gd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group id per row, 0..G-1 in (kpi, year, gender) order; the int64 key of each group)."""
    y0 = yr.min()
    n_years, n_genders = int(yr.max() - y0 + 1), int(gd.max() + 1)
    key = (kpi * n_years + (yr - y0)) * n_genders + gd
    key_range = int(kpi.max() + 1) * n_years * n_genders
    if key_range <= max(4 * key.size, 1 << 20):  # a lookup table: no sort needed
        present = np.zeros(key_range, dtype=bool)
        present[key] = True
        lookup = np.cumsum(present) - 1
        return lookup[key], np.flatnonzero(present)
    keys, gid = np.unique(key, return_inverse=True)
    return gid.reshape(-1), keys


def _group_order(gid: np.ndarray, n_groups: int) -> np.ndarray:
    """A stable argsort of the group ids, by 16-bit radix passes (numpy's stable sort of uint16)."""
    order = np.argsort((gid & 0xFFFF).astype(np.uint16), kind="stable")
    if n_groups > 1 << 16:
        order = order[np.argsort((gid[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def compare_table(
    kpi_index: np.ndarray,
    year: np.ndarray,
    gender: np.ndarray,
    values: np.ndarray,
    directions: np.ndarray,
    settings: ComparisonSettings = DEFAULT_SETTINGS,
    *,
    municipality_index: np.ndarray | None = None,
) -> TableComparison:
    """:func:`compare` for every (kpi, year, gender) group in long arrays, with no loop per group.

    ``kpi_index`` (ints >= 0), ``year`` (ints), ``gender`` (small ints >= 0, e.g. 0=T, 1=K, 2=M) and
    ``values`` (float64, NaN = missing) are aligned, one row per municipality value, in any order.
    ``directions[k]`` is the direction code (+1, -1, 0; see :func:`direction_code`) of KPI index k.
    Each group holds each municipality at most once, and only kommuner (never Riket or a region).

    Groups are laid out as the rows of a NaN-padded 2-D grid and sorted row-wise. With
    ``municipality_index`` (ints >= 0, e.g. 0..289) a value goes straight to its municipality's
    column, which is the fastest layout, and a municipality twice in one group is refused. Without it
    (or when the grid would be more than twice the rows) rows are grouped by a radix sort, and groups
    of very different sizes go in a few blocks of similar width, so padding never doubles the work.
    """
    v = _as_values(values)
    kpi = np.asarray(kpi_index, dtype=np.int64)
    yr = np.asarray(year, dtype=np.int64)
    gd = np.asarray(gender, dtype=np.int64)
    dirs = np.asarray(directions, dtype=np.int64)
    mun = None if municipality_index is None else np.asarray(municipality_index, dtype=np.int64)
    if not kpi.shape == yr.shape == gd.shape == v.shape == (v.shape if mun is None else mun.shape):
        raise InputError("kpi_index, year, gender, municipality_index and values must have the same length")
    size = v.size
    negative = size and min(kpi.min(), gd.min(), 0 if mun is None else mun.min()) < 0
    if negative or (size and kpi.max() >= dirs.size):
        raise InputError("indexes and gender must be >= 0 and every kpi_index needs a direction")
    if size == 0:
        empty_i, empty_f, empty_8 = np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int8)
        rank = empty_i.astype(np.int32)
        return TableComparison(*(empty_i,) * 4, *(empty_f,) * 5, empty_i, rank, *(empty_8,) * 3)

    gid, keys = _dense_groups(kpi, yr, gd)
    n_groups = keys.size
    counts = np.bincount(gid, minlength=n_groups)
    group_sign = np.zeros(n_groups, dtype=np.int64)
    group_sign[gid] = dirs[kpi]
    stats = np.full((6, n_groups), np.nan)  # n, mean, median, min, max, sd
    # the packed code of each row (pack_codes)
    packed = np.empty(size, dtype=_code_type(int(counts.max())))
    for members, rows, block_group, col, width in _blocks(gid, counts, mun):
        sign = group_sign[members]
        cells = block_group * width + col  # flat index into the (groups x width) grid
        grid = np.full(members.size * width, np.nan)
        grid[cells] = v[rows] * _orientation(sign)[block_group]  # oriented: ascending = best
        stats[:, members], codes = _block(grid.reshape(members.size, width), sign, settings, packed.dtype)
        packed[rows] = codes.reshape(-1)[cells]

    key_kpi, rest = np.divmod(keys, int(yr.max() - yr.min() + 1) * int(gd.max() + 1))
    key_year, key_gender = np.divmod(rest, int(gd.max() + 1))
    rank, band, position, reading = unpack_codes(packed)
    return TableComparison(
        key_kpi, key_year + yr.min(), key_gender, stats[0].astype(np.int64), stats[1], stats[2], stats[3], stats[4],
        stats[5],
        row_group=gid, rank=rank, band=band, position=position, reading=reading,
    )  # fmt: skip


def compare_rows(
    grid: np.ndarray, directions: np.ndarray, settings: ComparisonSettings = DEFAULT_SETTINGS
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`compare_table` of groups already laid out as the rows of a grid: row g holds group g's
    values (float64, NaN = missing) in any columns (a municipality's column, say), ``directions[g]``
    is its direction code. Returns the statistics, an array of six rows (n, mean, median, min, max,
    sd; one column per group, NaN where n == 0), and the packed codes of every cell in the grid's
    layout (:func:`pack_codes`, :func:`unpack_codes`).

    The engine of :func:`compare_table` on one block, without its work of grouping long arrays: for
    a few groups (one KPI-year's three genders) that work is most of the time. Each row comes out bit
    for bit as :func:`compare_table` computes its group."""
    sign = np.asarray(directions, dtype=np.int64)
    _require_finite(grid)
    width = grid.shape[1]
    if width == 0:  # no values: a block is at least one cell wide
        grid = np.full((grid.shape[0], 1), np.nan)
    oriented = grid * _orientation(sign)[:, None]  # ascending = best
    stats, codes = _block(oriented, sign, settings, _code_type(width))
    return stats, codes[:, :width]


def _code_type(most: int) -> DTypeLike:
    """The integer type of the packed codes of groups of at most ``most`` values (the rank takes all
    but the low 8 bits)."""
    return np.int64 if most >= 1 << 23 else np.int32


def _blocks(
    gid: np.ndarray, counts: np.ndarray, mun: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray | slice, np.ndarray, np.ndarray, int]]:
    """Yield (group ids, rows, group within block, column, width) for each grid to build."""
    n_groups, size = counts.size, gid.size
    if mun is not None and n_groups * (int(mun.max()) + 1) <= 2 * size + 4096:
        width = int(mun.max()) + 1
        require_one_value_per_cell(gid * width + mun)
        yield np.arange(n_groups), slice(None), gid, mun, width
        return
    order = _group_order(gid, n_groups)
    g_rows = gid[order]
    col = np.arange(size) - (np.cumsum(counts) - counts)[g_rows]  # position of a row in its group
    width_class = np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)
    if n_groups * counts.max() <= 2 * size:
        width_class[:] = 0
    for cls in np.unique(width_class):  # usually one block; at most ~log2(max group size) blocks
        members = np.flatnonzero(width_class == cls)
        if members.size == n_groups:
            yield members, order, g_rows, col, int(counts.max())
            continue
        local = np.full(n_groups, -1, dtype=np.int64)
        local[members] = np.arange(members.size)
        in_block = local[g_rows] >= 0
        yield members, order[in_block], local[g_rows[in_block]], col[in_block], int(counts[members].max())


def require_one_value_per_cell(cells: np.ndarray) -> None:
    """Refuse a grid cell (a municipality's column in a group's row, numbered row * width + column)
    that would get two values: a municipality appears once per (kpi, year, gender)."""
    if cells.size and np.bincount(cells).max() > 1:
        raise InputError("a municipality appears twice in one (kpi, year, gender)", field="municipality_index")


def _row_sort(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise stable argsort of a float grid (NaN last) and the sorted grid.

    Faster than ``np.argsort``: each float becomes an order-preserving int64 whose low 16 bits are
    replaced by the column, so a plain (non-indirect) sort yields the order. Distinct values that
    agree in all but those 16 bits (relative difference < 2**-36) may come out of order; such rows
    are detected and sorted again with ``np.argsort``.
    """
    width = grid.shape[1]
    if width > 1 << 16:
        idx = np.argsort(grid, axis=1, kind="stable")
        return idx, np.take_along_axis(grid, idx, axis=1)
    key = grid.view(np.int64).copy()
    flip = key >> 63  # -1 for negative floats: their magnitude bits run the other way
    flip &= np.int64(0x7FFF_FFFF_FFFF_FFFF)
    key ^= flip
    del flip
    key[np.isnan(grid)] = np.iinfo(np.int64).max
    key &= ~np.int64(0xFFFF)
    key |= np.arange(width, dtype=np.int64)
    key.sort(axis=1)
    idx = key.astype(np.uint16)  # the low 16 bits: the column
    del key
    srt = grid[np.arange(grid.shape[0])[:, None], idx]  # np.take_along_axis without its index building
    redo = np.flatnonzero((srt[:, 1:] < srt[:, :-1]).any(axis=1))
    if redo.size:
        idx[redo] = np.argsort(grid[redo], axis=1, kind="stable")
        srt[redo] = np.take_along_axis(grid[redo], idx[redo], axis=1)
    return idx, srt


def _ascending_sum(sorted_rows: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Row sums of a block sorted by oriented value with zeros in the padding, added one by one from
    the smallest raw value up. Whatever the block's width and padding, and whatever the direction, a
    group's sums come out bit for bit the same, so :func:`compare` and :func:`compare_table` agree
    exactly (numpy's pairwise ``sum`` groups the terms by the row's width)."""
    descending = sign > 0  # these rows run from the largest raw value down, padding last
    if descending.all():  # one direction for every row (one KPI): no boolean selection of the rows
        out: np.ndarray = np.cumsum(sorted_rows[:, ::-1], axis=1)[:, -1]
        return out
    if not descending.any():
        out = np.cumsum(sorted_rows, axis=1)[:, -1]
        return out
    out = np.empty(sorted_rows.shape[0])  # both directions (several KPIs)
    out[~descending] = np.cumsum(sorted_rows[~descending], axis=1)[:, -1]
    out[descending] = np.cumsum(sorted_rows[descending, ::-1], axis=1)[:, -1]  # leading zeros add nothing
    return out


def _block(
    grid: np.ndarray, sign: np.ndarray, settings: ComparisonSettings, dtype: DTypeLike
) -> tuple[np.ndarray, np.ndarray]:
    """Statistics per row of ``grid`` (one group per row, oriented values, NaN = missing or padding)
    and the packed codes of every cell, in the grid's own (unsorted) layout."""
    n_g, width = grid.shape
    idx, srt = _row_sort(grid)
    valid = ~np.isnan(srt)
    n = valid.sum(axis=1)

    # Rank = 1 + number strictly better = the column where the run of equal values starts.
    new_run = np.ones(srt.shape, dtype=bool)
    np.not_equal(srt[:, 1:], srt[:, :-1], out=new_run[:, 1:])
    better = np.maximum.accumulate(new_run * np.arange(width, dtype=dtype), axis=1)
    del new_run
    n_cells = n[:, None]
    codes = better + 1  # packed as pack_codes does, one field at a time
    codes <<= RANK_SHIFT - BAND_SHIFT
    codes |= bands_from_better(better, n_cells, settings)
    del better
    codes *= valid & (sign != 0)[:, None]  # no rank and no band
    codes <<= BAND_SHIFT - POSITION_SHIFT

    raw = srt  # from here on in place: raw values, then deviations from the mean
    raw *= _orientation(sign)[:, None]
    rows, last = np.arange(n_g), np.maximum(n - 1, 0)
    first, final = raw[:, 0], raw[rows, last]
    vmin, vmax = np.minimum(first, final), np.maximum(first, final)
    median = (raw[rows, last // 2] + raw[rows, n // 2]) / 2
    raw[~valid] = 0.0  # the missing cells (values are finite: _as_values)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = _ascending_sum(raw, sign) / n
        raw -= mean[:, None]
        raw *= valid
        sd = np.where(vmax > vmin, np.sqrt(_ascending_sum(raw * raw, sign) / n), 0.0)
    empty = n == 0
    if empty.any():
        mean[empty] = median[empty] = vmin[empty] = vmax[empty] = sd[empty] = np.nan

    # Position: |value - mean| >= k * sd, written without a division; sd == 0 puts everyone level.
    side = (raw > 0).astype(np.int8)
    side -= raw < 0
    np.abs(raw, out=raw)
    level = np.where(sd > 0, settings.position_level_sd * sd, np.inf)[:, None]
    far = np.where(sd > 0, settings.position_far_sd * sd, np.inf)[:, None]
    size = (raw >= level).astype(np.int8)
    size += raw >= far
    size *= side
    position = size
    position += POSITION_LEVEL
    position *= valid & (n_cells >= 2)
    codes |= position
    codes <<= POSITION_SHIFT
    codes |= reading_codes(position, sign[:, None])
    out = np.empty_like(codes)
    out[rows[:, None], idx] = codes  # np.put_along_axis without its index building
    return np.array([n, mean, median, vmin, vmax, sd]), out


def settings_from_text(values: dict[str, str]) -> ComparisonSettings:
    """ComparisonSettings from text values (a configuration file or the environment), checked."""
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(ComparisonSettings)}
    kwargs: dict[str, Any] = {}
    for name, text in values.items():
        if name not in fields:
            raise ConfigurationError(f"unknown comparison setting {name!r}; known: {', '.join(sorted(fields))}")
        default = getattr(DEFAULT_SETTINGS, name)
        try:
            if isinstance(default, bool):
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                kwargs[name] = text.lower() in ("true", "1", "yes")
            elif isinstance(default, int) or (default is None and name == "max_fallback_years"):
                kwargs[name] = None if text.lower() in ("", "none") else int(text)
            else:
                kwargs[name] = float(text)
        except ValueError:
            raise ConfigurationError(f"comparison setting {name}: not a valid value: {text!r}") from None
    return dataclasses.replace(DEFAULT_SETTINGS, **kwargs)
