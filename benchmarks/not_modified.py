"""Benchmark: the server time of a 304 answer (target < 5 ms) against the same request without a validator.

Usage::

    .venv/bin/python benchmarks/not_modified.py --data-dir DIR [--requests 500] [--served]

``DIR`` is a data dir prepared by ``kommunkvalitet setup`` (the default import and the example goal
structure). Every request goes through the whole WSGI application in-process (Django's ``WSGIHandler``
with the real ``MIDDLEWARE``: CORS, page cache, security, sessions, CSRF, CSP, ...), so the time is the
server's, without the network. Per URL (an area page, its JSON twin, a measure page's JSON twin and an
embed) it times, interleaved, a revisit with ``If-None-Match`` (304), one with ``If-Modified-Since``
(304) and, the baseline, the same request without a validator (200, from the page cache after the
first). It prints medians and p95 of wall and CPU time and the ratio 304 / 200. With ``--served`` it
then does the same against the server as ``make run`` serves it (``kommunkvalitet serve``: gunicorn,
started as benchmarks/load.py starts it) over one kept-alive loopback connection: the round trip as a
client sees it.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import statistics
import sys
import time
from pathlib import Path

from benchkit import percentile

ROOT = Path(__file__).resolve().parent.parent
URLS = ("/kommun/2284/2022/stod_och_omsorg/", "/kommun/2284/2022/stod_och_omsorg.json",
        "/nyckeltal/N00640/2022.json?kommun=2284", "/nyckeltal/N00640/2022/inbadda/stapel/")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--served", action="store_true", help="also against gunicorn on loopback")
    args = parser.parse_args()
    os.environ["KOMMUNKVALITET_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    sys.path.insert(0, str(ROOT / "src"))
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()

    def call(url: str, **headers: str) -> tuple[str, dict, float, float]:
        path, _, query = url.partition("?")
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr} | headers  # fmt: skip
        found: dict = {}

        def start_response(status, response_headers, exc_info=None):
            found["status"], found["headers"] = status, dict(response_headers)

        wall, cpu = time.perf_counter(), time.process_time()
        body = b"".join(app(environ, start_response))
        wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
        assert body or found["status"].startswith("304")
        return found["status"], found["headers"], wall, cpu

    print(f"machine: {os.cpu_count()} cores; {args.requests} requests per URL and kind, interleaved")
    for url in URLS:
        status, headers, _, _ = call(url)  # the first: rendered into the page cache
        assert status.startswith("200"), (url, status)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        times: dict[str, list[tuple[float, float]]] = {"If-None-Match": [], "If-Modified-Since": [], "baseline": []}
        for _ in range(args.requests):
            for kind, extra, want in (("If-None-Match", {"HTTP_IF_NONE_MATCH": etag}, "304"),
                                      ("If-Modified-Since", {"HTTP_IF_MODIFIED_SINCE": modified}, "304"),
                                      ("baseline", {}, "200")):  # fmt: skip
                status, _, wall, cpu = call(url, **extra)
                assert status.startswith(want), (url, kind, status)
                times[kind].append((wall, cpu))
        print(url)
        base = statistics.median(w for w, _ in times["baseline"])
        for kind, pairs in times.items():
            walls, cpus = [w for w, _ in pairs], [c for _, c in pairs]
            ratio = f", ratio to baseline {statistics.median(walls) / base:.2f}" if kind != "baseline" else ""
            print(f"  {kind:18} wall p50 {statistics.median(walls):.2f} ms, p95 {percentile(walls, 95):.2f} ms; "
                  f"cpu p50 {statistics.median(cpus):.2f} ms, p95 {percentile(cpus, 95):.2f} ms{ratio}")  # fmt: skip
    if args.served:
        served(args.requests)


def served(requests: int) -> None:
    from load import free_port, start_server, stop

    port = free_port()
    proc = start_server(dict(os.environ), port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(url: str, **headers: str) -> tuple[int, dict, float]:
            t = time.perf_counter()
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status, dict(response.getheaders()), (time.perf_counter() - t) * 1000

        print("served by gunicorn, one kept-alive loopback connection (round trip as the client sees it)")
        for url in URLS:
            status, headers, _ = get(url)
            assert status == 200, (url, status)
            kinds = {"If-None-Match": {"If-None-Match": headers["ETag"]}, "baseline": {}}
            times: dict[str, list[float]] = {kind: [] for kind in kinds}
            for _ in range(requests):
                for kind, extra in kinds.items():
                    status, _, ms = get(url, **extra)
                    assert status == (304 if extra else 200), (url, kind, status)
                    times[kind].append(ms)
            p50 = {kind: statistics.median(t) for kind, t in times.items()}
            print(f"{url}\n  304 p50 {p50['If-None-Match']:.2f} ms (p95 {percentile(times['If-None-Match'], 95):.2f}); "
                  f"200 p50 {p50['baseline']:.2f} ms (p95 {percentile(times['baseline'], 95):.2f}); "
                  f"ratio {p50['If-None-Match'] / p50['baseline']:.2f}")  # fmt: skip
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
