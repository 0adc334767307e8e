"""Folding Vietnamese text for search: the one form both databases index and every query is turned into."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, diacritics removed (NFD, combining marks dropped, "đ" → "d"), every other character a
    space, spaces collapsed: "Mật khẩu VNACCS!" → "mat khau vnaccs"."""
    lowered = (text or "").lower().replace("đ", "d")
    stripped = "".join(c for c in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", stripped).strip()


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return fold(text).split()


def codes_text(codes: list[str]) -> str:
    """The business codes as the searchable column holds them: " IDA IDC " (upper case, space-framed)."""
    cleaned = [fold(c).upper().replace(" ", "") for c in codes]
    return " " + " ".join(c for c in cleaned if c) + " " if any(cleaned) else ""
