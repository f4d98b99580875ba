"""Many PDFs at once (``kommunkvalitet pdf``): an area or a whole edition for many municipalities.

The work is split over worker processes started with ``spawn`` (as the snapshot import's reader: the
same path on Windows, no copy of the parent's database connection or threads); each sets Django up
once (:mod:`kommunkvalitet.reports.pdf_worker`) and renders one PDF at a time. A PDF is written under a
temporary name and renamed when whole, so a folder never holds half a file. A municipality that fails
is reported and the others go on.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.reports.pdf_worker import Job, Result, make, setup
from kommunkvalitet.reports.report_pages import edition_set
from kommunkvalitet.store.models import Municipality

__all__ = ["Job", "Result", "plan", "run"]


def plan(year: int, area_id: str | None, municipality_ids: list[str], all_kommuner: bool,
         lang: str = "sv") -> list[Job]:  # fmt: skip
    """The PDFs asked for, checked before any is made: the year is a KKiK edition, the area is one of
    its areas, every municipality exists. ``all_kommuner``: the 290 kommuner (not Riket or the regions).
    ``lang``: the PDFs' language ("sv" or "en")."""
    ms = edition_set(year)
    if area_id is not None and area_id not in {a.id for a in ms.areas}:
        names = ", ".join(a.id for a in ms.areas)
        raise KommunkvalitetError(f"KKiK {year} har inget område som heter {area_id!r} (det finns: {names})")
    if all_kommuner == bool(municipality_ids):
        raise KommunkvalitetError("ange antingen --kommun KOD (en eller flera) eller --all")
    if all_kommuner:
        ids = list(
            Municipality.objects.filter(type=Municipality.Type.KOMMUN).order_by("id").values_list("id", flat=True)
        )
    else:
        ids = list(dict.fromkeys(municipality_ids))
        known = set(Municipality.objects.filter(pk__in=ids).values_list("id", flat=True))
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise KommunkvalitetError(f"okänd kommunkod: {', '.join(unknown)}")
    return [Job(i, year, area_id, lang) for i in ids]


def run(jobs: list[Job], out: Path, workers: int = 1, base_url: str | None = None) -> Iterator[Result]:
    """Make the PDFs of ``jobs`` in ``out`` and yield each result as it is done (in any order)."""
    out.mkdir(parents=True, exist_ok=True)
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield make(job, out, base_url)
        return
    ctx = mp.get_context("spawn")
    try:
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=ctx, initializer=setup) as pool:
            futures = [pool.submit(make, job, out, base_url) for job in jobs]
            for future in as_completed(futures):
                yield future.result()
    except BrokenProcessPool as err:
        raise KommunkvalitetError(f"en arbetsprocess avbröts oväntat ({err}); inga fler PDF-filer görs") from None
