"""Django settings, all taken from :mod:`kommunkvalitet.config` (the environment)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from kommunkvalitet import config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()
SNAPSHOT_DIR = config.snapshot_dir()

SECRET_KEY = config.secret_key()
DEBUG = config.debug()
ALLOWED_HOSTS = config.allowed_hosts()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "kommunkvalitet.store",
    "kommunkvalitet.web",
]

# Uploads (the goal workbook): the first handler stops reading a file at KOMMUNKVALITET_UPLOAD_MAX_MB, so
# a huge upload is neither kept in memory nor written to disk; the form then says the file is too big.
FILE_UPLOAD_HANDLERS = [
    "kommunkvalitet.web.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

MIDDLEWARE = [
    "kommunkvalitet.web.cors.CorsMiddleware",  # outermost: cache hits and 304s get the CORS headers too
    "kommunkvalitet.web.pagecache.PageCacheMiddleware",  # next: a hit needs nothing below it
    "django.middleware.security.SecurityMiddleware",
    "kommunkvalitet.web.formats.AlternatesMiddleware",  # Link: rel="alternate" (inside the page cache)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kommunkvalitet.web.language.LanguageMiddleware",  # Swedish, or the reader's choice (web.language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kommunkvalitet.web.acting.ActingUserMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # last, as django-axes asks: it turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name from one
# address, that pair is locked for AXES_COOLOFF_TIME; a right password during the lock is refused too.
# A successful login resets the count. An administrator unlocks at once with
# `kommunkvalitet manage axes_reset_username <name>`. Per user name *and* address, so that nobody can lock
# a colleague out from another machine by typing her name wrong on purpose.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = config.get_int("KOMMUNKVALITET_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=config.get_int("KOMMUNKVALITET_LOGIN_LOCKOUT_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kommunkvalitet.web.views.account.locked_out"
AXES_VERBOSE = False

ROOT_URLCONF = "kommunkvalitet.urls"
WSGI_APPLICATION = "kommunkvalitet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kommunkvalitet.web.formats.context",
            ],
        },
    },
]

_database_url = config.get("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "kommunkvalitet.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,  # commands; the web server waits at most 1 s (wsgi.py, web.busy)
            },
            "CONN_MAX_AGE": 600,  # one connection per server thread: the page cache reads the version per request
        }
    }

# Rendered charts and maps (reports.charts): keyed by KPI, year, municipality and data version; whole
# public pages (web.pagecache): keyed by URL, language and data version.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "charts": config.chart_cache(),
    "pages": config.page_cache(),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Swedish first; English when the reader chooses it with the switch on every page (a cookie for a year)
# or, for a JSON twin, `?lang=en`. The browser's Accept-Language is not read (web.language).
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # the English catalogue: `make messages` updates it
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Stockholm"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True  # static files are served from the package without collectstatic too

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:start"
LOGOUT_REDIRECT_URL = "web:start"

SESSION_COOKIE_HTTPONLY = True
# Only editors have sessions (readers never log in): a working day, and gone when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if config.is_production():
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # HTTPS only, for a year, remembered by browsers (docs/deploy.md: behind a front server that
    # terminates TLS, set KOMMUNKVALITET_BEHIND_PROXY so that Django trusts its X-Forwarded-Proto).
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if config.get_bool("KOMMUNKVALITET_BEHIND_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): what each directive permits and why is in docs/deploy.md
# ("Content-Security-Policy"). Everything from this site only; no inline script or style anywhere
# (tests/test_csp.py scans the pages), so no 'unsafe-inline'. The one exception is by hash, on one
# response: the map downloaded on its own (karta.svg) carries its hover style (reports.maps.MAP_CSS_HASH).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Password reset: by mail when a mail server is configured (EMAIL_HOST), otherwise an administrator sets
# a new password with `kommunkvalitet editor add --password` and the reset page says so.
EMAIL_HOST = config.get("EMAIL_HOST") or ""
EMAIL_PORT = config.get_int("EMAIL_PORT")
EMAIL_HOST_USER = config.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = config.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = config.get_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = config.get("DEFAULT_FROM_EMAIL")
if not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
