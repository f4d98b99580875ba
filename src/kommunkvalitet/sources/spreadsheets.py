"""The goal-structure workbook (.xlsx): a goal structure with its indicators, target levels and values
as an Excel file a committee can fill in and send back.

This module knows the file, not the database: it turns a :class:`GoalWorkbook` of plain rows into
the bytes of a workbook (:func:`write_goal_workbook`) and a workbook back into rows
(:func:`read_goal_workbook`). Matching the rows against a structure and writing them is
:mod:`kommunkvalitet.store.goal_sheets`.

The workbook has five sheets, each a table with its header in row 1 (frozen, filterable):

``Om filen``
    what the file is (municipality, year, the structure's id) and how to fill it in.
``Mål``
    one row per goal and sub-goal: id, parent id, perspective, title, committees. Informative.
``Indikatorer``
    one row per indicator: id, goal id, kind, name, KPI id, committee, unit, decimals, direction,
    target kind, tolerance, baseline value and year, source. Informative.
``Målnivåer``
    target levels: indicator id, indicator name, year, level. The level is filled in.
``Värden``
    values: indicator id, indicator name, year, period (``helår``/``delår``), value, reference value,
    note. Value, reference and note are filled in; new rows may be added.

The ids are the database ids, so that an import can match every row. An empty number cell is "no
value", never zero. Numbers are real number cells; a text cell holding a number the Swedish way
("12,5", "1 234,5", "−3") is read as that number. Anything else in a number cell is an error.

Every error is an :class:`~kommunkvalitet.errors.InputError` whose message names the file, the sheet,
the row and the column, e.g. ``mål.xlsx, blad 'Värden', rad 7, kolumn E ('Värde'): väntade ett tal,
fick 'tolv'``; its ``file`` is the file name, ``line`` the row and ``field`` ``"Värden!E (Värde)"``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kommunkvalitet import config
from kommunkvalitet.core.formatting import parse_number
from kommunkvalitet.errors import InputError

ABOUT = "Om filen"
GOALS = "Mål"
INDICATORS = "Indikatorer"
TARGETS = "Målnivåer"
VALUES = "Värden"
REQUIRED_SHEETS = (GOALS, INDICATORS, TARGETS, VALUES)

MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_ABS = 1e12  # larger numbers are typing mistakes (the store refuses them too)

# Periods: the code the store uses -> the word in the file.
PERIOD_LABELS = {"year": "helår", "interim": "delår"}
_PERIOD_CODES = {label: code for code, label in PERIOD_LABELS.items()} | {code: code for code in PERIOD_LABELS}

# The label of the structure id in the 'Om filen' sheet (column A; the id is in column B).
STRUCTURE_ID_LABEL = "Målstrukturens id"

_VALIDATION_ROWS = 2000  # data validation reaches this far down, so rows a committee adds are checked too


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its key (the row attribute), header, width and whether it is filled in."""

    key: str
    header: str
    width: int
    editable: bool = False


COLUMNS: dict[str, tuple[Column, ...]] = {
    GOALS: (
        Column("id", "Mål-id", 9),
        Column("parent_id", "Överordnat mål-id", 12),
        Column("perspective", "Perspektiv", 24),
        Column("title", "Mål", 60),
        Column("committees", "Nämnder", 36),
    ),
    INDICATORS: (
        Column("id", "Indikator-id", 11),
        Column("goal_id", "Mål-id", 9),
        Column("kind", "Slag", 24),
        Column("name", "Indikator", 56),
        Column("kpi_id", "Nyckeltal (Kolada-id)", 14),
        Column("committee", "Nämnd", 28),
        Column("unit", "Enhet", 10),
        Column("decimals", "Decimaler", 10),
        Column("direction", "Riktning", 18),
        Column("target_kind", "Typ av mål", 28),
        Column("tolerance", "Tolerans", 10),
        Column("baseline_value", "Utgångsvärde", 13),
        Column("baseline_year", "Utgångsår", 11),
        Column("source", "Källa", 36),
    ),
    TARGETS: (
        Column("indicator_id", "Indikator-id", 11),
        Column("indicator_name", "Indikator", 56),
        Column("year", "År", 8),
        Column("level", "Målnivå", 13, editable=True),
    ),
    VALUES: (
        Column("indicator_id", "Indikator-id", 11),
        Column("indicator_name", "Indikator", 56),
        Column("year", "År", 8),
        Column("period", "Period", 10),
        Column("value", "Värde", 13, editable=True),
        Column("reference", "Referensvärde", 14, editable=True),
        Column("note", "Anteckning", 48, editable=True),
    ),
    ABOUT: (Column("label", "", 28), Column("value", "", 90)),
}


