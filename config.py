"""Configuration classes, every value read from the environment with a safe default.

Pick one with ``INCLUSION_CONFIG`` (development, testing, production). ``wsgi.py``
defaults to production, so that a server started without it never runs with the
development secret; ``make run`` sets development, the tests build their own app.
Production refuses to start until what it needs is set (``ProductionConfig.check``).
"""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent


class ConfigurationError(RuntimeError):
    """The server refuses to start; the message says what to set."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'inclusion.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions: idle time-out through the permanent-session lifetime, refreshed on
    # every request; an absolute limit is checked in auth (see auth/sessions.py).
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "120")))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "inclusion" / "translations")
    LANGUAGES = {"sv": "Svenska", "en": "English"}

    # The largest form is a few kilobytes and none uploads a file: a body over a megabyte
    # is refused with 413 before it is read, and no single text field may hold more than
    # half of it (MAX_FORM_PARTS only counts the parts of multipart forms).
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500_000
    MAX_FORM_PARTS = 1000

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Fixed windows: one atomic increment per attempt in memory:// and in Redis (a Lua
    # script), which is what inclusion/core/throttle.py counts with.
    RATELIMIT_STRATEGY = "fixed-window"
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per hour")
    # The public help form: accepted requests from one address to one municipality
    # before it answers "call us instead".
    PUBLIC_FORM_LIMIT = os.environ.get("PUBLIC_FORM_LIMIT", "5 per hour")
    # Number of reverse proxies in front of the app whose X-Forwarded-For (and -Proto,
    # -Host) to trust, so that throttling and the audit log see the real client address.
    # Not set is 0 (direct exposure) outside production; production refuses to start
    # without it, since behind a proxy every visitor would otherwise share its address.
    PROXY_COUNT = os.environ.get("PROXY_COUNT")

    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_FROM = os.environ.get("TWILIO_FROM")
    TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID")
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    TWILIO_TIMEOUT_SECONDS = float(os.environ.get("TWILIO_TIMEOUT_SECONDS", "10"))
    # Automatic answers to one number in an hour; texts beyond are kept and acted on but
    # not answered (each answer costs, and two auto-responders would answer each other).
    INBOUND_AUTO_REPLIES_PER_HOUR = int(os.environ.get("INBOUND_AUTO_REPLIES_PER_HOUR", "3"))

    # The dispatcher: messages in flight at once per process, how long a claimed message
    # belongs to one dispatcher before another may take it (longer than the slowest
    # send), and the first wait after a temporary fault (doubled for each attempt, up to
    # the longest; a message is tried until its own deadline, however many tries).
    DISPATCH_CONCURRENCY = int(os.environ.get("DISPATCH_CONCURRENCY", "8"))
    DISPATCH_LEASE_SECONDS = float(os.environ.get("DISPATCH_LEASE_SECONDS", "120"))
    DISPATCH_RETRY_SECONDS = float(os.environ.get("DISPATCH_RETRY_SECONDS", "60"))
    DISPATCH_RETRY_MAX_SECONDS = float(os.environ.get("DISPATCH_RETRY_MAX_SECONDS", "300"))
    # How long the dispatcher keeps trying when the database is busy or the connection
    # lost (a restart, a failover) before the tick fails; below the lease, so that the
    # answers it then records are still its own to record.
    DISPATCH_DATABASE_RETRY_SECONDS = float(os.environ.get("DISPATCH_DATABASE_RETRY_SECONDS", "60"))

    SCHEDULER_ENABLED = _flag("SCHEDULER_ENABLED", False)
    HSTS = False


def _pool_options(url: str) -> dict:
    """SQLAlchemy's connection pool for PostgreSQL in production.

    Every process keeps its own pool and holds at most ``pool_size + max_overflow``
    connections: each gunicorn worker (one connection per thread while it serves a
    request, so ``DB_POOL_SIZE`` >= ``GUNICORN_THREADS``), the scheduler, and each
    ``flask --app wsgi dispatch`` (its database work runs in one thread). The sum must
    stay below PostgreSQL's ``max_connections`` (100 by default, 3 of them kept for
    superusers):

        web machines × GUNICORN_WORKERS × (DB_POOL_SIZE + DB_MAX_OVERFLOW)
          + (1 scheduler + dispatchers) × (DB_POOL_SIZE + DB_MAX_OVERFLOW)
          + a few for migrations, psql and backups  <=  max_connections - 3

    With the defaults on a 2-core machine: 4 workers × (2 + 2) = 16, the scheduler and
    two dispatchers 3 × 4 = 12, about 30 in all. Eight cores (16 workers) on two web
    machines would be 2 × 16 × 4 = 128: lower DB_MAX_OVERFLOW to 0, or put PgBouncer
    in front. The overflow only opens for a moment when a process needs more than
    usual, and is closed again at once.

    ``pool_pre_ping`` checks a connection before handing it out (a database restart or
    failover then costs no failed request), ``pool_recycle`` replaces connections older
    than 30 minutes (below the idle time-outs of firewalls and poolers), and
    ``pool_timeout`` gives up waiting for a free connection after 10 s, well inside
    gunicorn's 30 s request time-out. SQLite keeps SQLAlchemy's own pool.
    """
    options: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        return options
    return options | {
        "pool_size": int(os.environ.get("DB_POOL_SIZE", "2")),
        "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", "2")),
        "pool_timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
        "pool_recycle": int(os.environ.get("DB_POOL_RECYCLE", "1800")),
    }


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    # A process a test starts is told the suite's own database here; the suite itself
    # removes DATABASE_URL before this file is read (tests/conftest.py).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")
    SCHEDULER_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PROXY_COUNT = None


class ProductionConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "")  # never the development key
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    HSTS = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    SQLALCHEMY_ENGINE_OPTIONS = _pool_options(os.environ.get("DATABASE_URL", ""))

    @classmethod
    def check(cls, settings: Mapping) -> None:
        """Refuse to start production with a guessable secret, no database URL, links
        that are not https, or no word on the proxies in front: each would fail quietly
        later (forged sessions, residents' data in a file nobody backs up, webhook
        signatures that never match, every visitor counted as the proxy's address)."""
        problems = production_problems(settings)
        if problems:
            raise ConfigurationError(
                "Inclusion will not start in production until this is fixed:\n- " + "\n- ".join(problems)
            )


def secret_key_problem(secret: str | None) -> str | None:
    """Why a SECRET_KEY is too weak to sign sessions with, or None.

    Weak is simply: shorter than 32 characters, fewer than 10 different characters
    ("aaaa...", "abab..."), or one shorter piece repeated ("abcdefghij" four times).
    A random key (``python -c "import secrets; print(secrets.token_hex(32))"``) passes.
    """
    secret = secret or ""
    if not secret:
        return "Set SECRET_KEY to a random value of at least 32 characters."
    if len(secret) < 32:
        return f"SECRET_KEY has {len(secret)} characters; it needs at least 32, chosen at random."
    length = len(secret)
    repeated = any(
        length % size == 0 and secret == secret[:size] * (length // size)
        for size in range(1, length // 2 + 1)
    )
    if len(set(secret)) < 10 or repeated:
        return "SECRET_KEY repeats a few characters; set a random value of at least 32 characters."
    return None


def proxy_count(value: object) -> int:
    """PROXY_COUNT as a number: not set (or empty) is 0; otherwise a whole number >= 0."""
    text = "" if value is None else str(value).strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise ConfigurationError(
            f"PROXY_COUNT must be the number of reverse proxies in front (0 for none), not {value!r}."
        )
    return int(text)


def production_problems(settings: Mapping) -> list[str]:
    """Everything production needs and lacks, so that one start names all of it."""
    problems = []
    secret = secret_key_problem(settings.get("SECRET_KEY"))
    if secret:
        problems.append(secret)
    if "DATABASE_URL" not in os.environ:
        problems.append("Set DATABASE_URL for production.")
    address = urlsplit(settings.get("PUBLIC_BASE_URL") or "")
    if address.scheme != "https" or not address.hostname:
        problems.append(
            "PUBLIC_BASE_URL must be the site's https address as residents and Twilio reach it "
            "(https://...), not " + repr(settings.get("PUBLIC_BASE_URL")) + "."
        )
    proxies = settings.get("PROXY_COUNT")
    if proxies is None or not str(proxies).strip():
        problems.append("Set PROXY_COUNT to the number of reverse proxies in front of the app (0 for none).")
    else:
        try:
            proxy_count(proxies)
        except ConfigurationError as error:
            problems.append(str(error))
    return problems


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
