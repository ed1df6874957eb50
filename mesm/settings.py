"""MESM settings: one file, read from environment variables with safe development defaults.

Every variable is documented in README.md ("Environment variables").
"""

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Under pytest the cache keys and the Celery queue get their own names, so a test run never
# mixes with a `make run` sharing the same Redis.
TESTING = "pytest" in sys.modules
# Parallel test workers (pytest-xdist) each get their own cache prefix and Celery queue too.
TEST_RUN_NAME = "mesm-test" + os.environ.get("PYTEST_XDIST_WORKER", "")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-secret-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Django's renderer, with words instead of "---------" in a select's empty choice (mesm/form_renderer.py).
FORM_RENDERER = "mesm.form_renderer.FormRenderer"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "mesm",
    "strategy",
    "listening",
    "metrics",
    "learning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL in the query string is a plain 400 before it can reach PostgreSQL.
    "mesm.security.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Remembers who is acting, so audit() in services knows the actor without an extra argument.
    "mesm.audit.CurrentActorMiddleware",
    # Last: turns a locked-out login into the plain-words lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mesm.urls"
WSGI_APPLICATION = "mesm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mesm.context_processors.tenancy",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------
# Without DATABASE_URL / REDIS_URL we start embedded real servers under ./var/ (see embedded.py).
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)}
else:
    from mesm import embedded

    DATABASES = {"default": embedded.postgres_settings(BASE_DIR)}

if os.environ.get("REDIS_URL"):
    REDIS_URL = os.environ["REDIS_URL"]
else:
    from mesm import embedded

    REDIS_URL = embedded.redis_url(BASE_DIR)

if os.environ.get("TEST_DATABASE_NAME"):
    # Lets two test runs share one server (e.g. two checkouts) without fighting over test_<name>.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", TEST_RUN_NAME if TESTING else "mesm"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# Sessions live in the database so the web keeps working while Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL.replace("unix://", "redis+socket://", 1))
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives a message not acknowledged within this time to another worker. It must stay longer than
# any retry countdown (a worker holds such a task unacknowledged until it is due, so it would run twice);
# it is also how long the task of a worker killed outright waits to come back (docs/operations.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = False
# CELERY_QUEUE lets two installations share one Redis, and a test's worker processes use its queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", TEST_RUN_NAME if TESTING else "celery")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "mesm.tasks.heartbeat", "schedule": 60.0},
    # The one periodic dispatcher: every per-source schedule lives in the database.
    "dispatch-due-sources": {"task": "listening.tasks.dispatch_due_sources", "schedule": 60.0},
    # Scheduled posts whose time has come are published; published posts' counts refreshed for 30 days.
    "publish-due-posts": {"task": "strategy.tasks.publish_due_posts", "schedule": 60.0},
    "refresh-post-metrics": {"task": "strategy.tasks.refresh_post_metrics", "schedule": 3600.0},
    # Learning: trusted feeds (their own schedules live in the database) and Monday's lesson digest.
    "dispatch-due-trusted-feeds": {"task": "learning.tasks.dispatch_due_feeds", "schedule": 300.0},
    "weekly-lesson-digests": {
        "task": "learning.tasks.send_lesson_digests",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "expire-raw-payloads": {"task": "listening.tasks.expire_raw_payloads", "schedule": 24 * 3600.0},
    "close-due-objectives": {"task": "metrics.tasks.close_due_objectives", "schedule": 6 * 3600.0},
    "collect-profile-snapshots": {"task": "metrics.tasks.collect_profile_snapshots", "schedule": 24 * 3600.0},
    # Last month's report for every organisation, on the 1st at 06:00 (CELERY_TIMEZONE).
    "monthly-reports": {
        "task": "metrics.tasks.queue_monthly_reports",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
}

# --- Listening ------------------------------------------------------------------------------
# Minimum seconds between two requests to the same platform host, across all workers.
LISTENING_HOST_MIN_INTERVAL = env_float("LISTENING_HOST_MIN_INTERVAL", 1.0)
# Days the raw platform payload of a mention is kept (for re-processing) before it is emptied.
RAW_RETENTION_DAYS = env_int("RAW_RETENTION_DAYS", 365)
# Reads the owned YouTube channels' statistics for the daily profile snapshots.
YOUTUBE_API_KEY = env_str("YOUTUBE_API_KEY")
# Address of the local demo platform server that `make run` starts (the demo sources point here).
DEMO_PLATFORM_URL = env_str("DEMO_PLATFORM_URL", "http://127.0.0.1:8765")
# Web address that "Open the published post" uses for Bluesky posts.
BLUESKY_WEB_URL = env_str("BLUESKY_WEB_URL", "https://bsky.app")

# --- Auth --------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)
CREDENTIALS_KEY = env_str("CREDENTIALS_KEY")

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if os.environ.get("EMAIL_URL"):
    # smtp://user:password@host:port ; +tls switches STARTTLS on (smtp+tls://…)
    from urllib.parse import unquote, urlparse

    _email = urlparse(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme.endswith("+tls")
    EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MESM <mesm@localhost>")

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "es")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["mesm.formats"]

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (post media). Served through an authenticated view, never as public static files.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "mesm.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mesm.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MESM API",
    "DESCRIPTION": "Social Media Strategic Framework for libraries. Authenticate with "
    "`POST /api/v1/auth/token/` and send `Authorization: Token <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two models have a "platform" field with different choices: name both enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "ProfilePlatformEnum": "strategy.models.Platform",
        "SourcePlatformEnum": "listening.models.Source.Platform",
        # A lesson's "source kind" and a listening source's "kind" would both be "SourceKindEnum".
        "SourceKindEnum": "listening.models.Source.Kind",
        "LessonSourceKindEnum": "learning.models.Lesson.SourceKind",
    },
}

