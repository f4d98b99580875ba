"""A goal structure as an Excel workbook and back: :func:`export_structure` writes the structure with
its indicators, target levels and values as a template a committee can fill in;
:func:`import_structure` reads the file back and writes the target levels and values it holds.

The file layout is :mod:`kommunkvalitet.sources.spreadsheets`. What an import does:

* The whole file is read and checked before anything is written, inside one transaction: a broken
  cell, an unknown goal or indicator, a file from another structure is an
  :class:`~kommunkvalitet.errors.InputError` naming sheet, row and column, and nothing changes.
* Only target levels ('Målnivåer') and values ('Värden': value, reference, note) are written. The
  'Mål' and 'Indikatorer' sheets are checked (every id must belong to this structure) but not written.
* Target rows are for indicators whose target kind is a level; value rows for own and external
  indicators (a Kolada key figure's values come from Kolada and are refused).
* A row that equals what is stored is not touched (so an unchanged file changes nothing, not even
  ``entered_at``); a row that differs is updated; a new row is added. An emptied target level, and
  an emptied value row (no value, reference or note), removes what was stored; an empty row with
  nothing stored is skipped. Rows left out of the file leave what is stored alone.

Who may import: an editor changes only the rows of her committees' indicators (:mod:`store.roles`); a
file that would change another committee's row is refused whole. ``user`` None is the command line,
which runs with the install's own rights.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from kommunkvalitet.sources import spreadsheets as sheets
from kommunkvalitet.store import roles
from kommunkvalitet.store.models import Goal, GoalStructure, Indicator, IndicatorTarget, IndicatorValue, Period

_PERIOD_ORDER = {Period.YEAR: 0, Period.INTERIM: 1}
_NOTE_MAX = IndicatorValue._meta.get_field("note").max_length


@dataclass(frozen=True)
class ImportResult:
    """What an import did, counted in target and value rows. ``removed``: stored targets and values
    the file emptied."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0


# --- export ---------------------------------------------------------------------------------------


def export_structure(structure: GoalStructure) -> bytes:
    """The structure as an .xlsx workbook (bytes): goals and sub-goals in tree order, indicators, the
    stored target levels and values, and an empty row to fill in where the structure's year has none
    yet (a target level for every indicator with a level target; a 'helår' value, and a 'delår' value
    when the structure has an interim period, for every own and external indicator)."""
    goals = _tree_order(list(structure.goals.prefetch_related("committees")))
    goal_rank = {g.pk: i for i, g in enumerate(goals)}
    indicators = sorted(
        Indicator.objects.filter(goal__structure=structure).select_related("committee"),
        key=lambda ind: (goal_rank[ind.goal_id], ind.order, ind.pk),
    )
    targets = defaultdict(list)
    for t in IndicatorTarget.objects.filter(indicator__in=indicators).order_by("year"):
        targets[t.indicator_id].append(t)
    values = defaultdict(list)
    for v in IndicatorValue.objects.filter(indicator__in=indicators):
        values[v.indicator_id].append(v)
    periods = [Period.YEAR] + ([Period.INTERIM] if structure.interim_end else [])

    target_rows, value_rows = [], []
    for ind in indicators:
        if ind.target_kind == Indicator.TargetKind.LEVEL:
            stored = targets[ind.pk]
            rows = [sheets.TargetRow(ind.pk, t.year, t.level, ind.name) for t in stored]
            if not any(t.year == structure.year for t in stored):
                rows.append(sheets.TargetRow(ind.pk, structure.year, None, ind.name))
            target_rows.extend(sorted(rows, key=lambda r: r.year))
        if ind.kind != Indicator.Kind.KPI:
            stored = values[ind.pk]
            rows = [sheets.ValueRow(ind.pk, v.year, v.period, v.value, v.reference, v.note, ind.name) for v in stored]
            have = {(v.year, v.period) for v in stored}
            rows += [
                sheets.ValueRow(ind.pk, structure.year, p, indicator_name=ind.name)
                for p in periods
                if (structure.year, p) not in have
            ]
            value_rows.extend(sorted(rows, key=lambda r: (r.year, _PERIOD_ORDER.get(r.period, 9))))

    municipality = structure.municipality
    book = sheets.GoalWorkbook(
        structure_id=structure.pk,
        municipality=f"{municipality.pk} {municipality.name}",
        year=structure.year,
        title=structure.title,
        goals=tuple(
            sheets.GoalRow(
                id=g.pk, parent_id=g.parent_id, perspective=g.perspective, title=g.title,
                committees=", ".join(c.name for c in g.committees.all()),
            )
            for g in goals
        ),
        indicators=tuple(
            sheets.IndicatorRow(
                id=ind.pk, goal_id=ind.goal_id, kind=ind.get_kind_display(), name=ind.name,
                kpi_id=ind.kpi_id or "", committee=ind.committee.name if ind.committee else "", unit=ind.unit,
                decimals=ind.decimals, direction=ind.get_direction_display(),
                target_kind=ind.get_target_kind_display(), tolerance=ind.tolerance,
                baseline_value=ind.baseline_value, baseline_year=ind.baseline_year, source=ind.source,
            )
            for ind in indicators
        ),
        targets=tuple(target_rows),
        values=tuple(value_rows),
    )  # fmt: skip
    return sheets.write_goal_workbook(book)


