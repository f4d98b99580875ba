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
