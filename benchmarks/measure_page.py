"""Benchmark: the pictures of issue 13, server time, with the full snapshot (4.2 M values) imported.

Usage::

    .venv/bin/python benchmarks/measure_page.py [--data-dir DIR] [--requests 200]

Without ``--data-dir`` it imports the whole snapshot (``--all``) into a fresh temporary SQLite database
first (a few minutes); with it, it uses that data dir's database (after ``kommunkvalitet import
snapshot --all``; ``kommunkvalitet import geo`` adds the boundaries to an older one). The chart cache is a
fresh directory of its own, so "cold" means cold. Requests go through Django's whole stack in-process
(middleware, view, queries, template, cache), so the times are the server's, without the network.

What it measures, all in one run:

1. **The measure page** ``/nyckeltal/<kpi>/<år>/?kommun=<kod>`` with its three pictures (bar chart, time
   series, map) for KKiK 2022 measures and random kommuner:
   - the first request of a fresh process (it starts vl-convert's JavaScript engine, which the server
     does in the background when a worker starts, see ``kommunkvalitet/wsgi.py``);
   - **cold**: KPI-years never drawn before, every picture rendered (target: each under 1 s);
   - **warm**: the same pages again, pictures from the cache (target: p95 under 100 ms).
2. **The map**: the size of the whole country's SVG (target: under 300 kB), also gzipped.
3. **The area page with its sparklines** against the same area page with the pictures and the gender
   figures switched off (today's page), interleaved request by request over the same URLs (target: warm
   p95 within 1.5 x), and the area page cold (its twelve sparklines drawn).
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import tempfile
import time

from benchkit import data_arguments, percentile, use_data_dir


def summary(name: str, times: list[float]) -> str:
    return (f"{name}: n {len(times)}, p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms, "
            f"max {max(times):.1f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    data_arguments(parser, requests=200)
    parser.add_argument("--cold", type=int, default=20, help="cold measure pages (distinct KPI-years)")
    parser.add_argument("--all-kpis", action="store_true", help="only check that every KPI with values is found "
                        "by search and has a measure page (its JSON twin; a sample of HTML pages)")  # fmt: skip
    args = parser.parse_args()
    use_data_dir(args, KOMMUNKVALITET_CHART_CACHE="file")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from kommunkvalitet.core.measuresets import measure_sets, set_for_edition
    from kommunkvalitet.store.models import Municipality, MunicipalityShape, Value

    call_command("migrate", verbosity=0)
    if not args.data_dir:
        from kommunkvalitet.store.importing import SnapshotImporter

        t0 = time.perf_counter()
        SnapshotImporter(args.snapshot.resolve(), all_kpis=True).run()
        print(f"imported the full snapshot in {time.perf_counter() - t0:.0f} s")
    if not MunicipalityShape.objects.exists():
        from kommunkvalitet.store.importing import SnapshotImporter

        SnapshotImporter(args.snapshot.resolve()).import_shapes()
    # A chart cache of this run's own: cold is cold.
    settings.CACHES["charts"]["LOCATION"] = tempfile.mkdtemp(prefix="kk-bench-cache-")
    print(f"values in the database: {Value.objects.count():,}; machine: {os.cpu_count()} cores")

    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(2022)
    ids = list(Municipality.objects.filter(type="kommun").values_list("id", flat=True))
    ms = set_for_edition(measure_sets(), 2022)
    kpi_years = sorted({(m.kpi, ms.data_year(m)) for m in ms.measures})

    if args.all_kpis:
        check_all_kpis(client, rng)
        return

    def timed(url: str) -> float:
        t = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    # 1. The measure page.
    first = timed(f"/nyckeltal/U21401/2022/?kommun={rng.choice(ids)}")
    print(f"measure page, first request of the process (starts the chart engine): {first:.0f} ms")
    cold_pages = [(k, y) for k, y in kpi_years if (k, y) != ("U21401", 2022)]
    rng.shuffle(cold_pages)
    cold_urls = [f"/nyckeltal/{k}/{y}/?kommun={rng.choice(ids)}" for k, y in cold_pages[: args.cold]]
    cold = [timed(u) for u in cold_urls]
    print(summary("measure page COLD (bar, series and map drawn)", cold))
    warm_urls = [cold_urls[i % len(cold_urls)] for i in range(args.requests)]
    rng.shuffle(warm_urls)
    warm = [timed(u) for u in warm_urls]
    print(summary("measure page WARM (pictures from the cache)", warm))
    json_times = [timed(u.replace("/?", ".json?")) for u in warm_urls[:50]]
    print(summary("measure page JSON twin", json_times))

    # 2. The map.
    svg = client.get("/nyckeltal/U21401/2022/karta.svg?kommun=2284").content
    page = client.get("/nyckeltal/U21401/2022/?kommun=2284").content.decode()
    inline = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox') :]
    inline = inline[: inline.index("</svg>") + 6]
    print(f"map of the whole country: {len(svg) / 1000:.1f} kB as karta.svg, {len(inline.encode()) / 1000:.1f} kB "
          f"inline, {len(gzip.compress(svg)) / 1000:.1f} kB gzipped")  # fmt: skip

    # 3. The area page with and without its pictures, interleaved over the same URLs.
    from kommunkvalitet.reports import area_pictures as pictures_module
    from kommunkvalitet.reports import report_pages as report_view

    real_pictures, real_gender = report_view.area_pictures, report_view.gender_findings

    def no_pictures(report):
        return {r.finding.kpi: pictures_module.RowPicture("", [], None) for r in report.rows}

    areas = ["barn_och_unga", "stod_och_omsorg", "samhalle_och_miljo"]
    area_urls = [f"/kommun/{rng.choice(ids)}/2022/{rng.choice(areas)}/" for _ in range(args.requests)]
    cold_area = [timed(u) for u in dict.fromkeys(area_urls[:20])]  # the first view draws 12-13 sparklines
    print(summary("area page COLD (its sparklines drawn)", cold_area))
    for url in area_urls:  # warm-up: every sparkline of these pages in the cache, templates loaded
        client.get(url)
    with_pictures, without = [], []
    for url in area_urls:
        report_view.area_pictures, report_view.gender_findings = real_pictures, real_gender
        with_pictures.append(timed(url))
        report_view.area_pictures, report_view.gender_findings = no_pictures, lambda *a: {}
        without.append(timed(url))
    report_view.area_pictures, report_view.gender_findings = real_pictures, real_gender
    print(summary("area page WARM with sparklines, links and gender figures", with_pictures))
    print(summary("area page WARM without them (today's page)", without))
    print(f"ratio with/without: p50 {statistics.median(with_pictures) / statistics.median(without):.2f}, "
          f"p95 {percentile(with_pictures, 95) / percentile(without, 95):.2f}")  # fmt: skip


def check_all_kpis(client, rng) -> None:
    """Every KPI with values: search by its id (lower case) finds it first, its page's JSON twin answers,
    and a sample of 30 HTML pages (with their pictures) render."""
    import json

    from kommunkvalitet.store.models import ComparisonStat

    kpis = sorted(set(ComparisonStat.objects.filter(gender="T").values_list("kpi_id", flat=True)))
    t0 = time.perf_counter()
    failures = []
    urls = []
    for kpi in kpis:
        found = json.loads(client.get(f"/sok.json?q={kpi.lower()}").content)["kpis"]
        if not found or found[0]["id"] != kpi or not found[0]["url"]:
            failures.append((kpi, "search"))
            continue
        page = client.get(found[0]["url"])  # /nyckeltal/<kpi>/ -> the latest year
        url = page["Location"]
        urls.append(url)
        if page.status_code != 302 or client.get(url.replace("/?", "?").rstrip("/") + ".json").status_code != 200:
            failures.append((kpi, url))
    print(f"{len(kpis)} KPIs with values: {len(kpis) - len(failures)} found by search with a measure page "
          f"(JSON twin) in {time.perf_counter() - t0:.0f} s; failures: {failures[:10]}")  # fmt: skip
    sample = rng.sample(urls, min(30, len(urls)))
    bad = [u for u in sample if client.get(u).status_code != 200]
    print(f"HTML measure pages with pictures: {len(sample) - len(bad)} of a sample of {len(sample)} render; {bad}")


if __name__ == "__main__":
    main()
