"""One settings module for Bistånd, configured from the environment.

DATABASE_URL selects the database (SQLite file by default, PostgreSQL in production).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from bistand.audit.keys import DEV_KEY, DEV_KEY_ID
from bistand.ops import config as ops_config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def _env_flag(name: str, default: bool) -> bool:
    """A yes/no setting: 1/true/yes/on or 0/false/no/off; anything else refuses to start."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {value!r}).")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {value!r}).") from None


DEBUG = os.environ.get("BISTAND_DEBUG", "1") == "1"

# Signs sessions, CSRF tokens and password-reset links. With debug on and no key, a marked
# development key (check --deploy flags its "django-insecure-" prefix); debug off and no key, or
# the development key itself: refuse to start (README, "Production settings").
DEV_SECRET_KEY = "django-insecure-bistand-development-only-never-use-in-production"
SECRET_KEY = os.environ.get("BISTAND_SECRET_KEY", "").strip()

# The access log's HMAC key, kept outside the database (docs/audit.md). BISTAND_AUDIT_KEY or a
# file holding it; BISTAND_AUDIT_KEY_ID names it in every row so keys can rotate (retired keys:
# one `id:secret` per line). With debug on and no key, a marked development key; debug off and
# no key: refuse to start.
BISTAND_AUDIT_KEY = os.environ.get("BISTAND_AUDIT_KEY", "")
BISTAND_AUDIT_KEY_FILE = os.environ.get("BISTAND_AUDIT_KEY_FILE", "")
BISTAND_AUDIT_KEY_ID = os.environ.get("BISTAND_AUDIT_KEY_ID", "1")
BISTAND_AUDIT_RETIRED_KEYS_FILE = os.environ.get("BISTAND_AUDIT_RETIRED_KEYS_FILE", "")
if not (BISTAND_AUDIT_KEY or BISTAND_AUDIT_KEY_FILE):
    if not DEBUG:
        raise ImproperlyConfigured(
            "BISTAND_AUDIT_KEY or BISTAND_AUDIT_KEY_FILE must be set when BISTAND_DEBUG=0: "
            "the access log is signed with a key kept outside the database (docs/audit.md)."
        )
    BISTAND_AUDIT_KEY, BISTAND_AUDIT_KEY_ID = DEV_KEY, DEV_KEY_ID
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "BISTAND_SECRET_KEY must be set to a long random secret when BISTAND_DEBUG=0: "
        "the built-in development key is refused in production. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
# Signed chain heads (`bistand audit-anchor`): an append-only file, and syslog when set
# (BISTAND_AUDIT_SYSLOG: a socket path such as /dev/log, or host:port for UDP).
BISTAND_AUDIT_ANCHOR_FILE = Path(
    os.environ.get("BISTAND_AUDIT_ANCHOR_FILE", str(PROJECT_DIR / "var" / "audit-anchors.jsonl"))
)
BISTAND_AUDIT_SYSLOG = os.environ.get("BISTAND_AUDIT_SYSLOG", "")
# Independent keyed chains of the access log (docs/audit.md, "Chains"): a request appends to
# a chain no other open transaction holds, so page reads do not queue on one chain head.
BISTAND_AUDIT_CHAINS = max(1, int(os.environ.get("BISTAND_AUDIT_CHAINS", "16")))
# Loggkontroll's monthly report: a user reading more than this many distinct cases (or persons)
# in one day is listed as a mass read (cases.access_review).
BISTAND_MASS_READ_THRESHOLD = int(os.environ.get("BISTAND_MASS_READ_THRESHOLD", "50"))

ALLOWED_HOSTS = os.environ.get("BISTAND_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    # Django's admin with Bistånd's site: configuration only, system administrators only.
    "bistand.organisation.admin_apps.BistandAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "bistand.core",
    "bistand.audit",
    "bistand.organisation",
    "bistand.jobs",
    "bistand.households",
    "bistand.norms",
    "bistand.cases",
    "bistand.decisions",
    "bistand.payments",
    "bistand.workplans",
    "bistand.activity",
    "bistand.controls",
    "bistand.statistics",
    "bistand.portal",
    "bistand.demo",
    "bistand.ops",
]

