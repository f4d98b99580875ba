"""Benchmark: the PDF of an area report, served, and the `pdf` command for all 290 kommuner.

Usage::

    .venv/bin/python benchmarks/pdf.py [--data-dir DIR] [--repeat 7] [--no-batch] [--batch-only] [--time-limit S]
                                       [--sample N] [--workers N]

Without ``--data-dir`` it imports the snapshot's default set (every KPI a shipped measure set names, as
``kommunkvalitet setup`` does) into a fresh temporary SQLite database first; with it, it uses that data
dir's database as it is. Every timed page is of a kommun not drawn before in the run (cold sparklines).

1. **One area PDF served** (``/kommun/<kod>/2022/stod_och_omsorg.pdf``, target under 2 s) through
   Django's whole stack in-process (middleware, view, queries, templates, WeasyPrint), against the
   *baseline* of the same area's HTML page in the same run. Both cold (sparklines drawn, page cache
   off), on different kommuner, alternately; wall time and this process's CPU time, medians.
2. **The command for all 290 kommuner** (``kommunkvalitet pdf --year 2022 --area stod_och_omsorg --all``,
   target under 8 minutes on 2 cores), as a user runs it, in a fresh process: total and per PDF, wall
   and CPU time (the command and its worker processes), with the load average before and after. With
   ``--time-limit S`` the run is stopped after S seconds (on a machine too loaded to finish it) and the
   rate so far is reported, with the 290 extrapolated from it, marked as such. With ``--sample N`` the
   command makes the PDFs of the first N kommuner only (by code), to the end, and the 290 are
   extrapolated from its time per PDF, marked as such.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREA = "stod_och_omsorg"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7, help="area PDFs (and HTML pages) to time")
    parser.add_argument("--no-batch", action="store_true", help="skip the 290-kommun command run")
    parser.add_argument("--batch-only", action="store_true", help="only the 290-kommun command run")
    parser.add_argument("--time-limit", type=float, default=None, help="stop the command run after this many "
                        "seconds and report the rate (and the 290 extrapolated from it)")  # fmt: skip
    parser.add_argument("--sample", type=int, default=None, help="the command for the first N kommuner only, "
                        "the 290 extrapolated from it")  # fmt: skip
    parser.add_argument("--workers", type=int, default=None, help="the command's --workers (default: its own)")
    parser.add_argument(
        "--snapshot", type=Path, default=Path(os.environ.get("KOMMUNKVALITET_SNAPSHOT", ROOT.parent / "shared/data"))
    )
    args = parser.parse_args()
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="kk-bench-pdf-"))
    os.environ["KOMMUNKVALITET_DATA_DIR"] = str(data)
    os.environ["KOMMUNKVALITET_SNAPSHOT"] = str(args.snapshot)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from kommunkvalitet.store.models import Municipality, Value

    call_command("migrate", interactive=False, verbosity=0)
    if not Value.objects.exists():
        from kommunkvalitet.store.importing import SnapshotImporter

        t0 = time.perf_counter()
        SnapshotImporter(args.snapshot).run()
        print(f"imported the default set in {time.perf_counter() - t0:.0f} s")
    print(f"load average at start: {load()} (2 cores)")
    if not args.batch_only:
        settings.CACHES["pages"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        ids = list(Municipality.objects.filter(type=Municipality.Type.KOMMUN).values_list("id", flat=True))
        served(random.Random(14).sample(ids, 2 * args.repeat + 2), args.repeat)
    if not args.no_batch:
        sample = None
        if args.sample:
            kommuner = Municipality.objects.filter(type=Municipality.Type.KOMMUN).order_by("id")
            sample = list(kommuner.values_list("id", flat=True)[: args.sample])
        batch(args.time_limit, sample, args.workers)


def timed(client, url: str) -> tuple[float, float, int]:
    """Wall and CPU seconds of one GET, and the answer's size."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - wall, time.process_time() - cpu, len(response.content)


def served(kommuner: list[str], repeat: int) -> None:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    # the first request of a process loads WeasyPrint, Pango and the fonts (and the HTML page starts vl-convert)
    first = timed(client, f"/kommun/{kommuner[0]}/2022/{AREA}.pdf")
    timed(client, f"/kommun/{kommuner[1]}/2022/{AREA}/")
    print(f"first area PDF of the process: {first[0]:.2f} s wall, {first[1]:.2f} s CPU")
    pdf, html = [], []
    for i in range(repeat):
        a, b = kommuner[2 + 2 * i], kommuner[3 + 2 * i]
        html.append(timed(client, f"/kommun/{a}/2022/{AREA}/"))
        pdf.append(timed(client, f"/kommun/{b}/2022/{AREA}.pdf"))
    for name, runs in (("area page HTML (baseline)", html), ("area PDF", pdf)):
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        print(f"{name}: n {len(runs)}, wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}, "
              f"max {max(walls):.2f}), CPU median {statistics.median(cpus):.2f} s, "
              f"size median {statistics.median(r[2] for r in runs) / 1000:.0f} kB")  # fmt: skip
    ratio_wall = statistics.median(r[0] for r in pdf) / statistics.median(r[0] for r in html)
    ratio_cpu = statistics.median(r[1] for r in pdf) / statistics.median(r[1] for r in html)
    print(f"ratio PDF / HTML page: wall {ratio_wall:.1f}, CPU {ratio_cpu:.1f}; "
          f"target: PDF under 2 s -> {'met' if statistics.median(r[0] for r in pdf) < 2 else 'NOT met'}")  # fmt: skip


def batch(time_limit: float | None, sample: list[str] | None = None, workers: int | None = None) -> None:
    out = Path(tempfile.mkdtemp(prefix="kk-bench-pdfs-"))
    which = [a for k in sample for a in ("--kommun", k)] if sample else ["--all"]
    command = [sys.executable, "-m", "kommunkvalitet", "pdf", "--year", "2022", "--area", AREA, *which,
               "--out", str(out), *(["--workers", str(workers)] if workers else [])]  # fmt: skip
    before, load_before = resource.getrusage(resource.RUSAGE_CHILDREN), load()
    wall = time.perf_counter()
    # its own session, so that a run stopped at --time-limit takes its worker processes with it
    proc = subprocess.Popen(command, env=os.environ, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=time_limit)
        stopped = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate()
        stopped = True
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    made = list(out.glob("*.pdf"))
    if proc.returncode != 0 and not stopped:
        print(err[-2000:])
    n = max(len(made), 1)
    what = f"STOPPED at the --time-limit of {time_limit:.0f} s" if stopped else f"exit {proc.returncode}"
    who = f"a sample of the first {len(sample)} kommuner" if sample else "all kommuner"
    print(f"the command, {who}: {what}, {len(made)} PDFs, {sum(p.stat().st_size for p in made) / 1e6:.0f} MB; "
          f"wall {wall:.0f} s ({wall / 60:.1f} min, {wall / n:.2f} s per PDF), "
          + (f"CPU {cpu:.0f} s ({cpu / n:.2f} s per PDF, {cpu / wall:.2f} cores busy)" if not stopped
             else "CPU not counted (the stopped workers' time is lost with them)"))  # fmt: skip
    whole = not stopped and not sample
    total = wall if whole else wall / n * 290
    print(f"{'all 290' if whole else 'all 290 at that rate (EXTRAPOLATED)'}: {total / 60:.1f} min; "
          f"target under 8 min -> {'met' if total < 480 else 'NOT met'}")  # fmt: skip
    print(f"load average before {load_before}, after {load()} (2 cores)")


if __name__ == "__main__":  # the command's workers are spawned: they import this module's main guard
    main()
