"""The command line: errors without tracebacks, the import summary."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kommunkvalitet.cli import main, parse_years


def test_parse_years():
    assert parse_years("2015-2022") == (2015, 2022)
    assert parse_years("2020") == (2020, 2020)


@pytest.mark.django_db
def test_a_bad_snapshot_dir_is_a_clear_error_without_traceback(tmp_path):
    result = CliRunner().invoke(main, ["import", "snapshot", str(tmp_path)])
    assert result.exit_code == 1
    assert "Fel:" in result.output and "snapshot file missing" in result.output
    assert "Traceback" not in result.output


@pytest.mark.django_db
def test_second_import_says_nothing_changed(snapshot_dir):
    result = CliRunner().invoke(main, ["import", "snapshot", str(snapshot_dir), "--kpi", "U21401"])
    assert result.exit_code == 0, result.output
    assert "Inget ändrades" in result.output


@pytest.mark.django_db
def test_editor_add_creates_a_user_with_a_role():
    from kommunkvalitet.store.models import EditorRole

    result = CliRunner().invoke(main, ["editor", "add", "anna", "2284", "--publisher", "--password", "lång-fras-42-ok"])
    assert result.exit_code == 0, result.output
    assert "anna är nu publicerare" in result.output
    assert EditorRole.objects.get(user__username="anna").role == "publisher"
    weak = CliRunner().invoke(main, ["editor", "add", "bo", "2284", "--password", "123"])
    assert weak.exit_code == 1 and "lösenordet duger inte" in weak.output
    unknown = CliRunner().invoke(main, ["editor", "add", "bo", "9999", "--password", "lång-fras-42-ok"])
    assert unknown.exit_code == 1 and "okänd kommun" in unknown.output


@pytest.mark.django_db
def test_import_geo_brings_the_boundaries_once(snapshot_dir):
    from kommunkvalitet.store.models import MunicipalityShape

    result = CliRunner().invoke(main, ["import", "geo", str(snapshot_dir)])
    assert result.exit_code == 0, result.output
    assert "0 nya, 0 ändrade, 290 oförändrade" in result.output  # the import of the session already has them
    MunicipalityShape.objects.filter(pk="2284").delete()
    result = CliRunner().invoke(main, ["import", "geo", str(snapshot_dir)])
    assert "1 nya, 0 ändrade, 289 oförändrade" in result.output
