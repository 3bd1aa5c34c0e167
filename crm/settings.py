"""Settings for the CRM, read from the environment (django-environ).

Every setting is documented in README.md and `.env.example`. With no environment at all the
project runs on a SQLite file and an embedded (filesystem) Celery broker under ``var/``, so a
fresh checkout starts with one command; production sets DATABASE_URL, REDIS_URL and SECRET_KEY.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from crm.celery_config import celery_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = Path(env.str("CRM_ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in development one is generated once and kept in var/."""
    value = env.str("SECRET_KEY", default="")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (production). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "django_htmx",
    "template_partials",
    "csp",
    "common",
    "inventory",
    "orders",
    "channels_sync",
    "shipping",
    "invoicing",
    "followups",
    "assistant",
    "assistant.channels.apps.AssistantChannelsConfig",
    "crm",
]

MIDDLEWARE = [
    # JSON errors under /api/ (also for what the middleware below refuses): keep it first.
    "common.api_errors.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.middleware.UnreadableRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Under /api/ the view is called here: what follows serves staff pages only.
    "common.api_errors.ApiShortcutMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "common.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "common.middleware.HtmxMessagesMiddleware",
    # Last, so the locked sign-in page (crm.lockout.locked_response) is what it sees.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
AUTH_USER_MODEL = "crm.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.shell",
                "followups.context_processors.reminders",
            ],
            "builtins": ["common.templatetags.ui", "template_partials.templatetags.partials"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'crm.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs 60-90 ms per report query and pays off only on long analytics
    # runs; every query here must answer within a page load.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    # Lets common.db.prepared_cursor prepare the website API's statements (psycopg prepares
    # nothing while this is None, Django's default). Django's own cursors bind on the client
    # and are never prepared, whatever the threshold; with server_side_binding (not set) every
    # statement run this many times on a connection would be.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ---------------------------------------------------------------
REDIS_URL: str | None = env.str("REDIS_URL", default="") or None

if REDIS_URL:
    # Django's RedisCache that degrades (reads miss, writes are skipped) while Redis is down,
    # with short socket timeouts: see common/cache.py and "When Redis is down" in README.md.
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="crm"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="crm"),
        }
    }

for _name, _value in celery_settings(
    redis_url=REDIS_URL,
    var_dir=VAR_DIR,
    eager=env.bool("CELERY_TASK_ALWAYS_EAGER", default=False),
    # Hour (shop time) of the nightly marketplace order audit and stock/price reconciliation.
    marketplace_nightly_hour=env.int("MARKETPLACE_NIGHTLY_HOUR", default=3),
).items():
    globals()[f"CELERY_{_name.upper()}"] = _value

