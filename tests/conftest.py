"""Shared fixtures: one test database per session with the default snapshot set imported once."""

from __future__ import annotations

import gzip
import os
import pickle
import sqlite3
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import settings as hypothesis_settings

from kommunkvalitet import config

# No property test has a time limit: on the shared 2-core machine a case took 756 ms against Hypothesis'
# default 200 ms deadline and failed the run (tests assert behaviour, benchmarks/ measure time).
hypothesis_settings.register_profile("kommunkvalitet", deadline=None)
hypothesis_settings.load_profile("kommunkvalitet")

sys.path.insert(0, str(Path(__file__).parent))  # tests/kolada_server.py, the fake Kolada API

from browserkit import browser, page, server  # noqa: E402,F401  (the browser tests' shared fixtures)
from buildonce import XDIST_WORKER, shared_dir  # noqa: E402

# `make test` runs the suite on two processes (pytest-xdist's workers gw0, gw1). Each worker gets its own
# data dir below the run's, so that whatever a test reaches through config.data_dir() at run time (the sync
# lock, the import's reports, a `kommunkvalitet` child process that inherits the environment) is never
# shared with the other worker. Django's settings were read before this file (pytest-django loads them
# first) with the run's data dir: its secret key, created once by the controlling process, and its chart
# cache (FileCache, safe across processes as the server's workers share it in production) stay shared.
# Each worker has its own test database too: SQLite's is in memory; on PostgreSQL pytest-django names
# it test_<name>_gw0, test_<name>_gw1.
if XDIST_WORKER:
    _worker_dir = config.data_dir() / f"xdist-{XDIST_WORKER}"
    _worker_dir.mkdir(parents=True, exist_ok=True)
    os.environ["KOMMUNKVALITET_DATA_DIR"] = str(_worker_dir)


# The files with the longest tests (`--durations` of the whole suite, 2026-12-02) run first, within
# pytest-django's order: every database test before every other test. That order matters: once a browser
# test has started Chromium, Playwright's sync API leaves an event loop marked running in the worker's
# thread and Django refuses to open a database connection there. So `--dist load` (Makefile: each worker
# runs its tests in collection order), not worksteal, which would hand a worker database tests after its
# browser tests. The run then ends on short tests, not on one worker alone in a minute-long one.
SLOW_FILES_FIRST = (
    "test_narrative.py", "test_served.py", "test_goal_browser.py", "test_review_browser.py",
    "test_bad_input.py", "test_narrative_data.py", "test_every_id_a_page.py", "test_staging.py",
    "test_report_pages.py", "test_chart_browser.py", "test_csp_browser.py", "test_browser.py",
    "test_language_browser.py", "test_backup.py", "test_sync.py", "test_cli.py",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FILES_FIRST)}

    def key(item: pytest.Item) -> tuple[int, int]:
        uses_db = item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())
        return (not uses_db, rank.get(item.path.name, len(rank)))  # pytest-django's test with a database

    items.sort(key=key)  # stable: pytest-django's order otherwise, and each file's own order


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    root = config.snapshot_dir()
    if not (root / "kolada" / "municipalities.csv").is_file():
        pytest.fail(f"the offline snapshot is not at {root}; set KOMMUNKVALITET_SNAPSHOT")
    return root


def _shared_template_name() -> str:
    """The PostgreSQL template's name: from DATABASE_URL's database, as every process reads it (the
    workers' settings already hold their own test database's name)."""
    import dj_database_url

    return f"test_{dj_database_url.parse(os.environ['DATABASE_URL'])['NAME']}_snapshot"[:63]


