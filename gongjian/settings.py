"""Gongjian settings. Everything that differs between machines comes from the environment.

DATABASE_URL picks the engine: the embedded SQLite file by default, PostgreSQL in production
(postgres://user@host:5432/name). See docs/ARCHITECTURE.md.
"""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from gongjian.env import (
    FERNET_KEY_HOW,
    SECRET_HOW,
    envbool,
    envchoice,
    envfernetkeys,
    envint,
    envlist,
    envsecret,
    envstr,
)
from gongjian.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("GONGJIAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or envbool("GONGJIAN_TESTING", False)
DEBUG = envbool("DEBUG", False)
# Production: DEBUG off outside the tests. Every key is then required and checked here, when the process
# starts, and the security settings below default to their safe values.
PRODUCTION = not (DEBUG or TESTING)

DEVELOPMENT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
if PRODUCTION:
    SECRET_KEY = envsecret("SECRET_KEY", min_length=SECRET_KEY_MIN_LENGTH)
    if (
        SECRET_KEY == DEVELOPMENT_SECRET_KEY
        or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY is a development key (or too repetitive) and DEBUG is off: set a random one. "
            + SECRET_HOW
        )
else:
    SECRET_KEY = envstr("SECRET_KEY", DEVELOPMENT_SECRET_KEY)

# Hosts: given explicitly in production (no guessed default that would answer for any name).
if PRODUCTION and not envlist("ALLOWED_HOSTS", []):
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off: the host names this site answers to, comma "
        "separated (e.g. ALLOWED_HOSTS=gongjian.example.gov.cn)"
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Field encryption (ID card and phone numbers). Key material: a Fernet key (urlsafe base64 of
# 32 bytes) and a separate HMAC key for the exact-match hashes. Several encryption keys may be
# given, comma separated, newest first, to rotate. A key that does not parse stops the process here.
FIELD_ENCRYPTION_KEYS = envfernetkeys("FIELD_ENCRYPTION_KEYS", [])
FIELD_HASH_KEY_MIN_LENGTH = 32
if PRODUCTION:
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS must be set when DEBUG is off. {FERNET_KEY_HOW}")
    FIELD_HASH_KEY = envsecret("FIELD_HASH_KEY", min_length=FIELD_HASH_KEY_MIN_LENGTH)
else:
    # Development keys: fine for the demo city, never for real people.
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcmVhbC1kYXQ="]
    FIELD_HASH_KEY = envstr("FIELD_HASH_KEY", "development-hash-key-not-for-real-data")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "huey.contrib.djhuey",
    "health_check",
    "ninja",
    "accounts",
    "audit",
    "places",
    "orgs",
    "people",
    "rollups",
    "jobs",
    "checkin",
    "service",
    "points",
    "notifications",
    "cases",
    "alliances",
    "golive",
    "portal",
    "ops",
    "demo",
]

MIDDLEWARE = [
    "ops.replicas.ReplicaReadsMiddleware",  # first: the whole request reads from one database
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.sessions.IdleSessionMiddleware",  # the idle timeout: saves an unchanged session once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongjian.logs.RequestIdMiddleware",  # X-Request-ID in and out, request and user ids on log lines
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "gongjian.urls"
WSGI_APPLICATION = "gongjian.wsgi.application"

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
                "notifications.context_processors.unread_count",
            ],
        },
    },
]

# Persistent connections: off unless DB_CONN_MAX_AGE asks for them, and always off under runserver.
# The development server gives each HTTP connection a thread of its own, and with persistent
# database connections that thread keeps one for as long as the client keeps the HTTP connection
# alive (browsers keep idle ones for minutes): two bursts of 30 requests left 37 open, a longer run
# used up PostgreSQL's slots. A WSGI server with a fixed pool of threads (gunicorn, uWSGI) may keep
# them (e.g. 60 s), checked before reuse so a dropped connection costs a reconnect, not an error.
RUNSERVER = sys.argv[1:2] in (["runserver"], ["serve"])  # manage.py runserver, gongjian serve
CONN_MAX_AGE = 0 if RUNSERVER else envint("DB_CONN_MAX_AGE", 0)
# Production names its database: no quiet fallback to a SQLite file nobody backs up.
if PRODUCTION and not envstr("DATABASE_URL", ""):
    raise ImproperlyConfigured(
        "DATABASE_URL must be set when DEBUG is off, e.g. DATABASE_URL=postgres://gongjian:PASSWORD@127.0.0.1:5432/gongjian"
    )
