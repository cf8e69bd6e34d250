"""Reflect settings: one module, read from environment variables.

Unset variables give the embedded defaults (SQLite, kombu's filesystem broker and
e-mail written to files, all under ``var/``), so a newcomer can start the site with
nothing but Python. ``REFLECT_ENV=production`` demands the secrets and turns on the
HTTPS hardening that ``manage.py check --deploy`` looks for.
"""

import os
import secrets
import tempfile
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from reflect import celery_config, security
from reflect.database import database_options
from reflect.env import (
    development_allowed_hosts,
    development_site_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_bind,
)
from reflect.logging_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
# pytest exports PYTEST_VERSION before any plugin reads settings: the suite gets test
# settings without a second settings module.
REFLECT_ENV = env_choice(
    "REFLECT_ENV",
    "test" if "PYTEST_VERSION" in os.environ else "development",
    {"development", "test", "production"},
)
PRODUCTION = REFLECT_ENV == "production"
_default_var_dir = tempfile.mkdtemp(prefix="reflect-test-var-") if REFLECT_ENV == "test" else BASE_DIR / "var"
VAR_DIR = Path(env_str("REFLECT_VAR_DIR", str(_default_var_dir)))
# var/ holds the SQLite file, e-mail, broker messages, the cache and keys: sessions,
# tokens and reset links. SQLite, kombu and the mail backend create their files with
# the process umask, so it is narrowed here for every process (web, worker, beat,
# commands), and a var/ left open by an older checkout is closed.
os.umask(0o077)
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
VAR_DIR.chmod(0o700)


def _development_secret_key() -> str:
    # Generated once per checkout and kept under var/ (git-ignored): never in the repo.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY", required=PRODUCTION) or _development_secret_key()

# Fernet keys for reflection text, newest first (reflect/crypto.py). Unset, development
# and test generate one under var/ on first use; production must not start without them.
REFLECT_ENCRYPTION_KEYS = env_list("REFLECT_ENCRYPTION_KEYS", [])
if PRODUCTION and not REFLECT_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Environment variable REFLECT_ENCRYPTION_KEYS is required: comma-separated Fernet keys, newest first."
    )

DEBUG = env_bool("DEBUG", not PRODUCTION)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

# --- Development addresses follow the server's (make run BIND=…) -------------------
# Unless SITE_URL and ALLOWED_HOSTS are set, e-mailed links, feed and ICS addresses use
# the address the development server listens on, and its host names are accepted.
if not PRODUCTION:
    _bind_host, _bind_port = parse_bind("REFLECT_BIND", env_str("REFLECT_BIND") or env_str("BIND") or "127.0.0.1:8000")
    SITE_URL = env_str("SITE_URL", development_site_url(_bind_host, _bind_port)).rstrip("/")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", development_allowed_hosts(_bind_host, SITE_URL))

INSTALLED_APPS = [
    "reflect.apps.ReflectAdminConfig",  # django.contrib.admin with Reflect's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # allauth's passkey list ({% load humanize %}).
    "django.contrib.humanize",
    "django_scopes",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on per organisation (accounts/sso): allauth's own providers, with apps
    # built from OrganizationSSO rows by the adapter rather than stored in SocialApp.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "csp",
    "anymail",
    "reflect",
    "accounts",
    "accounts.audit.apps.AuditConfig",
    "accounts.sso",
    "sessions_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common (Django's place): the cookie or Accept-Language; see below.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reflect.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends idle and over-long sessions before anything else looks at the person.
    "accounts.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth's, so its reauthentication redirects work on the pages this allows.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "accounts.middleware.UserLanguageMiddleware",  # a signed-in person's own language
    # Last, so the tenant scope wraps the view and its template rendering.
    "accounts.middleware.OrganizationScopeMiddleware",
    # The same for an organisation's form that allauth held for a fresh login and resumes.
    "accounts.resumed_requests.ResumedRequestScopeMiddleware",
    # Its process_view runs inside that scope, after the membership check.
    "accounts.sso.middleware.SSORequiredMiddleware",
]

