"""The one write path for values, used by the snapshot import and the Kolada sync.

It must be called inside ``transaction.atomic()``: the caller decides what one transaction is (a file,
a KPI-year). Idempotent: writing the same rows twice changes nothing the second time.

SQLite takes an ``INSERT ... ON CONFLICT DO UPDATE`` through ``executemany`` on the raw connection;
PostgreSQL takes ``COPY`` into a temporary table and one merging ``INSERT ... SELECT``. A changed
value keeps the value it replaced in ``previous_value`` and the time in ``changed_at``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection
from django.utils import timezone

from kommunkvalitet.errors import InputError
from kommunkvalitet.sources.snapshot import ValueRow

KEY = ("kpi_id", "municipality_id", "year", "gender")
COLUMNS = (*KEY, "value", "status", "count")
_DUPLICATE = "kommunkvalitet: duplicate row"


@dataclass
class WriteCounts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    rows: int = 0
    touched: set[tuple[str, int]] = field(default_factory=set)  # (kpi, year) whose values changed

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.added += other.added
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.rows += other.rows
        self.touched |= other.touched
        return self


def write_values(batches: Iterable[list[ValueRow]], *, label: str, on_batch=None) -> WriteCounts:
    """Insert or update value rows. ``label`` names the source in error messages."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        counts = _write_postgresql(batches, now, label, on_batch)
    else:
        counts = _write_sqlite(batches, now, label, on_batch)
    counts.unchanged = counts.rows - counts.added - counts.changed
    return counts


def _touched(batch: list[ValueRow]) -> set[tuple[str, int]]:
    return {(row[0], row[2]) for row in batch}


def _write_sqlite(batches, now, label, on_batch) -> WriteCounts:
    connection.ensure_connection()
    raw = connection.connection
    stamp = connection.ops.adapt_datetimefield_value(now)
    cur = raw.cursor()
    cur.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache keeps the unique index in memory
    # A second row for a key inside the same write that gives a different value is an input error,
    # not a revision: the temporary trigger aborts the statement (and the caller's transaction).
    cur.execute(
        f"""CREATE TEMP TRIGGER IF NOT EXISTS kk_duplicate_guard BEFORE UPDATE OF value ON store_value
        WHEN OLD.imported_at = NEW.changed_at
        BEGIN SELECT RAISE(ABORT, '{_DUPLICATE}'); END"""
    )
    sql = (
        "INSERT INTO store_value (kpi_id, municipality_id, year, gender, value, status, count, imported_at) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, '{stamp}') "
        "ON CONFLICT (kpi_id, municipality_id, year, gender) DO UPDATE SET "
        "previous_value = value, value = excluded.value, status = excluded.status, "
        "count = COALESCE(excluded.count, count), changed_at = excluded.imported_at "
        "WHERE value IS NOT excluded.value OR status IS NOT excluded.status "
        "OR count IS NOT COALESCE(excluded.count, count)"
    )
    counts = WriteCounts()
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM store_value")
    max_id = cur.fetchone()[0]
    changes_before = raw.total_changes
    try:
        for batch in batches:
            before = raw.total_changes
            cur.executemany(sql, batch)
            if raw.total_changes != before:  # the KPI-years of a batch that changed anything
                counts.touched |= _touched(batch)
            counts.rows += len(batch)
            if on_batch:
                on_batch(len(batch))
    except IntegrityError as exc:  # pragma: no cover - Django wraps only its own cursors
        raise InputError(str(exc), file=label) from None
    except Exception as exc:
        if _DUPLICATE in str(exc):
            raise InputError(
                "two rows give different values for the same kpi, municipality, year and gender", file=label
            ) from None
        raise
    finally:
        cur.execute("DROP TRIGGER IF EXISTS kk_duplicate_guard")
    # New rows get ids above the largest id before the write, so those are the rows it added.
    cur.execute("SELECT COUNT(*) FROM store_value WHERE id > ?", (max_id,))
    counts.added = cur.fetchone()[0]
    counts.changed = raw.total_changes - changes_before - counts.added
    return counts


