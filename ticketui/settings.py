"""Settings for ticketui, read from the environment (see .env.example).

Defaults give a working local setup: SQLite and the bundled sandbox upstream. Every value that
production needs is an environment variable; a bad value stops start-up with a message naming it.
"""

import os
from collections.abc import Iterator, MutableMapping
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from ticketui.osm.headers import (  # plain values and functions: no Django needed
    INTERFACE_LANGUAGE,
    is_valid_time_zone,
)
from ticketui.osm.headers import (
    LANGUAGES as UPSTREAM_LANGUAGES,
)
from ticketui.redaction import mask_userinfo  # likewise

BASE_DIR = Path(__file__).resolve().parent.parent


class _SetVariables(MutableMapping):
    """os.environ, where a variable set to nothing (`IAM_ENDPOINT=` as .env.example has it)
    counts as not set: it takes its default instead of overriding it with an empty string."""

    def __getitem__(self, name: str) -> str:
        value = os.environ[name]
        if not value.strip():
            raise KeyError(name)
        return value

    def __setitem__(self, name: str, value: str) -> None:
        os.environ[name] = value

    def __delitem__(self, name: str) -> None:
        del os.environ[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name, value in os.environ.items() if value.strip())

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Env(environ.Env):
    ENVIRON = _SetVariables()


env = _Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(
        BASE_DIR / ".env"
    )  # the environment wins over the file; a later line over an earlier


def _read(name: str, cast, default):
    """Read NAME with a cast, naming the variable when its value is unusable."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        # The message may quote the value: a URL's password is masked.
        raise ImproperlyConfigured(mask_userinfo(f"{name}: {exc}")) from None


def _secret(name: str, default: str = "") -> str:
    """A secret from NAME or from the file named by NAME_FILE (which wins)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    return env.str(name, default=default)


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(name, default=default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _positive_float(name: str, default: float) -> float:
    value = _read(name, env.float, default)
    if not 0 < value <= 600:
        raise ImproperlyConfigured(f"{name} must be a number of seconds in (0, 600]; got {value}")
    return value


DEBUG = _read("DEBUG", env.bool, False)

SECRET_KEY = _secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-secret-key-never-used-in-production"

# Keys that signed sessions, password-reset links and other signed values before the current
# one: still accepted, never used to sign (rotate SECRET_KEY by moving the old one here). A comma-
# separated list, or SECRET_KEY_FALLBACKS_FILE with one key per line.
_fallbacks_file = env.str("SECRET_KEY_FALLBACKS_FILE", default="")
if _fallbacks_file:
    try:
        _fallback_text = Path(_fallbacks_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImproperlyConfigured(
            f"SECRET_KEY_FALLBACKS_FILE: cannot read {_fallbacks_file}: {exc.strerror}"
        ) from None
    SECRET_KEY_FALLBACKS = [line.strip() for line in _fallback_text.splitlines() if line.strip()]
else:
    SECRET_KEY_FALLBACKS = _read("SECRET_KEY_FALLBACKS", env.list, [])
if SECRET_KEY in SECRET_KEY_FALLBACKS:
    raise ImproperlyConfigured("SECRET_KEY_FALLBACKS must not hold the current SECRET_KEY")

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # The development server leaves static files to whitenoise, as in production (its own
    # handler answers a path out of the static files with a server error).
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Before django_tasks_db: its db_worker command wraps that one with a heartbeat.
    "ticketui.worker",
    "django_tasks_db",
    "django_guid",  # the request id in every log line, response and upstream call
    "axes",  # login throttling
    "django_otp",  # two-factor sign-in (ticketui.accounts.two_factor)
    "django_otp.plugins.otp_totp",  # authenticator apps
    "django_otp.plugins.otp_static",  # one-time recovery codes
    "ticketui.audit",
    "ticketui.tickets",
    "ticketui.accounts",
    "ticketui.osm",  # only for its system check
    "ticketui.metrics",  # /metrics; counts upstream calls and failed sign-ins as they happen
]

MIDDLEWARE = [
    "ticketui.request_ids.request_id_filter_middleware",  # a client's id: canonical UUIDs only
    "django_guid.middleware.guid_middleware",  # then every later line logs the request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, before sessions are read
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ticketui.method_not_allowed.method_not_allowed_page_middleware",  # 405s get a page
    "django_htmx.middleware.HtmxMiddleware",
    "ticketui.sessions.SessionLifetimeMiddleware",  # idle and absolute session limits
    "ticketui.sessions.NoStoreMiddleware",  # pages and exports: Cache-Control private, no-store
    # After the password, nothing but the second step until the second factor is given.
    "ticketui.accounts.two_factor.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",  # the lockout page
    "ticketui.accounts.middleware.ProfileTimeZoneMiddleware",  # the viewer's zone and language
]

ROOT_URLCONF = "ticketui.urls"
WSGI_APPLICATION = "ticketui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "django_htmx.templatetags.django_htmx",
                "ticketui.caching.fragments",  # {% cached_rows %}, {% cached_for_viewer %}
                "ticketui.caching.jinja_rows",  # {% jinja_include %}
            ],
        },
    },
]