try:
    DATABASES = {
        "default": dj_database_url.parse(
            envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongjian.sqlite3'}"),
            conn_max_age=CONN_MAX_AGE,
            conn_health_checks=CONN_MAX_AGE > 0,
        )
    }
except ValueError as exc:  # an unknown scheme or a malformed URL; the URL (and its password) is not shown
    raise ImproperlyConfigured(
        "DATABASE_URL is not a database URL: use postgres://USER:PASSWORD@HOST:5432/NAME "
        f"(percent-encode special characters in the password) or sqlite:////path/to/file ({type(exc).__name__})"
    ) from None
if not DATABASES["default"]["ENGINE"].startswith(
    ("django.db.backends.postgresql", "django.db.backends.sqlite3")
):
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL (postgres://…) or SQLite (sqlite:///…) database"
    )
if not DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured("DATABASE_URL names no database: postgres://USER:PASSWORD@HOST:5432/NAME")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file shared by the web server and the worker: write-ahead log (readers never wait for the
    # writer), a 20 s busy timeout (writers queue instead of failing), and write transactions that
    # take the lock when they begin (a transaction that read first and then tries to write fails at
    # once, timeout or not, if another connection wrote in between).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Short OLTP queries: PostgreSQL's JIT only adds compile time when the planner overestimates a
    # join (seen: 750 ms of JIT on a 40 ms suggestion query at 50,000 members; docs/PERFORMANCE.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Read replicas (docs/SCALE.md): DATABASE_REPLICA_URL adds a "replica" alias, a PostgreSQL streaming
# standby of the default database. ops.replicas' router sends the reads of GET/HEAD web requests
# there, except a user's for REPLICA_PIN_SECONDS after they wrote; everything else stays on the
# primary. The test suite keeps replica reads off (its uncommitted rows are invisible to a standby);
# the replica tests turn them on for themselves.
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0
    )
    if not (
        DATABASES["replica"]["ENGINE"].startswith("django.db.backends.postgresql")
        and DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is a PostgreSQL standby of a PostgreSQL DATABASE_URL"
        )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # never create a test database on a standby
DATABASE_ROUTERS = ["ops.replicas.ReplicaRouter"]
REPLICA_READS = bool(DATABASE_REPLICA_URL) and not TESTING
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# A city adds its government single sign-on with AUTH_EXTRA_BACKENDS (dotted paths of Django
# authentication backends, comma separated; each must import, or the process does not start:
# accounts/apps.py). Sign-ins through a backend listed in TWO_FACTOR_TRUSTED_BACKENDS already count as
# two-factor (the SSO asked for it); it must be one of AUTHENTICATION_BACKENDS.
AUTH_EXTRA_BACKENDS = envlist("AUTH_EXTRA_BACKENDS", [])
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrPhoneBackend",
    *AUTH_EXTRA_BACKENDS,
]
TWO_FACTOR_TRUSTED_BACKENDS = envlist("TWO_FACTOR_TRUSTED_BACKENDS", [])
# Privileged sign-in (docs/PRIVACY.md "Second factor"): platform administrators, organisation
# departments, street committees and every role that may reveal ID numbers give a TOTP code after the
# password. On unless DEBUG (the demo); the tests run with it on.
TWO_FACTOR_REQUIRED = envbool("TWO_FACTOR_REQUIRED", not DEBUG or TESTING)
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "Gongjian")  # the name the authenticator app shows
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failed sign-ins (django-axes), keyed by username and address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions end after 30 idle minutes and always when the browser closes. An unchanged session is saved
# (its expiry pushed on) at most once a minute, not on every request (accounts/sessions.py).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
API_TOKEN_TTL = timedelta(hours=envint("API_TOKEN_TTL_HOURS", 12))