def _write_postgresql(batches, now, label, on_batch) -> WriteCounts:
    from psycopg import errors as pg_errors

    connection.ensure_connection()
    raw = connection.connection
    counts = WriteCounts()
    with raw.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS kk_stage (kpi_id text, municipality_id text, year smallint, "
            "gender text, value double precision, status text, count integer) ON COMMIT DROP"
        )
        cur.execute("TRUNCATE kk_stage")
        with cur.copy("COPY kk_stage (kpi_id, municipality_id, year, gender, value, status, count) FROM STDIN") as cp:
            for batch in batches:
                for row in batch:
                    cp.write_row(row)
                counts.rows += len(batch)
                if on_batch:
                    on_batch(len(batch))
        # Two set-based statements instead of one INSERT ... ON CONFLICT: an UPDATE of the rows that
        # differ, then an INSERT of the rows that are new (a hash anti-join). About twice as fast, and
        # each statement's row count is the number changed or added.
        cur.execute("ANALYZE kk_stage")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(
            """UPDATE store_value v SET previous_value = v.value, value = s.value, status = s.status,
                 count = COALESCE(s.count, v.count), changed_at = %(now)s
               FROM kk_stage s
               WHERE v.kpi_id = s.kpi_id AND v.municipality_id = s.municipality_id AND v.year = s.year
                 AND v.gender = s.gender
                 AND (v.value IS DISTINCT FROM s.value OR v.status IS DISTINCT FROM s.status
                      OR v.count IS DISTINCT FROM COALESCE(s.count, v.count))
               RETURNING v.kpi_id, v.year""",
            {"now": now},
        )
        changed = cur.fetchall()
        counts.changed = len(changed)
        touched = {(k, int(y)) for k, y in changed}
        try:
            cur.execute(
                """WITH ins AS (
                   INSERT INTO store_value (kpi_id, municipality_id, year, gender, value, status, count, imported_at)
                   SELECT s.kpi_id, s.municipality_id, s.year, s.gender, s.value, s.status, s.count, %(now)s
                   FROM kk_stage s
                   WHERE NOT EXISTS (SELECT 1 FROM store_value v WHERE v.kpi_id = s.kpi_id
                     AND v.municipality_id = s.municipality_id AND v.year = s.year AND v.gender = s.gender)
                   RETURNING kpi_id, year)
                   SELECT kpi_id, year, COUNT(*) FROM ins GROUP BY kpi_id, year""",
                {"now": now},
            )
        except pg_errors.UniqueViolation:
            raise InputError(
                "two rows give values for the same kpi, municipality, year and gender", file=label
            ) from None
        added = cur.fetchall()
        counts.added = sum(n for _k, _y, n in added)
        counts.touched = touched | {(k, int(y)) for k, y, _n in added}
        if counts.changed and _has_duplicates(cur):
            raise InputError("two rows give values for the same kpi, municipality, year and gender", file=label)
        cur.execute("DROP TABLE kk_stage")
    return counts


def _has_duplicates(cur) -> bool:
    """Whether the staged rows name one key twice (an UPDATE would silently take one of them)."""
    cur.execute("SELECT 1 FROM kk_stage GROUP BY kpi_id, municipality_id, year, gender HAVING COUNT(*) > 1 LIMIT 1")
    return cur.fetchone() is not None


def delete_values(keys: Iterable[tuple[str, str, int, str]]) -> int:
    """Remove values by (kpi, municipality, year, gender); returns how many existed."""
    n = 0
    with connection.cursor() as cur:
        for kpi, muni, year, gender in keys:
            cur.execute(
                "DELETE FROM store_value WHERE kpi_id = %s AND municipality_id = %s AND year = %s AND gender = %s",
                [kpi, muni, year, gender],
            )
            n += cur.rowcount
    return n
