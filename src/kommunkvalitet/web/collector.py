"""Python's cyclic garbage collector in a server process: tuned once the application is loaded.

A request of the goal report allocates a few hundred thousand objects, nearly all freed by reference
counting as soon as they are done with; with the collector's default thresholds (700, 10, 10) it still
ran about six young collections per request, every second one over the middle generation and now and
then a full one over everything Django, numpy and the URLconf keep alive: 7-8 ms of that page's time
on the project's 2-core machine (``benchmarks/goal_report.py``, docs/performance.md).

:func:`tune_collector` does what large Django sites do (the CPython documentation on ``gc.freeze``): it
moves every object alive once the application is loaded (modules, URLconf, settings, translations) into
a permanent generation that no collection looks at again, and lets 10,000 allocations pass between two
young collections (and 50 young ones between two of the middle generation), so the short-lived objects
of a request are mostly gone before one runs. Cycles are still collected, only later: a few megabytes at
most. (50,000 gave the same median and a worse tail: each young collection then had more to look at.) ``kommunkvalitet/wsgi.py`` calls it in every
worker; the benchmarks that serve pages in-process call it as well, so they measure what the server does.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # allocations between two young collections (default 700)
OLDER_THRESHOLDS = (50, 20)  # young collections per middle one, middle ones per full one (default 10, 10)


def tune_collector() -> None:
    """Freeze what is alive now and raise the young generation's threshold (once per process)."""
    gc.collect()  # the garbage of loading goes first, so that it is not frozen with the rest
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
