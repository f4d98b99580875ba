"""Pre-rendering the public pages into the page cache after a data change (``kommunkvalitet warm``).

A public page is a pure function of its URL, the language and the data version (web.pagecache), so
after an import, a sync, a recompute or a publication every page can be rendered once, before any
reader asks for it, and every reader then gets a cache hit. :func:`targets` lists the pages a reader
can reach (the start page, every municipality's page, overview and area pages of every KKiK edition,
the goal follow-up, the measure pages of every KPI and year with values, their maps, the KPI area
lists, and the JSON twins), built with ``reverse`` from the URL patterns' names (:data:`KINDS`; what
is left out and why is :data:`LEFT_OUT`, and ``tests/test_warm.py`` checks that the two cover every
public pattern).

Each page is requested through the site's own WSGI application, exactly as a reader's request on
``base_url`` arrives (Host, scheme, the language cookie, no session), so the page cache's middleware
computes the key and stores the page itself; a page already in the cache for the current data version
(:func:`~kommunkvalitet.web.pagecache.page_key`, the middleware's own key) is skipped, so a warm that was
stopped goes on where it stopped. An editor never gets these pages (the middleware answers anybody
with a session past the cache). The work is spread over worker processes (one per core by default).
"""

from __future__ import annotations

import functools
import io
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

# The URL patterns (web/urls.py) of the public pages warmed, by name; one target per argument combination.
KINDS = (
    "start",
    "municipality",
    "overview",
    "overview_json",
    "area",
    "area_json",
    "goals",
    "goal_report",
    "goal_report_json",
    "goal",
    "goal_json",
    "kpi_areas",
    "kpi_area",
    "measure",
    "measure_json",
    "measure_map",
)
# The public patterns not warmed, and why. A pattern name ending in one of these suffixes (the tables and
# PDFs of web.formats) is a download: made on request, and cached then.
LEFT_OUT = {
    "measure_latest": "a redirect to the latest year (not cached)",
    "measure_map_svg": "the map as a file of its own, a download (its page, measure_map, is warmed)",
    "embed": "a chart for another site's page: asked for by that site, at most once per change",
    "embed_svg": "the same as a file",
}
DOWNLOAD_SUFFIXES = ("_csv", "_plain_csv", "_xlsx", "_pdf")


@dataclass(frozen=True)
class Target:
    kind: str  # the URL pattern's name
    path: str
    language: str


def targets(
    languages: Iterable[str] | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    measures: bool = True,
) -> list[Target]:
    """Every public page a reader can reach (of every kommun, region and Riket), newest edition first (a warm that is stopped has done the
    pages asked for most), in each of ``languages`` (default: all of ``LANGUAGES``). ``municipalities``
    and ``years`` narrow the municipality pages (e.g. after one municipality published a text) and the
    editions and measure years; ``measures=False`` leaves out the measure pages (they depend on the data
    version only, not on a municipality's texts)."""
    from kommunkvalitet.reports.report_pages import edition_set, editions
    from kommunkvalitet.store import queries
    from kommunkvalitet.store.models import ComparisonStat, Goal, GoalStructure, Municipality
    from kommunkvalitet.web.presentation import slug

    langs = list(languages or [code for code, _ in settings.LANGUAGES])
    wanted_years = set(years) if years is not None else None
    munis = Municipality.objects.all()  # the 290 kommuner first, then the regions and Riket (they have pages too)
    if municipalities is not None:
        munis = munis.filter(pk__in=list(municipalities))
    kommun = Municipality.Type.KOMMUN
    muni_ids = [m for t, m in sorted(munis.values_list("type", "id"), key=lambda tm: (tm[0] != kommun, tm[1]))]
    paths: list[tuple[str, str]] = []

    def add(kind: str, *args) -> None:
        paths.append((kind, reverse(f"web:{kind}", args=args)))

    if municipalities is None:
        add("start")
    for year in editions():
        if wanted_years is not None and year not in wanted_years:
            continue
        areas = [a.id for a in edition_set(year).areas]
        for m in muni_ids:
            for kind in ("overview", "overview_json"):
                add(kind, m, year)
            for area in areas:
                for kind in ("area", "area_json"):
                    add(kind, m, year, area)
    structures: dict[str, list[int]] = {}
    for m, year in GoalStructure.objects.filter(municipality_id__in=muni_ids).values_list("municipality_id", "year"):
        if wanted_years is None or year in wanted_years:
            structures.setdefault(m, []).append(year)
    goal_ids: dict[tuple[str, int], list[int]] = {}
    for m, year, pk in Goal.objects.filter(structure__municipality_id__in=muni_ids).values_list(
        "structure__municipality_id", "structure__year", "pk"
    ):
        goal_ids.setdefault((m, year), []).append(pk)
    for m in muni_ids:
        add("municipality", m)
        add("goals", m)
        for year in sorted(structures.get(m, []), reverse=True):
            add("goal_report", m, year)
            add("goal_report_json", m, year)
            for goal_id in sorted(goal_ids.get((m, year), [])):
                add("goal", m, year, goal_id)
                add("goal_json", m, year, goal_id)
    if measures and municipalities is None:
        add("kpi_areas")
        for name, with_values, _total in queries.operating_areas():
            if with_values:
                add("kpi_area", slug(name))
        pairs = ComparisonStat.objects.filter(gender="T").values_list("kpi_id", "year").distinct()
        for kpi, year in sorted(pairs, key=lambda p: (-p[1], p[0])):
            if wanted_years is None or year in wanted_years:
                for kind in ("measure", "measure_json", "measure_map"):
                    add(kind, kpi, year)
    # A page's languages one after the other: the second finds the pictures the first drew in the chart cache.
    return [Target(kind, path, lang) for kind, path in paths for lang in langs]


