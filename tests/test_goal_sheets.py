"""The goal-structure workbook: export, fill in, import back; broken files refused with sheet, row and
column, and nothing changed."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from kommunkvalitet.errors import InputError
from kommunkvalitet.sources import spreadsheets as sheets
from kommunkvalitet.store.goal_sheets import ImportResult, export_structure, import_structure
from kommunkvalitet.store.models import (
    Committee,
    EditorRole,
    Goal,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
)

NAME = "mål.xlsx"
VALUE_HEADERS = ["Indikator-id", "Indikator", "År", "Period", "Värde", "Referensvärde", "Anteckning"]


# --- a small structure and helpers ----------------------------------------------------------------


@pytest.fixture
def user(db):
    user = User.objects.create_user("namnd", password="hemligt-lösen-3")
    EditorRole.objects.create(user=user, municipality_id="1463", role=EditorRole.Role.EDITOR)  # every committee
    return user


@pytest.fixture
def structure(db):
    """Mark 2017: a goal with a sub-goal, an own indicator (target, value, note), an external one
    (value and reference) and a Kolada key figure (U21401)."""
    GoalStructure.objects.filter(municipality_id="1463", year=2017).delete()
    s = GoalStructure.objects.create(municipality_id="1463", year=2017)
    committee = Committee.objects.create(municipality_id="1463", name="Barn- och utbildningsnämnden")
    goal = Goal.objects.create(structure=s, perspective="Medborgare", title="Alla barn lyckas i skolan")
    goal.committees.add(committee)
    sub = Goal.objects.create(structure=s, parent=goal, title="Fler elever når kunskapsmålen", order=1)
    own = Indicator.objects.create(
        goal=sub, kind=Indicator.Kind.OWN, name="Andel nöjda elever", committee=committee, unit="percent",
        decimals=1,
    )  # fmt: skip
    IndicatorTarget.objects.create(indicator=own, year=2017, level=80)
    IndicatorValue.objects.create(indicator=own, year=2017, period="year", value=76.5, note="Enkät i maj")
    ext = Indicator.objects.create(goal=goal, kind=Indicator.Kind.EXTERNAL, name="Nöjd-Region-Index", source="SCB")
    IndicatorTarget.objects.create(indicator=ext, year=2017, level=60)
    IndicatorValue.objects.create(indicator=ext, year=2017, period="year", value=55.0, reference=58.0)
    Indicator.objects.create(
        goal=goal, kind=Indicator.Kind.KPI, name="Elever i åk 9 som uppnått kunskapskraven", kpi_id="U21401",
        target_kind=Indicator.TargetKind.BETTER_THAN_NATIONAL, order=2,
    )  # fmt: skip
    return s


def _ind(structure, kind) -> Indicator:
    return Indicator.objects.get(goal__structure=structure, kind=kind)


def _rows() -> dict:
    """Every stored target and value, with ``entered_at``: what an import may change."""
    targets = {t.pk: (t.indicator_id, t.year, t.level) for t in IndicatorTarget.objects.all()}
    values = {
        v.pk: (v.indicator_id, v.year, v.period, v.value, v.reference, v.note, v.entered_by_id, v.entered_at)
        for v in IndicatorValue.objects.all()
    }
    return {"targets": targets, "values": values}


def _edit(data: bytes, change) -> bytes:
    """``data`` after ``change(workbook)``, saved again as openpyxl saves it."""
    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(ws, indicator_id: int, year: int = 2017, period: str = "helår") -> int:
    """The row of ``ws`` ('Värden' or 'Målnivåer') for an indicator, year (and period)."""
    for r in range(2, ws.max_row + 1):
        same_period = ws.title != sheets.VALUES or ws.cell(r, 4).value == period
        if ws.cell(r, 1).value == indicator_id and ws.cell(r, 3).value == year and same_period:
            return r
    raise AssertionError(f"no row for {indicator_id} {year} {period}")


def _refused(structure, user, data: bytes) -> InputError:
    """Import ``data``, expect a refusal, check nothing changed; the error."""
    before = _rows()
    with pytest.raises(InputError) as info:
        import_structure(structure, data, NAME, user)
    assert _rows() == before
    return info.value


# --- round trip -----------------------------------------------------------------------------------


def test_round_trip_changes_exactly_the_changed_value(structure, user):
    own = _ind(structure, "own")
    data = export_structure(structure)

    def change(wb):
        ws = wb[sheets.VALUES]
        ws.cell(_row(ws, own.pk), 5).value = 78.25

    edited = _edit(data, change)
    before = _rows()
    result = import_structure(structure, edited, NAME, user)
    after = _rows()

    assert result == ImportResult(added=0, changed=1, unchanged=3, removed=0)
    changed = {pk for pk in before["values"] if before["values"][pk] != after["values"][pk]}
    stored = IndicatorValue.objects.get(indicator=own, year=2017, period="year")
    assert changed == {stored.pk}
    assert (stored.value, stored.note, stored.entered_by) == (78.25, "Enkät i maj", user)
    assert after["targets"] == before["targets"]
    assert after["values"].keys() == before["values"].keys()

    # The same file again: nothing to do, nothing written (not even entered_at).
    again = import_structure(structure, edited, NAME, user)
    assert again == ImportResult(added=0, changed=0, unchanged=4, removed=0)
    assert _rows() == after


def test_an_unchanged_export_imports_as_no_change(structure, user):
    before = _rows()
    result = import_structure(structure, export_structure(structure), NAME, user)
    assert (result.added, result.changed, result.removed) == (0, 0, 0)
    assert result.unchanged == 4  # two targets, two values; the empty template rows are skipped
    assert _rows() == before


def test_a_new_value_row_is_added(structure, user):
    own = _ind(structure, "own")

    def change(wb):
        wb[sheets.VALUES].append([own.pk, None, 2018, "delår", 79, None, "Första halvåret"])

    before = _rows()
    result = import_structure(structure, _edit(export_structure(structure), change), NAME, user)
    assert result == ImportResult(added=1, changed=0, unchanged=4, removed=0)
    after = _rows()
    assert {k: v for k, v in after["values"].items() if k in before["values"]} == before["values"]
    new = IndicatorValue.objects.get(indicator=own, year=2018, period="interim")
    assert (new.value, new.reference, new.note, new.entered_by) == (79.0, None, "Första halvåret", user)


def test_a_target_level_can_be_filled_in(structure, user):
    own = _ind(structure, "own")

    def change(wb):
        wb[sheets.TARGETS].append([own.pk, "Andel nöjda elever", 2018, "82,5"])

    result = import_structure(structure, _edit(export_structure(structure), change), NAME, user)
    assert (result.added, result.changed) == (1, 0)
    assert IndicatorTarget.objects.get(indicator=own, year=2018).level == 82.5


def test_an_empty_value_cell_is_no_value_not_zero(structure, user):
    own = _ind(structure, "own")

    def change(wb):
        ws = wb[sheets.VALUES]
        ws.cell(_row(ws, own.pk), 5).value = None

    result = import_structure(structure, _edit(export_structure(structure), change), NAME, user)
    assert result.changed == 1
    stored = IndicatorValue.objects.get(indicator=own, year=2017, period="year")
    assert stored.value is None  # not 0.0
    assert stored.note == "Enkät i maj"


def test_an_emptied_value_row_removes_the_value(structure, user):
    ext = _ind(structure, "external")

    def change(wb):
        ws = wb[sheets.VALUES]
        r = _row(ws, ext.pk)
        ws.cell(r, 5).value = ws.cell(r, 6).value = None

    result = import_structure(structure, _edit(export_structure(structure), change), NAME, user)
    assert result.removed == 1
    assert not IndicatorValue.objects.filter(indicator=ext).exists()


def test_a_swedish_decimal_comma_in_a_text_cell_is_a_number(structure, user):
    ext = _ind(structure, "external")

    def change(wb):
        ws = wb[sheets.VALUES]
        ws.cell(_row(ws, ext.pk), 6).value = "58,5"

    import_structure(structure, _edit(export_structure(structure), change), NAME, user)
    assert IndicatorValue.objects.get(indicator=ext).reference == 58.5


# --- the exported file ----------------------------------------------------------------------------


def test_the_export_is_a_fillable_template_with_number_cells(structure):
    own, ext, kpi = (_ind(structure, k) for k in ("own", "external", "kpi"))
    wb = load_workbook(io.BytesIO(export_structure(structure)))
    assert wb.sheetnames == ["Om filen", "Mål", "Indikatorer", "Målnivåer", "Värden"]
    for name in sheets.REQUIRED_SHEETS:
        assert wb[name].freeze_panes == "A2"
    values = wb[sheets.VALUES]
    assert [c.value for c in values[1]] == VALUE_HEADERS
    assert values.column_dimensions["B"].width > values.column_dimensions["C"].width

    r = _row(values, own.pk)
    assert values.cell(r, 5).value == 76.5 and values.cell(r, 5).data_type == "n"
    assert values.cell(r, 1).data_type == "n" and values.cell(r, 3).data_type == "n"
    r = _row(values, ext.pk)
    assert (values.cell(r, 5).value, values.cell(r, 6).value) == (55, 58)
    assert values.cell(r, 5).data_type == values.cell(r, 6).data_type == "n"
    assert kpi.pk not in {values.cell(r, 1).value for r in range(2, values.max_row + 1)}

    targets = wb[sheets.TARGETS]
    r = _row(targets, own.pk)
    assert targets.cell(r, 4).value == 80 and targets.cell(r, 4).data_type == "n"
    assert kpi.pk not in {targets.cell(r, 1).value for r in range(2, targets.max_row + 1)}

    goals = wb[sheets.GOALS]
    assert [goals.cell(r, 4).value for r in (2, 3)] == ["Alla barn lyckas i skolan", "Fler elever når kunskapsmålen"]
    assert goals.cell(3, 2).value == goals.cell(2, 1).value  # the sub-goal names its parent
    assert goals.cell(2, 5).value == "Barn- och utbildningsnämnden"
    indicators = wb[sheets.INDICATORS]
    assert "U21401" in {indicators.cell(r, 5).value for r in range(2, indicators.max_row + 1)}

    validated = {str(dv.sqref): dv.type for dv in values.data_validations.dataValidation}
    assert validated["D2:D2000"] == "list" and validated["E2:E2000"] == "decimal"
    about = {row[0]: row[1] for row in wb[sheets.ABOUT].iter_rows(values_only=True) if row and row[0]}
    assert about[sheets.STRUCTURE_ID_LABEL] == structure.pk
    assert about["Kommun"] == "1463 Mark"


def test_empty_template_rows_for_the_year_without_a_value(structure, user):
    """An indicator without a value for the structure's year gets an empty row to fill in."""
    own = _ind(structure, "own")
    IndicatorValue.objects.filter(indicator=own).delete()
    wb = load_workbook(io.BytesIO(export_structure(structure)))
    ws = wb[sheets.VALUES]
    r = _row(ws, own.pk)
    assert [ws.cell(r, c).value for c in (3, 4, 5, 6, 7)] == [2017, "helår", None, None, None]

    ws.cell(r, 5).value = 81
    out = io.BytesIO()
    wb.save(out)
    result = import_structure(structure, out.getvalue(), NAME, user)
    assert (result.added, result.changed) == (1, 0)
    assert IndicatorValue.objects.get(indicator=own).value == 81.0


