"""Benchmark: the plausibility flags (``core.plausibility.flag``) that now run before every recompute,
against pandas computing the same median/MAD rule, and beside the comparison engine they precede.

Usage::

    .venv/bin/python benchmarks/plausibility.py [--groups 20000] [--size 210] [--repeat 5]

The data is generated (no store needed) in the shape of ``import snapshot --all``: 20,000 KPI-year-gender
groups of about 210 kommun values each (4.2 M values), log-normal with a few planted outliers and
values outside their unit, rows in storage order (group by group). Each repeat times, one after the
other in the same run:

* ours: ``plausibility.flag`` over all rows (unit bounds, then the median/MAD rule per group);
* baseline: pandas ``groupby(group).transform("median")`` of the values and of the absolute deviations,
  the same rule written the obvious way;
* engine: ``core.comparison.compare_table`` on the same rows (what ``recompute`` runs next), for scale.

It checks that ours and the baseline flag the same rows, and prints medians and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kommunkvalitet.core import plausibility  # noqa: E402
from kommunkvalitet.core.comparison import DEFAULT_SETTINGS, compare_table  # noqa: E402

THRESHOLD = DEFAULT_SETTINGS.outlier_mad


def make_data(groups: int, size: int, seed: int = 10):
    rng = np.random.default_rng(seed)
    n = rng.integers(size // 2, min(size * 3 // 2, 290) + 1, groups)  # at most the 290 kommuner
    group = np.repeat(np.arange(groups), n)
    values = rng.lognormal(3, 0.5, group.size).round(2)
    planted = rng.choice(group.size, groups // 10, replace=False)
    values[planted] *= 1000  # an outlier in one group of ten
    values[rng.choice(group.size, groups // 20, replace=False)] = -1.0  # impossible for a count
    municipality = np.concatenate([rng.permutation(290)[:k] for k in n])
    return group, values, municipality


def ours(group, values):
    return plausibility.flag(group, values, 0.0, np.inf, THRESHOLD)


def baseline(group, values):
    import pandas as pd

    codes = np.zeros(values.size, dtype=np.int8)
    impossible = values < 0
    codes[impossible] = plausibility.IMPOSSIBLE
    frame = pd.DataFrame({"g": group[~impossible], "v": values[~impossible]})
    median = frame.groupby("g")["v"].transform("median")
    deviation = (frame["v"] - median).abs()
    mad = deviation.groupby(frame["g"]).transform("median")
    count = frame.groupby("g")["v"].transform("size")
    outlier = (count >= plausibility.MIN_N_FOR_OUTLIERS) & (mad > 0) & (deviation > THRESHOLD * 1.4826 * mad)
    rest = np.flatnonzero(~impossible)
    codes[rest[outlier.to_numpy()]] = plausibility.OUTLIER
    return codes


def engine(group, values, municipality):
    directions = np.ones(int(group.max()) + 1, dtype=np.int64)
    zeros = np.zeros(group.size, dtype=np.int64)
    return compare_table(group, zeros, zeros, values, directions, municipality_index=municipality)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=210)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    group, values, municipality = make_data(args.groups, args.size)
    print(f"{group.size:,} values in {args.groups:,} groups")
    assert (ours(group, values) == baseline(group, values)).all(), "ours and pandas disagree"
    times: dict[str, list[float]] = {"ours": [], "baseline (pandas)": [], "engine (compare_table)": []}
    for _ in range(args.repeat):
        for name, run in (
            ("ours", lambda: ours(group, values)),
            ("baseline (pandas)", lambda: baseline(group, values)),
            ("engine (compare_table)", lambda: engine(group, values, municipality)),
        ):
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:24s} median {medians[name] * 1000:8.0f} ms  (runs: {', '.join(f'{x:.2f}' for x in t)} s)")
    flagged = ours(group, values)
    print(f"flagged: {(flagged == 1).sum():,} impossible, {(flagged == 2).sum():,} outliers")
    print(f"ratio pandas / ours: {medians['baseline (pandas)'] / medians['ours']:.2f}")
    print(f"ours as a share of the engine's time: {medians['ours'] / medians['engine (compare_table)']:.0%}")


if __name__ == "__main__":
    main()
