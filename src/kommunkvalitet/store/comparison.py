"""Store side of the comparison engine: keeps :class:`ComparisonStat` current and reads it back.

Imports and syncs call :func:`recompute` with the KPI-years they touched; ``kommunkvalitet recompute``
calls :func:`recompute_all`. Both read the values into arrays, run the whole-table engine
(:func:`core.comparison.compare_table`) over every KPI, year and gender at once (a few KPI-years, a
sync's or an edit's: its grid entry point, :func:`core.comparison.compare_rows`), and write the rows in
bulk, one transaction (a savepoint inside the caller's) per chunk of KPI-years, the next chunk computed
in a thread while one is written (:func:`_ahead`); during a staged write (:mod:`store.staging`) they
read and write the staging tables, in short transactions, and leave the data version to the swap. On
SQLite a whole-table read outside a transaction goes through ADBC, in two halves at once
(:func:`_fetch_sqlite_arrow`).
"""

from __future__ import annotations

import bisect
import datetime
import functools
import gc
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from kommunkvalitet import config
from kommunkvalitet.core import plausibility
from kommunkvalitet.core.comparison import (
    DIRECTION_CODES,
    ComparisonSettings,
    TableComparison,
    compare_rows,
    compare_table,
    pack_codes,
    require_one_value_per_cell,
    settings_from_text,
)
from kommunkvalitet.core.measuresets import measure_sets
from kommunkvalitet.sources import snapshot
from kommunkvalitet.store import dataversion, staging
from kommunkvalitet.store.models import ComparisonStat

GENDERS = ("T", "K", "M")
_T = TypeVar("_T")
_CHUNK = 3000  # KPI-years per compare_table call and per write transaction (about 0.5 M values)
_PARTS = 4  # ranges of KPI ids that a whole recompute on PostgreSQL reads one by one, beside the work
_SCAN_ABOVE = 250  # more KPIs than this: one scan of the value table instead of index look-ups
_FETCH = 50_000  # rows per fetchmany
_STAGED_PAIRS = 100  # KPI-years in the first transaction of a staged write (then sized by staging.TARGET)


def current_settings() -> ComparisonSettings:
    """The comparison thresholds in force: the defaults with KOMMUNKVALITET_COMPARISON applied."""
    return _settings_of(tuple(config.comparison_overrides().items()))


@functools.lru_cache(maxsize=8)
def _settings_of(overrides: tuple[tuple[str, str], ...]) -> ComparisonSettings:
    """:func:`settings_from_text` of these overrides, kept by their text (a changed setting is a new
    key, so nothing goes stale): building and checking the dataclass was a tenth of one KPI-year's
    comparison. Errors are raised again each call (lru_cache keeps no exceptions)."""
    return settings_from_text(dict(overrides))


@dataclass
class _Values:
    """Every value of the wanted KPI-years as aligned arrays (one row per stored value)."""

    pair: np.ndarray  # index into the sorted list of wanted (kpi, year)
    gender: np.ndarray  # 0 = T, 1 = K, 2 = M
    municipality: np.ndarray  # the id as an integer: 0 = Riket, 100.. = a kommun, 1..99 = a region
    value: np.ndarray


def recompute(
    kpi_years: Iterable[tuple[str, int]],
    settings: ComparisonSettings | None = None,
    *,
    written: WrittenValues | None = None,
) -> int:
    """Recompute the comparison of every gender for these (kpi, year) pairs; returns rows written.

    The values are read once; each chunk of KPI-years is one :func:`compare_table` call and one
    transaction (a savepoint inside the caller's). A (kpi, year, gender) with neither kommun values
    nor Riket gets no row. ``written``: the rows a write has just stored, used instead of reading
    back the KPIs whose every stored row they are (see :class:`WrittenValues`)."""
    pairs = sorted({(k, int(y)) for k, y in kpi_years})
    if not pairs:
        return 0
    if len(pairs) == 1 and written is None and connection.vendor == "sqlite":  # a sync's or an edit's
        with _collector_paused():  # its few thousand objects are freed as they go: no collection
            data = _read_one_sqlite(*pairs[0])
            if data is not None:
                return _recompute(pairs, data, settings or current_settings())
    kpis = sorted({k for k, _ in pairs})
    whole = written.whole_kpis(set(kpis)) if written is not None else set()
    rest = [k for k in kpis if k not in whole]
    rows = _fetch(rest, sorted({y for k, y in pairs if k not in whole})) if rest else _NO_ROWS
    if whole and written is not None:
        # a scan of the whole table (many KPIs) brings the written KPIs' stored rows too: not twice
        rows = _combine(written.arrays(whole), _without(rows, whole))
    return _recompute(pairs, _select(pairs, *rows), settings or current_settings())


class WrittenValues:
    """The value rows an import has just written, kept as arrays on their way to the database.

    The recompute after the import then need not read them back: for a KPI whose stored rows are
    exactly the rows written (every written row is in the store by then, so the same number of rows
    means the same rows), the arrays are what the store holds. One count per KPI (over the unique
    index) decides; the other KPIs are read from the store as usual."""

    def __init__(self) -> None:
        self._seen: defaultdict[str, int] = defaultdict()
        self._seen.default_factory = self._seen.__len__
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._rows: list[np.ndarray] = []  # rows per KPI code, missing values included
        self._usable = True

    def watch(self, batches: Iterable[list[tuple]]) -> Iterable[list[tuple]]:
        """The batches, unchanged, each also kept here."""
        for batch in batches:
            if self._usable and batch:
                with _collector_paused():
                    self._keep(batch)
            yield batch

    def _keep(self, batch: list[tuple]) -> None:
        columns = batch.columns if isinstance(batch, snapshot.ValueBatch) else snapshot.value_columns(batch)
        if columns.municipality is None:  # an id not of four digits: read the store instead (never Kolada's)
            self._usable = False
            return
        kpi = np.fromiter(map(self._seen.__getitem__, columns.kpis), np.int64, len(columns.kpis))[columns.kpi]
        code = np.select([columns.gender == "T", columns.gender == "K", columns.gender == "M"], [0, 1, 2], 3)
        key = (columns.year * 4 + code) * _KEY_BASE + columns.municipality
        present = columns.present
        self._rows.append(np.bincount(kpi, minlength=len(self._seen)))
        self._parts.append((kpi[present], key[present], columns.value[present]))

    def arrays(self, kpis: set[str]):
        """(KPI ids, each value's index into them, key, value) of these KPIs, like :func:`_fetch`."""
        if not self._parts:
            return _NO_ROWS
        kpi, key, value = (np.concatenate(c) for c in zip(*self._parts, strict=True))
        self._parts = [(kpi, key, value)]  # one copy in memory, not two
        ids = list(self._seen)
        if kpis.issuperset(ids):
            return ids, kpi, key, value
        keep = np.isin(kpi, [i for i, k in enumerate(ids) if k in kpis])
        return ids, kpi[keep], key[keep], value[keep]

    def whole_kpis(self, kpis: set[str]) -> set[str]:
        """The KPIs among ``kpis`` whose stored rows are all rows written here."""
        if not self._usable or not self._rows:
            return set()
        rows = np.zeros(len(self._seen), dtype=np.int64)
        for counts in self._rows:
            rows[: counts.size] += counts
        written = {k: int(rows[i]) for k, i in self._seen.items() if k in kpis}
        stored = _row_counts(sorted(written))
        return {k for k, n in written.items() if stored.get(k) == n}