# --- the rows -------------------------------------------------------------------------------------
# ``row`` is the row of the sheet a record was read from (0 when it was not read from a file); it
# does not take part in comparisons.


@dataclass(frozen=True)
class GoalRow:
    """A goal (``parent_id`` empty) or a sub-goal. ``committees``: names, comma-separated."""

    id: int
    parent_id: int | None = None
    perspective: str = ""
    title: str = ""
    committees: str = ""
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IndicatorRow:
    """An indicator as the file shows it; ``kind``, ``direction`` and ``target_kind`` are the words
    shown to people (the store writes them; the import does not read them back)."""

    id: int
    goal_id: int | None = None
    kind: str = ""
    name: str = ""
    kpi_id: str = ""
    committee: str = ""
    unit: str = ""
    decimals: int | None = None
    direction: str = ""
    target_kind: str = ""
    tolerance: float | None = None
    baseline_value: float | None = None
    baseline_year: int | None = None
    source: str = ""
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class TargetRow:
    """The target level of an indicator for a year; ``level`` None = no target (an empty cell)."""

    indicator_id: int
    year: int
    level: float | None = None
    indicator_name: str = ""
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ValueRow:
    """A value of an indicator for a year and period (``"year"`` or ``"interim"``); empty = None."""

    indicator_id: int
    year: int
    period: str = "year"
    value: float | None = None
    reference: float | None = None
    note: str = ""
    indicator_name: str = ""
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class GoalWorkbook:
    """A whole workbook. ``structure_id`` is the database id of the structure it was exported from
    (None when the 'Om filen' sheet does not give one); ``structure_id_row`` is its row there."""

    structure_id: int | None = None
    municipality: str = ""  # "1463 Mark"
    year: int | None = None
    title: str = ""
    goals: tuple[GoalRow, ...] = ()
    indicators: tuple[IndicatorRow, ...] = ()
    targets: tuple[TargetRow, ...] = ()
    values: tuple[ValueRow, ...] = ()
    structure_id_row: int = field(default=0, compare=False)


# --- errors ---------------------------------------------------------------------------------------


def cell_error(file: str, sheet: str, row: int, key: str, reason: str) -> InputError:
    """An :class:`InputError` for one cell: the message names file, sheet, row, column letter and
    header; ``file``, ``line`` (the row) and ``field`` (``"<sheet>!<letter> (<header>)"``) are set too.

    ``key`` is a column key of :data:`COLUMNS` (or a column letter)."""
    letter, header = _column(sheet, key)
    where = f"kolumn {letter} ('{header}')" if header else f"kolumn {letter}"
    err = InputError(f"{file}, blad '{sheet}', rad {row}, {where}: {reason}")
    err.file, err.line, err.reason = file, row, reason
    err.field = f"{sheet}!{letter} ({header})" if header else f"{sheet}!{letter}"
    return err


def sheet_error(file: str, sheet: str, reason: str) -> InputError:
    """An :class:`InputError` for a whole sheet (one that is missing, say)."""
    err = InputError(f"{file}, blad '{sheet}': {reason}")
    err.file, err.field, err.reason = file, sheet, reason
    return err


def _column(sheet: str, key: str) -> tuple[str, str]:
    for i, col in enumerate(COLUMNS.get(sheet, ()), start=1):
        if col.key == key:
            return get_column_letter(i), col.header
    return key, ""


