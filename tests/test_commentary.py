"""The municipality's own commentary: roles, drafts, publication, sanitising, revisions, CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kommunkvalitet.store.importing import SnapshotImporter
from kommunkvalitet.store.models import Commentary, CommentaryVersion, EditorRole

pytestmark = pytest.mark.django_db
AREA = "/kommun/2284/2022/stod_och_omsorg/"
EDIT = AREA + "redigera/"


@pytest.fixture
def editor():
    user = User.objects.create_user("redaktor", password="hemligt-lösen-1")
    EditorRole.objects.create(user=user, municipality_id="2284", role=EditorRole.Role.EDITOR)
    return user


@pytest.fixture
def publisher():
    user = User.objects.create_user("publicerare", password="hemligt-lösen-2")
    EditorRole.objects.create(user=user, municipality_id="2284", role=EditorRole.Role.PUBLISHER)
    return user


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _based_on(c: Client, url: str = EDIT) -> str:
    return c.get(url).context["form"]["based_on"].value() or ""


def test_editing_needs_a_login_and_a_role(client):
    response = client.get(EDIT)
    assert response.status_code == 302 and "/konto/login/" in response["Location"]
    stranger = User.objects.create_user("någon", password="x-y-z-1234")
    assert _client(stranger).get(EDIT).status_code == 403
    other = User.objects.create_user("annan", password="x-y-z-1234")
    EditorRole.objects.create(user=other, municipality_id="1463")  # Mark, not Örnsköldsvik
    assert _client(other).get(EDIT).status_code == 403


def test_the_form_starts_from_the_drafted_text(editor):
    form_text = _client(editor).get(EDIT).context["form"]["text"].value()
    assert "ligger nu bland de 25 procent sämsta kommunerna" in form_text


def test_a_draft_is_not_public_and_an_editor_cannot_publish(editor, client):
    c = _client(editor)
    response = c.post(EDIT, {"text": "Vårt **utkast**.", "based_on": _based_on(c), "action": "save"})
    assert response.status_code == 302
    assert "Vårt" not in client.get(AREA).content.decode()
    response = c.post(EDIT, {"text": "Vårt utkast.", "based_on": _based_on(c), "action": "publish"})
    assert response.status_code == 403
    assert not Commentary.public_objects.exists()


def test_a_refused_publication_saves_nothing_and_the_next_save_meets_no_conflict(editor):
    c = _client(editor)
    based_on = _based_on(c)
    refused = c.post(EDIT, {"text": "Första försöket.", "based_on": based_on, "action": "publish"})
    assert refused.status_code == 403
    assert not CommentaryVersion.objects.filter(text="Första försöket.").exists()
    # the form she still has open carries the same based_on: her save goes through
    saved = c.post(EDIT, {"text": "Första försöket.", "based_on": based_on, "action": "save"})
    assert saved.status_code == 302
    assert Commentary.private_objects.get(municipality_id="2284", kpi="").draft_text == "Första försöket."


def test_publishing_shows_sanitised_text_with_history(publisher, client):
    c = _client(publisher)
    text = 'Bra *resultat*.\n\n<script>alert("x")</script> [länk](javascript:alert(1)) [SKR](https://skr.se)'
    c.post(EDIT, {"text": text, "based_on": _based_on(c), "action": "publish"})
    html = client.get(AREA).content.decode()
    assert "Bra <em>resultat</em>." in html
    assert "<script>alert" not in html and "javascript:" not in html
    assert 'href="https://skr.se"' in html
    twin = client.get(AREA.rstrip("/") + ".json").json()["commentary"]["_area"]
    assert set(twin) == {"html", "plain"}  # the sanitised HTML and its plain text, never the raw source
    assert "<em>resultat</em>" in twin["html"] and 'href="https://skr.se"' in twin["html"]
    assert "javascript:" not in str(twin) and "<script" not in str(twin)
    assert twin["plain"].startswith("Bra resultat.")
    comment = Commentary.public_objects.get(municipality_id="2284", kpi="")
    assert comment.published_by == publisher
    assert [v.action for v in comment.versions.all()] == ["published", "saved"]


def test_a_stale_form_never_overwrites_a_newer_draft(editor, publisher):
    a, b = _client(editor), _client(publisher)
    stale = _based_on(a)
    b.post(EDIT, {"text": "Publicerarens text.", "based_on": _based_on(b), "action": "save"})
    response = a.post(EDIT, {"text": "Redaktörens text.", "based_on": stale, "action": "save"})
    assert "någon annan har sparat ett nytt utkast" in response.content.decode()
    assert Commentary.private_objects.get(municipality_id="2284", kpi="").draft_text == "Publicerarens text."
    assert CommentaryVersion.objects.filter(text="Redaktörens text.").count() == 0


def test_a_measure_comment_is_flagged_when_its_figure_is_revised(publisher, client, snapshot_dir, write_values_file):
    c = _client(publisher)
    url = EDIT + "?kpi=U21401"
    c.post(url, {"text": "Vi arbetar med kontinuiteten.", "based_on": _based_on(c, url), "action": "publish"})
    html = client.get(AREA).content.decode()
    assert "Vi arbetar med kontinuiteten." in html
    assert "har ändrats i Kolada sedan kommentaren publicerades" not in html
    path = write_values_file("rev.csv", "kpi,municipality_id,year,gender,value", ["U21401,2284,2022,T,17"])
    SnapshotImporter(snapshot_dir, kpis=["U21401"]).import_values_file(path)
    html = client.get(AREA).content.decode()
    assert "Vi arbetar med kontinuiteten." in html
    assert "Siffran har ändrats i Kolada sedan kommentaren publicerades." in html


def test_posts_without_a_csrf_token_are_refused(editor):
    c = Client(enforce_csrf_checks=True)
    c.force_login(editor)
    response = c.post(EDIT, {"text": "x", "based_on": "", "action": "save"})
    assert response.status_code == 403
    assert not Commentary.private_objects.exists()


def test_login_page_works(client):
    User.objects.create_user("inloggning", password="rätt-lösen-123")
    html = client.get("/konto/login/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and 'autocomplete="current-password"' in html
    response = client.post("/konto/login/", {"username": "inloggning", "password": "rätt-lösen-123"})
    assert response.status_code == 302
