"""Benchmark: ``kommunkvalitet recompute`` of a whole store (every KPI, year and gender, read from and
written to the database) against pandas computing the same ranks and means in memory.

Usage::

    .venv/bin/kommunkvalitet manage migrate && .venv/bin/kommunkvalitet import snapshot --all  # once
    .venv/bin/python benchmarks/comparison.py --data-dir var [--repeat 3]

``--data-dir`` is the data directory of a store with the ``--all`` snapshot imported (4.2 M values);
with ``DATABASE_URL`` set, the benchmark runs against that PostgreSQL store instead. Each repeat
times, in the same run and one after the other:

* ours: the command ``kommunkvalitet recompute`` as a user runs it, in a fresh process: it reads every
  value, computes every n, mean, median, min, max, sd and every rank, band, position and reading with
  ``core.comparison.compare_table``, and replaces all ComparisonStat rows;
* baseline: pandas ``groupby(kpi, year, gender)`` on the same kommun values already in memory
  (loaded once, not timed): ``rank(method="min")`` on direction-oriented values and count, mean,
  median, min and max, each repeat after a warm-up call.

It also times one KPI-year in the store (``store.comparison.recompute`` of U21401 for one year: read
its values, compare the three genders, write three rows) and ``compare`` on one block of 290 values;
with ``--before-src``, that of the other tree too, alternating in the same process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [str(Path(sys.executable).with_name("kommunkvalitet")), "recompute"]


def setup_django(data_dir: Path) -> None:
    os.environ["KOMMUNKVALITET_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def load_arrays():
    """Every kommun value of the store as arrays (kpi index, year, gender, value) and each KPI's
    direction code, read with the store's own reader."""
    from kommunkvalitet.core.comparison import DIRECTION_CODES
    from kommunkvalitet.store.comparison import _fetch, _unpack_key
    from kommunkvalitet.store.models import KPI

    kpis, kpi_idx, key, value = _fetch(None, None)
    year, gender, municipality = _unpack_key(key)
    kommun = (municipality >= 100) & (gender < 3)
    direction = dict(KPI.objects.values_list("id", "direction"))
    directions = np.array([DIRECTION_CODES.get(direction.get(k, "none"), 0) for k in kpis])
    return kpi_idx[kommun], year[kommun], gender[kommun], value[kommun], directions


