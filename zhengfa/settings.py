"""Settings for zhengfa, read from environment variables (django-environ).

See README.md for the variables. Defaults give a local SQLite demo; production
sets DATABASE_URL (PostgreSQL), SECRET_KEY, ALLOWED_HOSTS and CELERY_BROKER_URL.
"""

import datetime
import warnings
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# ZHENGFA_ENV=production makes the settings strict: the process refuses to
# start with the demo SECRET_KEY or with DEBUG on (see README, "Production").
# Compared case-insensitively: "Production" or " PRODUCTION " must not slip past the checks.
ZHENGFA_ENV = env("ZHENGFA_ENV", default="development").strip().lower()
DEBUG = env.bool("DEBUG", default=False)
# The default key is only good for the local demo and tests; secrets come from
# the environment (or a .env file that is never committed).
DEMO_SECRET_KEY = "django-insecure-zhengfa-local-demo-key-change-me"
SECRET_KEY = env("SECRET_KEY", default=DEMO_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if ZHENGFA_ENV == "production":
    if DEBUG:
        raise ImproperlyConfigured("ZHENGFA_ENV=production must not run with DEBUG=true.")
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "ZHENGFA_ENV=production needs SECRET_KEY from the environment: at least 50 random characters, "
            "never the demo key (e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )

# A pinned "today" (YYYY-MM-DD) for the demo, so that its calendar matches its data;
# metrics.periods.today() reads it. Never in production.
ZHENGFA_TODAY = env("ZHENGFA_TODAY", default="")
ZHENGFA_TODAY = datetime.date.fromisoformat(ZHENGFA_TODAY) if ZHENGFA_TODAY else None
if ZHENGFA_ENV == "production" and ZHENGFA_TODAY:
    raise ImproperlyConfigured("ZHENGFA_ENV=production must not pin ZHENGFA_TODAY (the demo's date).")

# The period pages open on: the last complete half-year ("half") or quarter ("quarter"),
# metrics.periods.default_period.
ZHENGFA_DEFAULT_PERIOD = env("ZHENGFA_DEFAULT_PERIOD", default="half")
if ZHENGFA_DEFAULT_PERIOD not in ("half", "quarter"):
    raise ImproperlyConfigured("ZHENGFA_DEFAULT_PERIOD must be half or quarter.")

COUNTY_NAME = env("COUNTY_NAME", default="示范县")
# Reports for a month are due on this day of the following month.
REPORT_DEADLINE_DAY = env.int("REPORT_DEADLINE_DAY", default=5)

INSTALLED_APPS = [
    "zhengfa.apps.AdminConfig",  # django.contrib.admin; reports.permissions decides who enters
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "zhengfa.apps.AxesConfig",  # django-axes, named in Chinese
    "metrics",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhengfa.logs.RequestLogMiddleware",
    "zhengfa.security.SecurityHeadersMiddleware",
    "zhengfa.security.RequestSizeLimitMiddleware",
    "zhengfa.staticfiles.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Control characters in an address or a query string: a Chinese 400 before any view reads them.
    "zhengfa.inputs.HostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengfa.urls"
WSGI_APPLICATION = "zhengfa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengfa.context_processors.site",
                "zhengfa.context_processors.csp_nonce",
                "reports.context_processors.navigation",
                "reports.context_processors.may",
                "reports.notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection (a forked backend) per request cost more than
# a cached dashboard. Checked before reuse, so a restarted server costs one failed request at most.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The Celery worker tests (.ci/run) run against the real database the worker uses,
# not a test_ copy: pytest --reuse-db with DATABASE_TEST_NAME equal to its name.
if env("DATABASE_TEST_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("DATABASE_TEST_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Figures, charts and tables are cached per data version (metrics/versions.py): Redis in production
# and for the load test (CACHE_URL=redis://127.0.0.1:6379/1, Django's own RedisCache), shared by every
# worker; local memory by default (demo, tests), one cache per process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://zhengfa")}
# With a shared cache, sessions are read from it (written to both): one query less on every page.
# Never with the per-process local memory: a session ended in one worker would live on in another.
if env("CACHE_URL", default=""):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "reports.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes watches every password login (the login page and the admin's) and
# locks a username out from the address that keeps guessing it. The project's
# backend lets authenticate() without a request (shell, tests) through unwatched:
# such calls cannot come from the network.
AUTHENTICATION_BACKENDS = [
    "zhengfa.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Username and address together: a user cannot be locked out by someone else's
# guesses from another desk, and one desk cannot keep guessing one account.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhengfa.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "zhengfa.security.client_ip"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, gzip- and brotli-compressed copies after collectstatic (rundemo runs it), kept a year by
# browsers (zhengfa/staticfiles.py); plotly.js is our own copy in static/vendor, never a CDN.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "zhengfa.staticfiles.StaticStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# An SMTP server that hangs must not hold a worker (or a request making notices in-process) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="zhengfa@localhost")
# Only read by the file-based backend (django.core.mail.backends.filebased.EmailBackend).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Celery: with no broker configured, tasks run in-process so the demo needs
# nothing else running.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=None)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies is requeued rather than acknowledged as done.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing never waits on a broker that hangs or a closed port for more than a few seconds
# (zhengfa/queueing.py): connect and socket timeouts, and a bounded retry.
BROKER_TIMEOUT_SECONDS = env.float("BROKER_TIMEOUT_SECONDS", default=3.0)
# After a publish failed, this long without trying again (zhengfa.queueing): one wait per request, not per report.
BROKER_RETRY_AFTER_SECONDS = env.float("BROKER_RETRY_AFTER_SECONDS", default=30.0)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# Redis redelivers a message not acknowledged within this time (a whole worker died).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    "socket_timeout": BROKER_TIMEOUT_SECONDS,
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    "max_retries": 1,
}
# The task building an export renews its lease every HEARTBEAT seconds; a running export without
# a heartbeat for LEASE seconds lost its worker and is taken over by a redelivery (or by a worker
# starting up); one silent for ABANDONED is failed by the periodic sweep (never "生成中" for ever).
SUMMARY_EXPORT_LEASE_SECONDS = env.int("SUMMARY_EXPORT_LEASE_SECONDS", default=30)
SUMMARY_EXPORT_HEARTBEAT_SECONDS = env.float(
    "SUMMARY_EXPORT_HEARTBEAT_SECONDS", default=SUMMARY_EXPORT_LEASE_SECONDS / 3
)
SUMMARY_EXPORT_ABANDONED_SECONDS = env.int("SUMMARY_EXPORT_ABANDONED_SECONDS", default=3600)
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap4.html"

# --- Security (README, "Production") -------------------------------------
SESSION_COOKIE_HTTPONLY = True
# A working day; sessions end when the browser closes on shared office machines.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS=true (served over TLS, directly or behind a proxy) turns on redirects,
# HSTS and secure cookies; `check --deploy` is then clean.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# A monitor on the server itself may ask http://127.0.0.1:8000/healthz without TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env.bool("PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Number of trusted proxies in front of Django that append to X-Forwarded-For;
# 0 means the client address is REMOTE_ADDR (used by login throttling).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Content-Security-Policy: only this server's scripts (or inline ones carrying the
# request's nonce, {{ csp_nonce }}), styles, images and fonts; never framed.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce'"],
    # plotly.js and the admin set style attributes; scripts stay strict.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Upload limits: form fields (not files) held in memory, and files kept in memory before
# spilling to a temporary file. The largest request accepted at all (MAX_REQUEST_SIZE,
# a Chinese 413 page beyond it, before the body is read) follows the import limits below.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
CSRF_FAILURE_VIEW = "zhengfa.errors.csrf_failure"

# One JSON line per request and per task on stdout (journald keeps it): time, user id, path or
# task, status, duration; never values, notes or arguments (zhengfa/logs.py). LOG_REQUESTS=false
# silences them; everything else stays plain text on stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "zhengfa.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {
        name: {
            "handlers": ["json"],
            "level": "INFO" if env.bool("LOG_REQUESTS", default=True) else "WARNING",
            "propagate": False,
        }
        for name in ("zhengfa.requests", "zhengfa.tasks")
    },
}

# WhiteNoise serves the collected files (STATIC_ROOT) and, for a checkout where nothing was
# collected yet, the finders' files under their plain names; no separate web server needed.
WHITENOISE_USE_FINDERS = True
# Only the hashed names are kept (and compressed) in STATIC_ROOT; the finders serve the plain ones.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Without collectstatic there is no STATIC_ROOT; the finders serve everything.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG
# Imports (reports.imports): files over these sizes are refused before they are parsed; a file
# with more data rows is refused as soon as the first row over the limit is read (no hang).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)  # entry workbooks (.xlsx)
IMPORT_XLSX_MAX_ROWS = env.int("IMPORT_XLSX_MAX_ROWS", default=2_000)  # indicator rows in a workbook
IMPORT_CSV_MAX_BYTES = env.int("IMPORT_CSV_MAX_BYTES", default=20 * 1024 * 1024)  # historic CSV
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)  # historic CSV rows: split by year beyond
# Uploaded workbooks waiting for their commit: at most this many per user (the oldest make room),
# and the beat sweep deletes those never committed within IMPORT_PENDING_HOURS.
IMPORT_PENDING_PER_USER = env.int("IMPORT_PENDING_PER_USER", default=10)
IMPORT_PENDING_HOURS = env.int("IMPORT_PENDING_HOURS", default=24)
# Any request larger than the largest import file (plus the form around it) is refused.
MAX_REQUEST_SIZE = env.int("MAX_REQUEST_SIZE", default=max(IMPORT_MAX_BYTES, IMPORT_CSV_MAX_BYTES) + 1024 * 1024)

