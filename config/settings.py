"""PiqueTickets settings: one module, every value read from the environment.

Embedded defaults need no server (SQLite, local-memory cache, a filesystem Celery broker,
console email, local media, the test payment provider). ``DATABASE_URL`` and ``REDIS_URL``
switch to PostgreSQL and Redis. With ``DEBUG`` off the process refuses to start without
``SECRET_KEY`` and ``ALLOWED_HOSTS``. Every variable is listed in ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.urls import reverse_lazy

from piquetickets.core.csp import REPORT_GROUP, media_origins
from piquetickets.storefront.tracking import meta_pixel_policy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local ``.env`` fills in what the real environment leaves unset; ENV_FILE="" turns it off.
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-dev-only-key-change-me-0123456789-abcdefghijklmnop"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:" + env.str("PORT", default="8080")).rstrip("/")

# --- Applications ---------------------------------------------------------------------------

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # /sitemap.xml (piquetickets/storefront/views/seo.py)
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "anymail",
    "allauth",  # the portal's sign-in, password reset and two-factor (docs/portal.md)
    "allauth.account",
    "allauth.mfa",
    "waffle",  # feature flags (piquetickets/flags: per user, group, percentage and producer)
    "piquetickets.core",
    "piquetickets.accounts",
    "piquetickets.producers",
    "piquetickets.venues",
    "piquetickets.performers",
    "piquetickets.shows",
    "piquetickets.orders",
    "piquetickets.payments",
    "piquetickets.checkin",
    "piquetickets.subscribers",
    "piquetickets.emails",
    "piquetickets.knowledge",
    "piquetickets.flags",
    "piquetickets.api",
    "piquetickets.storefront",
    "piquetickets.checkin_app",
    "piquetickets.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "piquetickets.core.csp.ContentSecurityPolicyMiddleware",  # outside WhiteNoise: static files get it too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "waffle.middleware.WaffleMiddleware",  # keeps a browser's percentage draw of a flag in a cookie
    "piquetickets.core.views.OutageMiddleware",  # last: the first to see a view's exception
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: "example.com" means https://

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
                "piquetickets.storefront.tracking.meta_pixel",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

VAR_DIR.mkdir(exist_ok=True)  # embedded database, media, queue and results live here
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    # Lock waits end in a 503 "try again in a moment" (core.outages) instead of piling up requests.
    lock_timeout_ms = env.int("DATABASE_LOCK_TIMEOUT_MS", default=5000)
    # JIT compiling is for long analytic queries: on a page's short ones a poor row estimate made it cost
    # 15 ms of compiling for a 1 ms query.
    DATABASES["default"]["OPTIONS"]["options"] = f"-c lock_timeout={lock_timeout_ms} -c jit=off"
    # Parameters travel apart from the SQL, which psycopg then prepares once it has seen a statement
    # a few times: no quoting of every value in Python and no planning of every INSERT.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the web process, worker and beat share the embedded database without "database is locked".
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not memory, so a real Celery worker or server process in the tests can open it too.
    # TEST_DATABASE_NAME lets two test runs on one checkout keep apart.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=str(VAR_DIR / "test.sqlite3"))}

# --- Cache and Celery -----------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "piquetickets.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pique"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "piquetickets",
        }
    }

# How long checkout may serve a show's catalogue (show, fee settings, ticket types) from the cache;
# every change to them forgets it at once. Only a cache shared by all processes can be told of
# changes made in another one, so it is off (0) without Redis.
CHECKOUT_CATALOGUE_SECONDS = env.int("CHECKOUT_CATALOGUE_SECONDS", default=30 if REDIS_URL else 0)

# How long the storefront's public pages (show pages, /, /shows/, profiles, the sitemap) are served
# from the cache; an edit forgets them at once, so this bounds how old "only N left" can be
# (core/pagecache.py). 0 turns the page cache off (the default while DEBUG is on).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=0 if DEBUG else 5)
# How long a show page's rows (show, venue, producer, design, performers, ticket types: not tickets
# left, which are read on every render) are kept in the cache between renders; the same edits that
# forget the page forget them (core/pagecache.kept_rows). Needs a cache shared by all processes: off
# (0) without Redis, and while DEBUG is on.
PAGE_DATA_SECONDS = env.int("PAGE_DATA_SECONDS", default=30 if REDIS_URL and not DEBUG else 0)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{VAR_DIR / 'celery' / 'results'}"
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "celery")))
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# No web request waits for a task's result; without this the Redis result store subscribes on every
# send and, with Redis down, retries for 20 seconds before failing the request.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=4)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=100)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "release-expired-holds": {"task": "orders.release_expired_holds", "schedule": 60.0},
    "reconcile-payments": {"task": "orders.reconcile_payments", "schedule": 600.0},
    "retry-failed-emails": {"task": "emails.retry_failed", "schedule": 60.0},
    "make-missing-image-variants": {"task": "core.make_missing_image_variants", "schedule": 600.0},
    "retry-meta-purchases": {"task": "orders.retry_meta_purchases", "schedule": 60.0},  # no-op unless on
}

HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# --- Auth, i18n, time -----------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the admin's sign-in
    "allauth.account.auth_backends.AuthenticationBackend",  # the portal's: username or email
]
# Pages that need a signed-in user send people to the portal's sign-in (the admin keeps its own).
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"

# django-allauth: the portal's accounts (sign in, out, password reset and change, TOTP two-factor).
# No one signs up: producers' team members join by invitation (piquetickets/producers/services.py).
ACCOUNT_ADAPTER = "piquetickets.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "piquetickets.accounts.forms.SignInForm",
    "reset_password": "piquetickets.accounts.forms.PasswordResetForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # an invitation's link proves the address
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for an unknown address sends nothing (same answer)
ACCOUNT_SESSION_REMEMBER = None  # "Keep me signed in" on the sign-in form; else the session ends with the browser
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "PiqueTickets: "
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password was changed", "two-factor turned on": a warning if it wasn't you
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Failed sign-ins: per address (ip) and per account (key, the username or email typed); password
# reset requests likewise. Counted in the cache (Redis when REDIS_URL is set).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "reset_password": env.str("RATE_LIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PiqueTickets"

# Feature flags (django-waffle), managed in the admin: on for everyone, per user, group, producer or
# percentage (piquetickets/flags/models.py; docs/portal-insight.md). An unknown flag is off.
WAFFLE_FLAG_MODEL = "flags.Flag"
WAFFLE_ENABLE_ADMIN_PAGES = False  # piquetickets/flags/admin.py registers flags in the admin's look
WAFFLE_SECURE = not DEBUG  # the percentage draw's cookie: HTTPS only, except in development

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Money ----------------------------------------------------------------------------------

DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="USD")
# The platform's fee policy; a producer's payout account may override the platform fee.
FEES = {
    "PLATFORM_PERCENT": env.str("FEE_PLATFORM_PERCENT", default="3.0"),
    "PLATFORM_FIXED_PER_TICKET": env.str("FEE_PLATFORM_FIXED_PER_TICKET", default="0.99"),
    "PROCESSING_PERCENT": env.str("FEE_PROCESSING_PERCENT", default="2.9"),
    "PROCESSING_FIXED_PER_ORDER": env.str("FEE_PROCESSING_FIXED_PER_ORDER", default="0.30"),
    "PASSED_TO_BUYER": env.bool("FEES_PASSED_TO_BUYER", default=True),
}
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="test")
if PAYMENT_PROVIDER not in {"test", "stripe"}:
    raise ImproperlyConfigured(f"PAYMENT_PROVIDER must be 'test' or 'stripe', not {PAYMENT_PROVIDER!r}.")
ALLOW_TEST_PAYMENTS = env.bool("ALLOW_TEST_PAYMENTS", default=DEBUG)
if PAYMENT_PROVIDER == "test" and not ALLOW_TEST_PAYMENTS:
    raise ImproperlyConfigured(
        "The test payment provider is refused with DEBUG off; set PAYMENT_PROVIDER=stripe "
        "or ALLOW_TEST_PAYMENTS=true for a staging site."
    )
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
if PAYMENT_PROVIDER == "stripe" and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.")

# --- Static and media -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Browser libraries from the npm registry (package-lock.json; `npm ci` in `make setup` and the image).
# Only when installed, so the checks still load before `npm ci` has run.
if (BASE_DIR / "node_modules" / "jsqr" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/jsqr", BASE_DIR / "node_modules" / "jsqr" / "dist"))
if (BASE_DIR / "node_modules" / "htmx.org" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = False
AWS_S3_FILE_OVERWRITE = False

STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if AWS_STORAGE_BUCKET_NAME
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development WhiteNoise serves straight from the apps' static folders; production serves the
# collected, hashed files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Folders searched, in order, for the PDF tickets' fonts (piquetickets/core/fonts.py; `make fonts`).
TICKET_FONT_DIRS = env.list(
    "TICKET_FONT_DIRS",
    default=["/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/droid", "/usr/share/fonts/truetype/nanum"],
)

# --- Email ----------------------------------------------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PiqueTickets <tickets@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ANYMAIL = {
    "AMAZON_SES_CLIENT_PARAMS": {"region_name": env.str("AWS_SES_REGION_NAME", default="us-east-1")},
    "AMAZON_SES_CONFIGURATION_SET_NAME": env.str("AWS_SES_CONFIGURATION_SET", default="") or None,
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or None,
}
if ANYMAIL["WEBHOOK_SECRET"] and ":" not in ANYMAIL["WEBHOOK_SECRET"]:
    raise ImproperlyConfigured('ANYMAIL_WEBHOOK_SECRET must be "user:password" (HTTP basic auth).')
if not DEBUG and EMAIL_BACKEND.startswith("anymail.") and not ANYMAIL["WEBHOOK_SECRET"]:
    # Without it anymail's tracking webhook accepts anyone's posts: fake bounces and complaints.
    raise ImproperlyConfigured("An anymail EMAIL_BACKEND needs ANYMAIL_WEBHOOK_SECRET when DEBUG is off.")
# Attempts (the first included) before a failing email is given up; retries back off 1, 2, 4 … 60 minutes.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)
EMAIL_TIMEOUT = 30  # seconds an SMTP connection may hang (a stuck send would block its retry)

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "piquetickets.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "piquetickets.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "piquetickets.api.pagination.Pagination",
    # JSON only: the browsable HTML renderer would list related objects in its forms.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "piquetickets.api.throttling.ClientBudgetThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        "write": env.str("THROTTLE_WRITE", default="60/min"),
    },
    "EXCEPTION_HANDLER": "piquetickets.api.exceptions.api_exception_handler",
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Door links: scans per link (a venue's devices share one address), and failed token lookups per
# address before it is refused (guessing).
THROTTLE_CHECKIN = env.str("THROTTLE_CHECKIN", default="1200/min")
THROTTLE_CHECKIN_BAD_TOKENS = env.str("THROTTLE_CHECKIN_BAD_TOKENS", default="30/hour")
SPECTACULAR_SETTINGS = {
    "TITLE": "PiqueTickets API",
    "DESCRIPTION": "Shows, tickets, orders and check-in for independent producers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ShowStatusEnum": ["draft", "published"],
        "OrderStatusEnum": "piquetickets.orders.models.Order.Status",
        "RefundStatusEnum": "piquetickets.orders.models.Refund.Status",
        "AttendeeStatusEnum": "piquetickets.orders.models.TicketAttendee.Status",
    },
}

# --- Meta Pixel and Conversions API ---------------------------------------------------------
# Off unless META_PIXEL_ID is set; then the storefront's pages load Meta's pixel (the one third-party
# script the site may load; the CSP below lets it in) and, with META_CONVERSIONS_API_TOKEN too, the
# worker tells the Conversions API of each purchase. docs/meta-pixel.md explains it.
META_PIXEL_ID = env.str("META_PIXEL_ID", default="")
if META_PIXEL_ID and not META_PIXEL_ID.isdigit():
    raise ImproperlyConfigured("META_PIXEL_ID must be the pixel's number (digits only).")
META_CONVERSIONS_API_TOKEN = env.str("META_CONVERSIONS_API_TOKEN", default="")
META_GRAPH_API_BASE = env.str("META_GRAPH_API_BASE", default="https://graph.facebook.com").rstrip("/")
META_GRAPH_API_VERSION = env.str("META_GRAPH_API_VERSION", default="v25.0")
META_TEST_EVENT_CODE = env.str("META_TEST_EVENT_CODE", default="")  # Events Manager's "Test events"
META_CONVERSIONS_API_TIMEOUT = env.float("META_CONVERSIONS_API_TIMEOUT", default=10.0)

# --- Security -------------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "piquetickets.core.views.csrf_failure"  # styled, and no inline style for the CSP to block
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Content-Security-Policy ----------------------------------------------------------------
# Sent on every response (django-csp, through piquetickets.core.csp). No inline script or style on
# any page: scripts and stylesheets are files served by the app. docs/security.md explains it.

# Uploaded images served from elsewhere (an absolute MEDIA_URL or the S3 bucket).
CSP_MEDIA_ORIGINS = media_origins(
    media_url=MEDIA_URL,
    custom_domain=AWS_S3_CUSTOM_DOMAIN,
    bucket=AWS_STORAGE_BUCKET_NAME,
    region=AWS_S3_REGION_NAME,
    endpoint_url=AWS_S3_ENDPOINT_URL,
)
# Chromium applies form-action to where a form's answer redirects too, so a form whose view sends the
# buyer on to Stripe Checkout, or the producer on to Stripe's onboarding or Express dashboard (Connect),
# needs Stripe's origins here.
STRIPE_FORM_ACTION_ORIGINS = ["https://checkout.stripe.com", "https://connect.stripe.com"]
CSP_FORM_ACTION_ORIGINS = env.list(
    "CSP_FORM_ACTION_ORIGINS", default=STRIPE_FORM_ACTION_ORIGINS if PAYMENT_PROVIDER == "stripe" else []
)
# Sites that may show a page marked @embeddable() in a frame; no page is framed anywhere else. The one
# such page is the storefront's embed page, which the "Buy tickets" widget shows on producers' own
# sites: any https site by default (docs/embed.md).
CSP_EMBED_FRAME_ANCESTORS = env.list("CSP_EMBED_FRAME_ANCESTORS", default=["https:"])
CSP_REPORT_URL = reverse_lazy("csp-report")
CSP_REPORTS_PER_MINUTE = env.int("CSP_REPORTS_PER_MINUTE", default=30)
_csp_policy = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *CSP_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "worker-src": [SELF],  # the check-in app's QR decoder
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *CSP_FORM_ACTION_ORIGINS],
        "frame-ancestors": [NONE],
        "report-uri": [CSP_REPORT_URL],
        "report-to": REPORT_GROUP,
    }
}
if META_PIXEL_ID:  # only then may a page load anything from Meta (its script, and where it reports)
    _csp_policy = meta_pixel_policy(_csp_policy)
# CSP_REPORT_ONLY sends the same policy as Content-Security-Policy-Report-Only: violations are
# reported, nothing is blocked (for trying out a change of policy on a live site).
_csp_report_only = env.bool("CSP_REPORT_ONLY", default=False)  # not a setting: django-csp 3 had that name
CONTENT_SECURITY_POLICY = None if _csp_report_only else _csp_policy
CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy if _csp_report_only else None
# The admin's theme (django-unfold) cannot run under that: Alpine.js compiles its x-data/x-on/x-init
# attributes with new Function(), its templates carry <style> blocks and style="" attributes, and its
# scripts add more (Alpine's x-bind:style, htmx's and Trix's <style> elements). Browser tests show
# that each of the two is needed. The admin's views get these in place of the same directives
# above, and nothing else; every other directive stays as strict as on the rest of the site.
CSP_ADMIN_DIRECTIVES = {
    "script-src": [SELF, UNSAFE_EVAL],
    "style-src": [SELF, UNSAFE_INLINE],
}

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # the PDF tickets' font subsetter logs every table it writes
    },
}

# --- Admin theme ----------------------------------------------------------------------------

UNFOLD = {
    "SITE_TITLE": "PiqueTickets admin",
    "SITE_HEADER": "PiqueTickets",
    "SITE_URL": "/",  # the admin's "View site" link: the storefront's home page
    "SITE_SYMBOL": "confirmation_number",
    "SITE_FAVICONS": [
        {"rel": "icon", "type": "image/svg+xml", "href": lambda request: static("img/favicon.svg")},
    ],
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "COLORS": {
        "primary": {
            "50": "oklch(97.1% .014 343.198)",
            "100": "oklch(94.8% .028 342.258)",
            "200": "oklch(89.9% .061 343.231)",
            "300": "oklch(82.3% .12 346.018)",
            "400": "oklch(71.8% .202 349.761)",
            "500": "oklch(65.6% .241 354.308)",
            "600": "oklch(59.2% .249 .584)",
            "700": "oklch(52.5% .223 3.958)",
            "800": "oklch(45.9% .187 3.815)",
            "900": "oklch(40.8% .153 2.432)",
            "950": "oklch(28.4% .109 3.907)",
        },
    },
    "SIDEBAR": {"show_search": True, "show_all_applications": True},
}
