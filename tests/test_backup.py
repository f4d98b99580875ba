"""Issue 11, backup and restore: everything users created goes into one versioned file; a restore into an
empty install reproduces it row by row, across SQLite and PostgreSQL (the suite's database against a
fresh SQLite install in a second process); a damaged, newer or foreign file is refused and changes nothing."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.db import connection

from kommunkvalitet.cli import main
from kommunkvalitet.store import backup, commentary
from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.goals import record_decision
from kommunkvalitet.store.models import EditorRole, Goal, GoalDecision, IndicatorValue
from kommunkvalitet.store.models.goals import Assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    """Users, roles, a goal structure (the shipped example) with an entered value and a decision, and a
    published commentary with its history: a bit of everything a backup must carry."""
    anna = User.objects.create_user("anna", email="anna@mark.example", password="lång-fras-42-ok")
    EditorRole.objects.create(user=anna, municipality_id="1463", role=EditorRole.Role.PUBLISHER)
    bo = User.objects.create_user("bo", password="lång-fras-43-ok")
    EditorRole.objects.create(user=bo, municipality_id="2284", role=EditorRole.Role.EDITOR)
    load_demo()
    goal = Goal.objects.filter(structure__municipality_id="1463").order_by("pk").first()
    record_decision(
        anna, goal, "year", Assessment.PARTLY_MET, "Två av tre indikatorer når målet; den tredje saknar utfall."
    )
    place = commentary.Place("1463", "kkik_2022", "stod_och_omsorg", "")
    commentary.save_draft(anna, place, "Första **utkastet** med å, ä och ö.", based_on="")
    commentary.publish(anna, place, {"U21401:2022": 17.0})
    return anna


def _objects(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)["objects"]


def _fresh_sqlite(tmp_path, *argvs) -> list[subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KOMMUNKVALITET_DATA_DIR"] = str(tmp_path / "fresh")
    out = []
    for argv in argvs:
        run = subprocess.run([sys.executable, "-m", "kommunkvalitet", *argv], env=env, capture_output=True,
                             text=True, timeout=600)  # fmt: skip
        assert run.returncode == 0, (argv, run.stdout, run.stderr)
        out.append(run)
    return out


def test_backup_and_restore_across_databases_reproduce_every_row(content, tmp_path, snapshot_dir):
    here = tmp_path / "here.kkbackup"
    result = CliRunner().invoke(main, ["backup", str(here)])
    assert result.exit_code == 0, result.output
    objects = _objects(here)
    assert objects == backup.dump()
    shown = backup.counts(objects)
    assert shown["auth.user"] == 2 and shown["store.commentaryversion"] == 2 and shown["store.auditentry"] > 20
    assert shown["store.goaldecision"] == GoalDecision.objects.count() > 0
    assert shown["store.indicator"] > 10 and shown["store.indicatorvalue"] == IndicatorValue.objects.count() > 0
    # into a fresh SQLite install in another process (Kolada's data imported first), and back out
    kpis = sorted({o["fields"]["kpi"] for o in objects if o["model"] == "store.indicator" and o["fields"]["kpi"]})
    there = tmp_path / "there.kkbackup"
    _fresh_sqlite(
        tmp_path,
        ["import", "snapshot", str(snapshot_dir), "--years", "2021-2022", *(a for k in kpis for a in ("--kpi", k))],
        ["restore", str(here)],
        ["backup", str(there)],
    )
    assert _objects(there) == objects, f"{connection.vendor} -> SQLite changed rows"
    # and from that SQLite install back into this database (PostgreSQL when the suite runs on it)
    replaced = CliRunner().invoke(main, ["restore", str(there), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert backup.dump() == objects, f"SQLite -> {connection.vendor} changed rows"
    # the restored users can sign in with their passwords, and new rows get new ids
    assert User.objects.get(username="anna").check_password("lång-fras-42-ok")
    assert User.objects.create_user("ny").pk > max(o["pk"] for o in objects if o["model"] == "auth.user")


def _refused(path, says: str, *extra: str):
    before = backup.dump()
    result = CliRunner().invoke(main, ["restore", str(path), *extra])
    assert result.exit_code == 1, result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("Fel:")]
    assert says in line, line
    assert backup.dump() == before


def _rewrite(src, dst, change) -> None:
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        document = json.load(fh)
    change(document)
    with gzip.open(dst, "wt", encoding="utf-8") as fh:
        json.dump(document, fh)


def test_a_damaged_newer_or_foreign_backup_is_refused_and_changes_nothing(content, tmp_path):
    good = tmp_path / "good.kkbackup"
    backup.write(good)
    _refused(good, "already has content that users created")  # not empty, no --replace

    truncated = tmp_path / "truncated.kkbackup"
    truncated.write_bytes(good.read_bytes()[:-200])
    _refused(truncated, "not a readable backup file", "--replace")

    tampered = tmp_path / "tampered.kkbackup"
    _rewrite(good, tampered, lambda d: d["objects"][0]["fields"].update(username="mallory"))
    _refused(tampered, "checksum does not match", "--replace")

    newer = tmp_path / "newer.kkbackup"
    _rewrite(good, newer, lambda d: d.update(version=backup.VERSION + 1))
    _refused(newer, "update kommunkvalitet first", "--replace")

    foreign = tmp_path / "foreign.kkbackup"
    with gzip.open(foreign, "wt", encoding="utf-8") as fh:
        json.dump([{"model": "auth.user", "pk": 1, "fields": {}}], fh)
    _refused(foreign, "not a kommunkvalitet backup file", "--replace")

    def unknown_kpi(document):
        indicator = next(o for o in document["objects"] if o["model"] == "store.indicator" and o["fields"]["kpi"])
        indicator["fields"]["kpi"] = "X00000"
        document["sha256"] = backup.hashlib.sha256(backup._canonical(document["objects"])).hexdigest()

    missing = tmp_path / "missing.kkbackup"
    _rewrite(good, missing, unknown_kpi)
    _refused(missing, "nyckeltal X00000", "--replace")
    _refused(tmp_path / "finns-inte.kkbackup", "no such file")
