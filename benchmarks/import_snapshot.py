"""Benchmark: ``kommunkvalitet import snapshot --all`` end to end against a bare executemany of the
same rows.

Usage::

    .venv/bin/python benchmarks/import_snapshot.py [--snapshot ../shared/data] [--repeat 3]
    .venv/bin/python benchmarks/import_snapshot.py --rows 1000000      # a quicker run: one partial file
    .venv/bin/python benchmarks/import_snapshot.py --rows 1000000 --before /tmp/before   # against another tree

Each repeat runs, one after the other, each in a fresh process and a fresh database:

* ours: the command ``kommunkvalitet import snapshot --all`` as a user runs it (after ``manage
  migrate``, which is not timed): municipalities, KPIs and groups, every values file (read, validate,
  upsert, count added/changed), and the comparisons of every KPI, year and gender it touched. On
  SQLite, and on PostgreSQL too when ``DATABASE_URL`` is set (its database is emptied first);
* baseline: the same value rows (every values file, the years the command imports), already parsed
  in memory, written with a bare ``sqlite3.executemany`` into an equivalent table (same columns, same
  unique key) in one transaction.

Prints the times (wall, and the command's CPU time with its reader process), the ratio ours/baseline
per repeat and their medians, each process's peak memory (max RSS), and on SQLite the longest write-lock
hold the command reports for a staged file. With ``--rows N`` ours imports only the first N rows of the
big values file (``--file``) and the baseline inserts the same N rows. ``--before DIR`` also runs the
command of another source tree (``DIR/src``, e.g. ``git archive`` of the commit before a change) in each
repeat, after ours, and prints the ratio ours/before.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIG = "kolada/values/kommun_KA_2015-2022.csv.gz"
YEARS = (2015, 2022)  # the command's default --years
KOMMUNKVALITET = str(Path(sys.executable).with_name("kommunkvalitet"))


def value_files(snapshot: Path, rows: int | None) -> list[Path]:
    if rows:
        return [_head(snapshot / BIG, rows)]
    sys.path.insert(0, str(ROOT / "src"))
    from kommunkvalitet.sources.snapshot import SnapshotLayout

    return SnapshotLayout(snapshot).value_files()


def _head(path: Path, limit: int) -> Path:
    out = Path(tempfile.mkdtemp()) / "head.csv.gz"
    with gzip.open(path, "rt") as src, gzip.open(out, "wt") as dst:
        for i, line in enumerate(src):
            if i > limit:
                break
            dst.write(line)
    return out


def run_baseline(files: list[Path], db: Path) -> dict:
    import sqlite3

    sys.path.insert(0, str(ROOT / "src"))
    from kommunkvalitet.sources.snapshot import read_values

    rows = []
    for path in files:
        for batch in read_values(path, years=YEARS):
            rows.extend(batch)
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
            "VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01 00:00:00') "
            "ON CONFLICT (kpi_id, municipality_id, year, gender) DO NOTHING",  # files may overlap
            rows,
        )
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": len(rows), "seconds": seconds, "peak_mib": peak}


def run_ours(snapshot: Path, files: list[Path], env: dict) -> dict:
    """The command in a fresh process, on a fresh database (PostgreSQL: its schema dropped), migrated."""
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as pg:
            pg.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    subprocess.run([KOMMUNKVALITET, "manage", "migrate"], env=env, check=True, capture_output=True)
    command = [KOMMUNKVALITET, "import", "snapshot", str(snapshot), "--all"]
    if files != value_files(snapshot, None):
        command += [arg for f in files for arg in ("--file", str(f))]
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command], env=env, check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t0
    summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    peak, cpu = (float(x) for x in out.stderr.strip().splitlines()[-1].split())
    # a file written staged (SQLite) reports the longest write-lock hold: "skrivlåset hölls som längst 0,21 s"
    holds = [float(m.replace(",", ".")) for m in re.findall(r"skrivlåset hölls som längst ([0-9,]+) s", out.stdout)]
    return {"seconds": seconds, "summary": summary, "peak_mib": peak, "cpu": cpu, "lock": max(holds, default=None)}


# Runs the command and prints the peak memory (max RSS, MiB) of it and its reader process, and their CPU
# time (user + system, seconds), on stderr.
_MEASURED = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(r.ru_maxrss / 1024, r.ru_utime + r.ru_stime, file=sys.stderr)"
)


def _ours_text(name: str, ours: dict, base: float) -> str:
    lock = f", longest write lock {ours['lock']:.2f} s" if ours["lock"] is not None else ""
    return (f"ours{name} end to end {ours['seconds']:.1f} s, CPU {ours['cpu']:.1f} s "
            f"(ratio {ours['seconds'] / base:.2f}, peak {ours['peak_mib']:.0f} MiB{lock})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--snapshot", type=Path, default=Path(os.environ.get("KOMMUNKVALITET_SNAPSHOT", ROOT.parent / "shared/data"))
    )
    parser.add_argument("--rows", type=int, default=None, help="only the first N rows of the big file (a quick run)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", default=None)
    parser.add_argument("--before", type=Path, default=None,
                        help="also run the command of another source tree (e.g. the commit before a change), "
                             "after ours in every repeat (SQLite)")  # fmt: skip
    args = parser.parse_args()
    snapshot = args.snapshot.resolve()
    files = value_files(snapshot, args.rows)
    if args.child == "baseline":
        print(json.dumps(run_baseline(files, Path(tempfile.mkdtemp()) / "b.sqlite3")))
        return

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    pg_url = env.pop("DATABASE_URL", None)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"machine: {os.cpu_count()} cores, {memory:.0f} GiB; files: {', '.join(f.name for f in files)}")
    results: dict[str, list[float]] = {"baseline": [], "sqlite": [], "postgresql": [], "before": []}
    for i in range(args.repeat):
        base_cmd = [sys.executable, __file__, "--child", "baseline", "--snapshot", str(snapshot)]
        base_cmd += ["--rows", str(args.rows)] if args.rows else []
        base = json.loads(subprocess.run(base_cmd, env=env, check=True, capture_output=True, text=True).stdout)
        ours = run_ours(snapshot, files, dict(env, KOMMUNKVALITET_DATA_DIR=tempfile.mkdtemp()))
        results["baseline"].append(base["seconds"])
        results["sqlite"].append(ours["seconds"])
        line = (
            f"run {i + 1} (load {os.getloadavg()[0]:.1f}): baseline executemany {base['rows']:,} rows "
            f"{base['seconds']:.1f} s (peak {base['peak_mib']:.0f} MiB); {_ours_text(' SQLite', ours, base['seconds'])}"
        )
        if args.before:
            tree = dict(env, PYTHONPATH=str(args.before.resolve() / "src"), KOMMUNKVALITET_DATA_DIR=tempfile.mkdtemp())
            before = run_ours(snapshot, files, tree)
            results["before"].append(before["seconds"])
            line += f"; before: {_ours_text(' SQLite', before, base['seconds'])}"
        if pg_url:
            pg = run_ours(snapshot, files, dict(env, DATABASE_URL=pg_url, KOMMUNKVALITET_DATA_DIR=tempfile.mkdtemp()))
            results["postgresql"].append(pg["seconds"])
            line += f"; ours PostgreSQL end to end {pg['seconds']:.1f} s (ratio {pg['seconds'] / base['seconds']:.2f})"
        print(line, f"[{ours['summary']}]", flush=True)
    base_m = statistics.median(results["baseline"])
    print(f"median baseline {base_m:.1f} s; ours SQLite {statistics.median(results['sqlite']):.1f} s")
    ratios = [o / b for o, b in zip(results["sqlite"], results["baseline"], strict=True)]
    print(f"ratio ours/baseline (SQLite, end to end): median {statistics.median(ratios):.2f}")
    if results["before"]:
        ratios = [o / b for o, b in zip(results["before"], results["baseline"], strict=True)]
        print(
            f"ratio before/baseline (SQLite, end to end): median {statistics.median(ratios):.2f}; ours/before: "
            f"median {statistics.median([o / b for o, b in zip(results['sqlite'], results['before'], strict=True)]):.2f}"
        )
    if results["postgresql"]:
        ratios = [o / b for o, b in zip(results["postgresql"], results["baseline"], strict=True)]
        print(f"ratio ours/baseline (PostgreSQL, end to end): median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
