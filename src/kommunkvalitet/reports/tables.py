"""The tables of the pages as downloads: one plain table model, built from the same objects as the
pages' JSON twins (store.report's AreaReport, store.measure's MeasurePage, store.goals' GoalReport), and
written by :mod:`reports.delimited` (CSV for Swedish Excel and plain CSV) and :mod:`reports.excel`.

A :class:`Table` is columns and rows of typed values (text, numbers with the decimals the page shows,
whole numbers; None = empty), what the whole table is about (``about``: the municipality, the year, the
area; the plain CSV repeats them as leading columns, the others say them in the title), lines under the
title and notes after the table (the published commentary). Codes become words here (core.vocabulary):
the band as "Bland de 25 procent bästa", a missing value as empty with its reason in the status column.
The builders receive commentary as plain text that the caller took from the published texts only, so a
draft cannot reach a download.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kommunkvalitet.core import vocabulary
from kommunkvalitet.core.formatting import NBSP, format_value
from kommunkvalitet.core.goals_text import assessment_word, reason_text, target_text

#: What every download says about its source (the goal report adds the municipality's own figures).
SOURCE = "Källa: Kolada; bearbetning: kommunkvalitet"

TEXT, NUMBER, INTEGER = "text", "number", "integer"


@dataclass(frozen=True)
class Column:
    key: str  # stable English name: the plain CSV's header and the key of a row
    header: str  # the Swedish header (gettext) of the CSV for Excel and of the Excel sheet
    kind: str = TEXT  # text | number (with the row's "decimals") | integer
    width: int = 12  # a guide for the Excel column width, in characters
    decimals: int | None = None  # a number column's own decimals (else the row's "decimals")


@dataclass
class Table:
    sheet: str  # the Excel sheet's name (at most 31 characters)
    title: str
    columns: list[Column]
    rows: list[dict]  # column key -> value; number columns use the row's "decimals"
    about: list[tuple[Column, object]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # under the title and the source line
    notes: list[str] = field(default_factory=list)  # after the table: the published commentary
    source: str = SOURCE


def _word(kind: str, code: str | None, lang: str) -> str:
    return vocabulary.label(kind, code, lang) if code else ""


def unit_symbol(unit: str, lang: str = "sv") -> str:
    """What the page writes after a number of this unit: "%", "dagar", "kr/inv"; "" for a bare number."""
    text = format_value(2.0, unit, 0, lang)
    return "%" if unit == "percent" else text.split(NBSP, 1)[1] if NBSP in text else ""


# --- the KKiK area report and the whole edition ------------------------------------------------------


def _measure_columns() -> list[Column]:
    return [
        Column("kpi", _("Nyckeltal (Kolada-id)"), width=10),
        Column("label", _("Mått"), width=50),
        Column("data_year", _("Dataår"), INTEGER, width=8),
        Column("value", _("Värde"), NUMBER, width=10),
        Column("unit", _("Enhet"), width=10),
        Column("status", _("Status (varför värde saknas eller inte jämförs)"), width=30),
        Column("band", _("Bland kommunerna"), width=28),
        Column("rank", _("Placering"), INTEGER, width=10),
        Column("n", _("Antal kommuner med värde"), INTEGER, width=10),
        Column("national_mean", _("Rikssnitt (ovägt medel)"), NUMBER, width=12),
        Column("riket", _("Riket"), NUMBER, width=10),
        Column("previous_year", _("Föregående år"), INTEGER, width=10),
        Column("previous_value", _("Föregående värde"), NUMBER, width=12),
        Column("change", _("Förändring"), NUMBER, width=12),
        Column("trend", _("Utveckling"), width=16),
        Column("direction", _("Riktning"), width=24),
        Column("commentary", _("Kommunens kommentar"), width=60),
    ]


def _status(finding, lang: str) -> tuple[str, str]:
    """(code, words) of why a value is missing or not compared; ("", "") for a compared value."""
    if finding.implausible:
        return finding.implausible, _word("implausible", finding.implausible, lang)
    if finding.value is None:
        code = finding.gap if finding.gap in vocabulary.WORDS["gap"] else "unknown"
        return code, _word("gap", code, lang)
    return "", ""


def _measure_row(finding, comment: str, lang: str, *, plain: bool) -> dict:
    f = finding
    status_code, status_words = _status(f, lang)
    return {
        "decimals": f.decimals,
        "kpi": f.kpi,
        "label": f.label if lang == "sv" else f.label_en,
        "data_year": f.year,
        "value": f.value,
        "unit": f.unit if plain else unit_symbol(f.unit, lang),
        "status": status_code if plain else status_words,
        "band": (f.band or "") if plain else _word("band", f.band, lang),
        "rank": f.rank,
        "n": f.n,
        "national_mean": f.national_mean,
        "riket": f.riket,
        "previous_year": f.previous_year,
        "previous_value": f.previous_value,
        "change": f.change,
        "trend": (f.trend or "") if plain else _word("trend", f.trend, lang),
        "direction": f.direction if plain else _word("direction", f.direction, lang),
        "commentary": comment,
    }


def _about_area(report) -> list[tuple[Column, object]]:
    m = report.municipality
    return [
        (Column("municipality_id", _("Kommunkod")), m.id),
        (Column("municipality", _("Kommun")), m.name),
        (Column("edition", _("KKiK-utgåva"), INTEGER), report.edition),
    ]


def _area_name(area, lang: str) -> str:
    return area.name if lang == "sv" else area.name_en


def _years_line(years) -> str:
    return _("Dataår: %(years)s. Rikssnittet är det ovägda medelvärdet av kommunerna med värde.") % {
        "years": ", ".join(str(y) for y in sorted(years))
    }


def _commentary_notes(area_text: str, lang: str, area_name: str | None = None) -> list[str]:
    if not area_text:
        return []
    head = _("Kommunens kommentar")
    return [f"{head} ({area_name}): {area_text}" if area_name else f"{head}: {area_text}"]


def area_table(report, comments: Mapping[str, str], lang: str = "sv", *, plain: bool = False) -> Table:
    """An area of a KKiK edition for one municipality: one row per measure, as the area page's table.
    ``comments``: the published texts as plain text by KPI ("" for the area's own text)."""
    columns = _measure_columns()
    about = _about_area(report)
    about += [(Column("area_id", _("Område (id)")), report.area.id), (Column("area", _("Område")), report.area.name)]
    rows = [_measure_row(r.finding, comments.get(r.finding.kpi, ""), lang, plain=plain) for r in report.rows]
    if plain:  # a program reads the decimals the page shows, and the area's text on every row (no notes)
        columns.insert(columns.index(next(c for c in columns if c.key == "unit")) + 1, Column("decimals", "", INTEGER))
        columns.append(Column("area_commentary", ""))
        rows = [row | {"area_commentary": comments.get("", "")} for row in rows]
    name = _area_name(report.area, lang)
    return Table(
        sheet=name[:31],
        title=f"{report.municipality.name} – {report.measure_set.name} – {name}",
        columns=columns,
        rows=rows,
        about=about,
        lines=[_years_line(report.data_years)],
        notes=_commentary_notes(comments.get("", ""), lang),
    )


def edition_table(reports: Sequence, comments: Mapping[str, Mapping[str, str]], lang: str = "sv", *,
                  plain: bool = False) -> Table:  # fmt: skip
    """A whole KKiK edition in one table: the area tables one after the other, with the area as the
    first column. ``comments``: area id -> KPI -> published text."""
    tables = [area_table(r, comments.get(r.area.id, {}), lang, plain=plain) for r in reports]
    first = reports[0]
    area_col = Column("area_id" if plain else "area", _("Område"), width=20)
    rows = []
    notes = []
    for report, table in zip(reports, tables, strict=True):
        name = _area_name(report.area, lang)
        rows += [{area_col.key: report.area.id if plain else name, **row} for row in table.rows]
        notes += _commentary_notes(comments.get(report.area.id, {}).get("", ""), lang, name)
    return Table(
        sheet=_("Alla mått"),
        title=f"{first.municipality.name} – {first.measure_set.name}",
        columns=[area_col, *tables[0].columns],
        rows=rows,
        about=_about_area(first),
        lines=[_years_line({y for r in reports for y in r.data_years})],
        notes=notes,
    )


def overview_table(reports: Sequence, overview, lang: str = "sv") -> Table:
    """The overview page's table: per area, how many measures lie in each band (core.pages.overview)."""
    first = reports[0]
    columns = [
        Column("area", _("Område"), width=24),
        Column("measures", _("Antal mått"), INTEGER, width=10),
        *[Column(f"band_{code}", _word("band", code, lang), INTEGER, width=16) for code in overview.columns],
        Column("data_years", _("Dataår"), width=12),
    ]
    rows = [
        {"decimals": 0, "area": _area_name(a.group, lang), "measures": a.measures,
         **{f"band_{code}": n for code, n in zip(overview.columns, a.cells, strict=True)},
         "data_years": ", ".join(str(y) for y in a.data_years)}
        for a in overview.areas
    ]  # fmt: skip
    return Table(
        sheet=_("Översikt"),
        title=f"{first.municipality.name} – {first.measure_set.name} – {_('översikt')}",
        columns=columns,
        rows=rows,
        about=_about_area(first),
        lines=[_("Antal mått per område efter var kommunen ligger bland kommunerna; varje område har ett eget blad.")],
    )


def changes_table(reports: Sequence, overview, lang: str = "sv") -> Table:
    """The overview page's biggest improvements and declines (core.pages.biggest_changes), in the page's
    order: the improvements, then the declines, each with the change in the measure's unit and in standard
    deviations of the kommuner's values (the JSON twin's ``change`` and ``change_sd``)."""
    first = reports[0]
    columns = [
        Column("trend", _("Utveckling"), width=14),
        Column("area", _("Område"), width=24),
        Column("kpi", _("Nyckeltal (Kolada-id)"), width=10),
        Column("label", _("Mått"), width=50),
        Column("previous_year", _("Föregående år"), INTEGER, width=10),
        Column("data_year", _("Dataår"), INTEGER, width=8),
        Column("previous_value", _("Föregående värde"), NUMBER, width=12),
        Column("value", _("Värde"), NUMBER, width=10),
        Column("change", _("Förändring"), NUMBER, width=12),
        Column("unit", _("Enhet"), width=10),
        Column("change_sd", _("Förändring i standardavvikelser"), NUMBER, width=14, decimals=2),
        Column("marked", _("Markant"), width=10),
    ]
    rows = [_change_row(c, lang) for c in (*overview.improved, *overview.declined)]
    return Table(
        sheet=_("Största förändringar"),
        title=f"{first.municipality.name} – {first.measure_set.name} – " + _("största förändringarna"),
        columns=columns,
        rows=rows,
        about=_about_area(first),
        lines=[
            _(
                "Förändringen sedan föregående år med värde; störst först räknat i standardavvikelser av "
                "kommunernas värden, så att mått med olika enheter kan jämföras."
            )
        ],  # fmt: skip
    )


def _change_row(c, lang: str) -> dict:
    f = c.finding
    return {
        "decimals": f.decimals,
        "trend": _word("trend", f.trend, lang),
        "area": _area_name(c.group, lang),
        "kpi": f.kpi,
        "label": f.label if lang == "sv" else f.label_en,
        "previous_year": f.previous_year,
        "data_year": f.year,
        "previous_value": f.previous_value,
        "value": f.value,
        "change": f.change,
        "unit": unit_symbol(f.unit, lang),
        "change_sd": c.size,
        "marked": _("markant") if f.marked else "",
    }


# --- the measure page ------------------------------------------------------------------------------


def measure_table(page, lang: str = "sv", *, plain: bool = False) -> Table:
    """A KPI in one year for every kommun: those with a value from best to worst (rank and band), then
    those whose value is not comparable, then those without a value."""
    info, total = page.info, page.total
    unit = info.unit if plain else unit_symbol(info.unit, lang)
    columns = [
        Column("municipality_id", _("Kommunkod"), width=10),
        Column("municipality", _("Kommun"), width=20),
        Column("value", _("Värde"), NUMBER, width=10),
        Column("unit", _("Enhet"), width=10),
        Column("status", _("Status (varför värde saknas eller inte jämförs)"), width=30),
        Column("rank", _("Placering"), INTEGER, width=10),
        Column("band", _("Bland kommunerna"), width=28),
    ]
    d = info.decimals
    rows = [
        {"decimals": d, "municipality_id": r.id, "municipality": r.name, "value": r.value, "unit": unit,
         "status": "", "rank": r.rank, "band": (r.band or "") if plain else _word("band", r.band, lang)}
        for r in page.rows
    ]  # fmt: skip
    rows += [
        {"decimals": d, "municipality_id": mid, "municipality": name, "value": value, "unit": unit,
         "status": code if plain else _word("implausible", code, lang), "rank": None, "band": ""}
        for mid, name, value, code in page.flagged
    ]  # fmt: skip
    rows += [
        {"decimals": d, "municipality_id": mid, "municipality": name, "value": None, "unit": unit,
         "status": "unknown" if plain else _word("gap", "unknown", lang), "rank": None, "band": ""}
        for mid, name in page.missing
    ]  # fmt: skip
    about: list[tuple[Column, object]] = [
        (Column("kpi", _("Nyckeltal (Kolada-id)")), info.id),
        (Column("year", _("År"), INTEGER), page.year),
    ]
    if plain:
        about.append((Column("decimals", "", INTEGER), d))
        about.append((Column("national_mean", "", NUMBER), total.mean if total else None))
    lines = [_("Riktning: %(direction)s.") % {"direction": _word("direction", info.direction, lang)}]
    if total and total.mean is not None:
        lines.insert(0, _("Rikssnitt (ovägt medel av %(n)s kommuner): %(mean)s")
                     % {"n": total.n, "mean": format_value(total.mean, info.unit, d, lang)})  # fmt: skip
    return Table(
        sheet=info.id[:31],
        title=f"{info.label} ({info.id}), {page.year}",
        columns=columns,
        rows=rows,
        about=about,
        lines=lines,
    )


# --- the goal report -------------------------------------------------------------------------------

GOAL_SOURCE = SOURCE + ". " + "Indikatorer, målnivåer och bedömningar: kommunens egna uppgifter."


def _goal_columns() -> list[Column]:
    return [
        Column("goal_id", _("Mål-id"), INTEGER, width=8),
        Column("parent_id", _("Överordnat mål-id"), INTEGER, width=8),
        Column("goal_level", _("Nivå"), width=22),
        Column("goal", _("Mål"), width=50),
        Column("perspective", _("Perspektiv"), width=16),
        Column("committees", _("Nämnder"), width=24),
        Column("committee_assessment", _("Bedömning utifrån nämndernas indikatorer"), width=20),
        Column("key_figures_assessment", _("Bedömning utifrån relevanta nyckeltal"), width=20),
        Column("suggestion", _("Reglernas förslag"), width=20),
        Column("overall", _("Sammanvägd bedömning"), width=20),
        Column("motivation", _("Motivering"), width=40),
        Column("goal_commentary", _("Kommunens kommentar"), width=60),
    ]


def _indicator_columns() -> list[Column]:
    return [
        Column("indicator_id", _("Indikator-id"), INTEGER, width=8),
        Column("indicator", _("Indikator"), width=50),
        Column("indicator_kind", _("Slag"), width=18),
        Column("committee", _("Nämnd"), width=20),
        Column("kpi", _("Nyckeltal (Kolada-id)"), width=10),
        Column("data_year", _("Dataår"), INTEGER, width=8),
        Column("value", _("Värde"), NUMBER, width=10),
        Column("unit", _("Enhet"), width=10),
        Column("target", _("Målnivå"), NUMBER, width=10),
        Column("target_text", _("Mål för indikatorn"), width=28),
        Column("result", _("Resultat"), width=18),
        Column("result_reason", _("Skäl"), width=24),
        Column("national_mean", _("Rikssnitt eller jämförelsevärde"), NUMBER, width=12),
        Column("previous_year", _("Föregående år"), INTEGER, width=10),
        Column("previous_value", _("Föregående värde"), NUMBER, width=12),
        Column("indicator_source", _("Källa"), width=24),
    ]


def _goal_row(node, comments: Mapping[int, str], lang: str, plain: bool) -> dict:
    g, a = node.goal, node.assessment

    def word(code: str) -> str:
        return code if plain else assessment_word(code, lang)

    level = _("Kommunfullmäktiges mål") if node.depth == 0 else _("Delmål")
    return {
        "decimals": 0,
        "goal_id": g.pk,
        "parent_id": g.parent_id,
        "goal_level": ("council_goal" if node.depth == 0 else "subgoal") if plain else level,
        "goal": g.title,
        "perspective": g.perspective,
        "committees": ", ".join(c.name for c in node.committees),
        "committee_assessment": word(a.committee.assessment),
        "key_figures_assessment": word(a.key_figures.assessment),
        "suggestion": word(a.suggestion),
        "overall": word(a.overall),
        "motivation": node.decision.motivation if node.decision else "",
        "goal_commentary": comments.get(g.pk, ""),
    }


def _indicator_row(r, lang: str, plain: bool) -> dict:
    ind = r.indicator
    return {
        "decimals": r.decimals,
        "goal_id": ind.goal_id,
        "indicator_id": ind.pk,
        "indicator": ind.name,
        "indicator_kind": ind.kind if plain else ind.get_kind_display(),
        "committee": ind.committee.name if ind.committee else "",
        "kpi": ind.kpi_id or "",
        "data_year": r.data_year,
        "value": r.value,
        "unit": r.unit if plain else unit_symbol(r.unit, lang),
        "target": r.target,
        "target_text": ind.target_kind if plain else target_text(ind.target_kind, r.target, r.unit, r.decimals, lang),
        "result": r.result.assessment if plain else assessment_word(r.result.assessment, lang),
        "result_reason": r.result.reason if plain else reason_text(r.result.reason, lang),
        "national_mean": r.national_mean,
        "previous_year": r.previous_year,
        "previous_value": r.previous_value,
        "indicator_source": ind.source or ("Kolada" if ind.kind == "kpi" else ""),
    }


def _goal_head(report, lang: str) -> tuple[str, list[str], list[tuple[Column, object]]]:
    s = report.structure
    title = _("Målbedömning %(year)s – %(name)s") % {"year": report.year, "name": report.municipality.name}
    if report.period != "year":
        title += " – " + _("delår")
    lines = [_("Exempeldata: %(note)s") % {"note": s.example_note}] if s.example_note else []
    about = [
        (Column("municipality_id", _("Kommunkod")), report.municipality.id),
        (Column("municipality", _("Kommun")), report.municipality.name),
        (Column("year", _("År"), INTEGER), report.year),
        (Column("period", _("Period")), report.period),
    ]
    return title, lines, about


def goal_tables(report, comments: Mapping[int, str], lang: str = "sv", *, plain: bool = False,
                nodes: Sequence | None = None) -> tuple[Table, Table]:  # fmt: skip
    """The goal report as two tables: the goals with their assessments in words, and the indicators with
    value, target and result. ``nodes``: the goals to include (default: every goal of the report);
    ``comments``: the published texts as plain text by goal id."""
    nodes = report.nodes() if nodes is None else nodes
    title, lines, about = _goal_head(report, lang)
    goals = Table(
        sheet=_("Mål"), title=title, columns=_goal_columns(), about=about, lines=lines, source=GOAL_SOURCE,
        rows=[_goal_row(n, comments, lang, plain) for n in nodes],
    )  # fmt: skip
    indicators = Table(
        sheet=_("Indikatorer"), title=title, about=about, lines=lines, source=GOAL_SOURCE,
        columns=[_goal_columns()[0], Column("goal", _("Mål"), width=40), *_indicator_columns()],
        rows=[{**_indicator_row(r, lang, plain), "goal": n.goal.title} for n in nodes for r in n.indicators],
    )  # fmt: skip
    return goals, indicators


def goal_table(report, comments: Mapping[int, str], lang: str = "sv", *, plain: bool = False,
               nodes: Sequence | None = None) -> Table:  # fmt: skip
    """The goal report in one table for a CSV: one row per indicator with its goal's columns beside it
    (a goal without indicators has one row with the indicator's columns empty)."""
    goals, indicators = goal_tables(report, comments, lang, plain=plain, nodes=nodes)
    by_goal: dict[int, list[dict]] = {}
    for row in indicators.rows:
        by_goal.setdefault(row["goal_id"], []).append(row)
    rows = []
    for goal in goals.rows:
        for ind in by_goal.get(goal["goal_id"], [{"decimals": 0}]):
            rows.append({**ind, **goal, "decimals": ind["decimals"]})
    columns = goals.columns + [c for c in indicators.columns if c.key not in ("goal_id", "goal")]
    return Table(sheet=goals.sheet, title=goals.title, columns=columns, rows=rows, about=goals.about,
                 lines=goals.lines, source=GOAL_SOURCE)  # fmt: skip