# --- Marketplace, carrier and e-invoice accounts ------------------------------------------
# Fernet keys (newest first) for their secrets and tokens at rest: see common/secrets.py.
CRM_ENCRYPTION_KEYS = env.list("CRM_ENCRYPTION_KEYS", default=[])

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-in throttling (crm/lockout.py, django-axes with its counters in the database):
# LOGIN_FAILURE_LIMIT failures for one username from one address, or LOGIN_IP_FAILURE_LIMIT from
# one address, lock further attempts (even with the right password) until LOGIN_LOCKOUT_SECONDS
# after the last failure. Every authentication backend call goes through AxesStandaloneBackend.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "crm.lockout.LoginLockHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "crm.lockout.failure_limit"
AXES_COOLOFF_TIME = "crm.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "crm.lockout.client_address"
AXES_USERNAME_CALLABLE = "crm.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "crm.lockout.locked_response"
AXES_RESET_ON_SUCCESS = True
# Attempts refused by a lock neither count nor lengthen it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Only the failure counters are kept, not a log of every successful sign-in.
AXES_DISABLE_ACCESS_LOG = True
# Number of reverse proxies in front of the app whose X-Forwarded-For can be trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="vi")
LANGUAGES = [("vi", "Tiếng Việt"), ("th", "ไทย"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")
# Celery beat reads its crontab entries (the morning digest) in the shop's time zone.
CELERY_TIMEZONE = TIME_ZONE
USE_I18N = True
# Dates and times: one format per language, day/month/year (crm/formats/).
FORMAT_MODULE_PATH = ["crm.formats"]
USE_TZ = True
LANGUAGE_COOKIE_NAME = "crm_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="VND").upper()
if SHOP_CURRENCY not in ("VND", "THB"):
    raise ImproperlyConfigured("SHOP_CURRENCY must be VND or THB")
SHOP_NAME = env.str("SHOP_NAME", default="")
# Requests a website may send to the order API per minute (beyond: HTTP 429 with Retry-After).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=300)
# The address staff open the app at, for links in e-mails (the morning follow-up digest).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site root (/favicon.ico: PDFs, JSON and error pages have no
# <link rel="icon">), served by WhiteNoise like the static files.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security (production defaults; DEBUG relaxes the HTTPS ones) ---------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list is the domain owner's decision, not the app's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only our own files run or style the page. Templates carry
# no inline <script>, style="" or on*= handlers (behaviour lives in static/js, looks in
# static/css; data for scripts travels in data-* attributes or JSON <script> blocks), and htmx
# is configured not to evaluate code or inject its indicator <style> (templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crm@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failures and locks (WARNING), not every check.
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Heartbeats older than this make the health page report the worker or beat as down.
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=120)

# --- AI sales assistant (assistant/) ------------------------------------------------------------
# A dotted path of an assistant.engine.Engine class; empty: the built-in offline responder.
ASSISTANT_ENGINE = env.str("ASSISTANT_ENGINE", default="")
# Below this confidence (0..1) a reply hands the conversation over to staff.
ASSISTANT_MIN_CONFIDENCE = env.float("ASSISTANT_MIN_CONFIDENCE", default=0.4)
# The shop's flat shipping rule (used when no carrier account quotes the route), in the shop
# currency; free from ASSISTANT_FREE_SHIPPING_FROM of goods value when that is set.
ASSISTANT_SHIPPING_FLAT_FEE = env.str(
    "ASSISTANT_SHIPPING_FLAT_FEE", default="30000" if SHOP_CURRENCY == "VND" else "50"
)
ASSISTANT_FREE_SHIPPING_FROM = env.str("ASSISTANT_FREE_SHIPPING_FROM", default="") or None
# Promises the assistant may state (guardrails.PROMISE_TERMS categories: discount, gift,
# guarantee, free_shipping); none by default.
ASSISTANT_ALLOWED_PROMISES = env.list("ASSISTANT_ALLOWED_PROMISES", default=[])
# The warehouse of the assistant's draft orders (default: the first active main warehouse).
ASSISTANT_WAREHOUSE_ID = env.int("ASSISTANT_WAREHOUSE_ID", default=0)
# Who a call-back request from the assistant is assigned to: "owner" (the first owner) or a
# user id; "" nobody (anyone may take it).
ASSISTANT_CALL_BACK_ASSIGNEE = env.str("ASSISTANT_CALL_BACK_ASSIGNEE", default="owner")
# An OpenAI-compatible chat-completions endpoint (hosted, llama.cpp, vLLM, Ollama): with a base
# URL ("https://host/v1") and a model, and no ASSISTANT_ENGINE, the assistant uses it.
ASSISTANT_LLM_BASE_URL = env.str("ASSISTANT_LLM_BASE_URL", default="")
ASSISTANT_LLM_MODEL = env.str("ASSISTANT_LLM_MODEL", default="")
ASSISTANT_LLM_API_KEY = env.str("ASSISTANT_LLM_API_KEY", default="")
ASSISTANT_LLM_TIMEOUT = env.float("ASSISTANT_LLM_TIMEOUT", default=20.0)  # seconds per request
ASSISTANT_LLM_MAX_RETRIES = env.int("ASSISTANT_LLM_MAX_RETRIES", default=2)  # 429 and 5xx
ASSISTANT_LLM_BACKOFF = env.float("ASSISTANT_LLM_BACKOFF", default=0.5)  # seconds, doubling
ASSISTANT_LLM_MAX_TOOL_ROUNDS = env.int("ASSISTANT_LLM_MAX_TOOL_ROUNDS", default=4)
# Seconds for all the requests of one customer turn (tool rounds, retries) before the assistant
# answers from its templates or hands over.
ASSISTANT_LLM_TURN_BUDGET = env.float("ASSISTANT_LLM_TURN_BUDGET", default=45.0)
ASSISTANT_LLM_HISTORY = env.int("ASSISTANT_LLM_HISTORY", default=12)  # earlier messages sent
if not ASSISTANT_ENGINE and ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL:
    ASSISTANT_ENGINE = "assistant.llm.engine.LLMEngine"
