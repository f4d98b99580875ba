"""Benchmark: import all 4.2 M values of the snapshot (``--all``) against a bare executemany baseline.

Usage::

    .venv/bin/python benchmarks/import_snapshot.py [--snapshot ../shared/data] [--rows N]

Runs, each in a fresh process and a fresh database:

* ours: ``SnapshotImporter.import_values_file`` on ``kommun_KA_2015-2022.csv.gz`` (read, validate,
  upsert, count added/changed), on SQLite, and on PostgreSQL (COPY) when ``DATABASE_URL`` is set;
* baseline: the same rows, already parsed in memory, written with a bare ``sqlite3.executemany``
  into an equivalent table (same columns, same unique key) in one transaction.

Prints values per second, the ratio ours/baseline and each process's peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALUES = "kolada/values/kommun_KA_2015-2022.csv.gz"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(snapshot: Path, limit: int | None) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kommunkvalitet.store.importing import SnapshotImporter

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cur:  # a fresh start on a reused PostgreSQL database
        cur.execute("DELETE FROM store_value" if connection.vendor == "sqlite" else "TRUNCATE store_value")
    importer = SnapshotImporter(snapshot, all_kpis=True)
    importer.import_municipalities()
    importer.import_kpis()
    path = snapshot / VALUES
    if limit:
        path = _head(path, limit)
    t0 = time.perf_counter()
    result = importer.import_values_file(path)
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = importer.import_values_file(path)
    seconds_again = time.perf_counter() - t1
    return {
        "rows": result.added + result.changed + result.unchanged,
        "seconds": seconds,
        "second_run_seconds": seconds_again,
        "second_run_added": again.added,
        "second_run_changed": again.changed,
        "peak_mib": _peak_mib(),
    }


def _head(path: Path, limit: int) -> Path:
    import gzip

    out = Path(tempfile.mkdtemp()) / "head.csv.gz"
    with gzip.open(path, "rt") as src, gzip.open(out, "wt") as dst:
        for i, line in enumerate(src):
            if i > limit:
                break
            dst.write(line)
    return out


def run_baseline(snapshot: Path, limit: int | None, db: Path) -> dict:
    import sqlite3

    from kommunkvalitet.sources.snapshot import read_values

    rows = []
    for batch in read_values(snapshot / VALUES):
        rows.extend(batch)
        if limit and len(rows) >= limit:
            rows = rows[:limit]
            break
    con = sqlite3.connect(db)
    con.executescript(
        """PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
        CREATE TABLE value (id INTEGER PRIMARY KEY, kpi_id TEXT NOT NULL, municipality_id TEXT NOT NULL,
          year INTEGER NOT NULL, gender TEXT NOT NULL, value REAL, status TEXT NOT NULL, count INTEGER,
          imported_at TEXT NOT NULL, UNIQUE (kpi_id, municipality_id, year, gender));"""
    )
    t0 = time.perf_counter()
    with con:
        con.executemany(
            "INSERT INTO value (kpi_id, municipality_id, year, gender, value, status, count, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01 00:00:00')",
            rows,
        )
    seconds = time.perf_counter() - t0
    return {"rows": len(rows), "seconds": seconds, "peak_mib": _peak_mib()}


def _child(kind: str, args, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--snapshot", str(args.snapshot)]
    if args.rows:
        cmd += ["--rows", str(args.rows)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--snapshot", type=Path, default=Path(os.environ.get("KOMMUNKVALITET_SNAPSHOT", ROOT.parent / "shared/data"))
    )
    parser.add_argument("--rows", type=int, default=None, help="only the first N rows (a quick run)")
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    args.snapshot = args.snapshot.resolve()
    if args.child:
        tmp = Path(tempfile.mkdtemp())
        result = (
            run_baseline(args.snapshot, args.rows, tmp / "b.sqlite3")
            if args.child == "baseline"
            else run_ours(args.snapshot, args.rows)
        )
        print(json.dumps(result))
        return

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("DATABASE_URL", None)
    env["KOMMUNKVALITET_DATA_DIR"] = tempfile.mkdtemp()
    base = _child("baseline", args, env)
    ours = _child("ours", args, env)
    print(
        f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    )
    print(
        f"baseline sqlite3.executemany: {base['rows']:,} rows in {base['seconds']:.1f} s = "
        f"{base['rows'] / base['seconds']:,.0f} values/s, peak {base['peak_mib']:.0f} MiB"
    )
    print(
        f"ours (SQLite, read+validate+upsert): {ours['rows']:,} rows in {ours['seconds']:.1f} s = "
        f"{ours['rows'] / ours['seconds']:,.0f} values/s, peak {ours['peak_mib']:.0f} MiB"
    )
    print(f"ratio ours/baseline (rate): {base['seconds'] / ours['seconds']:.2f}")
    print(
        f"second run: {ours['second_run_seconds']:.1f} s, added {ours['second_run_added']}, "
        f"changed {ours['second_run_changed']}"
    )
    if os.environ.get("DATABASE_URL"):
        env_pg = dict(env, DATABASE_URL=os.environ["DATABASE_URL"])
        pg = _child("ours", args, env_pg)
        print(
            f"ours (PostgreSQL, COPY): {pg['rows']:,} rows in {pg['seconds']:.1f} s = "
            f"{pg['rows'] / pg['seconds']:,.0f} values/s, peak {pg['peak_mib']:.0f} MiB; "
            f"second run {pg['second_run_seconds']:.1f} s, added {pg['second_run_added']}, "
            f"changed {pg['second_run_changed']}"
        )


if __name__ == "__main__":
    main()
