"""Read the offline snapshot (the layout of ``shared/data/SOURCES.md``) into plain records.

Every reader streams: a file is never held whole in memory. Bad input raises
:class:`~kommunkvalitet.errors.InputError` naming the file, the line and the field, or, when the
caller passes ``on_bad_row``, hands the error to it and goes on.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from kommunkvalitet.core.formatting import parse_number
from kommunkvalitet.errors import InputError
from kommunkvalitet.sources.geo import MUNICIPALITY_FILE as MUNICIPALITY_SHAPES
from kommunkvalitet.sources.jsonstream import iter_array

GENDERS = frozenset({"T", "K", "M"})
# What a values row may hold (docs/method.md, "Bad input"): anything outside is refused, never dropped.
YEAR_RANGE = (1950, 2100)
MAX_ABS_VALUE = 1e12  # larger than any real KPI value (kronor per inhabitant, counts) by orders of magnitude
MAX_COUNT = 10**9
MAX_STATUS_LENGTH = 20  # the store's column (store.models.Value.status); Kolada's statuses are single words
_MUNI_ID = re.compile(r"^\d{4}$")
_INFINITIES = (math.inf, -math.inf)

# Values files: required columns, optional ones we keep, and known columns we ignore (rKolada extras).
VALUE_COLUMNS = ("kpi", "municipality_id", "year", "gender", "value")
VALUE_OPTIONAL = ("status", "count")
VALUE_IGNORED = ("municipality", "municipality_type", "source_object")


@dataclass(frozen=True)
class MunicipalityRecord:
    id: str
    name: str
    type: str  # kommun / region / national
    county_id: str | None


@dataclass(frozen=True)
class GroupRecord:
    id: str
    title: str
    kind: str
    members: tuple[str, ...]
    area: str = ""
    year: int | None = None
    focus_name: str | None = None


@dataclass(frozen=True)
class KPIRecord:
    id: str
    title: str
    description: str
    operating_area: str
    perspective: str
    is_divided_by_gender: bool
    municipality_type: str


# One value row: (kpi, municipality_id, year, gender, value, status, count)
ValueRow = tuple[str, str, int, str, float | None, str, int | None]
BadRowHandler = Callable[[InputError], None]


@dataclass(frozen=True)
class ValueColumns:
    """A batch of value rows as arrays, one element per row, for code that takes millions of rows as
    arrays (store.comparison.WrittenValues)."""

    kpis: tuple[str, ...]  # the batch's KPI ids, each once, in the order met
    kpi: np.ndarray  # each row's index into kpis
    municipality: np.ndarray | None  # each row's municipality id as a number; None: an id is not four digits
    year: np.ndarray
    gender: np.ndarray  # one character each
    value: np.ndarray  # NaN where the row has no value
    present: np.ndarray  # whether the row has a value


def value_columns(rows: list[ValueRow]) -> ValueColumns:
    """The columns of a batch of value rows (rows in storage order, KPI by KPI: each id is looked up
    once per run of equal ids)."""
    kpi_ids, municipalities, years, genders, values = list(zip(*rows, strict=True))[:5]
    objects = np.array(kpi_ids, dtype=object)
    starts = np.flatnonzero(np.concatenate(([True], objects[1:] != objects[:-1])))
    kpis: dict[str, int] = {}
    runs = np.fromiter((kpis.setdefault(k, len(kpis)) for k in objects[starts].tolist()), np.int64, starts.size)
    ids = np.array(municipalities)
    municipality = None
    if ids.dtype == np.dtype("U4") and all(map(str.isdigit, municipalities)):
        municipality = ids.astype(np.int64)
    value = np.array(values, dtype=object)
    present = value != None  # noqa: E711 - elementwise: a missing value is None
    number = np.full(value.size, np.nan)
    number[present] = value[present].astype(np.float64)
    return ValueColumns(
        tuple(kpis), np.repeat(runs, np.diff(np.append(starts, objects.size))), municipality,
        np.array(years, dtype=np.int64), np.array(genders, dtype="U1"), number, present,
    )  # fmt: skip


class ValueBatch(list):
    """A batch of value rows (a list of :data:`ValueRow`) that comes with its :class:`ValueColumns`,
    made where it was read (by the reader process of :func:`read_values_in_background`)."""

    columns: ValueColumns


@dataclass(frozen=True)
class SnapshotLayout:
    """Where each file of the snapshot lives, relative to its root."""

    root: Path

    @property
    def kolada(self) -> Path:
        return self.root / "kolada"

    @property
    def municipalities(self) -> Path:
        return self.kolada / "municipalities.csv"

    @property
    def skr_groups(self) -> Path:
        return self.kolada / "skr_kommungrupp_2017.csv"

    @property
    def municipality_groups(self) -> Path:
        return self.kolada / "municipality_groups.json"

    @property
    def kpi_catalogue(self) -> Path:
        return self.kolada / "kpi_catalogue.json"

    @property
    def kpi_catalogue_2024(self) -> Path:
        return self.kolada / "kpi_catalogue_2024-08_opennumbers.csv"

    @property
    def municipality_shapes(self) -> Path:
        return self.root / MUNICIPALITY_SHAPES

    def value_files(self) -> list[Path]:
        folder = self.kolada / "values"
        return sorted(p for p in folder.iterdir() if p.name.endswith((".csv", ".csv.gz")))

    def check(self) -> None:
        for path in (self.municipalities, self.skr_groups, self.municipality_groups, self.kpi_catalogue):
            if not path.is_file():
                raise InputError(f"snapshot file missing (is {self.root} a snapshot directory?)", file=str(path))


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        # A large buffer in front of GzipFile: the text layer asks it for data far less often.
        raw = io.BufferedReader(gzip.open(path, "rb"), buffer_size=1 << 20)  # noqa: SIM115 - closed via the wrapper
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # utf-8-sig: a byte-order mark is not a column name


def _csv_rows(path: Path, required: Iterable[str], allowed: Iterable[str] = ()) -> Iterator[tuple[int, dict]]:
    """Yield ``(line, row dict)`` from a CSV file after checking its header."""
    required = tuple(required)
    known = set(required) | set(allowed)
    with _open_text(path) as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("the file is empty (no header)", file=str(path), line=1) from None
        _check_header(path, header, required, known)
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise InputError(
                    f"expected {len(header)} fields, found {len(row)}", file=str(path), line=line, field=None
                )
            yield line, dict(zip(header, row, strict=True))


def _check_header(path: Path, header: list[str], required: tuple[str, ...], known: set[str]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"wrong header: missing column(s) {', '.join(missing)}; expected {','.join(required)}",
            file=str(path),
            line=1,
            field=missing[0],
        )
    unknown = [c for c in header if c not in known]
    if unknown:
        raise InputError(
            f"wrong header: unknown column(s) {', '.join(unknown)}", file=str(path), line=1, field=unknown[0]
        )


def read_municipalities(path: Path) -> Iterator[MunicipalityRecord]:
    types = {"K": "kommun", "L": "region"}
    for line, row in _csv_rows(path, ("id", "title", "type"), ("county_id", "county_title", "skr_kommungrupp_2017")):
        mid = row["id"].strip()
        if not _MUNI_ID.match(mid):
            raise InputError(f"not a 4-digit municipality id: {mid!r}", file=str(path), line=line, field="id")
        if row["type"] not in types:
            raise InputError(f"unknown type {row['type']!r} (K or L)", file=str(path), line=line, field="type")
        kind = "national" if mid == "0000" else types[row["type"]]
        county = (row.get("county_id") or "").strip() or None
        if kind == "kommun" and county is None:
            county = "00" + mid[:2]
        yield MunicipalityRecord(mid, row["title"].strip(), kind, county if kind == "kommun" else None)


def read_skr_groups(path: Path) -> Iterator[GroupRecord]:
    """The nine SKR kommungrupper (2017) as groups with their members."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for line, row in _csv_rows(path, ("municipality_id", "municipality_title", "group_id", "group_title")):
        if not _MUNI_ID.match(row["municipality_id"]):
            raise InputError("not a 4-digit municipality id", file=str(path), line=line, field="municipality_id")
        title, members = groups.setdefault(row["group_id"], (row["group_title"], []))
        members.append(row["municipality_id"])
    for gid, (title, members) in groups.items():
        yield GroupRecord(gid, title, "skr", tuple(members), area="2017", year=2017)