# Reminders (reports.notifications): departments that have not submitted are reminded this many
# days before the deadline; once the deadline has passed, reports are marked overdue and reviewers told.
REPORT_REMINDER_DAYS = env.int("REPORT_REMINDER_DAYS", default=3)
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "reports.notifications.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "overdue-reports": {
        "task": "reports.notifications.tasks.mark_overdue_reports",
        "schedule": crontab(hour=0, minute=10),
    },
    "retry-notification-emails": {
        "task": "reports.notifications.tasks.send_pending_emails",
        "schedule": crontab(minute=30),
    },
    # Exports whose worker vanished for good end as failed (SUMMARY_EXPORT_ABANDONED_SECONDS).
    "sweep-abandoned-exports": {"task": "reports.sweep_abandoned_exports", "schedule": 600.0},
    # Uploaded workbooks never committed are deleted after a day (IMPORT_PENDING_HOURS).
    "sweep-uncommitted-uploads": {"task": "reports.sweep_uncommitted_uploads", "schedule": crontab(minute=45)},
}

# Health (/healthz, 后台任务状态; reports/operations): beat queues a heartbeat this often, a worker
# runs it; beat is late once a run is HEALTH_BEAT_GRACE seconds overdue. A worker must answer a ping
# (and the broker a connection) within HEALTH_PING_TIMEOUT seconds.
HEALTH_BEAT_SECONDS = env.float("HEALTH_BEAT_SECONDS", default=60.0)
HEALTH_BEAT_GRACE = env.int("HEALTH_BEAT_GRACE", default=60)
# /healthz answers from checks at most this old (reports.operations.health.states_for_monitor).
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=5.0)
HEALTH_PING_TIMEOUT = env.float("HEALTH_PING_TIMEOUT", default=2.0)
CELERY_BEAT_SCHEDULE["heartbeat"] = {
    "task": "reports.operations.heartbeat",
    "schedule": HEALTH_BEAT_SECONDS,
    "options": {"expires": HEALTH_BEAT_SECONDS},
}
