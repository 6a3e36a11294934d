"""Django settings for Profmaster.

Everything that differs between the embedded default (SQLite, eager jobs, console e-mail)
and production (PostgreSQL, Redis, Celery workers, gunicorn behind nginx) comes from
environment variables; see README "Production".
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",  # serves the API docs page's Swagger UI from our static files, not a CDN
    "rules",
    "axes",
    "profmaster.core",
    "profmaster.accounts",
    "profmaster.organisations",
    "profmaster.championships",
    "profmaster.audit",
    "profmaster.notifications",
    "profmaster.documents",
    "profmaster.marking",
    "profmaster.registration",
    "profmaster.exams",
    "profmaster.results",
    "profmaster.checkin",
    "profmaster.incidents",
    "profmaster.jobs",
    "profmaster.competition_day",
    "profmaster.timekeeping",
    "profmaster.disputes",
    "profmaster.appeals",
    "profmaster.upm",
    "profmaster.video",
    "profmaster.best_in_profession",
    "profmaster.support",
    "profmaster.regional_commission",
    "profmaster.api",
    "profmaster.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "profmaster.core.middleware.DropMalformedSessionCookieMiddleware",
    "profmaster.core.links.CurrentRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "profmaster.core.middleware.RussianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "profmaster.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "profmaster.championships.middleware.ChampionshipTimeZoneMiddleware",
    "profmaster.core.middleware.DatabaseUnavailableMiddleware",  # 503 + Retry-After, not 500
]

ROOT_URLCONF = "profmaster.urls"
WSGI_APPLICATION = "profmaster.wsgi.application"

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
                "profmaster.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL (psycopg 3 with a pool) when DATABASE_URL says so.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'profmaster.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("DB_POOL", False):
        # A pool replaces persistent connections; with sync gunicorn keep one or the other.
        _db["OPTIONS"] = {"pool": {"min_size": 1, "max_size": int(os.environ.get("DB_POOL_SIZE", "8"))}}
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "600"))
        _db["CONN_HEALTH_CHECKS"] = True
else:
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cabinet"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "profmaster.accounts.login.axes_username"  # case and spaces are one name
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Internationalisation: Russian first, English available.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# The platform's zone for pages outside any championship; each championship has its own.
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

# --- Static and media
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media-not-public/"  # media is private: files are served by views that check permissions
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if os.environ.get("MEDIA_STORAGE_BACKEND"):
    STORAGES["default"] = {"BACKEND": os.environ["MEDIA_STORAGE_BACKEND"]}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail: console in the embedded default, SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Profmaster <noreply@profmaster.local>")

# --- Cache and background jobs: Redis + Celery when REDIS_URL is set, local memory + eager otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "profmaster.core.cache.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "")}}
    # Sessions read from Redis, written through to the database (a Redis restart logs nobody out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# counters that must hold across worker processes (the signing-password attempt limit) live in the
# shared cache: Redis in production; without Redis, files every process of this machine sees.
CACHES["shared"] = dict(CACHES["default"]) if REDIS_URL else {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": os.environ.get("SHARED_CACHE_DIR", str(BASE_DIR / "var" / "shared-cache"))}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or env_bool("CELERY_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# --- Security: strict in production, relaxed only when DEBUG.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and SECRET_KEY != _DEV_SECRET)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_SSL_REDIRECT else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp). No inline script and no eval: every script is a static file
# and gets its data and translated strings from json_script blocks; no inline <style> (htmx's indicator
# styles are in app.css). Style attributes stay allowed (progress bars set their width), they run no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # a refused request (403, 400) is logged in one line; only server errors carry a traceback.
    "filters": {"one_line_4xx": {"()": "profmaster.core.logfilters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_4xx"]}},
    "loggers": {"django.request": {"filters": ["one_line_4xx"]}, "django.security": {"filters": ["one_line_4xx"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Profmaster
PROFMASTER = {
    # Documents render to PDF with these bundled fonts only; no external URL is fetched.
    "PDF_FONT_DIR": PACKAGE_DIR / "documents" / "fonts",
    # Public address for links in e-mails, PDFs and QR codes (profmaster.core.links); empty: from the request.
    "SITE_URL": os.environ.get("SITE_URL", ""),
    # OP-5: the largest photo or video of an incident accepted (bytes); a larger one is refused, nothing saved.
    "INCIDENT_EVIDENCE_MAX_BYTES": int(os.environ.get("INCIDENT_EVIDENCE_MAX_MB", "100")) * 1024 * 1024,
    # a running background job whose worker wrote no progress for this long is failed (reap_stale_jobs).
    "JOB_STALE_AFTER_MINUTES": int(os.environ.get("JOB_STALE_AFTER_MINUTES", "30")),
    # RM-3: the platform's video services (a championship may configure its own server instead). Secrets come
    # from the environment only and are never shown on a page.
    "VIDEO_BBB_URL": os.environ.get("VIDEO_BBB_URL", ""),
    "VIDEO_BBB_SECRET": os.environ.get("VIDEO_BBB_SECRET", ""),
    "VIDEO_BBB_CHECKSUM": os.environ.get("VIDEO_BBB_CHECKSUM", "sha256"),
    "VIDEO_JITSI_URL": os.environ.get("VIDEO_JITSI_URL", ""),
    "VIDEO_JITSI_APP_ID": os.environ.get("VIDEO_JITSI_APP_ID", ""),
    "VIDEO_JITSI_SECRET": os.environ.get("VIDEO_JITSI_SECRET", ""),
    "VIDEO_JITSI_AUDIENCE": os.environ.get("VIDEO_JITSI_AUDIENCE", "jitsi"),
    # RM-3/RM-7: the largest recording copied into the platform's storage, and how long recordings are kept.
    "VIDEO_RECORDING_MAX_BYTES": int(os.environ.get("VIDEO_RECORDING_MAX_MB", "4096")) * 1024 * 1024,
    "VIDEO_RECORDING_RETENTION_DAYS": int(os.environ.get("VIDEO_RECORDING_RETENTION_DAYS", "365")),
}
