"""A polite, synchronous client for the Kolada API v3 (https://api.kolada.se/v3).

Kolada limits every comma list in a path to 25 items, pages at most 5000 rows and documents no rate
limit. :class:`KoladaClient` therefore splits id and year lists into chunks of 25, follows ``next_url``
(or the v2 name ``next_page``) until it is empty, spaces requests with a token-bucket rate limiter
(5 requests per second by default), and retries 429, 5xx, timeouts, connection errors and a truncated
JSON body with exponential backoff and jitter, honouring ``Retry-After``. Retries are capped per request
and across the whole client. Errors are :class:`~kommunkvalitet.errors.SourceError` (404:
:class:`~kommunkvalitet.errors.NotFoundError`) naming the URL and the KPI/municipality ids.

Records are plain frozen dataclasses; nothing here imports Django.
"""

from kommunkvalitet.sources.kolada.client import (
    DEFAULT_BASE_URL,
    MAX_SEGMENT,
    KoladaClient,
    KoladaNote,
    chunked,
    minimum_requests,
)
from kommunkvalitet.sources.kolada.http import PER_PAGE, PoliteHttp, RateLimiter, parse_retry_after
from kommunkvalitet.sources.kolada.records import (
    KPI,
    Group,
    GroupMember,
    Municipality,
    ValueRecord,
    parse_data_object,
    parse_group,
    parse_kpi,
    parse_municipality,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "KPI",
    "MAX_SEGMENT",
    "PER_PAGE",
    "Group",
    "GroupMember",
    "KoladaClient",
    "KoladaNote",
    "Municipality",
    "PoliteHttp",
    "RateLimiter",
    "ValueRecord",
    "chunked",
    "minimum_requests",
    "parse_data_object",
    "parse_group",
    "parse_kpi",
    "parse_municipality",
    "parse_retry_after",
]
