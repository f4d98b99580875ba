"""The worker side of the ``pdf`` command: what a spawned worker process runs.

A spawned worker is a fresh interpreter that unpickles its task before anything else: this module
imports nothing of Django at import time, so the task can be unpickled before :func:`setup` has set
Django up (the models cannot be imported before that).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kommunkvalitet.errors import KommunkvalitetError


@dataclass(frozen=True)
class Job:
    municipality_id: str
    year: int
    area_id: str | None  # None: the whole edition
    lang: str = "sv"  # the PDF's language: "sv" or "en"


@dataclass(frozen=True)
class Result:
    job: Job
    path: Path | None
    error: str | None = None


def setup() -> None:
    """A spawned worker: Django set up once, with the parent's environment (settings, data directory)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    import django

    django.setup()


def make(job: Job, out: Path, base_url: str | None = None) -> Result:
    """One PDF, written whole or not at all (a temporary name, renamed when complete); an error is
    returned, not raised, so the batch goes on."""
    from kommunkvalitet.reports import pdf
    from kommunkvalitet.reports.report_pages import edition_set
    from kommunkvalitet.store.report import measure_set_report

    try:
        ms = edition_set(job.year)
        areas = [job.area_id] if job.area_id else None
        reports = list(measure_set_report(job.municipality_id, ms, edition=job.year, areas=areas).values())
        made = (
            pdf.area_pdf(reports[0], base_url, job.lang)
            if job.area_id
            else pdf.edition_pdf(reports, ms, job.year, base_url, job.lang)
        )
    except Exception as err:  # noqa: BLE001 - one municipality's failure is reported, the batch goes on
        message = str(err) if isinstance(err, KommunkvalitetError) else f"{type(err).__name__}: {err}"
        return Result(job, None, message)
    path = out / made.filename
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(made.content)
    os.replace(partial, path)
    return Result(job, path)
