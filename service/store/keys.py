"""The key that encrypts event state at rest (names, notes, free text): AES-256 in GCM mode.

Topics and ids stay readable (the store needs them), so nothing personal goes into those."""

import binascii
import hashlib
import hmac
import os
from base64 import b64decode
from pathlib import Path

from eventsourcing.cryptography import AESCipher

from service.config import ConfigError, Settings

# The `cryptography` package (OpenSSL): 3 µs to decrypt an event where pycryptodome takes 80.
CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


def generate_key() -> str:
    return AESCipher.create_key(num_bytes=32)


def check_key(key: str, source: str) -> str:
    try:
        size = len(b64decode(key.encode(), validate=True))
    except (binascii.Error, ValueError):
        size = -1
    if size not in (16, 24, 32):
        raise ConfigError(
            f"{source} is not a usable key: expected 32 random bytes in base64; "
            "make one with `steady keys generate`"
        )
    return key


def key_for(settings: Settings) -> str:
    """STEADY_CIPHER_KEY when set. Without it, an SQLite store keeps its own key in a file
    beside the database (made on first use, readable by its owner only); a PostgreSQL store
    must be given a key, since a key kept beside a shared server protects nothing."""
    if settings.cipher_key:
        return check_key(settings.cipher_key, "STEADY_CIPHER_KEY")
    database = settings.sqlite_path()
    if database is None:
        raise ConfigError(
            "STEADY_CIPHER_KEY is required with PostgreSQL: make one with `steady keys generate` "
            "and keep it in your secret store; without it, stored events cannot be read"
        )
    key_file = Path(f"{database}.key")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(generate_key() + "\n")
    return check_key(key_file.read_text().strip(), str(key_file))


def id_key(cipher_key: str) -> bytes:
    """The secret that ids holding a name (an account's, a view's, an idempotency key's) are
    derived with, from the store's key: a reader of the database who has no key cannot compute
    the id of a username to confirm it is there. Without a key (the in-memory store of unit
    tests) a fixed one, which hides nothing and needs to hide nothing."""
    extracted = hmac.new(b"steady-ids", cipher_key.encode(), hashlib.sha256).digest()
    return hmac.new(extracted, b"private ids\x01", hashlib.sha256).digest()


def cipher_env(key: str) -> dict[str, str]:
    return {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": key}
