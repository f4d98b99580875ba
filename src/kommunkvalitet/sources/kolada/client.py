"""KoladaClient: the Kolada v3 endpoints, with ids and years chunked to the 25-item limit."""

from __future__ import annotations

import itertools
import logging
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx

from kommunkvalitet.sources.kolada.http import PER_PAGE, PoliteHttp, utc_now
from kommunkvalitet.sources.kolada.records import (
    KPI,
    Group,
    Municipality,
    ValueRecord,
    parse_data_object,
    parse_metadata,
)

log = logging.getLogger("kommunkvalitet.sources.kolada")

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
MAX_SEGMENT = 25  # Kolada v3: at most 25 items per comma-list path segment


@dataclass(frozen=True)
class KoladaNote:
    """Kolada answered, but not what was asked for: data for the caller, not an error or a warning.

    ``kind`` is ``"unknown_ids"`` (a metadata endpoint returned nothing for these ids) or
    ``"no_values"`` (these KPIs have no value at all for what was asked). ``endpoint`` is the metadata
    endpoint (``"kpi"``, ``"municipality"``, ...) or ``"data"``.
    """

    kind: str
    endpoint: str
    ids: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return self.message


def chunked(items: Sequence[Any], size: int = MAX_SEGMENT) -> list[list[Any]]:
    """Split ``items`` into lists of at most ``size`` items (an empty input gives no chunks)."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def minimum_requests(n_kpis: int, n_years: int | None, n_munis: int | None = None) -> int:
    """The least number of data requests the 25-item limit allows, ignoring pagination.

    ``None`` means the segment is left out of the path (no limit applies to it).
    """

    def parts(n: int | None) -> int:
        return 1 if n is None else math.ceil(n / MAX_SEGMENT)

    return parts(n_kpis) * parts(n_years) * parts(n_munis)


class KoladaClient:
    """Synchronous, polite Kolada v3 client. Use as a context manager or call :meth:`close`.

    Politeness and robustness (see :class:`~kommunkvalitet.sources.kolada.http.PoliteHttp`): at most
    ``rate_per_second`` requests per second; connect and read timeouts; up to ``max_retries`` retries per
    request and ``max_total_retries`` over the client's life on 429, 5xx, timeouts, connection errors
    and (``max_json_retries`` times) truncated JSON; ``Retry-After`` honoured; ``max_pages`` per chunk.
    ``sleep``, ``clock``, ``rng`` and ``now`` are injectable for tests.

    What Kolada did not have (unknown ids, KPIs without values) is collected in :attr:`notes` as
    :class:`KoladaNote` records; :meth:`take_notes` hands them over and forgets them.
    """

    minimum_requests = staticmethod(minimum_requests)

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        rate_per_second: float = 5.0,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 4,
        max_total_retries: int = 50,
        backoff_base: float = 1.0,
        max_pages: int = 1000,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        *,
        per_page: int = PER_PAGE,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        max_json_retries: int = 1,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = utc_now,
    ):
        if not 1 <= per_page <= PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {PER_PAGE}")
        self.base_url = base_url.rstrip("/")
        self.per_page = per_page
        self.http = PoliteHttp(
            rate_per_second=rate_per_second,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_retries=max_retries,
            max_total_retries=max_total_retries,
            backoff_base=backoff_base,
            max_backoff=max_backoff,
            max_retry_after=max_retry_after,
            max_json_retries=max_json_retries,
            max_pages=max_pages,
            transport=transport,
            sleep=sleep,
            clock=clock,
            rng=rng,
            now=now,
        )
        self.notes: list[KoladaNote] = []

    def take_notes(self) -> list[KoladaNote]:
        """The notes collected since the last call, oldest first."""
        notes, self.notes = self.notes, []
        return notes

    def _note(self, kind: str, endpoint: str, ids: Sequence[str], message: str) -> None:
        log.info(message)
        self.notes.append(KoladaNote(kind, endpoint, tuple(ids), message))

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self.http.request_count

    @property
    def retry_count(self) -> int:
        """Retries so far, across all requests (capped by ``max_total_retries``)."""
        return self.http.retry_count

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------- metadata

    def kpis(self, ids: str | Iterable[str] | None = None, title: str | None = None) -> list[KPI]:
        """KPI metadata: all KPIs, the given ids, or those whose title contains ``title``."""
        return self._metadata("kpi", _ids(ids, "KPI"), {"title": title})

    def kpi_groups(self, ids: str | Iterable[str] | None = None, title: str | None = None) -> list[Group]:
        return self._metadata("kpi_groups", _ids(ids, "KPI group"), {"title": title})

    def municipalities(
        self,
        ids: str | Iterable[str] | None = None,
        region_type: str | None = None,
        title: str | None = None,
    ) -> list[Municipality]:
        """Municipalities and regions; ``region_type`` is ``"K"`` (kommun) or ``"L"`` (region).

        Note: Riket (``0000``) has type ``"L"``, so ``region_type="K"`` leaves it out.
        """
        if region_type is not None and region_type not in ("K", "L"):
            raise ValueError(f"region_type must be 'K' or 'L', not {region_type!r}")
        params = {"region_type": region_type, "title": title}
        return self._metadata("municipality", _ids(ids, "municipality"), params)

    def municipality_groups(self, ids: str | Iterable[str] | None = None, title: str | None = None) -> list[Group]:
        return self._metadata("municipality_groups", _ids(ids, "municipality group"), {"title": title})

    def _metadata(self, endpoint: str, ids: list[str] | None, params: dict[str, Any]) -> list[Any]:
        params = {k: v for k, v in params.items() if v is not None}
        params["per_page"] = self.per_page
        if ids is None:
            pages = self.http.paginate(f"{self.base_url}/{endpoint}", params, f"/{endpoint}")
            return [parse_metadata(endpoint, obj, url) for url, obj in pages]
        out: list[Any] = []
        for chunk in chunked(ids):
            url = f"{self.base_url}/{endpoint}/{','.join(chunk)}"
            out.extend(
                parse_metadata(endpoint, obj, u)
                for u, obj in self.http.paginate(url, params, f"/{endpoint} {', '.join(chunk)}")
            )
        returned = {item.id for item in out}
        missing = [i for i in ids if i not in returned]
        if missing:
            self._note(
                "unknown_ids", endpoint, missing, f"Kolada /{endpoint} returned nothing for id {', '.join(missing)}"
            )
        return out

    # ------------------------------------------------------------------------------------- data

    def values(
        self,
        kpi_ids: str | Iterable[str],
        years: int | Iterable[int] | None = None,
        municipality_ids: str | Iterable[str] | None = None,
        from_date: str | date | None = None,
    ) -> Iterator[ValueRecord]:
        """Yield every value of ``kpi_ids`` for ``years`` and/or ``municipality_ids`` (group ids allowed).

        At least one of ``years`` and ``municipality_ids`` is needed (Kolada wants two path segments).
        Every list is cut into chunks of 25 and the cartesian product of chunks is requested, page by
        page. With ``from_date`` only changes since that date come back, deleted rows with
        ``is_deleted=True``; the client itself never drops a row. A requested KPI without any row gives
        a :class:`KoladaNote` (``no_values``) naming it once iteration has finished.
        """
        kpis = _ids(kpi_ids, "KPI") or []
        year_list = _years(years)
        munis = _ids(municipality_ids, "municipality")
        if year_list is None and munis is None:
            raise ValueError("values() needs years or municipality_ids (Kolada needs two path segments)")
        params: dict[str, Any] = {}
        if from_date is not None:
            params["from_date"] = from_date.isoformat() if isinstance(from_date, date) else str(from_date)
            date.fromisoformat(params["from_date"])  # a ValueError now rather than a 400 later
        params["per_page"] = self.per_page
        if not kpis or year_list == [] or munis == []:
            return
        m_chunks: list[list[str] | None] = list(chunked(munis)) if munis is not None else [None]
        y_chunks: list[list[int] | None] = list(chunked(year_list)) if year_list is not None else [None]
        seen: set[str] = set()
        for k_chunk, m_chunk, y_chunk in itertools.product(chunked(kpis), m_chunks, y_chunks):
            url = f"{self.base_url}/data/kpi/{','.join(k_chunk)}"
            if m_chunk is not None:
                url += f"/municipality/{','.join(m_chunk)}"
            if y_chunk is not None:
                url += f"/year/{','.join(map(str, y_chunk))}"
            what = _describe(k_chunk, m_chunk, years=_span(y_chunk))
            for page_url, obj in self.http.paginate(url, params, what):
                for record in parse_data_object(obj, page_url):
                    seen.add(record.kpi)
                    yield record
        missing = [k for k in kpis if k not in seen]
        if missing:
            scope = _describe(None, munis, years=_span(year_list), since=params.get("from_date"))
            self._note(
                "no_values",
                "data",
                missing,
                f"Kolada returned no values for {_describe(missing)} ({scope}); "
                "the id may be mistyped or retired, or there is no data yet",
            )


# ----------------------------------------------------------------------------------------- helpers


def _ids(value: str | Iterable[str] | None, what: str) -> list[str] | None:
    """Normalise an id argument: one string or an iterable of strings, deduplicated, order kept."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if not text or any(c in text for c in ",/?#&% "):
            raise ValueError(f"invalid {what} id {item!r}")
        if text not in out:
            out.append(text)
    return out


def _years(value: int | Iterable[int] | None) -> list[int] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, int) else list(value)
    out: list[int] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | str) or not str(item).strip().isdigit():
            raise ValueError(f"invalid year {item!r}")
        year = int(item)
        if year not in out:
            out.append(year)
    return out


def _describe(kpis: Sequence[str] | None = None, munis: Sequence[str] | None = None, **other: Any) -> str:
    """A short description of what a request asked for, for messages: "KPIs N1, N2; municipality 0180"."""
    bits = []
    if kpis:
        bits.append(f"KPI {kpis[0]}" if len(kpis) == 1 else f"KPIs {', '.join(kpis)}")
    if munis:
        bits.append(f"municipality {munis[0]}" if len(munis) == 1 else f"municipalities {', '.join(munis)}")
    bits.extend(f"{key} {val}" for key, val in other.items() if val)
    return "; ".join(bits)


def _span(years: Sequence[int] | None) -> str | None:
    if not years:
        return None
    lo, hi = min(years), max(years)
    if len(set(years)) == hi - lo + 1:
        return str(lo) if lo == hi else f"{lo}-{hi}"
    return ",".join(map(str, years))
