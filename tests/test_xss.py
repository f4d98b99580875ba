"""Hostile text through every field a user can write, shown inert everywhere it comes back (issue 11).

The fields are derived from the models: every text field (``CharField``/``TextField`` without fixed
choices) of the store's models and of the user model is either written here through the real forms,
the real spreadsheet import or the real CLI, or listed in ``NOT_USER_TEXT`` with the reason. A new text
field with neither fails ``test_every_user_text_field_is_covered``.

Each payload goes into every field at once, each field with its own marker, through the forms an editor
and a publisher use; then every public page, JSON twin, editing page and the exported workbook that
show the goal structure or the commentary are read back and scanned: no ``<script>`` without ``src``
and no script or style text with a marker, no ``on*`` attribute, no ``javascript:``/``data:``/
``vbscript:`` URL, no attribute or element the payload made, no formula in a workbook cell, no ``<``
in a JSON twin's bytes, and a Markdown text's twin holds the sanitised HTML and the plain text, never
the source. Every field's marker must come back somewhere (a field never shown proves nothing).
"""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from openpyxl import load_workbook

from kommunkvalitet.cli import main
from kommunkvalitet.store.models import Commentary, EditorRole, Goal, GoalStructure, Indicator, IndicatorValue
from kommunkvalitet.web import markup

pytestmark = pytest.mark.django_db
MUNI, YEAR, AREA_ID = "1463", 2022, "stod_och_omsorg"
GOALS = f"/kommun/{MUNI}/mal/"
EDIT = f"{GOALS}{YEAR}/redigera/"
AREA = f"/kommun/{MUNI}/{YEAR}/{AREA_ID}/"

# Each payload is a template: {m} is the marker of the field it goes into (also as plain text in front,
# so that a payload a sanitiser removes whole still shows where the field is).
PAYLOADS = {
    "script": '{m} <script>alert("{m}")</script>',
    "img onerror": '{m} <img src=x onerror=alert("{m}")>',
    "svg onload": "{m} <svg/onload=alert('{m}')>",
    "end of textarea": '{m} </textarea><script>alert("{m}")</script><textarea>',
    "end of title and script": "{m} </title></script><script>alert('{m}')</script>",
    "double quote in an attribute": '{m}" onmouseover="alert(\'{m}\')" data-x="',
    "single quote in an attribute": "{m}' autofocus onfocus='alert(1)' x='",
    "javascript link": '<a href="javascript:alert(1)">{m}</a> [{m}](javascript:alert("{m}"))',
    "markdown link tricks": "[{m}](  JaVaScRiPt:alert(1)) [{m}b](java&#x73;cript:alert(1)) <javascript:alert('{m}')>",
    "markdown image and data url": "![{m}](javascript:alert(1)) [{m}](data:text/html;base64,PHNjcmlwdD4=)",
    "iframe and style": '{m} <iframe src="javascript:alert(1)"></iframe><style>body{{display:none}}</style>',
    "unicode": "{m} \u202e\u200b＜script＞alert(1)＜/script＞ \u2028 <scr\u200bipt>alert(1)</script> ‹ö›",
    "template syntax": "{m} {{{{ 7|add:7 }}}} {{% now 'Y' %}} ${{7*7}}",
    "formula": '=HYPERLINK("https://example.org/?{m}","{m}")',
}