def _tree_order(goals: list[Goal]) -> list[Goal]:
    """Goals depth first: each goal followed by its sub-goals, siblings by ``order`` then id."""
    children = defaultdict(list)
    ids = {g.pk for g in goals}
    for g in sorted(goals, key=lambda g: (g.order, g.pk)):
        children[g.parent_id if g.parent_id in ids else None].append(g)
    ordered: list[Goal] = []

    def walk(parent_id: int | None) -> None:
        for g in children[parent_id]:
            ordered.append(g)
            walk(g.pk)

    walk(None)
    return ordered


# --- import ---------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """The writes an import will make, worked out (and checked) before any of them is made."""

    targets: list[tuple[Indicator, int, float]] = field(default_factory=list)  # added or changed
    target_removals: list[int] = field(default_factory=list)  # IndicatorTarget ids
    values: list[tuple[Indicator, sheets.ValueRow]] = field(default_factory=list)  # added or changed
    value_removals: list[int] = field(default_factory=list)  # IndicatorValue ids
    touched: dict[int, Indicator] = field(default_factory=dict)  # the indicators whose rows change
    added: int = 0
    changed: int = 0
    unchanged: int = 0


def import_structure(structure: GoalStructure, data: bytes, name: str, user) -> ImportResult:
    """Read a workbook written by :func:`export_structure` (and filled in) into ``structure``: its
    target levels and values, as the module doc describes. ``name`` is the file name errors give;
    ``user`` is recorded as who entered the values (may be None).

    Raises :class:`InputError` (sheet, row, column in the message) and changes nothing when any
    cell is wrong. Returns the counts of added, changed, unchanged and removed rows."""
    if user is not None:
        roles.require_editor(user, structure.municipality_id)
    book = sheets.read_goal_workbook(data, name)
    with transaction.atomic():
        plan = _plan(structure, book, name)
        if user is not None:
            _require_rows(user, structure, plan)
        for ind, year, level in plan.targets:
            IndicatorTarget.objects.update_or_create(indicator=ind, year=year, defaults={"level": level})
        for ind, row in plan.values:
            IndicatorValue.objects.update_or_create(
                indicator=ind, year=row.year, period=row.period,
                defaults={"value": row.value, "reference": row.reference, "note": row.note, "entered_by": user},
            )  # fmt: skip
        if plan.target_removals:
            IndicatorTarget.objects.filter(pk__in=plan.target_removals).delete()
        if plan.value_removals:
            IndicatorValue.objects.filter(pk__in=plan.value_removals).delete()
    return ImportResult(
        added=plan.added,
        changed=plan.changed,
        unchanged=plan.unchanged,
        removed=len(plan.target_removals) + len(plan.value_removals),
    )


def _require_rows(user, structure: GoalStructure, plan: _Plan) -> None:
    rights = roles.rights(user, structure.municipality_id)
    refused = [ind for ind in plan.touched.values() if not rights.may_edit(roles.indicator_committees(ind))]
    if refused:
        names = ", ".join(f"{ind.pk} ({ind.name})" for ind in sorted(refused, key=lambda i: i.pk))
        raise roles.PermissionDenied(
            f"filen ändrar indikatorer som hör till en nämnd du inte skriver för: {names}; inget är inläst"
        )