def _row_counts(kpis: list[str]) -> dict[str, int]:
    """Stored rows per KPI, missing values included (the unique index answers: no table reads)."""
    out: dict[str, int] = {}
    with connection.cursor() as cur:
        if len(kpis) > _SCAN_ABOVE:
            cur.execute(f"SELECT kpi_id, COUNT(*) FROM {staging.table('store_value')} GROUP BY kpi_id")
            wanted = set(kpis)
            out.update((k, n) for k, n in cur.fetchall() if k in wanted)
        else:
            for start in range(0, len(kpis), 500):
                part = kpis[start : start + 500]
                cur.execute(
                    f"SELECT kpi_id, COUNT(*) FROM {staging.table('store_value')} WHERE kpi_id IN ({', '.join(['%s'] * len(part))}) "
                    "GROUP BY kpi_id",
                    part,
                )
                out.update(cur.fetchall())
    return out


def recompute_all(settings: ComparisonSettings | None = None) -> int:
    """Recompute every KPI-year that has values (after changing a direction or a setting): one pass
    over the value table (on PostgreSQL outside a transaction, in parts: :func:`_recompute_all_postgresql`),
    and the KPI-years are the ones it finds."""
    settings = settings or current_settings()
    if connection.vendor == "postgresql" and not connection.in_atomic_block and staging.active() is None:
        return _recompute_all_postgresql(settings)
    pairs, data = _pairs_found(_fetch(None, None))
    return _recompute(pairs, data, settings) if pairs else 0


