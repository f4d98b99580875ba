"""Benchmark: every reference, rank, band and change for the whole snapshot, against pandas.

Usage::

    .venv/bin/python benchmarks/comparison.py [--snapshot ../shared/data] [--repeat 5]

Loads all 4.2 M values of ``kommun_KA_2015-2022.csv.gz`` (kommuner only; Riket is not ranked) into
arrays (not timed), then times, each ``--repeat`` times after one warm-up, and prints the medians:

* ours: ``core.comparison.compare_table`` over every (KPI, year, gender): n, mean, median, min, max,
  sd, and per value rank, band, position and reading; and, timed separately, that plus
  ``core.trend.change_table``: every value's change against the municipality's latest earlier value
  (absolute, percent, improved/worsened, marked, band movement);
* baseline: a straightforward pandas ``groupby``: the same ranks (``rank(method="min")`` on values
  oriented by direction) and the same means (count, mean, median, min, max).

It also times recomputing one KPI-year, in core (``compare`` on 290 values) and in the store
(``store.comparison.recompute`` of one KPI-year, reading and writing a temporary SQLite database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from kommunkvalitet.core.comparison import compare, compare_table  # noqa: E402
from kommunkvalitet.core.measuresets import default_directions  # noqa: E402
from kommunkvalitet.core.trend import change_table  # noqa: E402
from kommunkvalitet.sources.snapshot import read_values  # noqa: E402

GENDERS = {"T": 0, "K": 1, "M": 2}


def load(snapshot: Path):
    kpis, munis, years, genders, values = [], [], [], [], []
    for batch in read_values(snapshot / "kolada/values/kommun_KA_2015-2022.csv.gz"):
        for kpi, muni, year, gender, value, _status, _count in batch:
            if muni == "0000" or value is None:
                continue
            kpis.append(kpi)
            munis.append(muni)
            years.append(year)
            genders.append(GENDERS[gender])
            values.append(value)
    kpi_ids, kpi_index = np.unique(np.array(kpis), return_inverse=True)
    muni_ids, muni_index = np.unique(np.array(munis), return_inverse=True)
    known = default_directions()
    # Our direction for the measure-set KPIs, and "higher" for the rest so that every group is ranked.
    code = {"higher": 1, "lower": -1, "none": 0}
    directions = np.array([code[known.get(k, "higher")] for k in kpi_ids])
    return (kpi_ids, kpi_index, muni_ids, muni_index, np.array(years), np.array(genders),
            np.array(values, dtype=np.float64), directions)  # fmt: skip


def ours_table(data):
    _kids, kpi, _mids, mun, year, gender, values, directions = data
    return compare_table(kpi, year, gender, values, directions, municipality_index=mun)


def ours_all(data):
    """Every reference, rank, band and position, then every change against the latest earlier year."""
    _kids, kpi, _mids, mun, year, gender, values, directions = data
    table = compare_table(kpi, year, gender, values, directions, municipality_index=mun)
    sign = directions[kpi]
    return change_table(kpi * 3 + gender, mun, year, values, table.band, sign, is_share=False)


def pandas_baseline(data):
    import pandas as pd

    _kids, kpi, _mids, _mun, year, gender, values, directions = data
    df = pd.DataFrame({"kpi": kpi, "year": year, "gender": gender, "value": values})
    df["oriented"] = np.where(directions[kpi] > 0, -values, values)
    groups = df.groupby(["kpi", "year", "gender"])
    ranks = groups["oriented"].rank(method="min")
    stats = groups["value"].agg(["count", "mean", "median", "min", "max"])
    return ranks, stats


def timed(fn, data, repeat: int) -> list[float]:
    fn(data)  # warm-up
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(data)
        out.append(time.perf_counter() - t)
    return out


def store_recompute_ms(snapshot: Path) -> float:
    os.environ["KOMMUNKVALITET_DATA_DIR"] = tempfile.mkdtemp()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kommunkvalitet.store.comparison import recompute
    from kommunkvalitet.store.importing import SnapshotImporter

    call_command("migrate", verbosity=0)
    SnapshotImporter(snapshot, kpis=["U21401"]).run()
    times = []
    for year in range(2015, 2023):
        t = time.perf_counter()
        recompute([("U21401", year)])
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--snapshot", type=Path, default=Path(os.environ.get("KOMMUNKVALITET_SNAPSHOT", ROOT.parent / "shared/data"))
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    snapshot = args.snapshot.resolve()
    t = time.perf_counter()
    data = load(snapshot)
    print(f"loaded {data[6].size:,} kommun values of {data[0].size:,} KPIs in {time.perf_counter() - t:.1f} s")
    table = ours_table(data)
    print(f"groups (KPI, year, gender): {table.n.size:,}")

    ours = timed(ours_table, data, args.repeat)
    everything = timed(ours_all, data, args.repeat)
    base = timed(pandas_baseline, data, args.repeat)
    print(f"machine: {os.cpu_count()} cores; medians of {args.repeat} runs after a warm-up")
    print(
        f"ours compare_table (refs, ranks, bands, positions): {statistics.median(ours):.2f} s "
        f"(runs: {', '.join(f'{x:.2f}' for x in ours)})"
    )
    print(
        f"ours with every change too (compare_table + change_table): {statistics.median(everything):.2f} s "
        f"(runs: {', '.join(f'{x:.2f}' for x in everything)})"
    )
    print(
        f"pandas groupby baseline (ranks, means):             {statistics.median(base):.2f} s "
        f"(runs: {', '.join(f'{x:.2f}' for x in base)})"
    )
    print(f"ratio pandas/ours (same ranks and means): {statistics.median(base) / statistics.median(ours):.2f}x")
    print(f"ratio pandas/ours (ours also every change): {statistics.median(base) / statistics.median(everything):.2f}x")

    ids = np.array([f"{i:04d}" for i in range(114, 114 + 290)], dtype=object)
    values = np.random.default_rng(1).normal(50, 10, 290)
    one = timed(lambda _d: compare(ids, values, "higher"), None, 200)
    print(f"recompute one KPI-year in core (compare, 290 values): {statistics.median(one) * 1000:.3f} ms")
    print(
        f"recompute one KPI-year in the store (read, compare 3 genders, write; SQLite): "
        f"{store_recompute_ms(snapshot):.1f} ms"
    )


if __name__ == "__main__":
    main()
