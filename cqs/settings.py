"""Django settings for CQS.

Every value comes from the environment (django-environ); each variable is documented in
docs/configuration.md. Nothing here is a secret: the demo secret key is generated into var/.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# Lets admin and querysets be subscripted for typing (ModelAdmin[Model]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

CQS_ENV: str = env.str("CQS_ENV", default="development")
if CQS_ENV not in {"development", "test", "production"}:
    msg = f"CQS_ENV must be development, test or production, not {CQS_ENV!r}"
    raise ImproperlyConfigured(msg)
IS_PRODUCTION = CQS_ENV == "production"

VAR_DIR = Path(env.str("CQS_VAR_DIR", default=str(BASE_DIR / "var")))
if not VAR_DIR.is_absolute():
    VAR_DIR = BASE_DIR / VAR_DIR
VAR_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("CQS_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"


def _secret_key() -> str:
    key: str | None = env.str("SECRET_KEY", default=None)
    if key:
        return key
    if IS_PRODUCTION:
        msg = "SECRET_KEY is required when CQS_ENV=production"
        raise ImproperlyConfigured(msg)
    # Demo and development: one random key, generated once and kept in var/.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG: bool = env.bool("CQS_DEBUG", default=False)
if DEBUG and IS_PRODUCTION:
    msg = "CQS_DEBUG must not be on when CQS_ENV=production"
    raise ImproperlyConfigured(msg)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "ninja",
    "cqs.core",
    "cqs.audit",
    "cqs.workdays",
    "cqs.accounts",
    "cqs.units",
    "cqs.catalogue",
    "cqs.notifications",
    "cqs.signing",
    "cqs.dossiers",
    "cqs.payments",
    "cqs.documents",
    "cqs.assistant",
    "cqs.dashboard",
    "cqs.reports",
    "cqs.portal",
    "cqs.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cqs.accounts.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cqs.core.middleware.ApplicationErrorMiddleware",
    # django-axes must be last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cqs.urls"
WSGI_APPLICATION = "cqs.wsgi.application"
ASGI_APPLICATION = "cqs.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cqs" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cqs.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default="sqlite:///var/cqs.sqlite3")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _name = str(_db["NAME"])
    if _name not in {"", ":memory:"} and not Path(_name).is_absolute():
        _db["NAME"] = str(BASE_DIR / _name)
    Path(str(_db["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    _db.setdefault("OPTIONS", {})
    # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue on busy_timeout instead of failing with "database is locked".
    _db["OPTIONS"].update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    _db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://cqs")}

# --- Authentication and security ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cqs.accounts.backends.CqsModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"

# django-axes: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("CQS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("CQS_LOGIN_COOLOFF_MINUTES", default=15.0) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Citizen registration: one-time codes (OTP) and the national e-ID (OpenID Connect).
CQS_OTP_TTL_SECONDS: int = env.int("CQS_OTP_TTL_SECONDS", default=300)
CQS_OTP_MAX_ATTEMPTS: int = env.int("CQS_OTP_MAX_ATTEMPTS", default=5)
CQS_OTP_RESEND_SECONDS: int = env.int("CQS_OTP_RESEND_SECONDS", default=60)
CQS_OTP_MAX_PER_HOUR: int = env.int("CQS_OTP_MAX_PER_HOUR", default=5)
CQS_OIDC_ISSUER: str = env.str("CQS_OIDC_ISSUER", default="")
CQS_OIDC_CLIENT_ID: str = env.str("CQS_OIDC_CLIENT_ID", default="")
CQS_OIDC_CLIENT_SECRET: str = env.str("CQS_OIDC_CLIENT_SECRET", default="")
CQS_OIDC_ID_NUMBER_CLAIM: str = env.str("CQS_OIDC_ID_NUMBER_CLAIM", default="id_number")
CQS_OIDC_PROVIDER_NAME: str = env.str("CQS_OIDC_PROVIDER_NAME", default="VNeID")

SECURE_COOKIES: bool = env.bool("CQS_SECURE_COOKIES", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("CQS_SESSION_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("CQS_HSTS_SECONDS", default=0)

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
    },
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "cqs" / "locale"]
TIME_ZONE: str = env.str("CQS_TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# Working hours of the one-stop desks (Decree 118/2025 leaves them to the province).
CQS_WORKING_HOURS: str = env.str("CQS_WORKING_HOURS", default="07:30-11:30,13:30-17:00")

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "cqs" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "cqs.core.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = env.bool("CQS_STATIC_FINDERS", default=not IS_PRODUCTION)

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="CQS <no-reply@localhost>")

# --- CQS ------------------------------------------------------------------------------------
CQS_SITE_NAME: str = env.str("CQS_SITE_NAME", default="Chính quyền số")
CQS_PROVINCE_NAME: str = env.str("CQS_PROVINCE_NAME", default="Quảng Ninh")
CQS_PUBLIC_BASE_URL: str = env.str("CQS_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
CQS_DEMO_PASSWORD: str = env.str("CQS_DEMO_PASSWORD", default="CQS-demo-2026")
CQS_HOTLINE: str = env.str("CQS_HOTLINE", default="1900 0000")
CQS_SMS_BACKEND: str = env.str("CQS_SMS_BACKEND", default="console")
# When queued notifications leave: "request" (after commit, in the request: tests, demos),
# "thread" (after commit, in a background thread of the web process), "worker" (only the
# `send_notifications --loop` process sends them).
CQS_NOTIFICATIONS_DELIVERY: str = env.str(
    "CQS_NOTIFICATIONS_DELIVERY", default="thread" if IS_PRODUCTION else "request"
)
if CQS_NOTIFICATIONS_DELIVERY not in {"request", "thread", "worker"}:
    msg = "CQS_NOTIFICATIONS_DELIVERY must be request, thread or worker"
    raise ImproperlyConfigured(msg)
CQS_MAX_UPLOAD_MB: int = env.int("CQS_MAX_UPLOAD_MB", default=20)
CQS_PDF_FONT_DIR: str = env.str("CQS_PDF_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
# Base64 uploads through the API are about 4/3 of the file size; several files per request.
DATA_UPLOAD_MAX_MEMORY_SIZE = CQS_MAX_UPLOAD_MB * 1024 * 1024 * 4
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CQS_AUDIT_CHAINS: int = env.int("CQS_AUDIT_CHAINS", default=8)
# Digital signatures (cqs.signing): PKCS#12 key files live under CQS_PKI_DIR, encrypted with
# CQS_PKI_PASSPHRASE (the default is a demo passphrase, refused in production).
CQS_PKI_DIR: str = env.str("CQS_PKI_DIR", default=str(VAR_DIR / "pki"))
CQS_PKI_PASSPHRASE: str = env.str("CQS_PKI_PASSPHRASE", default="CQS-demo-pki")
CQS_SIGNING_REQUIRED: bool = env.bool("CQS_SIGNING_REQUIRED", default=False)
CQS_SIGNING_BACKEND: str = env.str("CQS_SIGNING_BACKEND", default="local")
CQS_SIGNING_TSA_URL: str = env.str("CQS_SIGNING_TSA_URL", default="")
CQS_SIGNING_FETCH_REVOCATION: bool = env.bool("CQS_SIGNING_FETCH_REVOCATION", default=False)
CQS_PKCS11_MODULE: str = env.str("CQS_PKCS11_MODULE", default="/usr/lib/softhsm/libsofthsm2.so")
CQS_PKCS11_PIN: str = env.str("CQS_PKCS11_PIN", default="")
CQS_SIGNING_MAX_MB: int = env.int("CQS_SIGNING_MAX_MB", default=20)
# Document exchange in edXML (cqs.documents): hub endpoint used for recipients without a
# direct peer URL, largest accepted package, HTTP timeout, send right after commit.
CQS_EDXML_HUB_URL: str = env.str("CQS_EDXML_HUB_URL", default="")
CQS_EDXML_HUB_TOKEN: str = env.str("CQS_EDXML_HUB_TOKEN", default="")
CQS_EDXML_MAX_MB: float = env.float("CQS_EDXML_MAX_MB", default=30.0)
CQS_EDXML_TIMEOUT: int = env.int("CQS_EDXML_TIMEOUT", default=20)
CQS_EDXML_SEND_ON_COMMIT: bool = env.bool("CQS_EDXML_SEND_ON_COMMIT", default=True)
# Virtual assistant: optional OpenAI-compatible chat endpoint (off when the URL is empty).
CQS_ASSISTANT_LLM_URL: str = env.str("CQS_ASSISTANT_LLM_URL", default="")
CQS_ASSISTANT_LLM_MODEL: str = env.str("CQS_ASSISTANT_LLM_MODEL", default="")
CQS_ASSISTANT_LLM_KEY: str = env.str("CQS_ASSISTANT_LLM_KEY", default="")
# Field reports (phản ánh hiện trường): reopen/dispute window, photo size, escalation, map.
CQS_REPORTS_REOPEN_DAYS: int = env.int("CQS_REPORTS_REOPEN_DAYS", default=7)
CQS_REPORTS_PHOTO_MAX_MB: float = env.float("CQS_REPORTS_PHOTO_MAX_MB", default=10.0)
CQS_REPORTS_NEAR_HOURS: float = env.float("CQS_REPORTS_NEAR_HOURS", default=4.0)
CQS_REPORTS_NEARBY_METERS: int = env.int("CQS_REPORTS_NEARBY_METERS", default=200)
# Empty: the map draws markers on a plain background and loads nothing from elsewhere.
CQS_MAP_TILE_URL: str = env.str("CQS_MAP_TILE_URL", default="")
CQS_MAP_TILE_ATTRIBUTION: str = env.str("CQS_MAP_TILE_ATTRIBUTION", default="")
if CQS_MAP_TILE_URL:
    # Tiles are images from the tile server's origin ("{s}" subdomains become "*").
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(CQS_MAP_TILE_URL.replace("{s}", "*"))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
# Payments (VNPAY 2.1.0). Empty URL: the built-in sandbox gateway at /sandbox-vnpay/ is used.
CQS_VNPAY_URL: str = env.str("CQS_VNPAY_URL", default="")
CQS_VNPAY_TMN_CODE: str = env.str("CQS_VNPAY_TMN_CODE", default="CQSDEMO1")
CQS_VNPAY_HASH_SECRET: str = env.str("CQS_VNPAY_HASH_SECRET", default="")
# The merchant API (transaction query, "querydr"); empty: the sandbox's, when it is on.
CQS_VNPAY_API_URL: str = env.str("CQS_VNPAY_API_URL", default="")
# The sandbox takes no real money: never on by default in production.
CQS_PAYMENT_SANDBOX: bool = env.bool(
    "CQS_PAYMENT_SANDBOX", default=not CQS_VNPAY_URL and not IS_PRODUCTION
)
CQS_PAYMENT_EXPIRE_MINUTES: int = env.int("CQS_PAYMENT_EXPIRE_MINUTES", default=15)
CQS_RECEIPT_TEMPLATE: str = env.str("CQS_RECEIPT_TEMPLATE", default="01BLP0-001")
CQS_RECEIPT_SERIES: str = env.str("CQS_RECEIPT_SERIES", default="CQ/{yy}E")
if not CQS_VNPAY_HASH_SECRET:
    if CQS_VNPAY_URL and IS_PRODUCTION:
        msg = "CQS_VNPAY_HASH_SECRET is required when CQS_VNPAY_URL is set in production"
        raise ImproperlyConfigured(msg)
    _vnpay_secret = VAR_DIR / "vnpay_sandbox_secret"  # the sandbox's merchant secret
    if not _vnpay_secret.exists():
        _vnpay_secret.write_text(secrets.token_hex(16).upper())
        _vnpay_secret.chmod(0o600)
    CQS_VNPAY_HASH_SECRET = _vnpay_secret.read_text().strip()
if CQS_VNPAY_URL:
    # The "Thanh toán" form redirects to the gateway; CSP form-action covers the redirect.
    from urllib.parse import urlsplit as _urlsplit

    _gw = _urlsplit(CQS_VNPAY_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_gw.scheme}://{_gw.netloc}")
API_TOKEN_PREFIX = "cqs_"  # noqa: S105 - a marker, not a secret

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("CQS_LOG_LEVEL", default="INFO")},
    # fontTools logs every table of every font it subsets (each PDF form) at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "cqs.core.views.csrf_failure"
