"""The key that encrypts bank details: Fernet, held outside the database.

BANK_DETAILS_KEY holds one or more Fernet keys, comma-separated, newest first
(`flask --app wsgi rotate-bank-key` prints a new list). The first encrypts;
every one decrypts, so details written before a rotation stay readable until
they are re-encrypted. Outside production a key is made in instance/.
Pure functions (no Flask) so the start-up check and the services share them.
"""
from __future__ import annotations

import os

from cryptography.fernet import Fernet, MultiFernet

DEV_KEY_FILE = "bank-details.key"


class BankKeyError(ValueError):
    """A configured key that cannot be read; the message says what was expected."""


def parse_keys(text: str) -> list[Fernet]:
    keys = []
    for part in (text or "").split(","):
        if part.strip():
            try:
                keys.append(Fernet(part.strip().encode("ascii")))
            except (ValueError, UnicodeEncodeError) as exc:
                raise BankKeyError("BANK_DETAILS_KEY must be Fernet keys (32 url-safe base64 bytes), "
                                   "comma-separated, newest first") from exc
    return keys


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def app_cipher(app) -> MultiFernet:
    """The app's cipher, read once. In production BANK_DETAILS_KEY must be set (config refuses to start)."""
    cached = app.extensions.get("grants_bank_cipher")
    if cached is not None:
        return cached
    keys = parse_keys(app.config.get("BANK_DETAILS_KEY", ""))
    if not keys:
        if app.config.get("GRANTS_ENV") == "production":
            raise BankKeyError("BANK_DETAILS_KEY must be set in production")
        keys = parse_keys(_development_key(app.instance_path))
    cipher = MultiFernet(keys)
    app.extensions["grants_bank_cipher"] = cipher
    return cipher


def _development_key(instance_path: str) -> str:
    path = os.path.join(instance_path, DEV_KEY_FILE)
    os.makedirs(instance_path, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once agree on one key (the loser reads the winner's).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as handle:
            text = handle.read().strip()
        if text:
            return text
        raise BankKeyError(f"{path} is empty: delete it to make a new development key")
    key = new_key()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
