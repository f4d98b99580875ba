""":class:`reports.tables.Table` s as an Excel workbook (openpyxl), one sheet per table.

Each sheet: the title (bold), the source line, the lines about the table, an empty row, then the table
as an Excel table (with its filter buttons) under a frozen header, then the published commentary.
Cells are typed: numbers are numbers at full precision with the number format the page shows
(``#,##0.0`` for one decimal, which Swedish Excel shows as "1 234,5"; years and ranks as ``0``), text is
text (never a formula, whatever a user wrote), a missing value is an empty cell with its reason in the
status column. Column widths follow the content.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from kommunkvalitet.reports.tables import INTEGER, NUMBER, Table

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_WIDE = 40  # text columns at least this wide wrap their text
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def number_format(decimals: int) -> str:
    """The format of a value with ``decimals`` decimals as the page shows it: "#,##0", "#,##0.0" ..."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None):
    cell = ws.cell(row=row, column=col)
    if value is None or value == "":
        return cell
    if fmt is None:
        cell.value = _text(value)
        cell.data_type = "s"  # text starting with "=" stays text, never a formula
    else:
        cell.value = value
        cell.number_format = fmt
    return cell


def _sheet(ws: Worksheet, table: Table, index: int) -> None:
    ws.title = _SHEET_NAME.sub("-", table.sheet)[:31]
    _put(ws, 1, 1, table.title).font = _TITLE
    r = 2
    for line in (table.source, *table.lines):
        _put(ws, r, 1, line)
        r += 1
    header = r + 1
    widths = []
    for col, column in enumerate(table.columns, start=1):
        cell = _put(ws, header, col, column.header)
        cell.font, cell.alignment = _BOLD, _WRAP
        widths.append(column.width)
    for i, row in enumerate(table.rows, start=header + 1):
        decimals = max(int(row.get("decimals", 0)), 0)
        for col, column in enumerate(table.columns, start=1):
            value = row.get(column.key)
            if column.kind == NUMBER:
                fmt = number_format(decimals if column.decimals is None else column.decimals)
                _put(ws, i, col, None if value is None else float(value), fmt)
            elif column.kind == INTEGER:
                _put(ws, i, col, None if value is None else int(value), "0")
            elif column.width >= _WIDE:
                _put(ws, i, col, value).alignment = _WRAP
            elif value:  # a style costs a lookup per cell: only the wide columns wrap
                _put(ws, i, col, value)
                widths[col - 1] = max(widths[col - 1], min(len(str(value)) + 2, _WIDE))
    last = header + max(len(table.rows), 1)
    ref = f"A{header}:{get_column_letter(len(table.columns))}{last}"
    if table.rows:
        excel_table = ExcelTable(displayName=f"Tabell{index}", ref=ref)
        excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(excel_table)
    else:
        ws.auto_filter.ref = ref
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    r = last + 2
    for note in table.notes:
        for paragraph in note.split("\n"):
            _put(ws, r, 1, paragraph)
            r += 1


def workbook(tables: Sequence[Table]) -> bytes:
    """An .xlsx file with one sheet per table, in order."""
    book = Workbook()
    for index, table in enumerate(tables, start=1):
        ws = book.active if index == 1 else book.create_sheet()
        _sheet(ws, table, index)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
