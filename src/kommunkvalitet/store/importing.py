"""The snapshot import: a service object; the CLI command is a thin wrapper around it.

Each file goes in whole or not at all: either all of it goes in or, on bad input, nothing from it does
(unless ``skip_bad_rows``, when the good rows go in and the rejected ones go to a report file). On
PostgreSQL, and for a small file, that is one transaction; a larger file on SQLite is written staged
(:mod:`store.staging`: short transactions into copies of the value and comparison tables, swapped in at
once), so that the import never holds SQLite's one write lock for more than moments.
Running it twice changes nothing the second time and says so.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from kommunkvalitet.core.measuresets import default_kpi_ids
from kommunkvalitet.core.units import unit_from_title
from kommunkvalitet.errors import InputError
from kommunkvalitet.sources import snapshot
from kommunkvalitet.store import dataversion, staging
from kommunkvalitet.store.comparison import WrittenValues, recompute
from kommunkvalitet.store.geo import shape_fields
from kommunkvalitet.store.measuresets import apply_directions
from kommunkvalitet.store.models import (
    KPI,
    GroupMember,
    ImportLog,
    Municipality,
    MunicipalityGroup,
    MunicipalityShape,
    Value,
)
from kommunkvalitet.store.values import WriteCounts, write_values

DEFAULT_YEARS = (2015, 2022)
IN_PROCESS_BYTES = 1 << 20  # smaller values files: read in this process and written in one transaction
STAGED_TABLES = ("store_value", "store_comparisonstat")  # what a values file writes (SQLite: staged)


@dataclass
class FileResult:
    file: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    report: str | None = None
    changed_ids: set[str] = field(default_factory=set)
    touched: set[tuple[str, int]] = field(default_factory=set)
    lock_held: float | None = None  # a staged file: the longest write-lock hold, seconds


@dataclass
class ImportSummary:
    files: list[FileResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def touched(self) -> set[tuple[str, int]]:
        return set().union(*(f.touched for f in self.files)) if self.files else set()

    @property
    def nothing_changed(self) -> bool:
        return self.total("added") == 0 and self.total("changed") == 0


def _sync_objects(model, records: dict[str, dict], *, keep: Iterable[str] = ()) -> FileResult:
    """Bring ``model`` rows (by primary key) to ``records``; fields in ``keep`` are never overwritten."""
    keep = set(keep)
    result = FileResult(file=model.__name__)
    existing = model.objects.in_bulk(list(records)) if records else {}
    new, changed_objs, changed_fields = [], [], set()
    for pk, fields in records.items():
        obj = existing.get(pk)
        if obj is None:
            new.append(model(pk=pk, **fields))
            continue
        diff = [k for k, v in fields.items() if k not in keep and getattr(obj, k) != v]
        if diff:
            for k in diff:
                setattr(obj, k, fields[k])
            changed_objs.append(obj)
            changed_fields.update(diff)
            result.changed_ids.add(pk)
        else:
            result.unchanged += 1
    model.objects.bulk_create(new, batch_size=2000)
    if changed_objs:
        model.objects.bulk_update(changed_objs, sorted(changed_fields), batch_size=2000)
    result.added, result.changed = len(new), len(changed_objs)
    if new or changed_objs:
        dataversion.advance(dataversion.DATA)  # in the caller's transaction, with the rows
    return result


def kpi_fields(r, *, retired: bool) -> dict:
    """The KPI model's fields from a catalogue record (the snapshot's or the Kolada API's)."""
    return {
        "title": r.title,
        "description": r.description,
        "operating_area": r.operating_area,
        "perspective": r.perspective,
        "is_divided_by_gender": r.is_divided_by_gender,
        "municipality_type": (r.municipality_type or "")[:1],
        "unit": unit_from_title(r.title),
        "is_retired": retired,
    }


