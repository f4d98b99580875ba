"""Benchmark: the area page's sparklines drawn in Python (core.charts.sparkline_svg) against vl-convert.

Usage::

    .venv/bin/python benchmarks/sparklines.py --data-dir DIR [--requests 40]

On a data dir prepared by ``kommunkvalitet setup``. Two measurements, ours and the baseline alternately
in the same process, CPU time (steadier than wall time on a shared machine) and wall time:

- *one sparkline*: the points of real area-page rows (random kommuner, areas and KKiK editions), drawn by
  ``sparkline_svg`` (ours) and by vl-convert from ``sparkline_spec`` (the baseline, what the area page
  did before: ``reports.charts.render_svg``, with its compile-once shortcut);
- *a cold area page*: a page whose sparklines were never drawn, through Django's whole stack in-process
  with the page cache off, once with ours and once with the baseline's drawing put back (every URL is
  asked once with each, on an empty chart cache).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from benchkit import data_arguments, use_data_dir


def cpu_and_wall(fn) -> tuple[float, float]:
    c, w = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c, time.perf_counter() - w


def main() -> None:
    parser = argparse.ArgumentParser()
    data_arguments(parser, requests=40)
    args = parser.parse_args()
    use_data_dir(args, KOMMUNKVALITET_PAGE_CACHE="off", KOMMUNKVALITET_CHART_CACHE="memory")
    import django

    django.setup()
    from django.core.cache import caches
    from django.test import Client

    from kommunkvalitet.core.charts import sparkline_spec, sparkline_svg
    from kommunkvalitet.reports import area_pictures, figures
    from kommunkvalitet.reports.charts import render_svg, warm_up
    from kommunkvalitet.reports.report_pages import edition_set, editions
    from kommunkvalitet.store.models import Municipality
    from kommunkvalitet.store.report import area_report

    warm_up()  # vl-convert's engine started before the baseline is timed
    rng = random.Random(12)
    ids = list(Municipality.objects.filter(type="kommun").values_list("id", flat=True))
    pages = []
    for _ in range(args.requests):
        year = rng.choice(editions())
        pages.append((rng.choice(ids), year, rng.choice(edition_set(year).areas).id))

    points = []
    for mid, year, area in pages[:10]:
        report = area_report(mid, edition_set(year), area, edition=year)
        points += [p for r in report.rows if (p := area_pictures.points_of(r.series, r.finding.year))]
    ours_one, theirs_one = [], []
    for i, p in enumerate(points):
        ours_one.append(cpu_and_wall(lambda p=p: sparkline_svg(p)))
        theirs_one.append(cpu_and_wall(lambda p=p, i=i: render_svg(sparkline_spec(p), name="", uid=f"c{i}")))

    def vega_sparkline(p):
        return render_svg(sparkline_spec(p), name="", uid="c0", css="chart chart-spark")

    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(f"/kommun/{ids[0]}/2022/stod_och_omsorg/").status_code == 200  # imports, templates
    ours_page, theirs_page = [], []
    for mid, year, area in pages:
        url = f"/kommun/{mid}/{year}/{area}/"
        for which in rng.sample(["ours", "theirs"], 2):  # in random order
            caches["charts"].clear()
            if which == "theirs":
                figures.sparkline_svg = vega_sparkline  # the drawing before: vl-convert
            try:
                timing = cpu_and_wall(lambda url=url: client.get(url))
            finally:
                figures.sparkline_svg = sparkline_svg
            (ours_page if which == "ours" else theirs_page).append(timing)

    def line(name: str, ours, theirs, unit: float, label: str) -> None:
        for k, what in ((0, "CPU"), (1, "wall")):
            o, t = statistics.median(x[k] for x in ours) * unit, statistics.median(x[k] for x in theirs) * unit
            print(
                f"{name:28} {what:4} ours {o:9.2f} {label}  vl-convert (baseline) {t:9.2f} {label}  ratio {o / t:.3f}"
            )

    print(f"{len(points)} sparklines of real area-page rows; {len(pages)} cold area pages (random kommuner, areas, "
          f"editions)")  # fmt: skip
    line("one sparkline (median)", ours_one, theirs_one, 1000, "ms")
    line("a cold area page (median)", ours_page, theirs_page, 1000, "ms")


if __name__ == "__main__":
    main()
