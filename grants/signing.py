"""The audit signing key: Ed25519, held outside the database.

Pure functions (no Flask), so the configuration check at start-up and the
services share one way of reading a key. A key is given as PEM text, as that
PEM base64-encoded onto one line (handy in an env file), or as the 32 raw
private bytes base64-encoded.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

CHECKPOINT_CONTEXT = "grants-audit-checkpoint:v1"


class SigningKeyError(ValueError):
    """A configured key that cannot be read; the message says what was expected."""


def load_private_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if "-----BEGIN" not in text:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise SigningKeyError("the audit signing key is neither PEM nor base64") from exc
        if len(raw) == 32:
            return Ed25519PrivateKey.from_private_bytes(raw)
        text = raw.decode("utf-8", "replace")
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except ValueError as exc:
        raise SigningKeyError("the audit signing key is not a readable PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("the audit signing key must be an Ed25519 key (flask --app wsgi audit-keygen)")
    return key


def load_public_key(text: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(text.strip().encode("utf-8"))
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError("the public key must be an Ed25519 key")
    return key


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def key_id(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: names the key a checkpoint was signed with."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def seal_key(key: Ed25519PrivateKey) -> bytes:
    """A MAC key derived from the private key: only a holder of the signing key can seal events."""
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return hashlib.sha256(b"grants-audit-event-seal\0" + raw).digest()


def seal(key: bytes, event_hash: str) -> str:
    """HMAC-SHA256 of an event's hash (see Sealer for the fast way to make many)."""
    return hmac.digest(key, event_hash.encode("ascii"), "sha256").hex()


class Sealer:
    """seal() for a million events: HMAC-SHA256 with the key's padded blocks hashed once.

    Gives exactly hmac.digest(key, message, "sha256"), at about half the cost per
    event, which keeps audit-verify within a few seconds of the bare chain walk.
    """

    def __init__(self, key: bytes):
        block = key.ljust(64, b"\0")  # keys here are 32 bytes, under SHA-256's 64-byte block
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __call__(self, event_hash: str) -> str:
        inner = self._inner.copy()
        inner.update(event_hash.encode("ascii"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def checkpoint_message(seq: int, head_hash: str, signed_at: str) -> bytes:
    """What a checkpoint signs: the chain's length, its head hash and the time, one per line."""
    return f"{CHECKPOINT_CONTEXT}\n{seq}\n{head_hash}\n{signed_at}".encode("ascii")


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify(key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


DEV_KEY_FILE = "audit-signing-key.pem"


def read_configured_key(config) -> Ed25519PrivateKey | None:
    """The key named by AUDIT_SIGNING_KEY (the key itself) or AUDIT_SIGNING_KEY_FILE (a path), if any."""
    if config.get("AUDIT_SIGNING_KEY"):
        return load_private_key(config["AUDIT_SIGNING_KEY"])
    if config.get("AUDIT_SIGNING_KEY_FILE"):
        try:
            with open(config["AUDIT_SIGNING_KEY_FILE"], encoding="utf-8") as handle:
                return load_private_key(handle.read())
        except OSError as exc:
            raise SigningKeyError(f"cannot read AUDIT_SIGNING_KEY_FILE: {exc.strerror}") from exc
    return None


def retired_keys(config) -> list[Ed25519PrivateKey]:
    """Keys used before a rotation (AUDIT_RETIRED_SIGNING_KEYS, comma-separated, as audit-keygen prints them).

    Kept so checkpoints and seals made before the rotation still verify; nothing new is signed with them.
    """
    return [load_private_key(text) for text in str(config.get("AUDIT_RETIRED_SIGNING_KEYS") or "").split(",")
            if text.strip()]


def app_signing_key(app) -> Ed25519PrivateKey:
    """The app's signing key, read once. Outside production, one is made in instance/ if none is set."""
    cached = app.extensions.get("grants_audit_signing_key")
    if cached is not None:
        return cached
    key = read_configured_key(app.config)
    if key is None:
        if app.config.get("GRANTS_ENV") == "production":
            raise SigningKeyError("AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE must be set in production")
        key = _development_key(app.instance_path)
    app.extensions["grants_audit_signing_key"] = key
    return key


def _development_key(instance_path: str) -> Ed25519PrivateKey:
    path = os.path.join(instance_path, DEV_KEY_FILE)
    try:
        # O_EXCL: two processes starting at once agree on one key (the loser reads the winner's).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if text.strip():
            return load_private_key(text)
        raise SigningKeyError(f"{path} is empty: delete it to make a new development key")
    key = generate()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(private_pem(key))
    return key