class SnapshotImporter:
    """Import the offline snapshot into the store."""

    def __init__(
        self,
        root: Path,
        *,
        kpis: Iterable[str] | None = None,
        years: tuple[int, int] = DEFAULT_YEARS,
        all_kpis: bool = False,
        skip_bad_rows: bool = False,
        report_dir: Path | None = None,
        value_files: Iterable[Path] | None = None,
        progress: Callable[[str], Callable[[int], None] | None] | None = None,
    ):
        self.layout = snapshot.SnapshotLayout(Path(root))
        self.kpis = None if all_kpis else frozenset(kpis) if kpis else frozenset(default_kpi_ids())
        self.years = years
        self.skip_bad_rows = skip_bad_rows
        self.report_dir = Path(report_dir) if report_dir else Path(".")
        self.value_files = list(value_files) if value_files is not None else None
        self.progress = progress
        self._known: tuple[frozenset[str], frozenset[str]] | None = None

    # -- metadata -------------------------------------------------------------------------------

    def import_municipalities(self) -> FileResult:
        path = self.layout.municipalities
        records = {
            r.id: {"name": r.name, "type": r.type, "county_id": r.county_id} for r in snapshot.read_municipalities(path)
        }
        with transaction.atomic():
            result = _sync_objects(Municipality, records)
        self._known = None  # new ids may have come
        result.file = str(path)
        return self._log(result)

    def import_kpis(self) -> FileResult:
        path = self.layout.kpi_catalogue
        records: dict[str, dict] = {}
        for r in snapshot.read_kpi_catalogue(path):
            records[r.id] = kpi_fields(r, retired=False)
        older = self.layout.kpi_catalogue_2024
        if older.is_file():
            for r in snapshot.read_kpi_catalogue_2024(older):
                if r.id not in records:
                    records[r.id] = kpi_fields(r, retired=True)
        with transaction.atomic():
            # The direction is ours (measure sets, editors), never the catalogue's: never overwritten.
            result = _sync_objects(KPI, records, keep={"direction"})
        self._known = None
        result.file = str(path)
        return self._log(result)

    def import_groups(self) -> FileResult:
        by_name = {m.name: m.id for m in Municipality.objects.all()}
        known = set(by_name.values())
        skr = list(snapshot.read_skr_groups(self.layout.skr_groups))
        groups = skr + list(
            snapshot.read_municipality_groups(self.layout.municipality_groups, skip_ids={g.id for g in skr})
        )
        records, members = {}, {}
        for g in groups:
            unknown = [m for m in g.members if m not in known]
            if unknown:
                raise InputError(
                    f"group {g.id} names unknown municipality {unknown[0]}",
                    file=str(self.layout.municipality_groups),
                    field="members",
                )
            records[g.id] = {
                "title": g.title,
                "kind": g.kind,
                "area": g.area if g.kind == "similar" else "",
                "year": g.year,
                "focus_id": by_name.get(g.focus_name) if g.focus_name else None,
            }
            members[g.id] = set(g.members)
        with transaction.atomic():
            result = _sync_objects(MunicipalityGroup, records)
            current: dict[str, set[str]] = {}
            for gid, mid in GroupMember.objects.values_list("group_id", "municipality_id"):
                current.setdefault(gid, set()).add(mid)
            stale = [gid for gid, ms in members.items() if gid in current and current[gid] != ms]
            GroupMember.objects.filter(group_id__in=stale).delete()
            GroupMember.objects.bulk_create(
                [
                    GroupMember(group_id=gid, municipality_id=m)
                    for gid, ms in members.items()
                    if gid not in current or gid in stale
                    for m in sorted(ms)
                ],
                batch_size=5000,
            )
            # A group whose members changed but whose title did not is changed too.
            moved = set(stale) - result.changed_ids
            result.changed += len(moved)
            result.unchanged -= len(moved)
            if moved:
                dataversion.advance(dataversion.DATA)
        result.file = str(self.layout.municipality_groups)
        return self._log(result)

    def import_shapes(self) -> FileResult | None:
        """The kommuner's boundaries for maps, projected and simplified once (``core.geo``); None when
        the snapshot has no boundary file."""
        path = self.layout.municipality_shapes
        if not path.is_file():
            return None
        records = shape_fields(path)
        with transaction.atomic():
            result = _sync_objects(MunicipalityShape, records)
        result.file = str(path)
        return self._log(result)

    # -- values ---------------------------------------------------------------------------------

    def _known_ids(self) -> tuple[frozenset[str], frozenset[str]]:
        """The KPI and municipality ids a values row may name: read once, again after a metadata import."""
        if self._known is None:
            self._known = (
                frozenset(KPI.objects.values_list("id", flat=True)),
                frozenset(Municipality.objects.values_list("id", flat=True)),
            )
        return self._known

    def import_values_file(self, path: Path) -> FileResult:
        known_kpis, known_munis = self._known_ids()
        rejected: list[InputError] = []
        on_bad = rejected.append if self.skip_bad_rows else None
        tick = self.progress(path.name) if self.progress else None
        if not path.is_file():
            raise InputError("no such file", file=str(path))
        # A big file is parsed in a second process while this one writes; a small one is not worth
        # starting an interpreter for.
        small = path.stat().st_size < IN_PROCESS_BYTES
        read = snapshot.read_values if small else snapshot.read_values_in_background
        batches = read(
            path,
            kpis=self.kpis,
            years=self.years,
            known_kpis=known_kpis,
            known_municipalities=known_munis,
            on_bad_row=on_bad,
        )
        started = timezone.now()
        stage: staging.Stage | None = None
        try:  # one transaction where SQLite's lock is held briefly anyway, or the caller holds one already
            if small or connection.vendor != "sqlite" or connection.in_atomic_block:
                with transaction.atomic():
                    counts = self._write_file(batches, path, tick)
            else:
                # SQLite: one transaction would hold the database's only write lock for the whole file;
                # staged, it holds it for moments and the file appears all at once (store.staging).
                with staging.staged(STAGED_TABLES) as stage:
                    counts = self._write_file(batches, path, tick)
                    stage.swap(advance=bool(counts.added or counts.changed))
        except InputError as err:
            ImportLog.objects.create(
                source="snapshot",
                file=str(path),
                started_at=started,
                finished_at=timezone.now(),
                ok=False,
                message=str(err),
            )
            raise
        result = FileResult(
            str(path), counts.added, counts.changed, counts.unchanged, len(rejected), touched=counts.touched,
            lock_held=stage.longest if stage else None,
        )  # fmt: skip
        if rejected:
            result.report = str(self._write_report(path, rejected))
        return self._log(result, started=started)

    @staticmethod
    def _write_file(batches, path: Path, tick) -> WriteCounts:
        """The file's values and the comparisons they change (in the caller's transaction, or staged)."""
        written = WrittenValues()  # the recompute uses the rows written instead of reading them back
        counts = write_values(written.watch(batches), label=str(path), on_batch=tick)
        recompute(counts.touched, written=written)
        return counts

    def _write_report(self, path: Path, rejected: list[InputError]) -> Path:
        self.report_dir.mkdir(parents=True, exist_ok=True)
        out = self.report_dir / f"rejected-{path.name.split('.')[0]}.csv"
        with open(out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "line", "field", "reason"])
            for e in rejected:
                w.writerow([e.file, e.line, e.field or "", e.reason])
        return out

    def _log(self, result: FileResult, started=None) -> FileResult:
        ImportLog.objects.create(
            source="snapshot",
            file=result.file,
            started_at=started or timezone.now(),
            finished_at=timezone.now(),
            added=result.added,
            changed=result.changed,
            unchanged=result.unchanged,
            rejected=result.rejected,
            ok=True,
            message=f"rejected rows in {result.report}" if result.report else "",
        )
        return result

    # -- all --------------------------------------------------------------------------------------

    def run(self) -> ImportSummary:
        self.layout.check()
        summary = ImportSummary()
        summary.files.append(self.import_municipalities())
        summary.files.append(self.import_kpis())
        summary.files.append(self.import_groups())
        shapes = self.import_shapes()
        if shapes is not None:
            summary.files.append(shapes)
        redirected = apply_directions()
        if redirected:  # KPIs whose direction changed: their stored comparisons are stale
            recompute(Value.objects.filter(kpi_id__in=redirected).values_list("kpi_id", "year").distinct())
        files = self.value_files if self.value_files is not None else self.layout.value_files()
        for path in files:
            summary.files.append(self.import_values_file(path))
        return summary


def tqdm_progress(label: str) -> Callable[[int], None] | None:
    """A progress bar on a terminal (rows read), nothing otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(desc=label, unit=" rader", unit_scale=True, leave=False)
    return bar.update
