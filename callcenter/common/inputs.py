"""Input at the boundary: the one parser for whole numbers and the rules for text that every request
entering the app goes through (Twilio's webhooks in ivr/webhook.py, the API and pages in
callcenter/boundary.py). Past the boundary, code can trust what it reads: no NUL bytes (PostgreSQL
refuses them in text), no number a column cannot hold, no string longer than the column it lands in.

A value out of range is *unknown* (None), never an exception: Twilio gets a real answer whatever it
sent, and an API client gets a 400 that says which parameter to correct.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

MAX_ID = 2**31 - 1  # every primary key is an INTEGER (int4 on PostgreSQL)
MAX_COUNT = 999_999  # seconds, positions, sequence numbers Twilio sends (11 days: far beyond a call)
# Days and times a request may name: wide enough for any record, far from the calendar's ends, so
# adding a week or turning to UTC never overflows (9999-12-31 + 1 day does).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")  # ASCII digits only: int() would also take "١٢", "1_000", " 7\n"


def bounded_int(raw: Any, low: int = 0, high: int = MAX_COUNT) -> int | None:
    """`raw` as a whole number within [low, high]; None when it is absent, not a whole number written in
    ASCII digits, or out of range. The default range suits durations, positions and counters."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = raw.strip() if isinstance(raw, str) else str(raw)
        if not _WHOLE.fullmatch(text):
            return None
        value = int(text)
    return value if low <= value <= high else None


def bounded_id(raw: Any) -> int | None:
    """A row id (1 … 2^31 − 1) from a URL or a form; None when odd or beyond the column."""
    return bounded_int(raw, 1, MAX_ID)


def bounded_day(raw: Any) -> date | None:
    """An ISO date (2026-11-23) from FIRST_DAY to LAST_DAY; None when odd or out of range."""
    try:
        day = date.fromisoformat(str(raw).strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def bounded_time(raw: Any) -> datetime | None:
    """An ISO 8601 time with a zone (2026-11-24T07:00+07:00) within those years; None otherwise."""
    try:
        value = datetime.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None
    if value.tzinfo is None or not FIRST_DAY <= value.date() <= LAST_DAY:
        return None
    return value


def agent_reference(raw: Any) -> str | None:
    """An agent as a request names one (an id or a username), ready for `rota.find_agent`; None when
    it cannot name one: not a number or a text, empty, longer than a username, or an id beyond the column."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return None
    text = str(raw).strip()
    if not text or len(text) > 64 or (text.isdigit() and bounded_id(text) is None):
        return None
    return text


def without_nul(value: str) -> str:
    """`value` without NUL characters (PostgreSQL's text types cannot hold U+0000)."""
    return value.replace("\x00", "") if "\x00" in value else value


def fit_utf8(value: str, max_bytes: int) -> str:
    """The longest prefix of `value` whose UTF-8 takes at most `max_bytes` (never half a character)."""
    encoded = value.encode("utf-8", "replace")
    if len(encoded) <= max_bytes:
        return value
    return encoded[:max_bytes].decode("utf-8", "ignore")


def clean_text(value: str, max_chars: int, max_bytes: int | None = None) -> str:
    """Text as it may be stored: no NUL, no lone surrogate, at most `max_chars` characters and, when
    given, `max_bytes` bytes of UTF-8 (an encrypted column's limit is in bytes: see models/crypto.py)."""
    value = without_nul(value)[:max_chars]
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?"
    return value if max_bytes is None else fit_utf8(value, max_bytes)


def unstorable(value: Any) -> str | None:
    """Why a string from a client cannot be stored (NUL, lone surrogate), or None. Walks lists and dicts."""
    if isinstance(value, str):
        if "\x00" in value:
            return _("a NUL character (\\x00)")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return _("text that is not valid Unicode (a lone surrogate)")
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = unstorable(key) or unstorable(item)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = unstorable(item)
            if found:
                return found
    return None
