"""Settings for ticketui, read from the environment (see .env.example).

Defaults give a working local setup: SQLite and the bundled sandbox upstream. Every value that
production needs is an environment variable; a bad value stops start-up with a message naming it.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def _read(name: str, cast, default):
    """Read NAME with a cast, naming the variable when its value is unusable."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None


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

ALLOWED_HOSTS = _read("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ticketui.audit",
    "ticketui.tickets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
            "builtins": ["django_htmx.templatetags.django_htmx"],
        },
    },
]

DATABASES = {"default": _read("DATABASE_URL", env.db_url, f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
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

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

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
SECURE_SSL_REDIRECT = _read("SECURE_SSL_REDIRECT", env.bool, False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# --- The upstream (Huawei Cloud OSM) ------------------------------------------------------
SANDBOX_PORT = _read("SANDBOX_PORT", env.int, 8001)
OSM_ENDPOINT = env.str("OSM_ENDPOINT", default=f"http://127.0.0.1:{SANDBOX_PORT}").rstrip("/")
_endpoint = urlsplit(OSM_ENDPOINT)
if _endpoint.scheme not in ("http", "https") or not _endpoint.hostname:
    raise ImproperlyConfigured(f"OSM_ENDPOINT must be an http(s) URL; got {OSM_ENDPOINT!r}")
if _endpoint.scheme == "http" and _endpoint.hostname not in ("127.0.0.1", "localhost", "::1"):
    raise ImproperlyConfigured("OSM_ENDPOINT must use https (plain http only for a local sandbox)")

OSM_AUTH = _choice("OSM_AUTH", "token", ("token",))
OSM_TOKEN = _secret("OSM_TOKEN", default="sandbox-token" if _endpoint.scheme == "http" else "")
if OSM_AUTH == "token" and not OSM_TOKEN:
    raise ImproperlyConfigured("OSM_TOKEN (or OSM_TOKEN_FILE) must be set when OSM_AUTH=token")
if len(OSM_TOKEN) > 5000:
    raise ImproperlyConfigured("OSM_TOKEN is longer than the upstream's 5000-character limit")

OSM_SITE = _read("OSM_SITE", env.int, 0)
if OSM_SITE not in (0, 1):
    raise ImproperlyConfigured(f"OSM_SITE must be 0 (China) or 1 (international); got {OSM_SITE}")
OSM_LANGUAGE = _choice("OSM_LANGUAGE", "zh-cn", ("zh-cn", "en-us"))
OSM_TIME_ZONE = env.str("OSM_TIME_ZONE", default="GMT+8")
from ticketui.osm.headers import is_valid_time_zone  # noqa: E402  (plain function, no Django)

if not is_valid_time_zone(OSM_TIME_ZONE):
    raise ImproperlyConfigured(
        f"OSM_TIME_ZONE must look like GMT+8, GMT-5 or GMT+5:30; got {OSM_TIME_ZONE!r}"
    )
OSM_CONNECT_TIMEOUT = _positive_float("OSM_CONNECT_TIMEOUT", 3.05)
OSM_READ_TIMEOUT = _positive_float("OSM_READ_TIMEOUT", 15.0)

# How often opening a ticket page may refresh its status from the upstream.
TICKET_REFRESH_SECONDS = _read("TICKET_REFRESH_SECONDS", env.int, 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Audit trail ---------------------------------------------------------------------------
# An operation still pending this many seconds after the longest a live call can take is
# presumed dead (its process ended) and reconciled; and how often the background task runs.
AUDIT_RECONCILE_MARGIN = _read("AUDIT_RECONCILE_MARGIN", env.int, 60)
AUDIT_RECONCILE_INTERVAL = _read("AUDIT_RECONCILE_INTERVAL", env.int, 300)
if AUDIT_RECONCILE_MARGIN < 0 or AUDIT_RECONCILE_INTERVAL < 10:
    raise ImproperlyConfigured(
        "AUDIT_RECONCILE_MARGIN must be >= 0 and AUDIT_RECONCILE_INTERVAL >= 10 seconds"
    )
