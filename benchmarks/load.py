"""Benchmark: the site under load, as a reader on loopback sees it.

Usage::

    .venv/bin/python benchmarks/load.py [--data-dir DIR] [--postgres | --database-url URL] [--clients 16] [--seconds 60]
                                        [--repeat 3] [--scenarios county,readers,busy] [--port N]

It starts the server exactly as ``make run`` does (``kommunkvalitet serve``: gunicorn, threaded
workers, one per core) on a data dir prepared by ``kommunkvalitet setup`` (the default import and the
example goal structure; without ``--data-dir`` a temporary one is set up first), with the page and
chart caches emptied before each scenario, so each starts cold. ``--postgres`` starts a throw-away PostgreSQL server on
loopback (as ``.ci/run`` does: ``initdb`` and ``pg_ctl`` as the ``postgres`` user) and runs the same on it.

From this process (threads with kept-alive ``http.client`` connections) ``--clients`` readers request
pages back to back for ``--seconds``: 80 % from a hot set (ten municipalities' latest overview, area
pages, municipality page and their JSON twins, and the measure pages of the latest year), 20 % from the
long tail (any of the 290 kommuner, any edition 2016-2022, any of those page kinds, any KPI of the
measure set). Scenarios:

- ``static``: the limit: one static file (``/static/web/site.css``) served by the same server;
- ``county``: the readers with the mix, in the state a county install is in after its import and
  ``kommunkvalitet warm``: the long tail answered from the page cache warm filled (run once, before the
  first run, for ``http://127.0.0.1:<--port>`` in Swedish; its time and CPU printed), but the hot pages
  taken out of it and the chart cache emptied, so the hot pages start cold and are rendered in the
  run's first seconds;
- ``hot``: the readers asking only for the hot pages (what the page cache alone can do);
- ``warm``: the same right after, for half as long, with the cache as ``hot`` left it;
- ``readers``: the readers with the mix above;
- ``editing`` (not run unless named): the readers while 2 editors save, no import: the saves' baseline;
- ``county-editing`` (not run unless named): the ``county`` state and readers while the 2 editors save: a
  county install on results day, the editors' saves beside readers answered from the warmed cache;
- ``busy``: the readers while 2 editors, each signed in, save a commentary draft about once a second
  and ``kommunkvalitet import snapshot --all`` runs (stopped at the end of the run if not done; a
  stopped import leaves its staging tables, which the next one drops first). The import's metadata
  files (the whole KPI catalogue) commit before it is stopped and advance the data version, so when
  ``busy`` runs, the database is kept as it was before the first run and put back before each next one
  (SQLite: a copy of the file; PostgreSQL: a template database), and the warmed page cache stays valid.

Per scenario it prints requests/s, p50/p95/p99 in ms, errors (5xx other than 503, or no answer), the
503s, and for the editors the saves' p50/p95/max and how many were saved (302), got 503 or failed; the
page scenarios print their ratio to the static limit measured in the same run; every scenario the answers
from the page cache (``hit``), rendered in the run (``miss``) and not cached (``-``: the static file, 404s),
the statuses, the server's CPU time per request (gunicorn's processes, from /proc) and the load average.
With ``--repeat`` it prints the median of the runs at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from benchkit import percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
CLI = [sys.executable, "-m", "kommunkvalitet"]
AREAS = ("barn_och_unga", "stod_och_omsorg", "samhalle_och_miljo")
YEARS = range(2016, 2023)
LATEST = 2022
HOT_MUNICIPALITIES = ("0180", "1480", "1280", "0380", "2284", "1463", "0580", "1880", "2480", "0114")
EDITOR_PASSWORD = "Belast-Ning-2022!"


# --- what the readers ask for ------------------------------------------------------------------------


def page_urls(muni: str, year: int, rng: random.Random, kpis: list[str]) -> list[str]:
    area = rng.choice(AREAS)
    return [
        f"/kommun/{muni}/",
        f"/kommun/{muni}/{year}/",
        f"/kommun/{muni}/{year}.json",
        f"/kommun/{muni}/{year}/{area}/",
        f"/kommun/{muni}/{year}/{area}.json",
        f"/nyckeltal/{rng.choice(kpis)}/{year}/",
    ]


@dataclass
class Mix:
    hot: list[str]
    municipalities: list[str]
    kpis: list[str]

    @classmethod
    def build(cls, snapshot: Path) -> Mix:
        from kommunkvalitet.core.measuresets import default_kpi_ids
        from kommunkvalitet.sources.snapshot import read_municipalities

        kpis = sorted(default_kpi_ids())
        munis = [m.id for m in read_municipalities(snapshot / "kolada" / "municipalities.csv") if m.type == "kommun"]
        hot = [f"/kommun/{m}/{LATEST}/{a}{end}" for m in HOT_MUNICIPALITIES for a in AREAS for end in ("/", ".json")]
        hot += [f"/kommun/{m}/{LATEST}{end}" for m in HOT_MUNICIPALITIES for end in ("/", ".json")]
        hot += [f"/kommun/{m}/" for m in HOT_MUNICIPALITIES]
        hot += [f"/nyckeltal/{k}/{LATEST}/" for k in kpis[:20]]
        return cls(hot, munis, kpis)

    def pick(self, rng: random.Random) -> str:
        if rng.random() < 0.8:
            return rng.choice(self.hot)
        return rng.choice(page_urls(rng.choice(self.municipalities), rng.choice(YEARS), rng, self.kpis))


# --- the load --------------------------------------------------------------------------------------


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    busy: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    cache: dict[str, int] = field(default_factory=dict)  # X-Page-Cache: hit, miss, or "-" (not a cached page)


def saved(tally: Tally) -> int:
    """The editors' saves that succeeded: a saved draft redirects back to the page."""
    return tally.statuses.get(302, 0) + tally.statuses.get(303, 0)


