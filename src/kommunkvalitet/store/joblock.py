"""The lock of the jobs that write data (import, sync, recompute, setup): one at a time.

Apart from :mod:`store.sync` (which re-exports it) so that a command taking the lock does not import
the sync's Kolada client and HTTP library (about 0.3 s of ``kommunkvalitet recompute``'s start).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock
from django.db import connection

from kommunkvalitet.errors import KommunkvalitetError

LOCK_FILE = "sync.lock"
PG_LOCK_KEY = 0x6B6B53594E43  # "kkSYNC": the advisory lock key on PostgreSQL
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the lock; try again later


class SyncLocked(KommunkvalitetError):
    """Another sync is running."""


def _write_holder(fd: int) -> None:
    """Write this process's id into the lock file it has just locked (shown to a run that is refused)."""
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:  # Windows refuses to read a locked byte range
        return ""


def lock_is_held(path: Path) -> bool:
    """Whether a sync holds the lock file at ``path`` now (on this machine)."""
    if not Path(path).exists():
        return False
    lock = filelock.FileLock(str(path), blocking=False, fallback_to_soft=False, preserve_lock_file=True)
    try:
        lock.acquire()
    except filelock.Timeout:
        return True
    lock.release()
    return False


@contextmanager
def sync_lock(path: Path) -> Iterator[None]:
    """Hold the lock that imports, syncs and recomputes share, or raise :class:`SyncLocked` at once
    (never waits).

    An exclusive lock on ``path`` through ``filelock`` (``flock`` on POSIX, ``LockFileEx`` on Windows;
    released by the operating system if the process dies) and, on PostgreSQL, a session advisory lock,
    so that runs on different machines sharing one database exclude each other too.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(
        str(path), blocking=False, fallback_to_soft=False, preserve_lock_file=True, on_acquired=_write_holder
    )
    try:
        lock.acquire()
    except filelock.Timeout:
        holder = _holder(path)
        raise SyncLocked(
            f"another import or sync is running (lock file {path} is held{f' by process {holder}' if holder else ''}); "
            "this run did nothing"
        ) from None
    try:
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [PG_LOCK_KEY])
            if not cur.fetchone()[0]:
                raise SyncLocked(
                    "another import or sync is running against this PostgreSQL database; this run did nothing"
                )
        try:
            yield
        finally:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])
    finally:
        lock.release()
