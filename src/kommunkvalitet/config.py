"""The one registry of kommunkvalitet's settings, read from the environment.

Every setting a user can change is listed in :data:`SETTINGS` with its default and meaning; the
README's configuration table is checked against this list by ``tests/test_docs.py``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from kommunkvalitet.errors import ConfigurationError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("KOMMUNKVALITET_ENV", "development", "development or production; production refuses unsafe defaults"),
    Setting("KOMMUNKVALITET_DATA_DIR", "./var", "where the SQLite database, the secret key and reports live"),
    Setting("KOMMUNKVALITET_SNAPSHOT", "../shared/data", "the offline snapshot directory (SOURCES.md layout)"),
    Setting("DATABASE_URL", None, "postgres://user:pass@host:port/db to use PostgreSQL; SQLite when unset"),
    Setting(
        "SECRET_KEY", None, "Django secret key; generated into the data dir in development, required in production"
    ),
    Setting("ALLOWED_HOSTS", "127.0.0.1,localhost", "comma-separated host names the server answers to"),
    Setting("KOMMUNKVALITET_DEBUG", "false", "true shows Django's debug pages (development only)"),
    Setting(
        "KOMMUNKVALITET_COMPARISON",
        "",
        "comparison thresholds as name=value pairs, e.g. 'min_n_for_bands=10,marked_change_pp=5,four_groups=true'"
        " (the names and defaults are in docs/method.md); recompute with 'kommunkvalitet recompute'",
    ),
    Setting(
        "KOMMUNKVALITET_CHART_CACHE",
        "file",
        "where rendered charts and maps are kept: file (the cache/ folder in the data dir, shared by the server's"
        " workers), memory (per process) or off",
    ),
    Setting(
        "KOMMUNKVALITET_PAGE_CACHE",
        "file",
        "where public pages are cached by data version: file (the cache/ folder in the data dir), memory (per"
        " process), off, or a server: redis://host:6379/0 or memcached://host:11211",
    ),
    Setting("KOLADA_BASE_URL", "https://api.kolada.se/v3", "base URL of the Kolada API used by sync"),
    Setting("KOLADA_REQUESTS_PER_SECOND", "5", "at most this many requests per second to Kolada during sync"),
    Setting(
        "KOMMUNKVALITET_LOGIN_FAILURE_LIMIT", "5", "wrong passwords for one user name from one address before a lock"
    ),
    Setting("KOMMUNKVALITET_LOGIN_LOCKOUT_MINUTES", "15", "how long that user name is locked from that address"),
    Setting(
        "KOMMUNKVALITET_BEHIND_PROXY",
        "false",
        "true when a front server (nginx, Caddy) terminates HTTPS and sends X-Forwarded-Proto (production)",
    ),
    Setting(
        "KOMMUNKVALITET_UPLOAD_MAX_MB",
        "5",
        "largest uploaded spreadsheet in MB; the server reads no further than that into a bigger one",
    ),
    Setting(
        "KOMMUNKVALITET_UPLOAD_MAX_UNPACKED_MB",
        "50",
        "largest total size in MB of an uploaded workbook's unpacked parts (a zip bomb is refused before it is read)",
    ),
    Setting("EMAIL_HOST", None, "mail server for password reset mails; without it an administrator resets"),
    Setting("EMAIL_PORT", "25", "the mail server's port"),
    Setting("EMAIL_HOST_USER", None, "user name at the mail server"),
    Setting("EMAIL_HOST_PASSWORD", None, "password at the mail server"),
    Setting("EMAIL_USE_TLS", "false", "true to use STARTTLS with the mail server"),
    Setting("DEFAULT_FROM_EMAIL", "kommunkvalitet@localhost", "sender address of password reset mails"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str | None:
    """The value of a registered setting: the environment, else its default."""
    setting = _BY_NAME[name]  # KeyError for an unregistered name is a programming error
    value = os.environ.get(name)
    return value if value not in (None, "") else setting.default


def get_int(name: str) -> int:
    text = get(name) or ""
    try:
        return int(text)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {text!r}") from None


def get_bool(name: str) -> bool:
    text = (get(name) or "false").strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, not {text!r}")


def is_production() -> bool:
    env = (get("KOMMUNKVALITET_ENV") or "development").lower()
    if env not in ("development", "production"):
        raise ConfigurationError(f"KOMMUNKVALITET_ENV must be 'development' or 'production', not {env!r}")
    return env == "production"


def data_dir() -> Path:
    return Path(get("KOMMUNKVALITET_DATA_DIR") or "./var").expanduser().resolve()


def snapshot_dir() -> Path:
    return Path(get("KOMMUNKVALITET_SNAPSHOT") or "../shared/data").expanduser().resolve()


def secret_key() -> str:
    """SECRET_KEY from the environment; in development one generated once into the data dir."""
    key = get("SECRET_KEY")
    if is_production():
        if not key:
            raise ConfigurationError("SECRET_KEY must be set when KOMMUNKVALITET_ENV=production")
        _refuse_weak(key)
    if key:
        return key
    path = data_dir() / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def _refuse_weak(key: str) -> None:
    """The rule Django's deploy check uses: at least 50 characters, at least 5 different ones, and not
    one of Django's generated development keys."""
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ConfigurationError(
            "SECRET_KEY is too weak for production: use at least 50 random characters, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )


def debug() -> bool:
    flag = (get("KOMMUNKVALITET_DEBUG") or "false").lower() in ("1", "true", "yes")
    if flag and is_production():
        raise ConfigurationError("KOMMUNKVALITET_DEBUG cannot be true when KOMMUNKVALITET_ENV=production")
    return flag


def allowed_hosts() -> list[str]:
    return [h.strip() for h in (get("ALLOWED_HOSTS") or "").split(",") if h.strip()]


def comparison_overrides() -> dict[str, str]:
    """KOMMUNKVALITET_COMPARISON as a dict of name -> text value (validated by core)."""
    text = get("KOMMUNKVALITET_COMPARISON") or ""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise ConfigurationError(f"KOMMUNKVALITET_COMPARISON: expected name=value, got {part!r}")
        out[name.strip()] = value.strip()
    return out


def _local_cache(kind: str, name: str, file_entries: int, memory_entries: int) -> dict | None:
    """A cache without a server: ``file`` (``cache/<name>/`` in the data dir, shared by the server's
    workers), ``memory`` (per process) or ``off``; None for any other kind."""
    if kind == "file":
        return {
            "BACKEND": "kommunkvalitet.web.pagecache.FileCache",  # Django's, compressing faster
            "LOCATION": str(data_dir() / "cache" / name),
            "TIMEOUT": None,  # the key carries the data version: an entry is never stale, only unused
            "OPTIONS": {"MAX_ENTRIES": file_entries},  # zlib-compressed on disk
        }
    if kind == "memory":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name, "TIMEOUT": None,
                "OPTIONS": {"MAX_ENTRIES": memory_entries}}  # fmt: skip
    if kind == "off":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return None