def _postgres_admin(settings_dict: dict):
    """An autocommit connection to the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg

    return psycopg.connect(
        dbname="postgres", user=settings_dict["USER"] or None, password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None, port=settings_dict["PORT"] or None, autocommit=True,
    )  # fmt: skip


def _save_test_database(connection, root: Path) -> None:
    """Keep the imported test database for the other worker: SQLite's in-memory one as a file (the
    backup API), PostgreSQL's as a template database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(root / "snapshot.sqlite3")
        connection.connection.backup(target)
        target.close()
        return
    name, template = connection.settings_dict["NAME"], _shared_template_name()
    connection.close()  # CREATE DATABASE ... TEMPLATE needs the source without sessions
    with _postgres_admin(connection.settings_dict) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{template}"')
        admin.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')


def _restore_test_database(connection, root: Path) -> None:
    """Replace this worker's freshly migrated test database with the imported one."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(root / "snapshot.sqlite3")
        source.backup(connection.connection)
        source.close()
        return
    name, template = connection.settings_dict["NAME"], _shared_template_name()
    connection.close()
    with _postgres_admin(connection.settings_dict) as admin:
        admin.execute(f'DROP DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, snapshot_dir, tmp_path_factory):
    """The test database with the default import (KKiK measure sets, 2015-2022) done once: under xdist
    by the first worker that needs it, the others copy its database (the same rows, ids and sequences)
    instead of importing again (SQLite: the file of a backup; PostgreSQL: CREATE DATABASE ... TEMPLATE)."""
    from django.db import connection

    from kommunkvalitet.store.importing import SnapshotImporter

    root = shared_dir(tmp_path_factory)
    with django_db_blocker.unblock():
        if root is None:
            summary = SnapshotImporter(snapshot_dir).run()
        else:
            with FileLock(str(root / "snapshot-db.lock")):
                done = root / "snapshot-db.pickle"
                if done.is_file():
                    summary = pickle.loads(done.read_bytes())
                    _restore_test_database(connection, root)
                else:
                    summary = SnapshotImporter(snapshot_dir).run()
                    _save_test_database(connection, root)
                    done.write_bytes(pickle.dumps(summary))
    pytest.first_import_summary = summary  # read by test_import.py
    return summary


def pytest_sessionfinish(session):
    """The controlling process of an xdist run drops the PostgreSQL template the workers copied."""
    if XDIST_WORKER or not getattr(session.config.option, "numprocesses", None):
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    try:
        with _postgres_admin(connection.settings_dict) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{_shared_template_name()}"')
    except Exception as exc:  # noqa: BLE001  (a server already gone is not the tests' failure)
        print(f"could not drop the shared test database: {exc}", file=sys.stderr)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create and sign in many users: a cheap hash instead of PBKDF2's million rounds (about a
    second each on a loaded 2-core machine). Production and the served browser tests keep PBKDF2; the
    hardening tests that check the hasher's settings are not about its cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def server_factory():
    """Start fake Kolada servers on loopback (``FakeKolada`` arguments); all stop after the test."""
    from kolada_server import FakeKolada

    servers = []

    def start(rows=(), **kw):
        fake = FakeKolada(rows, **kw).start()
        servers.append(fake)
        return fake

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def write_values_file(tmp_path):
    """Write a values file (CSV, or .csv.gz by name) with the given header and rows; returns its path."""

    def write(name: str, header: str | None, rows: list[str]) -> Path:
        path = tmp_path / name
        text = "" if header is None else header + "\n" + "".join(r + "\n" for r in rows)
        if name.endswith(".gz"):
            with gzip.open(path, "wt", encoding="utf-8") as fh:
                fh.write(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _no_page_cache_between_tests(settings):
    """In-process tests get fresh pages (a test may write rows directly, past the data version); the
    page cache's own tests (test_load.py) switch it on, and the served tests run it as in production."""
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def page_cache(settings):
    """A real (per-process) page cache, empty at the start of the test, for the tests of the cache itself
    (test_page_cache.py, test_warm.py, test_language.py: ``pytest.mark.usefixtures("page_cache")``)."""
    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                    "LOCATION": "test-pages"}}  # fmt: skip
    caches["pages"].clear()
    return caches["pages"]
