"""Issue 11, the audit log: every change to what users created, by whom, before and after; append-only;
seen and downloaded by administrators only."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from kommunkvalitet.cli import main
from kommunkvalitet.store.models import AuditEntry, EditorRole

pytestmark = pytest.mark.django_db
EDIT = "/kommun/2284/2022/stod_och_omsorg/redigera/"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def writer():
    user = User.objects.create_user("skribent", password="lång-fras-42-ok")
    EditorRole.objects.create(user=user, municipality_id="2284", role=EditorRole.Role.EDITOR)
    return user


def test_a_saved_draft_is_logged_with_its_author_before_and_after(writer):
    c = _client(writer)
    based_on = c.get(EDIT).context["form"]["based_on"].value() or ""
    c.post(EDIT, {"text": "Första texten.", "based_on": based_on, "action": "save"})
    based_on = c.get(EDIT).context["form"]["based_on"].value()
    c.post(EDIT, {"text": "Andra texten.", "based_on": based_on, "action": "save"})
    changes = AuditEntry.objects.filter(object_type="store.commentary").order_by("id")
    created, first, second = changes
    assert {e.actor for e in changes} == {"skribent"} and {e.user for e in changes} == {writer}
    assert {e.municipality_id for e in changes} == {"2284"}
    assert created.action == "created" and first.action == "changed"
    assert second.before["draft_text"] == "Första texten." and second.after["draft_text"] == "Andra texten."
    history = AuditEntry.objects.filter(object_type="store.commentaryversion")
    assert history.count() == 2 and all(e.action == "created" for e in history)


def test_a_command_is_logged_by_its_name_and_a_password_never_shows():
    result = CliRunner().invoke(main, ["editor", "add", "dora", "2284", "--password", "lång-fras-42-ok"])
    assert result.exit_code == 0, result.output
    user_entry = AuditEntry.objects.get(object_type="auth.user", action="created")
    assert user_entry.actor == "kommandorad: editor add"
    assert user_entry.after["username"] == "dora" and user_entry.after["password"] == "(ändrat)"
    stored_hash = User.objects.get(username="dora").password
    assert stored_hash not in str(list(AuditEntry.objects.values_list("before", "after")))
    role_entry = AuditEntry.objects.get(object_type="store.editorrole")
    assert role_entry.municipality_id == "2284" and role_entry.after["role"] == "editor"


def test_a_login_is_not_a_change(client, writer):
    client.post("/konto/login/", {"username": "skribent", "password": "lång-fras-42-ok"})
    assert not AuditEntry.objects.filter(object_type="auth.user", action="changed").exists()


def test_the_log_is_append_only(writer):
    entry = AuditEntry.objects.filter(object_type="auth.user").first()
    entry.actor = "någon annan"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    with pytest.raises(ValueError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(actor="någon annan").count() == 0


def test_administrators_see_and_download_their_municipalitys_changes_and_nobody_else_does(writer, client):
    c = _client(writer)
    c.post(EDIT, {"text": "Text i Örnsköldsvik.", "based_on": "", "action": "save"})
    other = User.objects.create_user("mark-admin", password="lång-fras-44-ok")
    EditorRole.objects.create(user=other, municipality_id="1463", role=EditorRole.Role.EDITOR)
    assert client.get("/konto/logg/")["Location"].startswith("/konto/login/")  # anonymous
    assert c.get("/konto/logg/").status_code == 403  # an editor is not an administrator

    admin = User.objects.create_user("ö-admin", password="lång-fras-45-ok")
    EditorRole.objects.create(user=admin, municipality_id="2284", role=EditorRole.Role.ADMIN)
    page = _client(admin).get("/konto/logg/").content.decode()
    assert "Text i Örnsköldsvik." in page and "skribent" in page
    assert "mark-admin" not in page  # Mark's changes are not Örnsköldsvik's administrator's business

    download = _client(admin).get("/konto/logg/?format=csv")
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["tid", "vem", "kommun", "händelse", "typ", "id", "före", "efter"]
    assert all(r[2] == "2284" for r in rows[1:]) and any("Text i Örnsköldsvik." in r[7] for r in rows[1:])

    site_admin = User.objects.create_superuser("webbansvarig", password="lång-fras-46-ok")
    assert "mark-admin" in _client(site_admin).get("/konto/logg/").content.decode()
