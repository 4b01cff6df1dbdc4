"""Settings, driven by environment variables (see README "Configuration").

With nothing set, the portal runs embedded: SQLite in var/, the Celery broker a SQLite file there
too (`make run` starts the web server, one worker and beat), emails written into var/mail/.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# numpy's OpenBLAS threads busy-wait after each matrix product; the embedding model
# (onnxruntime) that runs next on the same 2 cores then took ~85 ms a text instead of ~60
# (measured). Let them sleep at once. Read when numpy loads, so set before any import of it.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def dev_secret_key() -> str:
    """A key kept in var/ so sessions survive restarts; only ever used with DEBUG on."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = dev_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# HTTPS hardening is on in production; `make run` serves plain HTTP on 127.0.0.1 and turns it off.
HTTPS = env_bool("HTTPS", default=not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_countries",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "rules.apps.AutodiscoverRulesConfig",
    "portal",
    "accounts",
    "demands",
    "offers",
    "matching",
    "connections",  # the workflow on a match: introductions, meetings, agreements
    "notifications",
    "outbox",  # tasks kept while the broker is down, sent when it is back
    "api",  # the REST API under /api/
    "insights",  # dashboards, figures, reports and /healthz: reads every app above
    "alerts",  # saved searches and their digests: reads the offer and demand lists
    "events",  # connection sessions: registrations, meeting requests, timetables
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML and JSON gzipped (a review queue page: 427 KB -> 27 KB); Django's middleware pads
    # each response with random bytes against BREACH. Static files are whitenoise's; XLSX and
    # images are compressed already and pass as they are.
    "portal.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",  # a signed-in person's language and zone
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.outages.DatabaseUnavailableMiddleware",  # a database outage: 503, a calm page
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# Database: DATABASE_URL, else the embedded SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),  # reuse connections: ~3-5x more requests/s
        conn_health_checks=True,
    )
}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:  # a database host that drops packets: a 503 within seconds, not a hung page
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
IS_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
if IS_SQLITE:
    # The embedded web server and Celery worker write the same file. WAL lets pages read while
    # the worker writes; IMMEDIATE takes the write lock when a transaction begins, so a second
    # writer waits (up to `timeout` seconds) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "insights:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # invitation and reset links last three days

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
# username and IP together: username alone would let anyone lock a staff member out
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # Django's login form names the email field "username"
AXES_USERNAME_CALLABLE = "accounts.services.axes_username"  # one counter whatever the letter case
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Sessions in the database only: one primary-key read a request, and a cache outage can neither
# sign anyone out nor (with cached_db, whose cache deletes would be skipped while Redis is
# away) keep a signed-out or rotated session alive in the cache after it comes back.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Internationalisation: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
FORMAT_MODULE_PATH = ["portal.formats"]  # one date and number style per language (04/12/2026)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
COUNTRIES_FIRST = ["JP", "KR", "DE", "FR", "US"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded attachments live outside any public URL; they are served through permission checks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Cache: Redis when configured (shared by web processes), else files in var/ (embedded: the web
# server and the worker share what they keep, as dashboard figures the worker recomputes and key
# phrases it pairs ahead). Redis fails open: a down Redis reads as misses (portal/cache.py),
# found out within the short timeouts below.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_URL = os.environ.get("CACHE_URL", REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "portal.cache.FailOpenRedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

# Celery: Redis in production; with no REDIS_URL (embedded), a broker that needs no server:
# kombu's SQLAlchemy transport on a SQLite file in var/, served by the worker `make run` starts
# (a `sqlite:` URL is polled ten times a second by portal/broker.py; `sqla+...` once a second).
CELERY_BROKER_URL = (
    os.environ.get("CELERY_BROKER_URL")
    or REDIS_URL
    or f"sqlite:///{VAR_DIR / 'celery-broker.sqlite'}"
)
BROKER_IS_SQL = CELERY_BROKER_URL.startswith(("sqlite:", "sqla+", "sqlalchemy+"))
if CELERY_BROKER_URL.startswith("sqlite:"):
    CELERY_BROKER_TRANSPORT = "portal.broker:Transport"
# Tasks go through the broker; `make dev` (and the unit tests) run them in-process instead.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = False  # a failing in-process task must not break the page
CELERY_TASK_IGNORE_RESULT = True  # business state lives in the portal's tables
CELERY_TASK_ACKS_LATE = True  # tasks are idempotent; a lost worker re-delivers
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a SIGKILLed child is otherwise acked and lost
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # matching jobs are long; don't hoard messages
CELERY_TASK_SOFT_TIME_LIMIT = 540  # raise inside the task first, so it can retry cleanly
CELERY_TASK_TIME_LIMIT = 600  # a full-rebuild chunk must finish well inside this
# kombu's SQL transport hands its options to SQLAlchemy's create_engine(): no visibility
# timeout there (a worker that stops hands its unacknowledged message back; one killed outright
# loses it, and the reconcile sweep re-queues the work), a longer SQLite busy wait instead.
if not BROKER_IS_SQL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,  # > longest retry backoff
        # a broker host that drops packets costs a request 2 s, not the TCP timeout (~2 min)
        "socket_connect_timeout": 2,
    }
elif "sqlite:" in CELERY_BROKER_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
if IS_SQLITE:
    # One writer beside the web server; SQLite has a single write lock.
    CELERY_WORKER_CONCURRENCY = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")  # beat's last-run times
CELERY_BEAT_SCHEDULE = {
    "expire-overdue-demands": {"task": "demands.expire_overdue", "schedule": 3600 * 6},
    "archive-expired-offers": {"task": "offers.archive_expired", "schedule": 3600 * 6},
    "remind-expiring-offers": {"task": "offers.remind_expiring", "schedule": 3600 * 24},
    "reconcile-matches": {"task": "matching.reconcile", "schedule": 600},
    "flush-outbox": {"task": "outbox.flush", "schedule": 60},
    "sweep-demand-exports": {"task": "demands.sweep_exports", "schedule": 900},
    "remind-overdue-answers": {"task": "matching.remind_overdue_answers", "schedule": 3600 * 24},
    "weekly-match-digest": {
        "task": "matching.weekly_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    # Saved-search alerts (alerts/tasks.py). "Instant" is a one-minute beat rather than a task
    # queued by each publish: offers and demands stay unaware of alerts, an import of 500
    # offers makes one digest per search, and the beat is also the sweep that catches a
    # publication whose task would have been lost.
    "alerts-instant": {"task": "alerts.send_digests", "schedule": 60, "args": ("instant",)},
    "alerts-daily": {
        "task": "alerts.send_digests",
        "schedule": crontab(hour=7, minute=15),
        "args": ("daily",),
    },
    "alerts-weekly": {
        "task": "alerts.send_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week=1),
        "args": ("weekly",),
    },
    # Connection sessions: the day before, each participant hears of tomorrow's agenda (once).
    "events-remind-tomorrow": {
        "task": "events.remind_tomorrow",
        "schedule": crontab(hour=8, minute=0),
    },
}
REBUILD_STALL_AFTER = env_int(
    "REBUILD_STALL_AFTER", 180
)  # s without chunk progress: a rebuild is stalled (a chunk takes ~10 s)

# Email: SMTP from the environment in production. Embedded (SQLite, `make run`), each batch of
# mail is written as a readable file into var/mail/; otherwise printed to the console.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if IS_SQLITE
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Cổng kết nối công nghệ <no-reply@demo.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env_list("ADMIN_EMAILS")]

# Security headers. `manage.py check --deploy` is clean with production values.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON in, JSON out, errors included: a capped JSON parser, other bodies 415 (api/errors.py)
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["api.errors.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_THROTTLE_RATE", "1000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Technology-transfer portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