def pandas_baseline(data):
    import pandas as pd

    kpi, year, gender, values, directions = data
    df = pd.DataFrame({"kpi": kpi, "year": year, "gender": gender, "value": values})
    df["oriented"] = np.where(directions[kpi] > 0, -values, values)
    groups = df.groupby(["kpi", "year", "gender"])
    ranks = groups["oriented"].rank(method="min")
    stats = groups["value"].agg(["count", "mean", "median", "min", "max"])
    return ranks, stats


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run_command(env: dict, server: int | None = None) -> tuple[float, float, float | None]:
    """Wall and CPU time (the child's user + system) of the command in a fresh process, and the CPU
    time of the PostgreSQL server whose postmaster is ``server`` (a process of this machine)."""
    before = os.times()
    server_before = server_cpu(server) if server else None
    t = time.perf_counter()
    out = subprocess.run(COMMAND, env=env, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    after = os.times()
    server_after = server_cpu(server) if server else None
    spent = server_after - server_before if server_after is not None and server_before is not None else None
    cpu = after.children_user + after.children_system - before.children_user - before.children_system
    print(f"    {out.stdout.strip()}" + (f" (server CPU {spent:.2f} s)" if spent is not None else ""), flush=True)
    return seconds, cpu, spent


def _cpu_of(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of a process from /proc (and of its reaped children: ``children``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster() -> int | None:
    """The PostgreSQL server's postmaster, if it runs on this machine and /proc shows it (Linux)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (backend,) = cur.fetchone()
    try:
        parent = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        _cpu_of(parent, children=True)
        return parent
    except (OSError, ValueError, IndexError):
        return None


def server_cpu(postmaster_pid: int) -> float | None:
    """CPU seconds of the whole server: the postmaster, the backends it has reaped (the command's,
    parallel workers) and those alive (checkpointer, WAL writer, autovacuum). Only a server nobody
    else uses is measured so."""
    try:
        total = _cpu_of(postmaster_pid, children=True)
    except OSError:
        return None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster_pid:
                    total += _cpu_of(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return total


def one_kpi_year(repeat: int = 3, store=None) -> dict[str, float]:
    """Medians in ms of ``recompute`` of one KPI-year (U21401, each year 2015-2022, ``repeat`` times):
    wall and CPU time of the whole call, and the CPU time of its three parts (reading the values,
    comparing the three genders, writing the rows; the rest is the transaction and the data version).
    ``store``: another tree's ``store.comparison`` module (:func:`before_module`)."""
    if store is None:
        import kommunkvalitet.store.comparison as store

    # each part's functions (those the module has: a tree may read one KPI-year another way)
    wanted = {"read": ("_fetch", "_read_one_sqlite"), "compare": ("_rows",), "write": ("_write",)}
    parts = {name: part for part, names in wanted.items() for name in names if hasattr(store, name)}
    spent = dict.fromkeys(wanted, 0.0)
    originals = {name: getattr(store, name) for name in parts}

    def timed_part(part, fn):
        def run(*args, **kwargs):
            c = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[part] += time.process_time() - c

        return run

    for name, part in parts.items():
        setattr(store, name, timed_part(part, originals[name]))
    out: dict[str, list[float]] = {k: [] for k in ("wall", "cpu", *wanted)}
    try:
        for _ in range(repeat):
            for year in range(2015, 2023):
                for part in spent:
                    spent[part] = 0.0
                t, c = time.perf_counter(), time.process_time()
                store.recompute([("U21401", year)])
                out["wall"].append((time.perf_counter() - t) * 1000)
                out["cpu"].append((time.process_time() - c) * 1000)
                for part in wanted:
                    out[part].append(spent[part] * 1000)
    finally:
        for name in parts:
            setattr(store, name, originals[name])
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True, help="a store with the --all snapshot imported")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kpi-year-only", action="store_true", help="only one KPI-year and compare() on a block")
    parser.add_argument(
        "--before-src",
        type=Path,
        default=None,
        help="also run the command of this src/ tree (e.g. `git archive` of main)",
    )
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    setup_django(data_dir)
    from django.db import connection

    from kommunkvalitet.store.models import ComparisonStat, Value

    vendor = connection.vendor
    if args.kpi_year_only:
        kpi_year_and_block(vendor, args.repeat, args.before_src)
        return
    t = time.perf_counter()
    data = load_arrays()
    print(
        f"{vendor}: {Value.objects.count():,} values in the store, {data[3].size:,} kommun values "
        f"(loaded for pandas in {time.perf_counter() - t:.1f} s); {ComparisonStat.objects.count():,} comparisons"
    )
    server = postmaster() if vendor == "postgresql" else None
    connection.close()  # the command runs in its own process
    env = dict(os.environ, KOMMUNKVALITET_DATA_DIR=str(data_dir))
    pandas_baseline(data)  # warm-up
    ours, ours_cpu, base, base_cpu, old, old_cpu = [], [], [], [], [], []
    ours_server: list[float | None] = []
    old_server: list[float | None] = []
    for i in range(args.repeat):
        if args.before_src:  # the same command from another source tree, alternating with ours
            wall, cpu, spent = run_command(dict(env, PYTHONPATH=str(args.before_src.resolve())), server)
            old.append(wall)
            old_cpu.append(cpu)
            old_server.append(spent)
            print(f"  run {i + 1}: before {wall:.2f} s (CPU {cpu:.2f} s)")
        wall, cpu, spent = run_command(env, server)
        ours.append(wall)
        ours_cpu.append(cpu)
        ours_server.append(spent)
        c = time.process_time()
        base.append(timed(lambda: pandas_baseline(data)))
        base_cpu.append(time.process_time() - c)
        print(f"  run {i + 1}: ours {wall:.2f} s (CPU {cpu:.2f} s), pandas {base[-1]:.2f} s (CPU {base_cpu[-1]:.2f} s), "
              f"ratio {wall / base[-1]:.2f} (CPU {cpu / base_cpu[-1]:.2f})")  # fmt: skip
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"ours: `kommunkvalitet recompute` ({vendor}): median {statistics.median(ours):.2f} s, "
          f"CPU {statistics.median(ours_cpu):.2f} s")  # fmt: skip
    print(f"pandas groupby (ranks and means, in memory): median {statistics.median(base):.2f} s, "
          f"CPU {statistics.median(base_cpu):.2f} s")  # fmt: skip
    print(f"ratio ours/pandas: median of runs {statistics.median(o / b for o, b in zip(ours, base, strict=True)):.2f}, "
          f"CPU {statistics.median(o / b for o, b in zip(ours_cpu, base_cpu, strict=True)):.2f}")  # fmt: skip
    if server and None not in ours_server + old_server:
        with_server = [c + (s or 0.0) for c, s in zip(ours_cpu, ours_server, strict=True)]
        print(f"ours, server CPU: median {statistics.median(s or 0.0 for s in ours_server):.2f} s; command + server CPU: median "
              f"{statistics.median(with_server):.2f} s, ratio to pandas' CPU "
              f"{statistics.median(w / b for w, b in zip(with_server, base_cpu, strict=True)):.2f}")  # fmt: skip
        if old:
            old_with = [c + (s or 0.0) for c, s in zip(old_cpu, old_server, strict=True)]
            print(f"before, server CPU: median {statistics.median(s or 0.0 for s in old_server):.2f} s; command + server CPU: median "
                  f"{statistics.median(old_with):.2f} s, ratio to pandas' CPU "
                  f"{statistics.median(w / b for w, b in zip(old_with, base_cpu, strict=True)):.2f}")  # fmt: skip
    if old:
        print(f"before ({args.before_src}): median {statistics.median(old):.2f} s, CPU {statistics.median(old_cpu):.2f} s; "
              f"ratio to pandas {statistics.median(o / b for o, b in zip(old, base, strict=True)):.2f}, "
              f"CPU {statistics.median(o / b for o, b in zip(old_cpu, base_cpu, strict=True)):.2f}")  # fmt: skip

    kpi_year_and_block(vendor, args.repeat, args.before_src)


def before_module(src: Path):
    """The ``store.comparison`` module of another source tree, loaded beside ours with that tree's
    engines (``core.comparison`` and ``core.plausibility``); the rest of ``core`` and ``store`` it
    imports is ours."""
    import importlib.util

    import kommunkvalitet.core.comparison
    import kommunkvalitet.core.plausibility

    def load(name: str, path: Path):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module

    root = src.resolve() / "kommunkvalitet"
    engines = {
        name: load(f"before_core_{name}", root / "core" / f"{name}.py") for name in ("comparison", "plausibility")
    }
    ours = {name: sys.modules[f"kommunkvalitet.core.{name}"] for name in engines}
    try:  # the store module imports the other tree's engines
        for name, module in engines.items():
            sys.modules[f"kommunkvalitet.core.{name}"] = module
            setattr(kommunkvalitet.core, name, module)
        return load("before_store_comparison", root / "store" / "comparison.py")
    finally:
        for name, module in ours.items():
            sys.modules[f"kommunkvalitet.core.{name}"] = module
            setattr(kommunkvalitet.core, name, module)


def kpi_year_and_block(vendor: str, repeat: int, before_src: Path | None = None) -> None:
    from kommunkvalitet.core.comparison import compare

    trees = [("ours", None)]
    if before_src:  # alternating, in the same process: one round of each, `repeat` times
        trees.append(("before", before_module(before_src)))
    runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
    for _ in range(repeat):
        for name, module in trees:
            runs[name].append(one_kpi_year(1, module))
    for name, _ in trees:
        one = {k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]}
        print(f"one KPI-year in the store, {name} (read, compare 3 genders, write; {vendor}): wall {one['wall']:.2f} ms, "
              f"CPU {one['cpu']:.2f} ms (read {one['read']:.2f}, compare {one['compare']:.2f}, "
              f"write {one['write']:.2f}); load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    ids = np.array([f"{i:04d}" for i in range(114, 114 + 290)], dtype=object)
    values = np.random.default_rng(1).normal(50, 10, 290)
    block = [timed(lambda: compare(ids, values, "higher")) for _ in range(200)]
    print(f"compare() on one block of 290 values: {statistics.median(block) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