# --- writing --------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_INFO_FILL = PatternFill("solid", fgColor="E7E6E6")  # header of a column that is only informative
_EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")  # a column to fill in (header and cells)
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_goal_workbook(book: GoalWorkbook) -> bytes:
    """The bytes of an .xlsx workbook holding ``book``: the five sheets described in the module doc,
    numbers as number cells, empty cells for missing values, data validation on the cells a
    committee fills in."""
    wb = Workbook()
    _write_about(wb.active, book)
    goals = wb.create_sheet(GOALS)
    _write_table(goals, [[g.id, g.parent_id, g.perspective, g.title, g.committees] for g in book.goals])
    indicators = wb.create_sheet(INDICATORS)
    _write_table(
        indicators,
        [
            [i.id, i.goal_id, i.kind, i.name, i.kpi_id, i.committee, i.unit, i.decimals, i.direction,
             i.target_kind, i.tolerance, i.baseline_value, i.baseline_year, i.source]
            for i in book.indicators
        ],
    )  # fmt: skip
    targets = wb.create_sheet(TARGETS)
    _write_table(targets, [[t.indicator_id, t.indicator_name, t.year, t.level] for t in book.targets])
    _validate(targets, "A", _whole(1, 2**31 - 1, "ett indikator-id (ett heltal)"))
    _validate(targets, "C", _whole(MIN_YEAR, MAX_YEAR, f"ett år mellan {MIN_YEAR} och {MAX_YEAR}"))
    _validate(targets, "D", _decimal())
    values = wb.create_sheet(VALUES)
    _write_table(
        values,
        [
            [v.indicator_id, v.indicator_name, v.year, PERIOD_LABELS.get(v.period, v.period), v.value, v.reference,
             v.note or None]
            for v in book.values
        ],
    )  # fmt: skip
    _validate(values, "A", _whole(1, 2**31 - 1, "ett indikator-id (ett heltal)"))
    _validate(values, "C", _whole(MIN_YEAR, MAX_YEAR, f"ett år mellan {MIN_YEAR} och {MAX_YEAR}"))
    periods = DataValidation(type="list", formula1='"helår,delår"', allow_blank=False)
    periods.error, periods.errorTitle = "Välj helår eller delår.", "Period"
    _validate(values, "D", periods)
    _validate(values, "E", _decimal())
    _validate(values, "F", _decimal())
    for ws in wb.worksheets:  # a user's text that starts with '=' stays a text, never a formula Excel runs
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_about(ws: Worksheet, book: GoalWorkbook) -> None:
    ws.title = ABOUT
    ws.column_dimensions["A"].width = COLUMNS[ABOUT][0].width
    ws.column_dimensions["B"].width = COLUMNS[ABOUT][1].width
    ws.append([book.title or "Målstruktur"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for label, value in (
        ("Kommun", book.municipality),
        ("År", book.year),
        ("Målstruktur", book.title),
        (STRUCTURE_ID_LABEL, book.structure_id),
    ):
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = _HEADER_FONT
    ws.append([])
    for line in _INSTRUCTIONS:
        ws.append([line[0], line[1]] if isinstance(line, tuple) else [line])
        if isinstance(line, tuple):
            ws.cell(ws.max_row, 1).font = _HEADER_FONT
            ws.cell(ws.max_row, 2).alignment = _WRAP


_INSTRUCTIONS: tuple[str | tuple[str, str], ...] = (
    "Så fyller du i filen",
    ("Målnivåer", "Skriv målnivån för varje indikator och år i kolumnen Målnivå."),
    (
        "Värden",
        "Skriv utfallet i kolumnen Värde, och för nyckeltal från annan källa jämförelsevärdet (till exempel "
        "rikssnittet) i kolumnen Referensvärde. En anteckning får skrivas i kolumnen Anteckning. "
        "Period är helår eller delår. Du kan lägga till rader för nya år: skriv indikatorns id, år och period.",
    ),
    ("Tomma celler", "En tom cell betyder att värdet saknas (inte noll). Töms en cell tas värdet bort."),
    ("Tal", "Skriv tal som tal, med decimalkomma (12,5). Text som inte är ett tal godtas inte."),
    (
        "Gula kolumner",
        "Bara de gula kolumnerna läses in. Bladen Mål och Indikatorer visar strukturen; ändringar där läses "
        "inte in (mål och indikatorer ändras i programmet). Ändra inte id-kolumnerna.",
    ),
    (
        "Nyckeltal från Kolada",
        "Värdena för nyckeltal från Kolada hämtas från Kolada och skrivs inte i filen.",
    ),
    (
        "Inläsning",
        "Filen läses in i sin helhet eller inte alls: är en cell fel sägs vilket blad, vilken rad och "
        "vilken kolumn, och ingenting ändras. Rader som tagits bort ur filen lämnas orörda.",
    ),
)


def _write_table(ws: Worksheet, rows: Sequence[Sequence[object]]) -> None:
    columns = COLUMNS[ws.title]
    ws.append([c.header for c in columns])
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(1, i)
        cell.font = _HEADER_FONT
        cell.fill = _EDIT_FILL if col.editable else _INFO_FILL
        ws.column_dimensions[get_column_letter(i)].width = col.width
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    for i, col in enumerate(columns, start=1):
        if col.editable:
            for r in range(2, ws.max_row + 1):
                ws.cell(r, i).fill = _EDIT_FILL
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 2)}"


