"""Staging tables: a long write on SQLite that holds the write lock only for moments and that no reader
sees half of.

SQLite has one write lock for the whole database: a values file written in one transaction would hold
it for minutes and every web save in between would get the 503 page. A staged write instead

1. creates staging copies of the tables it writes (``kk_stage_<table>``), from the live tables' schema as
   read at run time (``sqlite_master``: a column or an index a migration added comes along), and copies
   the live rows into them;
2. writes into the copies in short transactions (:meth:`Stage.transaction`, :data:`TARGET` seconds of
   write lock each; the size of the next one follows the time the last took), so that a save between
   two of them gets the lock at once;
3. swaps them in with one short transaction (:meth:`Stage.swap`: two ``ALTER TABLE ... RENAME`` per
   table and the data version advanced with them), so a reader sees either the old tables or the new
   ones, never a mix; the old tables are dropped after it.

Between two transactions the write pauses only while another writer waits for the lock (:func:`give_way`):
SQLite keeps no queue of waiting writers, so every writer of this project says that it waits, with a
file beside the database for as long as its ``BEGIN`` (or a write outside a transaction) waits
(:func:`announce_waits`, on every SQLite connection).

A failure drops the staging tables and leaves the live ones as they were; a crashed run's staging tables
are dropped when the next staged write starts (:func:`clean`). While a write is staged, :func:`table`
names the staging table to the code that reads and writes it (``store.values``, ``store.comparison``).
PostgreSQL never stages: it locks rows, not the database, and readers never see an uncommitted file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.db import connection, transaction

from kommunkvalitet.store import dataversion

STAGE = "kk_stage_"
OLD = "kk_old_"
TARGET = 0.15  # seconds of write lock per transaction aimed at; a web write waits at most 1 s (web.busy)
# SQLite's lock is not a queue: a waiting writer tries again after 1, 2, 5, ... 25, 50 and then every
# 100 ms, so an import beginning its next transaction at once would take the lock again and again before
# it. So a writer waiting for the lock says so (a file in WAITING beside the database) and the import,
# between two transactions, pauses until no writer waits (give_way): at most GIVE_WAY seconds, looking
# every POLL seconds; a file older than STALE seconds is a crashed writer's and is not waited for.
WAITING = "-waiting"
GIVE_WAY = 2.0
POLL = 0.005
STALE = 60.0
COPY_ROWS = 20_000  # rows per copying transaction to start with (then sized by TARGET)

log = logging.getLogger(__name__)
_current: ContextVar[Stage | None] = ContextVar("kommunkvalitet_stage", default=None)


def table(name: str) -> str:
    """The table to read and write for the live table ``name``: its staging copy during a staged write."""
    stage = _current.get()
    return stage.tables.get(name, name) if stage is not None else name


def active() -> Stage | None:
    """The staged write in progress in this context, if any."""
    return _current.get()


class Pacer:
    """How many items the next transaction takes, so that it holds the write lock about :data:`TARGET`."""

    def __init__(self, size: int):
        self.size = max(1, size)

    def took(self, seconds: float, items: int) -> None:
        if items >= self.size:  # a short last slice says nothing about the rate
            wanted = int(items * TARGET / max(seconds, 1e-3))
            self.size = max(1, min(wanted, self.size * 2))


class Stage:
    """A staged write in progress; see the module."""

    def __init__(self, tables: Sequence[str]):
        self.tables = {name: STAGE + name for name in tables}
        self.longest = 0.0  # the longest write-lock hold so far, seconds
        self.transactions = 0
        self.swapped = False
        self.last = 0.0  # how long the last transaction took

    @contextmanager
    def transaction(self, pacer: Pacer | None = None, items: int = 0, what: str = "") -> Iterator[None]:
        """One short transaction (BEGIN IMMEDIATE: it holds the write lock from its start), timed; the
        ``pacer`` learns how long its ``items`` took."""
        started = time.perf_counter()
        with transaction.atomic():
            yield
        seconds = time.perf_counter() - started
        log.debug("%s: %d items, %.3f s", what, items, seconds)
        give_way()  # the lock is free: a writer waiting for it gets it now
        self.transactions += 1
        self.longest = max(self.longest, seconds)
        self.last = seconds
        if pacer is not None:
            pacer.took(seconds, items)

    @staticmethod
    def parts(rows: Sequence, pacer: Pacer) -> Iterator[Sequence]:
        """``rows`` in parts of the pacer's size (as it is when each part is taken)."""
        start = 0
        while start < len(rows):
            part = rows[start : start + pacer.size]
            yield part
            start += len(part)

    def swap(self, *, advance: bool) -> None:
        """Make the staging tables the live ones in one transaction (with the data version when
        ``advance``), then drop the old ones."""
        with self.transaction(what="swap"), connection.cursor() as cur:
            for live, stage in self.tables.items():
                named = _named_indexes(cur, live)
                cur.execute(f'ALTER TABLE "{live}" RENAME TO "{OLD + live}"')
                cur.execute(f'ALTER TABLE "{stage}" RENAME TO "{live}"')
                for name, sql in named:  # an index keeps its table's name: made again under its own
                    cur.execute(f'DROP INDEX "{name}"')
                    cur.execute(sql)
            if advance:
                dataversion.advance(dataversion.DATA)
        self.swapped = True
        _current.set(None)
        for live in self.tables:
            self._drop(OLD + live)

    def _drop(self, name: str) -> None:
        with self.transaction(what=f"drop {name}"), connection.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{name}"')


