"""The site as `make run` serves it (gunicorn from `kommunkvalitet serve`'s command line) on its own
SQLite database: slow clients do not hold up a third one, a second import exits 75, a save during an
import succeeds while readers see the file all or not at all, and a failed import leaves nothing; a sync
from a loopback Kolada (tests/kolada_server.py) blocks no save either, nor lets an import in beside it."""

from __future__ import annotations

import contextlib
import gzip
import http.cookiejar
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from browserkit import server_env, start_server
from buildonce import build_once
from kolada_server import FakeKolada, rows_from_csv

CLI = [sys.executable, "-m", "kommunkvalitet"]
USER, PASSWORD, MUNI = "belastning", "Belast-Ning-2022!", "2284"
AREA = f"/kommun/{MUNI}/2022/stod_och_omsorg/"
BIG_FILE = "kommun_KA_2015-2022.csv.gz"  # 4.2 M rows: written staged, in short transactions


@pytest.fixture(scope="module")
def site(tmp_path_factory, snapshot_dir):
    """A served site: data dir, environment and base URL."""

    def build(data: Path) -> None:
        env = {**server_env(data, snapshot_dir), "PYTHONUNBUFFERED": "1"}
        for args in (
            ["manage", "migrate", "-v0"],
            ["import", "snapshot", "--kpi", "U21401", "--kpi", "N21806", "--years", "2021-2022"],
            ["editor", "add", USER, MUNI, "--publisher", "--password", PASSWORD],
        ):
            subprocess.run([*CLI, *args], env=env, check=True, capture_output=True, timeout=300)

    # built once per run; each xdist worker serves its own copy (tests/buildonce.py)
    data = build_once(tmp_path_factory, "served", build)
    env = {**server_env(data, snapshot_dir), "PYTHONUNBUFFERED": "1"}
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


def _database(site) -> sqlite3.Connection:
    """A reader of the site's database beside the server (each statement its own read transaction)."""
    return sqlite3.connect(Path(site["data"]) / "kommunkvalitet.sqlite3", timeout=30, isolation_level=None)


