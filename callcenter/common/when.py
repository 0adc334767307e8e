"""Dates and times as people read them (issue 14): Vietnam time, written by Babel in the reader's language.
Vietnamese writes dd/MM/yyyy HH:mm; English writes the month's name, so neither can be misread as the
other's day and month. The JSON API keeps ISO 8601 with the offset (`common.http.iso`); the pages' scripts
format with the same patterns and Babel's month and day names (served in the page's i18n block, read by
`window.fmt` in callcenter/web/static/i18n.js); the CLI uses DEFAULT_UI_LANGUAGE.

Forms take dates the Vietnamese way in both languages (dd/mm/yyyy, 24-hour HH:mm): one way to type a
date on this desk, whatever the browser's own locale would make of a date picker.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import current_app, has_app_context

from callcenter.common.clock import LOCAL_TZ

PATTERNS: dict[str, dict[str, str]] = {
    "vi": {
        "datetime": "dd/MM/yyyy HH:mm",
        "datetime_seconds": "dd/MM/yyyy HH:mm:ss",
        "date": "dd/MM/yyyy",
        "day": "EEE dd/MM",
        "time": "HH:mm",
        "time_seconds": "HH:mm:ss",
    },
    "en": {
        "datetime": "d MMM yyyy, HH:mm",
        "datetime_seconds": "d MMM yyyy, HH:mm:ss",
        "date": "d MMM yyyy",
        "day": "EEE d MMM",
        "time": "HH:mm",
        "time_seconds": "HH:mm:ss",
    },
}
INPUT_PATTERNS = {"date": "dd/MM/yyyy", "datetime": "dd/MM/yyyy HH:mm", "time": "HH:mm"}


def _language(language: str | None) -> str:
    return language if language in PATTERNS else "vi"


def format_when(value: datetime | date | None, kind: str = "datetime", language: str | None = None) -> str:
    """`value` (an aware datetime, or a calendar day) in Vietnam time, the way `language` writes it."""
    if value is None:
        return ""
    lang = _language(language)
    pattern = PATTERNS[lang][kind]
    if isinstance(value, datetime):
        return format_datetime(value, pattern, tzinfo=LOCAL_TZ, locale=lang)
    return format_date(value, pattern, locale=lang)


def cli_when(value: datetime | date | None, kind: str = "datetime") -> str:
    """A date or time in the command line's output: Vietnam time, in DEFAULT_UI_LANGUAGE's way; a moment
    says it is Vietnam time (an operator's terminal may be in any zone)."""
    language = current_app.config.get("DEFAULT_UI_LANGUAGE") if has_app_context() else None
    text = format_when(value, kind, language)
    return f"{text} (UTC+7)" if isinstance(value, datetime) and kind.startswith("datetime") else text


def calendar(language: str | None) -> dict[str, Any]:
    """What the pages' scripts need to write and read dates like the server: the patterns and Babel's
    month and weekday names for `language`."""
    lang = _language(language)
    locale = Locale.parse(lang)
    months = locale.months["format"]
    days = locale.days["format"]
    return {
        "patterns": PATTERNS[lang],
        "input": INPUT_PATTERNS,
        "months_abbr": [months["abbreviated"][m] for m in range(1, 13)],
        "months_wide": [months["wide"][m] for m in range(1, 13)],
        # Babel numbers weekdays from Monday = 0; JavaScript's getUTCDay() from Sunday = 0.
        "days_abbr": [days["abbreviated"][(d + 6) % 7] for d in range(7)],
        "days_wide": [days["wide"][(d + 6) % 7] for d in range(7)],
    }