def test_the_workbook_reads_back_as_written():
    """The file layer alone: rows written and read back are equal (no database)."""
    book = sheets.GoalWorkbook(
        structure_id=7, municipality="1463 Mark", year=2017, title="Kommunfullmäktiges mål",
        goals=(sheets.GoalRow(1, None, "Medborgare", "Mål", "KS"), sheets.GoalRow(2, 1, "", "Delmål", "")),
        indicators=(
            sheets.IndicatorRow(3, 2, "Egen", "Nöjda", "", "KS", "percent", 1, "Högre", "Målnivå", 2.5, 70.0, 2015,
                                "Enkät"),
        ),
        targets=(sheets.TargetRow(3, 2017, 80.0, "Nöjda"), sheets.TargetRow(3, 2018, None, "Nöjda")),
        values=(
            sheets.ValueRow(3, 2017, "year", 76.5, None, "Maj", "Nöjda"),
            sheets.ValueRow(3, 2017, "interim", None, 1e-7, "", "Nöjda"),
        ),
    )  # fmt: skip
    back = sheets.read_goal_workbook(sheets.write_goal_workbook(book), NAME)
    assert back == book
    assert [v.row for v in back.values] == [2, 3]


# --- broken files ---------------------------------------------------------------------------------


def test_text_in_a_value_cell_is_refused_and_nothing_changes(structure, user):
    own, ext = _ind(structure, "own"), _ind(structure, "external")
    rows = {}

    def change(wb):
        ws = wb[sheets.VALUES]
        ws.cell(_row(ws, own.pk), 5).value = 99  # a good change before the broken cell ...
        rows["bad"] = r = _row(ws, ext.pk)
        ws.cell(r, 5).value = "tolv"  # ... is not written either

    err = _refused(structure, user, _edit(export_structure(structure), change))
    r = rows["bad"]
    assert str(err) == f"mål.xlsx, blad 'Värden', rad {r}, kolumn E ('Värde'): väntade ett tal, fick 'tolv'"
    assert (err.file, err.line, err.field) == (NAME, r, "Värden!E (Värde)")


