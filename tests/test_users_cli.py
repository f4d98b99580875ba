"""`kommunkvalitet users ...`: add, list, set-role (with committees), set-password, deactivate, on the
real test database; every mistake is one `Fel:` line with exit 1 and changes nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User

from kommunkvalitet.cli import main
from kommunkvalitet.store import roles
from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.models import AuditEntry, Committee, EditorRole

pytestmark = pytest.mark.django_db
PASSWORD = "lång-fras-42-ok"


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _refused(result, text: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Fel: ") and text in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


@pytest.fixture
def mark():
    load_demo()  # Mark 1463 with Socialnämnden and Barn- och utbildningsnämnden


def test_add_then_roles_per_committee_then_list(mark):
    assert _run("users", "add", "anna", "--password", PASSWORD).exit_code == 0
    user = User.objects.get(username="anna")
    assert user.check_password(PASSWORD) and not user.is_superuser and not user.kk_roles.exists()
    _refused(_run("users", "add", "anna", "--password", PASSWORD), "finns redan")

    done = _run("users", "set-role", "anna", "1463", "editor", "--committee", "socialnämnden",
                "--committee", "Barn- och utbildningsnämnden")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "anna är nu redaktör" in done.output and "Socialnämnden" in done.output
    social = Committee.objects.get(municipality_id="1463", name="Socialnämnden")
    rights = roles.rights(user, "1463")
    assert rights.role == roles.EDITOR and social.pk in rights.committees and not rights.may_edit()

    listed = _run("users", "list").output
    assert "anna\n  1463 Mark: editor (Barn- och utbildningsnämnden, Socialnämnden)" in listed

    # a new role replaces the old one in that municipality (the committees go with it)
    assert _run("users", "set-role", "anna", "1463", "publisher").exit_code == 0
    assert list(EditorRole.objects.filter(user=user).values_list("role", "committee")) == [("publisher", None)]
    assert _run("users", "set-role", "anna", "2284", "reader").exit_code == 0
    assert "2284 Örnsköldsvik: reader" in _run("users", "list", "--kommun", "2284").output
    assert "anna" not in _run("users", "list", "--kommun", "0114").output
    assert _run("users", "set-role", "anna", "2284", "none").exit_code == 0
    assert not roles.rights(user, "2284").may_view_drafts
    # every change is in the audit log, made by the command
    logged = AuditEntry.objects.filter(object_type="store.editorrole")
    assert logged.count() >= 5 and {e.actor for e in logged} == {"kommandorad: users set-role"}


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("set-role", "anna", "1463", "chef"), "okänd roll 'chef'"),
        (("set-role", "anna", "9999", "editor"), "okänd kommun '9999'"),
        (("set-role", "anna", "1463", "editor", "--committee", "Kulturnämnden"), "ingen nämnd 'Kulturnämnden'"),
        (("set-role", "anna", "1463", "publisher", "--committee", "Socialnämnden"), "bara rollen editor"),
        (("set-role", "ingen", "1463", "editor"), "ingen användare 'ingen'"),
        (("set-role", "<script>", "1463", "editor"), "ogiltigt användarnamn"),
        (("set-password", "anna", "--password", "123"), "lösenordet duger inte"),
        (("deactivate", ""), "ogiltigt användarnamn"),
        (("add", "anna svensson", "--password", PASSWORD), "ogiltigt användarnamn"),
    ],
)
def test_mistakes_are_one_line_and_change_nothing(mark, args, text):
    _run("users", "add", "anna", "--password", PASSWORD)
    _run("users", "set-role", "anna", "1463", "editor", "--committee", "Socialnämnden")
    before = list(EditorRole.objects.values_list("user__username", "municipality", "role", "committee"))
    password = User.objects.get(username="anna").password
    _refused(_run("users", *args), text)
    assert list(EditorRole.objects.values_list("user__username", "municipality", "role", "committee")) == before
    assert User.objects.get(username="anna").password == password and User.objects.count() == 1


def test_set_password_deactivate_and_a_site_administrator(mark, client):
    _run("users", "add", "bo", "--password", PASSWORD)
    _run("users", "set-role", "bo", "1463", "admin")
    assert _run("users", "set-password", "bo", "--password", "en-annan-fras-77").exit_code == 0
    login = {"username": "bo", "password": "en-annan-fras-77"}
    assert client.post("/konto/login/", login).status_code == 302  # signed in
    assert client.get("/konto/logg/").status_code == 200
    assert _run("users", "deactivate", "bo").exit_code == 0
    assert "bo (avstängd)" in _run("users", "list").output
    assert client.get("/konto/logg/").status_code == 302  # her session is over: to the login page
    assert client.post("/konto/login/", login).status_code == 200  # the form again: refused
    assert _run("users", "deactivate", "bo", "--undo").exit_code == 0
    assert client.post("/konto/login/", login).status_code == 302

    assert _run("users", "add", "site", "--site-admin", "--password", PASSWORD).exit_code == 0
    assert "site (webbplatsens administratör)" in _run("users", "list").output
    assert roles.rights(User.objects.get(username="site"), "2284").may_manage


def test_editor_add_is_kept_and_gives_the_same_rows(mark):
    result = _run("editor", "add", "cilla", "1463", "--admin", "--password", PASSWORD)
    assert result.exit_code == 0 and "cilla är nu administratör" in result.output
    assert roles.rights(User.objects.get(username="cilla"), "1463").may_manage