# --- one page -------------------------------------------------------------------------------------------


def environ(base_url: str, target: Target) -> dict:
    """The WSGI environ of a reader without a session asking for ``target`` on ``base_url``."""
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.hostname:
        raise ValueError(f"expected http(s)://host[:port], got {base_url!r}")
    port = str(base.port or (443 if base.scheme == "https" else 80))
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": target.path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": base.hostname,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": base.netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": base.scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if base.scheme == "https":  # what a front server that terminates TLS adds (KOMMUNKVALITET_BEHIND_PROXY)
        env["HTTP_X_FORWARDED_PROTO"] = "https"
    if target.language != settings.LANGUAGE_CODE:  # the language switch's cookie
        env["HTTP_COOKIE"] = f"{settings.LANGUAGE_COOKIE_NAME}={target.language}"
    return env


RENDERED, CACHED, NOT_CACHED = "rendered", "already cached", "not cacheable"


def warm_one(application: Callable, base_url: str, target: Target) -> str:
    """Render ``target`` into the page cache unless it is there: :data:`RENDERED`, :data:`CACHED`,
    :data:`NOT_CACHED` (answered 200 but not stored) or ``"HTTP <status>"``."""
    from django.core.handlers.wsgi import WSGIRequest

    from kommunkvalitet.web.pagecache import CACHED_HEADER, page_key

    env = environ(base_url, target)
    found = page_key(WSGIRequest(dict(env)))
    if found is None:
        return NOT_CACHED
    if caches["pages"].has_key(found.key):
        return CACHED
    answer: dict = {}

    def start_response(status: str, headers: list, exc_info=None) -> None:
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    body = application(env, start_response)
    try:
        for _ in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    if answer["status"] != 200:
        return f"HTTP {answer['status']}"
    cached = answer["headers"].get(CACHED_HEADER)
    return {"miss": RENDERED, "hit": CACHED}.get(cached or "", NOT_CACHED)


# --- many pages, over the cores ---------------------------------------------------------------------


@dataclass
class Summary:
    outcomes: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds of each render
    failed: list[tuple[Target, str]] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the workers' CPU time
    wall_seconds: float = 0.0
    version_before: str = ""
    version_after: str = ""

    def add(self, target: Target, outcome: str, seconds: float) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if outcome == RENDERED:
            self.by_kind.setdefault(target.kind, []).append(seconds)
        elif outcome != CACHED:
            self.failed.append((target, outcome))


_application: Callable | None = None


def _init_worker() -> None:
    global _application
    from kommunkvalitet.wsgi import application  # the server's own, with its collector settings (web.collector)

    _application = application


def _run_chunk(
    base_url: str, chunk: list[Target], application: Callable | None = None
) -> tuple[list[tuple[Target, str, float]], float]:
    application = application or _application
    assert application is not None
    from kommunkvalitet.store.report import shared_reports

    cpu = time.process_time()
    done = []
    with shared_reports():  # a municipality's overview, areas and twins (in a row here) share one computation
        for target in chunk:
            started = time.perf_counter()
            try:
                outcome = warm_one(application, base_url, target)
            except Exception as err:  # noqa: BLE001  (one broken page must not stop the others; it is reported)
                outcome = f"{type(err).__name__}: {err}"
            done.append((target, outcome, time.perf_counter() - started))
    return done, time.process_time() - cpu


def _chunks(items: list[Target], size: int) -> Iterator[list[Target]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def warm(base_url: str, todo: list[Target], workers: int = 1, progress: Callable[[int], None] | None = None) -> Summary:
    """Render ``todo`` into the page cache, ``workers`` processes at a time (1: in this process)."""
    from kommunkvalitet.store.dataversion import DATA, versions

    summary = Summary(version_before=str(versions([DATA])[DATA]))
    started = time.perf_counter()

    def record(result: tuple[list[tuple[Target, str, float]], float]) -> None:
        done, cpu = result
        summary.cpu_seconds += cpu
        for target, outcome, seconds in done:
            summary.add(target, outcome, seconds)
        if progress is not None:
            progress(len(done))

    if workers <= 1:
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()  # the site's middleware as the settings say now
        for chunk in _chunks(todo, 20):
            record(_run_chunk(base_url, chunk, application))
    else:
        # spawn, not fork: a forked child would share the parent's database connection (docs/performance.md).
        # Pool.terminate() on any exception (Ctrl-C): the workers stop at once; what they stored stays.
        pool = get_context("spawn").Pool(workers, initializer=_init_worker)
        try:
            for result in pool.imap_unordered(functools.partial(_run_chunk, base_url), _chunks(todo, 20)):
                record(result)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    summary.wall_seconds = time.perf_counter() - started
    summary.version_after = str(versions([DATA])[DATA])
    return summary
