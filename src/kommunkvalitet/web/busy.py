"""A web write that meets a busy database: at most one second of waiting, then 503 "försök igen".

On SQLite one process writes at a time; an import or a sync holds the write lock for a file or a
KPI-year. The server's connections wait at most :data:`WRITE_WAIT` seconds for it (``wsgi.py`` calls
:func:`limit_write_wait`; the commands keep their 20 s), and the error that follows, like a lock or
serialization failure on PostgreSQL, is answered by :func:`server_error` with 503, ``Retry-After`` and
a page that says to try again, not with a 500.
"""

from __future__ import annotations

import sys

from django.db import OperationalError
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

WRITE_WAIT = 1.0  # seconds: with the request around it, a save is answered well within 2 s
RETRY_AFTER = 5  # seconds
# PostgreSQL: lock_not_available, query_canceled (lock or statement timeout), serialization, deadlock
_PG_BUSY = {"55P03", "57014", "40001", "40P01"}


def limit_write_wait(seconds: float = WRITE_WAIT) -> None:
    """Make every new SQLite connection of this process wait at most ``seconds`` for the write lock."""

    def on_connect(sender, connection, **kwargs) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    connection_created.connect(on_connect, weak=False, dispatch_uid="kommunkvalitet-write-wait")


def is_busy(err: BaseException | None) -> bool:
    """Whether ``err`` says the database was busy (locked) rather than broken."""
    if not isinstance(err, OperationalError):
        return False
    if "database is locked" in str(err) or "database table is locked" in str(err):
        return True
    return getattr(err.__cause__, "sqlstate", None) in _PG_BUSY


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a busy database gives 503 with Retry-After; anything else Django's 500 page."""
    if not is_busy(sys.exc_info()[1]):
        return django_server_error(request)
    body = render_to_string("web/busy.html", {"retry_after": RETRY_AFTER})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
