"""A staged import (store.staging) on its own SQLite database, by the command in a second process: the
swapped-in tables keep the live schema, an index a migration added included, under its own name."""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys

CLI = [sys.executable, "-m", "kommunkvalitet"]
BIG_FILE = "kolada/values/kommun_KA_2015-2022.csv.gz"


def test_a_staged_import_keeps_the_live_schema_and_an_added_index(tmp_path, snapshot_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KOMMUNKVALITET_DATA_DIR=str(tmp_path / "data"), KOMMUNKVALITET_SNAPSHOT=str(snapshot_dir))
    subprocess.run([*CLI, "manage", "migrate", "-v0"], env=env, check=True, capture_output=True, timeout=300)
    db = sqlite3.connect(tmp_path / "data" / "kommunkvalitet.sqlite3", isolation_level=None)
    # as another branch's migration might add one (an index SQLite names itself would follow the table)
    db.execute("CREATE INDEX store_value_year_test ON store_value (year, kpi_id)")
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ('store_value', 'store_comparisonstat') ORDER BY name"
    before = db.execute(schema).fetchall()
    values = tmp_path / "kommun_del.csv"  # over 1 MB: written staged
    with gzip.open(snapshot_dir / BIG_FILE, "rt", encoding="utf-8") as src, open(values, "w", encoding="utf-8") as out:
        out.writelines(next(src) for _ in range(80_001))
    assert values.stat().st_size > (1 << 20)
    args = [*CLI, "import", "snapshot", "--all", "--file", str(values)]
    first = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "skrivlåset hölls som längst" in first.stdout
    assert db.execute(schema).fetchall() == before  # the same tables, constraints and index names
    assert db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'kk%'").fetchall() == []
    stored = db.execute("SELECT COUNT(*) FROM store_value").fetchone()[0]
    assert stored == 80_000
    assert db.execute("SELECT COUNT(*) FROM store_comparisonstat").fetchone()[0] > 0
    version = db.execute("SELECT version FROM store_dataversion WHERE scope = 'data'").fetchone()
    # a second run changes nothing: the same rows, and the data version (the page cache) is kept
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and "Inget ändrades" in again.stdout, again.stdout + again.stderr
    assert db.execute("SELECT COUNT(*) FROM store_value").fetchone()[0] == stored
    assert db.execute("SELECT version FROM store_dataversion WHERE scope = 'data'").fetchone() == version
    assert db.execute(schema).fetchall() == before


def test_a_writer_waiting_for_the_lock_says_so_and_a_long_write_gives_way_to_it(
    tmp_path, django_db_blocker, monkeypatch
):
    """SQLite keeps no queue of waiting writers: a Django connection waiting in its BEGIN leaves a file in
    the waiting directory for as long as it waits (staging.announce_waits, on every connection), and
    give_way, between two transactions of an import, pauses until that writer has the lock; with nobody
    waiting, or only a crashed writer's old file, it does not pause."""
    import threading
    import time

    from django.db.utils import ConnectionHandler

    from kommunkvalitet.store import staging

    path = tmp_path / "db.sqlite3"
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path),
                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 10}}}  # fmt: skip
    waiting = tmp_path / "db.sqlite3-waiting"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # another writer's transaction: the lock is taken
    got_it = threading.Event()

    def write() -> None:  # a Django connection of its own thread, as a web save's
        writer = ConnectionHandler(databases)["default"]
        assert staging.waiting_dir(writer) == waiting
        try:
            with writer.cursor() as cur:
                cur.execute("BEGIN IMMEDIATE")  # what transaction.atomic runs first (transaction_mode)
                got_it.set()
                cur.execute("INSERT INTO t VALUES (1)")
                cur.execute("COMMIT")
        finally:
            writer.close()

    with django_db_blocker.unblock():  # (a database of the test's own, not the test database)
        thread = threading.Thread(target=write)
        thread.start()
        deadline = time.monotonic() + 5
        while not staging.writers_waiting(waiting) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert staging.writers_waiting(waiting), "the waiting writer left no file"
        assert not got_it.is_set()
        holder.execute("COMMIT")  # the import's transaction ends; give_way pauses until the writer has the lock
        staging.give_way(ConnectionHandler(databases)["default"])  # (the import's connection: only its settings)
        assert got_it.is_set() and not staging.writers_waiting(waiting)  # it paused until the writer had the lock
        thread.join(5)
    assert holder.execute("SELECT x FROM t").fetchall() == [(1,)]
    # nobody waits: no pause; a crashed writer's file (older than STALE) is not waited for
    crashed = waiting / "12345-1"
    crashed.touch()
    os.utime(crashed, (time.time() - staging.STALE - 1,) * 2)
    assert not staging.writers_waiting(waiting)
    os.utime(crashed, None)
    assert staging.writers_waiting(waiting)
    crashed.unlink()
    pauses = []
    monkeypatch.setattr(staging.time, "sleep", pauses.append)
    staging.give_way(ConnectionHandler(databases)["default"])
    assert pauses == []
    holder.close()