# Pages stay in Django templates; form widgets (selects, radios: dozens of small templates per
# form) render through Jinja2, which draws the same markup about three times faster; the admin's
# own widgets, which Jinja2 does not have, through Django's engine.
FORM_RENDERER = "ticketui.form_renderer.FormRenderer"

DATABASES = {"default": _read("DATABASE_URL", env.db_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"].get("ENGINE") not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Behind a pooler in transaction mode (PgBouncer's pool_mode = transaction) each transaction
    # may run on another server connection, so a server-side cursor (what .iterator() opens)
    # would be gone at its next fetch: DB_DISABLE_SERVER_SIDE_CURSORS=true reads those rows with
    # a client-side cursor instead.
    _behind_pooler = _read("DB_DISABLE_SERVER_SIDE_CURSORS", env.bool, False)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = _behind_pooler
    # Or Django's own pool in each process (psycopg_pool): DB_POOL_MAX_SIZE connections at most.
    _pool_size = _read("DB_POOL_MAX_SIZE", env.int, 0)
    # Each web thread keeps its connection between requests (checked before reuse) instead of
    # opening one per request, which costs PostgreSQL a new process every time. A pool or a
    # pooler keeps the server connections itself: then a request's connection is handed back
    # when the request ends (0).
    DATABASES["default"]["CONN_MAX_AGE"] = _read(
        "DB_CONN_MAX_AGE", env.int, 0 if _behind_pooler or _pool_size else 60
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if _pool_size < 0:
        raise ImproperlyConfigured(
            f"DB_POOL_MAX_SIZE must be 0 (no pool) or more; got {_pool_size}"
        )
    if _pool_size:
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise ImproperlyConfigured("DB_CONN_MAX_AGE must be 0 with DB_POOL_MAX_SIZE")
        if _behind_pooler:
            raise ImproperlyConfigured(
                "DB_POOL_MAX_SIZE is for a direct connection, not behind a pooler "
                "(DB_DISABLE_SERVER_SIDE_CURSORS)"
            )
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(_read("DB_POOL_MIN_SIZE", env.int, 2), _pool_size),
            "max_size": _pool_size,
            "timeout": _positive_float("DB_POOL_TIMEOUT", 10.0),  # waiting for a free one
        }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock up
    # front so concurrent writers queue behind the busy timeout instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"].setdefault("TEST", {})
if test_name := env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"]["NAME"] = test_name
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests use a file, as production does: an in-memory database shared between threads locks
    # whole tables and ignores the busy timeout, which is not how SQLite behaves for real.
    DATABASES["default"]["TEST"]["NAME"] = str(BASE_DIR / ".test-db.sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tickets:list"
LOGOUT_REDIRECT_URL = "login"

# The team's language, one setting for two things: what the dashboard is shown in and what the
# upstream is asked to answer in (X-Language) for every user whose profile chooses no other
# (en-us -> English, zh-cn -> 简体中文). Signed-in users follow their profile, not the browser.
OSM_LANGUAGE = _choice("OSM_LANGUAGE", "en-us", UPSTREAM_LANGUAGES)
LANGUAGE_CODE = INTERFACE_LANGUAGE[OSM_LANGUAGE]
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = _read("STATIC_ROOT", env.path, BASE_DIR / "staticfiles")

# Reply attachments pass through on their way upstream: small ones in memory, larger ones in a
# temporary file that Django deletes when the request ends; nothing is kept on the web node.
# The first handler stops reading a file past the upstream's size limit (conversation/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "ticketui.tickets.conversation.uploads.AttachmentSizeHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: above it, a temporary file

# --- Web security -------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _read("SESSION_COOKIE_AGE", env.int, 8 * 3600)
HTTPS = _read("HTTPS", env.bool, not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = _read("SECURE_SSL_REDIRECT", env.bool, HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = _read("HSTS_PRELOAD", env.bool, HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# --- Secrets in error reports -------------------------------------------------------------
# The DEBUG page and error e-mails hide every secret setting by name and by value, and the
# password in any URL (ticketui/error_reports.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "ticketui.error_reports.SecretsHidingFilter"

# --- Logins and sessions ------------------------------------------------------------------
# django-axes throttles logins: after AXES_FAILURE_LIMIT failures for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES (a success resets the count); the
# same user from another address is not locked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading a request's user, profile and permissions in one prepared query.
    "ticketui.accounts.backends.SignedInUserBackend",
]
AXES_FAILURE_LIMIT = _read("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_read("AXES_COOLOFF_MINUTES", env.int, 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind reverse proxies the address is the client's as the proxies saw it (ticketui/proxies.py):
# TRUSTED_PROXY_COUNT proxies each append to CLIENT_IP_HEADER. 0: the peer's address.
TRUSTED_PROXY_COUNT = _read("TRUSTED_PROXY_COUNT", env.int, 0)
if not 0 <= TRUSTED_PROXY_COUNT <= 10:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0-10; got {TRUSTED_PROXY_COUNT}")
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="X-Forwarded-For")
AXES_CLIENT_IP_CALLABLE = "ticketui.proxies.client_address"
# Whatever the address, LOGIN_SLOWDOWN_AFTER failures for one username make each further try
# wait (2 s, doubling, at most LOGIN_SLOWDOWN_MAX_SECONDS): it slows guessing from many
# addresses without letting anyone lock a user out (ticketui/accounts/login_throttle.py).
LOGIN_SLOWDOWN_AFTER = _read("LOGIN_SLOWDOWN_AFTER", env.int, 10)
LOGIN_SLOWDOWN_MAX_SECONDS = _read("LOGIN_SLOWDOWN_MAX_SECONDS", env.int, 60)
if LOGIN_SLOWDOWN_AFTER < 1 or not 1 <= LOGIN_SLOWDOWN_MAX_SECONDS <= 3600:
    raise ImproperlyConfigured(
        "LOGIN_SLOWDOWN_AFTER must be at least 1 and LOGIN_SLOWDOWN_MAX_SECONDS 1-3600"
    )
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE after login
# whatever happens (the absolute limit).
SESSION_IDLE_SECONDS = _read("SESSION_IDLE_MINUTES", env.int, 60) * 60
SESSION_SAVE_EVERY_REQUEST = False
# Two-factor sign-in (TOTP authenticator apps, one-time recovery codes): required for the members
# of these groups and for staff and superusers (the admin), optional for everyone else. Wrong
# second-factor codes lock the user out like wrong passwords: AXES_FAILURE_LIMIT in a row, then
# AXES_COOLOFF_MINUTES.
TWO_FACTOR_REQUIRED_GROUPS = _read("TWO_FACTOR_REQUIRED_GROUPS", env.list, ["Team lead"])
OTP_TOTP_ISSUER = "ticketui"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP key or a recovery code

# Static files: compressed, hashed and served by the app itself (whitenoise) in production.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- The upstream (Huawei Cloud OSM) ------------------------------------------------------
SANDBOX_PORT = _read("SANDBOX_PORT", env.int, 8001)
OSM_ENDPOINT = env.str("OSM_ENDPOINT", default=f"http://127.0.0.1:{SANDBOX_PORT}").rstrip("/")
# Shorthands for the documented OSM hosts (osm-api.md §4): OSM_ENDPOINT=cn or OSM_ENDPOINT=intl.
OSM_ENDPOINT_PRESETS = {
    "cn": "https://osm.cn-south-1.myhuaweicloud.com",
    "intl": "https://osm.ap-southeast-3.myhuaweicloud.com",
}
OSM_ENDPOINT = OSM_ENDPOINT_PRESETS.get(OSM_ENDPOINT, OSM_ENDPOINT)
_endpoint = urlsplit(OSM_ENDPOINT)
if _endpoint.scheme not in ("http", "https") or not _endpoint.hostname:
    raise ImproperlyConfigured(
        f"OSM_ENDPOINT must be an http(s) URL; got {mask_userinfo(OSM_ENDPOINT)!r}"
    )
if "@" in _endpoint.netloc:
    raise ImproperlyConfigured("OSM_ENDPOINT must not hold a user name or password (user@host)")
if _endpoint.scheme == "http" and _endpoint.hostname not in ("127.0.0.1", "localhost", "::1"):
    raise ImproperlyConfigured("OSM_ENDPOINT must use https (plain http only for a local sandbox)")

OSM_AUTH = _choice("OSM_AUTH", "token", ("token", "iam", "aksk"))
OSM_TOKEN = _secret("OSM_TOKEN", default="sandbox-token" if _endpoint.scheme == "http" else "")
if OSM_AUTH == "token" and not OSM_TOKEN:
    raise ImproperlyConfigured("OSM_TOKEN (or OSM_TOKEN_FILE) must be set when OSM_AUTH=token")
if len(OSM_TOKEN) > 5000:
    raise ImproperlyConfigured("OSM_TOKEN is longer than the upstream's 5000-character limit")

OSM_SITE = _read("OSM_SITE", env.int, int(OSM_ENDPOINT_PRESETS["intl"] == OSM_ENDPOINT))
if OSM_SITE not in (0, 1):
    raise ImproperlyConfigured(f"OSM_SITE must be 0 (China) or 1 (international); got {OSM_SITE}")
OSM_TIME_ZONE = env.str("OSM_TIME_ZONE", default="GMT+8")
if not is_valid_time_zone(OSM_TIME_ZONE):
    raise ImproperlyConfigured(
        f"OSM_TIME_ZONE must look like GMT+8, GMT-5 or GMT+5:30; got {OSM_TIME_ZONE!r}"
    )
OSM_CONNECT_TIMEOUT = _positive_float("OSM_CONNECT_TIMEOUT", 3.05)
OSM_READ_TIMEOUT = _positive_float("OSM_READ_TIMEOUT", 15.0)
# A call that never reached the upstream is retried up to OSM_RETRY_ATTEMPTS sends in all, within
# OSM_RETRY_DEADLINE seconds; after OSM_BREAKER_THRESHOLD transport failures in a row, calls fail
# fast for OSM_BREAKER_COOLDOWN seconds.
OSM_RETRY_ATTEMPTS = _read("OSM_RETRY_ATTEMPTS", env.int, 3)
OSM_RETRY_DEADLINE = _positive_float("OSM_RETRY_DEADLINE", 5.0)
OSM_BREAKER_THRESHOLD = _read("OSM_BREAKER_THRESHOLD", env.int, 5)
OSM_BREAKER_COOLDOWN = _positive_float("OSM_BREAKER_COOLDOWN", 30.0)
if not 1 <= OSM_RETRY_ATTEMPTS <= 10 or OSM_BREAKER_THRESHOLD < 1:
    raise ImproperlyConfigured(
        "OSM_RETRY_ATTEMPTS must be 1-10 and OSM_BREAKER_THRESHOLD at least 1"
    )

# How often opening a ticket page may refresh its status from the upstream.
TICKET_REFRESH_SECONDS = _read("TICKET_REFRESH_SECONDS", env.int, 60)
# How often the worker asks the upstream which tickets have unread engineer messages (0: never).
CONVERSATION_POLL_SECONDS = _read("CONVERSATION_POLL_SECONDS", env.int, 60)
if not 0 <= CONVERSATION_POLL_SECONDS <= 86400:
    raise ImproperlyConfigured(
        "CONVERSATION_POLL_SECONDS must be 0 (off) or a number of seconds up to 86400"
    )
# A ticket the upstream has waited on the team for (awaiting confirmation or feedback) longer than
# this is marked on the list and found by its "Waiting too long" filter.
TICKET_WAITING_THRESHOLD_HOURS = _read("TICKET_WAITING_THRESHOLD_HOURS", env.int, 24)
if not 1 <= TICKET_WAITING_THRESHOLD_HOURS <= 24 * 365:
    raise ImproperlyConfigured(
        "TICKET_WAITING_THRESHOLD_HOURS must be a whole number of hours from 1 to 8760; "
        f"got {TICKET_WAITING_THRESHOLD_HOURS}"
    )

# Logs: one JSON object per line in production (LOG_FORMAT=json), plain lines on a laptop. Every
# line carries the request id (django-guid): taken from an incoming X-Request-Id or made anew,
# returned in the response header and sent to the upstream with each call.
LOG_FORMAT = _choice("LOG_FORMAT", "plain" if DEBUG else "json", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        "refusal_without_traceback": {"()": "ticketui.logs.RefusalWithoutTracebackFilter"},
    },
    "formatters": {
        "plain": {
            "()": "ticketui.logs.SingleLineFormatter",
            "fmt": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(correlation_id)s",
            # In UTC, ISO 8601 with its offset: lines from nodes in other zones sort together.
            "timestamp": "time",
            "rename_fields": {
                "levelname": "level",
                "correlation_id": "request_id",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console and mail handlers are left out: every line goes once, through root.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["refusal_without_traceback"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
    },
}
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-Id", "VALIDATE_GUID": True, "RETURN_HEADER": True}

# --- Upstream authentication: IAM tokens or AK/SK signing, and the shared cache -----------
# One cache for every process: the IAM token lives here (Redis in production:
# CACHE_URL=redis://127.0.0.1:6379/1; local memory by default, one token per process).
CACHES = {"default": _read("CACHE_URL", env.cache_url, "locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "ticketui.caching.redis.RedisCache"  # one client per pool
# Sessions: read from the shared cache and written through to the database (a request need not
# read the session table; an emptied cache falls back to it), but only with a cache every web node
# shares (Redis, memcached): a session ended on one node must be ended on all of them.
_cache_of_every_node = CACHES["default"]["BACKEND"].endswith(
    ("RedisCache", "PyMemcacheCache", "PyLibMCCache")
)
SESSION_ENGINE = "ticketui.session_stores." + ("cached_db" if _cache_of_every_node else "db")

_sandbox_upstream = _endpoint.scheme == "http"  # the loopback sandbox; its demo credentials
IAM_ENDPOINT = env.str(
    "IAM_ENDPOINT", default=OSM_ENDPOINT if _sandbox_upstream else "https://iam.myhuaweicloud.com"
).rstrip("/")
_iam = urlsplit(IAM_ENDPOINT)
if _iam.scheme not in ("http", "https") or not _iam.hostname:
    raise ImproperlyConfigured(
        f"IAM_ENDPOINT must be an http(s) URL; got {mask_userinfo(IAM_ENDPOINT)!r}"
    )
if "@" in _iam.netloc:
    raise ImproperlyConfigured("IAM_ENDPOINT must not hold a user name or password (user@host)")
if _iam.scheme == "http" and _iam.hostname not in ("127.0.0.1", "localhost", "::1"):
    raise ImproperlyConfigured("IAM_ENDPOINT must use https (plain http only for a local sandbox)")
IAM_DOMAIN = env.str("IAM_DOMAIN", default="sandbox-account" if _sandbox_upstream else "")
IAM_USER = env.str("IAM_USER", default="sandbox-agent" if _sandbox_upstream else "")
IAM_PASSWORD = _secret("IAM_PASSWORD", default="sandbox-password" if _sandbox_upstream else "")
IAM_PROJECT = env.str("IAM_PROJECT", default="")  # empty: a token scoped to the account
# Renew the token this long before it ends (at most a quarter of its lifetime).
IAM_RENEW_BEFORE = _read("IAM_RENEW_BEFORE", env.int, 3600)
if not 0 <= IAM_RENEW_BEFORE <= 43200:
    raise ImproperlyConfigured(
        f"IAM_RENEW_BEFORE must be a number of seconds in [0, 43200]; got {IAM_RENEW_BEFORE}"
    )
for _name, _value in (
    ("IAM_DOMAIN", IAM_DOMAIN),
    ("IAM_USER", IAM_USER),
    ("IAM_PROJECT", IAM_PROJECT),
):
    if len(_value) > 255 or any(ord(char) < 32 for char in _value):
        raise ImproperlyConfigured(f"{_name} must be at most 255 printable characters")
if OSM_AUTH == "iam":
    _missing = [
        name
        for name, value in (
            ("IAM_DOMAIN", IAM_DOMAIN),
            ("IAM_USER", IAM_USER),
            ("IAM_PASSWORD (or IAM_PASSWORD_FILE)", IAM_PASSWORD),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"OSM_AUTH=iam needs {', '.join(_missing)}")

OSM_AK = env.str("OSM_AK", default="sandbox-ak" if _sandbox_upstream else "")
OSM_SK = _secret("OSM_SK", default="sandbox-sk" if _sandbox_upstream else "")
# The account id: X-Domain-Id, which signed calls to a global service such as OSM carry.
OSM_DOMAIN_ID = env.str("OSM_DOMAIN_ID", default="sandbox-domain-id" if _sandbox_upstream else "")
if OSM_AUTH == "aksk":
    _missing = [
        name
        for name, value in (
            ("OSM_AK", OSM_AK),
            ("OSM_SK (or OSM_SK_FILE)", OSM_SK),
            ("OSM_DOMAIN_ID", OSM_DOMAIN_ID),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"OSM_AUTH=aksk needs {', '.join(_missing)}")
    from importlib.util import find_spec

    if find_spec("huaweicloudsdkcore") is None:
        raise ImproperlyConfigured(
            "OSM_AUTH=aksk needs Huawei's signer: pip install 'ticketui[aksk]'"
        )

# --- Audit trail ---------------------------------------------------------------------------
# An operation still pending this many seconds after the longest a live call can take is
# presumed dead (its process ended) and reconciled; and how often the background task runs.
AUDIT_RECONCILE_MARGIN = _read("AUDIT_RECONCILE_MARGIN", env.int, 60)
AUDIT_RECONCILE_INTERVAL = _read("AUDIT_RECONCILE_INTERVAL", env.int, 300)
if AUDIT_RECONCILE_MARGIN < 0 or AUDIT_RECONCILE_INTERVAL < 10:
    raise ImproperlyConfigured(
        "AUDIT_RECONCILE_MARGIN must be >= 0 and AUDIT_RECONCILE_INTERVAL >= 10 seconds"
    )

# --- Metrics (/metrics, Prometheus) --------------------------------------------------------
# Off (404) until a bearer token or an allow-list of scraper addresses is set; with both, a
# scrape needs both. PROMETHEUS_MULTIPROC_DIR (an empty directory, set before the processes
# start) lets one scrape add up the counts of every gunicorn process and the worker.
METRICS_TOKEN = _secret("METRICS_TOKEN")
if METRICS_TOKEN and (len(METRICS_TOKEN) < 16 or any(ord(c) <= 32 for c in METRICS_TOKEN)):
    raise ImproperlyConfigured(
        "METRICS_TOKEN must be at least 16 characters, without spaces or control characters"
    )
try:
    METRICS_ALLOWED_ADDRESSES = tuple(
        ip_network(value.strip(), strict=False)
        for value in _read("METRICS_ALLOWED_ADDRESSES", env.list, [])
        if value.strip()
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_ADDRESSES: {exc}") from None
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
if PROMETHEUS_MULTIPROC_DIR and not Path(PROMETHEUS_MULTIPROC_DIR).is_dir():
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR must be an existing directory; got {PROMETHEUS_MULTIPROC_DIR!r}"
    )

# --- Audit chain head kept outside the database ---------------------------------------------
# The worker writes the chain's head (seal number and hash) every AUDIT_HEAD_INTERVAL seconds,
# when it changed, to a file (one "time seq:hash" line appended each time) and/or POSTs it as
# JSON to a webhook; `manage.py audit_verify` compares the chain with the newest head in the
# file. Keep the file where the database's users cannot write (another disk, a log shipper).
# The webhook URL may carry a token: it can come from AUDIT_HEAD_WEBHOOK_FILE.
AUDIT_HEAD_FILE = _read("AUDIT_HEAD_FILE", env.str, "")
AUDIT_HEAD_WEBHOOK = _secret("AUDIT_HEAD_WEBHOOK")
AUDIT_HEAD_INTERVAL = _read("AUDIT_HEAD_INTERVAL", env.int, 300)
if AUDIT_HEAD_INTERVAL < 10:
    raise ImproperlyConfigured("AUDIT_HEAD_INTERVAL must be >= 10 seconds")
if AUDIT_HEAD_WEBHOOK and not AUDIT_HEAD_WEBHOOK.startswith(("https://", "http://")):
    raise ImproperlyConfigured("AUDIT_HEAD_WEBHOOK must be an http:// or https:// URL")

# --- The scheduled sync ------------------------------------------------------------------------
# The worker runs the incremental sync every SYNC_INTERVAL_SECONDS (one at a time across
# workers); 0 turns the schedule off (syncs then run only from "Sync now" or the command).
SYNC_INTERVAL_SECONDS = _read("SYNC_INTERVAL_SECONDS", env.int, 300)
if SYNC_INTERVAL_SECONDS != 0 and not 30 <= SYNC_INTERVAL_SECONDS <= 86400:
    raise ImproperlyConfigured(
        "SYNC_INTERVAL_SECONDS must be 0 (no scheduled sync) or 30-86400 seconds; "
        f"got {SYNC_INTERVAL_SECONDS}"
    )

# --- The task worker's heartbeat ------------------------------------------------------------
# Each `manage.py db_worker` process records that it is alive every WORKER_HEARTBEAT_INTERVAL
# seconds; a worker silent for WORKER_HEARTBEAT_TIMEOUT seconds is dead (killed, its machine
# gone), and the tasks it was running are marked failed instead of showing "running" forever.
WORKER_HEARTBEAT_INTERVAL = _read("WORKER_HEARTBEAT_INTERVAL", env.int, 10)
WORKER_HEARTBEAT_TIMEOUT = _read("WORKER_HEARTBEAT_TIMEOUT", env.int, 60)
if not 1 <= WORKER_HEARTBEAT_INTERVAL < WORKER_HEARTBEAT_TIMEOUT:
    raise ImproperlyConfigured(
        "WORKER_HEARTBEAT_INTERVAL must be >= 1 and less than WORKER_HEARTBEAT_TIMEOUT (seconds)"
    )