def _plan(structure: GoalStructure, book: sheets.GoalWorkbook, name: str) -> _Plan:
    """Check the whole workbook against ``structure`` and what is stored; the writes it asks for."""
    where = f"målstrukturen {structure.municipality_id} {structure.year}"
    if book.structure_id is not None and book.structure_id != structure.pk:
        raise sheets.cell_error(
            name, sheets.ABOUT, book.structure_id_row, "value",
            f"filen är exporterad från målstruktur {book.structure_id}, inte från {where} (id {structure.pk})",
        )  # fmt: skip

    goal_ids = set(structure.goals.values_list("pk", flat=True))
    for g in book.goals:
        if g.id not in goal_ids:
            raise sheets.cell_error(name, sheets.GOALS, g.row, "id", f"okänt mål {g.id}: det finns inte i {where}")
    indicators = {ind.pk: ind for ind in Indicator.objects.filter(goal__structure=structure)}
    for i in book.indicators:
        if i.id not in indicators:
            raise sheets.cell_error(
                name, sheets.INDICATORS, i.row, "id", f"okänd indikator {i.id}: den finns inte i {where}"
            )

    def indicator(sheet: str, row: int, indicator_id: int) -> Indicator:
        try:
            return indicators[indicator_id]
        except KeyError:
            raise sheets.cell_error(
                name, sheet, row, "indicator_id", f"okänd indikator {indicator_id}: den finns inte i {where}"
            ) from None

    plan = _Plan()
    stored_targets = {(t.indicator_id, t.year): t for t in IndicatorTarget.objects.filter(indicator__in=indicators)}
    for row in book.targets:
        ind = indicator(sheets.TARGETS, row.row, row.indicator_id)
        if ind.target_kind != Indicator.TargetKind.LEVEL:
            raise sheets.cell_error(
                name, sheets.TARGETS, row.row, "indicator_id",
                f"indikatorn {ind.pk} ({ind.name}) har målet '{ind.get_target_kind_display()}', inte en målnivå",
            )  # fmt: skip
        stored = stored_targets.get((ind.pk, row.year))
        if row.level is None:
            if stored is not None:
                plan.target_removals.append(stored.pk)
                plan.touched[ind.pk] = ind
        elif stored is None:
            plan.targets.append((ind, row.year, row.level))
            plan.added += 1
            plan.touched[ind.pk] = ind
        elif stored.level != row.level:
            plan.targets.append((ind, row.year, row.level))
            plan.changed += 1
            plan.touched[ind.pk] = ind
        else:
            plan.unchanged += 1

    stored_values = {
        (v.indicator_id, v.year, v.period): v for v in IndicatorValue.objects.filter(indicator__in=indicators)
    }
    for row in book.values:
        ind = indicator(sheets.VALUES, row.row, row.indicator_id)
        if ind.kind == Indicator.Kind.KPI:
            raise sheets.cell_error(
                name, sheets.VALUES, row.row, "indicator_id",
                f"indikatorn {ind.pk} ({ind.name}) är ett nyckeltal från Kolada ({ind.kpi_id}): "
                "dess värden hämtas från Kolada och kan inte läsas in från filen",
            )  # fmt: skip
        if len(row.note) > _NOTE_MAX:
            raise sheets.cell_error(
                name, sheets.VALUES, row.row, "note", f"anteckningen är {len(row.note)} tecken, högst {_NOTE_MAX}"
            )
        stored = stored_values.get((ind.pk, row.year, row.period))
        empty = row.value is None and row.reference is None and not row.note
        if empty:
            if stored is not None:
                plan.value_removals.append(stored.pk)
                plan.touched[ind.pk] = ind
        elif stored is None:
            plan.values.append((ind, row))
            plan.added += 1
            plan.touched[ind.pk] = ind
        elif (stored.value, stored.reference, stored.note) != (row.value, row.reference, row.note):
            plan.values.append((ind, row))
            plan.changed += 1
            plan.touched[ind.pk] = ind
        else:
            plan.unchanged += 1
    return plan
