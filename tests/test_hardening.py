"""Issue 11, hardening: login throttling, the password pages, security headers, read-only pages, weak
secret keys in production and the deploy check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLPattern, get_resolver
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "rätt-lösen-123"


@pytest.fixture
def user():
    return User.objects.create_user("inloggning", email="anna@kommun.example", password=PASSWORD)


def _login(client: Client, password: str):
    return client.post("/konto/login/", {"username": "inloggning", "password": password})


# -- login throttling -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_name_and_the_right_one_is_refused_until_the_lock_ends(client, user):
    for _ in range(4):
        assert _login(client, "fel-lösen").status_code == 200  # the form again, with its error
    locked = _login(client, "fel-lösen")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Inloggningen är spärrad en stund" in text and "5 gånger i rad" in text and "15 minuter" in text
    refused = _login(client, PASSWORD)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    # the lock ends when the cool-off time has passed
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not AccessAttempt.objects.exists()  # a successful login resets the count


def test_an_administrator_lifts_a_lock_at_once(client, user):
    for _ in range(5):
        _login(client, "fel-lösen")
    assert _login(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "inloggning", verbosity=0)
    assert _login(client, PASSWORD).status_code == 302


def test_the_lock_is_per_name_and_address_so_nobody_locks_a_colleague_out_from_elsewhere(user):
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(6):
        attacker.post("/konto/login/", {"username": "inloggning", "password": "fel"})
    colleague = Client(REMOTE_ADDR="10.0.0.7")
    assert colleague.post("/konto/login/", {"username": "inloggning", "password": PASSWORD}).status_code == 302


# -- password pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/konto/password_reset/", "/konto/password_reset/done/", "/konto/reset/MQ/fel-token/", "/konto/reset/done/"],
)
def test_the_password_reset_pages_answer_in_swedish_without_logging_in(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="sv">' in response.content.decode()


def test_without_a_mail_server_the_reset_page_sends_the_user_to_an_administrator(client, user):
    html = client.get("/konto/password_reset/").content.decode()
    assert "Be kommunens administratör" in html and 'name="email"' not in html
    client.post("/konto/password_reset/", {"email": user.email})
    assert mail.outbox == []


@override_settings(EMAIL_HOST="smtp.kommun.example")
def test_with_a_mail_server_the_reset_link_sets_a_new_password(client, user):
    assert 'name="email"' in client.get("/konto/password_reset/").content.decode()
    response = client.post("/konto/password_reset/", {"email": user.email})
    assert response.status_code == 302 and response["Location"] == "/konto/password_reset/done/"
    (letter,) = mail.outbox
    link = re.search(r"http://testserver(/konto/reset/\S+/)", letter.body).group(1)
    form = client.get(link, follow=True)
    assert "Välj nytt lösenord" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "ny-lång-fras-77", "new_password2": "ny-lång-fras-77"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ny-lång-fras-77")
    assert (
        client.get(link).status_code == 200 and "fungerar inte längre" in client.get(link, follow=True).content.decode()
    )


def test_a_signed_in_user_changes_her_password_and_a_reader_is_sent_to_the_login(client, user):
    assert client.get("/konto/password_change/")["Location"].startswith("/konto/login/")
    client.force_login(user)
    assert "Byt lösenord" in client.get("/konto/password_change/").content.decode()
    wrong = client.post(
        "/konto/password_change/",
        {"old_password": "fel", "new_password1": "ny-lång-fras-77", "new_password2": "ny-lång-fras-77"},
    )
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    ok = client.post(
        "/konto/password_change/",
        {"old_password": PASSWORD, "new_password1": "ny-lång-fras-77", "new_password2": "ny-lång-fras-77"},
    )
    assert ok.status_code == 302
    assert client.get(ok["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password("ny-lång-fras-77")


# -- headers ----------------------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/kommun/2284/2022/stod_och_omsorg/")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script would be blocked by the policy"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler would be blocked by the policy"


def test_an_editors_session_ends_with_the_working_day_and_the_browser(client, user):
    _login(client, PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() == 8 * 60 * 60


# -- read-only pages --------------------------------------------------------------------------------

# One real URL per public page (every name of the web namespace that is not a form must be here).
PUBLIC = {
    "start": "/",
    "municipality": "/kommun/2284/",
    "search": "/sok/?q=bibliotek",
    "search_json": "/sok.json?q=bibliotek",
    "kpi_areas": "/nyckeltal/",
    "kpi_area": "/nyckeltal/omrade/aldreomsorg/",
    "measure_latest": "/nyckeltal/N11102/",
    "measure": "/nyckeltal/N11102/2022/",
    "measure_json": "/nyckeltal/N11102/2022.json",
    "measure_csv": "/nyckeltal/N11102/2022.csv",
    "measure_plain_csv": "/nyckeltal/N11102/2022.plain.csv",
    "measure_xlsx": "/nyckeltal/N11102/2022.xlsx",
    "measure_map": "/nyckeltal/N11102/2022/karta/",
    "measure_map_svg": "/nyckeltal/N11102/2022/karta.svg",
    "embed": "/nyckeltal/N11102/2022/inbadda/stapel/",
    "embed_svg": "/nyckeltal/N11102/2022/inbadda/stapel.svg",
    "area_embed": "/kommun/2284/2022/stod_och_omsorg/inbadda/U21401/",
    "area_embed_svg": "/kommun/2284/2022/stod_och_omsorg/inbadda/U21401.svg",
    "api": "/api/",
    "api_json": "/api/openapi.json",
    "overview": "/kommun/2284/2022/",
    "overview_json": "/kommun/2284/2022.json",
    "overview_csv": "/kommun/2284/2022.csv",
    "overview_plain_csv": "/kommun/2284/2022.plain.csv",
    "overview_xlsx": "/kommun/2284/2022.xlsx",
    "area": "/kommun/2284/2022/stod_och_omsorg/",
    "area_json": "/kommun/2284/2022/stod_och_omsorg.json",
    "area_csv": "/kommun/2284/2022/stod_och_omsorg.csv",
    "area_plain_csv": "/kommun/2284/2022/stod_och_omsorg.plain.csv",
    "area_xlsx": "/kommun/2284/2022/stod_och_omsorg.xlsx",
    "overview_pdf": "/kommun/2284/2022.pdf",
    "area_pdf": "/kommun/2284/2022/stod_och_omsorg.pdf",
    "goals": "/kommun/2284/mal/",
    "goal_report": "/kommun/2284/mal/2022/",
    "goal_report_json": "/kommun/2284/mal/2022.json",
    "goal_report_csv": "/kommun/2284/mal/2022.csv",
    "goal_report_plain_csv": "/kommun/2284/mal/2022.plain.csv",
    "goal_report_xlsx": "/kommun/2284/mal/2022.xlsx",
    "goal": "/kommun/2284/mal/2022/mal-1/",
    "goal_json": "/kommun/2284/mal/2022/mal-1.json",
    "goal_csv": "/kommun/2284/mal/2022/mal-1.csv",
    "goal_plain_csv": "/kommun/2284/mal/2022/mal-1.plain.csv",
    "goal_xlsx": "/kommun/2284/mal/2022/mal-1.xlsx",
    "structure_template": "/kommun/2284/mal/2022/mal.xlsx",
}


def _web_patterns() -> dict[str, URLPattern]:
    (web,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "web"]
    return {p.name: p for p in web.url_patterns}


def test_every_page_of_the_site_is_either_read_only_or_a_form():
    patterns = _web_patterns()
    forms = {name for name, p in patterns.items() if "redigera" in str(p.pattern) or name == "structure_new"}
    assert set(patterns) == set(PUBLIC) | forms, "classify the new page in PUBLIC or make it a form"


@pytest.mark.parametrize("name", sorted(PUBLIC))
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options", "trace"])
def test_a_read_only_page_answers_405_to_anything_but_get_and_head(name, method, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/konto/password_reset/")  # a CSRF cookie, so that a POST carries a valid token
    token = client.cookies["csrftoken"].value
    response = getattr(client, method)(PUBLIC[name], HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 405, (name, method)
    assert response["Allow"] == "GET, HEAD"
    assert response.content == b""


def test_a_form_accepts_get_and_post_only(client, user):
    client.force_login(user)
    response = client.options("/kommun/2284/mal/ny/")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"


# -- production settings ----------------------------------------------------------------------------

STRONG = "k" + "".join(chr(ord("a") + i % 26) for i in range(60))


def _in_production(code: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "KOMMUNKVALITET_ENV": "production", "ALLOWED_HOSTS": "kvalitet.kommun.example", **env}
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("key", ["x", "hemligt", "django-insecure-" + "a1b2c3d4e5" * 5, "a" * 80])
def test_production_refuses_a_weak_secret_key_with_one_clear_line(key):
    result = subprocess.run(
        [sys.executable, "-m", "kommunkvalitet", "manage", "check"],
        env={**os.environ, "KOMMUNKVALITET_ENV": "production", "SECRET_KEY": key},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "SECRET_KEY is too weak for production" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_deploy_check_is_clean_and_production_sends_hsts_and_secure_cookies():
    check = subprocess.run(
        [sys.executable, "-m", "kommunkvalitet", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env={**os.environ, "KOMMUNKVALITET_ENV": "production", "SECRET_KEY": STRONG, "ALLOWED_HOSTS": "k.example"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout
    probe = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "kommunkvalitet.settings"
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
r = Client().get("/konto/login/", secure=True, HTTP_HOST="kvalitet.kommun.example")
print(r.status_code, r["Strict-Transport-Security"], r.cookies["csrftoken"]["secure"])
r = Client().get("/konto/login/", HTTP_HOST="kvalitet.kommun.example")
print(r.status_code, r["Location"])
"""
    result = _in_production(probe, SECRET_KEY=STRONG)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split("\n")[:2]
    assert first == "200 max-age=31536000; includeSubDomains; preload True"
    assert second == "301 https://kvalitet.kommun.example/konto/login/"
