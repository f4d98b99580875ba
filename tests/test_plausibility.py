"""Values that are not comparable (issue 10): the core rule, and the real value that set its threshold."""

from __future__ import annotations

import numpy as np
import pytest

from kommunkvalitet.core import plausibility
from kommunkvalitet.core.comparison import ComparisonSettings
from kommunkvalitet.errors import ConfigurationError

THRESHOLD = ComparisonSettings().outlier_mad


@pytest.mark.parametrize(
    ("unit", "value", "code"),
    [
        ("percent", 100.5, plausibility.IMPOSSIBLE),
        ("percent", -1.0, plausibility.IMPOSSIBLE),
        ("percent", 100.0, plausibility.OK),
        ("percent", 0.0, plausibility.OK),
        ("hours_per_week", 169.0, plausibility.IMPOSSIBLE),
        ("hours_per_week", 168.0, plausibility.OK),
        ("days", -3.0, plausibility.IMPOSSIBLE),
        ("kr_per_inhabitant", -10.0, plausibility.IMPOSSIBLE),
        ("count", -1.0, plausibility.IMPOSSIBLE),
        ("", -1e6, plausibility.OK),  # a unit we know nothing about has no bounds
    ],
)
def test_a_value_outside_what_its_unit_allows_is_impossible(unit, value, code):
    values = np.array([value, 50.0, np.nan])
    assert plausibility.flag_values(values, unit, THRESHOLD).tolist() == [code, 0, 0]


