"""The CSV and Excel forms of the report pages (``<page>_csv``, ``<page>_plain_csv``, ``<page>_xlsx``).

Each function takes the objects its page's view already has (the same the JSON twin is built from),
turns the published commentary into plain text (never a draft: only ``published_text`` is read) and
answers with the file built by :mod:`reports.tables`, :mod:`reports.delimited` and :mod:`reports.excel`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from kommunkvalitet.reports import delimited, excel, tables
from kommunkvalitet.reports.filenames import filename, who
from kommunkvalitet.web import markup

FORMATS = ("csv", "plain_csv", "xlsx")
MIME = {
    "csv": "text/csv; charset=utf-8",
    "plain_csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _lang() -> str:
    return "en" if (get_language() or "sv").startswith("en") else "sv"


def _plain(text: str) -> str:
    return markup.for_json(text)["plain"]


def attachment(body: bytes | str, mime: str, name: str) -> HttpResponse:
    """A file to save under ``name`` (every download of a page is named by :mod:`reports.filenames`)."""
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _file(fmt: str, name: tuple, build: Callable[[bool], Sequence[tables.Table]]) -> HttpResponse:
    """``name``: the arguments of :func:`reports.filenames.filename` after the format; ``build(plain)``:
    the tables of the file; a CSV is the first of them."""
    found = build(fmt == "plain_csv")
    if fmt == "xlsx":
        body = excel.workbook(found)
    else:
        body = (delimited.plain_csv if fmt == "plain_csv" else delimited.excel_csv)(found[0])
    return attachment(body, MIME[fmt], filename(fmt, *name))


def _comments(texts: Mapping) -> dict[str, str]:
    """KPI ("" for the area) -> the published text as plain text."""
    return {kpi: _plain(c.published_text) for kpi, c in texts.items() if c.published_text}


def area(fmt: str, report, texts: Mapping) -> HttpResponse:
    """An area report; ``texts``: its published commentary (store.commentary.published_for)."""
    comments, lang = _comments(texts), _lang()
    name = ("kkik", report.edition, who(report.municipality), report.area.id)
    return _file(fmt, name, lambda plain: [tables.area_table(report, comments, lang, plain=plain)])


def edition(fmt: str, reports: Sequence, overview, texts: Mapping[str, Mapping]) -> HttpResponse:
    """A whole KKiK edition: the CSVs as one table of every measure, the workbook an overview sheet, a
    sheet of the biggest improvements and declines, and one sheet per area. ``texts``: area id -> its published commentary."""
    comments = {area_id: _comments(t) for area_id, t in texts.items()}
    lang = _lang()
    name = ("kkik", reports[0].edition, who(reports[0].municipality))

    def build(plain: bool) -> list[tables.Table]:
        if fmt != "xlsx":
            return [tables.edition_table(reports, comments, lang, plain=plain)]
        areas = [tables.area_table(r, comments.get(r.area.id, {}), lang) for r in reports]
        return [tables.overview_table(reports, overview, lang), tables.changes_table(reports, overview, lang), *areas]

    return _file(fmt, name, build)


def measure(fmt: str, page) -> HttpResponse:
    lang = _lang()
    return _file(
        fmt, ("nyckeltal", page.year, page.info.id), lambda plain: [tables.measure_table(page, lang, plain=plain)]
    )


def goals(fmt: str, report, goal=None) -> HttpResponse:
    """The goal report, or one ``goal`` (a node of it) with its sub-goals: the CSVs one row per indicator
    beside its goal, the workbook a sheet of goals and one of indicators."""
    name: tuple = ("mal", report.year, who(report.municipality))
    nodes = report.nodes() if goal is None else _subtree(goal)
    if goal is not None:
        name += (f"mal-{goal.goal.pk}",)
    comments = {n.goal.pk: _plain(n.text.published_text) for n in nodes if n.text and n.text.published_text}
    lang = _lang()

    def build(plain: bool) -> list[tables.Table]:
        if fmt == "xlsx":
            return list(tables.goal_tables(report, comments, lang, nodes=nodes))
        return [tables.goal_table(report, comments, lang, plain=plain, nodes=nodes)]

    return _file(fmt, name, build)


def _subtree(node) -> list:
    """A goal and its sub-goals, depth first (the order of the report)."""
    return [node, *(n for child in node.children for n in _subtree(child))]