# --- Transport and browser security ------------------------------------------------------------------
# Each from the environment; in production (DEBUG off) the safe value is the default. Behind a TLS
# proxy that sets X-Forwarded-Proto, TRUST_X_FORWARDED_PROTO=1 lets Django see the request was
# HTTPS (never turn it on without such a proxy: a client could claim HTTPS itself).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = envlist("SECURE_REDIRECT_EXEMPT", [])  # path regexes, e.g. a plain-HTTP probe
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", PRODUCTION)
if envbool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = envbool("USE_X_FORWARDED_HOST", False)
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SAMESITE = ("Lax", "Strict", "None")
SESSION_COOKIE_SAMESITE = envchoice("SESSION_COOKIE_SAMESITE", "Lax", SAMESITE)
CSRF_COOKIE_SAMESITE = envchoice("CSRF_COOKIE_SAMESITE", "Lax", SAMESITE)
SECURE_REFERRER_POLICY = envchoice(
    "SECURE_REFERRER_POLICY",
    "same-origin",
    (
        "no-referrer",
        "no-referrer-when-downgrade",
        "origin",
        "origin-when-cross-origin",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ),
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = envchoice(
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "same-origin",
    ("same-origin", "same-origin-allow-popups", "unsafe-none"),
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only, no inline
# script or style anywhere (templates keep behaviour in static/js and looks in static/css), no plugins,
# no framing. data: images are Bootstrap's own SVG icons inside its CSS. CSP_REPORT_URI, if set, is where
# browsers send reports of what the policy blocked.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if envstr("CSP_REPORT_URI", ""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [envstr("CSP_REPORT_URI", "")]

# --- E-mail (notifications.channels.EmailChannel sends through Django's mail API) -------------------
# SMTP in production; the console (the message in the log) under DEBUG unless EMAIL_BACKEND says.
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set only one of EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465)"
    )
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)  # seconds; a silent SMTP server must not hold a worker forever
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = envstr("SERVER_EMAIL", "root@localhost")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"  # collectstatic target; whitenoise serves it
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
# collectstatic compresses (gzip and brotli) what browsers load, once: only the hashed copies the pages
# name (the unhashed originals are dropped), and not the source maps only a developer's tools read.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "woff", "woff2"),
    "map",
]
# The CJK font only the PDF renderer reads (gongjian/pdf.py): outside static/, never collected or served.
PDF_FONT_DIR = Path(envstr("PDF_FONT_DIR", str(BASE_DIR / "fonts")))

# The cache: Redis when CACHE_REDIS_URL is set (shared by every process on every machine), else
# each process's own memory. The health endpoint writes and reads it.
CACHE_REDIS_URL = envstr("CACHE_REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "gj",
        }
        if CACHE_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# The worker writes a heartbeat row every minute (jobs.tasks.worker_heartbeat); /health/ fails when
# the newest is older than this.
WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=envint("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 300))
# Failed-task records are kept this many days (the administrator's list shows the last 7), and a
# stopped worker's heartbeat row a day; the heartbeat task deletes older ones.
TASK_FAILURE_KEEP_DAYS = envint("TASK_FAILURE_KEEP_DAYS", 90)

# Background work: huey. Redis in production (HUEY_REDIS_URL); SQLite file otherwise.
# Tests run tasks immediately in-process.
HUEY_REDIS_URL = envstr("HUEY_REDIS_URL", "")
if HUEY_REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "gongjian", "url": HUEY_REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gongjian",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": envbool("HUEY_IMMEDIATE", TESTING),
    }

DJANGO_TABLES2_TEMPLATE = "portal/table.html"
DJANGO_TABLES2_PAGE_RANGE = 5

# Check-in reminders: members not yet checked in, and confirmations pending longer than this.
CHECKIN_PENDING_REMINDER_DAYS = envint("CHECKIN_PENDING_REMINDER_DAYS", 7)