MIDDLEWARE = [
    # First: the request id, one JSON log line and the metrics for every request; then the
    # probes (/healthz, /readyz, /metrics), answered before the host and HTTPS checks so that
    # a load balancer or container health check reaches them by address over plain HTTP.
    "bistand.ops.middleware.RequestLogMiddleware",
    "bistand.ops.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bistand.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bistand.organisation.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bistand.core.middleware.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bistand.audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # After authentication: chefs, finance and administrators who logged in locally give a
    # TOTP code before any page (bistand.organisation.second_factor).
    "bistand.organisation.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "bistand.urls"
WSGI_APPLICATION = "bistand.wsgi.application"

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
                "django.template.context_processors.i18n",
                "bistand.organisation.context_processors.staff_navigation",
            ],
            "builtins": ["bistand.core.templatetags.bistand_format"],
        },
    },
]

# Form widgets are rendered with Django's Jinja2 form templates (the admin's own widget
# templates with Django's): bistand.core.renderers. Page templates stay Django templates.
FORM_RENDERER = "bistand.core.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}"),
        conn_max_age=0,
    )
}
DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"].update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
else:
    # PostgreSQL: a bounded psycopg pool per process (BISTAND_DB_POOL_MAX, default one
    # connection per server thread; 0 turns it off), so that a burst of requests waits for a
    # connection instead of opening one per thread until PostgreSQL refuses clients (issue
    # #15). The pool needs CONN_MAX_AGE 0. docs/OPERATIONS.md has the sizing arithmetic.
    _pool = ops_config.pool_config()
    if _pool is not None:
        DATABASES["default"]["OPTIONS"]["pool"] = _pool.as_option()
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Set by `bistand serve` (default 30 s): no web request holds a statement longer.
    # Management commands (statistics rebuilds, payment runs) keep no limit.
    _statement_timeout = int(os.environ.get("BISTAND_DB_STATEMENT_TIMEOUT", "0") or 0)
    if _statement_timeout > 0:
        DATABASES["default"]["OPTIONS"]["options"] = (
            f"-c statement_timeout={_statement_timeout * 1000}"
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisation.User"

# Passwords hashed with Argon2id at the OWASP cheat sheet's parameters (19 MiB, 2 passes, 1
# lane; organisation/hashers.py); hashes made with Django's defaults verify and are rehashed
# at the next log-in (issue #15).
PASSWORD_HASHERS = [
    "bistand.organisation.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's validators; their messages come in Swedish from Django's own sv translation.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The municipality's single sign-on (OpenID Connect); answers only the SSO callback.
    "bistand.organisation.sso.OIDCBackend",
]

# Failed logins throttled (django-axes, bistand.organisation.lockout): an account locks after 5
# failures from any address, an address after 20 failures against any accounts; 15 minutes.
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = int(os.environ.get("BISTAND_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("BISTAND_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_FAILURE_LIMIT = "bistand.organisation.lockout.failure_limit"
AXES_HANDLER = "bistand.organisation.lockout.LockoutHandler"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lockouts are not kept in the admin (changes there are audited through our own admin
# classes); clear one with `bistand axes_reset_username <name>`.
AXES_ENABLE_ADMIN = False

# Second factor (django-otp, TOTP with static backup codes) for local logins of these roles and
# of superusers; SSO logins are exempt (the municipality's identity provider does MFA).
SECOND_FACTOR_ROLES = ["section_head", "unit_head", "finance", "system_admin", "controller"]
OTP_TOTP_ISSUER = os.environ.get("BISTAND_TOTP_ISSUER", "Bistånd")
# Backup codes handed out at enrolment and by an administrator's reset.
SECOND_FACTOR_BACKUP_CODES = 10

# Single sign-on over OpenID Connect (mozilla-django-oidc, bistand.organisation.sso). On when a
# client id and either an issuer (endpoints read from its discovery document on first use) or
# explicit endpoints are set. Accounts are never created from SSO: an unknown user is refused,
# since roles and sections are set by the administrator.
OIDC_RP_CLIENT_ID = os.environ.get("BISTAND_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("BISTAND_OIDC_CLIENT_SECRET", "")
BISTAND_OIDC_ISSUER = os.environ.get("BISTAND_OIDC_ISSUER", "").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("BISTAND_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("BISTAND_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("BISTAND_OIDC_JWKS_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("BISTAND_OIDC_USERINFO_ENDPOINT", "")
OIDC_RP_SCOPES = os.environ.get("BISTAND_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.environ.get("BISTAND_OIDC_SIGN_ALGO", "RS256")
# The claim that names the staff member, matched (case-insensitively) against this User field.
BISTAND_OIDC_USERNAME_CLAIM = os.environ.get("BISTAND_OIDC_USERNAME_CLAIM", "preferred_username")
BISTAND_OIDC_USER_FIELD = os.environ.get("BISTAND_OIDC_USER_FIELD", "username")
if BISTAND_OIDC_USER_FIELD not in {"username", "email"}:
    raise ImproperlyConfigured(
        f"BISTAND_OIDC_USER_FIELD must be username or email (got {BISTAND_OIDC_USER_FIELD!r})."
    )
# Read the userinfo endpoint too (claims missing from the ID token); off: the signed ID token only.
BISTAND_OIDC_USE_USERINFO = _env_flag("BISTAND_OIDC_USE_USERINFO", False)
BISTAND_OIDC_BUTTON_LABEL = os.environ.get("BISTAND_OIDC_BUTTON_LABEL", "")
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = _env_int("BISTAND_OIDC_TIMEOUT", 10)
OIDC_STORE_ID_TOKEN = False
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "login"

# The applicant's e-service (bistand.portal, docs/portal.md). The test e-ID login accepts only
# Skatteverket's test personal numbers; it exists for the demo and tests and is refused when
# debug is off (the URL answers 404 and the system check portal.E001 stops the start).
BISTAND_PORTAL_TEST_EID = _env_flag("BISTAND_PORTAL_TEST_EID", DEBUG)
# The e-service's address, added to the "news on Mina sidor" e-mail/SMS (portal.notifications).
BISTAND_PORTAL_URL = os.environ.get("BISTAND_PORTAL_URL", "")

# The applicant's e-ID log-in over OpenID Connect (portal.oidc, docs/portal.md): the
# municipality's identity provider or e-ID broker (BankID, Freja). Separate from staff SSO: its
# own client, its own redirect URI (/e-tjanst/login/e-legitimation/klar/) and session keys.
# Offered only when an issuer and a client id are set; otherwise its URLs answer 404.
BISTAND_PORTAL_OIDC_ISSUER = os.environ.get("BISTAND_PORTAL_OIDC_ISSUER", "").rstrip("/")
BISTAND_PORTAL_OIDC_CLIENT_ID = os.environ.get("BISTAND_PORTAL_OIDC_CLIENT_ID", "")
BISTAND_PORTAL_OIDC_CLIENT_SECRET = os.environ.get("BISTAND_PORTAL_OIDC_CLIENT_SECRET", "")
BISTAND_PORTAL_OIDC_SCOPES = os.environ.get("BISTAND_PORTAL_OIDC_SCOPES", "openid")
BISTAND_PORTAL_OIDC_SIGN_ALGO = os.environ.get("BISTAND_PORTAL_OIDC_SIGN_ALGO", "RS256")
# The ID token claim holding the personal identity number (Swedish e-ID brokers' name).
BISTAND_PORTAL_OIDC_IDENTITY_CLAIM = os.environ.get(
    "BISTAND_PORTAL_OIDC_IDENTITY_CLAIM", "personal_identity_number"
)
# Optional acr_values asked of the provider (e.g. a level of assurance); empty: none.
BISTAND_PORTAL_OIDC_ACR_VALUES = os.environ.get("BISTAND_PORTAL_OIDC_ACR_VALUES", "")

# Sessions expire after 30 minutes of inactivity.
SESSION_COOKIE_AGE = int(os.environ.get("BISTAND_SESSION_SECONDS", str(30 * 60)))
# Idle timeout: a logged-in session's expiry moves to now + SESSION_COOKIE_AGE when it is
# saved, at most once per SESSION_REFRESH_SECONDS (organisation.middleware.
# SessionIdleRefreshMiddleware) instead of an UPDATE and commit on every request (issue #15).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Transport and browser security (README, "Production settings"). Debug off means production:
# Secure cookies, HTTPS redirect and HSTS are on unless turned off explicitly.
SECURE_COOKIES = _env_flag("BISTAND_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SECURE_COOKIES
# htmx sends the token from the page (hx-headers on <body>, base.html), never from the cookie,
# so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("BISTAND_CSRF_TRUSTED_ORIGINS", "").split(",") if origin
]
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_SSL_REDIRECT = _env_flag("BISTAND_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = _env_int("BISTAND_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("BISTAND_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload token does nothing until the domain's owner submits the apex domain to the
# browsers' preload list; it is sent so that the choice lies with them.
SECURE_HSTS_PRELOAD = _env_flag("BISTAND_HSTS_PRELOAD", not DEBUG)


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """`X-Forwarded-Proto: https` -> ("HTTP_X_FORWARDED_PROTO", "https")."""
    if not value.strip():
        return None
    name, colon, expected = value.partition(":")
    if not colon or not name.strip() or not expected.strip():
        raise ImproperlyConfigured(
            f"BISTAND_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https' (got {value!r})."
        )
    return "HTTP_" + name.strip().upper().replace("-", "_"), expected.strip()


# Only behind a proxy that terminates TLS and always sets (never passes on) this header.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(os.environ.get("BISTAND_PROXY_SSL_HEADER", ""))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only this origin's files run or style a page; no inline
# script, no eval, no inline style, no framing. Templates keep behaviour in static/bistand/site.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
# One date and time format in every language (bistand/formats, issue #13).
FORMAT_MODULE_PATH = ["bistand.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("BISTAND_STATIC_ROOT", str(PROJECT_DIR / "build" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files straight from the apps (no collectstatic step for `make run`).
# The container image runs collectstatic with BISTAND_STATIC_COLLECTED=1: compressed files with
# a hash in their names, served from STATIC_ROOT with a year's cache lifetime.
BISTAND_STATIC_COLLECTED = os.environ.get("BISTAND_STATIC_COLLECTED", "0") == "1"
WHITENOISE_USE_FINDERS = not BISTAND_STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = DEBUG and not BISTAND_STATIC_COLLECTED
if BISTAND_STATIC_COLLECTED:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
MEDIA_ROOT = Path(os.environ.get("BISTAND_MEDIA_ROOT", str(PROJECT_DIR / "media")))
# Uploaded documents: size and type checked in cases.services.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "bistand.organisation.api_auth.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's pages carry inline styles the CSP refuses; /api/docs/ is
    # the browsable view.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's defaults, with a JSON parser that answers NaN and deep nesting with a 400.
    "DEFAULT_SCHEMA_CLASS": "bistand.core.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "bistand.core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "bistand.core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "bistand.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bistånd API",
    "DESCRIPTION": "Case handling for economic assistance. Every read and write is access-logged.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI are for staff with a login; Swagger UI is served from the
    # installed drf-spectacular-sidecar package (static files), never from a CDN.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # About 200 operations: the tags start folded (the reader opens the one they need), and a
    # filter box finds an operation. Rendering every operation at once stalled Swagger UI's
    # page in the browser test (README, "The API").
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "filter": True, "deepLinking": True},
    "REDOC_DIST": "SIDECAR",
    # Every operation also documents its error answers (400/403/404/415; bistand/core/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bistand.core.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CheckAssessmentEnum": "bistand.controls.models.Assessment",
        "CaseStatusEnum": "bistand.cases.models.CaseStatus",
        "ApplicationStatusEnum": "bistand.cases.models.ApplicationStatus",
        "ApplicationKindEnum": "bistand.cases.models.ApplicationKind",
        "JournalKindEnum": "bistand.cases.models.JournalKind",
        "StaffRoleEnum": "bistand.organisation.models.Role",
        "RuleVersionStateEnum": "bistand.norms.models.VersionState",
        "MemberRoleEnum": "bistand.households.models.MemberRole",
        "FollowUpMethodEnum": "bistand.workplans.models.FollowUpMethod",
        "DecisionOutcomeEnum": "bistand.decisions.models.Outcome",
        "CourtOutcomeEnum": "bistand.decisions.models.CourtOutcome",
        "DispatchChannelEnum": "bistand.decisions.models.DispatchChannel",
        "ApplicationChannelEnum": "bistand.cases.models.ApplicationChannel",
        "ReceiptBasisEnum": "bistand.decisions.models.ReceiptBasis",
        "ReconsiderationEnum": "bistand.decisions.models.Reconsideration",
        "ReviewResultEnum": "bistand.decisions.models.ReviewResult",
        "InterventionResultEnum": "bistand.workplans.models.InterventionResult",
        "FraudReportKindEnum": "bistand.controls.models.FraudReportKind",
        "InvestigationOutcomeEnum": "bistand.controls.models.InvestigationOutcome",
        "FlagStatusEnum": "bistand.controls.models.FlagStatus",
        "InvestigationStatusEnum": "bistand.controls.models.InvestigationStatus",
        "ProtectionKindEnum": "bistand.households.models.ProtectionKind",
    },
}

# Logs: one JSON object a line (BISTAND_LOG_FORMAT=json, the default without debug and under
# `bistand serve`) with the request id and the acting user's id; never names, identity
# numbers, query strings or exception messages (which may quote a row). docs/OPERATIONS.md.
BISTAND_LOG_FORMAT = os.environ.get("BISTAND_LOG_FORMAT", "text" if DEBUG else "json")
BISTAND_LOG_LEVEL = os.environ.get("BISTAND_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "bistand.ops.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "bistand.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if BISTAND_LOG_FORMAT == "json" else "text",
            "filters": ["request"],
        }
    },
    "loggers": {
        "bistand": {"handlers": ["console"], "level": BISTAND_LOG_LEVEL},
        "django": {"handlers": ["console"], "level": "INFO"},
    },
}
if BISTAND_AUDIT_SYSLOG:
    _host, _, _port = BISTAND_AUDIT_SYSLOG.rpartition(":")
    LOGGING["handlers"]["audit_syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "address": (_host, int(_port)) if _host and _port.isdigit() else BISTAND_AUDIT_SYSLOG,
        "facility": "auth",
    }
    LOGGING["loggers"]["bistand.audit.anchor"] = {"handlers": ["audit_syslog"], "level": "INFO"}

# Health and metrics (bistand.ops): /metrics answers the loopback address without a token
# (not through a proxy) and anyone presenting `Authorization: Bearer BISTAND_METRICS_TOKEN`.
BISTAND_METRICS_TOKEN = os.environ.get("BISTAND_METRICS_TOKEN", "")
BISTAND_METRICS_ALLOW_LOCAL = os.environ.get("BISTAND_METRICS_ALLOW_LOCAL", "1") == "1"
# The task queue (bistand.jobs, docs/OPERATIONS.md "Background jobs"): Celery with this broker
# (redis://, amqp://), checked by /readyz; unset, every job runs at once in the calling process.
BISTAND_BROKER_URL = os.environ.get("BISTAND_BROKER_URL", "")
BISTAND_BEAT_SCHEDULE_FILE = Path(
    os.environ.get("BISTAND_BEAT_SCHEDULE_FILE", str(PROJECT_DIR / "var" / "celerybeat-schedule"))
)
# Who the nightly repeat-decision batch acts as (a user allowed to run it); unset, the nightly
# run only assesses (a dry run) and reports.
BISTAND_DECIDE_BATCH_USER = os.environ.get("BISTAND_DECIDE_BATCH_USER", "")
# Notifications: e-mail through Django's e-mail backend (console with debug, SMTP without),
# SMS through a pluggable backend (a dotted path to a class with send(to, text)).
EMAIL_BACKEND = os.environ.get(
    "BISTAND_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("BISTAND_EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("BISTAND_EMAIL_PORT", 25)
EMAIL_USE_TLS = _env_flag("BISTAND_EMAIL_USE_TLS", False)
EMAIL_HOST_USER = os.environ.get("BISTAND_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BISTAND_EMAIL_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("BISTAND_EMAIL_FROM", "bistand@localhost")
BISTAND_SMS_BACKEND = os.environ.get(
    "BISTAND_SMS_BACKEND", "bistand.jobs.notifications.ConsoleSmsBackend"
)

# Local demo municipality name (shown in the header).
MUNICIPALITY_NAME = os.environ.get("BISTAND_MUNICIPALITY", "Exempelkommun")
