"""Benchmark: server time of the goal report page (and its JSON twin) for a structure of 30 goals and
300 indicators (a tenth of them Kolada key figures evaluated with the comparison engine on the latest
year with data).

Usage::

    .venv/bin/python benchmarks/goal_report.py [--data-dir DIR] [--requests 200]

Without ``--data-dir`` it imports the default snapshot set into a fresh temporary SQLite database first
(about a minute); with it, it uses that data dir's database (after ``kommunkvalitet setup``). The
structure is built by ``tests/goal_fixtures.py`` for a year no other structure uses, and removed again.
Requests go through Django's full stack in-process (middleware, view, queries, template), so the time
is the server's, without the network. Baseline, in the same run: the start page's search for a name
that matches nothing (one query, one template). Target: under 100 ms.

The page cache (``web.pagecache``) stays as configured, but it is emptied before every timed request, so
each one renders the page as the first visitor after a change does (and stores it). Beside those, the
same pages answered from the cache (``--hits``, the default: a hit is a version query and a file read).

The times are wall-clock times; in brackets the CPU time of this process (``time.process_time``), which
on a shared, busy machine leaves out the time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchkit import percentile

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2090  # a year no real structure uses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--goals", type=int, default=30)
    parser.add_argument("--indicators", type=int, default=300)
    parser.add_argument("--kpi-data-year", type=int, default=None,
                        help="the key figures' data year (default: the latest with data; 2090: none, as before)")  # fmt: skip
    parser.add_argument("--default-gc", action="store_true",
                        help="leave the garbage collector as Python starts it (the server tunes it: web/collector.py)")  # fmt: skip
    args = parser.parse_args()
    os.environ["KOMMUNKVALITET_DATA_DIR"] = str(args.data_dir or tempfile.mkdtemp())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from goal_fixtures import build_large_structure
    from kommunkvalitet import config
    from kommunkvalitet.store.models import GoalStructure, Value
    from kommunkvalitet.web.collector import tune_collector

    call_command("migrate", verbosity=0)
    if not Value.objects.exists():
        from kommunkvalitet.store.importing import SnapshotImporter

        SnapshotImporter(config.snapshot_dir()).run()
    GoalStructure.objects.filter(municipality_id="1463", year=YEAR).delete()
    # The key figures read the latest year with data, so that they are evaluated (value, rikssnitt, band,
    # group means, change) as in a real report, not all "not published yet".
    data_year = args.kpi_data_year or Value.objects.filter(municipality_id="1463").aggregate(Max("year"))["year__max"]
    struct = build_large_structure("1463", YEAR, goals=args.goals, indicators=args.indicators,
                                   kpi_data_year=data_year)  # fmt: skip
    try:
        if not args.default_gc:
            tune_collector()  # as kommunkvalitet/wsgi.py does in every server process once the app is loaded
        client = Client(HTTP_HOST="127.0.0.1")
        urls = {"html": f"/kommun/1463/mal/{YEAR}/", "json": f"/kommun/1463/mal/{YEAR}.json"}
        pages = caches["pages"]
        for url in urls.values():  # warm-up: imports, templates, SQLite page cache
            pages.clear()
            assert client.get(url).status_code == 200, url
        pages.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(urls["html"])
        # Counted now: the captured queries are a slice of the connection's log, which every later
        # request clears (Django's request_started signal resets it), so counting later gave 0.
        n_queries = len(queries)

        cpu: dict[str, list[float]] = {}

        def timed(url: str, hit: bool = False) -> float:
            """One request, rendered (the page cache emptied first, untimed) or from the cache (``hit``)."""
            if not hit:
                pages.clear()
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed, used = time.perf_counter() - t, time.process_time() - c
            assert response.status_code == 200, url
            assert response.get("X-Page-Cache", "miss") == ("hit" if hit else "miss"), (url, hit)
            cpu.setdefault(f"{url} {hit}", []).append(used * 1000)
            return elapsed * 1000

        def cpu_text(url: str, hit: bool = False) -> str:
            times = cpu[f"{url} {hit}"]
            return f"CPU p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms"

        results = {name: [timed(url) for _ in range(args.requests)] for name, url in urls.items()}
        base = [timed("/?q=zzzz") for _ in range(args.requests)]
        hits = {}
        for name, url in urls.items():
            timed(url)  # rendered and stored once
            hits[name] = [timed(url, hit=True) for _ in range(args.requests)]
        print(f"machine: {os.cpu_count()} cores; {args.requests} requests each; {args.goals} goals, "
              f"{args.indicators} indicators, key figures of {data_year}; {n_queries} queries per report; garbage "
              f"collector {'as Python starts it' if args.default_gc else 'tuned as in the server'}")  # fmt: skip
        for name, times in results.items():
            print(f"goal report {name}: p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms, "
                  f"max {max(times):.1f} ms ({cpu_text(urls[name])})")  # fmt: skip
        print(f"baseline (empty search page): p50 {statistics.median(base):.1f} ms, p95 {percentile(base, 95):.1f} ms "
              f"({cpu_text('/?q=zzzz')})")  # fmt: skip
        print(f"ratio report html/baseline p50: {statistics.median(results['html']) / statistics.median(base):.1f}")
        for name, times in hits.items():
            print(f"goal report {name} from the page cache: p50 {statistics.median(times):.1f} ms, "
                  f"p95 {percentile(times, 95):.1f} ms ({cpu_text(urls[name], hit=True)})")  # fmt: skip
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        struct.delete()


if __name__ == "__main__":
    main()