def _named_indexes(cur, name: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's own indexes (not those of its UNIQUE constraints,
    which SQLite names after the table)."""
    cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [name])  # fmt: skip
    return list(cur.fetchall())


def waiting_dir(conn=connection) -> Path | None:
    """Where the writers of ``conn``'s database (SQLite, in a file) say that they wait for its lock."""
    if conn.vendor != "sqlite" or conn.is_in_memory_db():
        return None
    return Path(f"{conn.settings_dict['NAME']}{WAITING}")


def writers_waiting(directory: Path) -> bool:
    """Whether a writer (not one that crashed: see STALE) waits for the lock now."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return False
    now = time.time()
    for entry in entries:
        try:
            if now - entry.stat().st_mtime < STALE:
                return True
        except FileNotFoundError:  # (it got the lock while we looked)
            continue
    return False


def give_way(conn=connection) -> None:
    """Between two transactions of a long write on ``conn``: pause while another writer waits for
    SQLite's lock (at most GIVE_WAY seconds), so that it gets the lock now instead of after the whole
    write."""
    directory = waiting_dir(conn)
    if directory is None:
        return
    deadline = time.monotonic() + GIVE_WAY
    while writers_waiting(directory) and time.monotonic() < deadline:
        time.sleep(POLL)


def _may_wait_for_the_lock(sql: str, conn) -> bool:
    """Whether the statement may wait for SQLite's write lock: a BEGIN (``transaction_mode`` IMMEDIATE
    takes the lock there), or a write outside a transaction."""
    head = sql.lstrip()[:7].upper()
    return head.startswith("BEGIN") or (
        not conn.in_atomic_block and head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    )


class _Announcer:
    """An execute wrapper: a file in the waiting directory while a statement may wait for the lock (three
    system calls a transaction: the directory is made once)."""

    def __init__(self, directory: Path):
        self.directory = str(directory)

    def __call__(self, execute, sql, params, many, context):
        if not _may_wait_for_the_lock(sql, context["connection"]):
            return execute(sql, params, many, context)
        path = os.path.join(self.directory, f"{os.getpid()}-{threading.get_ident()}")
        try:
            _announce(path)
        except FileNotFoundError:
            try:
                os.makedirs(self.directory, exist_ok=True)
                _announce(path)
            except OSError:  # (a read-only place: the write goes on unannounced)
                return execute(sql, params, many, context)
        except OSError:
            return execute(sql, params, many, context)
        try:
            return execute(sql, params, many, context)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _announce(path: str) -> None:
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:  # left by a crashed writer of the same process and thread number: not stale now
        os.utime(path)


def announce_waits(sender, connection, **kwargs) -> None:
    """``connection_created``: every SQLite connection of a file says when it waits for the write lock."""
    directory = waiting_dir(connection)
    if directory is not None and not any(isinstance(w, _Announcer) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_Announcer(directory))


def clean() -> list[str]:
    """Drop what a crashed staged write left behind (its staging and old tables); returns their names."""
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kk%'")
        names = [n for (n,) in cur.fetchall() if n.startswith((STAGE, OLD))]
    for name in names:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{name}"')
    if names:
        log.info("dropped the staging tables of an earlier run: %s", ", ".join(names))
    return names


def _create(cur, live: str, stage: str) -> None:
    """The staging table of ``live``: its CREATE TABLE statement under the other name (the same columns,
    types and constraints, in the same order), without its named indexes (made at the swap)."""
    cur.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [live])
    (sql,) = cur.fetchone()
    head = re.match(r'\s*CREATE\s+TABLE\s+("[^"]+"|\S+)', sql, re.IGNORECASE)
    if head is None or head.group(1).strip('"') != live:
        raise RuntimeError(f"unexpected schema of {live}: {sql[:80]}")
    cur.execute(f'CREATE TABLE "{stage}"' + sql[head.end() :])


def _copy(stage: Stage, live: str, target: str) -> None:
    """The live rows into the staging table, in rowid order, a short transaction at a time."""
    pacer = Pacer(COPY_ROWS)
    last = -(1 << 62)
    while True:
        asked = pacer.size
        with stage.transaction(what=f"copy {live}"), connection.cursor() as cur:
            cur.execute(
                f'INSERT INTO "{target}" SELECT * FROM "{live}" WHERE rowid > %s ORDER BY rowid LIMIT %s',
                [last, asked],
            )
            copied = cur.rowcount
            if copied:
                cur.execute(f'SELECT MAX(rowid) FROM "{target}"')
                last = cur.fetchone()[0]
        if copied:
            pacer.took(stage.last, copied)
        if copied < asked:
            return


@contextmanager
def staged(tables: Sequence[str]) -> Iterator[Stage]:
    """A staged write of ``tables`` (SQLite; outside any transaction): staging copies made and filled,
    :func:`table` naming them inside; the caller ends with :meth:`Stage.swap`. On an error the staging
    tables are dropped and the live ones are as they were."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        raise RuntimeError("a staged write is for SQLite, outside a transaction")
    clean()
    stage = Stage(tables)
    token = _current.set(stage)
    try:
        with stage.transaction(what="create"), connection.cursor() as cur:
            for live, target in stage.tables.items():
                _create(cur, live, target)
        for live, target in stage.tables.items():
            _copy(stage, live, target)
        yield stage
        if not stage.swapped:
            raise RuntimeError("a staged write ended without its swap")
    except BaseException:
        _current.set(None)
        for target in stage.tables.values():
            stage._drop(target)
        raise
    finally:
        _current.reset(token)
    log.info("staged write: %d transactions, the longest held the write lock %.3f s", stage.transactions,
             stage.longest)  # fmt: skip
