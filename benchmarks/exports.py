"""Benchmark: server time of the Excel file of a whole KKiK edition (``/kommun/<id>/<år>.xlsx``: an
overview sheet, the biggest improvements and declines, and one sheet per area) and of its CSV, against the JSON twins of the same pages.

Usage::

    .venv/bin/python benchmarks/exports.py [--data-dir DIR] [--requests 60] [--year 2022]

Without ``--data-dir`` it imports the default snapshot set into a fresh temporary SQLite database first
(about a minute); with it, it uses that data dir's database (after ``kommunkvalitet setup``). The page
cache is off, so every request builds its answer. Requests go through Django's full stack in-process
(middleware, view, queries, the file), so the time is the server's, without the network; each request
is for a different, randomly chosen kommun.

Baseline, in the same run and for the same kommun just before or after: the JSON twins of the same
pages (the overview's and the three areas'), four requests that read the same figures. Target: the
edition's Excel file under 1 s. Wall-clock times, and in brackets the CPU time of this process
(``time.process_time``), which on a shared, busy machine leaves out the time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchkit import percentile

ROOT = Path(__file__).resolve().parent.parent


def _summary(name: str, wall: list[float], cpu: list[float]) -> str:
    return (f"{name}: p50 {statistics.median(wall):.1f} ms, p95 {percentile(wall, 95):.1f} ms, max {max(wall):.1f} ms "
            f"(CPU p50 {statistics.median(cpu):.1f} ms, p95 {percentile(cpu, 95):.1f} ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--year", type=int, default=2022)
    args = parser.parse_args()
    os.environ["KOMMUNKVALITET_DATA_DIR"] = str(args.data_dir or tempfile.mkdtemp())
    os.environ["KOMMUNKVALITET_PAGE_CACHE"] = "off"  # measure building the answer, not reading the cache
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from kommunkvalitet import config
    from kommunkvalitet.core.measuresets import measure_sets, set_for_edition
    from kommunkvalitet.store.models import Municipality, Value

    call_command("migrate", verbosity=0)
    if not Value.objects.exists():
        from kommunkvalitet.store.importing import SnapshotImporter

        t0 = time.perf_counter()
        SnapshotImporter(config.snapshot_dir()).run()
        print(f"imported the default snapshot set in {time.perf_counter() - t0:.0f} s")
    ms = set_for_edition(measure_sets(), args.year)
    assert ms is not None, f"no KKiK edition {args.year}"
    areas = [a.id for a in ms.areas]
    client = Client(HTTP_HOST="127.0.0.1")
    ids = list(Municipality.objects.filter(type="kommun").values_list("id", flat=True))
    rng = random.Random(args.year)
    chosen = [rng.choice(ids) for _ in range(args.requests + 3)]

    def get(url: str) -> tuple[float, float, int]:
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        assert response.status_code == 200, url
        return wall * 1000, cpu * 1000, len(response.content)

    def forms(mid: str) -> dict[str, list[str]]:
        edition = f"/kommun/{mid}/{args.year}"
        return {
            "xlsx": [f"{edition}.xlsx"],
            "csv": [f"{edition}.csv"],
            "json": [f"{edition}.json", *[f"{edition}/{a}.json" for a in areas]],
        }

    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for mid in chosen[:3]:  # warm-up: imports, openpyxl, SQLite's page cache
        for urls in forms(mid).values():
            for url in urls:
                get(url)
    wall: dict[str, list[float]] = {"xlsx": [], "csv": [], "json": []}
    cpu: dict[str, list[float]] = {"xlsx": [], "csv": [], "json": []}
    size: dict[str, list[int]] = {"xlsx": [], "csv": [], "json": []}
    for i, mid in enumerate(chosen[3:]):
        order = list(forms(mid).items())
        if i % 2:  # alternate who goes first, so that neither always meets a colder database
            order.reverse()
        for name, urls in order:
            timed = [get(url) for url in urls]
            wall[name].append(sum(t[0] for t in timed))
            cpu[name].append(sum(t[1] for t in timed))
            size[name].append(sum(t[2] for t in timed))
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"machine: {os.cpu_count()} cores; {args.requests} kommuner, KKiK {args.year} ({len(areas)} areas, "
          f"{len(ms.measures)} measures); page cache off")  # fmt: skip
    print(_summary("edition .xlsx (overview, biggest changes, one sheet per area)", wall["xlsx"], cpu["xlsx"]))
    print(_summary("edition .csv (every measure, for Excel)", wall["csv"], cpu["csv"]))
    print(_summary(f"baseline: the {1 + len(areas)} JSON twins of the same pages", wall["json"], cpu["json"]))
    print(f"sizes p50: xlsx {statistics.median(size['xlsx']) / 1024:.0f} kB, csv {statistics.median(size['csv']) / 1024:.0f} "
          f"kB, JSON twins {statistics.median(size['json']) / 1024:.0f} kB")  # fmt: skip
    for name in ("xlsx", "csv"):
        print(f"ratio {name}/JSON twins p50: wall {statistics.median(wall[name]) / statistics.median(wall['json']):.2f}, "
              f"CPU {statistics.median(cpu[name]) / statistics.median(cpu['json']):.2f}")  # fmt: skip
    print(f"target: edition .xlsx p50 < 1000 ms: {'met' if statistics.median(wall['xlsx']) < 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