@pytest.mark.parametrize(
    ("sheet", "column", "raw", "expected"),
    [
        ("Värden", 3, 1889, "kolumn C ('År'): väntade ett år mellan 1990 och 2100, fick 1889"),
        ("Värden", 3, "i fjol", "kolumn C ('År'): väntade ett år, fick 'i fjol'"),
        ("Värden", 4, "kvartal", "kolumn D ('Period'): väntade 'helår' eller 'delår', fick 'kvartal'"),
        ("Värden", 6, "inf", "kolumn F ('Referensvärde'): väntade ett tal, fick 'inf'"),
        ("Värden", 6, "NaN", "kolumn F ('Referensvärde'): väntade ett tal, fick 'NaN'"),
        ("Värden", 5, True, "kolumn E ('Värde'): väntade ett tal, fick SANT"),
        ("Värden", 5, 1e15, "kolumn E ('Värde'): talet 1000000000000000 är orimligt stort"),
        ("Målnivåer", 4, "åttio", "kolumn D ('Målnivå'): väntade ett tal, fick 'åttio'"),
        ("Målnivåer", 1, 3.5, "kolumn A ('Indikator-id'): väntade ett heltal, fick 3.5"),
    ],
)
def test_a_broken_cell_is_refused_with_sheet_row_and_column(structure, user, sheet, column, raw, expected):
    own = _ind(structure, "own")
    rows = {}

    def change(wb):
        ws = wb[sheet]
        rows["r"] = r = _row(ws, own.pk)
        ws.cell(r, column).value = raw

    err = _refused(structure, user, _edit(export_structure(structure), change))
    assert str(err) == f"mål.xlsx, blad '{sheet}', rad {rows['r']}, {expected}"


