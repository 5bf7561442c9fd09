"""Configuration. Values come from the environment (or instance/config.py).

Development is the default so `make run` works with no setup; production is
chosen with GRANTS_ENV=production and then refuses unsafe settings.
"""
from __future__ import annotations

import os

DEV_SECRET_KEY = "dev-only-secret-key-change-me"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """postgres:// and postgresql:// URLs name no driver; we use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(instance_path: str) -> dict:
    """Settings for this process, read once at app creation."""
    env = os.environ.get("GRANTS_ENV", "development")
    sqlite_path = os.path.join(instance_path, "grants.sqlite")
    database_url = normalise_database_url(os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"))
    return {
        "GRANTS_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", os.path.join(instance_path, "uploads")),
        "MAX_UPLOAD_BYTES": int(os.environ.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
        # Whole-request cap a little above one upload so multi-part forms fit.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)) + 1024 * 1024,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "grants@cleveland.pcc.police.uk"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "THREESIXTY_PREFIX": os.environ.get("THREESIXTY_PREFIX", "360G-clevelandopcc"),
        "FUNDER_ORG_ID": os.environ.get("FUNDER_ORG_ID", "GB-GOR-PC000055"),
        "FUNDER_NAME": os.environ.get(
            "FUNDER_NAME", "Office of the Police and Crime Commissioner for Cleveland"
        ),
        "REQUIRE_2FA_FOR_STAFF": env == "production" or _bool("REQUIRE_2FA_FOR_STAFF"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_IDLE_MINUTES", 30)) * 60,
        "WTF_CSRF_TIME_LIMIT": None,
        "SHOW_OUTBOX": env != "production",
        "DEBUG": _bool("FLASK_DEBUG"),
        "REAUTH_AFTER_MINUTES": int(os.environ.get("REAUTH_AFTER_MINUTES", 15)),
        # How many reverse proxies sit in front (nginx: 1). Their X-Forwarded-For/-Proto/-Host
        # are then trusted, so rate limits and audit see the real client, and links use https.
        # The Ed25519 key that signs audit checkpoints and seals events: the key itself (PEM, or base64)
        # or a file holding it. Never stored in the database. Development makes one in instance/.
        "AUDIT_SIGNING_KEY": os.environ.get("AUDIT_SIGNING_KEY", ""),
        "AUDIT_SIGNING_KEY_FILE": os.environ.get("AUDIT_SIGNING_KEY_FILE", ""),
        # Keys used before a rotation, comma-separated: what they signed and sealed still verifies.
        "AUDIT_RETIRED_SIGNING_KEYS": os.environ.get("AUDIT_RETIRED_SIGNING_KEYS", ""),
        # Fernet keys that encrypt bank details, comma-separated, newest first. Development makes one in instance/.
        "BANK_DETAILS_KEY": os.environ.get("BANK_DETAILS_KEY", ""),
        # Sign a checkpoint after this many new events (and at least once a day).
        "AUDIT_CHECKPOINT_EVERY": int(os.environ.get("AUDIT_CHECKPOINT_EVERY", 1000)),
        "PROXY_FIX": int(
            os.environ.get("PROXY_FIX")
            or os.environ.get("TRUSTED_PROXIES")
            or os.environ.get("TRUSTED_PROXY_COUNT")
            or 0
        ),
    }


class UnsafeConfiguration(RuntimeError):
    """Raised at start-up when production settings would be unsafe."""


def check_production_safety(config: dict) -> None:
    """Production must not run with the development key, with debug on, or with weakened protections."""
    if config.get("GRANTS_ENV") != "production":
        return
    if config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY) or len(config["SECRET_KEY"]) < 32:
        raise UnsafeConfiguration(
            "SECRET_KEY must be set to a random value of at least 32 characters in production"
        )
    if config.get("DEBUG"):
        raise UnsafeConfiguration("Debug mode must be off in production (unset FLASK_DEBUG)")
    if not config.get("SESSION_COOKIE_SECURE") or config.get("WTF_CSRF_ENABLED") is False:
        raise UnsafeConfiguration("Production needs secure session cookies and CSRF protection switched on")
    if not 1 <= int(config.get("REAUTH_AFTER_MINUTES") or 0) <= 60:
        raise UnsafeConfiguration("REAUTH_AFTER_MINUTES must be between 1 and 60 in production")
    if not config.get("REQUIRE_2FA_FOR_STAFF"):
        raise UnsafeConfiguration("Production requires two-factor authentication for staff accounts")
    from .signing import SigningKeyError, read_configured_key, retired_keys

    try:
        key = read_configured_key(config)
        retired_keys(config)
    except SigningKeyError as exc:
        raise UnsafeConfiguration(f"Audit signing key: {exc}") from exc
    if key is None:
        raise UnsafeConfiguration(
            "Production needs the audit signing key outside the database: set AUDIT_SIGNING_KEY or "
            "AUDIT_SIGNING_KEY_FILE (make one with `flask --app wsgi audit-keygen`)"
        )
    from .bank_keys import BankKeyError, parse_keys

    try:
        bank_keys = parse_keys(config.get("BANK_DETAILS_KEY") or "")
    except BankKeyError as exc:
        raise UnsafeConfiguration(str(exc)) from exc
    if not bank_keys:
        raise UnsafeConfiguration("Production needs BANK_DETAILS_KEY, the key that encrypts bank details "
                                  "(make one with `flask --app wsgi rotate-bank-key --new-key-only`)")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not os.environ.get(
        "GRANTS_ALLOW_SQLITE_IN_PRODUCTION"
    ):
        raise UnsafeConfiguration("Production needs PostgreSQL: set DATABASE_URL")
