"""The goal follow-up pages (målbedömning): the report of a year, a goal's page with its history, the
index, and their JSON twins, on the real data of Mark (1463) with a small example structure."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kommunkvalitet.store import goals as store
from kommunkvalitet.store.goal_editing import copy_to_next_year
from kommunkvalitet.store.models import (
    KPI,
    Commentary,
    Committee,
    EditorRole,
    Goal,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
)

pytestmark = pytest.mark.django_db

COUNCIL = "I Mark ska de som behöver få bra stöd och en god vård och omsorg"
SUB1 = "All hjälp utformas efter individuella behov med delaktighet från brukare och anhöriga"
SUB2 = "Allt arbete bedrivs med professionellt förhållningssätt och god kvalitet"
NOTE = "Målen och de egna indikatorerna är påhittade för att visa sidan; nyckeltalen är Koladas."
KPIS = {  # kpi: (name, unit, direction)
    "U21401": ("Personalkontinuitet hemtjänst, antal personal på 14 dagar", "", "lower"),
    "U23471": ("Brukare som är nöjda med sitt särskilda boende", "percent", "higher"),
    "U21468": ("Brukare som är nöjda med sin hemtjänst", "percent", "higher"),
}


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode().replace("&nbsp;", "\xa0"))


@pytest.fixture
def publisher():
    user = get_user_model().objects.create_user("malredaktor", password="pw-for-tests-only")
    EditorRole.objects.create(user=user, municipality_id="1463", role=EditorRole.Role.PUBLISHER)
    return user


@pytest.fixture
def admin():
    user = get_user_model().objects.create_user("maladmin", password="pw-for-tests-only")
    EditorRole.objects.create(user=user, municipality_id="1463", role=EditorRole.Role.ADMIN)
    return user


@pytest.fixture
def mark():
    s = GoalStructure.objects.create(municipality_id="1463", year=2017, example_note=NOTE,
                                     interim_end=dt.date(2017, 8, 31))  # fmt: skip
    council = Goal.objects.create(structure=s, title=COUNCIL, perspective="Medborgare", order=0)
    sub1 = Goal.objects.create(structure=s, parent=council, title=SUB1, order=1)
    sub2 = Goal.objects.create(structure=s, parent=council, title=SUB2, order=2)
    social = Committee.objects.create(municipality_id="1463", name="Socialnämnden")
    sub1.committees.add(social)
    plan = Indicator.objects.create(goal=sub1, name="Brukare i hemtjänsten med genomförandeplan", committee=social,
                                    unit="percent", order=1)  # fmt: skip
    IndicatorTarget.objects.create(indicator=plan, year=2017, level=90)
    IndicatorValue.objects.create(indicator=plan, year=2016, value=65)
    IndicatorValue.objects.create(indicator=plan, year=2017, value=70)
    lss = Indicator.objects.create(goal=sub1, name="Brukare med LSS-insats med genomförandeplan", committee=social,
                                   unit="percent", order=2)  # fmt: skip
    IndicatorTarget.objects.create(indicator=lss, year=2017, level=95)
    IndicatorValue.objects.create(indicator=lss, year=2017, value=98)
    ext = Indicator.objects.create(goal=sub2, kind=Indicator.Kind.EXTERNAL, name="Äldre som känner sig trygga",
                                   source="Socialstyrelsen, Vad tycker de äldre om äldreomsorgen?", unit="percent",
                                   target_kind=Indicator.TargetKind.BETTER_THAN_NATIONAL, order=1)  # fmt: skip
    IndicatorValue.objects.create(indicator=ext, year=2017, value=80.4, reference=84.2)
    missing = Indicator.objects.create(goal=sub2, name="Brukare med aktuell vårdplan", committee=social,
                                       unit="percent", order=3)  # fmt: skip
    IndicatorTarget.objects.create(indicator=missing, year=2017, level=80)
    kpis = {}
    for i, (kpi, (name, unit, direction)) in enumerate(KPIS.items()):
        kpis[kpi] = Indicator.objects.create(
            goal=sub2, kind=Indicator.Kind.KPI, kpi=KPI.objects.get(pk=kpi), name=name, unit=unit,
            direction=direction, target_kind=Indicator.TargetKind.BETTER_THAN_NATIONAL, order=10 + i,
        )  # fmt: skip
    return {"structure": s, "council": council, "sub1": sub1, "sub2": sub2, "plan": plan, "ext": ext, **kpis}


def _row(html: str, name: str) -> str:
    """The first table row whose row header names ``name``."""
    for row in re.findall(r"<tr[ >].*?</tr>", html):
        header = re.search(r'<th scope="row">(.*?)</th>', row)
        if header and name in header.group(1):
            return row
    raise AssertionError(f"no row for {name!r}")


def test_the_report_shows_the_goals_in_three_columns_with_symbols_words_and_the_legend(client, mark):
    response = client.get("/kommun/1463/mal/2017/")
    assert response.status_code == 200
    html = _text(response)
    assert "Målbedömning 2017 – Mark" in html and "Kommunfullmäktiges mål" in html
    assert "Exempeldata:" in html and NOTE in html
    for header in ("Bedömning utifrån nämndernas indikatorer", "Bedömning utifrån relevanta nyckeltal",
                   "Sammanvägd bedömning", "Symbolförklaring"):  # fmt: skip
        assert header in html
    for word in ("Uppfyllt", "Delvis uppfyllt", "Inte uppfyllt", "Kan inte bedömas"):
        assert word in html
    # every assessment is a symbol hidden from screen readers and a word beside it
    cells = re.findall(r'<span class="sym" aria-hidden="true">([^<]+)</span> ([^<]+)</span>', html)
    assert {w for _s, w in cells} >= {"Uppfyllt", "Delvis uppfyllt", "Inte uppfyllt", "Kan inte bedömas"}
    assert len({s for s, _w in cells}) == 4  # four different symbols
    # the overview table: the council goal, then its sub-goals
    table = html.split('class="goals"', 1)[1].split("</table>", 1)[0]
    assert table.index(COUNCIL) < table.index(SUB1) < table.index(SUB2)
    # sub-goal 1: one of two own indicators meets its target: Delvis; no key figures
    row = _row(table, SUB1)
    assert "Delvis uppfyllt" in row and "Kan inte bedömas" in row
    assert "1 av 2 indikatorer når målnivån" in html
    # sub-goal 2: one of four key figures better than the national mean: Inte uppfyllt
    assert "Inte uppfyllt" in _row(table, SUB2)
    assert "1 av 4 nyckeltal når målnivån (regel: andel ≥ 75\xa0% Uppfyllt, ≥ 50\xa0% Delvis" in html
    assert '</kommun/1463/mal/2017.json>; rel="alternate"; type="application/json"' in response["Link"]


def test_the_key_figures_are_marks_kkik_2017_figures_of_seed_002(client, mark):
    html = _text(client.get("/kommun/1463/mal/2017/"))
    # "Personalkontinuitet hemtjänst ..., Mark: 19, riksmedel: 15"
    row = _row(html, KPIS["U21401"][0])
    assert "U21401" in row and "<strong>19</strong>" in row and "<strong>15</strong>" in row
    assert "bättre än rikssnittet" in row
    assert "Inte uppfyllt" in row
    # "nöjda med sitt särskilda boende, Mark: 81%, riksmedel 83%"
    row = _row(html, KPIS["U23471"][0])
    assert "<strong>81\xa0%</strong>" in row and "<strong>83\xa0%</strong>" in row and "Inte uppfyllt" in row
    # "nöjda med sin hemtjänst, Mark 94%, riksmedel: 92%"
    row = _row(html, KPIS["U21468"][0])
    assert "<strong>94\xa0%</strong>" in row and "<strong>92\xa0%</strong>" in row and "Uppfyllt" in row
    assert "ovägt medel av" in row
    # an own indicator: value, target, result, trend with the previous value
    row = _row(html, "Brukare i hemtjänsten med genomförandeplan")
    assert "<strong>70\xa0%</strong>" in row and "90\xa0%" in row and "Inte uppfyllt" in row
    assert "Förbättrat" in row and "från 65\xa0% (2016)" in row and "Socialnämnden" in row
    # an external key figure with its reference value and source
    row = _row(html, "Äldre som känner sig trygga")
    assert "<strong>80\xa0%</strong>" in row and "<strong>84\xa0%</strong>" in row and "Socialstyrelsen" in row
    # a missing value is a dash with words, never 0, and says why it cannot be assessed
    row = _row(html, "Brukare med aktuell vårdplan")
    assert "– uppgift saknas" in row and "Kan inte bedömas" in row and "värde saknas" in row


def test_the_json_twin_has_the_same_figures_unrounded_and_stable_keys(client, mark):
    response = client.get("/kommun/1463/mal/2017.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "NaN" not in response.content.decode() and "Infinity" not in response.content.decode()
    data = json.loads(response.content)
    assert set(data) >= {"municipality", "year", "period", "structure", "example_note", "rule", "legend", "goals",
                         "source"}  # fmt: skip
    assert data["municipality"] == {"id": "1463", "name": "Mark"}
    assert (data["year"], data["period"], data["example_note"]) == (2017, "year", NOTE)
    assert data["structure"]["title"] == "Kommunfullmäktiges mål"
    assert data["rule"]["kind"] == "share" and data["rule"]["met_share"] == 0.75
    assert [item["code"] for item in data["legend"]] == ["met", "partly_met", "not_met", "not_assessable"]
    assert all(item["word"] and item["symbol"] for item in data["legend"])
    [council] = data["goals"]
    assert council["title"] == COUNCIL and council["perspective"] == "Medborgare"
    sub1, sub2 = council["children"]
    assert sub1["committees"] == ["Socialnämnden"]
    assert set(sub1) >= {"id", "title", "perspective", "committees", "assessment", "indicators", "draft", "text",
                         "children"}  # fmt: skip
    a = sub1["assessment"]
    assert set(a) >= {"committee", "key_figures", "suggestion", "decision", "overall"}
    assert set(a["committee"]) >= {"code", "word", "reason", "n", "n_assessable", "n_met", "n_partly", "share"}
    assert (a["committee"]["code"], a["committee"]["n_met"], a["committee"]["share"]) == ("partly_met", 1, 0.5)
    assert a["key_figures"]["code"] == "not_assessable" and a["decision"] is None
    assert a["overall"]["code"] == a["suggestion"]["code"] == "partly_met"
    by_kpi = {i["kpi"]: i for i in sub2["indicators"] if i["kpi"]}
    assert (by_kpi["U21401"]["value"], round(by_kpi["U21401"]["national_mean"])) == (19, 15)
    assert (by_kpi["U23471"]["value"], round(by_kpi["U23471"]["national_mean"])) == (81, 83)
    assert (by_kpi["U21468"]["value"], round(by_kpi["U21468"]["national_mean"])) == (94, 92)
    assert by_kpi["U21401"]["national_mean"] != 15  # unrounded
    assert by_kpi["U21401"]["result"]["code"] == "not_met" and by_kpi["U21468"]["result"]["code"] == "met"
    assert by_kpi["U21401"]["data_year"] == 2017 and by_kpi["U21401"]["series"][-1] == {"year": 2017, "value": 19}
    ext = next(i for i in sub2["indicators"] if i["kind"] == "external")
    assert (ext["value"], ext["national_mean"], ext["kpi"]) == (80.4, 84.2, None)
    missing = next(i for i in sub2["indicators"] if i["name"] == "Brukare med aktuell vårdplan")
    assert (missing["value"], missing["target"], missing["result"]["reason"]) == (None, 80, "no_value")
    assert sub2["assessment"]["key_figures"]["n_met"] == 1 and sub2["assessment"]["key_figures"]["n"] == 4
    assert sub1["draft"]["sv"] and sub1["draft"]["en"] and sub1["text"] is None
    assert data["source"].startswith("Källa:")


def test_a_decision_that_differs_from_the_rules_shows_the_rules_suggestion(client, mark, publisher):
    store.record_decision(publisher, mark["sub2"], "year", "partly_met", "Brukarna är i stort lika nöjda som i landet.")
    html = _text(client.get("/kommun/1463/mal/2017/"))
    table = html.split('class="goals"', 1)[1].split("</table>", 1)[0]
    row = _row(table, SUB2)
    assert "Delvis uppfyllt" in row and "Regelns förslag:" in row and "Inte uppfyllt" in row
    assert "Brukarna är i stort lika nöjda som i landet." in html
    assert "beslutad av malredaktor" in html
    data = json.loads(client.get("/kommun/1463/mal/2017.json").content)
    a = data["goals"][0]["children"][1]["assessment"]
    assert a["decision"]["code"] == "partly_met" and a["suggestion"]["code"] == "not_met"
    assert a["decision"]["motivation"].startswith("Brukarna") and a["decision"]["decided_at"]
    assert a["overall"]["code"] == "partly_met" and a["decision_differs"] is True


def test_a_published_text_is_shown_sanitised_else_the_draft_labelled_as_automatic(client, mark):
    Commentary.private_objects.create(
        municipality_id="1463", measure_set=store.TEXT_SET, area=f"goal-{mark['sub1'].pk}-year",
        published_text="Målet följs upp **via** genomförandeplaner.\n\n<script>alert(1)</script>",
        published_at=timezone.now(),
    )  # fmt: skip
    html = _text(client.get("/kommun/1463/mal/2017/"))
    section1 = html.split(f'id="mal-{mark["sub1"].pk}"', 1)[1].split("</section>", 1)[0]
    assert "Målet följs upp <strong>via</strong> genomförandeplaner." in section1
    assert "<script>" not in html and "Automatiskt utkast" not in section1
    section2 = html.split(f'id="mal-{mark["sub2"].pk}"', 1)[1].split("</section>", 1)[0]
    assert "Automatiskt utkast utifrån siffrorna" in section2
    text = json.loads(client.get("/kommun/1463/mal/2017.json").content)["goals"][0]["children"][0]["text"]
    assert text["plain"] == "Målet följs upp via genomförandeplaner." and "<strong>via</strong>" in text["html"]
    assert "**" not in json.dumps(text) and "script" not in json.dumps(text)


def test_the_interim_period_is_its_own_page(client, mark):
    html = _text(client.get("/kommun/1463/mal/2017/"))
    assert 'href="/kommun/1463/mal/2017/?period=interim"' in html
    response = client.get("/kommun/1463/mal/2017/", {"period": "interim"})
    assert response.status_code == 200
    assert "Delår (till och med 31 augusti)" in _text(response)
    assert json.loads(client.get("/kommun/1463/mal/2017.json", {"period": "interim"}).content)["period"] == "interim"


def test_the_goal_page_shows_its_history_across_years(client, mark, admin):
    copy_to_next_year(admin, mark["structure"])
    url = f"/kommun/1463/mal/2017/mal-{mark['sub2'].pk}/"
    response = client.get(url)
    assert response.status_code == 200
    html = _text(response)
    assert SUB2 in html and "Exempeldata:" in html and "Målet år för år" in html
    history = html.split('id="historiktabell"', 1)[1].split("</table>", 1)[0]
    assert history.index("2018") < history.index("2017")
    copy = Goal.objects.get(structure__year=2018, lineage=mark["sub2"].lineage)
    assert f'href="/kommun/1463/mal/2018/mal-{copy.pk}/"' in history
    assert 'href="/kommun/1463/mal/2017/#mal-' in history
    assert f"</kommun/1463/mal/2017/mal-{mark['sub2'].pk}.json>" in response["Link"]
    data = json.loads(client.get(f"/kommun/1463/mal/2017/mal-{mark['sub2'].pk}.json").content)
    assert [h["year"] for h in data["history"]] == [2018, 2017]
    assert data["goal"]["title"] == SUB2 and data["example_note"] == NOTE
    assert data["history"][0]["committee"]["code"] in ("met", "partly_met", "not_met", "not_assessable")
    council = client.get(f"/kommun/1463/mal/2017/mal-{mark['council'].pk}/")
    assert SUB1 in _text(council) and SUB2 in _text(council)


def test_the_index_and_the_municipality_page_link_the_years(client, mark):
    html = _text(client.get("/kommun/1463/mal/"))
    assert 'href="/kommun/1463/mal/2017/"' in html and "Exempeldata" in html
    assert 'href="/kommun/1463/mal/"' in _text(client.get("/kommun/1463/"))
    assert "/mal/" not in _text(client.get("/kommun/2284/"))
    assert "inga mål" in _text(client.get("/kommun/2284/mal/"))


def test_edit_links_only_for_editors(client, mark, publisher):
    html = _text(client.get("/kommun/1463/mal/2017/"))
    assert "/redigera/" not in html
    client.force_login(publisher)
    html = _text(client.get("/kommun/1463/mal/2017/"))
    assert 'href="/kommun/1463/mal/2017/redigera/"' in html
    assert f'href="/kommun/1463/mal/2017/redigera/mal/{mark["sub1"].pk}/bedomning/"' in html
    assert f'href="/kommun/1463/mal/2017/redigera/mal/{mark["sub1"].pk}/"' in html


def test_unknown_municipality_year_goal_or_period_is_404(client, mark):
    assert client.get("/kommun/9999/mal/").status_code == 404
    assert client.get("/kommun/9999/mal/2017/").status_code == 404
    assert client.get("/kommun/1463/mal/2016/").status_code == 404
    assert client.get("/kommun/1463/mal/2017/", {"period": "kvartal"}).status_code == 404
    assert client.get("/kommun/1463/mal/2017/mal-999999/").status_code == 404
    other = Goal.objects.create(structure=GoalStructure.objects.create(municipality_id="2284", year=2017), title="X")
    assert client.get(f"/kommun/1463/mal/2017/mal-{other.pk}/").status_code == 404
    for url in ("/kommun/1463/mal/2016.json", f"/kommun/1463/mal/2017/mal-{other.pk}.json"):
        response = client.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert json.loads(response.content)["error"] == "not_found"


def test_the_report_needs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    s = GoalStructure.objects.create(municipality_id="1463", year=2018, example_note="Påhittad struktur.")
    kpis = {k: KPI.objects.get(pk=k) for k in KPIS}
    parent = None
    for g in range(10):
        goal = Goal.objects.create(structure=s, parent=parent, title=f"Mål {g}", order=g)
        parent = parent or goal
        for i in range(10):
            if i < 3:
                ind = Indicator.objects.create(goal=goal, kind=Indicator.Kind.KPI, kpi=list(kpis.values())[i],
                                               name=f"Nyckeltal {g}.{i}", unit="percent",
                                               target_kind=Indicator.TargetKind.BETTER_THAN_NATIONAL)  # fmt: skip
                continue
            ind = Indicator.objects.create(goal=goal, name=f"Indikator {g}.{i}", unit="percent", order=i)
            IndicatorTarget.objects.create(indicator=ind, year=2018, level=50)
            IndicatorValue.objects.create(indicator=ind, year=2018, value=40 + i * 3)
    with django_assert_max_num_queries(20):
        response = client.get("/kommun/1463/mal/2018/")
    assert response.status_code == 200
    assert _text(response).count("Indikator 9.") == 7
    with django_assert_max_num_queries(20):
        assert client.get("/kommun/1463/mal/2018.json").status_code == 200


def test_the_shipped_mark_2017_example_on_the_page_and_in_its_json_twin(client):
    """The example `make run` loads (after seed 002): the seed's key figures against the rikssnitt, the
    rules' assessments, and the combined assessment Delvis uppfyllt with its motivation."""
    from kommunkvalitet.store.demo import load_demo

    load_demo()
    html = _text(client.get("/kommun/1463/mal/2017/"))
    assert "Exempeldata" in html and "Målbedömning 2017 – Mark" in html
    for line in (
        "Personalkontinuitet hemtjänst, antal personal på 14 dagar: 19, rikssnitt: 15",
        "nöjda med sitt särskilda boende: 81\xa0%, rikssnitt: 83\xa0%",
        "nöjda med sin hemtjänst: 94\xa0%, rikssnitt: 92\xa0%",
        "Av de totalt nio mått som används för att följa upp målet nås målnivåerna för fem av måtten.",
    ):
        assert line in html, line  # fmt: skip
    row = _row(html.split('class="goals"', 1)[1].split("</table>", 1)[0], SUB2)
    assert row.count("Delvis uppfyllt") == 2 and "Inte uppfyllt" in row and "Regelns förslag" in row
    assert "Då nyckeltalen visar på kvalitetsbrister bedöms målet inte vara helt uppfyllt" in html

    data = json.loads(client.get("/kommun/1463/mal/2017.json").content)
    assert data["example_note"].startswith("Exempel")
    [council] = data["goals"]
    quality = next(g for g in council["children"] if g["title"] == SUB2)
    a = quality["assessment"]
    assert (a["committee"]["code"], a["committee"]["n_met"], a["committee"]["n_assessable"]) == ("partly_met", 5, 9)
    assert (a["key_figures"]["code"], a["suggestion"]["code"], a["overall"]["code"]) == ("not_met", "not_met",
                                                                                          "partly_met")  # fmt: skip
    assert a["decision_differs"] and "kvalitetsbrister" in a["decision"]["motivation"]
    figures = {i["kpi"]: (round(i["value"]), round(i["national_mean"])) for i in quality["indicators"] if i["kpi"]}
    assert figures == {"U21401": (19, 15), "U23471": (81, 83), "U21468": (94, 92)}
    external = [i["source"] for i in quality["indicators"] if i["kind"] == "external"]
    assert len(external) == 4 and all("Marks målbedömning 2017" in s for s in external)