_SIMILAR = re.compile(r"^Liknande (?:kommuner|regioner),? (?P<area>.+?), (?P<focus>.+), (?P<year>\d{4})$")
_COUNTY = re.compile(r"^(?P<name>.+) läns kommuner")
_SIZE = re.compile(r"^Kommuner med ")


def classify_group(gid: str, title: str) -> tuple[str, str, int | None, str | None]:
    """(kind, area, year, focus name) for a Kolada municipality group, from its title."""
    m = _SIMILAR.match(title)
    if m:
        return "similar", m["area"], int(m["year"]), m["focus"]
    if gid == "G2328":
        return "all", "", None, None
    if _COUNTY.match(title):
        return "county", "", None, None
    if _SIZE.match(title):
        return "size", "", None, None
    return "network", "", None, None


def read_municipality_groups(path: Path, skip_ids: Iterable[str] = ()) -> Iterator[GroupRecord]:
    skip = set(skip_ids)
    for line, obj in iter_array(path):
        try:
            gid, title, members = obj["id"], obj["title"], obj["members"]
            member_ids = tuple(m.get("id") or m["member_id"] for m in members)
        except (KeyError, TypeError) as exc:
            raise InputError(f"group without {exc}", file=str(path), line=line, field=str(exc).strip("'")) from None
        if gid in skip:
            continue
        kind, area, year, focus = classify_group(gid, title)
        yield GroupRecord(gid, title.removesuffix(" (ovägt medel)"), kind, member_ids, area, year, focus)