def _recompute_all_postgresql(settings: ComparisonSettings) -> int:
    """:func:`recompute_all` on PostgreSQL, outside a transaction: the value table read in
    :data:`_PARTS` ranges of KPI ids, each by a thread on a connection of its own while this one
    computes the part before and hands it to the server (whose reading, grouping, parsing and indexing
    then run beside the client's on the second core), in one transaction that replaces every row. (A
    part is one KPI's values whole: its comparisons come from one moment, as with one read.)"""
    from kommunkvalitet.store.models import KPI

    directions = dict(KPI.objects.order_by("id").values_list("id", "direction"))  # (read before the COPY begins)
    ids = list(directions)
    cuts = [ids[len(ids) * i // _PARTS] for i in range(1, _PARTS)] if len(ids) >= _PARTS else []
    bounds = list(zip([None, *cuts], [*cuts, None], strict=True))

    def reads():  # (in _ahead's thread: Django gives it a connection of its own, closed at the end)
        try:
            for between in bounds:
                yield _fetch_postgresql(None, None, between)
        finally:
            connection.close()

    def chunks():
        for rows in _ahead(reads()):
            pairs, data = _pairs_found(rows)
            if pairs:
                data = _by_pair(data, len(pairs))
                for start, stop, chunk in _chunks(pairs, data, directions, settings):
                    yield pairs[start:stop], chunk

    return _write_postgresql_all(_delete_every_row, chunks(), queued=True)


def _pairs_found(rows) -> tuple[list[tuple[str, int]], _Values]:
    """The KPI-years that a result of :func:`_fetch` has values of, sorted, and its rows numbered by them."""
    kpis, kpi_idx, key, value = rows
    year, gender, municipality = _unpack_key(key)
    order = sorted(range(len(kpis)), key=kpis.__getitem__)
    rank = np.empty(len(kpis), dtype=np.int64)
    rank[order] = np.arange(len(kpis))
    y0 = int(year.min(initial=0))
    width = int(year.max(initial=0)) - y0 + 1
    code = rank[kpi_idx] * width + (year - y0)
    present = np.zeros(len(kpis) * width, dtype=bool)  # a lookup table numbers the (kpi, year) met
    present[code] = True
    pair = np.cumsum(present) - 1
    pairs = [(kpis[order[c // width]], c % width + y0) for c in np.flatnonzero(present).tolist()]
    keep = (gender < 3) & (municipality >= 0)
    return pairs, _Values(pair[code][keep], gender[keep], municipality[keep], value[keep])


def kpi_year(kpi: str, year: int, gender: str = "T") -> ComparisonStat | None:
    """The comparison of one KPI, year and gender (one query)."""
    return ComparisonStat.objects.filter(kpi_id=kpi, year=year, gender=gender).first()


def _by_pair(data: _Values, pairs: int) -> _Values:
    """``data`` sorted by pair (stably)."""
    if data.pair.size and (np.diff(data.pair) < 0).any():  # storage order is often sorted already
        small = pairs <= 1 << 16  # then numpy's stable sort is a radix sort
        order = np.argsort(data.pair.astype(np.uint16) if small else data.pair, kind="stable")
        data = _Values(data.pair[order], data.gender[order], data.municipality[order], data.value[order])
    return data


def _recompute(pairs: list[tuple[str, int]], data: _Values, settings: ComparisonSettings) -> int:
    directions = _directions(sorted({k for k, _ in pairs}))
    data = _by_pair(data, len(pairs))
    stage = staging.active()
    if stage is None and connection.vendor == "postgresql":
        each = ((pairs[a:b], rows) for a, b, rows in _chunks(pairs, data, directions, settings))
        return _write_postgresql_all(lambda cur: _delete_postgresql(cur, pairs), each, queued=len(pairs) > _CHUNK)
    written = 0
    chunks = _chunks(pairs, data, directions, settings)
    if len(pairs) > _CHUNK:  # more than one chunk: the next one is computed while this one is written
        chunks = _ahead(chunks)
    for start, stop, rows in chunks:
        if stage is None:
            with transaction.atomic():
                written += _write(pairs[start:stop], rows)
                dataversion.advance(dataversion.DATA)  # the pages and charts of these KPI-years change now
            continue
        # A staged write (store.staging): short transactions into the staging table, a few KPI-years
        # each; the data version advances once, when the staging tables are swapped in.
        pacer = staging.Pacer(_STAGED_PAIRS)
        first = 0  # the chunk's pairs first:last in this transaction
        while first < stop - start:
            last = min(first + pacer.size, stop - start)
            lo, hi = bisect.bisect_left(rows.pair, first), bisect.bisect_left(rows.pair, last)
            with stage.transaction(pacer, last - first, "comparisons"):
                written += _write(pairs[start + first : start + last], _part(rows, lo, hi, first))
            first = last
    return written


def _chunks(pairs: list[tuple[str, int]], data: _Values, directions: dict[str, str], settings: ComparisonSettings):
    """(start, stop, the rows of ``pairs[start:stop]``) of each chunk of :data:`_CHUNK` KPI-years, in
    order (``data`` sorted by pair)."""
    for start in range(0, len(pairs), _CHUNK):
        stop = min(start + _CHUNK, len(pairs))
        a, b = np.searchsorted(data.pair, [start, stop]).tolist()
        part = _Values(data.pair[a:b] - start, data.gender[a:b], data.municipality[a:b], data.value[a:b])
        yield start, stop, _rows(pairs[start:stop], part, directions, settings)


def _ahead(items: Iterable[_T]) -> Iterator[_T]:
    """``items``, each computed in a thread of its own while the caller uses the one before (a queue of
    one). For :func:`_chunks`: numpy and Python, no database, while this thread writes the chunk before
    on its connection (sqlite3 leaves the GIL while SQLite steps and commits), so that the writes, a
    third of a whole recompute, mostly run beside the computing on a second core. The caller's
    transactions and connection stay as they are. An exception in the thread is raised here; when
    the caller stops early, the thread stops after the item it is computing."""
    import queue
    import threading

    handover: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                handover.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
        except BaseException as err:  # (raised in the caller's thread)
            put((False, err))
            return
        finally:  # a generator of items ends in this thread (its clean-up too), even when stopped early
            getattr(items, "close", lambda: None)()
        put((False, None))

    worker = threading.Thread(target=run, name="kk-compute", daemon=True)
    worker.start()
    try:
        while True:
            more, item = handover.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        worker.join()


def _part(rows: _Rows, lo: int, hi: int, first_pair: int) -> _Rows:
    """Rows ``lo:hi`` of a chunk, their pairs counted from ``first_pair``."""
    return _Rows([p - first_pair for p in rows.pair[lo:hi]], rows.gender[lo:hi], rows.direction[lo:hi],
                 rows.stats[lo:hi], rows.positions[lo:hi], rows.flagged[lo:hi])  # fmt: skip


# --- reading ------------------------------------------------------------------------------------


def _directions(kpis: list[str]) -> dict[str, str]:
    """Each KPI's direction (one plain query: this runs once per synced KPI-year)."""
    sqlite = connection.vendor == "sqlite"
    out: dict[str, str] = {}
    for start in range(0, len(kpis), 500):
        part = kpis[start : start + 500]
        sql = f"SELECT id, direction FROM store_kpi WHERE id IN ({', '.join(['?' if sqlite else '%s'] * len(part))})"
        if sqlite:
            out.update(_sqlite_rows(sql, part))
            continue
        with connection.cursor() as cur:
            cur.execute(sql, part)
            out.update(cur.fetchall())
    return out


def _sqlite_rows(sql: str, params: list) -> list[tuple]:
    """The rows of ``sql`` on Python's sqlite3 connection itself (Django's cursor wrapper cost more than
    a one-KPI query or write), with Django's exceptions as through its cursor (``web.busy``)."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection.connection.execute(sql, params).fetchall()


# (year, gender, municipality) of a value in one integer, so that a row carries three columns:
# key = (year * 4 + gender code) * 10001 + the four-digit municipality id as a number, or 10000 if it is
# not four digits (:data:`_NO_ID`: every number 0-9999 is an id, so the base is one more than them).
_KEY_BASE = 10_001
_NO_ID = 10_000
_GENDER_CODE = "CASE gender WHEN 'T' THEN 0 WHEN 'K' THEN 1 WHEN 'M' THEN 2 ELSE 3 END"
_ID_NUMBER = {
    "sqlite": "CASE WHEN municipality_id GLOB '[0-9][0-9][0-9][0-9]' THEN CAST(municipality_id AS INTEGER) ELSE 10000 END",
    "postgresql": "CASE WHEN municipality_id ~ '^[0-9]{4}$' THEN municipality_id::int ELSE 10000 END",
}


def _key_sql(cheap: bool = False) -> str:
    """The key's SQL; ``cheap`` (SQLite, every id four digits: :func:`_four_digit_ids`): the id by a plain cast."""
    number = "CAST(municipality_id AS INTEGER)" if cheap else _ID_NUMBER[connection.vendor]
    return f"((year * 4 + {_GENDER_CODE}) * {_KEY_BASE} + {number})"


def _unpack_key(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, gender code, municipality number: -1 for an id that is not four digits) from the keys of
    :func:`_key_sql`."""
    rest, municipality = np.divmod(key, _KEY_BASE)
    municipality[municipality == _NO_ID] = -1
    year, gender = np.divmod(rest, 4)
    return year, gender, municipality


_NO_ROWS: tuple[list[str], np.ndarray, np.ndarray, np.ndarray] = (
    [], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))  # fmt: skip


def _read(pairs: list[tuple[str, int]]) -> _Values:
    """Every value of these KPI-years (kommuner, Riket and regions; not the missing ones) as arrays."""
    return _select(pairs, *_fetch(sorted({k for k, _ in pairs}), sorted({y for _, y in pairs})))


def _combine(a, b):
    """Two results of :func:`_fetch` (or :meth:`WrittenValues.arrays`) as one."""
    return (a[0] + b[0], np.concatenate([a[1], b[1] + len(a[0])]), np.concatenate([a[2], b[2]]),
            np.concatenate([a[3], b[3]]))  # fmt: skip


def _without(rows, kpis: set[str]):
    """A result of :func:`_fetch` without the rows of these KPIs."""
    met, kpi_idx, key, value = rows
    drop = [i for i, k in enumerate(met) if k in kpis]
    if not drop:
        return rows
    keep = ~np.isin(kpi_idx, drop)
    return met, kpi_idx[keep], key[keep], value[keep]


def _select(pairs, met, kpi_idx, key, value) -> _Values:
    """The rows of these KPI-years among (KPI ids met, each row's index into them, key, value),
    numbered by their place in ``pairs``."""
    if len(pairs) == 1:  # one KPI-year (a sync or an edit): a mask, not the lookup grid
        ((kpi, y),) = pairs
        year, gender, municipality = _unpack_key(key)
        keep = (year == y) & (gender < 3) & (municipality >= 0)
        if met != [kpi]:
            keep &= np.array([k == kpi for k in met], dtype=bool)[kpi_idx] if met else False
        return _Values(
            np.zeros(int(np.count_nonzero(keep)), dtype=np.int64), gender[keep], municipality[keep], value[keep]
        )
    kpis = sorted({k for k, _ in pairs})
    years = sorted({y for _, y in pairs})
    position = {k: i for i, k in enumerate(kpis)}
    kpi_idx = np.array([position.get(k, -1) for k in met], dtype=np.int64)[kpi_idx] if met else kpi_idx
    year, gender, municipality = _unpack_key(key)
    y0 = years[0]
    pair_of = np.full((len(kpis), years[-1] - y0 + 1), -1, dtype=np.int64)
    for i, (k, y) in enumerate(pairs):
        pair_of[position[k], y - y0] = i
    inside = (kpi_idx >= 0) & (year >= y0) & (year <= years[-1])
    pair = np.full(key.size, -1, dtype=np.int64)
    pair[inside] = pair_of[kpi_idx[inside], year[inside] - y0]
    keep = (pair >= 0) & (gender < 3) & (municipality >= 0)
    return _Values(pair[keep], gender[keep], municipality[keep], value[keep])


def _fetch(kpis: list[str] | None, years: list[int] | None):
    """(the KPI ids met, each row's index into them, key, value) of the values that are not missing,
    of these KPIs and years (None: all). May return rows of other KPIs; the caller sorts them out."""
    if connection.vendor == "postgresql":
        return _fetch_postgresql(kpis, years)
    return _fetch_sqlite(kpis, years)


def _fetch_sqlite(kpis: list[str] | None, years: list[int] | None):
    """Python's sqlite3 spends most of its time per row and per column, so a row carries three; the
    rows of a block become arrays column by column (a KPI id once per run of equal ids). A scan of
    the whole table goes through :func:`_fetch_sqlite_arrow` when a second connection sees what this
    one sees (no transaction open, a database file)."""
    scan = kpis is None or len(kpis) > _SCAN_ABOVE
    path = _database_file() if scan else None
    if path is not None:
        return _fetch_sqlite_arrow(path, years)
    where, params = "", []
    if years is not None:
        where += f" AND year IN ({', '.join(str(int(y)) for y in years)})"
    if kpis is not None and len(kpis) == 1:
        return _fetch_one_kpi(kpis[0], where)
    if kpis is not None and len(kpis) <= _SCAN_ABOVE:  # a few KPIs: through the unique index
        where += f" AND kpi_id IN ({', '.join(['%s'] * len(kpis))})"
        params = kpis
    seen: defaultdict[str, int] = defaultdict()
    seen.default_factory = seen.__len__  # a KPI id met for the first time gets the next index
    parts = []
    with _collector_paused(), connection.cursor() as cur:
        table = staging.table("store_value")
        cur.execute(f"SELECT kpi_id, {_key_sql()}, value FROM {table} WHERE value IS NOT NULL{where}", params)
        while rows := cur.fetchmany(_FETCH):
            kpi_ids, keys, values = zip(*rows, strict=True)
            parts.append((_codes(kpi_ids, seen), np.array(keys, dtype=np.int64), np.array(values, dtype=np.float64)))
    if not parts:
        return _NO_ROWS
    kpi_idx, key, value = (np.concatenate(column) for column in zip(*parts, strict=True))
    return list(seen), kpi_idx, key, value


def _fetch_one_kpi(kpi: str, where: str):
    """:func:`_fetch_sqlite` of one KPI (a KPI-year of a sync or an edit): two columns a row, not three
    (the KPI is known), on Python's sqlite3 connection itself (Django's cursor wrapper and the KPI
    column were a third of such a read)."""
    table = staging.table("store_value")
    rows = _sqlite_rows(f"SELECT {_key_sql()}, value FROM {table} WHERE kpi_id = ? AND value IS NOT NULL{where}", [kpi])
    if not rows:
        return _NO_ROWS
    keys, values = zip(*rows, strict=True)
    return (
        [kpi],
        np.zeros(len(rows), dtype=np.int64),
        np.array(keys, dtype=np.int64),
        np.array(values, dtype=np.float64),
    )


def _read_one_sqlite(kpi: str, year: int) -> _Values | None:
    """:func:`_read` of one KPI-year on SQLite, the rows' plain columns (SQLite's per-row key
    expression and the unpacking of the keys cost more than making the ids numbers here); None if
    an id is not four digits or a gender not one character (never with Kolada's): :func:`_read`."""
    table = staging.table("store_value")
    rows = _sqlite_rows(
        f"SELECT municipality_id, gender, value FROM {table} WHERE kpi_id = ? AND year = ? AND value IS NOT NULL",
        [kpi, year],
    )
    if not rows:
        return _Values(*(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0))
    ids, genders, values = zip(*rows, strict=True)
    decoded = _ids_and_genders("".join(ids), "".join(genders), len(rows))
    if decoded is None:
        return None
    municipality, gender = decoded
    value = np.array(values, dtype=np.float64)
    if (gender > 2).any():  # a gender that is not T, K or M
        keep = gender < 3
        municipality, gender, value = municipality[keep], gender[keep], value[keep]
    return _Values(np.zeros(gender.size, dtype=np.int64), gender, municipality, value)


def _database_file() -> str | None:
    """The SQLite database's file when another connection to it would read exactly what this one
    reads: outside every transaction (nothing uncommitted) and not an in-memory database (tests)."""
    name = str(connection.settings_dict["NAME"])
    if (
        connection.in_atomic_block
        or not connection.get_autocommit()
        or name == ":memory:"
        or "mode=memory" in name
        or name.startswith("file:")
    ):
        return None
    return name


def _fetch_sqlite_arrow(path: str, years: list[int] | None):
    """The arrays of :func:`_fetch_sqlite`, read by ADBC's SQLite driver on connections of its own: it
    steps through the rows in C and hands over Arrow columns, no Python object per value (Python's
    sqlite3 costs about 1 µs a row and column, more than half of a whole recompute). Three columns,
    as there: the driver's cost is per column, more than SQLite's for the key (five plain columns and
    the key made in numpy took more CPU time).

    A large table is read in two halves of its rowids at once, each on its own connection in a thread
    of its own (the driver steps and pyarrow collects the batches without the GIL): the read was a
    third of the command on one core. Both connections must read the same data: see
    :func:`_snapshot_connections`.

    Django's connection to the same file is closed first (it reconnects when next used; no transaction
    is open here). ADBC brings its own copy of the SQLite library, and SQLite's locks are POSIX locks,
    which belong to the process: when one copy closes a file, the kernel drops every lock the process
    holds on it, the other copy's too, and that copy cannot know (SQLite's "How to corrupt", 2.2.1).
    So the two copies never have the database open at the same time in this process."""
    # The driver's own API, not its DB-API module: that one imports pyarrow.dataset, which imports
    # pandas where it is installed (a second of the command).
    import adbc_driver_sqlite

    where = f" AND year IN ({', '.join(str(int(y)) for y in years)})" if years is not None else ""
    source = staging.table("store_value")  # a staged import's copy: committed, so this connection sees it
    split = _split_rowid(source)
    _close_django_connection_to(path)
    with (
        adbc_driver_sqlite.connect(path) as database,
        _snapshot_connections(database, 1 if split is None else 2) as cons,
    ):
        select = f"SELECT kpi_id, {_key_sql(cheap=_four_digit_ids(cons[0]))}, value FROM {source} WHERE value IS NOT NULL{where}"
        if len(cons) == 1:
            parts = [_arrow_part(cons[0], select)]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(1, thread_name_prefix="kk-read") as pool:
                second = pool.submit(_arrow_part, cons[1], f"{select} AND id > {split}")
                parts = [_arrow_part(cons[0], f"{select} AND id <= {split}"), second.result()]
    parts = [p for p in parts if p is not None]
    if not parts:
        return _NO_ROWS
    # One KPI list over the parts: each part numbered its KPIs in the order it met them; the second
    # part's KPIs are renumbered into the first's list (new ones appended: the order a single scan
    # meets them).
    kpis: dict[str, int] = {}
    kpi_idx = []
    for names, idx, _, _ in parts:
        number = np.fromiter((kpis.setdefault(k, len(kpis)) for k in names), dtype=np.int64, count=len(names))
        kpi_idx.append(number[idx])
    return (
        list(kpis),
        np.concatenate(kpi_idx),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
    )


_SPLIT_ABOVE = 200_000  # rowids: a smaller value table is read in one part (a thread costs more than it saves)


def _split_rowid(source: str) -> int | None:
    """The rowid that splits the value table into two halves for :func:`_fetch_sqlite_arrow` (a rowid
    table: ``id`` is the INTEGER PRIMARY KEY; rows are spread evenly enough over it), or None to read
    it in one part (one core, a small table). Any split is correct: the two parts are ``id <= split``
    and ``id > split``, whatever rows the read transactions see; it only balances them."""
    if _cores() < 2:
        return None
    ((low, high),) = _sqlite_rows(f"SELECT (SELECT min(id) FROM {source}), (SELECT max(id) FROM {source})", [])
    if low is None or high - low < _SPLIT_ABOVE:
        return None
    return (low + high) // 2


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def _snapshot_connections(database, count: int):
    """``count`` ADBC connections to ``database``, each in a read transaction that sees the same
    committed data (also what Django's connection saw: it is outside every transaction here).

    A read transaction of SQLite sees the database as it was when it began (WAL: the snapshot of its
    first read; otherwise a shared lock that keeps writers from committing). Each connection begins
    one (autocommit off, then a read); a connection outside them reads ``PRAGMA data_version`` before
    the first and after the last: the same number means no other connection committed in between, so
    all began on the same data. Normally nothing can commit then: the writers of values (import, sync)
    and ``recompute`` hold the data lock (``store.joblock``), web requests do not write values, and
    the recompute after an import or a sync runs after its writes, in the same process. The check
    makes it sure, also where a caller holds no lock: the transactions begin again (a few times; then
    one connection reads everything)."""
    import adbc_driver_manager

    for attempt in range(_SNAPSHOT_ATTEMPTS + 1):
        n = count if attempt < _SNAPSHOT_ATTEMPTS else 1
        cons = []
        try:
            if n > 1:
                cons.append(adbc_driver_manager.AdbcConnection(database))  # the watcher (autocommit)
                before = _data_version(cons[0])
            for _ in range(n):
                con = adbc_driver_manager.AdbcConnection(database)
                cons.append(con)
                con.set_autocommit(False)
                _arrow_table(con, "SELECT 1 FROM sqlite_master LIMIT 1")  # its read transaction begins
            if n == 1 or _data_version(cons[0]) == before:
                yield cons[-n:]
                return
        finally:
            for con in cons:
                con.close()  # (ends its read transaction)


_SNAPSHOT_ATTEMPTS = 3  # tries to begin the parts' read transactions on the same data, then one part


def _data_version(con) -> int:
    """``PRAGMA data_version`` on an ADBC connection: it changes when another connection commits."""
    return _arrow_table(con, "PRAGMA data_version").column(0)[0].as_py()


def _close_django_connection_to(path: str) -> None:
    """Close Django's connection if it is to the database file ``path`` (see :func:`_fetch_sqlite_arrow`)."""
    name = str(connection.settings_dict["NAME"])
    if connection.connection is not None and os.path.exists(name) and os.path.samefile(name, path):
        connection.close()


def _four_digit_ids(con) -> bool:
    """Whether every municipality id in the store has four digits (Kolada's do): then a value's id is
    read by a plain cast, not checked by GLOB (a fifth of the read's CPU time). The writers of values
    (the import, the sync) store only values of the municipalities the store knows."""
    table = _arrow_table(
        con, f"SELECT count(*) FROM {staging.table('store_municipality')} WHERE NOT (id GLOB '[0-9][0-9][0-9][0-9]')"
    )
    return table.column(0)[0].as_py() == 0


def _arrow_table(con, sql: str):
    import adbc_driver_manager
    import pyarrow as pa

    with adbc_driver_manager.AdbcStatement(con) as statement:
        statement.set_options(**{"adbc.sqlite.query.batch_rows": str(_ARROW_BATCH)})
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        return pa.RecordBatchReader.from_stream(stream).read_all()  # (without the GIL)


def _arrow_part(con, sql: str):
    """(KPI ids met, each row's index into them, key, value) of one query's rows, or None without rows."""
    table = _arrow_table(con, sql)
    if table.num_rows == 0:
        return None
    import pyarrow.compute as pc  # (after the read: its import takes 0.1 s, while the other part reads)

    kpi = pc.dictionary_encode(table.column(0)).combine_chunks()
    key = _numpy_of(table.column(1), np.int64)
    value = _numpy_of(table.column(2), np.float64)
    return kpi.dictionary.to_pylist(), _numpy_of(kpi.indices, np.int64), key, value


def _numpy_of(column, dtype) -> np.ndarray:
    """An Arrow column without nulls (a table's column or an array) as a numpy array of ``dtype``, over
    its data buffer. Not pyarrow's ``to_numpy``: that imports pandas where it is installed, about a
    second of the command's CPU time."""
    if hasattr(column, "combine_chunks"):
        column = column.combine_chunks()
    own = _ARROW_NUMPY.get(str(column.type))
    if own is None or column.null_count:
        raise RuntimeError(f"unexpected Arrow column: {column.type}, {column.null_count} nulls")
    width = np.dtype(own).itemsize
    data = np.frombuffer(column.buffers()[1], dtype=own, count=len(column), offset=column.offset * width)
    return data.astype(dtype, copy=False)


_ARROW_NUMPY = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "double": np.float64}
_ARROW_BATCH = 65_536  # rows per Arrow batch (the driver's default, 1,024, makes thousands of chunks)


def _codes(ids: tuple[str, ...], seen: defaultdict[str, int]) -> np.ndarray:
    """The index of each id in ``seen`` (new ids are added), looked up once per run of equal ids:
    values come in storage order, KPI by KPI."""
    objects = np.array(ids, dtype=object)
    starts = np.flatnonzero(np.concatenate(([True], objects[1:] != objects[:-1])))
    codes = np.fromiter(map(seen.__getitem__, objects[starts]), dtype=np.int64, count=starts.size)
    return np.repeat(codes, np.diff(np.append(starts, objects.size)))


@contextmanager
def _collector_paused():
    """Millions of short-lived row tuples make Python's cyclic garbage collector run again and again
    over everything alive; none of them is part of a cycle, so it pauses while they pass."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _fetch_postgresql(
    kpis: list[str] | None, years: list[int] | None, between: tuple[str | None, str | None] = (None, None)
):
    """The same arrays with no Python object per value. Many KPIs: the server groups the rows by KPI
    (a hash aggregate) and hands over four strings per KPI: the rows' municipality ids (four characters
    each), genders (one each), years (``int2send``) and values (``float8send``: the exact 8 bytes,
    big-endian), which numpy reads in place and keys as :func:`_key_sql` does. Plain columns cost the
    server a third of :func:`_fetch_postgresql_keyed`'s key computed per row (a regular expression, a
    ``CASE``) and of its join; with a few KPIs that one is cheaper for the client. (``COPY ... TO
    STDOUT`` hands Python one message per row: 6 µs each here.) A KPI with an id or a gender of another
    width (never with Kolada's ids) is read again by :func:`_fetch_postgresql_keyed`. ``between``: only
    the KPIs with ids from the first (None: the first KPI) to before the second (None: the end)."""
    if kpis is not None and len(kpis) <= _SCAN_ABOVE:
        return _fetch_postgresql_keyed(kpis, years)
    where, params = "", list[object]()
    if years is not None:
        where, params = " AND year = ANY(%s)", [years]
    for op, bound in zip((">=", "<"), between, strict=True):  # a range of KPI ids (from, to)
        if bound is not None:
            where += f" AND kpi_id {op} %s"
            params.append(bound)
    # The aggregates take the rows of a group in the same order (one pass feeds every aggregate).
    sql = (
        "SELECT kpi_id, count(*), string_agg(municipality_id, ''), string_agg(gender, ''), "
        "string_agg(int2send(year), ''), string_agg(float8send(value), '') "
        f"FROM store_value WHERE value IS NOT NULL{where}{' AND kpi_id = ANY(%s)' if kpis is not None else ''} "
        "GROUP BY kpi_id"
    )
    from psycopg import Cursor
    from psycopg.pq import TransactionStatus as psycopg_status

    met: list[str] = []
    parts = []
    odd: list[str] = []
    connection.ensure_connection()
    with Cursor(connection.connection) as cur:  # (not Django's client-side cursor: binary results)
        ((work_mem,),) = cur.execute("SELECT current_setting('work_mem')").fetchall()
        cur.execute("SELECT set_config('work_mem', '256MB', false)")  # the groups in memory, not on disk
        try:
            for kpi, n, ids, genders, year_bytes, values in cur.execute(
                sql, params if kpis is None else [*params, kpis], binary=True
            ):  # (binary: the byte strings as they are, not in hex, half the bytes to send and decode)
                decoded = _ids_and_genders(ids, genders, n)
                if decoded is None:
                    odd.append(kpi)
                    continue
                municipality, gender = decoded
                year = np.frombuffer(year_bytes, dtype=">i2").astype(np.int64)
                key = (year * 4 + gender) * _KEY_BASE + municipality
                value = np.frombuffer(values, dtype=">f8").astype(np.float64)
                parts.append((np.full(n, len(met), dtype=np.int64), key, value))
                met.append(kpi)
        finally:  # (a failed transaction restores it when it rolls back)
            if connection.connection.info.transaction_status != psycopg_status.INERROR:
                cur.execute("SELECT set_config('work_mem', %s, false)", [work_mem])
    rows = (met, *(np.concatenate(c) for c in zip(*parts, strict=True))) if parts else _NO_ROWS
    return _combine(rows, _fetch_postgresql_keyed(odd, years)) if odd else rows


def _fetch_postgresql_keyed(kpis: list[str], years: list[int] | None):
    """The arrays of :func:`_fetch_postgresql` for these KPIs: the server aggregates each KPI's keys
    (:func:`_key_sql`) and values into two byte strings (``int8send``/``float8send``). The KPI index
    is the KPI's place in ``kpis``, joined on the server."""
    connection.ensure_connection()
    where = ""
    params: list[list[str] | list[int]] = [kpis]
    if years is not None:
        where, params = " AND v.year = ANY(%s)", [kpis, years]
    # Both aggregates take the rows of a group in the same order (one pass feeds every aggregate).
    sql = (
        f"SELECT w.idx - 1, string_agg(int8send(({_key_sql()})::int8), ''), string_agg(float8send(v.value), '') "
        "FROM store_value v JOIN unnest(%s::text[]) WITH ORDINALITY AS w(id, idx) ON w.id = v.kpi_id "
        f"WHERE v.value IS NOT NULL{where} GROUP BY w.idx"
    )
    parts = []
    with connection.connection.cursor() as cur:
        cur.execute(sql, params)
        for idx, keys, values in cur:
            key = np.frombuffer(keys, dtype=">i8").astype(np.int64)
            parts.append(
                (np.full(key.size, idx, dtype=np.int64), key, np.frombuffer(values, dtype=">f8").astype(np.float64))
            )
    if not parts:
        return kpis, *_NO_ROWS[1:]
    kpi_idx, key, value = (np.concatenate(column) for column in zip(*parts, strict=True))
    return kpis, kpi_idx, key, value


def _ids_and_genders(ids: str, genders: str, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The municipality numbers and gender codes of ``n`` rows from their ids and genders, each
    string the rows' joined; None unless every id is four ASCII digits and every gender one ASCII
    character (the columns' widths hold at most four and one: as many characters as four, and one,
    a row, all ASCII, means each is of that width)."""
    if len(ids) != 4 * n or len(genders) != n or not (ids.isascii() and genders.isascii()):
        return None
    digits = np.frombuffer(ids.encode(), dtype=np.uint8).reshape(n, 4) - np.uint8(ord("0"))
    if (digits > 9).any():  # (below "0" wraps round to above 9)
        return None
    municipality = digits.astype(np.int64) @ np.array([1000, 100, 10, 1], dtype=np.int64)
    return municipality, _GENDER_OF_BYTE[np.frombuffer(genders.encode(), dtype=np.uint8)]


_GENDER_OF_BYTE = np.full(256, 3, dtype=np.int64)  # the gender code of a one-byte gender: T 0, K 1, M 2, else 3
_GENDER_OF_BYTE[[ord("T"), ord("K"), ord("M")]] = [0, 1, 2]


# --- computing ----------------------------------------------------------------------------------


@dataclass
class _Rows:
    """The ComparisonStat rows of one chunk, as aligned lists (one entry per row to write)."""

    pair: list[int]
    gender: list[str]
    direction: list[str]
    stats: list[tuple]  # (n, mean, median, min, max, sd, riket)
    positions: list[str]  # the JSON text of positions
    flagged: list[str]  # the JSON text of flagged


def _rows(pairs, data: _Values, directions: dict[str, str], settings: ComparisonSettings) -> _Rows:
    """Compare every group of the chunk with :func:`compare_table`; Riket is carried beside it.

    Values that are not comparable (:func:`core.plausibility.flag`) are taken out first and kept in
    the group's ``flagged`` map instead. A few KPI-years (a sync's or an edit's) take
    :func:`_rows_of_few`, with the same results."""
    if len(pairs) <= _FEW_PAIRS:
        return _rows_of_few(pairs, data, directions, settings)
    kommun = np.flatnonzero(data.municipality >= 100)  # four digits not starting with 00 (core's rule)
    direction_names, signs, bounds = _group_rules(pairs, directions)
    group = data.pair[kommun] * 3 + data.gender[kommun]
    codes = plausibility.flag(
        group, data.value[kommun], bounds[data.pair[kommun], 0], bounds[data.pair[kommun], 1], settings.outlier_mad
    )
    rows = np.flatnonzero(codes)
    flagged = _flagged(group[rows], data.municipality[kommun[rows]], codes[rows])
    kommun = kommun[codes == plausibility.OK]
    ids, column = _numbered(data.municipality[kommun])
    table = compare_table(
        data.pair[kommun], np.zeros(column.size, dtype=np.int64), data.gender[kommun], data.value[kommun],
        signs, settings, municipality_index=column,
    )  # fmt: skip
    group_key = (table.kpi * 3 + table.gender).tolist()
    stats_at = {k: i for i, k in enumerate(group_key)}
    stats = _stat_tuples(table.n, [getattr(table, f) for f in _STATS])
    return _assemble(stats_at, stats, _positions_json(table, column, ids), _riket(data), flagged, direction_names)


_FEW_PAIRS = 8  # KPI-years up to which _rows_of_few is the faster


def _rows_of_few(pairs, data: _Values, directions: dict[str, str], settings: ComparisonSettings) -> _Rows:
    """:func:`_rows` of a few KPI-years with the engines' grid entry points
    (:func:`core.plausibility.flag_rows`, :func:`core.comparison.compare_rows`): one row of a grid per
    group (KPI-year and gender), one column per kommun, so that none of the grouping of long arrays
    that 20,000 groups need is done. The grid :func:`compare_rows` gets has the columns that
    :func:`compare_table` gets from :func:`_rows` (the kommuner with a comparable value), so that
    every row comes out the same, bit for bit."""
    direction_names, signs, bounds = _group_rules(pairs, directions)
    kommun = np.flatnonzero(data.municipality >= 100)  # four digits not starting with 00 (core's rule)
    ids, column = _numbered(data.municipality[kommun])
    cells = data.pair[kommun] * 3
    cells += data.gender[kommun]
    present = np.bincount(cells, minlength=3 * len(pairs)) > 0  # groups with kommun values, flagged or not
    cells *= ids.size
    cells += column
    require_one_value_per_cell(cells)
    grid = np.full((3 * len(pairs), ids.size), np.nan)
    grid.reshape(-1)[cells] = data.value[kommun]
    codes = plausibility.flag_rows(grid, bounds[:, 0].repeat(3), bounds[:, 1].repeat(3), settings.outlier_mad)
    at_group, at_column = np.nonzero(codes)
    flagged = _flagged(at_group, ids[at_column], codes[at_group, at_column])
    if flagged:
        grid[at_group, at_column] = np.nan
        comparable = (grid == grid).any(axis=0)  # the kommuner left with a value
        grid, ids = grid[:, comparable], ids[comparable]
    stat_rows, packed = compare_rows(grid, signs.repeat(3), settings)
    n = stat_rows[0].astype(np.int64)
    compared = np.flatnonzero(n).tolist()
    stats_at = {g: i for i, g in enumerate(compared)}
    stats = _stat_tuples(n[compared], stat_rows[1:, compared])
    at_group, at_column = np.nonzero(grid == grid)  # row by row, each by municipality id
    json_of = _json_texts(packed[at_group, at_column], ids[at_column], n[compared])
    riket = _riket(data)
    keys = set(np.flatnonzero(present).tolist()) | riket.keys()
    return _assemble(stats_at, stats, json_of, riket, flagged, direction_names, keys)


def _group_rules(pairs, directions: dict[str, str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each pair's direction (its name and its code) and the bounds its unit allows (lower, upper)."""
    direction_names = [directions.get(k, "none") for k, _ in pairs]
    signs = np.array([DIRECTION_CODES.get(d, 0) for d in direction_names], dtype=np.int64)
    bounds = np.array([plausibility.unit_bounds(u) for u in _units([k for k, _ in pairs])]).reshape(-1, 2)
    return direction_names, signs, bounds


def _flagged(groups: np.ndarray, municipalities: np.ndarray, codes: np.ndarray) -> defaultdict[int, dict[str, str]]:
    """The ``flagged`` map of each group (pair * 3 + gender) from its flagged values' municipality
    numbers and codes: ``{"<id>": code name}``."""
    flagged: defaultdict[int, dict[str, str]] = defaultdict(dict)
    for g, m, code in zip(groups.tolist(), municipalities.tolist(), codes.tolist(), strict=True):
        flagged[g][f"{m:04d}"] = plausibility.CODE_NAMES[code] or ""
    return flagged


def _stat_tuples(n: np.ndarray, columns) -> list[tuple]:
    """(n, mean, median, min, max, sd) of each group, NaN as None, from n and the five statistics' columns."""
    return list(zip(n.tolist(), *([_none(x) for x in column.tolist()] for column in columns), strict=True))


def _riket(data: _Values) -> dict[int, float]:
    """Riket's value of each group (pair * 3 + gender) that has one."""
    riket = data.municipality == 0
    return dict(zip((data.pair[riket] * 3 + data.gender[riket]).tolist(), data.value[riket].tolist(), strict=True))


def _assemble(stats_at: dict[int, int], stats: list[tuple], json_of: list[str], riket: dict[int, float],
              flagged: dict[int, dict[str, str]], direction_names: list[str], keys=None) -> _Rows:  # fmt: skip
    """The rows of the groups (pair * 3 + gender) with comparable kommun values (``stats_at``: the
    index of their ``stats`` and ``json_of``), flagged ones or Riket's, or of ``keys``, in order."""
    out = _Rows([], [], [], [], [], [])
    for key in sorted(keys if keys is not None else stats_at.keys() | riket.keys() | flagged.keys()):
        pair, g = divmod(key, 3)
        i = stats_at.get(key)
        out.pair.append(pair)
        out.gender.append(GENDERS[g])
        out.direction.append(direction_names[pair])
        out.stats.append((*(stats[i] if i is not None else _EMPTY), riket.get(key)))
        out.positions.append(json_of[i] if i is not None else "{}")
        out.flagged.append(json.dumps(flagged[key], sort_keys=True) if key in flagged else "{}")
    return out


def _numbered(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(numbers, return_inverse=True)`` of small integers >= 0 (four-digit ids, packed
    position codes) by a lookup table (no sort); a few already in order (one KPI-year's ids, read in
    the unique index's order) by their runs."""
    if 0 < numbers.size <= 4096 and (numbers[1:] >= numbers[:-1]).all():
        new = np.empty(numbers.size, dtype=bool)
        new[0] = True
        np.not_equal(numbers[1:], numbers[:-1], out=new[1:])
        return numbers[new], np.cumsum(new) - 1
    top = int(numbers.max(initial=0))
    if top >= max(10_000, 4 * numbers.size):  # a sparse table: the sort is cheaper
        return np.unique(numbers, return_inverse=True)
    present = np.zeros(max(10_000, top + 1), dtype=bool)
    present[numbers] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[numbers]


def _group_column_order(group: np.ndarray, column: np.ndarray) -> np.ndarray:
    """``np.lexsort((column, group))`` where each (group, column) occurs once (a municipality once per
    group), by a lookup table over the grid of groups and columns instead of a sort of every row."""
    if group.size < 1 << 16:  # a few KPI-years: the sort is cheaper than the table's numpy calls
        return np.lexsort((column, group))
    width = int(column.max()) + 1
    cells = int(group.max()) * width + width
    if cells > 4 * group.size + 4096:  # a sparse grid: the sort is cheaper
        return np.lexsort((column, group))
    slot = np.full(cells, -1, dtype=np.int64)
    slot[group * width + column] = np.arange(group.size)
    return slot[slot >= 0]


@functools.lru_cache(maxsize=1)
def _measure_set_units() -> dict[str, str]:
    """The unit a shipped measure set gives each of its KPIs (the first set that names it)."""
    out: dict[str, str] = {}
    for ms in measure_sets():
        for area in ms.areas:
            for m in area.measures:
                out.setdefault(m.kpi, m.unit)
    return out


def _units(kpis: list[str]) -> list[str]:
    """Each KPI's unit for the plausibility bounds: a measure set's (checked by hand). Other KPIs get
    no bounds (their unit, read from a title, is not sure enough: "antal" may fall, "kr" may be a
    deficit), only the outlier rule."""
    units = _measure_set_units()
    return [units.get(k, "") for k in kpis]


_STATS = ("mean", "median", "min", "max", "sd")
_EMPTY = (0, None, None, None, None, None)


def _none(x: float) -> float | None:
    return None if x != x else x


def _positions_json(table: TableComparison, column: np.ndarray, ids: np.ndarray) -> list[str]:
    """Each group's ``positions`` as JSON text, ``{"<id>": packed code, ...}`` (see
    :class:`ComparisonStat`), ordered by municipality id.

    The text of 4 M cells is joined from a few thousand distinct pieces (one per municipality and one
    per distinct code) rather than built by ``json.dumps`` of 20,000 dicts of 290 numbers: a
    group's text is one ``join`` of its pieces (key, code, key, code, ...), with the comma in each
    key but the first, the brace in the first key and in the last code, so that no cell is a string
    of its own (concatenating 4 M pieces cost a third of the time)."""
    code = pack_codes(table.rank, table.band, table.position, table.reading)
    order = _group_column_order(table.row_group, column)
    return _json_texts(code[order], ids[column[order]], np.bincount(table.row_group, minlength=table.n.size))


def _json_texts(code: np.ndarray, municipality: np.ndarray, counts: np.ndarray) -> list[str]:
    """The ``positions`` text of groups from their cells (packed code, municipality id as a number),
    group by group and in each by municipality id; ``counts``: each group's cells (at least one)."""
    if code.size > 4096:
        distinct, which = _numbered(code)  # np.unique(code, return_inverse=True), no sort
        code_text = np.array(list(map(str, distinct.tolist())), dtype=object)[which]
    else:  # one KPI-year: the codes are nearly all distinct (so are the ranks)
        code_text = list(map(str, code.tolist()))
    ends = np.cumsum(counts)
    first, last = ends - counts, ends - 1
    pieces = np.empty(2 * code.size, dtype=object)
    pieces[0::2] = _KEY_TEXT[municipality]
    pieces[2 * first] = _FIRST_KEY_TEXT[municipality[first]]
    pieces[1::2] = code_text
    pieces[2 * last + 1] += "}"
    parts = pieces.tolist()
    return ["".join(parts[2 * a : 2 * b]) for a, b in zip(first.tolist(), ends.tolist(), strict=True)]


# The JSON key of each four-digit id, after a comma and, for a group's first cell, after the brace.
_KEY_TEXT = np.array([f',"{m:04d}":' for m in range(10_000)], dtype=object)
_FIRST_KEY_TEXT = np.array([f'{{"{m:04d}":' for m in range(10_000)], dtype=object)


# --- writing ------------------------------------------------------------------------------------

_INSERT_COLUMNS = (
    "kpi_id, year, gender, direction, n, mean, median, min, max, sd, riket, positions, flagged, computed_at"
)


def _write(pairs: list[tuple[str, int]], rows: _Rows) -> int:
    """Replace the chunk's ComparisonStat rows: one bulk delete, one bulk insert."""
    records = _records(pairs, rows)
    if connection.vendor == "postgresql":
        _write_postgresql(pairs, records)
    else:
        _write_sqlite(pairs, records)
    return len(records)


def _records(pairs: list[tuple[str, int]], rows: _Rows) -> list[tuple]:
    """The chunk's rows as tuples of :data:`_INSERT_COLUMNS`."""
    now = timezone.now()
    return [
        (pairs[p][0], pairs[p][1], g, d, *stats, positions, flagged, now)
        for p, g, d, stats, positions, flagged in zip(rows.pair, rows.gender, rows.direction, rows.stats,
                                                      rows.positions, rows.flagged, strict=True)
    ]  # fmt: skip


def _write_sqlite(pairs, records) -> None:
    """On Python's sqlite3 connection itself: Django's cursor wrapper took half of a KPI-year's write."""
    stamp = connection.ops.adapt_datetimefield_value(records[0][-1]) if records else None
    table = staging.table("store_comparisonstat")
    marks = ", ".join(["?"] * 14)
    connection.ensure_connection()
    with connection.wrap_database_errors:  # Django's exceptions, as through its cursor (web.busy)
        raw = connection.connection
        raw.executemany(f"DELETE FROM {table} WHERE kpi_id = ? AND year = ?", pairs)
        raw.executemany(
            f"INSERT INTO {table} ({_INSERT_COLUMNS}) VALUES ({marks})", [(*r[:-1], stamp) for r in records]
        )


def _write_postgresql(pairs, records) -> None:
    raw = connection.connection
    with raw.cursor() as cur:
        _delete_postgresql(cur, pairs)
        if records:
            with cur.copy(f"COPY store_comparisonstat ({_INSERT_COLUMNS}) FROM STDIN") as copy:
                copy.write(_copy_bytes(records))


def _write_postgresql_all(delete, chunks: Iterable[tuple[list[tuple[str, int]], _Rows]], queued: bool) -> int:
    """Replace rows in one transaction (readers see the old rows until it commits): ``delete(cursor)``,
    then one COPY fed with each chunk (its KPI-years and their rows). With ``queued`` (more than one
    chunk), a thread hands each chunk's text to the server while this one computes the next, so that
    the server's work (parsing the positions into ``jsonb``, compressing them, the indexes) runs beside
    the client's on a second core instead of after it."""
    from psycopg.copy import QueuedLibpqWriter

    written = 0
    with transaction.atomic():
        with connection.connection.cursor() as cur:
            delete(cur)
            sql = f"COPY store_comparisonstat ({_INSERT_COLUMNS}) FROM STDIN"
            with cur.copy(sql, writer=QueuedLibpqWriter(cur) if queued else None) as copy:
                for pairs, rows in chunks:
                    records = _records(pairs, rows)
                    if records:
                        copy.write(memoryview(_copy_bytes(records)))  # (sliced by the writer, not copied)
                    written += len(records)
        dataversion.advance(dataversion.DATA)  # the pages and charts of these KPI-years change now
    return written


def _delete_every_row(cur) -> None:
    cur.execute("DELETE FROM store_comparisonstat")


def _delete_postgresql(cur, pairs) -> None:
    cur.execute(
        "DELETE FROM store_comparisonstat s USING unnest(%s::text[], %s::int[]) AS w(kpi, year) "
        "WHERE s.kpi_id = w.kpi AND s.year = w.year",
        ([k for k, _ in pairs], [y for _, y in pairs]),
    )


def _copy_bytes(records) -> bytes:
    """Records in COPY's text format (psycopg's write_row escapes 130 MB of JSON in Python)."""
    lines = ["\t".join(_copy_text(x) for x in record) for record in records]
    return ("\n".join(lines) + "\n").encode()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(x) -> str:
    """A field in COPY's text format: None is \\N; floats in their exact shortest form."""
    if x is None:
        return "\\N"
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, datetime.datetime):
        return x.isoformat()
    return str(x).translate(_COPY_ESCAPES)


# --- reading -------------------------------------------------------------------------------------------


def position_sql(column: str, municipality_id: str, vendor: str | None = None) -> tuple[str, str]:
    """SQL for one kommun's entry of a ``positions`` column, its packed code (a number or its text:
    :func:`core.comparison.unpack_position`; NULL without one), and its parameter. The database takes the entry out: decoding every kommun's
    entry in Python was ten times slower. (Django's key lookup would read a key of digits such as "1463"
    as an array index, hence SQL.) ``vendor``: the database's (default: the default connection's)."""
    if (vendor or connection.vendor) == "postgresql":
        return f"({column} ->> %s)", municipality_id
    return f"json_extract({column}, %s)", f'$."{municipality_id}"'
