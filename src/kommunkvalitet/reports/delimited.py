"""A :class:`reports.tables.Table` as CSV, in two forms.

- **For Excel** (``excel_csv``): what Swedish Excel opens with a double click, without the import wizard:
  UTF-8 with a byte-order mark, semicolons, the decimal comma, CRLF. The title, the source line and the
  lines about the table come first, then an empty line, the header and the rows, then the published
  commentary. Numbers are written as the page shows them (rounded half away from zero to the measure's
  decimals, :func:`core.formatting.shown`), with no thousands separator and no unit in the cell (the unit
  has its own column), so Excel reads them as numbers. A missing value is an empty cell with its reason in
  the status column. Text that Excel would take for a formula (``=``, ``+``, ``-``, ``@`` first) gets a
  leading apostrophe.
- **Plain** (``plain_csv``): for programs. Comma, decimal point, no byte-order mark, one header row of
  stable English column names and nothing else; what the table is about (the municipality, the year, the
  area) and the source are columns repeated on every row; numbers at full precision; codes, not words.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from kommunkvalitet.core.formatting import shown
from kommunkvalitet.reports.tables import INTEGER, NUMBER, Column, Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _swedish(column: Column, row: dict) -> str:
    value = row.get(column.key)
    if value is None or value == "":
        return ""
    if column.kind == NUMBER:
        decimals = max(int(row.get("decimals", 0)), 0) if column.decimals is None else column.decimals
        return f"{shown(value, decimals):.{decimals}f}".replace(".", ",")
    if column.kind == INTEGER:
        return str(int(value))
    return _text(value)


def excel_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for line in (table.title, table.source, *table.lines):
        writer.writerow([_text(line)])
    writer.writerow([])
    writer.writerow([c.header for c in table.columns])
    writer.writerows([_swedish(c, row) for c in table.columns] for row in table.rows)
    if table.notes:
        writer.writerow([])
        writer.writerows([_text(note)] for note in table.notes)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _plain(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == NUMBER:
        return repr(float(value))
    if column.kind == INTEGER:
        return str(int(value))
    return str(value)


def plain_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c, _ in table.about] + [c.key for c in table.columns] + ["source"])
    about = [_plain(c, v) for c, v in table.about]
    writer.writerows(about + [_plain(c, row.get(c.key)) for c in table.columns] + [table.source] for row in table.rows)
    return out.getvalue().encode("utf-8")
