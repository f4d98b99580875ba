"""The review workflow of texts (issue 11): draft -> klar för granskning -> published, a refusal with a
required comment the editor sees, published versions that stay as they were while a new draft is
written, the public page and JSON showing only what is published, and every step in the audit log.
Through the real pages, on the real test database."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kommunkvalitet.store import commentary, goals
from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.models import AuditEntry, Commentary, CommentaryVersion, EditorRole, Goal, Indicator

pytestmark = pytest.mark.django_db
MUNI = "2284"
AREA = f"/kommun/{MUNI}/2022/stod_och_omsorg/"
EDIT = AREA + "redigera/"


def _client(name: str, role: str, muni: str = MUNI, committee=None) -> Client:
    user = User.objects.create_user(name, password="hemligt-lösen-9")
    EditorRole.objects.create(user=user, municipality_id=muni, role=role, committee=committee)
    c = Client()
    c.force_login(user)
    return c


def _based_on(c: Client) -> str:
    return c.get(EDIT).context["form"]["based_on"].value()


def _area_text() -> Commentary:
    return Commentary.private_objects.get(municipality_id=MUNI, measure_set="kkik_2022", kpi="")


def test_draft_review_refusal_with_a_comment_then_publication(client):
    editor, publisher = _client("redaktor", "editor"), _client("publicerare", "publisher")
    first = "Första versionen [länk](javascript:alert(1)) **fet**."
    sent = editor.post(EDIT, {"text": first, "based_on": _based_on(editor), "action": "submit"})
    assert sent.status_code == 302 and _area_text().status == "review"
    assert "Första versionen" not in client.get(AREA).content.decode()  # not public while under review
    page = publisher.get(EDIT).content.decode()
    assert "Klar för granskning" in page and "Skicka tillbaka till redaktören" in page

    empty = publisher.post(EDIT, {"action": "send_back", "note": "  "})
    assert empty.status_code == 200 and "Skriv vad som behöver ändras." in empty.content.decode()
    assert _area_text().status == "review"  # a refusal needs its comment
    assert publisher.post(EDIT, {"action": "send_back", "note": "Länken fungerar inte."}).status_code == 302
    assert (_area_text().status, _area_text().review_note) == ("returned", "Länken fungerar inte.")

    page = editor.get(EDIT).content.decode()
    assert "Skickad tillbaka av publiceraren:" in page and "Länken fungerar inte." in page
    fixed = "Andra versionen med [SKR](https://skr.se) och **fet** stil."
    assert editor.post(EDIT, {"text": fixed, "based_on": _based_on(editor), "action": "submit"}).status_code == 302
    assert _area_text().status == "review" and _area_text().review_note == ""
    based_on = _based_on(publisher)
    assert publisher.post(EDIT, {"text": fixed, "based_on": based_on, "action": "publish"}).status_code == 302
    published = _area_text()
    assert published.status == "published" and published.published_text == fixed and published.published_values

    html = client.get(AREA).content.decode()
    assert "Andra versionen" in html and "<strong>fet</strong>" in html and "Första versionen" not in html
    twin = client.get(AREA.rstrip("/") + ".json").json()["commentary"]["_area"]
    assert twin == {"html": twin["html"], "plain": "Andra versionen med SKR och fet stil."}
    assert "**" not in twin["html"] and 'href="https://skr.se"' in twin["html"]

    # a new edit is a new draft; the published text stays on the public page, as it was
    newer = "Tredje versionen."
    assert editor.post(EDIT, {"text": newer, "based_on": _based_on(editor), "action": "save"}).status_code == 302
    after = _area_text()
    assert (after.status, after.draft_text, after.published_text) == ("draft", newer, fixed)
    assert after.published_values == published.published_values
    assert "Andra versionen" in client.get(AREA).content.decode()
    assert "Tredje" not in client.get(AREA).content.decode()

    steps = list(after.versions.order_by("at", "id").values_list("action", "text"))
    assert [a for a, _ in steps] == ["saved", "submitted", "returned", "saved", "submitted", "saved",
                                     "published", "saved"]  # fmt: skip
    assert ("returned", "Länken fungerar inte.") in steps and ("published", fixed) in steps
    statuses = [
        e.after["status"] for e in AuditEntry.objects.filter(object_type="store.commentary").order_by("at", "id")
    ]
    assert {"review", "returned", "published", "draft"} <= set(statuses)  # every transition is logged


def test_a_published_version_cannot_be_changed():
    editor = _client("publicerare", "publisher")
    editor.post(EDIT, {"text": "Publicerad text.", "based_on": _based_on(editor), "action": "publish"})
    version = CommentaryVersion.objects.get(action="published")
    version.text = "Ändrad i efterhand."
    with pytest.raises(ValueError, match="append-only"):
        version.save()
    assert CommentaryVersion.objects.get(action="published").text == "Publicerad text."


def test_only_a_draft_goes_for_review_and_only_a_text_under_review_is_sent_back():
    user = User.objects.create_user("pub", password="hemligt-lösen-9")
    EditorRole.objects.create(user=user, municipality_id=MUNI, role="publisher")
    place = commentary.Place(MUNI, "kkik_2022", "stod_och_omsorg")
    with pytest.raises(commentary.KommunkvalitetError, match="inget utkast"):
        commentary.submit(user, place)
    commentary.save_draft(user, place, "Text.", based_on="")
    with pytest.raises(commentary.KommunkvalitetError, match="inte skickad för granskning"):
        commentary.send_back(user, place, "Nej.")
    commentary.submit(user, place)
    with pytest.raises(commentary.KommunkvalitetError, match="redan klar för granskning"):
        commentary.submit(user, place)


def test_a_goal_text_goes_the_same_way_for_its_committees_editor(client):
    ((struct, _),) = load_demo()
    goal = next(g for g in Goal.objects.filter(structure=struct) if g.committees.count() == 1)
    committee = goal.committees.get()
    editor = _client("namnd", "editor", "1463", committee)
    publisher = _client("pub", "publisher", "1463")
    url = f"/kommun/1463/mal/2017/redigera/mal/{goal.pk}/bedomning/"
    sent = editor.post(url, {"action": "submit_text", "text-text": "Målet är nära.", "text-based_on": ""})
    assert sent.status_code == 302
    place = goals.text_place(goal, "year")
    assert commentary.get(place).status == "review"
    assert publisher.post(url, {"action": "return_text", "note": "Nämn siffrorna."}).status_code == 302
    assert "Nämn siffrorna." in editor.get(url).content.decode()
    based_on = editor.get(url).context["text_form"]["based_on"].value()
    data = {"action": "submit_text", "text-text": "Målet är nära: 5 av 9.", "text-based_on": based_on}
    assert editor.post(url, data).status_code == 302
    based_on = publisher.get(url).context["text_form"]["based_on"].value()
    data = {"action": "publish_text", "text-text": "Målet är nära: 5 av 9.", "text-based_on": based_on}
    assert publisher.post(url, data).status_code == 302
    assert "Målet är nära: 5 av 9." in client.get(f"/kommun/1463/mal/2017/mal-{goal.pk}/").content.decode()


def test_a_decision_keeps_the_suggestion_and_values_it_rests_on(client):
    ((struct, _),) = load_demo()
    publisher = User.objects.create_user("pub", password="hemligt-lösen-9")
    EditorRole.objects.create(user=publisher, municipality_id="1463", role="publisher")
    node = next(n for n in goals.goal_report("1463", 2017, drafts=False).nodes() if n.indicators and n.children == [])
    own = next(r for r in node.indicators if r.indicator.kind == "own" and r.value is not None)
    decision = goals.record_decision(publisher, node.goal, "year", node.assessment.suggestion, "")
    key = f"indicator:{own.indicator.pk}:{own.data_year}"
    assert decision.values[key] == own.value and decision.suggestion == node.assessment.suggestion
    indicator = Indicator.objects.get(pk=own.indicator.pk)
    goals.set_value(publisher, indicator, own.data_year, "year", own.value + 7)  # a later revision
    decision.refresh_from_db()
    assert decision.values[key] == own.value  # the decision still shows the figures as they were
    twin = client.get(f"/kommun/1463/mal/2017/mal-{node.goal.pk}.json").json()
    assert twin["goal"]["assessment"]["decision"]["values_then"][key] == own.value
    decision.motivation = "Ändrad i efterhand."
    with pytest.raises(ValueError, match="never changed"):
        decision.save()


def test_an_editor_proposes_a_decision_and_the_publisher_returns_then_publishes_it(client):
    ((struct, _),) = load_demo()
    goal = next(g for g in Goal.objects.filter(structure=struct) if g.committees.count() == 1 and g.indicators.exists())
    editor = _client("namnd", "editor", "1463", goal.committees.get())
    publisher = _client("pub", "publisher", "1463")
    url = f"/kommun/1463/mal/2017/redigera/mal/{goal.pk}/bedomning/"
    twin = f"/kommun/1463/mal/2017/mal-{goal.pk}.json"
    before = client.get(twin).json()["goal"]["assessment"]["decision"]
    proposal = {"action": "propose", "period": "year", "assessment": "not_assessable", "motivation": "Osäkra data."}
    assert editor.post(url, proposal).status_code == 302
    assert client.get(twin).json()["goal"]["assessment"]["decision"] == before  # not public under review
    assert "Förslag som väntar på granskning" in publisher.get(url).content.decode()

    refused = publisher.post(url, {"action": "return_decision", "period": "year", "beslut-note": ""})
    assert refused.status_code == 200 and goals.pending_decision(goal, "year").status == "review"
    back = {"action": "return_decision", "period": "year", "beslut-note": "Vilka data saknas?"}
    assert publisher.post(url, back).status_code == 302
    assert "Vilka data saknas?" in editor.get(url).content.decode()

    assert editor.post(url, {**proposal, "motivation": "Enkäten 2017 saknas."}).status_code == 302
    assert publisher.post(url, {"action": "publish_decision", "period": "year"}).status_code == 302
    shown = client.get(twin).json()["goal"]["assessment"]["decision"]
    assert (shown["code"], shown["motivation"]) == ("not_assessable", "Enkäten 2017 saknas.")
    assert shown["values_then"] and goals.pending_decision(goal, "year") is None
    statuses = list(goal.decisions.order_by("id").values_list("status", flat=True))
    assert statuses[-2:] == ["returned", "published"]  # the refused proposal stays in the history
