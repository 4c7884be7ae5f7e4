"""Configuration classes. `create_app` takes one of these (or a subclass)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Values that must never reach production.
_DEV_SECRET = "dev-only-not-secret"


class Config:
    """Development defaults: an embedded SQLite file under instance/."""

    SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'desk.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Reports (the monthly evaluation, its exports and pages) read from this replica when set
    # (app/services/replica.py); everything else, and every write, uses the primary.
    SQLALCHEMY_REPLICA_URI = os.environ.get("DATABASE_URL_REPLICA") or None
    UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", INSTANCE_DIR / "uploads"))
    DATA_DIR = BASE_DIR / "data"
    MAX_CONTENT_LENGTH = 60 * 1024 * 1024  # 5 attachments of 10 MB plus the form
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    MAX_ATTACHMENTS = 5
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    LANGUAGES = ("zh", "en")
    DISPLAY_TZ = "Asia/Shanghai"
    PAGE_SIZE = 20
    # Router: below this (calibrated) confidence a ticket goes to the dispatch centre; unset = the level
    # measured by `flask routing calibrate` (data/routing_calibration.json).
    ROUTING_THRESHOLD = float(os.environ["ROUTING_THRESHOLD"]) if os.environ.get("ROUTING_THRESHOLD") else None
    # Each worker checks the catalog and the dispatchers' corrections at most this often (one query).
    ROUTING_REFRESH_SECONDS = float(os.environ.get("ROUTING_REFRESH_SECONDS", "30"))
    # Email: the outbox is always written; it is sent only when SMTP_HOST is set.
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_SENDER = os.environ.get("SMTP_SENDER", "desk@localhost")
    SCHEDULER_INTERVAL_SECONDS = 60

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Sessions (docs/security.md): idle timeout by kind of user, and an absolute limit after login.
    IDLE_TIMEOUT_STAFF_MINUTES = int(os.environ.get("IDLE_TIMEOUT_STAFF_MINUTES", "120"))
    IDLE_TIMEOUT_ENTERPRISE_MINUTES = int(os.environ.get("IDLE_TIMEOUT_ENTERPRISE_MINUTES", "480"))
    SESSION_MAX_HOURS = 12
    WTF_CSRF_TIME_LIMIT = 4 * 3600  # a form left open longer must be reloaded
    # Throttling: memory:// counts per process; production sets redis://host:6379/n.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    # Attachment quotas beyond the per-request cap above.
    MAX_ATTACHMENTS_PER_TICKET = 10
    MAX_ENTERPRISE_ATTACHMENT_BYTES = 200 * 1024 * 1024
    HSTS = False
    # Reverse proxies in front of the app whose X-Forwarded-For the app trusts (Werkzeug's ProxyFix):
    # 0 = none, the client address is the connection's (a forged header is ignored); 1 = one proxy.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))


class TestConfig(Config):
    """Used by the test suite: a throwaway database, CSRF still on (tests send tokens)."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SQLALCHEMY_ENGINE_OPTIONS = {}
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    """Reads DATABASE_URL and SECRET_KEY from the environment; refuses to start without them."""

    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    HSTS = SESSION_COOKIE_SECURE  # only behind HTTPS, which a secure cookie implies

    @classmethod
    def check(cls):
        """Raise RuntimeError when the environment lacks a real secret or database."""
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == _DEV_SECRET or len(secret) < 16:
            raise RuntimeError("SECRET_KEY must be set to a real secret (16+ characters) in production")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production")
        cls.SECRET_KEY = secret
        cls.SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]


CONFIGS = {"development": Config, "test": TestConfig, "production": ProductionConfig}


def from_env() -> type:
    """The configuration APP_CONFIG names. Unset means production, which refuses to start without
    a real SECRET_KEY: only `make run` (which sets APP_CONFIG=development) and the tests use the
    public development key."""
    name = os.environ.get("APP_CONFIG", "production")
    if name not in CONFIGS:
        raise RuntimeError(f"APP_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
