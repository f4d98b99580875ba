"""The permission matrix (issue 11): every role × every editing view (each method and action) and the
audit log (page and CSV) × own and other municipality and committee gives the right answer.

The rows are checked against the URL conf: every named URL is either a public page, an account page of
Django's, or has a row here, so a new editing URL without a row fails
:func:`test_every_url_is_public_or_has_a_row`. The expected answer comes from what each role holds
(``HOLDS``, the README's table of roles), not from store.roles itself.

Answers: ``login`` = 302 to the login page, ``403``, ``404``, ``ok`` = 200 or a redirect elsewhere.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.models import Committee, EditorRole, Goal, GoalStructure, Indicator
from kommunkvalitet.web.formats import FORMATS

pytestmark = pytest.mark.django_db
OWN, OTHER = "1463", "2284"  # Mark (the example structure) and Örnsköldsvik
A, B = "Socialnämnden", "Barn- och utbildningsnämnden"
ALL = {"view", "editor", "edit:A", "edit:B", "edit:all", "publish", "manage"}

#: What each role holds in its own municipality (Mark); ``admin_other`` holds everything in Örnsköldsvik
#: and nothing in Mark; the site administrator everything everywhere.
HOLDS: dict[str, set[str]] = {
    "anonymous": set(),
    "no_role": set(),
    "reader": {"view"},
    "editor_a": {"view", "editor", "edit:A"},
    "editor_b": {"view", "editor", "edit:B"},
    "editor_all": {"view", "editor", "edit:A", "edit:B", "edit:all"},
    "publisher": ALL - {"manage"},
    "admin": ALL,
    "admin_other": set(),
    "site_admin": ALL,
}

#: url name -> (what its arguments point at, [(method, data, what it needs), ...]). "goal" is a goal of
#: committee A only, "indicator" an own indicator of committee A.
ROWS: dict[str, tuple[str, list[tuple[str, dict | None, str]]]] = {
    "structure_new": ("municipality", [("GET", None, "manage"), ("POST", {}, "manage")]),
    "structure_edit": ("structure", [("GET", None, "view"), ("POST", {}, "manage")]),
    "structure_copy": ("structure", [("POST", {}, "manage")]),
    "structure_template": ("structure", [("GET", None, "view")]),
    "structure_import": ("structure", [("GET", None, "editor"), ("POST", {}, "editor")]),
    "goal_new": ("structure", [("GET", None, "manage"), ("POST", {}, "manage")]),
    "goal_edit": ("goal", [("GET", None, "view"), ("POST", {}, "manage")]),
    "goal_assess": (
        "goal",
        [
            ("GET", None, "view"),
            ("POST", {"action": "decide", "period": "year"}, "publish"),
            ("POST", {"action": "propose", "period": "year", "assessment": "met", "motivation": "Bra."}, "edit:A"),
            ("POST", {"action": "publish_decision", "period": "year"}, "publish"),
            ("POST", {"action": "return_decision", "period": "year", "beslut-note": "Nej."}, "publish"),
            ("POST", {"action": "save_text", "text-text": "Utkast.", "text-based_on": ""}, "edit:A"),
            ("POST", {"action": "submit_text", "text-text": "Utkast.", "text-based_on": ""}, "edit:A"),
            ("POST", {"action": "return_text", "note": "Skriv om."}, "publish"),
            ("POST", {"action": "publish_text", "text-text": "Text.", "text-based_on": ""}, "publish"),
        ],
    ),
    "goal_remove": ("goal", [("GET", None, "manage"), ("POST", {}, "manage")]),
    "indicator_new": ("goal", [("GET", None, "editor"), ("POST", {}, "editor")]),
    "indicator_edit": ("indicator", [("GET", None, "view"), ("POST", {}, "edit:A")]),
    "indicator_remove": ("indicator", [("GET", None, "edit:A"), ("POST", {}, "edit:A")]),
    "edit": (
        "area",
        [
            ("GET", None, "view"),
            ("POST", {"text": "Utkast.", "based_on": "", "action": "save"}, "edit:all"),
            ("POST", {"text": "Utkast.", "based_on": "", "action": "submit"}, "edit:all"),
            ("POST", {"action": "send_back", "note": "Skriv om."}, "publish"),
            ("POST", {"text": "Text.", "based_on": "", "action": "publish"}, "publish"),
        ],
    ),
    "audit_log": ("site", [("GET", None, "manage"), ("GET", {"format": "csv"}, "manage")]),
}
PUBLIC = {
    "start", "municipality", "search", "search_json", "kpi_areas", "kpi_area", "measure_latest", "measure",
    "measure_json", "measure_map", "measure_map_svg", "overview", "overview_json", "area", "area_json", "goals",
    "goal_report", "goal_report_json", "goal", "goal_json", "set_language", "api", "embed", "embed_svg",
    "area_embed", "area_embed_svg",
}  # fmt: skip
# ... and every other form of a public page (web.formats: "<page>_<format>"), answered to anybody
PUBLIC |= {f"{name}_{fmt.key}" for name in PUBLIC for fmt in FORMATS}
DJANGO_ACCOUNT = {
    "login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete",
}  # fmt: skip


def _names(patterns) -> set[str]:
    out: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            out |= _names(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            out.add(p.name)
    return out


def test_every_url_is_public_or_has_a_row():
    names = _names(get_resolver().url_patterns)
    assert names >= {"area_pdf", "area_xlsx", "overview_csv", "measure_json"}  # the rule finds real forms
    assert names - PUBLIC - DJANGO_ACCOUNT == set(ROWS), "a new URL: add its row to ROWS (or to PUBLIC)"


def _committee(muni: str, name: str) -> Committee:
    return Committee.objects.get_or_create(municipality_id=muni, name=name)[0]


def _other_structure() -> dict:
    """Örnsköldsvik 2017: a goal of its own committee A with an own indicator."""
    struct = GoalStructure.objects.create(municipality_id=OTHER, year=2017)
    goal = Goal.objects.create(structure=struct, title="Trygg omsorg")
    goal.committees.set([_committee(OTHER, A)])
    ind = Indicator.objects.create(goal=goal, name="Nöjda brukare", committee=_committee(OTHER, A))
    return {"structure": struct, "goal": goal, "indicator": ind}


def _own_structure() -> dict:
    ((struct, _),) = load_demo()
    goal = next(g for g in Goal.objects.filter(structure=struct) if {c.name for c in g.committees.all()} == {A})
    ind = Indicator.objects.filter(goal__structure=struct, committee__name=A, kind="own").first()
    return {"structure": struct, "goal": goal, "indicator": ind}


def _users() -> dict[str, User | None]:
    users: dict[str, User | None] = {"anonymous": None}

    def make(name: str, muni: str | None = None, role: str | None = None, committee: str | None = None, **kw):
        user = User.objects.create_user(name, password="hemligt-lösen-9", **kw)
        if role:
            c = _committee(muni, committee) if committee else None
            EditorRole.objects.create(user=user, municipality_id=muni, role=role, committee=c)
        users[name] = user

    make("no_role")
    make("reader", OWN, "reader")
    make("editor_a", OWN, "editor", A)
    make("editor_b", OWN, "editor", B)
    make("editor_all", OWN, "editor")
    make("publisher", OWN, "publisher")
    make("admin", OWN, "admin")
    make("admin_other", OTHER, "admin")
    make("site_admin", is_superuser=True)
    return users


def _url(name: str, kind: str, muni: str, objs: dict) -> str:
    s = objs["structure"]
    args = {
        "municipality": [muni],
        "structure": [muni, s.year],
        "goal": [muni, s.year, objs["goal"].pk],
        "indicator": [muni, s.year, objs["indicator"].pk],
        "area": [muni, 2022, "stod_och_omsorg"],
        "site": [],
    }[kind]
    return reverse(f"web:{name}" if kind != "site" else name, args=args)


def _expected(role: str, muni: str, need: str, kind: str) -> str:
    if role == "anonymous":
        return "login"
    if kind == "site":  # the audit log: an administrator of any municipality, or the site's
        return "ok" if role in ("admin", "admin_other", "site_admin") else "403"
    holds = HOLDS[role] if muni == OWN else (ALL if role in ("admin_other", "site_admin") else set())
    return "ok" if need in holds else "403"


def _answer(response) -> str:
    if response.status_code == 302 and "/konto/login/" in response["Location"]:
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_role_gets_the_right_answer(name):
    kind, actions = ROWS[name]
    objects = {OWN: _own_structure(), OTHER: _other_structure()}
    users = _users()
    wrong = []
    for role, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for muni in (OWN, OTHER) if kind != "site" else (OWN,):
            url = _url(name, kind, muni, objects[muni])
            for method, data, need in actions:
                with transaction.atomic():  # each request sees the same data: what a POST did is undone
                    send = client.get if method == "GET" else client.post
                    response = send(url, data or {})
                    transaction.set_rollback(True)
                got, want = _answer(response), _expected(role, muni, need, kind)
                if got != want:
                    wrong.append(f"{role} {method} {url} {data or ''}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_an_object_of_another_municipality_is_not_found_under_ones_own():
    own, other = _own_structure(), _other_structure()
    users = _users()
    client = Client()
    client.force_login(users["admin"])
    s = own["structure"]
    for name, obj in (
        ("goal_edit", other["goal"]),
        ("goal_assess", other["goal"]),
        ("indicator_edit", other["indicator"]),
    ):
        assert client.get(reverse(f"web:{name}", args=[OWN, s.year, obj.pk])).status_code == 404
        assert client.post(reverse(f"web:{name}", args=[OWN, s.year, obj.pk]), {}).status_code == 404
    assert Goal.objects.filter(pk=other["goal"].pk).exists()
