"""The one write path for values, used by the snapshot import and the Kolada sync.

It must be called inside ``transaction.atomic()``: the caller decides what one transaction is (a file,
a KPI-year); or during a staged write on SQLite (:mod:`store.staging`), when it writes to the staging
table in short transactions of its own. Idempotent: writing the same rows twice changes nothing the second time.

SQLite takes an ``INSERT ... ON CONFLICT DO UPDATE`` through ``executemany`` on the raw connection;
PostgreSQL takes ``COPY`` into a temporary table and one merging ``INSERT ... SELECT``.

**What is a change.** A value is *changed* when its number or its status differs from the stored one
(:func:`is_change`); nothing else counts, whatever other metadata comes with it. A row that differs only
in ``count`` (Kolada sends ``count: 1`` where the snapshot has none) updates the stored count quietly: it
is counted as unchanged, keeps ``changed_at`` and ``previous_value``, and recomputes no comparison.
``previous_value`` is the last *different* number: a change of status alone keeps it. Both backends
follow these rules, and both refuse two different rows for one key in the same write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection
from django.utils import timezone

from kommunkvalitet.errors import InputError
from kommunkvalitet.sources.snapshot import DUPLICATE_MESSAGE, ValueRow
from kommunkvalitet.store import staging

KEY = ("kpi_id", "municipality_id", "year", "gender")
COLUMNS = (*KEY, "value", "status", "count")
_DUPLICATE = "kommunkvalitet: duplicate row"

KpiYear = tuple[str, int]
_STAGED_ROWS = 10_000  # rows in the first transaction of a staged write (then sized by staging.TARGET)


def is_change(old_value: float | None, old_status: str, new_value: float | None, new_status: str) -> bool:
    """Whether a stored value and an incoming one differ as data: the number or the status."""
    return old_value != new_value or (old_status or "") != (new_status or "")


@dataclass
class WriteCounts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    rows: int = 0
    touched: set[KpiYear] = field(default_factory=set)  # KPI-years with a value added or changed
    changed_by: Counter[KpiYear] = field(default_factory=Counter)  # (kpi, year) -> rows changed
    added_by: Counter[KpiYear] = field(default_factory=Counter)  # (kpi, year) -> rows added (by_kpi_year)

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.added += other.added
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        self.rows += other.rows
        self.touched |= other.touched
        self.added_by += other.added_by
        self.changed_by += other.changed_by
        return self


OnBatch = Callable[[int], None] | None


def write_values(
    batches: Iterable[list[ValueRow]], *, label: str, on_batch: OnBatch = None, by_kpi_year: bool = False
) -> WriteCounts:
    """Insert or update value rows. ``label`` names the source in error messages.

    The counts say how many rows were added, changed and unchanged, which KPI-years were touched and
    how many changes each had; with ``by_kpi_year`` also how many rows each KPI-year added (for the
    sync ledger: on SQLite one more pass over the added rows, which a whole-file import does without).
    """
    now = timezone.now()
    if connection.vendor == "postgresql":
        counts = _write_postgresql(batches, now, label, on_batch)
    else:
        counts = _write_sqlite(batches, now, label, on_batch, by_kpi_year)
    counts.changed = sum(counts.changed_by.values())
    counts.touched |= set(counts.changed_by)
    counts.unchanged = counts.rows - counts.added - counts.changed
    return counts


# A real change (number or status) stamps changed_at; previous_value moves only when the number moves.
_SQLITE_UPSERT = (
    "INSERT INTO {table} (kpi_id, municipality_id, year, gender, value, status, count, imported_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, '{stamp}') "
    "ON CONFLICT (kpi_id, municipality_id, year, gender) DO UPDATE SET "
    "previous_value = CASE WHEN value IS NOT excluded.value THEN value ELSE previous_value END, "
    "changed_at = CASE WHEN value IS NOT excluded.value OR status IS NOT excluded.status "
    "THEN excluded.imported_at ELSE changed_at END, "
    "value = excluded.value, status = excluded.status, count = COALESCE(excluded.count, count) "
    "WHERE value IS NOT excluded.value OR status IS NOT excluded.status "
    "OR count IS NOT COALESCE(excluded.count, count)"
)


def _write_sqlite(
    batches: Iterable[list[ValueRow]], now: datetime, label: str, on_batch: OnBatch, by_kpi_year: bool
) -> WriteCounts:
    # During a staged write (store.staging) the rows go to the staging table, a short transaction per
    # slice of a batch; otherwise into the live table in the caller's transaction.
    table = staging.table("store_value")
    stage = staging.active()
    pacer = staging.Pacer(_STAGED_ROWS)
    connection.ensure_connection()
    raw: Any = connection.connection
    stamp = connection.ops.adapt_datetimefield_value(now)
    cur = raw.cursor()
    cur.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache keeps the unique index in memory
    # A second, different row for a key inside the same write is an input error, not a revision: the
    # guard aborts the statement (and the caller's transaction) when a row inserted or changed by this
    # write would change again. The log records every real change (number or status) by KPI-year.
    real = "(NEW.value IS NOT OLD.value OR NEW.status IS NOT OLD.status)"
    cur.execute("DROP TRIGGER IF EXISTS kk_duplicate_guard")
    cur.execute("DROP TRIGGER IF EXISTS kk_change_log")
    cur.execute(
        f"""CREATE TEMP TRIGGER kk_duplicate_guard BEFORE UPDATE OF value ON {table}
        WHEN {real} AND (OLD.imported_at = '{stamp}' OR OLD.changed_at IS '{stamp}')
        BEGIN SELECT RAISE(ABORT, '{_DUPLICATE}'); END"""
    )
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS kk_changed (kpi_id TEXT, year INTEGER)")
    cur.execute("DELETE FROM kk_changed")
    cur.execute(
        f"""CREATE TEMP TRIGGER kk_change_log AFTER UPDATE OF value ON {table} WHEN {real}
        BEGIN INSERT INTO kk_changed (kpi_id, year) VALUES (NEW.kpi_id, NEW.year); END"""
    )
    sql = _SQLITE_UPSERT.format(table=table, stamp=stamp)
    counts = WriteCounts()
    # New rows get ids above the largest id before them: a batch whose largest id grew added rows.
    max_sql = f"SELECT COALESCE(MAX(id), 0) FROM {table}"
    first_id = last_id = cur.execute(max_sql).fetchone()[0]
    try:
        for batch in batches:
            for part in stage.parts(batch, pacer) if stage else (batch,):
                with stage.transaction(pacer, len(part), "values") if stage else nullcontext():
                    cur.executemany(sql, part)
                    top = cur.execute(max_sql).fetchone()[0]
                if top != last_id:
                    counts.touched |= {(row[0], row[2]) for row in part}
                    last_id = top
            counts.rows += len(batch)
            if on_batch:
                on_batch(len(batch))
        counts.added = cur.execute(f"SELECT COUNT(*) FROM {table} WHERE id > ?", (first_id,)).fetchone()[0]
        if by_kpi_year and counts.added:
            cur.execute(f"SELECT kpi_id, year, COUNT(*) FROM {table} WHERE id > ? GROUP BY kpi_id, year", (first_id,))
            counts.added_by = Counter({(k, int(y)): n for k, y, n in cur.fetchall()})
            counts.touched = set(counts.added_by)
        cur.execute("SELECT kpi_id, year, COUNT(*) FROM kk_changed GROUP BY kpi_id, year")
        counts.changed_by = Counter({(k, int(y)): n for k, y, n in cur.fetchall()})
    except IntegrityError as exc:  # pragma: no cover - Django wraps only its own cursors
        raise InputError(str(exc), file=label) from None
    except Exception as exc:
        if _DUPLICATE in str(exc):
            raise InputError(DUPLICATE_MESSAGE, file=label) from None
        raise
    finally:
        cur.execute("DROP TRIGGER IF EXISTS kk_duplicate_guard")
        cur.execute("DROP TRIGGER IF EXISTS kk_change_log")
        cur.execute("DELETE FROM kk_changed")
    return counts


def _write_postgresql(batches: Iterable[list[ValueRow]], now: datetime, label: str, on_batch: OnBatch) -> WriteCounts:
    from psycopg import errors as pg_errors

    connection.ensure_connection()
    raw: Any = connection.connection
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
        # each statement returns what it changed or added. The UPDATE also refreshes a count that alone
        # differs; RETURNING tells those (changed_at kept) from real changes (changed_at = now).
        cur.execute("ANALYZE kk_stage")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(
            """UPDATE store_value v SET
                 previous_value = CASE WHEN v.value IS DISTINCT FROM s.value THEN v.value ELSE v.previous_value END,
                 changed_at = CASE WHEN v.value IS DISTINCT FROM s.value OR v.status IS DISTINCT FROM s.status
                                   THEN %(now)s ELSE v.changed_at END,
                 value = s.value, status = s.status, count = COALESCE(s.count, v.count)
               FROM kk_stage s
               WHERE v.kpi_id = s.kpi_id AND v.municipality_id = s.municipality_id AND v.year = s.year
                 AND v.gender = s.gender
                 AND (v.value IS DISTINCT FROM s.value OR v.status IS DISTINCT FROM s.status
                      OR v.count IS DISTINCT FROM COALESCE(s.count, v.count))
               RETURNING v.kpi_id, v.year, v.changed_at IS NOT DISTINCT FROM %(now)s""",
            {"now": now},
        )
        updated = cur.fetchall()
        counts.changed_by = Counter((k, int(y)) for k, y, real in updated if real)
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
        counts.added_by = Counter({(k, int(y)): n for k, y, n in cur.fetchall()})
        counts.added, counts.touched = sum(counts.added_by.values()), set(counts.added_by)
        if updated and _has_conflicting_duplicates(cur):
            raise InputError(DUPLICATE_MESSAGE, file=label)
        cur.execute("DROP TABLE kk_stage")
    return counts


def _has_conflicting_duplicates(cur: Any) -> bool:
    """Whether the staged rows give one key two different numbers or statuses (an UPDATE would
    silently take one of them). Rows repeated identically are harmless."""
    cur.execute(
        """SELECT 1 FROM kk_stage GROUP BY kpi_id, municipality_id, year, gender
           HAVING COUNT(DISTINCT value) > 1 OR COUNT(DISTINCT status) > 1
              OR (COUNT(value) > 0 AND COUNT(value) < COUNT(*)) LIMIT 1"""
    )
    return cur.fetchone() is not None


def delete_values(keys: Iterable[tuple[str, str, int, str]]) -> Counter[KpiYear]:
    """Remove values by (kpi, municipality, year, gender); returns how many existed, by KPI-year."""
    gone: Counter[KpiYear] = Counter()
    with connection.cursor() as cur:
        for kpi, muni, year, gender in keys:
            cur.execute(
                "DELETE FROM store_value WHERE kpi_id = %s AND municipality_id = %s AND year = %s AND gender = %s",
                [kpi, muni, year, gender],
            )
            if cur.rowcount:
                gone[(kpi, int(year))] += cur.rowcount
    return gone
