"""Settings for zoneops, read from the environment only.

Defaults are the embedded, zero-setup installation: SQLite under ``./var/`` and Huey on SQLite.
Production sets ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (Huey queue and cache on Redis), and
``SECRET_KEY``; ``ZONEOPS_DEBUG=1`` or ``ZONEOPS_DEMO=1`` allow running without a secret key.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets admin.ModelAdmin[Model] and friends be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, *, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Where the embedded installation keeps its files (SQLite database, Huey queue, uploads, cache).
VAR_DIR = Path(os.environ.get("ZONEOPS_VAR_DIR", Path.cwd() / "var")).resolve()

TESTING = "pytest" in sys.modules or env_flag("ZONEOPS_TESTING")
DEBUG = env_flag("ZONEOPS_DEBUG")
DEMO_MODE = env_flag("ZONEOPS_DEMO")

_secret_key = os.environ.get("SECRET_KEY", "")
if not _secret_key:
    if not (DEBUG or DEMO_MODE or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production. "
            "Set ZONEOPS_DEBUG=1 or ZONEOPS_DEMO=1 for a local installation."
        )
    # A fixed key is acceptable only for local demo/debug/test databases, which hold no real data.
    _secret_key = "zoneops-insecure-local-only-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = _secret_key

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if (DEBUG or DEMO_MODE or TESTING) else []
)
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "huey.contrib.djhuey",
    "zoneops.core",
    "zoneops.accounts",
    "zoneops.enterprises",
    "zoneops.chains",
    "zoneops.indicators",
    "zoneops.investment",
    "zoneops.projects",
    "zoneops.supervision",
    "zoneops.servicedesk",
    "zoneops.cockpit",
    "zoneops.reports",
    "zoneops.configuration",
    "zoneops.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zoneops.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "zoneops.urls"
WSGI_APPLICATION = "zoneops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "zoneops.core.context_processors.shell",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES: dict[str, dict[str, Any]] = {
        "default": dict(dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "zoneops.sqlite3"),
            "OPTIONS": {
                # WAL lets the web process read while the Huey consumer writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and background jobs --------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if TESTING:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zoneops-tests"}
    }
elif REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by every process on the machine, so login throttling holds across workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

if not TESTING and not (DATABASE_URL and REDIS_URL):
    # The embedded database, queue and cache live here; create it so a fresh checkout just runs.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

HUEY_WORKERS = int(os.environ.get("ZONEOPS_HUEY_WORKERS", "2"))
# Periodic jobs' crontab hours are the zone's time (Asia/Shanghai, TIME_ZONE below), not UTC: with
# "utc": False Huey reads the process's local clock, and Django sets the process time zone (TZ) to
# TIME_ZONE when it loads these settings, whatever the machine's own time zone. China has no daylight
# saving time, so "08:15" is 08:15 in Beijing all year.
_huey_common: dict[str, Any] = {
    "name": "zoneops",
    "utc": False,
    "immediate": TESTING,
    "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
}
if REDIS_URL:
    HUEY: dict[str, Any] = {**_huey_common, "huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY = {**_huey_common, "huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")}
if TESTING:
    # Tasks run inline in tests, against the test database, with no queue file or Redis.
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "zoneops-tests", "utc": False, "immediate": True}

# --- auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates test time otherwise; production keeps the default PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# API tokens: lifetime and the login-failure throttle (failures per username and per address).
API_TOKEN_DAYS = int(os.environ.get("ZONEOPS_API_TOKEN_DAYS", "30"))
LOGIN_FAILURE_LIMIT = int(os.environ.get("ZONEOPS_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("ZONEOPS_LOGIN_FAILURE_WINDOW", "900"))

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("ZONEOPS_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["zoneops.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

# --- static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ZONEOPS_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (TESTING or DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve straight from the app directories when nobody ran collectstatic (demo, debug, tests).
WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = Path(os.environ.get("ZONEOPS_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# --- e-mail and webhooks --------------------------------------------------------------------------
# Lower-case names: Django refuses its deprecated EMAIL_* settings next to MAILERS.
_smtp_backend = "django.core.mail.backends.smtp.EmailBackend"
_email_backend = os.environ.get("EMAIL_BACKEND", "").strip() or _smtp_backend
MAILERS: dict[str, dict[str, Any]] = {"default": {"BACKEND": _email_backend}}
if _email_backend == _smtp_backend:
    # SMTP options go to the SMTP backend only: the others (console, locmem, dummy) refuse them.
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_flag("EMAIL_USE_TLS"),
        "timeout": 10,
    }
elif _email_backend == "django.core.mail.backends.filebased.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
if TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zoneops@localhost")
# Outgoing e-mail is off unless configured: a demo or intranet machine without SMTP must not fail jobs.
# Where people reach zoneops from outside it (e.g. https://zoneops.example.gov.cn): e-mails and robot messages
# carry links, and a link in a message read elsewhere must be whole. Unset, the links stay paths.
SITE_URL = os.environ.get("ZONEOPS_SITE_URL", "").strip().rstrip("/")
NOTIFY_EMAIL_ENABLED = env_flag("ZONEOPS_NOTIFY_EMAIL", default=bool(os.environ.get("EMAIL_HOST")) or TESTING)
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("ZONEOPS_WEBHOOK_TIMEOUT", "5"))

# --- security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_flag("ZONEOPS_SECURE_COOKIES", default=not (DEBUG or DEMO_MODE or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_flag("ZONEOPS_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_flag("ZONEOPS_BEHIND_PROXY") else None
SECURE_HSTS_SECONDS = int(os.environ.get("ZONEOPS_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("ZONEOPS_SILENCED_CHECKS", default=[])
if not SECURE_SSL_REDIRECT:
    # TLS is terminated by the proxy in front (see docs/operations.md); redirecting here would loop.
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if SECURE_HSTS_SECONDS == 0:
    # HSTS is the proxy's header to send: it knows whether the site is reached over HTTPS only.
    SILENCED_SYSTEM_CHECKS.append("security.W004")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A covering index's included columns (servicedesk's service_order_due_idx) are for PostgreSQL; SQLite
    # builds the same index on its key columns alone, which is what it needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Content Security Policy: everything is served by the app itself (offline intranets), so 'self' only.
# ECharts needs inline styles on the elements it creates.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- API ------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_MAX_PER_PAGE_SIZE = 500
# 0: the client address is REMOTE_ADDR; behind N proxies, the N-th address from the right of X-Forwarded-For.
NINJA_NUM_PROXIES = int(os.environ.get("ZONEOPS_NUM_PROXIES", "0"))

# --- logging --------------------------------------------------------------------------------------
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZONEOPS_LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "INFO"}, "django.db.backends": {"level": "INFO"}},
}

# Enterprises hand in a month's figures by this day of the following month.
ZONEOPS_SUBMISSION_DEADLINE_DAY = int(os.environ.get("ZONEOPS_SUBMISSION_DEADLINE_DAY", "10"))

# The demo zone's clock (2022-05-08) is pinned on its Zone row; ZONEOPS_CLOCK pins every zone.
ZONEOPS_CLOCK = os.environ.get("ZONEOPS_CLOCK", "")
