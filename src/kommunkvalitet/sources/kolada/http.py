"""The polite HTTP layer: rate limiting, timeouts, retries with backoff, pagination with loop protection."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from kommunkvalitet import __version__
from kommunkvalitet.errors import NotFoundError, SourceError

log = logging.getLogger("kommunkvalitet.sources.kolada")

PER_PAGE = 5000  # Kolada: maximum and default page size
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"kommunkvalitet/{__version__} (Kolada API client; python-httpx)"


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_retry_after(header: str | None, now: Callable[[], datetime] = utc_now) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not header:
        return None
    header = header.strip()
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


class RateLimiter:
    """A token bucket: ``rate`` tokens per second, at most ``burst`` saved up. ``rate <= 0`` disables it.

    ``clock`` and ``sleep`` are injectable so tests can run on a fake clock.
    """

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate = rate
        self.burst = max(1.0, burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._last = clock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available. Returns the time slept."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        waited = 0.0
        if self._tokens < 1.0:
            waited = (1.0 - self._tokens) / self.rate
            self._sleep(waited)
            # Account for the wait ourselves: a fake or coarse clock must not let the bucket run ahead.
            self._last = max(self._clock(), now + waited)
            self._tokens = 1.0
        self._tokens -= 1.0
        return waited


class _TransientError(Exception):
    """A failure worth retrying; carries the server's Retry-After if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None, *, bad_json: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.bad_json = bad_json


class PoliteHttp:
    """GET JSON from Kolada politely. ``request_count`` counts every HTTP request, retries included;
    ``retry_count`` counts retries across the life of the object and is capped by ``max_total_retries``.

    Retried: 429, 500/502/503/504 (and any other 5xx), timeouts, connection errors and, at most
    ``max_json_retries`` times, an unparseable (e.g. truncated) JSON body. The wait is exponential
    backoff with jitter (between half and all of ``backoff_base * 2**attempt``, at most ``max_backoff``),
    or ``Retry-After`` if that is longer. A ``Retry-After`` beyond ``max_retry_after`` fails at once.
    """

    def __init__(
        self,
        *,
        rate_per_second: float = 5.0,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 4,
        max_total_retries: int = 50,
        backoff_base: float = 1.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        max_json_retries: int = 1,
        max_pages: int = 1000,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = utc_now,
    ):
        self.max_retries = max_retries
        self.max_total_retries = max_total_retries
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.max_json_retries = max_json_retries
        self.max_pages = max_pages
        self.request_count = 0
        self.retry_count = 0
        self.limiter = RateLimiter(rate_per_second, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._now = now
        timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=None)
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def paginate(self, url: str, params: dict[str, Any], what: str) -> Iterator[tuple[str, dict]]:
        """Yield ``(page_url, object)`` for every object of every page, following ``next_url`` (v3) or
        ``next_page`` (v2) until it is null, empty or absent. A link already fetched, or more than
        ``max_pages`` pages, raises :class:`SourceError`."""
        current = str(httpx.URL(url, params=params))
        seen: set[str] = set()
        while current:
            if current in seen:
                raise SourceError(f"Kolada pagination loop: next_url {current} was already fetched ({what})")
            if len(seen) >= self.max_pages:
                raise SourceError(f"Kolada gave more than {self.max_pages} pages for {what}; stopped before {current}")
            seen.add(current)
            body = self.get_json(current, what)
            values = body.get("values")
            if not isinstance(values, list):
                raise SourceError(f"Kolada answer from {current} has no 'values' list ({what})")
            for obj in values:
                if not isinstance(obj, dict):
                    raise SourceError(f"Kolada answer from {current} holds a non-object value: {obj!r:.80}")
                yield current, obj
            nxt = body.get("next_url") or body.get("next_page")
            current = str(httpx.URL(current).join(nxt)) if isinstance(nxt, str) and nxt.strip() else ""

    def get_json(self, url: str, what: str) -> dict:
        """GET ``url`` and return its JSON object, retrying transient failures. ``what`` describes the
        request (KPI and municipality ids) for error messages."""
        attempt = 0
        json_failures = 0
        while True:
            try:
                return self._attempt(url, what)
            except _TransientError as exc:
                if exc.retry_after is not None and exc.retry_after > self.max_retry_after:
                    raise SourceError(
                        f"Kolada answered {exc} for {url} ({what}); Retry-After {exc.retry_after:g} s "
                        f"exceeds the {self.max_retry_after:g} s this client waits"
                    ) from exc
                json_failures += exc.bad_json
                reason = ""
                if attempt >= self.max_retries or (exc.bad_json and json_failures > self.max_json_retries):
                    reason = f" after {attempt + 1} attempts"
                elif self.retry_count >= self.max_total_retries:
                    reason = f"; the client's cap of {self.max_total_retries} retries is used up"
                if reason:
                    raise SourceError(f"Kolada request failed: {exc} for {url} ({what}){reason}") from exc
                delay = self.backoff(attempt)
                if exc.retry_after is not None:
                    delay = max(delay, exc.retry_after)
                attempt += 1
                self.retry_count += 1
                log.info("Kolada: %s for %s; retry %d in %.2f s", exc, url, attempt, delay)
                self._sleep(delay)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: uniformly between half and all of ``base * 2**attempt``."""
        ceiling = min(self.max_backoff, self.backoff_base * (2**attempt))
        return ceiling * (0.5 + 0.5 * self._rng.random())

    def _attempt(self, url: str, what: str) -> dict:
        self.limiter.acquire()
        self.request_count += 1
        try:
            response = self._http.get(url)
        except httpx.TimeoutException as exc:
            raise _TransientError(f"timeout ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _TransientError(f"connection error ({type(exc).__name__}: {exc})") from exc
        status = response.status_code
        if status in RETRY_STATUSES or status >= 500:
            raise _TransientError(f"HTTP {status}", parse_retry_after(response.headers.get("Retry-After"), self._now))
        where = f"{what or url} (URL {url}){_detail(response)}"
        if status == 404:
            raise NotFoundError(f"Kolada answered 404 Not Found for {where}")
        if status == 400:
            raise SourceError(f"Kolada answered 400 Bad Request (illegal parameters) for {where}")
        if not 200 <= status < 300:
            raise SourceError(f"Kolada answered HTTP {status} for {where}")
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _TransientError(f"invalid or truncated JSON ({exc})", bad_json=True) from exc
        if not isinstance(body, dict):
            raise SourceError(f"Kolada answer from {url} is not a JSON object ({what})")
        return body


def _detail(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return f": {text[:200]}" if text else ""