def _whole(low: int, high: int, what: str) -> DataValidation:
    dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
    dv.error, dv.errorTitle = f"Skriv {what}.", "Heltal"
    return dv


def _decimal() -> DataValidation:
    dv = DataValidation(
        type="decimal", operator="between", formula1=str(-int(MAX_ABS)), formula2=str(int(MAX_ABS)), allow_blank=True
    )
    dv.error, dv.errorTitle = "Skriv ett tal, eller lämna cellen tom om värdet saknas.", "Tal"
    return dv


def _validate(ws: Worksheet, letter: str, dv: DataValidation) -> None:
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{_VALIDATION_ROWS}")


# --- reading --------------------------------------------------------------------------------------


def read_goal_workbook(data: bytes | str | Path, name: str) -> GoalWorkbook:
    """Read a goal workbook (its bytes, or the path of the file) into a :class:`GoalWorkbook`.

    ``name`` is the file name errors give. Every cell the rows hold is checked; the first broken
    one raises :class:`InputError` naming sheet, row and column. Also refused: a file that is not
    an .xlsx workbook, a missing sheet, a changed header, a row without an id or year, an id given
    twice, a target or value row that repeats an earlier one. Empty rows are skipped; columns after
    the known ones are ignored (room for a committee's own remarks)."""
    check_workbook(data, name)
    try:
        source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else Path(data)
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a zoo of exceptions for a file that is not a workbook
        raise InputError(
            f"filen går inte att läsa som en Excel-arbetsbok (.xlsx) ({type(exc).__name__})", file=name
        ) from None
    try:
        for sheet in REQUIRED_SHEETS:
            if sheet not in wb.sheetnames:
                raise sheet_error(
                    name, sheet, f"bladet saknas (arbetsboken har {', '.join(repr(s) for s in wb.sheetnames)})"
                )
        reader = _Reader(name)
        about = reader.about(wb[ABOUT]) if ABOUT in wb.sheetnames else {}
        goals = tuple(reader.goals(wb[GOALS]))
        indicators = tuple(reader.indicators(wb[INDICATORS]))
        targets = tuple(reader.targets(wb[TARGETS]))
        values = tuple(reader.values(wb[VALUES]))
    finally:
        wb.close()
    return GoalWorkbook(
        structure_id=about.get("structure_id"),
        municipality=about.get("municipality", ""),
        year=about.get("year"),
        title=about.get("title", ""),
        goals=goals,
        indicators=indicators,
        targets=targets,
        values=values,
        structure_id_row=about.get("structure_id_row", 0),
    )


_MACRO_PARTS = ("vbaproject.bin", "vbaprojectsignature.bin")


def check_workbook(data: bytes | str | Path, name: str, max_unpacked: int | None = None) -> None:
    """Refuse, before openpyxl reads it, a file that is not an .xlsx package, one with macros (an .xlsm
    workbook renamed, or any VBA project) and one that unpacks to more than ``max_unpacked`` bytes
    (default ``KOMMUNKVALITET_UPLOAD_MAX_UNPACKED_MB``). The parts are unpacked, not their declared
    sizes trusted (a zip bomb may lie in its headers), and unpacking stops at the limit."""
    limit = config.upload_max_unpacked_bytes() if max_unpacked is None else max_unpacked
    try:
        source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else Path(data)
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            names = {i.filename.lower() for i in infos}
            if "[content_types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise InputError("filen är ingen Excel-arbetsbok (.xlsx)", file=name)
            total = 0
            for info in infos:
                with zf.open(info) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise InputError(
                                f"filen packas upp till mer än {limit // (1024 * 1024)} MB och läses inte "
                                "(en målfil är sällan större än någon MB)",
                                file=name,
                            )
            types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in zf.namelist() else b""
            if b"macroenabled" in types.lower() or any(n.rsplit("/", 1)[-1] in _MACRO_PARTS for n in names):
                raise InputError(
                    "filen innehåller makron (en .xlsm-arbetsbok); spara den som en vanlig Excel-arbetsbok (.xlsx)",
                    file=name,
                )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
    ) as exc:
        raise InputError(
            f"filen går inte att läsa som en Excel-arbetsbok (.xlsx) ({type(exc).__name__})", file=name
        ) from None


