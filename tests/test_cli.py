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
