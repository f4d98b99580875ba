"""The sync ledger: the runs of ``kommunkvalitet sync`` and the KPI-years each committed.

A run (:class:`~kommunkvalitet.store.models.SyncRun`) is created when a sync starts and finished when
it ends. Each KPI-year it writes is recorded (:class:`~kommunkvalitet.store.models.SyncKpiYear`, with its
counts) *in the same transaction as the values*, so the ledger never says a KPI-year is done that is not.
Resumption reads it: a new run of the same plan within :data:`RESUME_WITHIN` of an unfinished one
continues that run and skips its committed KPI-years. ``kommunkvalitet sync --status`` shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from kommunkvalitet.store.models import SyncKpiYear, SyncRun

RESUME_WITHIN = timedelta(hours=24)
UNFINISHED = (SyncRun.Status.RUNNING, SyncRun.Status.FAILED)
COUNTS = ("added", "changed", "unchanged", "deleted", "rejected")

KpiYear = tuple[str, int]


def begin(
    plan: str, kpis: Sequence[str], years: Sequence[int], since: str | None, *, resume: bool = True
) -> tuple[SyncRun, set[KpiYear]]:
    """The run to record into: the unfinished run of the same plan when it may be resumed (with the
    KPI-years it committed, to skip), else a new one. An unfinished run of the plan that is not resumed
    (``resume=False`` or too old) is marked abandoned."""
    now = timezone.now()
    last = SyncRun.objects.filter(plan=plan).order_by("-started_at", "-pk").first()
    if last is not None and last.status in UNFINISHED:
        if resume and now - last.started_at < RESUME_WITHIN:
            last.status = SyncRun.Status.RUNNING
            last.attempts += 1
            last.updated_at = now
            last.save(update_fields=["status", "attempts", "updated_at"])
            return last, committed(last)
        last.status = SyncRun.Status.ABANDONED
        last.finished_at = now
        last.error = f"{last.error}\n" if last.error else ""
        last.error += "abandoned: a later run started over" if resume else "abandoned: --restart"
        last.save(update_fields=["status", "finished_at", "error"])
    run = SyncRun.objects.create(
        plan=plan,
        kpis=list(kpis),
        years=list(years),
        since=date.fromisoformat(since) if since else None,
        started_at=now,
        updated_at=now,
    )
    return run, set()


def committed(run: SyncRun) -> set[KpiYear]:
    """The KPI-years ``run`` has committed (over all its attempts)."""
    return {(k, int(y)) for k, y in run.kpi_years.values_list("kpi", "year")}


def record(run: SyncRun, counts: Iterable[tuple[KpiYear, dict[str, int]]]) -> None:
    """Record committed KPI-years with their counts. Call inside the transaction that wrote them."""
    now = timezone.now()
    SyncKpiYear.objects.bulk_create(
        [
            SyncKpiYear(run=run, kpi=kpi, year=year, committed_at=now, **{n: c.get(n, 0) for n in COUNTS})
            for (kpi, year), c in counts
        ]
    )
    SyncRun.objects.filter(pk=run.pk).update(updated_at=now)


def finish(
    run: SyncRun,
    *,
    error: str | None,
    requests: int,
    notes: Sequence[dict[str, Any]],
    longest: float | None = None,
) -> SyncRun:
    """Close an attempt: the totals from the committed KPI-years; ``ok`` and finished, or ``failed``;
    ``longest`` (the attempt's longest value transaction, seconds) raises the run's if longer."""
    totals = run.kpi_years.aggregate(**{n: Sum(n) for n in COUNTS})
    for name in COUNTS:
        setattr(run, name, totals[name] or 0)
    now = timezone.now()
    run.updated_at = now
    run.requests += requests
    if longest is not None:
        run.longest_transaction = max(run.longest_transaction or 0.0, longest)
    run.notes = [*run.notes, *(n for n in notes if n not in run.notes)]
    if error is None:
        run.status = SyncRun.Status.OK
        run.finished_at = now
        run.error = ""
    else:
        run.status = SyncRun.Status.FAILED
        run.error = error
    run.save()
    return run


def interrupted(run: SyncRun, reason: str) -> None:
    """Note why an attempt stopped without finishing (an interrupt or a bug); the run stays resumable."""
    SyncRun.objects.filter(pk=run.pk).update(error=reason, updated_at=timezone.now())


# ------------------------------------------------------------------------------------------ status


@dataclass
class Resumable:
    """An unfinished run and what a new run of the same command would do with it."""

    run: SyncRun
    done: list[KpiYear]
    total: int  # KPI-years the run's plan has
    resumable_until: datetime
    expired: bool

    @property
    def remaining(self) -> int:
        return self.total - len(self.done)


@dataclass
class LedgerStatus:
    runs: list[SyncRun] = field(default_factory=list)  # the latest first
    unfinished: Resumable | None = None


def status(limit: int = 5, now: datetime | None = None) -> LedgerStatus:
    """The latest ``limit`` runs, and the latest unfinished run with what resuming it would skip."""
    now = now or timezone.now()
    result = LedgerStatus(runs=list(SyncRun.objects.order_by("-started_at", "-pk")[:limit]))
    last = SyncRun.objects.filter(status__in=UNFINISHED).order_by("-started_at", "-pk").first()
    if last is not None:
        until = last.started_at + RESUME_WITHIN
        result.unfinished = Resumable(
            run=last,
            done=sorted(committed(last)),
            total=len(last.kpis) * len(last.years),
            resumable_until=until,
            expired=now >= until,
        )
    return result


def describe_kpi_years(kpi_years: Iterable[KpiYear]) -> str:
    """ "2019-2020: N11008, U21401; 2019: N15033": KPIs grouped by the years they have, runs of years joined."""
    by_kpi: dict[str, list[int]] = {}
    for kpi, year in sorted(kpi_years):
        by_kpi.setdefault(kpi, []).append(year)
    by_span: dict[str, list[str]] = {}
    for kpi, years in by_kpi.items():
        by_span.setdefault(_spans(years), []).append(kpi)
    return "; ".join(f"{span}: {', '.join(kpis)}" for span, kpis in by_span.items())


def _spans(years: list[int]) -> str:
    parts: list[str] = []
    start = prev = years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)
