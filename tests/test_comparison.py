"""core.comparison: rikssnitt, rank, KKiK bands and position, per KPI-year and for a whole table.

The worked examples are the tables of docs/method.md; the property tests check the rules on random data.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kommunkvalitet.core.comparison import (
    BAND_BEST,
    BAND_MIDDLE,
    BAND_NAMES,
    BAND_NONE,
    BAND_WORST,
    POSITION_NAMES,
    READING_NAMES,
    ComparisonSettings,
    compare,
    compare_rows,
    compare_table,
    gender_gap,
    gender_gap_summary,
    group_mean,
    references,
    unpack_codes,
)
from kommunkvalitet.errors import ConfigurationError, InputError

NAN = float("nan")


def ids_for(n: int) -> np.ndarray:
    return np.array([f"{1000 + i:04d}" for i in range(n)])


def bands(result) -> list[str]:
    return [BAND_NAMES[b] for b in result.band]


# --- worked examples (docs/method.md) -----------------------------------------------------------

EXAMPLE_1 = [95, 90, 85, 85, 80, 75, 70, 65, 65, 60]  # A..J


def test_example_1_ties_at_the_best_boundary_share_the_better_band():
    result = compare(ids_for(10), np.array(EXAMPLE_1, float), "higher")
    assert result.rank.tolist() == [1, 2, 3, 3, 5, 6, 7, 8, 8, 10]
    assert bands(result) == ["best"] * 4 + ["middle"] * 3 + ["worst"] * 3
    assert result.reference.n == 10 and result.reference.mean == pytest.approx(77.0)
    assert result.reference.median == 77.5


def test_example_1_with_lower_is_better_is_not_a_mirror_because_ties_take_the_better_band():
    result = compare(ids_for(10), np.array(EXAMPLE_1, float), "lower")
    assert result.rank.tolist() == [10, 9, 7, 7, 6, 5, 4, 2, 2, 1]
    assert bands(result) == [
        "worst",
        "worst",
        "middle",
        "middle",
        "middle",
        "middle",
        "middle",
        "best",
        "best",
        "best",
    ]


def test_example_2_exact_boundaries_go_to_the_middle():
    values = np.arange(13, 0, -1, dtype=float)  # 13 distinct values, best first
    result = compare(ids_for(13), values, "higher")
    # better = 0..12, share = better / 12: 3/12 = 0.25 and 9/12 = 0.75 are middle
    assert bands(result) == ["best"] * 3 + ["middle"] * 7 + ["worst"] * 3


def test_example_2_four_groups():
    values = np.arange(13, 0, -1, dtype=float)
    result = compare(ids_for(13), values, "higher", ComparisonSettings(four_groups=True))
    # better 0-2 best, 3-5 second, 6-9 third (6/12 = 0.5 is not below the midpoint), 10-12 worst
    assert bands(result) == ["best"] * 3 + ["second"] * 3 + ["third"] * 4 + ["worst"] * 3


def test_example_3_below_the_minimum_n_ranks_but_no_bands():
    result = compare(ids_for(9), np.arange(9, dtype=float), "higher")
    assert result.rank.tolist() == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert (result.band == BAND_NONE).all()
    low = compare(ids_for(9), np.arange(9, dtype=float), "higher", ComparisonSettings(min_n_for_bands=9))
    assert bands(low) == ["worst"] * 2 + ["middle"] * 5 + ["best"] * 2


def test_example_4_missing_values_are_left_out_not_zero():
    values = np.array(EXAMPLE_1[:5] + [NAN] + EXAMPLE_1[5:] + [NAN], float)  # 12 ids, 10 values
    result = compare(ids_for(12), values, "higher")
    assert result.reference.n == 10 and result.reference.mean == pytest.approx(77.0)
    assert result.rank[5] == 0 and result.band[5] == BAND_NONE and result.rank[11] == 0
    view = result.municipality("1005")
    assert (view.value, view.rank, view.band, view.position, view.reading) == (None,) * 5
    assert result.municipality("1000").rank == 1 and result.municipality("1000").band == "best"


def test_example_5_position_against_the_mean():
    # mean 15, sd = sqrt(7.8) = 2.79: level if |diff| < 0.70, far if |diff| >= 2.79
    values = np.array([10, 12, 13, 14, 15, 15, 16, 17, 18, 20], float)
    result = compare(ids_for(10), values, "lower")
    assert result.reference.mean == 15.0 and result.reference.sd == pytest.approx(np.sqrt(7.8))
    expected = ["far_below", "slightly_below", "level", "slightly_above", "far_above"]
    assert [POSITION_NAMES[p] for p in result.position] == [e for e in expected for _ in range(2)]
    assert [READING_NAMES[r] for r in result.reading] == ["better"] * 4 + ["level"] * 2 + ["worse"] * 4
    last = result.municipality("1009")
    assert (last.value, last.position, last.reading, last.mean) == (20.0, "far_above", "worse", 15.0)


def test_position_thresholds_are_inclusive_at_slightly_and_far():
    values = np.array([-1.0, 1.0])  # mean 0, sd 1: z = -1 and +1 exactly
    narrow = ComparisonSettings(position_level_sd=1, position_far_sd=2)
    slightly = compare(ids_for(2), values, "higher", narrow)
    assert [POSITION_NAMES[p] for p in slightly.position] == ["slightly_below", "slightly_above"]
    far = compare(ids_for(2), values, "higher", ComparisonSettings(position_level_sd=0.5, position_far_sd=1))
    assert [POSITION_NAMES[p] for p in far.position] == ["far_below", "far_above"]
    alone = compare(ids_for(2), np.array([5.0, NAN]), "higher")
    assert (alone.position == 0).all()  # one value is not compared with itself


def test_direction_none_gives_no_rank_band_or_reading_but_a_position():
    result = compare(ids_for(10), np.array(EXAMPLE_1, float), "none")
    assert (result.rank == 0).all() and (result.band == 0).all() and (result.reading == 0).all()
    assert POSITION_NAMES[result.position[0]] == "far_above"
    assert result.municipality("1000").rank is None


def test_all_equal_values_share_rank_one_the_best_band_and_level():
    result = compare(ids_for(12), np.full(12, 81.4), "higher")
    assert (result.rank == 1).all() and (result.band == BAND_BEST).all()
    assert result.reference.sd == 0.0
    assert {POSITION_NAMES[p] for p in result.position} == {"level"}


def test_no_values_at_all():
    result = compare(ids_for(3), np.full(3, NAN), "higher")
    assert result.reference == references(np.array([]))
    assert result.reference.n == 0 and result.reference.mean is None
    assert (result.rank == 0).all() and (result.position == 0).all()


def test_riket_regions_and_bad_input_are_refused():
    with pytest.raises(InputError, match="0000"):
        compare(np.array(["0000", "1463"]), np.array([1.0, 2.0]), "higher")
    with pytest.raises(InputError, match="0013"):
        compare(np.array(["0013", "1463"]), np.array([1.0, 2.0]), "higher")
    with pytest.raises(InputError, match="unique"):
        compare(np.array(["1463", "1463"]), np.array([1.0, 2.0]), "higher")
    with pytest.raises(InputError, match="direction"):
        compare(ids_for(2), np.array([1.0, 2.0]), "better")
    with pytest.raises(InputError, match="finite"):
        compare(ids_for(2), np.array([1.0, np.inf]), "higher")
    with pytest.raises(InputError):
        compare(ids_for(3), np.array([1.0, 2.0]), "higher")


@pytest.mark.parametrize(
    "kwargs",
    [{"min_n_for_bands": 1}, {"best_cutoff": 0.8}, {"position_level_sd": 2.0}, {"marked_change_pp": 0}],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ConfigurationError):
        ComparisonSettings(**kwargs)


def test_group_mean_skips_missing_and_never_uses_zero():
    ids = np.array(["1463", "1490", "1401", "1402"])
    values = np.array([19.0, NAN, 11.0, 0.0])
    assert group_mean(ids, values, ["1463", "1490", "1401"]).mean == 15.0
    assert group_mean(ids, values, ["1463", "1490", "1401"]).n == 2
    assert group_mean(ids, values, ["1463", "1402"]).mean == 9.5  # a real 0 counts
    assert group_mean(ids, values, ["1463", "1401"], exclude="1463").mean == 11.0
    empty = group_mean(ids, values, ["1490", "9999"])
    assert (empty.mean, empty.n, empty.n_members) == (None, 0, 2)


@given(
    data=st.lists(st.tuples(st.sampled_from(["0114", "0115", "0117", "0120", "1463", "1490"]),
                            st.one_of(st.just(NAN), st.floats(-1e6, 1e6))), max_size=6, unique_by=lambda t: t[0]),
    members=st.lists(st.sampled_from(["0114", "0117", "1463", "1490", "9999"]), max_size=5),
    exclude=st.sampled_from([None, "1463", "0114"]),
)  # fmt: skip
def test_group_mean_is_the_plain_mean_of_the_members_values(data, members, exclude):
    ids = np.array([i for i, _ in data], dtype=str)
    values = np.array([v for _, v in data], dtype=np.float64)
    wanted = set(members) - {exclude}
    picked = np.array([v for i, v in data if i in wanted and v == v], dtype=np.float64)  # in the ids' order
    got = group_mean(ids, values, members, exclude=exclude)
    assert (got.n, got.n_members) == (picked.size, len(wanted))
    assert got.mean == (float(picked.sum() / picked.size) if picked.size else None)  # the same bits


def test_gender_gap_per_municipality_and_for_the_means():
    women = np.array([80.0, 70.0, NAN, 60.0])
    men = np.array([75.0, 72.0, 50.0, NAN])
    assert np.array_equal(gender_gap(women, men), np.array([5.0, -2.0, NAN, NAN]), equal_nan=True)
    summary = gender_gap_summary(women, men)
    assert (summary.mean_women, summary.n_women) == (70.0, 3)
    assert summary.mean_men == pytest.approx(197 / 3) and summary.n_men == 3
    assert summary.gap_of_means == pytest.approx(70 - 197 / 3)
    assert (summary.mean_of_gaps, summary.n_both) == (1.5, 2)
    with pytest.raises(InputError):
        gender_gap(women, men[:3])


# --- property tests -----------------------------------------------------------------------------

value_st = st.one_of(st.integers(0, 15).map(float), st.just(NAN))
values_st = st.lists(value_st, min_size=0, max_size=60).map(lambda xs: np.array(xs, dtype=float))
direction_st = st.sampled_from(["higher", "lower"])
settings_st = st.builds(ComparisonSettings, min_n_for_bands=st.integers(2, 12), four_groups=st.booleans())


@given(values_st, direction_st, settings_st)
def test_ties_share_rank_and_band(values, direction, s):
    result = compare(ids_for(values.size), values, direction, s)
    for v in np.unique(values[~np.isnan(values)]):
        same = values == v
        assert np.unique(result.rank[same]).size == 1
        assert np.unique(result.band[same]).size == 1


@given(values_st, direction_st, settings_st)
def test_rank_is_one_plus_the_number_strictly_better(values, direction, s):
    result = compare(ids_for(values.size), values, direction, s)
    present = values[~np.isnan(values)]
    for i, v in enumerate(values):
        if not np.isnan(v):
            better = (present > v).sum() if direction == "higher" else (present < v).sum()
            assert result.rank[i] == better + 1


@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=80, unique=True), settings_st)
def test_flipping_direction_swaps_best_and_worst_for_distinct_values(xs, s):
    values = np.array(xs, dtype=float)
    up = compare(ids_for(values.size), values, "higher", s)
    down = compare(ids_for(values.size), values, "lower", s)
    assert np.array_equal(up.band == BAND_BEST, down.band == BAND_WORST)
    assert np.array_equal(up.band == BAND_WORST, down.band == BAND_BEST)
    assert np.array_equal(up.rank + down.rank, np.full(values.size, values.size + 1))


@given(st.integers(10, 400))
def test_band_sizes_are_25_50_25_within_rounding_for_distinct_values(n):
    result = compare(ids_for(n), np.random.default_rng(n).permutation(n).astype(float), "higher")
    best, middle, worst = ((result.band == b).sum() for b in (BAND_BEST, BAND_MIDDLE, BAND_WORST))
    assert best == worst and best + middle + worst == n
    assert abs(best - n / 4) <= 1 and abs(middle - n / 2) <= 2


@given(values_st, direction_st, settings_st, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(values, direction, s, rnd):
    ids = ids_for(values.size)
    perm = np.array(rnd.sample(range(values.size), values.size), dtype=int)
    a = compare(ids, values, direction, s)
    b = compare(ids[perm], values[perm], direction, s)
    assert a.reference == b.reference
    for field in ("rank", "band", "position", "reading"):
        assert np.array_equal(getattr(a, field)[perm], getattr(b, field))


@given(values_st, value_st.filter(lambda v: not np.isnan(v)), direction_st, settings_st)
def test_adding_a_municipality_never_reorders_two_others(values, new, direction, s):
    before = compare(ids_for(values.size), values, direction, s)
    after = compare(ids_for(values.size + 1), np.append(values, new), direction, s)
    r0, r1 = before.rank, after.rank[:-1]
    has = r0 > 0
    order0 = np.sign(r0[has][:, None] - r0[has][None, :])
    order1 = np.sign(r1[has][:, None] - r1[has][None, :])
    assert np.array_equal(order0, order1)
    assert (r1[has] >= r0[has]).all()  # nobody climbs because someone else arrived


@given(values_st, direction_st, settings_st)
def test_missing_values_get_nothing_and_do_not_change_the_rest(values, direction, s):
    ids = ids_for(values.size)
    full = compare(ids, values, direction, s)
    missing = np.isnan(values)
    assert (full.rank[missing] == 0).all() and (full.band[missing] == 0).all()
    assert (full.position[missing] == 0).all() and (full.reading[missing] == 0).all()
    kept = compare(ids[~missing], values[~missing], direction, s)
    assert kept.reference == full.reference
    for field in ("rank", "band", "position", "reading"):
        assert np.array_equal(getattr(kept, field), getattr(full, field)[~missing])


# --- the whole-table function -------------------------------------------------------------------


@st.composite
def tables(draw):
    """Long arrays for a few (kpi, year, gender) groups of different sizes, rows shuffled."""
    n_kpis = draw(st.integers(1, 4))
    directions = np.array(draw(st.lists(st.sampled_from([1, -1, 0]), min_size=n_kpis, max_size=n_kpis)))
    rows = []
    for kpi in range(n_kpis):
        for year in draw(st.sets(st.integers(2015, 2022), min_size=1, max_size=3)):
            for gender in draw(st.sets(st.integers(0, 2), min_size=1, max_size=2)):
                group = draw(st.lists(value_st, min_size=1, max_size=40))
                rows += [(kpi, year, gender, m, v) for m, v in enumerate(group)]
    rows = draw(st.permutations(rows))
    kpi, year, gender, municipality, values = (np.array(col) for col in zip(*rows, strict=True))
    return kpi, year, gender, values.astype(float), directions, municipality


def assert_table_matches_compare(kpi, year, gender, values, directions, s, municipality=None):
    table = compare_table(kpi, year, gender, values, directions, s, municipality_index=municipality)
    names = {1: "higher", -1: "lower", 0: "none"}
    keys = sorted(set(zip(kpi.tolist(), year.tolist(), gender.tolist(), strict=True)))
    assert list(zip(table.kpi.tolist(), table.year.tolist(), table.gender.tolist(), strict=True)) == keys
    for g, (k, y, gd) in enumerate(keys):
        rows = np.flatnonzero((kpi == k) & (year == y) & (gender == gd))
        assert (table.row_group[rows] == g).all()
        one = compare(ids_for(rows.size), values[rows], names[directions[k]], s)
        ref = one.reference
        assert table.n[g] == ref.n
        for field in ("mean", "median", "min", "max", "sd"):  # the same engine: equal to the last bit
            expected = getattr(ref, field)
            got = getattr(table, field)[g]
            assert np.isnan(got) if expected is None else got == expected
        for field in ("rank", "band", "position", "reading"):
            assert np.array_equal(getattr(table, field)[rows], getattr(one, field))


@settings(max_examples=150)
@given(tables(), settings_st, st.booleans())
def test_table_agrees_with_the_per_kpi_year_function(table, s, with_municipality_index):
    *arrays, municipality = table
    assert_table_matches_compare(*arrays, s, municipality if with_municipality_index else None)


@settings(max_examples=150)
@given(tables(), settings_st)
def test_the_grid_entry_point_agrees_with_the_table_to_the_last_bit(table, s):
    """compare_rows (one row of a grid per group, one column per municipality: the store's path for a
    few KPI-years) gives what compare_table gives each group, bit for bit, padding and all."""
    kpi, year, gender, values, directions, municipality = table
    full = compare_table(kpi, year, gender, values, directions, s, municipality_index=municipality)
    group = full.row_group
    width = int(municipality.max()) + 1 + 3  # some columns nobody fills
    grid = np.full((full.n.size, width), NAN)
    grid[group, municipality] = values
    stats, codes = compare_rows(grid, directions[full.kpi], s)
    assert np.array_equal(stats[0], full.n)
    for row, field in enumerate(("mean", "median", "min", "max", "sd"), start=1):
        assert np.array_equal(stats[row].view(np.int64), getattr(full, field).view(np.int64))  # NaN and -0.0 too
    rank, band, position, reading = unpack_codes(codes[group, municipality])
    for field, got in (("rank", rank), ("band", band), ("position", position), ("reading", reading)):
        assert np.array_equal(got, getattr(full, field))
    assert not codes[np.isnan(grid)].any()  # an empty cell gets no code


def test_the_grid_entry_point_refuses_infinities_and_takes_an_empty_grid():
    with pytest.raises(InputError, match="finite"):
        compare_rows(np.array([[1.0, np.inf]]), np.array([1]))
    stats, codes = compare_rows(np.zeros((2, 0)), np.array([1, -1]))
    assert codes.shape == (2, 0) and stats[0].tolist() == [0, 0] and np.isnan(stats[1:]).all()


def test_table_refuses_a_municipality_twice_in_a_group():
    zeros = np.zeros(3, dtype=int)
    with pytest.raises(InputError, match="twice"):
        compare_table(
            zeros, zeros + 2020, zeros, np.array([1.0, 2.0, 3.0]), np.array([1]), municipality_index=[0, 1, 1]
        )


def test_table_with_very_different_group_sizes_and_sparse_keys():
    rng = np.random.default_rng(7)
    sizes = [1, 2, 3, 290, 17, 1000, 5]
    kpi = np.concatenate([np.full(n, 3_000_000 - 7 * i) for i, n in enumerate(sizes)])  # forces np.unique
    year = np.concatenate([np.full(n, 1994 + 5 * i) for i, n in enumerate(sizes)])
    gender = np.zeros(kpi.size, dtype=int)
    values = rng.integers(0, 50, kpi.size).astype(float)
    values[rng.random(kpi.size) < 0.1] = NAN
    directions = np.zeros(3_000_001, dtype=np.int8)
    directions[kpi] = rng.choice([1, -1], kpi.size)[0]
    perm = rng.permutation(kpi.size)
    default = ComparisonSettings()
    assert_table_matches_compare(kpi[perm], year[perm], gender, values[perm], directions, default)
    sparse = np.arange(kpi.size) * 1000  # unique but far apart: too wide a grid, so grouped by sorting
    assert_table_matches_compare(kpi, year, gender, values, directions, ComparisonSettings(), sparse)


def test_table_ranks_values_that_differ_only_in_the_last_bits():
    base = 1.0
    values = np.array([base, base + 2**-40, base + 2**-45, base + 2**-50, base - 2**-44] * 3 + [2.0, 0.5])
    values = np.random.default_rng(3).permutation(values)
    kpi = np.zeros(values.size, dtype=int)
    for direction in (1, -1):
        directions = np.array([direction])
        assert_table_matches_compare(kpi, kpi + 2020, kpi, values, directions, ComparisonSettings())


def test_table_of_nothing():
    empty = np.zeros(0)
    table = compare_table(empty, empty, empty, empty, np.array([1]))
    assert table.n.size == 0 and table.rank.size == 0


def test_table_refuses_unknown_kpi_index():
    with pytest.raises(InputError):
        compare_table(np.array([2]), np.array([2020]), np.array([0]), np.array([1.0]), np.array([1, -1]))


@given(values_st, settings_st)
def test_the_references_do_not_depend_on_the_direction(values, s):
    """The rikssnitt and the spread are sums in one fixed order, whichever way the ranks run."""
    expected = references(values)
    for direction in ("higher", "lower", "none"):
        assert compare(ids_for(values.size), values, direction, s).reference == expected


def test_one_layout_packs_and_unpacks_a_kommuns_codes():
    """pack_codes, unpack_codes and the scalar unpack_position (a stored positions entry, a number or
    its text) agree on the one layout the block engine writes."""
    from kommunkvalitet.core.comparison import pack_codes, unpack_codes, unpack_position

    rank, band, position, reading = np.array([1, 290, 0]), np.array([1, 5, 0]), np.array([2, 4, 0]), np.array([1, 3, 0])
    packed = pack_codes(rank, band, position, reading)
    assert [a.tolist() for a in unpack_codes(packed)] == [
        rank.tolist(),
        band.tolist(),
        position.tolist(),
        reading.tolist(),
    ]
    assert [unpack_position(c) for c in packed.tolist()] == [(1, 1, 2, 1), (290, 5, 4, 3), (0, 0, 0, 0)]
    assert unpack_position(str(packed[1])) == (290, 5, 4, 3) and unpack_position(None) is None