# The service loop. A dispatched need waits this long for a reply before it shows as overdue; a record
# longer than the day's hours, overlapping another, or for a beneficiary served this often in a week is
# held for the community's review; records older than this many days cannot be logged.
SERVICE_REPLY_HOURS = envint("SERVICE_REPLY_HOURS", 24)
SERVICE_MAX_HOURS_PER_DAY = envint("SERVICE_MAX_HOURS_PER_DAY", 8)
# Cases (issue 13, docs/CASES.md): a resolved case nobody confirmed closes unrated after this many days;
# an overdue case goes to the district this many working days after its deadline; a report on the same
# place and category within this many days is offered as a possible duplicate.
CASE_CONFIRM_DAYS = envint("CASE_CONFIRM_DAYS", 7)
CASE_ESCALATE_DISTRICT_DAYS = envint("CASE_ESCALATE_DISTRICT_DAYS", 2)
CASE_DUPLICATE_DAYS = envint("CASE_DUPLICATE_DAYS", 7)
# Alliances (issue 14, docs/ALLIANCES.md): the unit's admins and the lead are told this many days before an
# agreement expires (once an agreement).
ALLIANCE_RENEWAL_NOTICE_DAYS = envint("ALLIANCE_RENEWAL_NOTICE_DAYS", 30)
SERVICE_SAME_BENEFICIARY_PER_WEEK = envint("SERVICE_SAME_BENEFICIARY_PER_WEEK", 3)
SERVICE_RECORD_MAX_AGE_DAYS = envint("SERVICE_RECORD_MAX_AGE_DAYS", 30)
SERVICE_CODE_ATTEMPTS = envint("SERVICE_CODE_ATTEMPTS", 5)
# Service record photos (service/records/imaging.py): bytes per file and photos per record, checked on
# the server whatever the browser was told; a photo with more pixels than this is refused unread
# (a decompression bomb is a small file that unpacks to gigabytes).
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 8 * 1024 * 1024)
PHOTOS_PER_RECORD = envint("PHOTOS_PER_RECORD", 6)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 50_000_000)
# Request bodies: form fields (files aside) at most 2.5 MB, uploads over 2.5 MB spooled to a temporary
# file rather than held in memory, and no more files in one request than a record holds photos (a
# roster or a set-up sheet is one); past these Django answers 400. The whole body's size is the
# reverse proxy's to cap (PHOTOS_PER_RECORD × PHOTO_MAX_BYTES and a little more).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = max(PHOTOS_PER_RECORD, 1) + 4
# Accounts for members and residents (issue 10): the SMS sender (a dotted path; the console/log sender
# in development and tests, accounts.sms.AliyunSender in production with the SMS_ALIYUN_* keys) and the
# one-time codes: minutes they live, wrong tries each, and how many may be sent in the window per phone,
# per account and per client address (accounts/codes.py).
SMS_BACKEND = envstr("SMS_BACKEND", "accounts.sms.ConsoleSender")
SMS_ALIYUN_ACCESS_KEY_ID = envstr("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = envstr("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_ALIYUN_SIGN_NAME = envstr("SMS_ALIYUN_SIGN_NAME", "")
SMS_ALIYUN_TEMPLATE_CODE = envstr("SMS_ALIYUN_TEMPLATE_CODE", "")  # the code template: ${code}
SMS_ALIYUN_NOTICE_TEMPLATE = envstr("SMS_ALIYUN_NOTICE_TEMPLATE", "")  # notifications: ${title}
SMS_ALIYUN_ENDPOINT = envstr("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_REGION = envstr("SMS_ALIYUN_REGION", "cn-hangzhou")
OTP_TTL_MINUTES = envint("OTP_TTL_MINUTES", 10)
OTP_MAX_ATTEMPTS = envint("OTP_MAX_ATTEMPTS", 5)
OTP_RESEND_SECONDS = envint("OTP_RESEND_SECONDS", 60)
OTP_RATE_WINDOW_MINUTES = envint("OTP_RATE_WINDOW_MINUTES", 60)
OTP_PER_PHONE = envint("OTP_PER_PHONE", 5)
OTP_PER_ACCOUNT = envint("OTP_PER_ACCOUNT", 10)
OTP_PER_ADDRESS = envint("OTP_PER_ADDRESS", 20)
ACTIVATION_CODE_DAYS = envint("ACTIVATION_CODE_DAYS", 30)
# Outside channels for notifications (dotted paths); the console in development.
NOTIFICATION_CHANNELS = envlist("NOTIFICATION_CHANNELS", ["notifications.channels.ConsoleChannel"])

# A roster file runs as a background job with progress (jobs): a million rows is about 110 MB of CSV.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 1_000_000)
IMPORT_MAX_FILE_MB = envint("IMPORT_MAX_FILE_MB", 200)
# The national division list (GB/T 2260 + the statistics bureau's 12-digit codes), from the npm
# package china-division (make assets installs it); golive's division picker reads it.
DIVISIONS_DB = Path(envstr("DIVISIONS_DB", str(BASE_DIR / "node_modules/china-division/dist/data.sqlite")))
EXPORT_INLINE_MAX_ROWS = envint("EXPORT_INLINE_MAX_ROWS", 2000)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test client builds the middleware anew, and WhiteNoise without autorefresh reads the
    # headers of every static file then (~30 ms a client, a tenth of the suite); with it, a static
    # file is looked up when it is asked for, as under runserver.
    WHITENOISE_AUTOREFRESH = True

# Logs (gongjian/logs.py): one line each with time, level, logger, message, request id and user id, ID
# and phone numbers masked; JSON lines in production (LOG_FORMAT=json, the default when DEBUG is off),
# readable ones in development (LOG_FORMAT=text).
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOG_LEVEL = envstr("LOG_LEVEL", "INFO" if not (DEBUG or TESTING) else "WARNING")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=LOG_LEVEL)

# Error reports (Sentry's SDK): off unless SENTRY_DSN is set; no personal data sent, and numbers masked
# in every event (gongjian/reporting.py).
SENTRY_DSN = envstr("SENTRY_DSN", "")
if SENTRY_DSN and not TESTING:
    from gongjian.reporting import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=envstr("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(envstr("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
