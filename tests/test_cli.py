"""The command line: errors without tracebacks, the import summary."""

from __future__ import annotations

import os
import subprocess
import sys

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
@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "", "   ", "anna svensson", "x" * 151])
def test_editor_add_refuses_a_bad_user_name_with_one_line(name):
    from django.contrib.auth.models import User

    result = CliRunner().invoke(main, ["editor", "add", name, "2284", "--password", "lång-fras-42-ok"])
    assert result.exit_code == 1
    assert result.output.startswith("Fel: ogiltigt användarnamn") and "Traceback" not in result.output
    assert not User.objects.exists()


@pytest.mark.django_db
def test_editor_add_sets_a_new_password_for_an_existing_user():
    from django.contrib.auth.models import User

    CliRunner().invoke(main, ["editor", "add", "cecilia", "2284", "--password", "lång-fras-42-ok"])
    again = CliRunner().invoke(main, ["editor", "add", "cecilia", "2260", "--password", "en-annan-fras-77"])
    assert again.exit_code == 0, again.output
    user = User.objects.get(username="cecilia")
    assert user.check_password("en-annan-fras-77") and user.kk_roles.count() == 2


# ------------------------------------------------------------------------------------------ a new database


def _fresh_env(data_dir) -> dict:
    """The environment of a new user: a fresh data dir, SQLite (whatever the test database is)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KOMMUNKVALITET_DATA_DIR"] = str(data_dir)
    return env


def _run_all(argvs, env) -> list[subprocess.CompletedProcess]:
    """Run ``kommunkvalitet`` with each argv, in parallel; every run must end within a minute."""
    cmd = [sys.executable, "-m", "kommunkvalitet"]
    procs = [
        subprocess.Popen([*cmd, *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for argv in argvs
    ]
    out = []
    for argv, p in zip(argvs, procs, strict=True):
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(argv, p.returncode, stdout, stderr))
    return out


def _says_what_to_run(run: subprocess.CompletedProcess, words: str) -> None:
    shown = run.stdout + run.stderr
    assert run.returncode == 1, (run.args, shown)
    assert "Traceback" not in shown, (run.args, shown)
    fel = [line for line in run.stderr.splitlines() if line.startswith("Fel:")]
    assert len(fel) == 1 and words in fel[0] and "`kommunkvalitet setup`" in fel[0], (run.args, shown)


def test_every_command_on_an_unmigrated_database_says_which_command_to_run(tmp_path):
    argvs = [
        ["sync", "--status"],
        ["recompute"],
        ["measuresets", "check"],
        ["editor", "add", "anna", "1463", "--password", "lång-fras-42-ok"],
        ["serve"],
        ["warm"],
        ["goals", "load"],
        ["goals", "export", "1463", "2017", str(tmp_path / "mal.xlsx")],
        ["manage", "createsuperuser", "--noinput", "--username", "anna", "--email", "a@example.org"],
    ]
    for run in _run_all(argvs, _fresh_env(tmp_path / "var")):
        _says_what_to_run(run, "databasen är inte förberedd")


def test_commands_that_need_data_say_so_on_an_empty_database(tmp_path):
    env = _fresh_env(tmp_path / "var")
    subprocess.run([sys.executable, "-m", "kommunkvalitet", "manage", "migrate", "-v0"], env=env, check=True)
    argvs = [
        ["serve"],
        ["warm"],
        ["measuresets", "check"],
        ["editor", "add", "anna", "1463", "--password", "lång-fras-42-ok"],
    ]
    for run in _run_all(argvs, env):
        _says_what_to_run(run, "databasen är tom")
    (status,) = _run_all([["sync", "--status"]], env)
    assert status.returncode == 0 and "Inga synkkörningar ännu." in status.stdout


def test_import_snapshot_on_a_fresh_data_dir_prepares_the_database_and_imports(tmp_path, snapshot_dir):
    values = tmp_path / "values.csv"
    values.write_text("kpi,municipality_id,year,gender,value\nU21401,1463,2030,T,19\n", encoding="utf-8")
    env = _fresh_env(tmp_path / "var")
    env["KOMMUNKVALITET_SNAPSHOT"] = str(snapshot_dir)
    args = ["import", "snapshot", "--kpi", "U21401", "--years", "2030", "--file", str(values)]
    (run,) = _run_all([args], env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "Förbereder databasen (migrate)" in run.stderr
    assert "Klart: " in run.stdout and "values.csv" in run.stdout
    (again,) = _run_all([args], env)
    assert again.returncode == 0 and "Inget ändrades" in again.stdout and "Förbereder" not in again.stderr


@pytest.mark.django_db
def test_import_geo_brings_the_boundaries_once(snapshot_dir):
    from kommunkvalitet.store.models import MunicipalityShape

    result = CliRunner().invoke(main, ["import", "geo", str(snapshot_dir)])
    assert result.exit_code == 0, result.output
    assert "0 nya, 0 ändrade, 290 oförändrade" in result.output  # the import of the session already has them
    MunicipalityShape.objects.filter(pk="2284").delete()
    result = CliRunner().invoke(main, ["import", "geo", str(snapshot_dir)])
    assert "1 nya, 0 ändrade, 289 oförändrade" in result.output


def test_recompute_on_a_database_file_gives_the_rows_the_import_wrote(tmp_path, snapshot_dir):
    """``recompute`` reads the whole value table through the Arrow reader (a database file, no
    transaction open); the import computed the same rows from the values it wrote. Bit for bit."""
    import sqlite3

    env = _fresh_env(tmp_path / "var")
    env["KOMMUNKVALITET_SNAPSHOT"] = str(snapshot_dir)
    (run,) = _run_all([["import", "snapshot", "--kpi", "U21401", "--kpi", "U23471", "--years", "2016-2018"]], env)
    assert run.returncode == 0, run.stdout + run.stderr
    columns = "kpi_id, year, gender, direction, n, mean, median, min, max, sd, riket, positions, flagged"

    def stored() -> list[tuple]:
        with sqlite3.connect(tmp_path / "var" / "kommunkvalitet.sqlite3") as db:
            return db.execute(f"SELECT {columns} FROM store_comparisonstat ORDER BY kpi_id, year, gender").fetchall()

    before = stored()
    (again,) = _run_all([["recompute"]], env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Räknade om {len(before)} jämförelser" in again.stdout and len(before) >= 2 * 3
    assert stored() == before


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL's recompute")
def test_recompute_on_postgresql_reads_in_parts_beside_the_writes_and_gives_the_rows_the_import_wrote(
    tmp_path, snapshot_dir
):
    """On PostgreSQL the command reads the value table in ranges of KPI ids, each on a connection of its
    own in a thread while the part before is computed and copied in (store.comparison._PARTS); the
    rows are those the import computed KPI-year by KPI-year, bit for bit, on a database of its own."""
    import dj_database_url
    import psycopg
    from django.db import connection

    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"{connection.settings_dict['NAME']}_recompute"[:63]
    server = {"user": url["USER"] or None, "password": url["PASSWORD"] or None, "host": url["HOST"] or None,
              "port": url["PORT"] or None}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = dict(os.environ, KOMMUNKVALITET_DATA_DIR=str(tmp_path / "var"), KOMMUNKVALITET_SNAPSHOT=str(snapshot_dir))
        env["DATABASE_URL"] = (
            f"postgres://{url['USER']}:{url['PASSWORD'] or ''}@{url['HOST']}:{url['PORT'] or 5432}/{name}"
        )
        kpis = ["--kpi", "N00945", "--kpi", "U21401", "--kpi", "U23471", "--kpi", "U31462"]  # more than one range
        for argv in (["manage", "migrate", "-v0"], ["import", "snapshot", *kpis, "--years", "2016-2018"]):
            (run,) = _run_all([argv], env)
            assert run.returncode == 0, run.stdout + run.stderr
        columns = (
            "kpi_id, year, gender, direction, n, mean, median, min, max, sd, riket, positions::text, flagged::text"
        )

        def stored() -> list[tuple]:
            with psycopg.connect(dbname=name, **server) as db:
                return db.execute(
                    f"SELECT {columns} FROM store_comparisonstat ORDER BY kpi_id, year, gender"
                ).fetchall()

        before = stored()
        assert len({row[0] for row in before}) == 4
        (again,) = _run_all([["recompute"]], env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"Räknade om {len(before)} jämförelser" in again.stdout
        assert stored() == before
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
