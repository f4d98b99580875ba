"""Sync from the Kolada API v3 into the store: a service object; ``kommunkvalitet sync`` wraps it.

What a run does:

1. Metadata: the municipality list (one request; municipalities missing from the store are added, so a
   fresh database works) and, for requested KPIs the store does not know, their KPI metadata (created).
2. Values: for each chunk of at most 25 KPIs and 25 years, one paginated request series
   (``KoladaClient.values``), held in memory (at most 25 KPIs x 25 years) and then written with
   :func:`~kommunkvalitet.store.values.write_values` -- the same path as the snapshot import -- in
   **one transaction per (KPI chunk, year)**. A fetch that fails writes nothing; a failure stops the run
   and leaves every earlier (KPI chunk, year) committed whole.
3. With ``since`` (Kolada's ``from_date``) only rows changed since then come back, and rows Kolada marks
   ``isdeleted`` are removed from the store.

Resumable: each committed (KPI chunk, year) is recorded in :class:`ImportLog` *in the same transaction*
as its values. The run itself has a log row that is marked ``ok`` only when everything is done. A new
run of the same plan (KPIs, years, since) within :data:`RESUME_WITHIN` of an unfinished one continues it
and skips the KPI-years already committed; redoing one would be harmless anyway (the write is
idempotent). Values for municipality ids the store does not know (e.g. group ids) are skipped and
counted as rejected.

:func:`sync_lock` makes concurrent runs impossible: an exclusive ``flock`` on a lock file in the data
dir, and on PostgreSQL also a session advisory lock (for several machines sharing one database).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.sources.kolada import MAX_SEGMENT, KoladaClient, KoladaWarning, chunked, minimum_requests
from kommunkvalitet.sources.snapshot import GENDERS, ValueRow
from kommunkvalitet.store.comparison import recompute
from kommunkvalitet.store.importing import kpi_fields
from kommunkvalitet.store.models import KPI, ImportLog, Municipality, Value
from kommunkvalitet.store.values import WriteCounts, delete_values, write_values

SOURCE = "kolada"
FIRST_YEAR = 2015
RESUME_WITHIN = timedelta(hours=24)
LOCK_FILE = "sync.lock"
PG_LOCK_KEY = 0x6B6B53594E43  # "kkSYNC": the advisory lock key on PostgreSQL
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the lock; try again later


class SyncLocked(KommunkvalitetError):
    """Another sync is running."""


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


@dataclass
class UnitResult:
    """One transaction: a chunk of KPIs for one year."""

    kpis: tuple[str, ...]
    year: int
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0


@dataclass
class SyncResult:
    plan: str
    kpis: list[str]
    years: list[int]
    since: str | None = None
    resumed: bool = False
    units: list[UnitResult] = field(default_factory=list)
    skipped_kpi_years: int = 0  # committed by the interrupted run this one resumed
    kpis_created: list[str] = field(default_factory=list)
    municipalities_created: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # the first ``max_changes`` revised values
    rejected_ids: Counter = field(default_factory=Counter)  # unknown municipality/KPI id -> rows
    notes: list[str] = field(default_factory=list)
    requests: int = 0  # all HTTP requests, retries included
    data_requests: int = 0  # those for values
    minimum_requests: int = 0  # the least data requests the 25-item limit allows
    error: str | None = None

    def total(self, name: str) -> int:
        return sum(getattr(u, name) for u in self.units)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def nothing_changed(self) -> bool:
        return not (self.total("added") or self.total("changed") or self.total("deleted") or self.kpis_created)


def plan_key(kpis: Iterable[str], years: Iterable[int], since: str | None) -> str:
    """A short stable id of what a run asks for: runs with the same key can resume each other."""
    text = json.dumps([sorted(set(kpis)), sorted(set(years)), since])
    return hashlib.sha1(text.encode()).hexdigest()[:12]


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
        run_log, done = self._begin(result)
        try:
            self._metadata(result)
            self._tick = self.progress("Kolada") if self.progress else None
            self._values(result, done, run_log)
        except KommunkvalitetError as err:
            result.error = str(err)
        except BaseException as err:  # a bug or an interrupt: note it in the log, then let it through
            run_log.message = f"{run_log.message}\nstopped: {type(err).__name__}: {err}".strip()
            run_log.save(update_fields=["message"])
            raise
        finally:
            result.requests = self.client.request_count - requests_before
        self._finish(result, run_log)
        return result

    def _begin(self, result: SyncResult) -> tuple[ImportLog, set[tuple[str, int]]]:
        """The run's log row: an unfinished recent one of the same plan (resume), or a new one."""
        now = timezone.now()
        name = f"sync {self.plan} run"
        last = ImportLog.objects.filter(source=SOURCE, file=name).order_by("-started_at").first()
        if last is not None and not last.ok and last.finished_at is None:
            if self.resume and now - last.started_at < RESUME_WITHIN:
                result.resumed = True
                done = self._done_units(last)
                result.skipped_kpi_years = len(done)
                return last, done
            last.finished_at = now
            last.message = f"{last.message}\nabandoned: a later run started over".strip()
            last.save(update_fields=["finished_at", "message"])
        years = f"{self.years[0]}-{self.years[-1]}" if len(self.years) > 1 else str(self.years[0])
        message = f"kpis {','.join(self.kpis)}; years {years}" + (f"; since {self.since}" if self.since else "")
        return ImportLog.objects.create(source=SOURCE, file=name, started_at=now, ok=False, message=message), set()

    def _done_units(self, run_log: ImportLog) -> set[tuple[str, int]]:
        done: set[tuple[str, int]] = set()
        units = ImportLog.objects.filter(
            source=SOURCE, file__startswith=f"sync {self.plan} unit ", started_at__gte=run_log.started_at, ok=True
        )
        for file, message in units.values_list("file", "message"):
            year = int(file.rsplit(" ", 1)[1])
            kpis = message.split("\n", 1)[0].removeprefix("kpis ").split(",")
            done.update((k, year) for k in kpis if k in self.kpis and year in self.years)
        return done

    def _finish(self, result: SyncResult, run_log: ImportLog) -> None:
        for name in ("added", "changed", "unchanged", "deleted", "rejected"):
            setattr(run_log, name, getattr(run_log, name) + result.total(name))
        if result.ok:
            run_log.ok = True
            run_log.finished_at = timezone.now()
            # Keep the per-unit rows that record something; the run row has the totals.
            ImportLog.objects.filter(
                source=SOURCE,
                file__startswith=f"sync {self.plan} unit ",
                started_at__gte=run_log.started_at,
                added=0,
                changed=0,
                deleted=0,
                rejected=0,
            ).delete()
        else:
            run_log.message = f"{run_log.message}\nfailed: {result.error}".strip()
        run_log.save()

    # -------------------------------------------------------------------------------------- metadata

    def _metadata(self, result: SyncResult) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", KoladaWarning)
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
                result.kpis_created = [r.id for r in records]
                missing = [k for k in unknown if k not in set(result.kpis_created)]
                if missing:
                    result.notes.append(f"Kolada känner inte till KPI {', '.join(missing)}; hoppas över")
            self._known_kpis = known_kpis | set(result.kpis_created)
        result.notes.extend(str(w.message) for w in caught if not str(w.message).startswith("Kolada /kpi "))

    # -------------------------------------------------------------------------------------- values

    def _values(self, result: SyncResult, done: set[tuple[str, int]], run_log: ImportLog) -> None:
        kpis = [k for k in self.kpis if k in self._known_kpis]
        result.minimum_requests = minimum_requests(len(kpis), len(self.years))
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
                    result.units.append(self._write_unit(need, year, rows[year], deleted[year], result, run_log))

    def _fetch(
        self, kpis: list[str], years: list[int], result: SyncResult
    ) -> tuple[dict[int, dict[tuple, ValueRow]], dict[int, set[tuple]]]:
        """All rows of ``kpis`` x ``years`` by year (the last row for a key wins), and deleted keys."""
        wanted = set(years)
        rows: dict[int, dict[tuple, ValueRow]] = defaultdict(dict)
        deleted: dict[int, set[tuple]] = defaultdict(set)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", KoladaWarning)
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
        if self.since is None:  # with since, no rows for a KPI is normal
            result.notes.extend(str(w.message) for w in caught)
        return rows, deleted

    def _write_unit(
        self,
        kpis: list[str],
        year: int,
        rows: dict[tuple, ValueRow],
        deleted: set[tuple],
        result: SyncResult,
        run_log: ImportLog,
    ) -> UnitResult:
        unit = UnitResult(tuple(kpis), year)
        started = timezone.now()
        with transaction.atomic():
            existing = {
                (k, m, y, g): (v, s, c)
                for k, m, y, g, v, s, c in Value.objects.filter(kpi_id__in=kpis, year=year).values_list(
                    "kpi_id", "municipality_id", "year", "gender", "value", "status", "count"
                )
            }
            good: list[ValueRow] = []
            for key, row in rows.items():
                kpi, muni, _, gender = key
                if muni not in self._known_munis or kpi not in self._known_kpis or gender not in GENDERS:
                    unit.rejected += 1
                    result.rejected_ids[muni if muni not in self._known_munis else kpi] += 1
                    continue
                good.append(row)
                old = existing.get(key)
                if old is not None and len(result.changes) < self.max_changes:
                    value, status, count = row[4:]
                    if old[0] != value or old[1] != status or (count is not None and old[2] != count):
                        result.changes.append(Change(*key, old[0], value, old[1], status))
            counts = write_values([good], label=f"Kolada {', '.join(kpis)} {year}") if good else WriteCounts()
            gone = sorted(k for k in deleted if k not in rows and k in existing)
            unit.deleted = delete_values(gone)
            recompute(counts.touched | {(k, y) for k, _, y, _ in gone})  # in the unit's transaction
            unit.added, unit.changed, unit.unchanged = counts.added, counts.changed, counts.unchanged
            ImportLog.objects.create(
                source=SOURCE,
                file=f"sync {self.plan} unit {year}",
                started_at=started,
                finished_at=timezone.now(),
                added=unit.added,
                changed=unit.changed,
                unchanged=unit.unchanged,
                deleted=unit.deleted,
                rejected=unit.rejected,
                ok=True,
                message=f"kpis {','.join(kpis)}",
            )
        return unit


# ------------------------------------------------------------------------------------------ lock


@contextmanager
def sync_lock(path: Path) -> Iterator[None]:
    """Hold the sync lock or raise :class:`SyncLocked` at once (never waits).

    An exclusive ``flock`` on ``path`` (released by the kernel if the process dies) and, on
    PostgreSQL, a session advisory lock, so that runs on different machines sharing one database
    exclude each other too.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the duration of the lock
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            raise SyncLocked(
                f"another sync is running (lock file {path} is held{f' by process {holder}' if holder else ''}); "
                "this run did nothing"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [PG_LOCK_KEY])
            if not cur.fetchone()[0]:
                raise SyncLocked("another sync is running against this PostgreSQL database; this run did nothing")
        try:
            yield
        finally:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
