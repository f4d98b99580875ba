"""Benchmark: what the language switch's CSRF token costs a page-cache hit (issue 14).

Usage::

    .venv/bin/python benchmarks/page_cache_hit.py [--data-dir DIR] [--requests 2000]

Every page has the language switch, a POST form with a CSRF token, so a page is stored with a slot where
the token goes and every hit fills in the reader's own token and sends the CSRF cookie
(web.pagecache). Measured in-process through Django's whole stack (no network), on the Örnsköldsvik
Stöd och omsorg 2022 area page in Swedish and in English:

- **ours**: a hit as served now, for a reader without cookies (a new token and cookie) and one with the
  CSRF cookie (a new mask of the same secret);
- **baseline, same run**: the JSON twin's hit, the same middleware path without a form (so without
  the token's work), and the hit's answer built from the stored page with the slot already filled (the
  path before issue 14: headers and body copied, nothing filled).

Without ``--data-dir`` it imports the default snapshot set into a fresh temporary SQLite database first
(about a minute). Medians of wall time and of CPU time (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchkit import data_arguments, percentile, use_data_dir

AREA = "/kommun/2284/2022/stod_och_omsorg/"


def timed(fn, n: int) -> tuple[float, float, float]:
    """Median and p95 wall time and median CPU time of ``fn()`` in microseconds."""
    wall, cpu = [], []
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(wall) * 1e6, percentile(wall, 95) * 1e6, statistics.median(cpu) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    data_arguments(parser, requests=2000)
    args = parser.parse_args()
    use_data_dir(args, KOMMUNKVALITET_PAGE_CACHE="memory")  # in-process: the cache's own cost is not measured
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.data_dir:
        from kommunkvalitet.store.importing import SnapshotImporter

        SnapshotImporter(args.snapshot.resolve()).run()
    caches["pages"].clear()
    print(f"{args.requests} requests each; medians in µs (wall, p95 wall, CPU)")
    for lang in ("sv", "en"):
        measure(lang, args.requests)


def measure(lang: str, n: int) -> None:
    from django.core.cache import caches
    from django.test import Client
    from django.test.client import RequestFactory

    from kommunkvalitet.web import pagecache

    fresh, returning = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    for c in (fresh, returning):
        c.cookies["django_language"] = lang
    twin = AREA.rstrip("/") + ".json"
    assert returning.get(AREA)["X-Page-Cache"] in ("miss", "hit")  # stored; this reader has the CSRF cookie now
    assert fresh.get(twin)["X-Page-Cache"] in ("miss", "hit")

    def hit_new_reader():
        fresh.cookies.pop("csrftoken", None)
        assert fresh.get(AREA)["X-Page-Cache"] == "hit"

    # the answer alone, from what the cache holds: with the slot (ours) and already filled (before issue 14)
    middleware = pagecache.PageCacheMiddleware(lambda request: None)
    request = RequestFactory().get(AREA, HTTP_HOST="localhost")
    cache = caches["pages"]
    stored = next(v for v in (cache.get(k) for k in _keys(cache)) if _is_area(v, lang, pagecache._SLOT))
    filled = (stored[0], stored[1], stored[2].replace(pagecache._SLOT, b"x" * 64))
    ours, before = (
        "answer from the stored page, slot filled (ours)",
        "answer from the stored page, nothing to fill (before)",
    )
    rows = {
        "hit, new reader (ours)": timed(hit_new_reader, n),
        "hit, reader with the CSRF cookie (ours)": timed(lambda: returning.get(AREA), n),
        "hit of the JSON twin (no form; baseline)": timed(lambda: fresh.get(twin), n),
        ours: timed(lambda: middleware._stored(request, stored), n),
        before: timed(lambda: middleware._stored(request, filled), n),
    }  # fmt: skip
    print(f"\n{lang}: the area page is {len(stored[2]):,} bytes")
    for name, (med, p95, cpu) in rows.items():
        print(f"  {name:58} {med:8.0f} {p95:8.0f} {cpu:8.0f}")
    a, b = rows[ours], rows[before]
    print(
        f"  filling the token / not: {a[0] / b[0]:.2f} x wall, {a[2] / max(b[2], 1e-3):.2f} x CPU; +{a[0] - b[0]:.0f} µs a hit"
    )
    whole, json_hit = rows["hit, new reader (ours)"][0], rows["hit of the JSON twin (no form; baseline)"][0]
    print(f"  a whole hit of the page (new reader) / of its JSON twin: {whole / json_hit:.2f}")


def _keys(cache) -> list[str]:
    """The keys of the in-process cache (LocMemCache keeps them in ``_cache``, prefixed by ``make_key``)."""
    return [k.split(":", 2)[2] for k in list(cache._cache)]


def _is_area(stored, lang: str, slot: bytes) -> bool:
    return (
        stored is not None
        and slot in stored[2]
        and f'<html lang="{lang}"'.encode() in stored[2]
        and b"stod_och_omsorg" in stored[2]
    )


if __name__ == "__main__":
    main()