def test_an_unknown_indicator_is_refused(structure, user):
    def change(wb):
        wb[sheets.VALUES].append([999_999_999, None, 2017, "helår", 12])

    err = _refused(structure, user, _edit(export_structure(structure), change))
    assert "blad 'Värden'" in str(err) and "kolumn A ('Indikator-id')" in str(err)
    assert "okänd indikator 999999999" in str(err)
    assert err.line == load_workbook(io.BytesIO(export_structure(structure)))[sheets.VALUES].max_row + 1


def test_an_indicator_of_another_structure_is_refused(structure, user):
    other = GoalStructure.objects.create(municipality_id="1463", year=2016)
    foreign = Indicator.objects.create(goal=Goal.objects.create(structure=other, title="Annat"), name="Annan")

    def change(wb):
        ws = wb[sheets.INDICATORS]
        ws.cell(2, 1).value = foreign.pk

    err = _refused(structure, user, _edit(export_structure(structure), change))
    assert str(err).startswith("mål.xlsx, blad 'Indikatorer', rad 2, kolumn A ('Indikator-id'): okänd indikator")


def test_a_file_from_another_structure_is_refused(structure, user):
    other = GoalStructure.objects.create(municipality_id="1463", year=2016)
    err = _refused(other, user, export_structure(structure))
    assert "blad 'Om filen'" in str(err) and "kolumn B" in str(err)
    assert "exporterad från målstruktur" in str(err)


def test_a_value_for_a_kolada_key_figure_is_refused(structure, user):
    kpi = _ind(structure, "kpi")

    def change(wb):
        wb[sheets.VALUES].append([kpi.pk, None, 2017, "helår", 88])

    err = _refused(structure, user, _edit(export_structure(structure), change))
    assert "blad 'Värden'" in str(err) and "kolumn A ('Indikator-id')" in str(err)
    assert "nyckeltal från Kolada (U21401)" in str(err)


def test_a_target_for_an_indicator_without_a_level_target_is_refused(structure, user):
    kpi = _ind(structure, "kpi")

    def change(wb):
        wb[sheets.TARGETS].append([kpi.pk, None, 2017, 80])

    err = _refused(structure, user, _edit(export_structure(structure), change))
    assert "blad 'Målnivåer'" in str(err) and "inte en målnivå" in str(err)


def test_a_missing_sheet_is_refused(structure, user):
    err = _refused(structure, user, _edit(export_structure(structure), lambda wb: wb.remove(wb[sheets.VALUES])))
    assert str(err).startswith("mål.xlsx, blad 'Värden': bladet saknas")


def test_a_changed_header_is_refused(structure, user):
    def change(wb):
        wb[sheets.VALUES]["E1"].value = "Utfall"

    err = _refused(structure, user, _edit(export_structure(structure), change))
    assert str(err) == "mål.xlsx, blad 'Värden', rad 1, kolumn E ('Värde'): väntade rubriken 'Värde', fick 'Utfall'"


def test_a_repeated_value_row_is_refused(structure, user):
    own = _ind(structure, "own")

    def change(wb):
        wb[sheets.VALUES].append([own.pk, None, 2017, "Helår", 1])

    err = _refused(structure, user, _edit(export_structure(structure), change))
    assert "samma indikator, år och period finns redan på rad" in str(err)


@pytest.mark.parametrize("data", [b"", "indikator;värde\n1;12\n".encode(), b"PK\x03\x04 not really a zip"])
def test_a_file_that_is_not_a_workbook_is_refused(structure, user, data):
    err = _refused(structure, user, data)
    assert str(err).startswith("mål.xlsx: filen går inte att läsa som en Excel-arbetsbok (.xlsx)")
