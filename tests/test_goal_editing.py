"""The forms that build a goal structure and fill it in: permissions, building through posts, the
assessment changing with the values, decisions, copying to the next year, errors and CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kommunkvalitet.core import goals as rules
from kommunkvalitet.store import goals as store
from kommunkvalitet.store.goal_editing import kpi_defaults
from kommunkvalitet.store.models import EditorRole, Goal, GoalDecision, GoalStructure, Indicator

pytestmark = pytest.mark.django_db
MUNI, YEAR = "1463", 2022
BASE = f"/kommun/{MUNI}/mal/"
NEW = BASE + "ny/"
EDIT = f"{BASE}{YEAR}/redigera/"


def _user(name: str, role: str | None) -> User:
    user = User.objects.create_user(name, password="hemligt-lösen-9")
    if role:
        EditorRole.objects.create(user=user, municipality_id=MUNI, role=role)
    return user


@pytest.fixture
def editor():
    return _user("redaktor", EditorRole.Role.EDITOR)


@pytest.fixture
def admin():
    return _user("administrator", EditorRole.Role.ADMIN)


@pytest.fixture
def publisher():
    return _user("publicerare", EditorRole.Role.PUBLISHER)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


STRUCTURE = {
    "year": str(YEAR), "title": "Kommunfullmäktiges mål", "rule": "share", "met_share": "75",
    "partly_share": "50", "min_assessable_share": "50", "subgoals_feed": "on", "interim_end": "",
}  # fmt: skip
OWN = {
    "kind": "own", "name": "Andel brukare med genomförandeplan", "committee": "", "new_committee": "Socialnämnden",
    "unit": "percent", "decimals": "0", "direction": "higher", "target_kind": "level", "target": "90",
    "tolerance": "", "baseline_value": "", "baseline_year": "", "weight": "1", "source": "Egen mätning",
    "data_year_offset": "", "value_year": "80", "reference_year": "", "note_year": "",
}  # fmt: skip


def _goal(c: Client, title: str, parent: Goal | None = None) -> Goal:
    url = EDIT + "mal/ny/" + (f"?parent={parent.pk}" if parent else "")
    data = {"title": title, "parent": str(parent.pk) if parent else "", "perspective": "Medborgare",
            "description": "", "order": "", "new_committees": "Socialnämnden\nKommunstyrelsen"}  # fmt: skip
    response = c.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Goal.objects.get(title=title)


def _structure(c: Client) -> GoalStructure:
    response = c.post(NEW, STRUCTURE)
    assert response.status_code == 302 and response["Location"] == EDIT
    return GoalStructure.objects.get(municipality_id=MUNI, year=YEAR)


def _suggestion(goal: Goal) -> str:
    return store.goal_report(MUNI, YEAR, drafts=False).node(goal.pk).assessment.suggestion


def test_the_forms_need_a_login_and_a_role(client):
    for url in (NEW, EDIT, EDIT + "mal/ny/"):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/login/" in response["Location"]
    stranger = _client(_user("någon", None))
    assert stranger.get(NEW).status_code == 403
    assert stranger.post(NEW, STRUCTURE).status_code == 403
    assert not GoalStructure.objects.exists()
    other = User.objects.create_user("annan", password="x-y-z-1234")
    EditorRole.objects.create(user=other, municipality_id="2284")  # Örnsköldsvik, not Mark
    assert _client(other).get(NEW).status_code == 403


def test_an_administrator_builds_a_structure_and_the_assessment_follows_the_value(admin):
    c = _client(admin)
    page = c.get(NEW).content.decode()
    assert '<label for="id_title">Rubrik</label>' in page and "<legend>Regel för målens bedömning</legend>" in page
    struct = _structure(c)
    assert struct.met_share == 0.75 and struct.subgoals_feed
    goal = _goal(c, "I Mark ska de som behöver få bra stöd")
    assert sorted(str(x) for x in goal.committees.all()) == ["Kommunstyrelsen", "Socialnämnden"]
    sub = _goal(c, "All hjälp utformas efter individuella behov", parent=goal)
    assert sub.parent == goal

    response = c.post(EDIT + f"mal/{sub.pk}/indikator/ny/", OWN)
    assert response.status_code == 302
    ind = Indicator.objects.get(goal=sub)
    assert ind.committee.name == "Socialnämnden" and ind.targets.get().level == 90
    assert _suggestion(sub) == rules.NOT_MET and _suggestion(goal) == rules.NOT_MET
    page = c.get(EDIT).content.decode()
    assert "Andel brukare med genomförandeplan" in page and "Inte uppfyllt" in page

    edit = EDIT + f"indikator/{ind.pk}/"
    assert c.get(edit).context["form"]["value_year"].value() == "80"
    response = c.post(edit, {**OWN, "new_committee": "", "committee": str(ind.committee_id), "value_year": "95,0"})
    assert response.status_code == 302 and "Indikatorn ”Andel brukare med genomförandeplan” är sparad." in [
        str(m) for m in c.get(EDIT).context["messages"]
    ]
    assert _suggestion(sub) == rules.MET and _suggestion(goal) == rules.MET

    # A Kolada key figure found by search: GET re-renders the form with the hits as radio buttons.
    response = c.get(EDIT + f"mal/{goal.pk}/indikator/ny/", {"q": "personalkontinuitet"})
    assert "U21401" in [k.pk for k in response.context["found"]]
    assert 'value="U21401"' in response.content.decode()
    found = c.get(EDIT + f"mal/{goal.pk}/indikator/ny/", {"q": "vantetid sarskilt boende"}).context["found"]
    assert found and all("Väntetid" in k.title and "särskilt boende" in k.title for k in found)
    data = {**OWN, "kind": "kpi", "kpi": "U21401", "q": "personalkontinuitet", "name": "", "unit": "auto",
            "decimals": "", "direction": "auto", "target_kind": "better_than_national", "target": "",
            "new_committee": "", "value_year": "", "source": ""}  # fmt: skip
    assert c.post(EDIT + f"mal/{goal.pk}/indikator/ny/", data).status_code == 302
    kpi_ind = Indicator.objects.get(goal=goal, kind="kpi")
    assert kpi_ind.kpi_id == "U21401" and kpi_ind.name.startswith("Personalkontinuitet")
    assert kpi_ind.direction == "lower" and kpi_ind.unit == "count"
    assert kpi_ind.data_year_offset == kpi_defaults("U21401")["data_year_offset"]
    row = next(
        r for r in store.goal_report(MUNI, YEAR, drafts=False).node(goal.pk).indicators if r.indicator.pk == kpi_ind.pk
    )
    assert row.column == rules.KEY_FIGURE and row.value is not None


def test_errors_are_listed_at_the_top_and_next_to_the_fields(admin):
    c = _client(admin)
    _structure(c)
    response = c.post(EDIT + "mal/ny/", {"title": "", "parent": "", "order": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "Formuläret har fel" in html
    assert '<a href="#id_title">Målets rubrik: Fyll i fältet.</a>' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_title_error"' in html
    assert "Skriv ett heltal." in html
    # an own indicator cannot be held against the national mean; a number must be a number
    goal = _goal(c, "Ett mål")
    response = c.post(EDIT + f"mal/{goal.pk}/indikator/ny/", {**OWN, "target_kind": "best_25", "target": "nittio"})
    html = response.content.decode()
    assert "För det här slaget av indikator går det bara: En målnivå." in html
    assert "Skriv ett tal, till exempel 72,5." in html
    assert 'href="#id_target_kind_0"' in html
    assert not Indicator.objects.exists()
    # the year must be free
    response = c.post(NEW, STRUCTURE)
    assert "Det finns redan en målstruktur för 2022." in response.content.decode()


def test_decisions_need_a_publisher_and_a_motivation_when_they_differ(admin, editor, publisher):
    a = _client(admin)
    _structure(a)
    goal = _goal(a, "Ett mål")
    a.post(EDIT + f"mal/{goal.pk}/indikator/ny/", OWN)  # 80 against 90: Inte uppfyllt
    c = _client(editor)
    url = EDIT + f"mal/{goal.pk}/bedomning/"
    page = c.get(url)
    assert page.status_code == 200 and "Inte uppfyllt" in page.content.decode()
    decide = {"action": "decide", "period": "year", "assessment": rules.NOT_MET, "motivation": ""}
    assert c.post(url, decide).status_code == 403
    assert not GoalDecision.objects.exists()

    p = _client(publisher)
    response = p.post(url, {**decide, "assessment": rules.PARTLY_MET})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bedömningen skiljer sig från regelns förslag: skriv en motivering." in html
    assert '<a href="#id_motivation">Motivering: Bedömningen skiljer sig' in html
    assert not GoalDecision.objects.exists()

    assert (
        p.post(url, {**decide, "assessment": rules.PARTLY_MET, "motivation": "Nyckeltalen visar brister."}).status_code
        == 302
    )
    d = GoalDecision.objects.get()
    assert (d.assessment, d.suggestion, d.decided_by) == (rules.PARTLY_MET, rules.NOT_MET, publisher)
    assert "Nyckeltalen visar brister." in p.get(url).content.decode()  # the history


def test_the_goal_text_starts_from_the_draft_and_only_a_publisher_publishes(admin, editor, publisher):
    a = _client(admin)
    _structure(a)
    goal = _goal(a, "Ett mål")
    c = _client(editor)
    url = EDIT + f"mal/{goal.pk}/bedomning/"
    form = c.get(url).context["text_form"]
    assert form["text"].value()  # the drafted text
    assert c.post(url, {"action": "publish_text", "text-text": "X", "text-based_on": ""}).status_code == 403
    assert c.post(url, {"action": "save_text", "text-text": "Vårt utkast.", "text-based_on": ""}).status_code == 302
    p = _client(publisher)
    stale = {"action": "save_text", "text-text": "Gammal.", "text-based_on": ""}
    assert "någon annan har sparat" in p.post(url, stale).content.decode().lower()
    based_on = p.get(url).context["text_form"]["based_on"].value()
    response = p.post(
        url, {"action": "publish_text", "text-text": "Målet är delvis uppfyllt.", "text-based_on": based_on}
    )
    assert response.status_code == 302
    report = store.goal_report(MUNI, YEAR, drafts=False)
    assert report.node(goal.pk).text.published_text == "Målet är delvis uppfyllt."


def test_copy_to_next_year_keeps_the_lineage(admin):
    c = _client(admin)
    struct = _structure(c)
    goal = _goal(c, "Ett mål")
    sub = _goal(c, "Ett delmål", parent=goal)
    c.post(EDIT + f"mal/{sub.pk}/indikator/ny/", OWN)
    assert c.get(f"{BASE}{YEAR}/redigera/kopiera/").status_code == 405
    response = c.post(f"{BASE}{YEAR}/redigera/kopiera/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}{YEAR + 1}/redigera/"
    new = GoalStructure.objects.get(municipality_id=MUNI, year=YEAR + 1)
    assert new.copied_from == struct
    copies = {g.title: g for g in new.goals.all()}
    assert copies["Ett mål"].lineage == goal.lineage and copies["Ett delmål"].parent == copies["Ett mål"]
    ind = Indicator.objects.get(goal=copies["Ett delmål"])
    assert ind.targets.get(year=YEAR + 1).level == 90 and not ind.values.exists()
    again = c.post(f"{BASE}{YEAR}/redigera/kopiera/", follow=True)
    assert "det finns redan en målstruktur" in again.content.decode().lower()


def test_csrf_is_enforced(admin):
    c = Client(enforce_csrf_checks=True)
    c.force_login(admin)
    assert c.post(NEW, STRUCTURE).status_code == 403
    assert not GoalStructure.objects.exists()
    token = c.get(NEW).context["csrf_token"]
    assert c.post(NEW, {**STRUCTURE, "csrfmiddlewaretoken": str(token)}).status_code == 302


def test_an_upload_must_be_a_small_xlsx(admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client(admin)
    _structure(c)
    url = EDIT + "importera/"
    assert c.get(url).status_code == 200
    response = c.post(url, {"file": SimpleUploadedFile("mal.csv", b"a;b\n")})
    assert "Filen måste vara en Excelfil som slutar på .xlsx." in response.content.decode()


def test_the_structure_goes_out_and_back_in_as_excel(admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client(admin)
    _structure(c)
    goal = _goal(c, "Ett mål")
    c.post(EDIT + f"mal/{goal.pk}/indikator/ny/", OWN)
    response = c.get(f"{BASE}{YEAR}/mal.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="mal-{YEAR}-mark-1463-mall.xlsx"'
    upload = SimpleUploadedFile("mal.xlsx", response.content)
    response = c.post(EDIT + "importera/", {"file": upload}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Filen är inläst: 0 nya, 0 ändrade" in text
    broken = c.post(EDIT + "importera/", {"file": SimpleUploadedFile("mal.xlsx", b"not a zip")})
    assert broken.status_code == 200 and "Formuläret har fel" in broken.content.decode()


def test_removing_says_what_goes_with_it_and_needs_a_post(admin):
    from kommunkvalitet.store.models import IndicatorValue

    c = _client(admin)
    struct = _structure(c)
    goal = _goal(c, "Trygg vård")
    sub = _goal(c, "Bra bemötande", parent=goal)
    assert c.post(f"{EDIT}mal/{sub.pk}/indikator/ny/", OWN).status_code == 302
    ind = Indicator.objects.get(goal=sub)
    page = c.get(f"{EDIT}mal/{goal.pk}/ta-bort/").content.decode()
    assert "Ta bort målet ”Trygg vård”?" in page and "1 delmål" in page and "1 indikator" in page
    assert "1 inmatat värde" in page
    assert Goal.objects.filter(pk=goal.pk).exists()  # GET only asks
    page = c.get(f"{EDIT}indikator/{ind.pk}/ta-bort/").content.decode()
    assert "Ta bort indikatorn ”Andel brukare med genomförandeplan”?" in page
    assert c.post(f"{EDIT}indikator/{ind.pk}/ta-bort/").status_code == 302
    assert not Indicator.objects.filter(pk=ind.pk).exists() and not IndicatorValue.objects.exists()
    assert c.post(f"{EDIT}mal/{goal.pk}/ta-bort/").status_code == 302
    assert not Goal.objects.filter(structure=struct).exists()
    assert _client(_user("lasare", None)).post(f"{EDIT}mal/{goal.pk}/ta-bort/").status_code == 403