# Text fields no user writes (or not as free text), with the reason.
NOT_USER_TEXT = {
    "store.Commentary.measure_set": "the measure set's slug, from the page",
    "store.Commentary.area": "the area's slug from the URL, checked against the measure set",
    "store.Commentary.kpi": "a KPI id from the URL, checked against the area's rows",
    "store.Indicator.unit": "a unit code chosen from a fixed list (the form refuses anything else)",
    "store.GoalStructure.example_note": "written only by `goals load` from the shipped example file",
    "store.EditorRole.role": "a fixed choice",
    "auth.User.first_name": "no form or command of ours writes it",
    "auth.User.last_name": "no form or command of ours writes it",
    "auth.User.email": "no form or command of ours writes it (password reset mails go to it)",
    "auth.User.password": "a hash",
}
# Models whose rows come from the sources (Kolada, the snapshot) or the system, not from users.
NOT_USER_MODELS = {
    "KPI", "Municipality", "MunicipalityGroup", "GroupMember", "MunicipalityShape", "Value", "ComparisonStat",
    "SyncRun", "SyncKpiYear", "ImportLog", "DataVersion", "AuditEntry",
}  # fmt: skip
# How this module writes each user text field (the test below checks the list against the models).
WRITTEN = {
    "store.Committee.name": "the goal form's new committees and the indicator form's new committee",
    "store.GoalStructure.title": "the structure form",
    "store.Goal.title": "the goal form (a council goal and a sub-goal)",
    "store.Goal.perspective": "the goal form",
    "store.Goal.description": "the goal form",
    "store.Indicator.name": "the indicator form (an own and an external indicator)",
    "store.Indicator.source": "the indicator form",
    "store.IndicatorValue.note": "a cell of the goal workbook, uploaded",
    "store.GoalDecision.motivation": "the decision form",
    "store.GoalDecision.review_note": "the publisher's comment when she sends a proposed assessment back",
    "store.Commentary.review_note": "the publisher's comment when she sends a text under review back",
    "store.Commentary.draft_text": "the commentary form (area and measure) and the goal's text",
    "store.Commentary.published_text": "the same, published",
    "store.CommentaryVersion.text": "the same (every save is a version)",
    "auth.User.username": "`kommunkvalitet editor add`",
}


def _text_fields() -> set[str]:
    out = set()
    for model in [*apps.get_app_config("store").get_models(), get_user_model()]:
        if model.__name__ in NOT_USER_MODELS:
            continue
        for f in model._meta.get_fields():
            if isinstance(f, models.CharField | models.TextField) and not f.choices:
                out.add(f"{model._meta.app_label}.{model.__name__}.{f.name}")
    return out


def test_every_user_text_field_is_covered():
    fields = _text_fields()
    assert fields - set(WRITTEN) - set(NOT_USER_TEXT) == set(), "a text field without an XSS test"
    assert set(WRITTEN) | set(NOT_USER_TEXT) <= fields | {"store.EditorRole.role"}, "listed fields that are gone"


# --- the scanner ------------------------------------------------------------------------------------

_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
_MARKER_ATTRS = {"value", "title", "aria-label", "alt", "content", "href"}  # may hold a user's text
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
MARK = re.compile(r"kkx\d+y\d+")


def _scheme(url: str) -> str:
    """The URL as a browser reads its scheme: without spaces and control characters, lower case."""
    return re.sub(r"[\x00-\x20\x7f]", "", url).lower()


class _Scan(HTMLParser):
    """The dangerous things in a page: what a payload would make if it were not inert."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.raw: str | None = None  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if MARK.search(tag):
            self.problems.append(f"an element made by a payload: <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or MARK.search(name):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in _URL_ATTRS and _scheme(value).startswith(_BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if MARK.search(value) and name not in _MARKER_ATTRS:
                self.problems.append(f"a user's text in <{tag} {name}={value!r}>")
        if tag in ("script", "style"):
            self.raw = tag
            if tag == "script" and not dict(attrs).get("src"):
                self.problems.append("an inline <script>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.raw = None

    def handle_endtag(self, tag):
        if tag == self.raw:
            self.raw = None

    def handle_data(self, data):
        if self.raw and MARK.search(data):
            self.problems.append(f"a user's text inside <{self.raw}>: {data[:80]!r}")


def _problems(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    scan.close()
    return scan.problems


def _strings(obj, key=""):
    """(key, string) of every string in a JSON document."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, key)
    elif isinstance(obj, str):
        yield key, obj


# --- writing every field -----------------------------------------------------------------------------


def _administrator() -> Client:
    """An administrator of the municipality: builds the goal structure, writes and publishes every text."""
    user = User.objects.create_user("administrator", password="hemligt-lösen-9")
    EditorRole.objects.create(user=user, municipality_id=MUNI, role=EditorRole.Role.ADMIN)
    c = Client()
    c.force_login(user)
    return c


