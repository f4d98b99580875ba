"""Every HTML page names its other forms (JSON, CSV, Excel, PDF) by one rule: in a Link header, in
<link rel="alternate"> and in a "Ladda ner" list; the forms themselves name none."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import get_resolver

from kommunkvalitet.web.formats import FORMATS

pytestmark = pytest.mark.django_db


def _links(header: str) -> dict[str, str]:
    """{url: mime} of a Link header."""
    return dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', header))


@pytest.mark.parametrize(
    "url",
    [
        "/kommun/2284/2022/stod_och_omsorg/",
        "/kommun/2284/2022/",
        "/nyckeltal/U21401/2022/?kommun=2284",
        "/sok/?q=v%C3%A5rd%20%26%20omsorg",
    ],
)
def test_a_page_names_each_of_its_forms_in_header_head_and_list_and_each_answers(client, url):
    page = client.get(url)
    assert page.status_code == 200
    links = _links(page["Link"])
    assert links and all(mime in {f.mime for f in FORMATS} for mime in links.values())
    html = page.content.decode()
    download = html.split('id="ladda-ner"', 1)[1].split("</nav>", 1)[0]
    for link, mime in links.items():
        shown = link.replace("&", "&amp;")
        assert f'<link rel="alternate" type="{mime}" href="{shown}">' in html
        assert f'href="{shown}"' in download
        other = client.get(link)
        assert other.status_code == 200, link
        assert other["Content-Type"].startswith(mime), link
        assert "Link" not in other  # a form of a page has no forms of its own
    # the query of the page (the chosen kommun, the search) goes with each form, encoded once
    query = parse_qs(urlsplit(url).query)
    assert all(parse_qs(urlsplit(link).query) == query for link in links)


def test_every_form_url_belongs_to_a_page():
    """A URL named ``<page>_<format>`` without a ``<page>`` would never be listed anywhere."""
    names = {p.name for p in get_resolver().url_patterns[-1].url_patterns if p.name}
    forms = {n for n in names if n.endswith(tuple(f"_{f.key}" for f in FORMATS))}
    assert forms
    for name in forms:
        # the longest suffix: "area_plain_csv" is the plain CSV of "area", not the CSV of "area_plain"
        key = max((f.key for f in FORMATS if name.endswith(f"_{f.key}")), key=len)
        page = name.removesuffix(f"_{key}")
        assert page in names, name
