"""The Content-Security-Policy permits no inline script or style, and no page needs one (issue 11).

Every kind of page (public, editing, account, error) is rendered and scanned for what the policy would
block: a ``<script>`` without ``src``, an ``on*`` attribute, a ``style`` attribute, a ``<style>``
element. The one inline style the site sends, in the map downloaded on its own (``karta.svg``), must
be allowed by its response's policy by hash, and by nothing broader. What each directive permits and
why: docs/deploy.md, "Content-Security-Policy".
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from goal_fixtures import build_large_structure
from kommunkvalitet.store.models import EditorRole, Goal, Indicator

pytestmark = pytest.mark.django_db
MUNI, YEAR = "1463", 2022


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"<{tag} {n}=...>" for n in names if n == "style" or n.startswith("on")]


def _inline(html: str) -> list[str]:
    scan = _Inline()
    scan.feed(html)
    scan.close()
    return scan.found


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip())  # type: ignore[misc]


def _pages() -> tuple[Client, list[str], list[str]]:
    """An administrator's client, the public URLs and the signed-in URLs of every page family."""
    struct = build_large_structure(MUNI, YEAR, goals=3, indicators=12, kpi_data_year=YEAR)
    goal = Goal.objects.filter(structure=struct).order_by("id").first()
    indicator = Indicator.objects.filter(goal__structure=struct).order_by("id").first()
    user = User.objects.create_user("admin", password="hemligt-lösen-9")
    EditorRole.objects.create(user=user, municipality_id=MUNI, role=EditorRole.Role.ADMIN)
    c = Client()
    c.force_login(user)
    area = f"/kommun/{MUNI}/{YEAR}/stod_och_omsorg/"
    edit = f"/kommun/{MUNI}/mal/{YEAR}/redigera/"
    public = [
        "/", f"/kommun/{MUNI}/", f"/kommun/{MUNI}/{YEAR}/", area, "/sok/?q=hemtjänst", "/nyckeltal/",
        "/nyckeltal/omrade/stod_och_omsorg/", "/nyckeltal/U21401/2022/", f"/nyckeltal/U21401/2022/?kommun={MUNI}",
        "/nyckeltal/U21401/2022/karta/", f"/kommun/{MUNI}/mal/", f"/kommun/{MUNI}/mal/{YEAR}/",
        f"/kommun/{MUNI}/mal/{YEAR}/mal-{goal.pk}/", "/konto/login/", "/konto/password_reset/", "/finns-inte/",
    ]  # fmt: skip
    signed_in = [
        area + "redigera/", area + "redigera/?kpi=U21401", edit, edit + f"mal/{goal.pk}/", edit + "mal/ny/",
        edit + f"mal/{goal.pk}/bedomning/", edit + f"indikator/{indicator.pk}/", edit + "importera/",
        edit + f"mal/{goal.pk}/ta-bort/", f"/kommun/{MUNI}/mal/ny/", "/konto/password_change/", "/konto/logg/",
        f"/kommun/{MUNI}/mal/{YEAR}/",
    ]  # fmt: skip
    return c, public, signed_in


def test_no_page_has_an_inline_script_or_style_and_the_policy_allows_none(client):
    editor, public, signed_in = _pages()
    for who, urls in ((client, public), (editor, signed_in)):
        for url in urls:
            response = who.get(url)
            assert response.status_code in (200, 404), url
            assert response["Content-Type"].startswith("text/html"), url
            assert _inline(response.content.decode()) == [], url
            policy = _policy(response)
            assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", url
            assert "unsafe" not in response["Content-Security-Policy"], url


def test_the_map_on_its_own_allows_its_one_style_by_hash():
    response = Client().get("/nyckeltal/U21401/2022/karta.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), flags=re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert _policy(response)["style-src"] == f"'self' 'sha256-{digest}'"
    assert "unsafe" not in response["Content-Security-Policy"]
