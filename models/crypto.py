"""Encryption at rest of who called (branch 1 is need-to-know), and blind indexes to find them.

- `EncryptedString` / `EncryptedText` columns hold Fernet tokens (AES-128-CBC + HMAC-SHA256, from the
  `cryptography` package) made with the first of the configured keys; any of the keys decrypts, so keys
  can be rotated (`DATA_KEYS`, comma-separated, newest first). Every caller number, callback number and
  the agent's free text is stored this way, whatever the branch: a call's branch is not known when its
  number is first written, and one rule is easier to trust than two.
- `blind_index(value)` is an HMAC-SHA256 of a normalised value under a key derived from the first
  key: equal numbers give equal digests, so "the caller's earlier tickets" and "one callback per
  number" work without decrypting anything; the digest alone does not give the number back (the
  space of Vietnamese numbers is small, so the HMAC key, like the data key, must stay secret).
The cipher is configured once per process from the app's config (`configure`); a column used before
that raises instead of writing plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - not a secret: every Fernet token starts with the version byte 0x80, base64url "gAAAAA"


class DataCipher:
    """Encrypts and decrypts column values; computes blind indexes."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one data key is needed (DATA_KEYS)")
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])
        self._index_key = hashlib.sha256(b"hotline blind index|" + keys[0].encode("ascii")).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        if not token.startswith(TOKEN_PREFIX):
            return token  # a value written before encryption (migration 0007 leaves old rows as they were)
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("a stored value does not decrypt with any configured data key") from exc

    def blind_index(self, value: str) -> str:
        return hmac.new(self._index_key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()


_cipher: DataCipher | None = None


def configure(keys: list[str]) -> DataCipher:
    """Set the process's cipher (create_app does it from DATA_KEYS)."""
    global _cipher
    _cipher = DataCipher(keys)
    return _cipher


def cipher() -> DataCipher:
    if _cipher is None:
        raise RuntimeError("the data cipher is not configured (create_app configures it from DATA_KEYS)")
    return _cipher


def blind_index(value: str | None) -> str | None:
    """The blind index of `value` (None stays None)."""
    return None if value is None else cipher().blind_index(value)


def token_chars(plaintext_bytes: int) -> int:
    """The length of a Fernet token for a value of `plaintext_bytes` bytes: version (1) + time (8) + IV (16)
    + AES-CBC blocks (PKCS7: always at least one byte of padding) + HMAC (32), in base64 with padding."""
    raw = 1 + 8 + 16 + 16 * (plaintext_bytes // 16 + 1) + 32
    return 4 * -(-raw // 3)


def max_plaintext_bytes(column_chars: int) -> int:
    """The most UTF-8 bytes whose token fits in a column of `column_chars` characters (255 → 127):
    what is encrypted must be bounded in bytes, not characters (64 × "ệ" is 192 bytes)."""
    fits = -1
    while token_chars(fits + 16) <= column_chars:
        fits += 16
    return fits


class EncryptedString(TypeDecorator[str]):
    """A string column stored encrypted; `plaintext_bytes` is the longest value (UTF-8) it can hold."""

    impl = String
    cache_ok = True

    @property
    def plaintext_bytes(self) -> int | None:
        return None if self.length is None else max_plaintext_bytes(self.length)

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else cipher().encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else cipher().decrypt(value)


class EncryptedText(EncryptedString):
    """A long text column stored encrypted."""

    impl = Text
    cache_ok = True
