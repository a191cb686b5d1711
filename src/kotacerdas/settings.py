"""One settings file; every knob comes from the environment through tiny typed helpers."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envpath(name: str, default: str) -> Path:
    return Path(os.environ.get(name, default)).expanduser().resolve()


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    # A file wins over the variable so that secrets need not sit in the process environment.
    path = os.environ.get("SECRET_KEY_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get("SECRET_KEY", "kotacerdas-development-key-change-me-in-production-0123456789")


BASE_DIR = Path(__file__).resolve().parent
HOME = envpath("KOTACERDAS_HOME", "./var")
MEDIA_ROOT = envpath("KOTACERDAS_MEDIA", str(HOME / "media"))
EVENTS_ROOT = envpath("KOTACERDAS_EVENTS", str(HOME / "events"))
DEBUG = envbool("DEBUG", "False")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "ninja",  # in INSTALLED_APPS so Swagger UI is served from its bundled static files, not a CDN
    "kotacerdas.core",
    "kotacerdas.accounts",
    "kotacerdas.regions",
    "kotacerdas.catalogue",
    "kotacerdas.evaluations",
    "kotacerdas.actionplans",
    "kotacerdas.surveys",
    "kotacerdas.monitoring",
    "kotacerdas.reports",
    "kotacerdas.web",
    "kotacerdas.ops",  # the roof: demo, backup/restore, serve, worker; may import every app above
    # after our apps, so that our templates override allauth's
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kotacerdas.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kotacerdas.core.middleware.DefaultIndonesianLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kotacerdas.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kotacerdas.core.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "kotacerdas.urls"
WSGI_APPLICATION = "kotacerdas.wsgi.application"

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
                "kotacerdas.core.context_processors.demo",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "60"))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME", "test_kotacerdas")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "kotacerdas.sqlite3"),
            # WAL lets the web server read while a background import writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "/akun/login/"
# Accounts are created by administrators; people log in with their email address.
ACCOUNT_ADAPTER = "kotacerdas.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Failed logins: "key" rates count per (account, client address) pair (accounts.adapter), in tiers that
# make the wait grow: 5 failures → 5 minutes, 10 → an hour, 20 → a day. The "ip" rates are the ceiling
# for one address whatever account it tries. No rate counts per account alone, so a stranger's wrong
# passwords never lock its owner out (see SECURITY.md, "Login throttling").
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_RATE_LIMIT", "30/m/ip,100/h/ip,5/5m/key,10/h/key,20/d/key"),
    "reset_password": "5/m/ip,3/m/key",
}
# Behind N reverse proxies that append to X-Forwarded-For, the client address is the N-th from the right.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
MFA_ADAPTER = "kotacerdas.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "kotacerdas"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
MEDIA_URL = "/media-not-served/"


def _file_storage(url: str) -> dict[str, object]:
    """Where evidence files, generated reports and uploads waiting for import live.

    Embedded (no STORAGE_URL): the folder KOTACERDAS_MEDIA (default $KOTACERDAS_HOME/media) of this host.
    STORAGE_URL=s3://BUCKET[/PREFIX][?endpoint=https://minio.example:9000&region=...&addressing_style=path]:
    S3-compatible object storage (AWS S3, MinIO, Ceph, a government cloud's object store) through
    django-storages, shared by every web node and worker. Keys: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    (or s3://KEY:SECRET@BUCKET/...). Objects stay private: downloads always go through the application,
    which checks permission first."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}}
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("STORAGE_URL harus s3://BUCKET/... / STORAGE_URL must be s3://BUCKET/...")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    options: dict[str, object] = {
        "bucket_name": parts.hostname, "location": parts.path.strip("/"),
        # Names are unique like on disk (evidence is content-addressed; a clash gets a suffix, never overwrites).
        "file_overwrite": False, "default_acl": None, "querystring_auth": True,
        "endpoint_url": query.get("endpoint") or os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": query.get("region") or os.environ.get("AWS_S3_REGION_NAME") or None,
        "addressing_style": query.get("addressing_style") or None,
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGE_URL = os.environ.get("STORAGE_URL", "")
STORAGES = {
    "default": _file_storage(STORAGE_URL),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
# Public survey form: responses per IP and hour (a whole village behind one NAT may need more).
SURVEY_RATE_LIMIT = (envint("SURVEY_RATE_LIMIT", "20"), 3600)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (one file per connection).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(HOME / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kotacerdas@localhost")

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline; styles may be
# inline (charts set style attributes); nothing is loaded from other hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if envbool("PRODUCTION"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

def _caches(url: str) -> dict[str, dict[str, object]]:
    """Embedded (no CACHE_URL): a file cache shared by the processes of this one host (rate limits, login
    throttling, the demo state) and rendered pages in each gunicorn worker's memory (web.pagecache: keyed by
    a data version read from the database on every request, so nothing needs sharing).

    CACHE_URL=redis://host:6379/1 (or rediss://, unix://): both in one Redis shared by every web node
    and worker -- login throttling and the survey rate limit then count across hosts, and
    every node builds a page body once per data version."""
    if not url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": str(HOME / "cache"), "TIMEOUT": 3600},
            "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kotacerdas-pages",
                      "TIMEOUT": 600,
                      "OPTIONS": {"MAX_ENTRIES": 200}},  # a /nasional/ body is ~235 KB: at most ~50 MB a worker
        }
    if url.split("://", 1)[0] not in ("redis", "rediss", "unix"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("CACHE_URL harus redis://, rediss:// atau unix:// / CACHE_URL must be a Redis URL")
    prefix = os.environ.get("CACHE_KEY_PREFIX", "kotacerdas")
    redis = "django.core.cache.backends.redis.RedisCache"
    return {
        "default": {"BACKEND": redis, "LOCATION": url, "KEY_PREFIX": prefix, "TIMEOUT": 3600},
        "pages": {"BACKEND": redis, "LOCATION": url, "KEY_PREFIX": f"{prefix}-pages", "TIMEOUT": 600},
    }


CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = _caches(CACHE_URL)
JOBS_EAGER = envbool("KOTACERDAS_JOBS_EAGER", "False")

SPARK_MASTER = os.environ.get("SPARK_MASTER", "local[2]")
ANALYTICS_BACKEND = os.environ.get("ANALYTICS_BACKEND", "duckdb")
# KPI file imports, each a core.Job: auto (small files run while the uploader waits, large ones wait for the
# supervised worker) | sync | worker. Checked here, so a wrong value stops the start, not every upload.
MONITORING_IMPORT_RUNNER = os.environ.get("MONITORING_IMPORT_RUNNER", "auto")
if MONITORING_IMPORT_RUNNER not in ("auto", "sync", "worker"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"MONITORING_IMPORT_RUNNER={MONITORING_IMPORT_RUNNER!r}: auto, sync atau/or worker "
                               "(thread tidak ada lagi / 'thread' was removed)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