def reader(port: int, pick, until: float, tally: Tally, lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, errors, busy, statuses, cache = [], 0, 0, {}, {}
    while time.monotonic() < until:
        url = pick(rng)
        started = time.perf_counter()
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            status = response.status
            answer = response.headers.get("X-Page-Cache") or "-"
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, answer = 0, "-"
        times.append(time.perf_counter() - started)
        cache[answer] = cache.get(answer, 0) + 1
        statuses[status] = statuses.get(status, 0) + 1
        if status == 503:
            busy += 1
        elif status == 0 or status >= 500:
            errors += 1
    conn.close()
    with lock:
        tally.times += times
        tally.errors += errors
        tally.busy += busy
        for s, n in statuses.items():
            tally.statuses[s] = tally.statuses.get(s, 0) + n
        for a, n in cache.items():
            tally.cache[a] = tally.cache.get(a, 0) + n


class Editor:
    """A signed-in editor saving a commentary draft of one area page about once a second."""

    def __init__(self, port: int, username: str, municipality: str):
        self.port, self.username, self.municipality = port, username, municipality
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1{path}"})
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    @staticmethod
    def _field(html: str, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', html)
        return found.group(1) if found else ""

    def login(self) -> None:
        _, html = self.request("GET", "/konto/login/")
        form = {"csrfmiddlewaretoken": self._field(html, "csrfmiddlewaretoken"), "username": self.username,
                "password": EDITOR_PASSWORD}  # fmt: skip
        status, _ = self.request("POST", "/konto/login/", form)
        if status != 302:
            raise RuntimeError(f"{self.username} could not sign in ({status})")

    def run(self, until: float, tally: Tally, lock: threading.Lock) -> None:
        path = f"/kommun/{self.municipality}/{LATEST}/stod_och_omsorg/redigera/"
        n = 0
        while time.monotonic() < until:
            try:
                _, html = self.request("GET", path)
                form = {"csrfmiddlewaretoken": self._field(html, "csrfmiddlewaretoken"), "action": "save",
                        "based_on": self._field(html, "based_on"), "text": f"Utkast {n} från {self.username}."}  # fmt: skip
                started = time.perf_counter()
                status, _ = self.request("POST", path, form)
                seconds = time.perf_counter() - started
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status, seconds = 0, 0.0
            with lock:
                tally.times.append(seconds)
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                if status == 503:
                    tally.busy += 1
                elif status not in (302, 303):  # a saved draft redirects back to the form
                    tally.errors += 1
            n += 1
            time.sleep(1.0)


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int) -> subprocess.Popen:
    """``kommunkvalitet serve`` as ``make run`` starts it (its access log thrown away)."""
    proc = subprocess.Popen([*CLI, "serve", "--bind", f"127.0.0.1:{port}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/static/web/site.css")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Postgres:
    """A throw-away PostgreSQL server on loopback, as .ci/run starts one (needs root for runuser)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kk-pg-"))
        shutil.chown(self.dir, "postgres")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/kommunkvalitet"

    def __enter__(self) -> Postgres:
        run = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*run, "initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres"],
                       check=True, capture_output=True)  # fmt: skip
        subprocess.run([*run, "pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-o",
                        f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c max_connections=200", "start"],
                       check=True, capture_output=True)  # fmt: skip
        subprocess.run([*run, "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "kommunkvalitet"],
                       check=True, capture_output=True)  # fmt: skip
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", "pg_ctl", "-D", f"{self.dir}/data", "-m", "fast", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


# --- one run -----------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    readers: Tally
    seconds: float
    editors: Tally | None = None
    server_cpu: float = 0.0  # CPU seconds of the server's processes during the scenario
    client_cpu: float = 0.0  # CPU seconds of this process (the 16 clients) during the scenario
    load: str = ""  # the load average at the end

    @property
    def cpu_ms(self) -> float:
        """The server's CPU time per request, in ms: on a shared machine steadier than wall time."""
        return self.server_cpu / max(1, len(self.readers.times)) * 1000

    @property
    def rate(self) -> float:
        return len(self.readers.times) / self.seconds

    def ms(self, tally: Tally, p: float) -> float:
        return percentile(tally.times, p) * 1000 if tally.times else float("nan")

    def line(self, limit: float | None) -> str:
        r = self.readers
        text = (f"{self.name:8} {self.rate:7.0f} req/s  p50 {self.ms(r, 50):6.1f}  p95 {self.ms(r, 95):6.1f}  "
                f"p99 {self.ms(r, 99):6.1f} ms  errors {r.errors}  503 {r.busy}")  # fmt: skip
        if limit:
            text += f"  ratio to static {self.rate / limit:.2f}"
        text += (f"\n{'':8} server CPU {self.server_cpu:.1f} s ({self.cpu_ms:.2f} ms/request), clients' CPU "
                 f"{self.client_cpu:.1f} s; page cache {dict(sorted(r.cache.items()))}; status "
                 f"{dict(sorted(r.statuses.items()))}; load average {self.load}")  # fmt: skip
        if self.editors is not None:
            e = self.editors
            worst = max(e.times) * 1000 if e.times else float("nan")
            text += (f"\n{'':8} editors: {len(e.times)} saves, p50 {self.ms(e, 50):.0f} ms, p95 {self.ms(e, 95):.0f} ms,"
                     f" max {worst:.0f} ms, saved {saved(e)}, 503 {e.busy}, errors {e.errors}"
                     f" {dict(sorted(e.statuses.items()))}")  # fmt: skip
        return text


def server_cpu(pid: int) -> float:
    """CPU seconds (user and system) the server has used so far: gunicorn's arbiter and its workers."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def drive(name: str, port: int, pick, clients: int, seconds: float, editors: list[Editor] = (), pid: int = 0) -> Result:
    cpu_before, mine_before = server_cpu(pid), time.process_time()
    lock = threading.Lock()
    readers, editing = Tally(), Tally()
    until = time.monotonic() + seconds
    started = time.monotonic()
    threads = [threading.Thread(target=reader, args=(port, pick, until, readers, lock, i)) for i in range(clients)]
    threads += [threading.Thread(target=e.run, args=(until, editing, lock)) for e in editors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = Result(name, readers, time.monotonic() - started, editing if editors else None)
    result.server_cpu, result.client_cpu = server_cpu(pid) - cpu_before, time.process_time() - mine_before
    result.load = load_average()
    return result


def signed_in_editors(port: int) -> list[Editor]:
    editors = [Editor(port, name, muni) for name, muni in (("redaktor1", "2284"), ("redaktor2", "1463"))]
    for e in editors:
        e.login()
    return editors


class Pristine:
    """The database as it was before the first run, put back before each later one (``busy``'s import
    changes it): SQLite a copy of the file (the server is stopped between runs), PostgreSQL a template."""

    def __init__(self, env: dict, data_dir: Path):
        self.url = env.get("DATABASE_URL")
        self.file = data_dir / "kommunkvalitet.sqlite3"

    def _admin(self, *statements: str) -> None:
        import psycopg

        url = urllib.parse.urlsplit(self.url)
        with psycopg.connect(urllib.parse.urlunsplit(url._replace(path="/postgres")), autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    @property
    def _names(self) -> tuple[str, str]:
        name = urllib.parse.urlsplit(self.url).path.lstrip("/")
        return name, f"{name}_pristine"

    def keep(self) -> None:
        if self.url:
            name, copy = self._names
            self._admin(f'DROP DATABASE IF EXISTS "{copy}"', f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        else:  # nothing is connected between runs; a write-ahead log left over is kept with the file
            for extra in ("", "-wal"):
                if Path(f"{self.file}{extra}").exists():
                    shutil.copy2(f"{self.file}{extra}", f"{self.file}.pristine{extra}")

    def restore(self) -> None:
        if self.url:
            name, copy = self._names
            self._admin(f'DROP DATABASE "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{copy}"')
        else:
            for extra in ("", "-wal", "-shm"):
                Path(f"{self.file}{extra}").unlink(missing_ok=True)
                if Path(f"{self.file}.pristine{extra}").exists():
                    shutil.copy2(f"{self.file}.pristine{extra}", f"{self.file}{extra}")


def cold(data_dir: Path) -> None:
    """Empty the page and chart caches: a scenario starts as after an import."""
    for cache in ("pages", "charts"):
        shutil.rmtree(data_dir / "cache" / cache, ignore_errors=True)


WARMED = "pages-warmed"  # the page cache as `kommunkvalitet warm` left it, copied back before each county run

# Removes the pages of argv[2:] from the page cache for the base URL argv[1], by the page cache's own key.
FORGET = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
import django
django.setup()
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIRequest
from kommunkvalitet.web.pagecache import page_key
from kommunkvalitet.web.warm import Target, environ
found = [page_key(WSGIRequest(environ(sys.argv[1], Target("", path, "sv")))) for path in sys.argv[2:]]
print(sum(caches["pages"].delete(k.key) for k in found if k is not None))
"""


def warm_long_tail(env: dict, data_dir: Path, port: int) -> dict:
    """``kommunkvalitet warm`` for the readers' address (Swedish: the readers send no language cookie), as a
    county install runs it after its import; its page cache is then kept aside for every county run. The
    warm is resumable: a page cache an earlier invocation warmed on the same port and data is only checked."""
    cache = data_dir / "cache"
    if (cache / WARMED).exists():
        shutil.rmtree(cache / "pages", ignore_errors=True)
        (cache / WARMED).rename(cache / "pages")
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    done = subprocess.run([*CLI, "warm", "--base-url", f"http://127.0.0.1:{port}", "--language", "sv"], env=env,
                          check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    (cache / "pages").rename(cache / WARMED)
    pages = len(list((cache / WARMED).glob("*.djcache")))
    print(f"kommunkvalitet warm: {time.monotonic() - started:.0f} s, CPU {cpu:.0f} s, {pages} pages; load average "
          f"{load_average()}\n  " + "\n  ".join(done.stdout.strip().splitlines()))  # fmt: skip
    return {"seconds": time.monotonic() - started, "cpu": cpu, "pages": pages}


def county(env: dict, data_dir: Path, port: int, mix: Mix) -> None:
    """The state of a county install after its import and ``warm``, with the hot pages cold: the warmed page
    cache back, the hot pages taken out of it and the chart cache emptied, so the hot pages (and their
    charts) are rendered in the run's first seconds while the long tail is answered from the cache."""
    cold(data_dir)
    shutil.copytree(data_dir / "cache" / WARMED, data_dir / "cache" / "pages")
    forgot = subprocess.run([sys.executable, "-c", FORGET, f"http://127.0.0.1:{port}", *mix.hot], env=env,
                            check=True, stdout=subprocess.PIPE, text=True).stdout.strip()  # fmt: skip
    print(f"  county: the long tail warm, {forgot} of the {len(mix.hot)} hot pages taken out, charts empty")


def one_run(env: dict, data_dir: Path, mix: Mix, args) -> list[Result]:
    cold(data_dir)
    port = args.port
    server = start_server(env, port)
    pid = server.pid
    results: list[Result] = []
    try:
        results.append(drive("static", port, lambda rng: "/static/web/site.css", args.clients, args.static_seconds,
                             pid=pid))  # fmt: skip
        if "county" in args.scenarios:
            county(env, data_dir, port, mix)
            results.append(drive("county", port, mix.pick, args.clients, args.seconds, pid=pid))
        if "county-editing" in args.scenarios:  # results day: the county state, readers and 2 editors saving
            county(env, data_dir, port, mix)
            results.append(drive("county-editing", port, mix.pick, args.clients, args.seconds,
                                 signed_in_editors(port), pid=pid))  # fmt: skip
        if "hot" in args.scenarios:
            cold(data_dir)
            results.append(drive("hot", port, lambda rng: rng.choice(mix.hot), args.clients, args.seconds, pid=pid))
        if "warm" in args.scenarios:  # the same, with the cache as "hot" left it: the cache's own speed
            results.append(drive("warm", port, lambda rng: rng.choice(mix.hot), args.clients, args.seconds / 2,
                                 pid=pid))  # fmt: skip
        if "readers" in args.scenarios:
            cold(data_dir)
            results.append(drive("readers", port, mix.pick, args.clients, args.seconds, pid=pid))
        if "editing" in args.scenarios:  # the saves' baseline: the same editors and readers, no import
            cold(data_dir)
            results.append(drive("editing", port, mix.pick, args.clients, args.seconds, signed_in_editors(port),
                                 pid=pid))  # fmt: skip
        if "busy" in args.scenarios:
            cold(data_dir)
            editors = signed_in_editors(port)
            importer = subprocess.Popen([*CLI, "import", "snapshot", "--all"], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
            try:
                results.append(drive("busy", port, mix.pick, args.clients, args.seconds, editors, pid=pid))
            finally:
                still_running = importer.poll() is None
                stop(importer)
                err = importer.stderr.read() if importer.stderr else ""
            if not still_running and importer.returncode != 0:
                print(f"  the import failed: {err.strip()[-300:]}")
            print(f"  import snapshot --all: {'still running, stopped' if still_running else 'finished'}")
    finally:
        stop(server)
    limit = results[0].rate
    for r in results:
        print("  " + r.line(None if r.name == "static" else limit))
    return results


def prepare(env: dict) -> None:
    subprocess.run([*CLI, "setup"], env=env, check=True, stdout=subprocess.DEVNULL)
    for name, muni in (("redaktor1", "2284"), ("redaktor2", "1463")):
        subprocess.run([*CLI, "editor", "add", name, muni, "--password", EDITOR_PASSWORD], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None, help="a data dir `kommunkvalitet setup` prepared")
    parser.add_argument("--postgres", action="store_true", help="run on a throw-away PostgreSQL server")
    parser.add_argument("--database-url", default=None, help="run on this database instead (PostgreSQL)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--static-seconds", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--scenarios", default="county,hot,warm,readers,busy")
    parser.add_argument("--port", type=int, default=None, help="the server's port [default: a free one]: the Host "
                        "of the readers' requests, part of every page's cache key, so `warm` renders for it")  # fmt: skip
    parser.add_argument(
        "--snapshot", type=Path, default=Path(os.environ.get("KOMMUNKVALITET_SNAPSHOT", ROOT.parent / "shared/data"))
    )
    args = parser.parse_args()
    args.scenarios = set(args.scenarios.split(","))
    args.port = args.port or free_port()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kk-load-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KOMMUNKVALITET_DATA_DIR=str(data_dir), KOMMUNKVALITET_SNAPSHOT=str(args.snapshot.resolve()))
    mix = Mix.build(args.snapshot.resolve())
    print(f"{os.cpu_count()} cores; {args.clients} clients, {args.seconds:.0f} s per page scenario; "
          f"{len(mix.hot)} hot pages (80 %), long tail of {len(mix.municipalities)} kommuner x {len(YEARS)} years")  # fmt: skip

    def runs() -> list[list[Result]]:
        prepare(env)  # idempotent: an existing data dir keeps its data
        if args.scenarios & {"county", "county-editing"}:
            warm_long_tail(env, data_dir, args.port)
        out = []
        pristine = Pristine(env, data_dir) if "busy" in args.scenarios else None
        if pristine:
            pristine.keep()
        for i in range(args.repeat):
            if pristine and i:
                pristine.restore()
            print(f"run {i + 1} of {args.repeat} ({'PostgreSQL' if 'DATABASE_URL' in env else 'SQLite'}):")
            out.append(one_run(env, data_dir, mix, args))
        if pristine:  # the data dir is left as it was, its warmed page cache valid for the next invocation
            pristine.restore()
        return out

    if args.database_url:  # a server of one's own, e.g. one already set up and warmed by an earlier invocation
        env["DATABASE_URL"] = args.database_url
        all_runs = runs()
    elif args.postgres:
        with Postgres() as pg:
            env["DATABASE_URL"] = pg.url
            all_runs = runs()
    else:
        all_runs = runs()
    if args.repeat > 1:
        print(f"median of {args.repeat} runs:")
        for i, first in enumerate(all_runs[0]):
            rates = [run[i].rate for run in all_runs]
            p95 = [run[i].ms(run[i].readers, 95) for run in all_runs]
            ratio = [run[i].rate / run[0].rate for run in all_runs]
            text = (f"  {first.name:8} {statistics.median(rates):7.0f} req/s  p95 {statistics.median(p95):6.1f} ms  "
                    f"errors {sum(run[i].readers.errors for run in all_runs)}")  # fmt: skip
            if first.name != "static":
                text += f"  ratio to static {statistics.median(ratio):.2f}"
            cpu = [run[i].cpu_ms for run in all_runs]
            text += f"  server CPU {statistics.median(cpu):.2f} ms/request"
            if first.editors is not None:
                e50 = [run[i].ms(run[i].editors, 50) for run in all_runs]
                e95 = [run[i].ms(run[i].editors, 95) for run in all_runs]
                worst = max(max(run[i].editors.times, default=0) for run in all_runs) * 1000
                text += (f"; editors p50 {statistics.median(e50):.0f} ms, p95 {statistics.median(e95):.0f} ms, "
                         f"max {worst:.0f} ms, saved {sum(saved(run[i].editors) for run in all_runs)} "
                         f"of {sum(len(run[i].editors.times) for run in all_runs)}, "
                         f"503 {sum(run[i].editors.busy for run in all_runs)}, "
                         f"errors {sum(run[i].editors.errors for run in all_runs)}")  # fmt: skip
            print(text)
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
