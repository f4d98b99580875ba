"""Benchmark: server time of the KKiK area page with the full snapshot (4.2 M values) imported.

Usage::

    .venv/bin/python benchmarks/area_page.py [--data-dir DIR] [--requests 200]

Without ``--data-dir`` it imports the whole snapshot (``--all``) into a fresh temporary SQLite
database first (a few minutes); with it, it uses that data dir's database as it is (import it with
``kommunkvalitet import snapshot --all`` first). Requests go through Django's full stack in-process
(middleware, view, queries, template), so the time is the server's, without the network. Pages are
spread over random municipalities and the three areas of KKiK 2022.

Baseline, in the same run: the start page's search for a name that matches nothing, the cheapest
page of the same stack (one query, one template), so the ratio shows what the area page adds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from benchkit import data_arguments, percentile, use_data_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    data_arguments(parser, requests=200)
    args = parser.parse_args()
    use_data_dir(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from kommunkvalitet.store.models import Municipality, Value

    call_command("migrate", verbosity=0)
    if not args.data_dir:
        from kommunkvalitet.store.importing import SnapshotImporter

        t0 = time.perf_counter()
        SnapshotImporter(args.snapshot.resolve(), all_kpis=True).run()
        print(f"imported the full snapshot in {time.perf_counter() - t0:.0f} s")
    print(f"values in the database: {Value.objects.count():,}")

    client = Client(HTTP_HOST="127.0.0.1")
    ids = list(Municipality.objects.filter(type="kommun").values_list("id", flat=True))
    areas = ["barn_och_unga", "stod_och_omsorg", "samhalle_och_miljo"]
    rng = random.Random(2022)
    urls = [f"/kommun/{rng.choice(ids)}/2022/{rng.choice(areas)}/" for _ in range(args.requests)]
    for url in urls[:5]:  # warm-up: imports, template loading, SQLite page cache
        assert client.get(url).status_code == 200

    def timed(url: str) -> float:
        t = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t
        assert response.status_code == 200, url
        return elapsed * 1000

    area = [timed(u) for u in urls]
    base = [timed("/?q=zzzz") for _ in urls]
    print(f"machine: {os.cpu_count()} cores; {len(urls)} requests each")
    print(f"area page: p50 {statistics.median(area):.1f} ms, p95 {percentile(area, 95):.1f} ms, max {max(area):.1f} ms")
    print(f"baseline (empty search page): p50 {statistics.median(base):.1f} ms, p95 {percentile(base, 95):.1f} ms")
    print(f"ratio area/baseline p50: {statistics.median(area) / statistics.median(base):.1f}")


if __name__ == "__main__":
    main()
