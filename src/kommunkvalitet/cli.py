"""The ``kommunkvalitet`` command: a thin shell over store and core.

Errors that a user can cause (:class:`KommunkvalitetError`) are printed without a traceback and give
exit code 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kommunkvalitet.errors import KommunkvalitetError


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    import django

    django.setup()


def parse_years(text: str) -> tuple[int, int]:
    """ "2015-2022" -> (2015, 2022); "2020" -> (2020, 2020)."""
    try:
        first, _, last = text.partition("-")
        y0, y1 = int(first), int(last or first)
    except ValueError:
        raise click.BadParameter(f"expected YEAR or YEAR-YEAR, got {text!r}") from None
    if y0 > y1:
        raise click.BadParameter(f"the first year comes after the last: {text!r}")
    return y0, y1


class Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KommunkvalitetError as err:
            click.secho(f"Fel: {err}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=Group)
@click.version_option(package_name="kommunkvalitet")
def main() -> None:
    """kommunkvalitet: jämför kommunens kvalitet (KKiK) och följ upp fullmäktiges mål."""


@main.group(name="import")
def import_() -> None:
    """Import data into the store."""


@import_.command(name="snapshot")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--kpi", "kpis", multiple=True, metavar="ID", help="Import only this KPI (repeatable).")
@click.option("--years", default="2015-2022", show_default=True, help="Years to import, e.g. 2018-2022.")
@click.option("--all", "all_kpis", is_flag=True, help="Import every KPI (4.2 million values).")
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows; write rejected ones to a report.")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where reports of rejected rows go (default: the data dir).",
)
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Import these values files instead of the snapshot's (repeatable).",
)
def import_snapshot(directory, kpis, years, all_kpis, skip_bad_rows, report_dir, files) -> None:
    """Import the offline snapshot (default: KOMMUNKVALITET_SNAPSHOT)."""
    _django()
    from kommunkvalitet import config
    from kommunkvalitet.store.importing import SnapshotImporter, tqdm_progress

    importer = SnapshotImporter(
        directory or config.snapshot_dir(),
        kpis=kpis or None,
        years=parse_years(years),
        all_kpis=all_kpis,
        skip_bad_rows=skip_bad_rows,
        report_dir=report_dir or config.data_dir() / "reports",
        value_files=files or None,
        progress=tqdm_progress,
    )
    summary = importer.run()
    click.echo(f"{'fil':60} {'nya':>9} {'ändrade':>9} {'oförändrade':>12} {'avvisade':>9}")
    for f in summary.files:
        click.echo(f"{Path(f.file).name:60} {f.added:>9} {f.changed:>9} {f.unchanged:>12} {f.rejected:>9}")
        if f.report:
            click.echo(f"  avvisade rader: {f.report}")
    if summary.nothing_changed:
        click.echo("Inget ändrades: databasen var redan aktuell.")
    else:
        click.echo(f"Klart: {summary.total('added')} nya och {summary.total('changed')} ändrade rader.")


@main.command()
def setup() -> None:
    """Migrate the database and import the snapshot if the database is empty."""
    _django()
    from django.core.management import call_command

    from kommunkvalitet import config
    from kommunkvalitet.store.importing import SnapshotImporter, tqdm_progress
    from kommunkvalitet.store.models import Value

    call_command("migrate", interactive=False, verbosity=0)
    if Value.objects.exists():
        click.echo("Databasen har redan data; ingen import behövs.")
        return
    click.echo(f"Importerar ögonblicksbilden från {config.snapshot_dir()} ...")
    summary = SnapshotImporter(
        config.snapshot_dir(), progress=tqdm_progress, report_dir=config.data_dir() / "reports"
    ).run()
    click.echo(f"Klart: {summary.total('added')} nya rader.")


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve(bind: str, workers: int) -> None:
    """Serve the web app with gunicorn."""
    _django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kommunkvalitet.wsgi",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ],
    )


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx) -> None:
    """Run a Django management command (migrate, createsuperuser, ...)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kommunkvalitet manage", *ctx.args])


if __name__ == "__main__":  # pragma: no cover
    main()