# --- Security ------------------------------------------------------------------------------
# Explicit production values: `DEBUG=0 SECRET_KEY=… manage.py check --deploy` gives no warnings
# (tests/mesm/test_security.py runs it). docs/operations.md ("Security") explains each variable.
if not DEBUG:
    if SECRET_KEY.startswith("dev-only-") and not TESTING:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY in the environment (a long random string) when DEBUG is off.")
    # Behind a TLS-terminating proxy, trust its "X-Forwarded-Proto: https" (the proxy must set or strip
    # it). SECURE_PROXY_SSL_HEADER="" turns it off; "HTTP_X_FORWARDED_SSL=on" names another header.
    _proxy_header = env_str("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO=https")
    if "=" in _proxy_header:
        _name, _value = _proxy_header.split("=", 1)
        SECURE_PROXY_SSL_HEADER = (_name.strip(), _value.strip())
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Always on, also in development, so a page that breaks under them breaks early.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A login lasts SESSION_MAX_AGE_SECONDS (default 12 hours: one working day), then asks again. Not extended
# on every request, which would cost a database write per page.
SESSION_COOKIE_AGE = env_int("SESSION_MAX_AGE_SECONDS", 12 * 3600)

# Content Security Policy (django-csp): no inline script anywhere, every script is a file under
# /static/. Inline *style attributes* are allowed ('unsafe-inline' in style-src): templates and the
# accessible SVG charts use a few style="…" attributes, and styles cannot run code.
_CSP_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF, "'unsafe-inline'"],
        "img-src": [_CSP_SELF, "data:", "https:"],
        "font-src": [_CSP_SELF],
        "connect-src": [_CSP_SELF],
        "object-src": ["'none'"],
        "base-uri": [_CSP_SELF],
        "form-action": [_CSP_SELF],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES. Attempts are kept in the database.
AUTHENTICATION_BACKENDS = [
    "mesm.security.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_MINUTES", 15.0) / 60.0  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mesm.security.lockout_response"
# Behind a proxy, the client address comes from X-Forwarded-For (the proxy must set it).
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("BEHIND_PROXY") else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

# Name shown in authenticator apps for the optional two-factor (TOTP) codes.
OTP_ISSUER = env_str("OTP_ISSUER", "MESM")

# Outgoing requests (webhooks, RSS feeds, platform URLs typed by users) to private, loopback or
# link-local addresses are refused unless this is on (a self-hosted platform on the local network).
# Off by default in production; on in development, where the demo platform server is on 127.0.0.1.
ALLOW_PRIVATE_OUTBOUND = env_bool("ALLOW_PRIVATE_OUTBOUND", DEBUG)

# --- Logging: everything to stdout -----------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}
