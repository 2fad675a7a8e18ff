"""Configuration classes, every value read from the environment with a safe default.

Pick one with ``INCLUSION_CONFIG`` (development, testing, production); ``wsgi.py``
defaults to development so that ``make run`` needs nothing set.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


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

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per hour")
    # The public help form: posts from one address before it answers "call us instead".
    PUBLIC_FORM_LIMIT = os.environ.get("PUBLIC_FORM_LIMIT", "5 per hour")
    # Number of reverse proxies in front of the app whose X-Forwarded-For to trust,
    # so that throttling counts the real client address (0: none, direct exposure).
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_FROM = os.environ.get("TWILIO_FROM")
    TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID")
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    TWILIO_TIMEOUT_SECONDS = float(os.environ.get("TWILIO_TIMEOUT_SECONDS", "10"))

    # The dispatcher: messages in flight at once per process, how long a claimed message
    # belongs to one dispatcher before another may take it (longer than the slowest
    # send), and the first wait after a temporary fault (doubled for each attempt).
    DISPATCH_CONCURRENCY = int(os.environ.get("DISPATCH_CONCURRENCY", "8"))
    DISPATCH_LEASE_SECONDS = float(os.environ.get("DISPATCH_LEASE_SECONDS", "120"))
    DISPATCH_RETRY_SECONDS = float(os.environ.get("DISPATCH_RETRY_SECONDS", "60"))

    SCHEDULER_ENABLED = _flag("SCHEDULER_ENABLED", False)
    HSTS = False


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")
    SCHEDULER_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    HSTS = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")

    @classmethod
    def check(cls) -> None:
        """Refuse to start production with the development secret or no database URL."""
        if cls.SECRET_KEY in {"", "dev-only-not-secret"} or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("Set SECRET_KEY to a random value of at least 32 characters.")
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("Set DATABASE_URL for production.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
