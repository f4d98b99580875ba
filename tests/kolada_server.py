"""A fake Kolada v3 API: a real HTTP server on 127.0.0.1 serving in-memory data, with fault injection.

Usage::

    with FakeKolada(rows, kpis=[...], municipalities=[...]) as server:
        client = KoladaClient(base_url=server.base_url)
        server.fail_429(times=2, retry_after=3)
        ...
        server.requests  # the request log

``rows`` is any iterable of dicts with ``kpi``, ``municipality_id`` (or ``municipality``), ``year`` (or
``period``), ``gender``, ``value`` and optionally ``status``, ``count``, ``isdeleted`` and ``updated``
(an ISO date compared with ``from_date``). :func:`rows_from_csv` streams the snapshot CSV format.

What it imitates (domain.md A): routes ``/kpi``, ``/kpi_groups``, ``/municipality``,
``/municipality_groups`` (each also ``/{ids}``), ``/data/kpi/{k}/year/{y}``,
``/data/kpi/{k}/municipality/{m}``,
``/data/kpi/{k}/municipality/{m}/year/{y}`` and ``/data/municipality/{m}/year/{y}``; the envelope
``{"values", "count", "previous_url", "next_url"}`` with absolute links to this server; ``per_page``
(max 5000) and ``page``; 400 when a comma list has more than 25 items; 404 for unknown routes;
deleted rows only with ``from_date`` (then every row carries ``isdeleted``).
"""

from __future__ import annotations

import csv
import gzip
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

MAX_SEGMENT = 25
MAX_PER_PAGE = 5000


def rows_from_csv(
    path: str | Path, kpis: Iterable[str] | None = None, years: Iterable[int] | None = None
) -> Iterator[dict[str, Any]]:
    """Stream rows of a values CSV (``kpi,municipality_id,year,gender,value`` [,status,count]; .gz ok).

    An empty ``value`` becomes ``None``. ``kpis``/``years`` filter while reading.
    """
    kpi_set = set(kpis) if kpis is not None else None
    year_set = {int(y) for y in years} if years is not None else None
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        for raw in csv.DictReader(fh):
            if kpi_set is not None and raw["kpi"] not in kpi_set:
                continue
            year = int(raw["year"])
            if year_set is not None and year not in year_set:
                continue
            value = (raw.get("value") or "").strip()
            row: dict[str, Any] = {
                "kpi": raw["kpi"],
                "municipality_id": raw["municipality_id"],
                "year": year,
                "gender": raw["gender"],
                "value": float(value) if value and value.upper() != "NA" else None,
            }
            if raw.get("status"):
                row["status"] = raw["status"]
            if raw.get("count") not in (None, "", "NA"):
                row["count"] = int(float(raw["count"]))
            yield row


@dataclass
class LoggedRequest:
    path: str  # without the base path, e.g. "/data/kpi/N1/year/2020"
    query: dict[str, str]
    status: int = 0
    fault: str | None = None
    time: float = field(default_factory=time.monotonic)

    @property
    def segments(self) -> list[str]:
        return self.path.strip("/").split("/")


@dataclass
class _Fault:
    kind: str  # "status" | "delay" | "truncate" | "short_read" | "next_url"
    times: int | None  # None = forever
    path_contains: str | None = None
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    page: int = 0
    to_page: int = 0

    def applies(self, path: str, page: int) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.path_contains and self.path_contains not in path:
            return False
        return self.kind != "next_url" or self.page == page