def chart_cache() -> dict:
    """Django's ``charts`` cache from KOMMUNKVALITET_CHART_CACHE (a chart is 1-20 kB on disk)."""
    kind = (get("KOMMUNKVALITET_CHART_CACHE") or "file").lower()
    found = _local_cache(kind, "charts", 10000, 2000)
    if found is None:
        raise ConfigurationError(f"KOMMUNKVALITET_CHART_CACHE must be file, memory or off, not {kind!r}")
    return found


def page_cache() -> dict:
    """Django's ``pages`` cache (web.pagecache) from KOMMUNKVALITET_PAGE_CACHE (a page is 3-30 kB on disk)."""
    kind = get("KOMMUNKVALITET_PAGE_CACHE") or "file"
    if kind.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": kind, "TIMEOUT": None}
    if kind.startswith("memcached://"):
        return {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
                "LOCATION": kind.removeprefix("memcached://"), "TIMEOUT": None}  # fmt: skip
    found = _local_cache(kind.lower(), "pages", 100_000, 2000)
    if found is None:
        raise ConfigurationError(
            f"KOMMUNKVALITET_PAGE_CACHE must be file, memory, off, redis://... or memcached://..., not {kind!r}"
        )
    return found


def upload_max_bytes() -> int:
    """The largest spreadsheet upload (``KOMMUNKVALITET_UPLOAD_MAX_MB``) in bytes."""
    return _positive("KOMMUNKVALITET_UPLOAD_MAX_MB") * 1024 * 1024


def upload_max_unpacked_bytes() -> int:
    """The largest total unpacked size of an uploaded workbook (``KOMMUNKVALITET_UPLOAD_MAX_UNPACKED_MB``)."""
    return _positive("KOMMUNKVALITET_UPLOAD_MAX_UNPACKED_MB") * 1024 * 1024


def _positive(name: str) -> int:
    value = get_int(name)
    if value < 1:
        raise ConfigurationError(f"{name} must be at least 1, not {value}")
    return value
