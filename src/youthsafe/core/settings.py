"""Django settings, read once from ``YOUTHSAFE_*`` environment variables (style-anchors rule 9).

Defaults are safe for production: DEBUG is off unless asked, cookies are secure when the site sits behind
TLS (``YOUTHSAFE_SECURE=true``), HSTS is opt-in with ``YOUTHSAFE_HSTS_SECONDS``.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from youthsafe.core.env import env_bool, env_int, env_int_map, env_list, env_networks, env_str, env_words

# Lets runtime code write typed generics such as ModelForm[Platform] (django-stubs).
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", default=False)


def _persistent_secret(name: str, make: Callable[[], str]) -> str:
    """``YOUTHSAFE_<name>``, or a value generated once and kept under var/ so it survives restarts."""
    configured = env_str(name)
    if configured:
        return configured
    key_file = VAR_DIR / name.lower()
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = make()
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _persistent_secret("SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Authors are pseudonymised with a keyed HMAC (least data); the raw account id is kept encrypted with a
# separate key and shown only to roles allowed to reveal it. Losing IDENTITY_KEY makes raw ids unreadable.
PSEUDONYM_KEY = _persistent_secret("PSEUDONYM_KEY", lambda: secrets.token_hex(32))
IDENTITY_KEY = _persistent_secret("IDENTITY_KEY", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from our own origin (the CSP allows no CDN)
    "django_htmx",
    "axes",
    "csp",
    "youthsafe.core",
    *(f"youthsafe.{app}" for app in ("registry", "supervision", "pipeline", "alerts", "content", "leads",
                                     "outreach", "reports")),
]
# The feature apps, in navigation order. Each may have urls.py (mounted at /<app>/), api.py with a ninja
# ``router`` (mounted at /api/<app>/) and demo.py with ``load(ctx)``; core wires them up from this list.
YOUTHSAFE_APPS = [name.removeprefix("youthsafe.") for name in INSTALLED_APPS
                  if name.startswith("youthsafe.") and name != "youthsafe.core"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "youthsafe.core.middleware.IdleSessionMiddleware",  # Django's, but background refreshes do not extend
    "youthsafe.core.middleware.LanguageMiddleware",
    "youthsafe.core.bodylimit.RequestBodyLimitMiddleware",  # 413 before a too-large body is read (issue 16)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "youthsafe.core.nostore.NoStoreMiddleware",  # Cache-Control: no-store on pages of posts, alerts, people
    "youthsafe.core.inputrule.InputRuleMiddleware",  # no control character in a path or query (issue 16)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "youthsafe.core.middleware.RequestContextMiddleware",
    # Axes must be last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "youthsafe.core.urls"
WSGI_APPLICATION = "youthsafe.core.wsgi.application"

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
                "youthsafe.core.context_processors.navigation",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    default_sqlite = f"sqlite:///{VAR_DIR / 'youthsafe.sqlite3'}"
    url = env_str("DATABASE_URL") or default_sqlite
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
            # writers queue instead of failing with "database is locked" half-way through a transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    else:
        config.setdefault("OPTIONS", {})
    config["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes): per user name and client address together, so one attacker
# can neither lock a known user out everywhere nor lock every account from one address. The address is the
# client's (core/middleware.py client_ip: behind a trusted proxy, the one the proxy saw), never the proxy's.
# A slower per-user backstop (core/lockout.py) locks a user name from every address after
# LOGIN_USER_FAILURE_LIMIT failures from any addresses within LOGIN_USER_WINDOW_HOURS (password guessing spread
# over many addresses). Attempts refused during a lockout check no password and count for neither.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "youthsafe.core.middleware.axes_client_ip"
AXES_HANDLER = "youthsafe.core.lockout.LockoutHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
YOUTHSAFE_LOGIN_USER_FAILURE_LIMIT = env_int("LOGIN_USER_FAILURE_LIMIT", max(50, 10 * AXES_FAILURE_LIMIT))
YOUTHSAFE_LOGIN_USER_WINDOW = timedelta(hours=env_int("LOGIN_USER_WINDOW_HOURS", 24))
if AXES_FAILURE_LIMIT < 1 or YOUTHSAFE_LOGIN_USER_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ValueError("YOUTHSAFE_LOGIN_USER_FAILURE_LIMIT must be at least YOUTHSAFE_LOGIN_FAILURE_LIMIT (>= 1)")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after a period without activity.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE = env_bool("SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SSL_REDIRECT", default=True)
# Behind a reverse proxy (core/proxy.py, a WSGI layer every server runs): a request whose peer is one of
# TRUSTED_PROXY (addresses or networks; nothing unless configured) may say, in the headers named in
# TRUSTED_PROXY_HEADERS, who the client is (X-Forwarded-For: the entry the outermost of TRUSTED_PROXY_COUNT proxies
# appended) and which scheme it used (X-Forwarded-Proto). The layer sets REMOTE_ADDR and wsgi.url_scheme from them,
# so is_secure(), the audit log, the rate limits, the lockout and the /metrics guard all see the client; from
# any other peer the headers are removed. Hence no SECURE_PROXY_SSL_HEADER: the scheme is already the client's.
KNOWN_PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
                                 "x-forwarded-by", "forwarded"})


def _trusted_proxy_headers() -> frozenset[str]:
    headers = frozenset(word.lower() for word in env_words("TRUSTED_PROXY_HEADERS")) or frozenset(
        {"x-forwarded-for", "x-forwarded-proto"})
    if headers - KNOWN_PROXY_HEADERS:
        raise ValueError(f"YOUTHSAFE_TRUSTED_PROXY_HEADERS: unknown {sorted(headers - KNOWN_PROXY_HEADERS)}, "
                         f"expected some of {sorted(KNOWN_PROXY_HEADERS)}")
    if "forwarded" in headers and len(headers) > 1:
        raise ValueError("YOUTHSAFE_TRUSTED_PROXY_HEADERS: forwarded cannot be combined with x-forwarded-* headers")
    return headers


YOUTHSAFE_TRUSTED_PROXY = env_networks("TRUSTED_PROXY")
YOUTHSAFE_TRUSTED_PROXY_HEADERS = _trusted_proxy_headers()
YOUTHSAFE_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
if YOUTHSAFE_TRUSTED_PROXY_COUNT < 1:
    raise ValueError("YOUTHSAFE_TRUSTED_PROXY_COUNT must be at least 1")
BEHIND_PROXY = bool(YOUTHSAFE_TRUSTED_PROXY)
if env_bool("BEHIND_PROXY", default=False) and not BEHIND_PROXY:
    raise ValueError("YOUTHSAFE_BEHIND_PROXY=true needs YOUTHSAFE_TRUSTED_PROXY: the address(es) the proxy connects "
                     "from, e.g. 127.0.0.1 for a proxy on this host")
SECURE_PROXY_SSL_HEADER = None
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy: no inline script or style, nothing from other origins.
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

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "core" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders; collectstatic is optional
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Uploaded files larger than this wait in a temporary file, not in memory, until a view has checked them.
FILE_UPLOAD_MAX_MEMORY_SIZE = min(DATA_UPLOAD_MAX_MEMORY_SIZE, 2_621_440)
# Every request body (core/bodylimit.py RequestBodyLimitMiddleware, and waitress under `youthsafe serve`); above the
# largest file any form accepts. The limit of each kind of file is in core/uploads.py POLICIES.
YOUTHSAFE_MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 25 * 1024 * 1024)
YOUTHSAFE_SUPERVISION_MAX_FILE_BYTES = env_str("SUPERVISION_MAX_FILE_BYTES") or None
YOUTHSAFE_OUTREACH_MAX_ATTACHMENT_BYTES = env_str("OUTREACH_MAX_ATTACHMENT_BYTES") or None
# Each row goes through the services (validation, audit row): about 2-3 ms a row, so 5,000 rows stay
# well inside one web request (measured: 2,000 rows in ~3 s on SQLite, ~7 s on PostgreSQL).
MAX_IMPORT_ROWS = env_int("MAX_IMPORT_ROWS", 5000)

# Early warning: empty means "use the default" of alerts/config.py, which documents each one.
# /metrics needs "Authorization: Bearer <token>" from other hosts, and from every client behind a proxy
# (core/observability.py).
YOUTHSAFE_METRICS_TOKEN = env_str("METRICS_TOKEN")
# Retention periods in days per kind of personal data, overriding each rule's default (core/retention.py).
YOUTHSAFE_RETENTION_DAYS = env_int_map("RETENTION_DAYS")
YOUTHSAFE_ALERT_LEVEL = env_str("ALERT_LEVEL") or None
YOUTHSAFE_ALERT_NOTIFY_LEVEL = env_str("ALERT_NOTIFY_LEVEL") or None
YOUTHSAFE_ALERT_WINDOW_DAYS = env_str("ALERT_WINDOW_DAYS") or None
YOUTHSAFE_ALERT_DEADLINES = env_str("ALERT_DEADLINES") or None
YOUTHSAFE_ALERT_CLAIM_STALE_MINUTES = env_str("ALERT_CLAIM_STALE_MINUTES") or None
YOUTHSAFE_WEBHOOKS = env_str("WEBHOOKS") or None
YOUTHSAFE_WEBHOOK_SECRET = env_str("WEBHOOK_SECRET") or None
# Harmful content, public reports and leads (content/config.py reads these with their defaults).
YOUTHSAFE_EVIDENCE_MAX_BYTES = env_str("EVIDENCE_MAX_BYTES") or None
YOUTHSAFE_REPORT_MAX_FILES = env_str("REPORT_MAX_FILES") or None
YOUTHSAFE_REPORT_MAX_BYTES = env_str("REPORT_MAX_BYTES") or None  # a public report's whole body
YOUTHSAFE_REPORT_RATE_LIMIT = env_str("REPORT_RATE_LIMIT") or None
YOUTHSAFE_REPORT_RATE_WINDOW = env_str("REPORT_RATE_WINDOW") or None
YOUTHSAFE_REPORT_JURISDICTION = env_str("REPORT_JURISDICTION") or None
YOUTHSAFE_TAKEDOWN_HOURS = env_str("TAKEDOWN_HOURS") or None
YOUTHSAFE_LABEL_HOURS = env_str("LABEL_HOURS") or None
YOUTHSAFE_LEAD_ACK_HOURS = env_str("LEAD_ACK_HOURS") or None
YOUTHSAFE_LEAD_FEEDBACK_DAYS = env_str("LEAD_FEEDBACK_DAYS") or None
# Supervision (supervision/config.py documents each; unset means the default there).
YOUTHSAFE_SUPERVISION_RECTIFY_DAYS = env_str("SUPERVISION_RECTIFY_DAYS") or None
YOUTHSAFE_SUPERVISION_RECHECK_WORKING_DAYS = env_str("SUPERVISION_RECHECK_WORKING_DAYS") or None
YOUTHSAFE_SUPERVISION_DISCONNECT_MAX_MONTHS = env_str("SUPERVISION_DISCONNECT_MAX_MONTHS") or None
YOUTHSAFE_SUPERVISION_DUE_SOON_DAYS = env_str("SUPERVISION_DUE_SOON_DAYS") or None
YOUTHSAFE_SUPERVISION_NOTICE_NUMBER = env_str("SUPERVISION_NOTICE_NUMBER") or None
YOUTHSAFE_SUPERVISION_RECORD_NUMBER = env_str("SUPERVISION_RECORD_NUMBER") or None
YOUTHSAFE_SUPERVISION_SANCTION_NUMBER = env_str("SUPERVISION_SANCTION_NUMBER") or None
YOUTHSAFE_SUPERVISION_ORG = env_str("SUPERVISION_ORG") or None
YOUTHSAFE_SUPERVISION_AUTHORITY = env_str("SUPERVISION_AUTHORITY") or None
YOUTHSAFE_SUPERVISION_RISK_HIGH_MINORS = env_str("SUPERVISION_RISK_HIGH_MINORS") or None
YOUTHSAFE_SUPERVISION_RISK_MEDIUM_MINORS = env_str("SUPERVISION_RISK_MEDIUM_MINORS") or None

# E-mail for notifications: SMTP when a host is configured, otherwise written to the log.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "youthsafe@localhost")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ValueError(f"YOUTHSAFE_LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "youthsafe.core.logformat.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
