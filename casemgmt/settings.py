"""Settings for casemgmt. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

from casemgmt.env import env_bool, env_int, env_list, env_str
from documents.storage_settings import document_storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
COUNCIL_NAME = env_str("COUNCIL_NAME", "Demo Borough Council")
LA_CODE = env_str("LA_CODE", "999")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "casemgmt",
    "casemgmt.mfa",
    "clients",
    "workflows",
    "governance",
    "documents",
    "retention",
    "subject_access",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions: an API call with a bearer token carries no session.
    "casemgmt.api_tokens.authentication.BearerRequestsHaveNoSessionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "casemgmt.mfa.middleware.OTPMiddleware",  # django-otp's, with the device cached
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "casemgmt.middleware.RequestContextMiddleware",
    "casemgmt.middleware.NoStoreForAuthenticatedMiddleware",
    # After auth and messages; before the second-factor check, so a lapsed session ends first.
    "casemgmt.sessions.SessionTimeoutMiddleware",
    "casemgmt.mfa.middleware.MFARequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casemgmt.urls"
WSGI_APPLICATION = "casemgmt.wsgi.application"

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
                "casemgmt.context_processors.council",
                "casemgmt.sessions.session_timeout",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/casemgmt"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# The few hand-written statements of the hottest pages (casemgmt/sql.py) are prepared on a
# connection after this many runs; Django's own queries never are. "off" behind a pooler in
# transaction mode.
_prepare_threshold = env_str("DATABASE_PREPARE_THRESHOLD", "5")
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    None if _prepare_threshold.lower() == "off" else env_int("DATABASE_PREPARE_THRESHOLD", 5)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "casemgmt.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with each user's permissions kept in the cache between requests.
    "casemgmt.permission_cache.CachedModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "casemgmt.accounts.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]
# People opened in an hour, with no involvement, before the access is flagged for review.
UNUSUAL_ACCESS_THRESHOLD = env_int("UNUSUAL_ACCESS_THRESHOLD", 20)
# The longest any record is kept, in years from the date of birth, whatever the rules say.
RETENTION_MAX_YEARS_AFTER_BIRTH = env_int("RETENTION_MAX_YEARS_AFTER_BIRTH", 150)
# Passwords are never forced to rotate (NCSC guidance); repeated failures lock the username
# from that address for a while instead (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "casemgmt.accounts.lockout_username"
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user row
# Every staff account signs in with a second factor (TOTP, django-otp). Off only on a
# developer's machine: a system check refuses it without DEBUG, and `check --deploy` always.
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=True)
# How long a password + code re-check lasts before changing one's own second factor.
MFA_REAUTHENTICATION_SECONDS = 5 * 60
OTP_TOTP_ISSUER = COUNCIL_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Documents (documents/): their own storage, a local folder or S3 (documents/storage_settings.py).
STORAGES["documents"] = document_storage_settings(MEDIA_ROOT)
DOCUMENT_MAX_UPLOAD_BYTES = env_int("DOCUMENT_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)
DOCUMENT_MAX_FILES_PER_UPLOAD = env_int("DOCUMENT_MAX_FILES_PER_UPLOAD", 20)
# Zip-based office documents: refused when their directory says they expand past these.
DOCUMENT_ZIP_MAX_UNCOMPRESSED_BYTES = env_int("DOCUMENT_ZIP_MAX_UNCOMPRESSED_BYTES", 1024**3)
DOCUMENT_ZIP_MAX_RATIO = env_int("DOCUMENT_ZIP_MAX_RATIO", 100)
DOCUMENT_ZIP_MAX_MEMBERS = env_int("DOCUMENT_ZIP_MAX_MEMBERS", 10_000)
# Virus scanning with clamd (INSTREAM): a Unix socket, or a host and port. Unset: not scanned.
CLAMD_SOCKET = env_str("CLAMD_SOCKET", "")
CLAMD_HOST = env_str("CLAMD_HOST", "")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT_SECONDS = env_int("CLAMD_TIMEOUT_SECONDS", 120)
# Uploads over this size go to a temporary file as they arrive, never whole into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", "") or None
FILE_UPLOAD_PERMISSIONS = 0o640

# Data limits: refuse oversized requests before they reach a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "casemgmt.cache.RedisCache",  # Django's, with one client per pool
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "casemgmt"),
    }
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
WHITENOISE_USE_FINDERS = DEBUG
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "requeue-stalled-jobs": {
        "task": "casemgmt.tasks.requeue_stalled_jobs",
        "schedule": 300.0,
    },
    "seal-audit-trail": {
        "task": "casemgmt.tasks.seal_audit_trail",
        "schedule": 60.0,
    },
    # Hourly, a few minutes past, when the last hour's requests have finished writing.
    "detect-unusual-access": {
        "task": "governance.tasks.detect_unusual_access",
        "schedule": crontab(minute=5),
    },
    # Nightly: the records whose retention period has ended join the review list.
    "build-retention-review-list": {
        "task": "retention.tasks.build_review_list",
        "schedule": crontab(hour=2, minute=30),
    },
    # Each morning: subject access requests near or past their deadline are flagged.
    "flag-due-subject-access-requests": {
        "task": "subject_access.tasks.flag_due_requests",
        "schedule": crontab(hour=7, minute=0),
    },
}

# Sessions are read from Redis on every request and kept in PostgreSQL too (survive a cache flush).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
# Signed-in staff are signed out after this long without activity, and this long after signing
# in whatever they do (casemgmt/sessions.py). Seconds.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
# The page warns this long before the idle timeout (static/js/session-timeout.js).
SESSION_TIMEOUT_WARNING = env_int("SESSION_TIMEOUT_WARNING", 2 * 60)
# Last activity is written to the session at most this often, not on every request.
SESSION_ACTIVITY_WRITE_INTERVAL = 60
# Requests that are not the user's own activity and so never extend the idle time: htmx
# requests to these URL names (a job's progress polling), and any request to the second list.
# Anything else can say so with the header `X-Session-Activity: passive`.
SESSION_PASSIVE_URL_NAMES = ["job-detail"]
SESSION_PASSIVE_URL_NAMES_ALWAYS = ["session-status"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline scripts or styles anywhere: what runs is what we serve, or carries this response's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# API tokens for integrations (casemgmt/api_tokens/): how many days one lasts unless its
# maker says otherwise, and the most it may.
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

REST_FRAMEWORK = {
    # A bearer token first: a token request never reads or makes a session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "casemgmt.api_tokens.authentication.TokenAuthentication",
        "casemgmt.api.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "casemgmt.api_tokens.scopes.TokenHasScope",
    ],
    # Per token and per signed-in user, counted in Redis; "N/period" limits, comma-separated.
    "DEFAULT_THROTTLE_CLASSES": ["casemgmt.api_tokens.throttling.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_TOKEN_THROTTLE_RATE", "300/minute,10000/hour"),
        "user": env_str("API_USER_THROTTLE_RATE", "300/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "casemgmt.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "casemgmt.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["casemgmt.api.JSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "casemgmt API",
    "DESCRIPTION": "People, records and work of a council's social care service.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The schema describes the staff API: staff read it signed in, like the API itself.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Two code lists are both called "kind": name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "AddressKindEnum": "clients.models.people.Address.Kind",
        "OtherNameKindEnum": "clients.models.people.PersonName.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
