"""Gongjian settings. Everything that differs between machines comes from the environment.

DATABASE_URL picks the engine: the embedded SQLite file by default, PostgreSQL in production
(postgres://user@host:5432/name). See docs/ARCHITECTURE.md.
"""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gongjian.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("GONGJIAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or envbool("GONGJIAN_TESTING", False)
DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# Field encryption (ID card and phone numbers). Key material: a Fernet key (urlsafe base64 of
# 32 bytes) and a separate HMAC key for the exact-match hashes. Several encryption keys may be
# given, comma separated, newest first, to rotate.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS", [])
FIELD_HASH_KEY = envstr("FIELD_HASH_KEY", "")
if not FIELD_ENCRYPTION_KEYS or not FIELD_HASH_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must be set when DEBUG is off")
    # Development keys: fine for the demo city, never for real people.
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcmVhbC1kYXQ="]
    FIELD_HASH_KEY = FIELD_HASH_KEY or "development-hash-key-not-for-real-data"

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "accounts",
    "audit",
    "places",
    "orgs",
    "people",
    "jobs",
    "checkin",
    "service",
    "points",
    "notifications",
    "golive",
    "portal",
    "demo",
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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongjian.sqlite3'}"),
        conn_max_age=CONN_MAX_AGE,
        conn_health_checks=CONN_MAX_AGE > 0,
    )
}
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

# Sessions end after 30 idle minutes and always when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
API_TOKEN_TTL = timedelta(hours=envint("API_TOKEN_TTL_HOURS", 12))

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
SERVICE_SAME_BENEFICIARY_PER_WEEK = envint("SERVICE_SAME_BENEFICIARY_PER_WEEK", 3)
SERVICE_RECORD_MAX_AGE_DAYS = envint("SERVICE_RECORD_MAX_AGE_DAYS", 30)
SERVICE_CODE_ATTEMPTS = envint("SERVICE_CODE_ATTEMPTS", 5)
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

IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 20000)
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
