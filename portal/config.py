"""Configuration classes; every deployment-specific value comes from the environment."""

import os

from .domain import languages


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    ENV_NAME = "base"
    # Strict-Transport-Security value; empty sends none (development over plain HTTP).
    HSTS = ""
    # How many reverse proxies stand in front: their X-Forwarded-For/-Proto/-Host headers
    # are believed, so the client's address (rate limits) and HTTPS are known. 1 behind
    # one Caddy or nginx; 0 when browsers connect to the portal directly.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    # Plain-HTTP requests are redirected to PUBLIC_BASE_URL (or explained, for a form post).
    REQUIRE_HTTPS = False
    # Where gunicorn listens and how many worker processes it runs: deploy/gunicorn.conf.py
    # and `flask check-deploy` read the same values.
    BIND = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
    WEB_CONCURRENCY = int(os.environ.get("WEB_CONCURRENCY", 3))
    # Where log lines go under gunicorn: "-" for stderr (journald), or a file path.
    LOG_FILE = os.environ.get("LOG_FILE", "-")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means: a SQLite file in the instance folder, decided in create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("PORTAL_TIMEZONE", "Europe/Warsaw")
    LANGUAGES = list(languages.LANGUAGES)
    # The language of the msgids: it needs no compiled catalogue.
    SOURCE_LANGUAGE = "en"
    BABEL_TRANSLATION_DIRECTORIES = "translations"

    # A senior filling the form slowly must not lose it to an expired token.
    WTF_CSRF_TIME_LIMIT = None

    # OWASP: scrypt needs N >= 2**17; Werkzeug's default is 2**15.
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"
    # A back-office session ends after this long without a request, and this long after
    # login whatever happens; the page warns SESSION_WARNING_SECONDS before the idle end.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", 8))
    SESSION_WARNING_SECONDS = 120
    # last_seen_at is written at most this often, not on every request.
    SESSION_TOUCH_SECONDS = 60
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_HOURS * 60 * 60
    # How long the code page waits after a right password before it starts over.
    TWO_FACTOR_PENDING_SECONDS = 5 * 60
    LOGIN_RATE_LIMIT_ACCOUNT = os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", "5 per 15 minutes")
    LOGIN_RATE_LIMIT_IP = os.environ.get("LOGIN_RATE_LIMIT_IP", "20 per 15 minutes")
    QUEUE_STALE_DAYS = int(os.environ.get("QUEUE_STALE_DAYS", 5))
    QUEUE_PAGE_SIZE = 50
    # The same person's closed requests are pointed out for this many days after closing.
    DUPLICATE_WINDOW_DAYS = int(os.environ.get("DUPLICATE_WINDOW_DAYS", 60))
    # An item ready this many days and not collected: one reminder (e-mail), and staff see
    # it in the list of items to phone about.
    PICKUP_REMINDER_DAYS = int(os.environ.get("PICKUP_REMINDER_DAYS", 7))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # "Remember me" is never offered; should a remember cookie appear, it is hardened too.
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    PHOTO_MAX_COUNT = 3
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 10 * 1024 * 1024))
    PHOTO_MAX_PIXELS = 40_000_000
    PHOTO_MAX_SIDE = 2000
    # The per-photo limit is enforced at the field; this only stops absurd bodies.
    MAX_CONTENT_LENGTH = 3 * 10 * 1024 * 1024 + 1024 * 1024
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    SUBMIT_RATE_LIMIT = os.environ.get("SUBMIT_RATE_LIMIT", "5 per minute;20 per hour")
    LOOKUP_RATE_LIMIT = os.environ.get("LOOKUP_RATE_LIMIT", "5 per minute;30 per hour")
    # Per request (its private link): e-mails of the link, and answers to the office.
    LINK_EMAIL_RATE_LIMIT = os.environ.get("LINK_EMAIL_RATE_LIMIT", "3 per hour;5 per day")
    ANSWER_RATE_LIMIT = os.environ.get("ANSWER_RATE_LIMIT", "5 per hour;10 per day")
    # Per connection, all of the above together, whichever private links they go through.
    PRIVATE_LINK_IP_RATE_LIMIT = os.environ.get(
        "PRIVATE_LINK_IP_RATE_LIMIT", "20 per hour;50 per day"
    )
    # The Open311 API: every route per client address, and sending requests per partner key.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "60 per minute;1000 per hour")
    API_KEY_RATE_LIMIT = os.environ.get("API_KEY_RATE_LIMIT", "100 per hour")
    # How long a worker keeps the request form's waiting estimates before counting again.
    WAITING_ESTIMATE_SECONDS = int(os.environ.get("WAITING_ESTIMATE_SECONDS", 300))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@localhost")
    # Seconds the outbox worker waits on the mail server before it gives up and retries later.
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 10))

    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 8))
    # Minutes to wait after the 1st, 2nd, ... failed attempt; the last repeats.
    OUTBOX_BACKOFF_MINUTES = (1, 5, 25, 120, 360)
    # How long a claimed message is a worker's own; longer than one attempt can take.
    OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", 300))
    OUTBOX_POLL_SECONDS = int(os.environ.get("OUTBOX_POLL_SECONDS", 10))

    # Text messages to residents who ask for them: "smsapi" (SMSAPI.pl) or "json" (any
    # HTTP gateway taking JSON). Unset, no text is queued and none is offered.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "").strip().lower() or None
    # The gateway's address (SMSAPI: https://api.smsapi.pl when unset), its API token, and
    # the sender name residents see (registered with the gateway).
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "").strip()
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "").strip()
    SMS_SENDER = os.environ.get("SMS_SENDER", "").strip()
    # Złoty per segment, for the cost of a text when the gateway does not report it.
    SMS_PRICE_PER_SEGMENT = os.environ.get("SMS_PRICE_PER_SEGMENT", "0")
    # When texts may go out, in PORTAL_TIMEZONE; a text due outside waits for the morning.
    SMS_WINDOW = os.environ.get("SMS_WINDOW", "08:00-20:00")
    # Seconds to connect to the gateway, and to wait for its answer.
    SMS_CONNECT_TIMEOUT = float(os.environ.get("SMS_CONNECT_TIMEOUT", 5))
    SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", 10))

    # Where the private links in letters and on the phone point to.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # The club's phone on the "temporarily unavailable" page, until a page has loaded the
    # institution's own phone from the database (which that page cannot reach).
    CONTACT_PHONE = os.environ.get("PORTAL_CONTACT_PHONE", "")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = True
    MAIL_SUPPRESS_SEND = True
    # No text ever leaves a test unless the test points the app at a gateway of its own.
    SMS_GATEWAY = None
    SERVER_NAME = None
    # Cheap hashing keeps the suite fast; a test checks the real default separately.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Tests change the data between requests: count the estimates every time.
    WAITING_ESTIMATE_SECONDS = 0


class ProductionConfig(Config):
    HSTS = os.environ.get("HSTS", "max-age=31536000; includeSubDomains")
    ENV_NAME = "production"
    # __Host-: only over HTTPS, for this host alone, for the whole site (no Domain, Path=/).
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    REQUIRE_HTTPS = True


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}