def _staging_tables(db: sqlite3.Connection) -> list[str]:
    return [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kk%'")]


def _state(db: sqlite3.Connection, year: int) -> tuple[int, int, int]:
    """(the data version, values of ``year``, their comparisons) as one reader sees them at one moment."""
    db.execute("BEGIN")
    try:
        version = db.execute("SELECT version FROM store_dataversion WHERE scope = 'data'").fetchone()[0]
        values = db.execute("SELECT COUNT(*) FROM store_value WHERE year = ?", (year,)).fetchone()[0]
        stats = db.execute("SELECT COUNT(*) FROM store_comparisonstat WHERE year = ?", (year,)).fetchone()[0]
    finally:
        db.execute("COMMIT")
    return version, values, stats


def test_during_an_import_saves_succeed_and_readers_see_the_old_file_or_the_new_never_a_mix(site, snapshot_dir):
    """The big values file written staged (store.staging): the import holds SQLite's write lock only for
    moments, so every save in the middle of it succeeds (no 503, no 500), and a reader sees the year's
    values, comparisons and data version all from before the file or all from after it."""
    editor = Editor(site["url"])
    editor.login()
    assert editor.save("Före importen.")[0] == 200
    db = _database(site)
    year = 2019  # not imported yet by this module's tests: the file adds it
    before = _state(db, year)
    path = str(snapshot_dir / "kolada/values" / BIG_FILE)
    importer = subprocess.Popen(
        [*CLI, "import", "snapshot", "--all", "--years", str(year), "--file", path],
        env=site["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    saves, seen, staged_saves = [], set(), 0
    try:
        n = 0
        while importer.poll() is None and n < 200:
            staged = bool(_staging_tables(db))
            status, _, headers, body = editor.save(f"Under importen, försök {n}.")
            saves.append((status, headers.get("Retry-After"), body[:200]))
            staged_saves += staged and bool(_staging_tables(db))  # the file was being written all along
            seen.add(_state(db, year))
            n += 1
    finally:
        out, _ = importer.communicate(timeout=900)
    out = out.decode()
    assert importer.returncode == 0, out
    assert "skrivlåset hölls som längst" in out, out
    after = _state(db, year)
    assert after[1] > before[1] and after[2] > before[2], (before, after)
    assert after[0] > before[0]  # the data version advanced ...
    assert seen <= {before, after}, (before, after, seen - {before, after})  # ... with the data, at once
    assert staged_saves >= 3, f"only {staged_saves} saves while the file was written; the test proves nothing"
    assert [s for s in saves if s[0] != 200] == [], "every save succeeds (redirected to the page)"
    assert _staging_tables(db) == []
    assert editor.save("Efter importen.")[0] == 200


def test_a_save_that_meets_the_write_lock_gets_503_try_again_never_500(site):
    """Another writer holding SQLite's lock for longer than a save waits (web.busy: 1 s): the "försök igen"
    page with 503 and Retry-After."""
    editor = Editor(site["url"])
    editor.login()
    assert editor.save("Före låset.")[0] == 200
    db = _database(site)
    db.execute("BEGIN IMMEDIATE")  # the write lock, as a long transaction would hold it
    try:
        status, _, headers, body = editor.save("Medan låset hålls.")
    finally:
        db.execute("ROLLBACK")
    assert status == 503, body[:300]
    assert headers.get("Retry-After") == "5" and "Försök igen om en stund" in body
    assert editor.save("Efter låset.")[0] == 200


def _values_file_ending_in_a_bad_row(snapshot_dir, path: Path, rows: int) -> Path:
    """The big file's first ``rows`` rows (real data, over 1 MB: written staged), then a row whose year is
    not a year: the reader refuses the file only at its end."""
    with gzip.open(snapshot_dir / "kolada/values" / BIG_FILE, "rt", encoding="utf-8") as src:
        head = [next(src) for _ in range(rows + 1)]
    with open(path, "w", encoding="utf-8") as out:
        out.writelines(head)
        out.write(head[-1].split(",", 1)[0] + ",0180,tjugo,T,1.0\n")
    assert path.stat().st_size > (1 << 20)
    return path


def _checksum(db: sqlite3.Connection) -> tuple:
    db.execute("BEGIN")
    try:
        return (
            db.execute("SELECT COUNT(*), TOTAL(value), MAX(id) FROM store_value").fetchone(),
            db.execute("SELECT COUNT(*), TOTAL(mean), MAX(id) FROM store_comparisonstat").fetchone(),
            db.execute("SELECT version FROM store_dataversion WHERE scope = 'data'").fetchone(),
        )
    finally:
        db.execute("COMMIT")


def test_a_failed_or_killed_import_leaves_the_live_tables_as_they_were_and_no_staging_behind(
    site, snapshot_dir, tmp_path
):
    db = _database(site)
    before = _checksum(db)
    bad = _values_file_ending_in_a_bad_row(snapshot_dir, tmp_path / "kommun_trasig.csv", 120_000)
    args = [*CLI, "import", "snapshot", "--all", "--years", "2015-2022", "--file"]
    # killed in the middle (no clean-up of its own): its staging tables stay until the next run
    killed = subprocess.Popen([*args, str(bad)], env=site["env"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not _staging_tables(db) and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    killed.kill()
    killed.wait(30)
    assert _staging_tables(db), "the import was not killed while staged; the test proves nothing"
    assert _checksum(db) == before
    # the next run cleans them up, and refuses the file at its last row: nothing of it goes in
    failed = subprocess.run([*args, str(bad)], env=site["env"], capture_output=True, text=True, timeout=900)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Fel:" in failed.stderr and "Traceback" not in failed.stderr
    assert _checksum(db) == before
    assert _staging_tables(db) == []


CORE_FILE = "kkik_core_1994-2022.csv"  # KKiK core KPIs: 2018-2022, 14 KPIs x 5 years, about 40,000 values
YEARS = range(2018, 2023)


def _kolada(snapshot_dir) -> tuple[FakeKolada, set[tuple[str, int]]]:
    """A loopback Kolada with the snapshot's KKiK core values of :data:`YEARS`, the KPIs' metadata (those
    the catalogue has) and the municipalities; and the KPI-years it has values of."""
    from kommunkvalitet.sources import snapshot

    layout = snapshot.SnapshotLayout(snapshot_dir)
    rows = list(rows_from_csv(snapshot_dir / "kolada/values" / CORE_FILE, years=YEARS))
    kpis = {r["kpi"] for r in rows}
    meta = [
        {"id": r.id, "title": r.title, "municipality_type": r.municipality_type}
        for r in snapshot.read_kpi_catalogue(layout.kpi_catalogue)
        if r.id in kpis
    ]
    rows = [r for r in rows if r["kpi"] in {m["id"] for m in meta}]
    types = {"kommun": "K", "region": "L", "national": "L"}
    munis = [
        {"id": m.id, "title": m.name, "type": types[m.type]}
        for m in snapshot.read_municipalities(layout.municipalities)
    ]
    return FakeKolada(rows, kpis=meta, municipalities=munis), {(r["kpi"], r["year"]) for r in rows}


def _kpi_years(db: sqlite3.Connection, kpis: list[str]) -> dict[tuple[str, int], tuple[int, int]]:
    """(kpi, year) -> (values, comparisons) of ``kpis`` in :data:`YEARS`, as one reader sees them at once."""
    marks = ",".join("?" * len(kpis))
    db.execute("BEGIN")
    try:
        values = db.execute(
            f"SELECT kpi_id, year, COUNT(*) FROM store_value WHERE kpi_id IN ({marks}) AND year >= 2018 "
            "GROUP BY kpi_id, year", kpis,
        ).fetchall()  # fmt: skip
        stats = db.execute(
            f"SELECT kpi_id, year, COUNT(*) FROM store_comparisonstat WHERE kpi_id IN ({marks}) AND year >= 2018 "
            "GROUP BY kpi_id, year", kpis,
        ).fetchall()  # fmt: skip
    finally:
        db.execute("COMMIT")
    seen: dict[tuple[str, int], list[int]] = {}
    for kpi, year, n in values:
        seen.setdefault((kpi, year), [0, 0])[0] = n
    for kpi, year, n in stats:
        seen.setdefault((kpi, year), [0, 0])[1] = n
    return {key: (v, c) for key, (v, c) in seen.items()}


def test_during_a_sync_saves_succeed_or_get_503_and_an_import_beside_it_exits_75(site, snapshot_dir):
    """`kommunkvalitet sync` writes whole KPI-years in short transactions (store.sync): every save in the
    middle of it is answered within 2 s, by the page (302) or by "försök igen" (503 with Retry-After), never
    500; a reader sees each KPI-year as it was or as the sync left it, never half; an import started
    during the sync exits 75 without a traceback. (A second sync beside a sync: test_sync.py.)"""
    editor = Editor(site["url"])
    editor.login()
    db = _database(site)
    kolada, kpi_years = _kolada(snapshot_dir)
    with kolada:
        kpis = sorted(m["id"] for m in kolada.meta["kpi"])  # those in the catalogue: 14 of the file's 15
        before = _kpi_years(db, kpis)
        env = {**site["env"], "KOLADA_BASE_URL": kolada.base_url, "KOLADA_REQUESTS_PER_SECOND": "0"}
        args = [*CLI, "sync", "--years", f"{YEARS[0]}-{YEARS[-1]}", *(a for k in kpis for a in ("--kpi", k))]
        syncing = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        saves, seen, import_beside, during = [], [], None, 0
        try:
            deadline = time.monotonic() + 120
            while not kolada.data_requests() and syncing.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            n = 0
            while syncing.poll() is None and n < 300:
                committed = _committed(db)
                status, seconds, headers, body = editor.save(f"Under synken, försök {n}.")
                saves.append((status, round(seconds, 2), headers.get("Retry-After"), body[:200]))
                seen.append(_kpi_years(db, kpis))
                during += syncing.poll() is None and _committed(db) > committed  # KPI-years written meanwhile
                if import_beside is None:  # beside the saves: it starts slowly on a loaded machine
                    import_beside = subprocess.Popen(
                        [*CLI, "import", "snapshot", "--kpi", kpis[0], "--years", "2020"],
                        env=site["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    )  # fmt: skip
                n += 1
        finally:
            out, _ = syncing.communicate(timeout=600)
            beside_out, beside_err = import_beside.communicate(timeout=120) if import_beside else ("", "")
    out = out.decode()
    assert syncing.returncode == 0, out
    assert "skrivlåset hölls som längst" in out, out
    after = _kpi_years(db, kpis)
    assert kpi_years <= set(after) and all(v and c for v, c in after.values()), after
    mixed = [
        (key, state[key])
        for state in seen
        for key in set(state) | set(after)
        if state.get(key, (0, 0)) not in (before.get(key, (0, 0)), after[key])
    ]
    assert mixed == [], f"a reader saw KPI-years half written: {mixed[:5]}"
    assert import_beside is not None, "the sync ended before a save; the test proves nothing"
    assert import_beside.returncode == 75, beside_out + beside_err  # 0 if it came after the sync
    assert "Fel: another import or sync is running" in beside_err and "Traceback" not in beside_err
    assert during >= 3, f"only {during} saves while the sync wrote; the test proves nothing ({out})"
    assert [s for s in saves if s[0] not in (200, 503)] == [], "a save gets the page or 503, never 500"
    assert all(s[2] == "5" and "Försök igen" in s[3] for s in saves if s[0] == 503)
    assert max(s[1] for s in saves) < 2.0, f"a save waited 2 s or more: {sorted(s[1] for s in saves)[-5:]}"
    assert editor.save("Efter synken.")[0] == 200


def _committed(db: sqlite3.Connection) -> int:
    """KPI-years the syncs have committed (the ledger, written in the same transactions as the values)."""
    return db.execute("SELECT COUNT(*) FROM store_synckpiyear").fetchone()[0]