class FakeKolada:
    """The fake server. Start with :meth:`start` or ``with``; ``base_url`` is ``http://127.0.0.1:<port>/v3``."""

    def __init__(
        self,
        rows: Iterable[dict[str, Any]] = (),
        *,
        kpis: Iterable[dict[str, Any]] = (),
        municipalities: Iterable[dict[str, Any]] = (),
        kpi_groups: Iterable[dict[str, Any]] = (),
        municipality_groups: Iterable[dict[str, Any]] = (),
        base_path: str = "/v3",
        count_mode: str = "total",
        next_key: str = "next_url",
    ):
        self.base_path = base_path.rstrip("/")
        self.count_mode = count_mode  # "total" (count across pages) or "page" (length of this page)
        self.next_key = next_key  # "next_url" (v3) or "next_page" (v2)
        # (kpi, municipality, year) -> list of value entries; kpi -> sorted keys
        self._data: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
        self._by_kpi: dict[str, list[tuple[str, str, int]]] | None = None
        self._cache: dict[tuple[Any, ...], list[dict[str, Any]]] = {}  # data query -> all its objects
        for row in rows:
            self.add_row(row)
        self.meta: dict[str, list[dict[str, Any]]] = {
            "kpi": list(kpis),
            "municipality": list(municipalities),
            "kpi_groups": list(kpi_groups),
            "municipality_groups": list(municipality_groups),
        }
        self.requests: list[LoggedRequest] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()  # ends every delay early: set by release() and stop()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ data

    def add_row(self, row: dict[str, Any]) -> None:
        muni = str(row["municipality_id"] if "municipality_id" in row else row["municipality"])
        year = int(row["year"] if "year" in row else row["period"])
        entry = {
            "gender": row.get("gender", "T"),
            "value": row.get("value"),
            "status": row.get("status", ""),
            "count": row.get("count", 1),
            "isdeleted": bool(row.get("isdeleted", False)),
            "_updated": row.get("updated"),
        }
        self._data[(str(row["kpi"]), muni, year)].append(entry)
        self._by_kpi = None  # rebuild index lazily
        self._cache = {}

    def _index(self) -> dict[str, list[tuple[str, str, int]]]:
        if self._by_kpi is None:
            by_kpi: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
            for key in sorted(self._data, key=lambda k: (k[0], k[2], k[1])):
                by_kpi[key[0]].append(key)
            self._by_kpi = dict(by_kpi)
        return self._by_kpi

    @property
    def row_count(self) -> int:
        return sum(len(v) for v in self._data.values())

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeKolada:
        fake = self
        self._index()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeKolada:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root + self.base_path

    # ------------------------------------------------------------------ fault hooks

    def fail_429(self, times: int = 1, retry_after: float | str | None = 1, path_contains: str | None = None) -> None:
        """Answer the next ``times`` requests with 429 and ``Retry-After: retry_after`` (None: no header)."""
        self.fail_status(429, times, retry_after=retry_after, path_contains=path_contains)

    def fail_status(
        self,
        status: int = 500,
        times: int | None = 1,
        *,
        retry_after: float | str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (None: all) with ``status``."""
        ra = None if retry_after is None else (retry_after if isinstance(retry_after, str) else f"{retry_after:g}")
        self._add(_Fault("status", times, path_contains, status=status, retry_after=ra))

    def delay(self, seconds: float, times: int | None = 1, path_contains: str | None = None) -> None:
        """Sleep ``seconds`` before answering the next ``times`` requests (None: all).

        :meth:`release` ends the sleep early (the request is then answered); :meth:`stop` too (it is not)."""
        self._add(_Fault("delay", times, path_contains, seconds=seconds))

    def release(self) -> None:
        """Answer the requests held by :meth:`delay` now, and let later delays pass at once."""
        self._wake.set()

    def truncate(self, times: int | None = 1, path_contains: str | None = None) -> None:
        """Send just the first half of the JSON body, matching Content-Length (valid HTTP, bad JSON)."""
        self._add(_Fault("truncate", times, path_contains))

    def short_read(self, times: int | None = 1, path_contains: str | None = None) -> None:
        """Promise the full Content-Length but close the connection after half the body."""
        self._add(_Fault("short_read", times, path_contains))

    def repeat_next_url(self, at_page: int = 2, to_page: int = 1, times: int | None = None) -> None:
        """Make page ``at_page`` link back to page ``to_page`` (a pagination loop)."""
        self._add(_Fault("next_url", times, page=at_page, to_page=to_page))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take(self, path: str, page: int, kinds: tuple[str, ...]) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds and fault.applies(path, page):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # ------------------------------------------------------------------ request log helpers

    def data_requests(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path.startswith("/data/")]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # ------------------------------------------------------------------ handling

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        path = unquote(split.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        entry = LoggedRequest(
            path=path[len(self.base_path) :] if path.startswith(self.base_path) else path, query=query
        )
        with self._lock:
            self.requests.append(entry)
        try:
            page = int(query.get("page", "1"))
        except ValueError:
            page = 0

        fault = self._take(entry.path, page, ("delay",))
        if fault is not None:
            entry.fault = "delay"
            self._wake.wait(fault.seconds)
            if self._stopping.is_set():
                return
        fault = self._take(entry.path, page, ("status",))
        if fault is not None:
            entry.fault = f"status {fault.status}"
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send(h, entry, fault.status, {"error": f"injected {fault.status}"}, headers)
            return

        if not path.startswith(self.base_path + "/"):
            self._send(h, entry, 404, {"error": "no such route"})
            return
        status, body = self._route(entry.path, query, page)
        if status == 200 and body.get(self.next_key):
            loop = self._take(entry.path, page, ("next_url",))
            if loop is not None:
                entry.fault = "next_url"
                body[self.next_key] = self._page_url(entry.path, query, loop.to_page)
        mangle = self._take(entry.path, page, ("truncate", "short_read")) if status == 200 else None
        if mangle is not None:
            entry.fault = mangle.kind
        self._send(h, entry, status, body, mangle=mangle.kind if mangle else None)

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        entry: LoggedRequest,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        mangle: str | None = None,
    ) -> None:
        entry.status = status
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        length = len(data)
        if mangle in ("truncate", "short_read"):
            data = data[: max(1, len(data) // 2)]
            if mangle == "truncate":
                length = len(data)
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json; charset=utf-8")
            h.send_header("Content-Length", str(length))
            for key, value in (headers or {}).items():
                h.send_header(key, value)
            if mangle == "short_read":
                h.send_header("Connection", "close")
                h.close_connection = True
            h.end_headers()
            h.wfile.write(data)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _page_url(self, path: str, query: dict[str, str], page: int) -> str:
        return f"{self.base_url}{path}?{urlencode({**query, 'page': str(page)})}"

    def _route(self, path: str, query: dict[str, str], page: int) -> tuple[int, dict[str, Any]]:
        parts = [p for p in path.split("/") if p]
        if not parts:
            return 404, {"error": "no such route"}
        lists = [p.split(",") for p in parts[1:]]
        if any(len(items) > MAX_SEGMENT for items in lists):
            return 400, {"error": f"at most {MAX_SEGMENT} items per list"}
        try:
            per_page = int(query.get("per_page", str(MAX_PER_PAGE)))
        except ValueError:
            return 400, {"error": "per_page must be an integer"}
        if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
            return 400, {"error": "bad per_page or page"}
        if parts[0] in self.meta and len(parts) <= 2:
            if "from_date" in query:
                return 400, {"error": "from_date is only for data"}
            items = self._metadata(parts[0], parts[1].split(",") if len(parts) == 2 else None, query)
        elif parts[0] == "data":
            segs = dict(zip(parts[1::2], lists[1::2], strict=False))
            if len(parts) % 2 == 0 or not set(segs) <= {"kpi", "municipality", "year"} or len(segs) < 2:
                return 404, {"error": "no such route"}
            if "kpi" not in segs and set(segs) != {"municipality", "year"}:
                return 404, {"error": "no such route"}
            try:
                years = {int(y) for y in segs["year"]} if "year" in segs else None
            except ValueError:
                return 400, {"error": "year must be an integer"}
            key = (path, query.get("from_date"))
            items = self._cache.get(key)
            if items is None:
                items = self._values(segs.get("kpi"), segs.get("municipality"), years, query.get("from_date"))
                if len(self._cache) > 64:
                    self._cache.clear()
                self._cache[key] = items
        else:
            return 404, {"error": "no such route"}
        start = (page - 1) * per_page
        chunk = items[start : start + per_page]
        body: dict[str, Any] = {
            "count": len(items) if self.count_mode == "total" else len(chunk),
            "values": chunk,
            "previous_url": self._page_url(path, query, page - 1) if page > 1 else None,
            self.next_key: self._page_url(path, query, page + 1) if start + per_page < len(items) else None,
        }
        return 200, body

    def _metadata(self, kind: str, ids: list[str] | None, query: dict[str, str]) -> list[dict[str, Any]]:
        items = self.meta[kind]
        if ids is not None:
            wanted = set(ids)
            items = [i for i in items if str(i.get("id")) in wanted]
        if query.get("title"):
            needle = query["title"].lower()
            items = [i for i in items if needle in str(i.get("title", "")).lower()]
        if kind == "municipality" and query.get("region_type"):
            items = [i for i in items if i.get("type") == query["region_type"]]
        return items

    def _values(
        self, kpis: list[str] | None, munis: list[str] | None, years: set[int] | None, from_date: str | None
    ) -> list[dict[str, Any]]:
        index = self._index()
        keys: Iterable[tuple[str, str, int]]
        if kpis is not None:
            keys = (key for k in dict.fromkeys(kpis) for key in index.get(k, ()))
        else:
            keys = (key for k in sorted(index) for key in index[k])
        muni_set = set(munis) if munis is not None else None
        out = []
        for kpi, muni, year in keys:
            if (muni_set is not None and muni not in muni_set) or (years is not None and year not in years):
                continue
            values = []
            for e in self._data[(kpi, muni, year)]:
                if from_date is None:
                    if e["isdeleted"]:
                        continue
                elif e["_updated"] is not None and str(e["_updated"]) < from_date:
                    continue
                values.append({k: v for k, v in e.items() if not k.startswith("_")})
            if values:
                out.append({"kpi": kpi, "municipality": muni, "period": year, "values": values})
        return out


class FakeTime:
    """A clock that only moves when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