def read_kpi_catalogue(path: Path) -> Iterator[KPIRecord]:
    for line, obj in iter_array(path):
        try:
            yield KPIRecord(
                id=obj["id"],
                title=obj["title"],
                description=obj.get("description") or "",
                operating_area=obj.get("operating_area") or "",
                perspective=obj.get("perspective") or "",
                is_divided_by_gender=bool(obj.get("is_divided_by_gender")),
                municipality_type=obj.get("municipality_type") or "",
            )
        except (KeyError, TypeError) as exc:
            raise InputError(f"KPI without {exc}", file=str(path), line=line, field=str(exc).strip("'")) from None


def read_kpi_catalogue_2024(path: Path) -> Iterator[KPIRecord]:
    """The 2024 open-numbers catalogue: titles for KPIs retired since."""
    allowed = (
        "auspices",
        "description",
        "definition",
        "municipality_type",
        "is_divided_by_gender",
        "operating_area",
        "ou_publication_date",
        "perspective",
        "publication_date",
        "has_ou_data",
        "prel_publication_date",
    )
    for _line, row in _csv_rows(path, ("concept", "name"), allowed):
        yield KPIRecord(
            id=row["concept"].upper(),
            title=row["name"],
            description=row.get("description") or "",
            operating_area=row.get("operating_area") or "",
            perspective=row.get("perspective") or "",
            is_divided_by_gender=(row.get("is_divided_by_gender") or "0") in ("1", "True", "true"),
            municipality_type=row.get("municipality_type") or "",
        )