def _post(c: Client, url: str, data: dict, **kw) -> None:
    response = c.post(url, data, **kw)
    assert response.status_code == 302, (url, response.content.decode()[:3000])


def _write_everything(c: Client, text) -> dict[str, str]:
    """Every user text field through its form (``text(field)`` is the field's payload); the URLs of the
    pages that show them, by kind."""
    _post(c, GOALS + "ny/", {
        "year": str(YEAR), "title": text("store.GoalStructure.title")[:200], "rule": "share", "met_share": "75",
        "partly_share": "50", "min_assessable_share": "50", "subgoals_feed": "on", "interim_end": "",
    })  # fmt: skip
    structure = GoalStructure.objects.get(municipality_id=MUNI, year=YEAR)
    goal_data = {"perspective": text("store.Goal.perspective")[:200], "description": text("store.Goal.description"),
                 "order": "", "new_committees": text("store.Committee.name")[:200]}  # fmt: skip
    _post(c, EDIT + "mal/ny/", {**goal_data, "title": text("store.Goal.title"), "parent": ""})
    goal = Goal.objects.get(structure=structure, parent=None)
    _post(c, EDIT + f"mal/ny/?parent={goal.pk}",
          {**goal_data, "title": text("store.Goal.title", 2), "parent": str(goal.pk), "new_committees": ""})  # fmt: skip
    sub = Goal.objects.get(structure=structure, parent=goal)
    own = {
        "kind": "own", "name": text("store.Indicator.name"), "committee": "",
        "new_committee": text("store.Committee.name", 2)[:200], "unit": "percent", "decimals": "0",
        "direction": "higher", "target_kind": "level", "target": "90", "tolerance": "", "baseline_value": "",
        "baseline_year": "", "weight": "1", "source": text("store.Indicator.source"), "data_year_offset": "",
        "value_year": "80", "reference_year": "", "note_year": "",
    }  # fmt: skip
    _post(c, EDIT + f"mal/{sub.pk}/indikator/ny/", own)
    external = {**own, "kind": "external", "name": text("store.Indicator.name", 2), "new_committee": "",
                "source": text("store.Indicator.source", 2), "target_kind": "better_than_national", "target": "",
                "reference_year": "70"}  # fmt: skip
    _post(c, EDIT + f"mal/{goal.pk}/indikator/ny/", external)
    # a spreadsheet cell: the note of the own indicator's value, through the exported workbook
    book = load_workbook(io.BytesIO(c.get(f"{GOALS}{YEAR}/mal.xlsx").content))
    ws = book["Värden"]
    header = [cell.value for cell in ws[1]]
    own_id = Indicator.objects.get(goal=sub).pk
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == own_id)
    row[header.index("Anteckning")].value = text("store.IndicatorValue.note")
    row[header.index("Anteckning")].data_type = "s"  # a text, even one that starts with '='
    out = io.BytesIO()
    book.save(out)
    _post(c, EDIT + "importera/", {"file": SimpleUploadedFile("mal.xlsx", out.getvalue())})
    assert IndicatorValue.objects.get(indicator_id=own_id, year=YEAR).note == text("store.IndicatorValue.note")
    # the decision (differs from the suggestion: a motivation is required) and the goal's text, published
    assess = EDIT + f"mal/{goal.pk}/bedomning/"
    suggestion = c.get(assess).context["node"].assessment.suggestion
    other = "met" if suggestion != "met" else "not_met"
    _post(c, assess, {"action": "decide", "assessment": other, "motivation": text("store.GoalDecision.motivation")})
    _post(c, assess, {"action": "publish_text", "text-text": text("store.Commentary.draft_text", 2),
                      "text-based_on": c.get(assess).context["text_form"]["based_on"].value() or ""})  # fmt: skip
    # the publisher's comments when she sends back a proposed assessment and a text under review (the
    # sub-goal's): the editor reads them on the form
    sub_assess = EDIT + f"mal/{sub.pk}/bedomning/"
    proposal = c.get(sub_assess).context["node"].assessment.suggestion
    _post(c, sub_assess, {"action": "propose", "assessment": proposal, "motivation": ""})
    _post(c, sub_assess, {"action": "return_decision", "beslut-note": text("store.GoalDecision.review_note")})
    _post(c, sub_assess, {"action": "submit_text", "text-text": "Ett utkast.",
                          "text-based_on": c.get(sub_assess).context["text_form"]["based_on"].value() or ""})  # fmt: skip
    _post(c, sub_assess, {"action": "return_text", "note": text("store.Commentary.review_note")})
    # the area's commentary and a measure's
    for kpi, n in (("", 1), ("U21401", 3)):
        url = AREA + "redigera/" + (f"?kpi={kpi}" if kpi else "")
        based_on = c.get(url).context["form"]["based_on"].value() or ""
        _post(c, url, {"text": text("store.Commentary.draft_text", n), "based_on": based_on, "action": "publish"})
    sub_url = f"{GOALS}{YEAR}/mal-{sub.pk}/"
    goal_url = f"{GOALS}{YEAR}/mal-{goal.pk}/"
    return {
        "public": [GOALS, f"{GOALS}{YEAR}/", goal_url, sub_url, AREA],
        "json": [f"{GOALS}{YEAR}.json", goal_url.rstrip("/") + ".json", sub_url.rstrip("/") + ".json",
                 AREA.rstrip("/") + ".json"],
        "editing": [EDIT, EDIT + f"mal/{goal.pk}/", EDIT + f"mal/{sub.pk}/", assess, sub_assess, EDIT + "importera/",
                    *(EDIT + f"indikator/{i.pk}/" for i in Indicator.objects.filter(goal__structure=structure)),
                    AREA + "redigera/", AREA + "redigera/?kpi=U21401"],
        "workbook": [f"{GOALS}{YEAR}/mal.xlsx"],
    }  # fmt: skip


