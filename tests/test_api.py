"""The open JSON API (docs/api.md): the served JSON twins have exactly the keys web.apischema documents
(recursively, on real data), validate against the OpenAPI description served at /api/openapi.json, and
docs/api.md's key tables are the ones the schema module writes; CORS on the public forms only."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from django.test import Client

from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.models import Goal
from kommunkvalitet.web import apischema

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BY_NAME = {e.name: e for e in apischema.ENDPOINTS}


@pytest.fixture
def mark_2017():
    """The demo goal structure of Mark (1463) 2017, as `kommunkvalitet setup` loads it."""
    load_demo()
    return Goal.objects.filter(structure__municipality_id="1463", structure__year=2017).order_by("pk")


def _urls(mark_2017) -> dict[str, str]:
    """A real URL per endpoint: the examples, the goal's with a goal of the demo structure."""
    urls = {e.name: e.example for e in apischema.ENDPOINTS}
    urls["goal_json"] = f"/kommun/1463/mal/2017/mal-{mark_2017.first().pk}.json"
    return urls


def _get(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def _keys(data, schema: dict, where: str = "") -> tuple[set[str], set[str]]:
    """(served but undocumented, documented but not served) key paths, walking data and schema together."""
    if "$ref" in schema:
        schema = apischema.COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        schema = next(s for s in schema["anyOf"] if s.get("type") != "null") if data is not None else {}
    extra, missing = set(), set()
    if isinstance(data, dict) and "properties" in schema:
        props = schema["properties"]
        extra |= {f"{where}.{k}" for k in data.keys() - props.keys()}
        missing |= {f"{where}.{k}" for k in set(schema["required"]) - data.keys()}
        for k in data.keys() & props.keys():
            e, m = _keys(data[k], props[k], f"{where}.{k}")
            extra, missing = extra | e, missing | m
    elif isinstance(data, dict) and isinstance(schema.get("additionalProperties"), dict):
        for k, v in data.items():
            e, m = _keys(v, schema["additionalProperties"], f"{where}.{k}")
            extra, missing = extra | e, missing | m
    elif isinstance(data, list) and "items" in schema:
        for item in data:
            e, m = _keys(item, schema["items"], f"{where}[]")
            extra, missing = extra | e, missing | m
    return extra, missing


@pytest.mark.parametrize("name", list(BY_NAME))
def test_every_twin_serves_exactly_the_documented_keys_and_validates(client, mark_2017, name):
    data = _get(client, _urls(mark_2017)[name])
    extra, missing = _keys(data, BY_NAME[name].schema)
    assert extra == set(), f"served but not in web.apischema / docs/api.md: {sorted(extra)}"
    assert missing == set(), f"documented but not served: {sorted(missing)}"
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in jsonschema.Draft202012Validator(apischema.standalone(BY_NAME[name])).iter_errors(data)]  # fmt: skip
    assert errors == []


def test_the_twins_fill_what_the_schema_allows_to_be_empty(client, mark_2017):
    """The real data used above reaches into the nested parts (or the key check would prove little)."""
    urls = _urls(mark_2017)
    area = _get(client, urls["area_json"])
    assert area["measures"] and area["measures"][0]["series"] and area["draft"]["sv"]["text"]
    assert any(m["groups"] for m in area["measures"]) and any(m["women"] for m in area["measures"])
    report = _get(client, urls["goal_report_json"])
    subgoals = [c for g in report["goals"] for c in g["children"]]
    assert subgoals and any(c["indicators"] for c in subgoals + report["goals"])
    measure = _get(client, urls["measure_json"])
    assert measure["municipality"]["id"] == "2284" and measure["municipalities"] and measure["series"]
    assert _get(client, urls["search_json"])["municipalities"]


def test_an_undocumented_or_missing_key_is_caught(client):
    """The check can fail: a schema without one of the served keys, or with one more, finds it."""
    data = _get(client, BY_NAME["overview_json"].example)
    schema = copy.deepcopy(apischema.OVERVIEW)
    del schema["properties"]["edition"]
    schema["required"].remove("edition")
    schema["properties"]["areas"]["items"]["properties"]["extra"] = apischema.text("Not served.")
    schema["properties"]["areas"]["items"]["required"].append("extra")
    extra, missing = _keys(data, schema)
    assert extra == {".edition"} and missing == {".areas[].extra"}
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)


def test_the_openapi_description_is_served_and_valid(client):
    response = client.get("/api/openapi.json")
    spec = json.loads(response.content)
    assert spec["openapi"] == "3.1.0" and spec["info"]["version"] == apischema.API_VERSION
    assert {op["get"]["operationId"] for op in spec["paths"].values()} == set(BY_NAME)
    for endpoint in apischema.ENDPOINTS:  # each response schema is valid JSON Schema 2020-12
        jsonschema.Draft202012Validator.check_schema(apischema.standalone(endpoint))
        served = spec["paths"][endpoint.path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert served == endpoint.schema
    assert spec["components"]["schemas"] == apischema.COMPONENTS
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_api_page_links_the_spec_in_swedish(client):
    html = client.get("/api/").content.decode()
    assert 'lang="sv"' in html and "Öppna data och API" in html and 'href="/api/openapi.json"' in html
    for endpoint in apischema.ENDPOINTS:
        assert endpoint.path in html and f'href="{endpoint.example.replace("&", "&amp;")}"' in html
    assert "Ett nyckeltal för alla kommuner" in html  # the twins named in Swedish
    assert 'href="/api/"' in client.get("/kommun/2284/2022/").content.decode()  # every page's footer links it


def test_docs_api_md_has_the_tables_of_the_schema_module():
    """docs/api.md is the schema module's: `python -m kommunkvalitet.web.apischema docs/api.md` rewrites it."""
    text = DOCS.read_text(encoding="utf-8")
    assert apischema.markdown() in text
    for endpoint in apischema.ENDPOINTS:
        assert f"`{endpoint.path}`" in text


# --- CORS -----------------------------------------------------------------------------------------

OPEN = ("/kommun/2284/2022/stod_och_omsorg.json", "/kommun/2284/2022/stod_och_omsorg/", "/kommun/2284/2022.json",
        "/nyckeltal/N00640/2022.json", "/sok.json?q=mark", "/api/openapi.json")  # fmt: skip
CLOSED = ("/kommun/2284/2022/stod_och_omsorg/redigera/", "/konto/login/", "/kommun/1463/mal/ny/", "/sok/")


@pytest.mark.parametrize("url", OPEN)
def test_the_public_forms_may_be_read_from_any_site_without_credentials(client, url):
    response = client.get(url, headers={"origin": "https://kommun.example"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Origin" not in response.get("Vary", "")  # the same answer for every origin


def test_a_preflight_for_a_revalidation_is_answered(client):
    response = client.options("/kommun/2284/2022.json", headers={
        "origin": "https://kommun.example", "access-control-request-method": "GET",
        "access-control-request-headers": "if-none-match"})  # fmt: skip
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"


@pytest.mark.parametrize("url", CLOSED)
def test_the_editing_pages_and_the_login_carry_no_cors_header(client, url):
    response = client.get(url, headers={"origin": "https://kommun.example"})
    assert not any(h.startswith("Access-Control-") for h in response.headers)
    preflight = client.options(url, headers={"origin": "https://x.example", "access-control-request-method": "GET"})
    assert "Access-Control-Allow-Origin" not in preflight