def read_values(
    path: Path,
    *,
    kpis: frozenset[str] | None = None,
    years: tuple[int, int] | None = None,
    known_kpis: frozenset[str] | None = None,
    known_municipalities: frozenset[str] | None = None,
    on_bad_row: BadRowHandler | None = None,
    batch_size: int = 50_000,
) -> Iterator[list[ValueRow]]:
    """Yield batches of value rows from a values file, validated.

    ``kpis`` and ``years`` select what to read (rows outside are skipped, not rejected);
    ``known_*`` are the ids a row may name. A bad row raises :class:`InputError`, or goes to
    ``on_bad_row`` when given.
    """
    fname = str(path)
    y0, y1 = years if years else (0, 9999)
    batch: list[ValueRow] = []
    ids: dict[str, str] = {}
    keys = KeyCheck(fname)
    lines = array("q")  # the line of each row of the batch
    line = 1
    try:
        with _open_text(path) as fh:
            reader = csv.reader(fh, strict=True)  # strict: an unterminated quote is an error, not one long field
            try:
                header = next(reader)
            except StopIteration:
                raise InputError("the file is empty (no header)", file=fname, line=1) from None
            _check_header(path, header, VALUE_COLUMNS, set(VALUE_COLUMNS + VALUE_OPTIONAL + VALUE_IGNORED))
            idx = [header.index(c) for c in VALUE_COLUMNS]
            i_status = header.index("status") if "status" in header else None
            i_count = header.index("count") if "count" in header else None
            ncols = len(header)
            ik, im, iy, ig, iv = idx
            for row in reader:
                line = reader.line_num
                try:
                    if len(row) != ncols:
                        raise InputError(f"expected {ncols} fields, found {len(row)}", file=fname, line=line)
                    kpi = row[ik]
                    if known_kpis is not None and kpi not in known_kpis:
                        raise InputError(f"unknown KPI {kpi!r}", file=fname, line=line, field="kpi")
                    if kpis is not None and kpi not in kpis:
                        continue
                    kpi = ids.setdefault(kpi, kpi)  # one object per id: smaller pickles, less memory
                    try:
                        year = int(row[iy])
                    except ValueError:
                        raise InputError(
                            f"year is not a whole number: {row[iy]!r}", file=fname, line=line, field="year"
                        ) from None
                    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                        raise InputError(
                            f"year {row[iy]} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}",
                            file=fname,
                            line=line,
                            field="year",
                        )
                    if not y0 <= year <= y1:
                        continue
                    muni = ids.setdefault(row[im], row[im])
                    if known_municipalities is not None and muni not in known_municipalities:
                        raise InputError(
                            f"unknown municipality {muni!r}", file=fname, line=line, field="municipality_id"
                        )
                    gender = row[ig]
                    if gender not in GENDERS:
                        raise InputError(
                            f"gender must be T, K or M, not {gender!r}", file=fname, line=line, field="gender"
                        )
                    raw = row[iv]
                    if raw == "":
                        value = None
                    else:
                        try:
                            value = parse_number(raw)
                        except ValueError:
                            raise InputError(
                                f"not a number: {raw[:40]!r}", file=fname, line=line, field="value"
                            ) from None
                        if abs(value) > MAX_ABS_VALUE:
                            raise InputError(
                                f"value {raw[:40]} is out of range (at most {MAX_ABS_VALUE:.0e} either way)",
                                file=fname, line=line, field="value",
                            )  # fmt: skip
                    status = row[i_status] if i_status is not None else ""
                    if "\x00" in status:  # PostgreSQL's text refuses it
                        raise InputError("status contains a NUL byte", file=fname, line=line, field="status")
                    if len(status) > MAX_STATUS_LENGTH:
                        raise InputError(
                            f"status is {len(status)} characters long (at most {MAX_STATUS_LENGTH})",
                            file=fname, line=line, field="status",
                        )  # fmt: skip
                    count = None
                    if i_count is not None and row[i_count] != "":
                        try:
                            count = int(row[i_count])
                        except ValueError:
                            raise InputError(
                                f"count is not a whole number: {row[i_count][:40]!r}",
                                file=fname,
                                line=line,
                                field="count",
                            ) from None
                        if not 0 <= count <= MAX_COUNT:
                            raise InputError(
                                f"count {row[i_count]} is out of range (0-{MAX_COUNT})",
                                file=fname,
                                line=line,
                                field="count",
                            )
                    if value is None and not status:
                        raise InputError("empty value without a status", file=fname, line=line, field="value")
                except InputError as err:
                    if on_bad_row is None:
                        raise
                    on_bad_row(err)
                    continue
                batch.append((kpi, muni, year, gender, value, status, count))
                lines.append(line)
                if len(batch) >= batch_size:
                    keys.add(batch, lines)
                    yield batch
                    batch, lines = [], array("q")
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(f"the compressed file is damaged or truncated ({exc})", file=fname, line=line + 1) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=fname, line=_first_undecodable_line(path)) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", file=fname, line=line + 1) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=fname) from None
    keys.add(batch, lines)
    keys.check()  # before the last batch: the caller's transaction is still open either way
    if batch:
        yield batch


class KeyCheck:
    """Refuses a file that gives one (kpi, municipality, year, gender) two different values or statuses.

    Rows repeated identically are harmless. The check is the reader's, per file, so that it does not
    depend on what the store held before (a first row that repeats the stored value changes nothing
    there, and a later different row would then look like the first change) and names the lines on
    both backends. It keeps four numbers per row (32 bytes: 135 MB for the 4.2 million rows of the
    largest file, about twice that while they are sorted at the end), made batch by batch in C loops,
    and compares them once, at the end of the file (docs/performance.md, "Per-file key check"): a
    whole-file fault, also with ``--skip-bad-rows`` (which of the two rows would be the bad one?).
    """

    def __init__(self, fname: str) -> None:
        self.fname = fname
        # each kpi, municipality and status text as a small number: the next one for a text met first
        self._codes: defaultdict[str, int] = defaultdict()
        self._codes.default_factory = self._codes.__len__
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, batch: list[ValueRow], lines: array) -> None:
        if not batch:
            return
        n, code = len(batch), self._codes.__getitem__

        def column(i: int, of: Callable[[Any], int] = code) -> np.ndarray:  # itemgetter: faster than zip(*batch)
            return np.fromiter(map(of, map(itemgetter(i), batch)), np.int64, n)

        key = (column(0) << 24 | column(1)) << 8 | column(2, int) - YEAR_RANGE[0]
        key = key << 2 | column(3, _GENDER_BITS.__getitem__)  # one exact integer per key
        status = column(5)
        value = np.array(list(map(itemgetter(4), batch)), dtype=np.float64)  # None (no value) becomes NaN
        self._parts.append((key, value, status, np.frombuffer(lines, dtype=np.int64)))

    def check(self) -> None:
        if not self._parts:
            return
        if len(self._codes) >= 1 << 24:  # pragma: no cover - a file of 16 million distinct ids
            raise InputError("too many distinct ids in one file", file=self.fname)
        keys, values, statuses, lines = (np.concatenate(c) for c in zip(*self._parts, strict=True))
        self._parts = []
        order = np.argsort(keys, kind="stable")  # rows of one key stay in file order
        same = keys[order][1:] == keys[order][:-1]
        if not same.any():
            return
        values, statuses, lines = values[order], statuses[order], lines[order]
        other_value = (values[1:] != values[:-1]) & ~(np.isnan(values[1:]) & np.isnan(values[:-1]))
        other_status = statuses[1:] != statuses[:-1]
        conflicts = np.flatnonzero(same & (other_value | other_status))
        if not conflicts.size:
            return
        at = conflicts[np.argmin(lines[conflicts + 1])]  # the earliest line that contradicts an earlier one
        raise InputError(
            f"{DUPLICATE_MESSAGE} (line {lines[at]})",
            file=self.fname,
            line=int(lines[at + 1]),
            field="value" if other_value[at] else "status",
        )