MARKDOWN_FIELDS = {"store.Commentary.draft_text"}


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_hostile_text_in_every_field_is_inert_on_every_page_and_in_every_twin(payload, client):
    fields = sorted(WRITTEN)
    written: dict[str, str] = {}  # marker -> the text written

    def text(field: str, n: int = 1) -> str:
        marker = f"kkx{fields.index(field)}y{n}"
        written[marker] = PAYLOADS[payload].format(m=marker)
        return written[marker]

    c = _administrator()
    urls = _write_everything(c, text)
    seen: set[str] = set()
    for kind in ("public", "editing"):
        for url in urls[kind]:
            response = (client if kind == "public" else c).get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert _problems(page) == [], (payload, url)
            seen |= set(MARK.findall(page))
    for url in urls["json"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<" not in response.content and b">" not in response.content, (payload, url)
        for key, s in _strings(json.loads(response.content)):
            seen |= set(MARK.findall(s))
            if key == "html" or key.endswith("_html"):
                assert _problems(s) == [], (payload, url, key)
            for marker in MARK.findall(s):
                field = fields[int(marker[3:].split("y")[0])]
                if field in MARKDOWN_FIELDS and s == written[marker]:  # the source: only if it is its plain text
                    assert markup.for_json(s)["plain"] == s, (payload, url, key, s)
    book = load_workbook(io.BytesIO(c.get(urls["workbook"][0]).content))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and MARK.search(cell.value):
                    assert cell.data_type == "s", (payload, ws.title, cell.coordinate, cell.value)
                    seen |= set(MARK.findall(cell.value))
    # every field written came back somewhere
    assert {fields[int(m[3:].split("y")[0])] for m in written} - {
        fields[int(m[3:].split("y")[0])] for m in seen
    } == set()
    assert Commentary.public_objects.filter(published_text__contains="kkx").count() == 3


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_a_hostile_user_name_is_refused_by_the_cli(payload):
    name = PAYLOADS[payload].format(m="kkx0y1")
    result = CliRunner().invoke(main, ["editor", "add", name, MUNI, "--password", "ett-långt-lösen-9"])
    assert result.exit_code == 1 and result.output.startswith("Fel: ogiltigt användarnamn"), result.output
    assert not User.objects.filter(username=name).exists()
