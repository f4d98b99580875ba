"""Sync from the Kolada API v3 into the store: a service object; ``kommunkvalitet sync`` wraps it.

What a run does:

1. Metadata: the municipality list (one request; municipalities missing from the store are added, so a
   fresh database works) and, for requested KPIs the store does not know, their KPI metadata (created).
2. Values: for each chunk of at most 25 KPIs and 25 years, one paginated request series
   (``KoladaClient.values``), held in memory (at most 25 KPIs x 25 years) and then written with
   :func:`~kommunkvalitet.store.values.write_values` -- the same path as the snapshot import -- in
   **short transactions of whole KPI-years**: a year of the chunk is written a few KPIs at a time, as
   many as keep a transaction near :data:`~kommunkvalitet.store.staging.TARGET` seconds (a
   :class:`~kommunkvalitet.store.staging.Pacer` learns the rate), with a pause after each, so that a web
   save waiting for SQLite's write lock (at most 1 s, ``web.busy``) gets it between two of them. The
   longest transaction is in the result and the ledger (``longest_transaction``). A fetch that fails
   writes nothing; a failure stops the run and leaves every earlier transaction committed whole.
3. With ``since`` (Kolada's ``from_date``) only rows changed since then come back, and rows Kolada marks
   ``isdeleted`` are removed from the store.

Resumable: each committed KPI-year is recorded in the sync ledger (:mod:`kommunkvalitet.store.ledger`)
*in the same transaction* as its values, with its counts. A run is marked ``ok`` only when everything is
done. A new run of the same plan (KPIs, years, since) within :data:`RESUME_WITHIN` of an unfinished one
continues it and skips the KPI-years already committed; redoing one would be harmless anyway (the write
is idempotent). Values for municipality ids the store does not know (e.g. group ids) are skipped and
counted as rejected. What Kolada did not have (a KPI it does not know, a KPI without values) comes back
as :class:`SyncNote` records in the result and the ledger, not as warnings.

:func:`sync_lock` makes concurrent runs impossible: an exclusive lock on a lock file in the data dir
(the ``filelock`` library: ``flock`` on POSIX, ``LockFileEx`` on Windows), and on PostgreSQL also a
session advisory lock (for several machines sharing one database).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.sources.kolada import MAX_SEGMENT, KoladaClient, chunked, minimum_requests
from kommunkvalitet.sources.snapshot import GENDERS, ValueRow
from kommunkvalitet.store import dataversion, ledger, staging
from kommunkvalitet.store.comparison import recompute
from kommunkvalitet.store.importing import kpi_fields
from kommunkvalitet.store.joblock import EXIT_LOCKED, LOCK_FILE, PG_LOCK_KEY, SyncLocked, lock_is_held, sync_lock
from kommunkvalitet.store.ledger import RESUME_WITHIN
from kommunkvalitet.store.models import KPI, Municipality, SyncRun, Value
from kommunkvalitet.store.values import WriteCounts, delete_values, is_change, write_values

__all__ = [
    "EXIT_LOCKED",
    "LOCK_FILE",
    "PG_LOCK_KEY",
    "RESUME_WITHIN",
    "Change",
    "KoladaSync",
    "SyncLocked",
    "SyncNote",
    "SyncResult",
    "lock_is_held",
    "sync_lock",
]  # the lock's names live in store.joblock

FIRST_YEAR = 2015
FIRST_WRITE_KPIS = 4  # KPIs in a run's first value transaction (about 3,500 rows); then sized by staging.TARGET


def default_years() -> tuple[int, int]:
    return FIRST_YEAR, date.today().year


@dataclass(frozen=True)
class Change:
    """A value Kolada has revised: what the store had and what it has now."""

    kpi: str
    municipality_id: str
    year: int
    gender: str
    old: float | None
    new: float | None
    old_status: str = ""
    new_status: str = ""

    def __str__(self) -> str:
        def show(value: float | None, status: str) -> str:
            text = "–" if value is None else f"{value:g}"
            return f"{text} ({status})" if status else text

        return (
            f"{self.kpi} {self.municipality_id} {self.year} {self.gender}: "
            f"{show(self.old, self.old_status)} → {show(self.new, self.new_status)}"
        )


@dataclass(frozen=True)
class SyncNote:
    """Something a run could not do that is not an error: ``kind`` is ``unknown_kpi`` (Kolada does not
    know the KPI; skipped), ``no_values`` (Kolada has no values for it in the years asked) or ``kolada``
    (anything else Kolada did not have)."""

    kind: str
    ids: tuple[str, ...]
    text: str

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ids": list(self.ids), "text": self.text}


@dataclass
class UnitResult:
    """One transaction: some KPIs of a chunk, for one year."""

    kpis: tuple[str, ...]
    year: int
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    seconds: float = 0.0  # how long its transaction held the write lock


@dataclass
class SyncResult:
    plan: str
    kpis: list[str]
    years: list[int]
    since: str | None = None
    run_id: int | None = None  # the ledger's SyncRun
    resumed: bool = False
    units: list[UnitResult] = field(default_factory=list)
    skipped_kpi_years: int = 0  # committed by the interrupted run this one resumed
    kpis_created: list[str] = field(default_factory=list)
    municipalities_created: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # the first ``max_changes`` revised values
    rejected_ids: Counter[str] = field(default_factory=Counter)  # unknown municipality/KPI id -> rows
    notes: list[SyncNote] = field(default_factory=list)
    requests: int = 0  # all HTTP requests, retries included
    data_requests: int = 0  # those for values
    minimum_requests: int = 0  # the least data requests the 25-item limit allows
    error: str | None = None

    @property
    def longest_transaction(self) -> float | None:
        """Seconds: the longest value transaction of this attempt (what a web save waited at most)."""
        return max((u.seconds for u in self.units), default=None)

    def total(self, name: str) -> int:
        return sum(getattr(u, name) for u in self.units)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def nothing_changed(self) -> bool:
        return not (self.total("added") or self.total("changed") or self.total("deleted") or self.kpis_created)


def client_from_settings() -> KoladaClient:
    """The Kolada client the settings ask for: ``KOLADA_BASE_URL``, ``KOLADA_REQUESTS_PER_SECOND``."""
    from kommunkvalitet import config

    try:
        rate = float(config.get("KOLADA_REQUESTS_PER_SECOND") or 5)
    except ValueError:
        raise KommunkvalitetError("KOLADA_REQUESTS_PER_SECOND must be a number") from None
    return KoladaClient(base_url=config.get("KOLADA_BASE_URL") or "", rate_per_second=rate)


def plan_key(kpis: Iterable[str], years: Iterable[int], since: str | None) -> str:
    """A short stable id of what a run asks for: runs with the same key can resume each other."""
    text = json.dumps([sorted(set(kpis)), sorted(set(years)), since])
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


class KoladaSync:
    """Bring the store up to date with Kolada for ``kpis`` and ``years``.

    ``client`` is a :class:`KoladaClient` (tests pass one with a fake sleep and a loopback base URL).
    ``progress`` is like the snapshot import's: called once with a label, it returns a callable that
    is given the number of values received (or None). ``kpis_per_request`` and ``years_per_request``
    (at most 25) set the size of a fetch; smaller values mean more requests and finer resumption.
    """

    def __init__(
        self,
        client: KoladaClient,
        *,
        kpis: Iterable[str],
        years: Iterable[int],
        since: str | date | None = None,
        resume: bool = True,
        max_changes: int = 50,
        kpis_per_request: int = MAX_SEGMENT,
        years_per_request: int = MAX_SEGMENT,
        progress: Callable[[str], Callable[[int], None] | None] | None = None,
    ):
        self.client = client
        self.kpis = list(dict.fromkeys(str(k).strip() for k in kpis))
        self.years = sorted({int(y) for y in years})
        if not self.kpis:
            raise KommunkvalitetError("no KPIs to sync")
        if not self.years:
            raise KommunkvalitetError("no years to sync")
        if isinstance(since, date):
            since = since.isoformat()
        if since is not None:
            date.fromisoformat(since)  # ValueError for a bad date, before anything is fetched
        self.since = since
        self.resume = resume
        self.max_changes = max_changes
        if not (1 <= kpis_per_request <= MAX_SEGMENT and 1 <= years_per_request <= MAX_SEGMENT):
            raise ValueError(f"kpis_per_request and years_per_request must be between 1 and {MAX_SEGMENT}")
        self.kpis_per_request = kpis_per_request
        self.years_per_request = years_per_request
        self.progress = progress
        self.plan = plan_key(self.kpis, self.years, self.since)
        self._tick: Callable[[int], None] | None = None
        self._known_kpis: set[str] = set()
        self._known_munis: set[str] = set()

    # -------------------------------------------------------------------------------------- run

    def run(self) -> SyncResult:
        """Sync; errors from Kolada or the data stop the run and are returned in ``result.error``."""
        result = SyncResult(plan=self.plan, kpis=self.kpis, years=self.years, since=self.since)
        requests_before = self.client.request_count
        self.client.take_notes()  # only this run's notes
        run, done = ledger.begin(self.plan, self.kpis, self.years, self.since, resume=self.resume)
        result.run_id, result.resumed, result.skipped_kpi_years = run.pk, run.attempts > 1, len(done)
        try:
            self._metadata(result)
            self._tick = self.progress("Kolada") if self.progress else None
            self._values(result, done, run)
        except KommunkvalitetError as err:
            result.error = str(err)
        except BaseException as err:  # a bug or an interrupt: note it in the ledger, then let it through
            with suppress(Exception):  # the database may be what failed; the first error is the one to see
                ledger.interrupted(run, f"stopped: {type(err).__name__}: {err}")
            raise
        finally:
            result.requests = self.client.request_count - requests_before
        ledger.finish(
            run,
            error=result.error,
            requests=result.requests,
            notes=[n.as_dict() for n in result.notes],
            longest=result.longest_transaction,
        )
        return result

    # -------------------------------------------------------------------------------------- metadata

    def _metadata(self, result: SyncResult) -> None:
        munis = self.client.municipalities()
        known = set(Municipality.objects.values_list("id", flat=True))
        new = [m for m in munis if m.id not in known and len(m.id) == 4 and m.id.isdigit()]
        if new:
            ids = known | {m.id for m in new}
            objs = []
            for m in sorted(new, key=lambda m: (m.type != "L", m.id)):  # regions before their kommuner
                kind = "national" if m.id == "0000" else "kommun" if m.type == "K" else "region"
                county = "00" + m.id[:2] if kind == "kommun" and "00" + m.id[:2] in ids else None
                objs.append(Municipality(id=m.id, name=m.title, type=kind, county_id=county))
            with transaction.atomic():
                Municipality.objects.bulk_create(objs, ignore_conflicts=True)
                dataversion.advance(dataversion.DATA)
            result.municipalities_created = [m.id for m in objs]
        self._known_munis = known | set(result.municipalities_created)

        known_kpis = set(KPI.objects.filter(pk__in=self.kpis).values_list("id", flat=True))
        unknown = [k for k in self.kpis if k not in known_kpis]
        if unknown:
            records = [r for r in self.client.kpis(unknown) if r.id in unknown]
            with transaction.atomic():
                KPI.objects.bulk_create(
                    [KPI(id=r.id, **kpi_fields(r, retired=False)) for r in records], ignore_conflicts=True
                )
                from kommunkvalitet.store.measuresets import apply_directions

                apply_directions()
                dataversion.advance(dataversion.DATA)
            result.kpis_created = [r.id for r in records]
            missing = [k for k in unknown if k not in set(result.kpis_created)]
            if missing:
                text = f"Kolada känner inte till KPI {', '.join(missing)}; hoppas över"
                result.notes.append(SyncNote("unknown_kpi", tuple(missing), text))
        self._known_kpis = known_kpis | set(result.kpis_created)
        for note in self.client.take_notes():  # the unknown KPIs are noted above, in the sync's words
            if not (note.kind == "unknown_ids" and note.endpoint == "kpi"):
                result.notes.append(SyncNote("kolada", note.ids, note.message))

    # -------------------------------------------------------------------------------------- values

    def _values(self, result: SyncResult, done: set[tuple[str, int]], run: SyncRun) -> None:
        kpis = [k for k in self.kpis if k in self._known_kpis]
        result.minimum_requests = minimum_requests(len(kpis), len(self.years))
        pacer = staging.Pacer(FIRST_WRITE_KPIS)
        for k_chunk in chunked(kpis, self.kpis_per_request):
            for y_chunk in chunked(self.years, self.years_per_request):
                years = [y for y in y_chunk if any((k, y) not in done for k in k_chunk)]
                if not years:
                    continue
                need = [k for k in k_chunk if any((k, y) not in done for y in years)]
                before = self.client.request_count
                try:
                    rows, deleted = self._fetch(need, years, result)
                finally:
                    result.data_requests += self.client.request_count - before
                for year in years:
                    todo = [k for k in need if (k, year) not in done]
                    by_kpi: dict[str, dict[tuple[str, str, int, str], ValueRow]] = defaultdict(dict)
                    for key, row in rows[year].items():
                        by_kpi[key[0]][key] = row
                    for part in staging.Stage.parts(todo, pacer):
                        part_rows = {key: row for k in part for key, row in by_kpi[k].items()}
                        unit = self._write_unit(list(part), year, part_rows, deleted[year], result, run)
                        result.units.append(unit)
                        pacer.took(unit.seconds, len(part))
                        staging.give_way()  # the lock is free: a web save waiting for it gets it now

    def _fetch(
        self, kpis: list[str], years: list[int], result: SyncResult
    ) -> tuple[dict[int, dict[tuple[str, str, int, str], ValueRow]], dict[int, set[tuple[str, str, int, str]]]]:
        """All rows of ``kpis`` x ``years`` by year (the last row for a key wins), and deleted keys."""
        wanted = set(years)
        rows: dict[int, dict[tuple[str, str, int, str], ValueRow]] = defaultdict(dict)
        deleted: dict[int, set[tuple[str, str, int, str]]] = defaultdict(set)
        n = 0
        for rec in self.client.values(kpis, years=years, from_date=self.since):
            if rec.year not in wanted:
                continue
            key = (rec.kpi, rec.municipality_id, rec.year, rec.gender)
            if rec.is_deleted:
                deleted[rec.year].add(key)
            else:
                rows[rec.year][key] = (*key, rec.value, rec.status, rec.count)
            n += 1
            if self._tick and n % 1000 == 0:
                self._tick(1000)
        if self._tick:
            self._tick(n % 1000)
        for note in self.client.take_notes():
            if note.kind == "no_values":
                if self.since is None:  # with since, no rows for a KPI is normal
                    text = (
                        f"Kolada har inga värden för {', '.join(note.ids)} år {_span(years)}; id:t kan vara "
                        "felstavat eller utgånget, eller så finns inga data ännu"
                    )
                    result.notes.append(SyncNote("no_values", note.ids, text))
            else:
                result.notes.append(SyncNote("kolada", note.ids, note.message))
        return rows, deleted

    def _write_unit(
        self,
        kpis: list[str],
        year: int,
        rows: dict[tuple[str, str, int, str], ValueRow],
        deleted: set[tuple[str, str, int, str]],
        result: SyncResult,
        run: SyncRun,
    ) -> UnitResult:
        unit = UnitResult(tuple(kpis), year)
        wanted = set(kpis)
        started = time.perf_counter()
        with transaction.atomic():
            existing = {
                (k, m, y, g): (v, s)
                for k, m, y, g, v, s in Value.objects.filter(kpi_id__in=kpis, year=year).values_list(
                    "kpi_id", "municipality_id", "year", "gender", "value", "status"
                )
            }
            good: list[ValueRow] = []
            rows_by: Counter[tuple[str, int]] = Counter()
            rejected_by: Counter[tuple[str, int]] = Counter()
            for key, row in rows.items():
                kpi, muni, _, gender = key
                if kpi not in wanted:  # committed by the run this one resumes
                    continue
                if muni not in self._known_munis or kpi not in self._known_kpis or gender not in GENDERS:
                    rejected_by[(kpi, year)] += 1
                    result.rejected_ids[muni if muni not in self._known_munis else kpi] += 1
                    continue
                good.append(row)
                rows_by[(kpi, year)] += 1
                old = existing.get(key)
                if old is not None and len(result.changes) < self.max_changes and is_change(*old, row[4], row[5]):
                    result.changes.append(Change(*key, old[0], row[4], old[1], row[5]))
            label = f"Kolada {', '.join(kpis)} {year}"
            counts = write_values([good], label=label, by_kpi_year=True) if good else WriteCounts()
            gone = sorted(k for k in deleted if k not in rows and k in existing and k[0] in wanted)
            deleted_by = delete_values(gone)
            recompute(counts.touched | set(deleted_by))  # in the unit's transaction
            per_kpi = []
            for kpi in kpis:
                ky = (kpi, year)
                added, changed = counts.added_by[ky], counts.changed_by[ky]
                c = {
                    "added": added,
                    "changed": changed,
                    "unchanged": rows_by[ky] - added - changed,
                    "deleted": deleted_by[ky],
                    "rejected": rejected_by[ky],
                }
                per_kpi.append((ky, c))
                for name, n in c.items():
                    setattr(unit, name, getattr(unit, name) + n)
            ledger.record(run, per_kpi)  # in the same transaction as the values
        unit.seconds = time.perf_counter() - started
        return unit
