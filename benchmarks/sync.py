"""Benchmark: sync the whole KKiK 2022 measure set from a loopback Kolada into a fresh SQLite database.

Usage::

    .venv/bin/python benchmarks/sync.py [--snapshot ../shared/data] [--rate 5] [--measure-set "KKiK 2022"]

Starts ``tests/kolada_server.py``'s FakeKolada on 127.0.0.1 with every value of the set's KPIs in
``kommun_KA_2015-2022.csv.gz`` (all municipalities and Riket, 2015-2022), the KPI metadata of the
snapshot's catalogues and its municipality list; migrates a fresh SQLite database in a temporary data
dir (removed at the end); runs :class:`~kommunkvalitet.store.sync.KoladaSync` (under the sync lock, as the CLI does) twice
(the first run fills the database, the second changes nothing); prints the requests made, the minimum the
25-item limit allows (``KoladaClient.minimum_requests``), the time and the longest write transaction
(what a web save beside the sync would wait at most). ``--rate`` is the client's
requests per second (5 is the default politeness; 0 turns the limiter off); the time spent waiting for
the limiter is printed separately. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALUES = "kolada/values/kommun_KA_2015-2022.csv.gz"
YEARS = range(2015, 2023)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, default=None, help="the snapshot dir (KOMMUNKVALITET_SNAPSHOT)")
    parser.add_argument("--rate", type=float, default=5.0, help="requests per second (default 5; 0: no limit)")
    parser.add_argument("--measure-set", default="KKiK 2022")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="kk-sync-bench-")
    os.environ["KOMMUNKVALITET_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    sys.path.insert(0, str(ROOT / "tests"))
    import django

    django.setup()
    from django.core.management import call_command

    from kolada_server import FakeKolada, rows_from_csv
    from kommunkvalitet import config
    from kommunkvalitet.core.measuresets import measure_set_kpi_ids
    from kommunkvalitet.sources import snapshot
    from kommunkvalitet.sources.kolada import KoladaClient
    from kommunkvalitet.store.models import Value
    from kommunkvalitet.store.sync import LOCK_FILE, KoladaSync, sync_lock

    root = (args.snapshot or config.snapshot_dir()).resolve()
    layout = snapshot.SnapshotLayout(root)
    kpis = measure_set_kpi_ids(args.measure_set)

    t0 = time.perf_counter()
    rows = list(rows_from_csv(root / VALUES, kpis=kpis, years=YEARS))
    catalogue = {r.id: r for r in snapshot.read_kpi_catalogue(layout.kpi_catalogue)}
    for r in snapshot.read_kpi_catalogue_2024(layout.kpi_catalogue_2024):
        catalogue.setdefault(r.id, r)
    kpi_meta = [
        {
            "id": r.id,
            "title": r.title,
            "description": r.description,
            "operating_area": r.operating_area,
            "perspective": r.perspective,
            "is_divided_by_gender": r.is_divided_by_gender,
            "municipality_type": r.municipality_type,
        }
        for k in kpis
        if (r := catalogue.get(k))
    ]
    types = {"kommun": "K", "region": "L", "national": "L"}
    munis = [
        {"id": m.id, "title": m.name, "type": types[m.type]}
        for m in snapshot.read_municipalities(layout.municipalities)
    ]
    call_command("migrate", verbosity=0)
    prepared = time.perf_counter() - t0
    print(f"data dir {tmp} (SQLite); prepared in {prepared:.1f} s")
    print(
        f"FakeKolada: {len(rows):,} values of {len(kpis)} KPIs ({args.measure_set}), "
        f"{len({r['municipality_id'] for r in rows})} municipalities incl. Riket, years {YEARS[0]}-{YEARS[-1]}"
    )

    waited = [0.0]

    def sleep(seconds: float) -> None:
        waited[0] += seconds
        time.sleep(seconds)

    with FakeKolada(rows, kpis=kpi_meta, municipalities=munis) as server:
        for label in ("first run (empty database)", "second run (nothing to change)"):
            waited[0] = 0.0
            server.reset_log()
            t = time.perf_counter()
            with (
                sync_lock(Path(tmp) / LOCK_FILE),
                KoladaClient(base_url=server.base_url, rate_per_second=args.rate, sleep=sleep) as client,
            ):
                result = KoladaSync(client, kpis=kpis, years=YEARS).run()
            seconds = time.perf_counter() - t
            if not result.ok:
                raise SystemExit(f"sync failed: {result.error}")
            print(f"\n{label}:")
            print(
                f"  values: {result.total('added'):,} added, {result.total('changed'):,} changed, "
                f"{result.total('unchanged'):,} unchanged, {result.total('rejected'):,} rejected; "
                f"{len(result.kpis_created)} KPIs and {len(result.municipalities_created)} municipalities created"
            )
            print(
                f"  requests: {result.requests} in all, {result.data_requests} for values "
                f"(minimum the 25-item limit allows: {KoladaClient.minimum_requests(len(kpis), len(YEARS))}; "
                f"the rest are pages of at most 5000 objects), {result.requests - result.data_requests} for metadata"
            )
            print(
                f"  time: {seconds:.1f} s ({waited[0]:.1f} s of it waiting for the rate limit of {args.rate:g}/s); "
                f"{(result.total('added') + result.total('unchanged') + result.total('changed')) / seconds:,.0f} values/s"
            )
            kpi_years = [len(u.kpis) for u in result.units]
            held = sorted(u.seconds for u in result.units)
            print(
                f"  write transactions: {len(result.units)} of {min(kpi_years)}-{max(kpi_years)} KPI-years each; "
                f"SQLite's write lock held {held[len(held) // 2]:.3f} s (median), {held[len(held) * 95 // 100]:.3f} s "
                f"(95th percentile), {result.longest_transaction:.3f} s at the longest (a web save waits at most 1 s)"
            )
        print(f"\nvalues in the database: {Value.objects.count():,} (served: {len(rows):,})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