_GENDER_BITS = {"T": 0, "K": 1, "M": 2}
DUPLICATE_MESSAGE = "two rows give different values for the same kpi, municipality, year and gender"


def _first_undecodable_line(path: Path) -> int | None:
    """The line of the first bytes that are not UTF-8 (the text layer decodes ahead of the CSV reader, so
    the reader's line is not where the fault is)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def read_values_in_background(
    path: Path, on_bad_row: BadRowHandler | None = None, **kw: Any
) -> Iterator[list[ValueRow]]:
    """:func:`read_values` in a child process, so that parsing overlaps the caller's database writes.
    Each batch is a :class:`ValueBatch`, its columns made in the child too.

    Parsing a values file is pure Python and the writes hold the GIL while binding parameters, so a
    thread does not help; a second process does. It is started with ``spawn`` (a fresh interpreter
    running :func:`_reader_main`, which only imports this module) on every platform: the same code path
    as on Windows, which has no ``fork``, and no copy of the caller's threads, locks or database
    connections. Batches come back pickled through a pipe; an :class:`InputError` in the child is raised
    again in the caller, and rejected rows are handed to ``on_bad_row`` here.
    """
    import multiprocessing as mp
    import pickle

    ctx = mp.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_reader_main, args=(str(path), sender, on_bad_row is not None, kw), name="kk-read-values", daemon=True
    )
    proc.start()
    sender.close()
    finished = False
    try:
        while True:
            try:
                kind, payload, errors = pickle.loads(receiver.recv_bytes())
            except EOFError:
                raise InputError("the reader process ended without an answer", file=str(path)) from None
            rebuilt = [InputError(reason, file=f, line=line, field=fld) for reason, f, line, fld in errors]
            if kind == "error":
                raise rebuilt[0]
            if kind == "crash":
                raise RuntimeError(f"reading {path} failed: {payload}")
            if on_bad_row is not None:
                for err in rebuilt:
                    on_bad_row(err)
            if kind == "done":
                finished = True
                return
            yield payload
    finally:
        receiver.close()
        proc.join(timeout=5 if finished else 0)  # a finished reader exits by itself; a stopped one is ended
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _reader_main(path: str, sender: Any, collect_bad: bool, kw: dict[str, Any]) -> None:
    """The reader process: batches of :func:`read_values`, each pickled with the rows it rejected."""
    import pickle

    bad: list[InputError] = []
    try:
        for rows in read_values(Path(path), on_bad_row=bad.append if collect_bad else None, **kw):
            batch = ValueBatch(rows)
            batch.columns = value_columns(rows)  # here, beside the caller's writes, not in the caller
            sender.send_bytes(pickle.dumps(("rows", batch, _errors(bad)), protocol=pickle.HIGHEST_PROTOCOL))
            bad.clear()
        sender.send_bytes(pickle.dumps(("done", None, _errors(bad))))
    except InputError as err:
        sender.send_bytes(pickle.dumps(("error", None, _errors([err]))))
    except BaseException as exc:  # anything else: say what it was
        sender.send_bytes(pickle.dumps(("crash", f"{type(exc).__name__}: {exc}", [])))
    finally:
        sender.close()


def _errors(errors: list[InputError]) -> list[tuple[str, str | None, int | None, str | None]]:
    return [(e.reason, e.file, e.line, e.field) for e in errors]