ROOT_URLCONF = "reflect.urls"
WSGI_APPLICATION = "reflect.wsgi.application"
ASGI_APPLICATION = "reflect.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "reflect" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.organization",
                "accounts.context_processors.two_factor",
                "sessions_app.context_processors.choices",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'reflect.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DATABASES["default"]["OPTIONS"] = database_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits need one that all processes share) ---------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Accounts ----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.ReflectAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so the policy is visible in one place.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "login": "30/m/ip",
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Changing e-mail addresses asks for a fresh login (allauth's reauthentication; two-factor changes already do,
# MFA_REAUTHENTICATION_REQUIRED defaults to on). Reflect also asks it before a password change, a data export, deleting
# the account, an organisation's two-factor setting, member roles, who may invite, and every change in the Django admin
# (reflect/urls.py, reflect/admin_site.py, the views); fresh for ACCOUNT_REAUTHENTICATION_TIMEOUT (300 s).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Reflect] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Passkeys (WebAuthn, issue 11): a second factor, or a sign-in without a password on a shared ward
# computer. They hold no secret on the server (only public keys), so key rotation has nothing to
# move. A passkey session still cannot open an organisation that requires single sign-on (accounts/sso/middleware.py).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# WebAuthn needs HTTPS except on http://localhost (development, browser tests); production is always HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TOTP_ISSUER = "Reflect"
# TOTP secrets and recovery-code seeds are Fernet tokens under REFLECT_ENCRYPTION_KEYS.
MFA_ADAPTER = "accounts.adapter.ReflectMFAAdapter"
MFA_FORMS = {"add_webauthn": "accounts.mfa_forms.AddWebAuthnForm"}

from reflect.operations_settings import *  # noqa: E402, F403 - outbox retention, the readiness check
from reflect.outbound_settings import *  # noqa: E402, F403 - Web Push and video providers: keys, hosts allowed
from reflect.sso_settings import *  # noqa: E402, F403 - single sign-on, the client address behind proxies

DATABASES["default"] = transaction_pooling(DATABASES["default"])  # noqa: F405 - pgbouncer, docs/operations.md
# The default for new organisations; each organisation's admins set their own.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
# Audit events (accounts/audit) are kept this long, then purged daily: six years, the
# NHS records-management retention for corporate audit records.
AUDIT_RETENTION_MONTHS = env_int("AUDIT_RETENTION_MONTHS", 72)
# Invitations one person may send in a (UTC) day: an admin's covers one full CSV import.
INVITATIONS_PER_DAY_BY_ADMINS = env_int("INVITATIONS_PER_DAY_BY_ADMINS", 5000)
INVITATIONS_PER_DAY_BY_OTHERS = env_int("INVITATIONS_PER_DAY_BY_OTHERS", 50)

# --- Sessions: how long a sign-in lasts (accounts/session_limits.py) ---------------
# Kept apart from the production settings below so the two can change independently.
# Idle timeout, default 60 minutes: long enough to write a reflection after a debrief
# without losing it to a timeout on "Save" (a form left open counts as idle), short enough
# that a shared ward or staff-room computer left signed in does not stay open for the
# next person for the rest of the shift.
# Absolute lifetime, default 12 hours: one long clinical shift, so people sign in about
# once a shift, and a copied session cookie stops working within the day, however busy.


def _positive_env(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name}={value} must be at least 1.")
    return value


SESSION_IDLE_TIMEOUT_MINUTES = _positive_env("SESSION_IDLE_TIMEOUT_MINUTES", 60)
SESSION_ABSOLUTE_TIMEOUT_HOURS = _positive_env("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12)
# The session store and the cookie forget a session once it could no longer be valid.
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
# Read from the cache, written through to the database: an emptied cache signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- E-mail ------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Reflect <reflect@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The accessibility statement's contact for signed-out visitors (members also see their admins).
ACCESSIBILITY_CONTACT_EMAIL = env_str("ACCESSIBILITY_CONTACT_EMAIL", parseaddr(DEFAULT_FROM_EMAIL)[1])
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# Production e-mail providers through django-anymail: set EMAIL_BACKEND to the provider's backend (e.g.
# anymail.backends.postmark.EmailBackend) and its settings as ANYMAIL_* variables (ANYMAIL_POSTMARK_SERVER_TOKEN=…).
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}

# --- Celery ------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # Embedded broker (no Redis): kombu's filesystem transport reads and writes messages as
    # files, so the folder it puts them in and the one it takes them from must be the same
    # existing folder, or every worker waits on an empty queue.
    _broker_dir = VAR_DIR / "broker"
    _broker_dir.mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = celery_config.filesystem_broker_options(_broker_dir)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, so a killed worker's task is delivered again;
# tasks are written to be idempotent for exactly that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = celery_config.BEAT_SCHEDULE

# --- Uploads -----------------------------------------------------------------------
# The largest upload is a CSV import (2 MB). Files are kept in memory up to this size
# and never spooled to disk (reflect/uploads.py); form fields other than files may not
# exceed DATA_UPLOAD_MAX_MEMORY_SIZE. The proxy should cap bodies too (README).

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["reflect.uploads.CappedMemoryUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 1

# --- Internationalisation ----------------------------------------------------------

from reflect.i18n_settings import *  # noqa: E402, F403 - languages, the catalogue, time zones

# --- Static files ------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security headers --------------------------------------------------------------

CONTENT_SECURITY_POLICY = security.CONTENT_SECURITY_POLICY
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The TLS proxy's "this was HTTPS" header, e.g. PROXY_SSL_HEADER=X-Forwarded-Proto.
# Trusted only when named: without a proxy that overwrites it, any client could send it
# and make plain-HTTP requests look secure.
_proxy_ssl_header = env_str("PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.strip().upper().replace("-", "_"), "https")

if REFLECT_ENV == "test":
    # Fast hashing and an in-process cache keep the suite quick (allauth's rate limits still count
    # through it); every request and task runs under django-zeal, so an N+1 fails its test (issue 15).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
    INSTALLED_APPS += ["zeal", "reflect.zeal_guard.ZealGuardConfig"]
    MIDDLEWARE = ["zeal.middleware.zeal_middleware", *MIDDLEWARE]
    from reflect.zeal_settings import *  # noqa: F403 - raising, and the few reads allowed (with their reasons)

# --- Logging: never log request bodies (reflection text travels in them) -----------
# Secret tokens in logged paths are masked: see reflect/logging_config.py.

LOGGING = logging_config(level=env_str("LOG_LEVEL", "INFO"))

# --- Production refuses development settings ----------------------------------------
# Kept apart from the settings above so that each can change without touching this: it
# only reads the final values. Each of these turns a convenience into a leak in
# production, so start-up stops instead.

if PRODUCTION:
    security.refuse_development_settings(debug=DEBUG, email_backend=EMAIL_BACKEND, site_url=env_str("SITE_URL"))