class _Reader:
    """Reads the sheets of one file, naming it in errors."""

    def __init__(self, name: str):
        self.name = name

    # rows

    def about(self, ws: Worksheet) -> dict:
        found: dict = {}
        for r, cells in enumerate(ws.iter_rows(min_col=1, max_col=2, values_only=True), start=1):
            label = _plain(cells[0]) if cells else ""
            raw = cells[1] if len(cells) > 1 else None
            cell = _Cell(self.name, ABOUT, r, "value", raw)
            if label == STRUCTURE_ID_LABEL:
                found["structure_id"] = cell.integer(1, 2**63 - 1)
                found["structure_id_row"] = r
            elif label == "Kommun":
                found["municipality"] = cell.text()
            elif label == "Målstruktur":
                found["title"] = cell.text()
            elif label == "År":
                found["year"] = cell.year()
        return found

    def goals(self, ws: Worksheet) -> Iterator[GoalRow]:
        seen: dict[int, int] = {}
        for r, c in self._rows(ws):
            gid = c["id"].integer(1, required="mål-id saknas: nya mål läggs upp i programmet, inte i filen")
            self._once(seen, gid, r, GOALS, "id", "mål-id")
            yield GoalRow(
                id=gid, parent_id=c["parent_id"].integer(1), perspective=c["perspective"].text(),
                title=c["title"].text(), committees=c["committees"].text(), row=r,
            )  # fmt: skip

    def indicators(self, ws: Worksheet) -> Iterator[IndicatorRow]:
        seen: dict[int, int] = {}
        for r, c in self._rows(ws):
            iid = c["id"].integer(
                1, required="indikator-id saknas: nya indikatorer läggs upp i programmet, inte i filen"
            )
            self._once(seen, iid, r, INDICATORS, "id", "indikator-id")
            yield IndicatorRow(
                id=iid, goal_id=c["goal_id"].integer(1), kind=c["kind"].text(), name=c["name"].text(),
                kpi_id=c["kpi_id"].text(), committee=c["committee"].text(), unit=c["unit"].text(),
                decimals=c["decimals"].integer(0, 10), direction=c["direction"].text(),
                target_kind=c["target_kind"].text(), tolerance=c["tolerance"].number(),
                baseline_value=c["baseline_value"].number(), baseline_year=c["baseline_year"].year(),
                source=c["source"].text(), row=r,
            )  # fmt: skip

    def targets(self, ws: Worksheet) -> Iterator[TargetRow]:
        seen: dict[tuple, int] = {}
        for r, c in self._rows(ws):
            row = TargetRow(
                indicator_id=c["indicator_id"].integer(1, required="indikator-id saknas"),
                year=c["year"].year(required=True),
                level=c["level"].number(),
                indicator_name=c["indicator_name"].text(),
                row=r,
            )
            self._once(seen, (row.indicator_id, row.year), r, TARGETS, "indicator_id", "samma indikator och år")
            yield row

    def values(self, ws: Worksheet) -> Iterator[ValueRow]:
        seen: dict[tuple, int] = {}
        for r, c in self._rows(ws):
            row = ValueRow(
                indicator_id=c["indicator_id"].integer(1, required="indikator-id saknas"),
                year=c["year"].year(required=True),
                period=c["period"].period(),
                value=c["value"].number(),
                reference=c["reference"].number(),
                note=c["note"].text(),
                indicator_name=c["indicator_name"].text(),
                row=r,
            )
            key = (row.indicator_id, row.year, row.period)
            self._once(seen, key, r, VALUES, "indicator_id", "samma indikator, år och period")
            yield row

    # helpers

    def _rows(self, ws: Worksheet) -> Iterator[tuple[int, dict[str, _Cell]]]:
        """``(row number, {key: cell})`` of every non-empty row below a checked header."""
        columns = COLUMNS[ws.title]
        rows = ws.iter_rows(min_col=1, max_col=len(columns), values_only=True)
        header = next(rows, ())
        for i, col in enumerate(columns):
            got = header[i] if i < len(header) else None
            if _plain(got).casefold() != col.header.casefold():
                shown = f"'{got}'" if _plain(got) else "en tom cell"
                raise cell_error(self.name, ws.title, 1, col.key, f"väntade rubriken '{col.header}', fick {shown}")
        for r, cells in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            padded = tuple(cells) + (None,) * (len(columns) - len(cells))
            yield r, {col.key: _Cell(self.name, ws.title, r, col.key, padded[i]) for i, col in enumerate(columns)}

    def _once(self, seen: dict, key: object, row: int, sheet: str, column: str, what: str) -> None:
        if key in seen:
            shown = f"{what} {key}" if not isinstance(key, tuple) else what
            raise cell_error(self.name, sheet, row, column, f"{shown} finns redan på rad {seen[key]}")
        seen[key] = row