def _normalish(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(50, 10, n).round(1)


def test_an_extreme_outlier_is_flagged_and_a_long_tail_is_not():
    values = _normalish(200)
    mad = np.median(np.abs(values - np.median(values))) * plausibility.MAD_TO_SD
    far = np.median(values) + (THRESHOLD + 1) * mad
    near = np.median(values) + (THRESHOLD - 1) * mad
    codes = plausibility.flag_values(np.append(values, [far, near]), "", THRESHOLD)
    assert codes[-2] == plausibility.OUTLIER
    assert codes[-1] == plausibility.OK
    assert not codes[:-2].any()


def test_no_outliers_in_small_groups_in_groups_without_spread_or_with_the_rule_off():
    few = np.append(_normalish(plausibility.MIN_N_FOR_OUTLIERS - 2), 1e6)
    assert not plausibility.flag_values(few, "", THRESHOLD).any()
    same = np.array([100.0] * 20 + [3.0, 7.0])  # MAD 0: most municipalities at 100 %
    assert not plausibility.flag_values(same, "percent", THRESHOLD).any()
    big = np.append(_normalish(100), 1e6)
    assert plausibility.flag_values(big, "", THRESHOLD)[-1] == plausibility.OUTLIER
    assert not plausibility.flag_values(big, "", 0).any()
    with pytest.raises(ConfigurationError):
        ComparisonSettings(outlier_mad=-1)


def test_many_groups_at_once_agree_with_one_group_at_a_time():
    rng = np.random.default_rng(7)
    groups = [np.append(rng.lognormal(3, 1, rng.integers(5, 60)), rng.choice([1e5, 5.0])) for _ in range(40)]
    group = np.concatenate([np.full(g.size, i) for i, g in enumerate(groups)])
    order = rng.permutation(group.size)  # any row order
    values = np.concatenate(groups)[order]
    codes = plausibility.flag(group[order], values, 0.0, np.inf, THRESHOLD)
    one_by_one = np.concatenate([plausibility.flag_values(g, "count", THRESHOLD) for g in groups])[order]
    assert codes.tolist() == one_by_one.tolist()
    assert (codes == plausibility.OUTLIER).any()


def test_groups_of_very_different_sizes_take_the_other_path_and_agree():
    rng = np.random.default_rng(3)
    groups = [np.append(rng.normal(100, 5, 5000), 1e4)] + [np.append(rng.normal(10, 1, 12), 500.0) for _ in range(60)]
    group = np.concatenate([np.full(g.size, i) for i, g in enumerate(groups)])
    assert group.max() * max(g.size for g in groups) > 4 * group.size + 4096  # a grid would be mostly padding
    codes = plausibility.flag(group, np.concatenate(groups), 0.0, np.inf, THRESHOLD)
    one_by_one = np.concatenate([plausibility.flag_values(g, "count", THRESHOLD) for g in groups])
    assert codes.tolist() == one_by_one.tolist()
    assert (codes == plausibility.OUTLIER).sum() == len(groups)


@pytest.mark.parametrize("outlier_mad", [THRESHOLD, 3.0, 0.0])
def test_the_grid_entry_point_agrees_with_the_long_arrays(outlier_mad):
    """flag_rows (one row of a NaN-padded grid per group: the store's path for a few KPI-years) flags
    what flag flags, with impossible values, outliers, small groups and groups without spread."""
    rng = np.random.default_rng(11)
    groups = [
        np.append(rng.lognormal(3, 1, 250), [1e5, -2.0, 120.0]),  # outside 0..100: -2, 120, 1e5 and a tail
        np.append(rng.normal(50, 10, 200).round(1), 1e4),  # an outlier (no bounds)
        np.append(rng.normal(50, 10, plausibility.MIN_N_FOR_OUTLIERS - 2), 1e6),  # too few to say
        np.array([100.0] * 20 + [3.0, 7.0, 150.0]),  # MAD 0 once 150 is out
        np.array([]),
    ]
    lower, upper = np.array([0.0, -np.inf, 0.0, 0.0, 0.0]), np.array([100.0, np.inf, np.inf, 100.0, 100.0])
    width = max(g.size for g in groups) + 5
    grid = np.full((len(groups), width), np.nan)
    columns = [rng.permutation(width)[: g.size] for g in groups]  # any columns, NaN in between
    for row, (g, c) in enumerate(zip(groups, columns, strict=True)):
        grid[row, c] = g
    codes = plausibility.flag_rows(grid, lower, upper, outlier_mad)
    group = np.concatenate([np.full(g.size, i) for i, g in enumerate(groups)])
    long = plausibility.flag(group, np.concatenate(groups), lower[group], upper[group], outlier_mad)
    assert np.concatenate([codes[row, c] for row, c in enumerate(columns)]).tolist() == long.tolist()
    assert not codes[np.isnan(grid)].any()
    assert (long == plausibility.IMPOSSIBLE).sum() >= 3
    assert (long == plausibility.OUTLIER).any() == (outlier_mad > 0)


# --- on the real data --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_uppsalas_2019_library_hours_are_out_of_the_rikssnitt_rank_and_bands():
    """2,903 hours a week (a week has 168) lifted the 2019 rikssnitt above 69 with a median of 52."""
    from kommunkvalitet.store import comparison
    from kommunkvalitet.store.models import Value

    stat = comparison.kpi_year("N09808", 2019)
    values = dict(
        Value.objects.filter(kpi="N09808", year=2019, gender="T", value__isnull=False)
        .exclude(municipality__id__startswith="00")
        .values_list("municipality_id", "value")
    )
    assert values["0380"] > 168
    assert stat.flagged == {"0380": "impossible"}
    assert "0380" not in stat.positions
    others = [v for m, v in values.items() if m != "0380"]
    assert stat.n == len(others) == len(values) - 1
    assert stat.mean == pytest.approx(sum(others) / len(others))
    assert stat.mean < sum(values.values()) / len(values) - 5  # the impossible value moved it by about 10 hours
    assert stat.max == max(others)


@pytest.mark.django_db
def test_the_threshold_flags_nothing_else_in_the_kkik_data_but_values_outside_their_units():
    """docs/method.md §17: with the default threshold the outlier rule adds nothing to the unit rule
    on the shipped measure sets' data (the longest real tail is about 35 robust sds)."""
    from kommunkvalitet.store.models import ComparisonStat

    flagged = {
        (s.kpi_id, s.year, s.gender, m): code
        for s in ComparisonStat.objects.exclude(flagged={})
        for m, code in s.flagged.items()
    }
    assert ("N09808", 2019, "T", "0380") in flagged
    assert set(flagged.values()) == {"impossible"}
