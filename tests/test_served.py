"""The site as `make run` serves it (gunicorn from `kommunkvalitet serve`'s command line) on its own
SQLite database: slow clients do not hold up a third one, a second import exits 75, and a save during
an import succeeds or gets 503 "försök igen", never a 500."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from browserkit import start_server

CLI = [sys.executable, "-m", "kommunkvalitet"]
USER, PASSWORD, MUNI = "belastning", "Belast-Ning-2022!", "2284"
AREA = f"/kommun/{MUNI}/2022/stod_och_omsorg/"
BIG_FILE = "kommun_KA_2015-2022.csv.gz"  # one transaction of the import reads all of it


@pytest.fixture(scope="module")
def site(tmp_path_factory, snapshot_dir):
    """A served site: data dir, environment and base URL."""
    data = tmp_path_factory.mktemp("served")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KOMMUNKVALITET_DATA_DIR=str(data), KOMMUNKVALITET_SNAPSHOT=str(snapshot_dir), PYTHONUNBUFFERED="1")
    for args in (
        ["manage", "migrate", "-v0"],
        ["import", "snapshot", "--kpi", "U21401", "--kpi", "N21806", "--years", "2021-2022"],
        ["editor", "add", USER, MUNI, "--publisher", "--password", PASSWORD],
    ):
        subprocess.run([*CLI, *args], env=env, check=True, capture_output=True, timeout=300)
    proc, url, port = start_server(env)
    yield {"url": url, "env": env, "port": port, "data": data}
    proc.terminate()
    proc.wait(20)


def _timed_get(url: str) -> tuple[int, float]:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return response.status, time.monotonic() - started


def test_two_slow_clients_do_not_hold_up_a_third(site):
    page = site["url"] + AREA
    _timed_get(page)  # rendered once, so that the timing below is the server's, not the page's
    _, alone = _timed_get(page)
    stop = threading.Event()
    slow = []
    for _ in range(2):  # they send their headers a byte every half second and never finish
        s = socket.create_connection(("127.0.0.1", site["port"]))
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(s)

    def trickle():
        while not stop.wait(0.5):
            for s in slow:
                with contextlib.suppress(OSError):
                    s.sendall(b"X")

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        time.sleep(1.5)  # both are being read by the server now
        waits = [_timed_get(page)[1] for _ in range(5)]
    finally:
        stop.set()
        feeder.join()
        for s in slow:
            s.close()
    assert max(waits) - alone < 1.0, (alone, waits)


def test_a_client_that_stops_sending_in_the_middle_of_its_request_is_cut_off(site):
    from kommunkvalitet.gunicorn_conf import READ_TIMEOUT

    with socket.create_connection(("127.0.0.1", site["port"])) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
        s.settimeout(READ_TIMEOUT + 10)
        started = time.monotonic()
        assert s.recv(1024) == b""  # the server closed the connection
        assert time.monotonic() - started < READ_TIMEOUT + 5


def test_a_second_import_while_one_runs_exits_75_without_a_traceback(site, snapshot_dir):
    args = ["import", "snapshot", "--all", "--years", "2022", "--file", str(snapshot_dir / "kolada/values" / BIG_FILE)]
    first = subprocess.Popen([*CLI, *args], env=site["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        lock = Path(site["data"]) / "sync.lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.run([*CLI, *args], env=site["env"], capture_output=True, text=True, timeout=120)
        assert first.poll() is None, "the first import ended before the second started; the test proves nothing"
    finally:
        out, _ = first.communicate(timeout=600)
    assert second.returncode == 75, second.stdout + second.stderr
    assert "Fel: another import or sync is running" in second.stderr and "Traceback" not in second.stderr
    assert first.returncode == 0, out


class Editor:
    """A signed-in editor in a real HTTP session (cookies, CSRF)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), dict(err.headers)

    def login(self) -> None:
        _, html, _ = self.request("/konto/login/")
        status, _, _ = self.request(
            "/konto/login/", {"csrfmiddlewaretoken": self.csrf(html), "username": USER, "password": PASSWORD}
        )
        assert status == 200 and any(c.name == "sessionid" for c in self.jar)

    def save(self, text: str) -> tuple[int, float, dict, str]:
        _, html, _ = self.request(AREA + "redigera/")
        based_on = re.search(r'name="based_on" value="([^"]*)"', html)
        form = {"csrfmiddlewaretoken": self.csrf(html), "text": text, "action": "save"}
        form["based_on"] = based_on.group(1) if based_on else ""
        started = time.monotonic()
        status, body, headers = self.request(AREA + "redigera/", form)
        return status, time.monotonic() - started, headers, body


def test_a_save_during_an_import_succeeds_or_gets_503_never_500(site, snapshot_dir):
    editor = Editor(site["url"])
    editor.login()
    assert editor.save("Före importen.")[0] == 200
    path = str(snapshot_dir / "kolada/values" / BIG_FILE)
    importer = subprocess.Popen(
        [*CLI, "import", "snapshot", "--all", "--years", "2022", "--file", path],
        env=site["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    results = []
    try:
        time.sleep(1.0)
        n = 0
        while importer.poll() is None and n < 40:
            results.append(editor.save(f"Under importen, försök {n}."))
            n += 1
            time.sleep(0.2)
    finally:
        out, _ = importer.communicate(timeout=600)
    assert importer.returncode == 0, out
    assert results, "the import ended before any save"
    statuses = [status for status, *_ in results]
    assert set(statuses) <= {200, 503}, statuses
    for status, seconds, headers, body in results:
        assert seconds < 2.0, seconds  # one second of waiting for the lock at most, and the page
        if status == 503:
            assert headers.get("Retry-After") == "5" and "Försök igen om en stund" in body
    assert editor.save("Efter importen.")[0] == 200