@dataclass(frozen=True)
class _Cell:
    """One cell's raw value and where it is, with the parsers that name it when they fail."""

    file: str
    sheet: str
    row: int
    key: str
    raw: object

    def error(self, reason: str) -> InputError:
        return cell_error(self.file, self.sheet, self.row, self.key, reason)

    @property
    def empty(self) -> bool:
        return self.raw is None or (isinstance(self.raw, str) and not self.raw.strip())

    def text(self) -> str:
        return _plain(self.raw)

    def number(self) -> float | None:
        """A finite number, or None for an empty cell."""
        if self.empty:
            return None
        raw = self.raw
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise self.error(f"väntade ett tal, fick {_shown(raw)}")
        if not isinstance(raw, str) and not math.isfinite(raw):
            raise self.error(f"väntade ett ändligt tal, fick {_shown(raw)}")
        try:
            value = parse_number(raw) if isinstance(raw, str) else float(raw)
        except ValueError:
            raise self.error(f"väntade ett tal, fick {_shown(raw)}") from None
        if abs(value) > MAX_ABS:
            raise self.error(f"talet {_shown(raw)} är orimligt stort")
        return value

    def integer(self, low: int = 0, high: int = 2**63 - 1, *, required: str | None = None) -> int | None:
        """A whole number between ``low`` and ``high``; None for an empty cell unless ``required``
        (then the error says that text)."""
        if self.empty:
            if required:
                raise self.error(required)
            return None
        try:
            value = self.number()
        except InputError:
            raise self.error(f"väntade ett heltal, fick {_shown(self.raw)}") from None
        if value is None or not value.is_integer():
            raise self.error(f"väntade ett heltal, fick {_shown(self.raw)}")
        if not low <= value <= high:
            raise self.error(f"väntade ett heltal mellan {low} och {high}, fick {_shown(self.raw)}")
        return int(value)

    def year(self, *, required: bool = False) -> int | None:
        """A year between 1990 and 2100."""
        if self.empty:
            if required:
                raise self.error("året saknas")
            return None
        try:
            value = self.integer()
        except InputError:
            raise self.error(f"väntade ett år, fick {_shown(self.raw)}") from None
        if not MIN_YEAR <= value <= MAX_YEAR:
            raise self.error(f"väntade ett år mellan {MIN_YEAR} och {MAX_YEAR}, fick {_shown(self.raw)}")
        return value

    def period(self) -> str:
        """``"year"`` for 'helår', ``"interim"`` for 'delår'."""
        if self.empty:
            raise self.error("perioden saknas: skriv helår eller delår")
        code = _PERIOD_CODES.get(_plain(self.raw).casefold())
        if code is None:
            raise self.error(f"väntade 'helår' eller 'delår', fick {_shown(self.raw)}")
        return code


def _plain(raw: object) -> str:
    """A cell as text: numbers without a trailing '.0', dates as ISO dates, None as ''."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _shown(raw: object) -> str:
    if isinstance(raw, bool):
        return "SANT" if raw else "FALSKT"
    if isinstance(raw, str):
        return repr(raw) if len(raw) <= 40 else repr(raw[:37] + "...")
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        return f"ett datum ({raw.isoformat()})"
    return _plain(raw)
