"""The start page and the municipality profile, rendered by the real app on real data."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_start_page_lists_all_290_municipalities(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('href="/kommun/') == 290
    assert "Alla 290 kommuner" in html
    assert '<html lang="sv">' in html
    assert "Källa: Kolada" in html


def test_municipalities_are_in_swedish_alphabetical_order(client):
    html = client.get("/").content.decode()
    order = [html.index(f">{name}<") for name in ("Håbo", "Hässleholm", "Höganäs", "Östersund", "Övertorneå")]
    assert order == sorted(order)
    assert html.index(">Ydre<") < html.index(">Åmål<") < html.index(">Älmhult<") < html.index(">Öckerö<")


def test_search_works_without_javascript(client):
    html = client.get("/", {"q": "mark"}).content.decode()
    assert 'href="/kommun/1463/">Mark<' in html
    assert 'href="/kommun/0180/"' not in html  # Stockholm does not match
    assert "matchar" in html
    by_code = client.get("/", {"q": "2284"}).content.decode()
    assert "Örnsköldsvik" in by_code


def test_municipality_profile_shows_county_groups_and_value_count(client):
    html = client.get("/kommun/1463/").content.decode()
    assert "Västra Götalands län" in html
    assert "Pendlingskommun nära större stad" in html
    assert "äldreomsorg" in html and "Vänersborg" in html
    assert "Inlästa värden" in html


def test_unknown_municipality_is_404(client):
    assert client.get("/kommun/9999/").status_code == 404
