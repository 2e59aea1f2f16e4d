"""hrportal settings: one env-driven file, and the one place of every default.

Defaults are the embedded development set-up used by `make run`: SQLite in WAL mode, kombu's
`filesystem://` broker under `var/broker/`, and mail written as files under `var/mail/`.
Production sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_* and the DJANGO_* variables.
Importing this module creates nothing on disk: each directory is made by whatever first writes to it.

Past 400 lines because Django wants one settings module and every default lives here once (issue 15), with its
reason beside it.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hrportal import directory_settings

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("HRPORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=True)
if not DEBUG and not env.str("DJANGO_SECRET_KEY", default=""):
    # The development key is public (it is in this file): a production server must never sign with it.
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="django-insecure-dev-only-key-change-me-in-production-0123456789abcdef",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django_prometheus",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_filters",
    "django_celery_results",
    "django_celery_beat",
    "simple_history",
    "staff",
    "payroll",
    "leave",
    "requests_app",
    "notifications",
    "documents",
    "schedule",
    "reports",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "hrportal.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hrportal.sessions.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.middleware.ActiveEmployeeMiddleware",
    "staff.middleware.SavedLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes: counts failed logins and locks out (must come last, after authentication).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "hrportal.urls"
WSGI_APPLICATION = "hrportal.wsgi.application"

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
                "hrportal.web.context.nav",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web, worker and beat processes of `make run` read while one writes;
    # IMMEDIATE transactions take the write lock up front instead of failing on upgrade.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    _db["ENGINE"] = "django_prometheus.db.backends.postgresql"
    # Opening a PostgreSQL connection costs milliseconds on every request: keep them, and
    # check them before reuse so a database restart heals without restarting the processes.
    _db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("TEST", {})["NAME"] = env.str("DATABASE_TEST_NAME", default=None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the session's user with the access facts in one query.
    "staff.authentication.PrincipalModelBackend",
]
# Corporate sign-in (django-auth-ldap), on when LDAP_SERVER_URI is set: the directory is asked first, then the
# local accounts (the demo logins, the break-glass admin). docs/decisions/directory-sign-in.md.
LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
if LDAP_SERVER_URI:
    globals().update(
        directory_settings.auth_ldap_settings(
            server_uri=LDAP_SERVER_URI,
            bind_dn=env.str("LDAP_BIND_DN", default=""),
            bind_password=env.str("LDAP_BIND_PASSWORD", default=""),
            user_search_base=env.str("LDAP_USER_SEARCH_BASE"),
            group_search_base=env.str("LDAP_GROUP_SEARCH_BASE"),
            hr_group=env.str("LDAP_HR_GROUP", default=""),
            login_attr=env.str("LDAP_LOGIN_ATTR", default=directory_settings.LOGIN_ATTR),
            employee_id_attr=env.str("LDAP_EMPLOYEE_ID_ATTR", default=directory_settings.EMPLOYEE_ID_ATTR),
            enabled_filter=env.str("LDAP_ENABLED_FILTER", default=directory_settings.ENABLED_FILTER),
            timeout=env.int("LDAP_TIMEOUT", default=5),
            start_tls=env.bool("LDAP_START_TLS", default=False),
        )
    )
    AUTHENTICATION_BACKENDS.insert(1, "staff.directory.DirectoryBackend")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- I18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # made by collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Files no URL serves (report files, HR documents), only views that check access: hrportal/storage.py.
# Empty: "private" beside MEDIA_ROOT (var/private), so whoever moves MEDIA_ROOT moves both.
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "hrportal.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hrportal@localhost")
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # Django's default is to wait forever
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
else:
    # The embedded sink: one .log file per sending connection under var/mail/ (the backend makes the
    # directory), readable as text.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Celery -----------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Visibility timeout (Redis/SQS): an unacked task is redelivered after it, so it must exceed the
# longest task (the export hard limit) and the longest retry backoff.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
if CELERY_BROKER_URL.startswith("filesystem"):
    # The folders are made by `make run`'s set-up step (bootstrap_dev), before web, worker and beat start.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # kombu's default is ./control in the CWD
        "store_processed": False,
        "polling_interval": 0.1,
    }
elif CELERY_BROKER_URL.startswith("redis"):
    # A broker host that does not answer must not hold a web request for long (the outbox sweeper
    # re-sends what could not be enqueued).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    # RabbitMQ: publisher confirms so a publish returns only once the broker has the message.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = timedelta(days=7)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": "mail"},
    "reports.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "staff.authentication.ExpiringTokenAuthentication",  # refuses expired, revoked and departed (401)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON (CONTRACT.md); NUL characters and deep nesting are a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": ["hrportal.parsers.StrictJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "hrportal.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hrportal.errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens: django-rest-knox (hashed, expiring; docs/decisions/api-tokens.md).
KNOX_TOKEN_MODEL = "staff.ApiToken"
# knox's own migrations create its default token table even when the model is swapped for ours; without them,
# nothing is created for it (a swapped model never migrates).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",  # the contract's `Authorization: Token …`
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hrportal API",
    "DESCRIPTION": "Requests, leave, staff and reports of the HR portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # the schema and docs need a login
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (the CSP allows nothing else).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RequestKindEnum": "requests_app.models.Request.Kind",
        "RequestStatusEnum": "requests_app.models.Request.Status",
        "ReportKindEnum": "reports.models.ReportJob.Kind",
        "ReportStatusEnum": "reports.models.ReportJob.Status",
    },
}

# --- Metrics ----------------------------------------------------------------------------------
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_BEARER_TOKEN = env.str("METRICS_BEARER_TOKEN", default="")
# Multiprocess directories of other process groups (Celery workers) merged into /metrics; glob patterns.
METRICS_MULTIPROC_DIRS = env.list("METRICS_MULTIPROC_DIRS", default=[str(VAR_DIR / "prometheus" / "*")])

# --- Security (production values switch on with DJANGO_DEBUG=0) -------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=8 * 60 * 60)
# The age above is an idle timeout, not an absolute one: hrportal.sessions.SessionTouchMiddleware re-saves a
# session (and its cookie) when its last save is this old, instead of SESSION_SAVE_EVERY_REQUEST's write on
# every request.
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Login throttling (django-axes): lock a username+address after N failures for a cool-off period.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Content Security Policy (django-csp 4): only our own static files and pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging ----------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "hrportal.observability.RequestIdFilter"},
        "refusal_without_traceback": {"()": "hrportal.observability.RefusalWithoutTraceback"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # No handler of Django's own (its DEBUG console one doubled every line): the root's writes each once.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["refusal_without_traceback"]},
    },
}

# --- hrportal's own tuning -------------------------------------------------------------------
# Each knob's one default, overridable by the environment variable of the same name. Code reads
# settings.HRPORTAL["NAME"] when it needs the value (so tests can override it), except the Celery task
# options, which are fixed when the worker imports the tasks.
#
# The send task's time limits follow EMAIL_TIMEOUT: an SMTP transaction is about five round trips (connect,
# EHLO, MAIL, RCPT, DATA), each bounded by the socket timeout, so a send that takes longer than five timeouts
# is stuck, and one past six has been killed by the pool. The outbox sweeper reclaims a `sending` row only
# after that hard limit, so it never takes a row from a sender that is still alive.
#
# The export is soft-limited (the task fails the job with a readable message) and hard-limited (the pool
# kills the process). CELERY_VISIBILITY_TIMEOUT must stay above the hard limit, or Redis hands a long export
# to a second worker while the first still runs (reports.checks warns).
_MAIL_SEND_SOFT_TIME_LIMIT = env.int("MAIL_SEND_SOFT_TIME_LIMIT", default=5 * EMAIL_TIMEOUT)
HRPORTAL = {
    # The mail retry schedule (docs/decisions/0008-mail-retry-schedule.md), seconds: after the n-th transient
    # failure in a row a message waits MAIL_RETRY_BACKOFF × 2^(n-1), at most MAIL_RETRY_BACKOFF_MAX (+ ≤ 10 %
    # jitter, never less). It is never failed for a transient cause; past MAIL_RETRY_MAX_AGE since it was
    # queued it is overdue (logged at ERROR, its own alert) and still retried every MAIL_RETRY_BACKOFF_MAX.
    "MAIL_RETRY_BACKOFF": env.int("MAIL_RETRY_BACKOFF", default=60),
    "MAIL_RETRY_BACKOFF_MAX": env.int("MAIL_RETRY_BACKOFF_MAX", default=30 * 60),
    "MAIL_RETRY_MAX_AGE": env.int("MAIL_RETRY_MAX_AGE", default=24 * 60 * 60),
    # Waits up to this long are a Celery countdown, longer ones the sweeper's: keep it well below Redis's
    # visibility timeout and RabbitMQ's consumer_timeout (30 min by default), which a held countdown counts against.
    "MAIL_RETRY_COUNTDOWN_MAX": env.int("MAIL_RETRY_COUNTDOWN_MAX", default=10 * 60),
    # Claims of one message lost to a dead worker before it is failed (a message that kills its worker).
    "MAIL_MAX_ATTEMPTS": env.int("MAIL_MAX_ATTEMPTS", default=10),
    "MAIL_SEND_SOFT_TIME_LIMIT": _MAIL_SEND_SOFT_TIME_LIMIT,
    "MAIL_SEND_TIME_LIMIT": env.int("MAIL_SEND_TIME_LIMIT", default=_MAIL_SEND_SOFT_TIME_LIMIT + EMAIL_TIMEOUT),
    # Seconds a queued row may be overdue before the sweeper re-sends it (its task was never published or lost).
    "OUTBOX_SWEEP_AGE": env.int("OUTBOX_SWEEP_AGE", default=60),
    # Mail and report files above this many bytes in total are linked, not attached.
    # Payroll import (payroll.services): rows a bulk write takes at once, and how often progress is told.
    "PAYROLL_IMPORT_BATCH": env.int("PAYROLL_IMPORT_BATCH", default=1000),
    # The admin's upload form refuses a bigger file (the command takes any size).
    "PAYROLL_UPLOAD_MAX_BYTES": env.int("PAYROLL_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024),
    "REPORT_ATTACH_MAX_BYTES": env.int("REPORT_ATTACH_MAX_BYTES", default=5 * 1024 * 1024),
    "REPORT_RETENTION_DAYS": env.int("REPORT_RETENTION_DAYS", default=30),
    "REPORT_SOFT_TIME_LIMIT": env.int("REPORT_SOFT_TIME_LIMIT", default=1800),
    "REPORT_TIME_LIMIT": env.int("REPORT_TIME_LIMIT", default=2000),
    # Claims of one report job: an export that kills its worker every time (OOM) cannot loop forever.
    "REPORT_MAX_ATTEMPTS": env.int("REPORT_MAX_ATTEMPTS", default=3),
    # Rows between two progress updates (each a short UPDATE in its own transaction).
    "REPORT_PROGRESS_EVERY": max(env.int("REPORT_PROGRESS_EVERY", default=5000), 1),
    # Rows per fetch of the export's server-side cursor.
    "REPORT_CHUNK_SIZE": max(env.int("REPORT_CHUNK_SIZE", default=2000), 1),
    # Seconds a job may stay queued before the sweeper re-sends its task (the broker was down at commit).
    "REPORT_QUEUED_SWEEP_AFTER": env.int("REPORT_QUEUED_SWEEP_AFTER", default=600),
    # The longest period a report may cover: a leap year plus a month of slack.
    "REPORT_MAX_PERIOD_DAYS": env.int("REPORT_MAX_PERIOD_DAYS", default=366 + 31),
    # Where a run writes its file before storing it (made by the first run).
    "REPORT_TEMP_DIR": env.str("REPORT_TEMP_DIR", default=str(Path(tempfile.gettempdir()) / "hrportal-reports")),
    # A running export renews its job's heartbeat at least every quarter of this; a job without one for this
    # long has lost its worker and is taken over by the sweeper or by the requester asking again.
    "REPORT_HEARTBEAT_STALE_SECONDS": env.int("REPORT_HEARTBEAT_STALE_SECONDS", default=120),
    # A pending request reminds its approvers once a day after this many working days at its step, and from
    # the second number on also mails their own manager (or HR): requests_app/reminders.py.
    "REQUEST_REMIND_AFTER_WORKING_DAYS": env.int("REQUEST_REMIND_AFTER_WORKING_DAYS", default=2),
    "REQUEST_ESCALATE_AFTER_WORKING_DAYS": env.int("REQUEST_ESCALATE_AFTER_WORKING_DAYS", default=5),
    # Imports (staff/imports/): the largest file accepted, the time limits of the task that checks or writes one
    # (10 000 employees take well under a minute: docs/benchmarks.md) and the rows on one page of the preview.
    "IMPORT_MAX_BYTES": env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024),
    # The plan of every row is kept until it is written (≈ 6 KB a row): a file of tiny rows must not exhaust a worker.
    "IMPORT_MAX_ROWS": env.int("IMPORT_MAX_ROWS", default=50_000),
    "IMPORT_SOFT_TIME_LIMIT": env.int("IMPORT_SOFT_TIME_LIMIT", default=1800),
    "IMPORT_TIME_LIMIT": env.int("IMPORT_TIME_LIMIT", default=2000),
    "IMPORT_PREVIEW_PAGE": env.int("IMPORT_PREVIEW_PAGE", default=200),
    # HR documents (docs/decisions/documents-simple-signature.md): how an employee confirms a signature
    # ("code": a one-time code by mail; "password": their portal password), the code's life and attempts.
    "DOCUMENT_SIGN_METHOD": env.str("DOCUMENT_SIGN_METHOD", default="code"),
    "DOCUMENT_CODE_TTL_SECONDS": env.int("DOCUMENT_CODE_TTL_SECONDS", default=10 * 60),
    "DOCUMENT_CODE_MAX_ATTEMPTS": env.int("DOCUMENT_CODE_MAX_ATTEMPTS", default=5),
    # Art. 62: a certificate is issued within this many working days of the application.
    "CERTIFICATE_SLA_WORKING_DAYS": env.int("CERTIFICATE_SLA_WORKING_DAYS", default=3),
    # Art. 72: an approved pay-rate change takes effect once the employee signed the supplementary agreement.
    "RATE_CHANGE_ON_SIGNED_AGREEMENT": env.bool("RATE_CHANGE_ON_SIGNED_AGREEMENT", default=True),
    # The employer's name on the documents (the demo's, until a setting of the organisation exists).
    "EMPLOYER_NAME": env.str("HRPORTAL_EMPLOYER_NAME", default="ООО «Пример»"),
    # The leave schedule (schedule/notices.py): the art. 123 notice goes this many calendar days before a leave;
    # HR sees notices still unsigned this many days before; payroll gets the list of leave starting within this
    # many days (art. 136), at these addresses (comma-separated: a person or a group mailbox).
    "SCHEDULE_NOTICE_DAYS": env.int("SCHEDULE_NOTICE_DAYS", default=14),
    "SCHEDULE_HR_ALERT_DAYS": env.int("SCHEDULE_HR_ALERT_DAYS", default=10),
    "SCHEDULE_PAY_DAYS": env.int("SCHEDULE_PAY_DAYS", default=3),
    "SCHEDULE_PAYROLL_EMAIL": env.str("SCHEDULE_PAYROLL_EMAIL", default="payroll@localhost"),
}

# Beat schedule: synced into django-celery-beat's tables by the DatabaseScheduler, editable in the admin.
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "accrue-leave-daily": {"task": "leave.accrue_daily", "schedule": 6 * 60 * 60.0},
    "purge-old-reports": {"task": "reports.purge_old_files", "schedule": 24 * 60 * 60.0},
    # Every minute: a report whose worker died is taken over within REPORT_HEARTBEAT_STALE_SECONDS + 60 s.
    "sweep-stuck-reports": {"task": "reports.sweep_stuck", "schedule": 60.0},
    # Art. 124 part 4: once a month (the task is idempotent per month, so a daily beat would also do).
    "leave-art124-reminders": {"task": "leave.art124_reminders", "schedule": 24 * 60 * 60.0},
    # Working-day mornings (the task skips days off); idempotent per day, so a rerun sends nothing twice.
    # Idempotent (each notice and payroll line once), so hourly runs only catch up a missed day sooner.
    "schedule-due-notices": {"task": "schedule.send_due_notices", "schedule": 60 * 60.0},
    "remind-pending-requests": {"task": "requests_app.remind_pending", "schedule": crontab(hour=9, minute=0)},
    # Certificates due (art. 62) and documents awaiting a signature: HR hears of them on working-day mornings.
    "remind-documents": {"task": "documents.remind", "schedule": crontab(hour=9, minute=5)},
}
