"""The pages' languages (issue 14): Flask-Babel with gettext catalogs under translations/, Vietnamese by
default, English on request. Who gets which language:

1. `?lang=vi|en` on any page (the login page's links; the login form carries it on);
2. the logged-in user's choice (`users.language`, set with the switch in the header); for a program on the
   JSON API (Bearer token or HTTP Basic), the choice saved on the token's user;
3. before login, and for a program whose user chose no language: the browser's (client's) Accept-Language
   (vi or en);
4. DEFAULT_UI_LANGUAGE (vi; the test configuration says en).

The JSON API's error messages (`{"error": code, "message": …}`) follow the same rule; the `error` code never
changes with the language. Outside a request (the CLI, the scheduler's jobs) gettext gives the English text.

The pages' JavaScript takes its words from the same catalogs: every `_("…")` in the rooms' static
scripts is extracted (Babel's JavaScript extractor, as `pybabel extract` does), translated with the
compiled catalog of the page's language and put in the page as a `<script type="application/json"
id="i18n">` block (data, never run: the Content-Security-Policy forbids inline scripts), which
`callcenter/web/static/i18n.js` reads.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale, gettext
from werkzeug.exceptions import HTTPException

from callcenter.accounts.api_auth import program_user
from callcenter.accounts.session_auth import role_label, session_user
from callcenter.common.labels import label, labels_in_language
from callcenter.common.when import calendar, format_when

LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language, never translated
ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"


def install(app: Flask) -> None:
    """Flask-Babel on the app, the language for each request, and what every template needs."""
    default = app.config.get("DEFAULT_UI_LANGUAGE") or "vi"
    if default not in LANGUAGES:
        raise RuntimeError("DEFAULT_UI_LANGUAGE must be vi or en")
    app.config["BABEL_DEFAULT_LOCALE"] = default
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Ho_Chi_Minh"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_language)
    app.context_processor(_template_helpers)


def select_language() -> str:
    """The language of this request (see the module's docstring); English outside a request."""
    if not has_request_context():
        return "en"
    try:
        chosen = request.values.get("lang") if request.method == "GET" else request.form.get("lang")
    except HTTPException:  # a form too large to read (the 413 answer itself is translated)
        chosen = None
    if chosen in LANGUAGES:
        return chosen
    user = session_user()
    program = program_user() if user is None else None
    if user is not None and user.language in LANGUAGES:
        return user.language
    if program is not None and program.language in LANGUAGES:
        return program.language
    if user is None:
        browser = request.accept_languages.best_match(LANGUAGES)
        if browser:
            return browser
    return current_app.config.get("DEFAULT_UI_LANGUAGE") or "vi"


def current_language() -> str:
    """vi or en: the language this request's page speaks."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "vi"


@cache
def js_message_ids() -> tuple[str, ...]:
    """Every message id the pages' scripts ask for: `_("…")` in the rooms' static/*.js, found by Babel's
    JavaScript extractor (the same one `make i18n-extract` runs)."""
    found: set[str] = set()
    for script in sorted((ROOT / "callcenter").glob("*/static/*.js")):
        for _line, message, _comments, _context in extract_from_file("javascript", str(script), keywords={"_": None}):
            if isinstance(message, str) and message:
                found.add(message)
    return tuple(sorted(found))


def js_messages() -> dict[str, str]:
    """The scripts' words in this request's language, from the compiled catalog."""
    return {msgid: gettext(msgid) for msgid in js_message_ids()}


def when(value: Any, kind: str = "datetime") -> str:
    """A date or time in Vietnam time, written the way this page's language writes it."""
    return format_when(value, kind, current_language())


def _template_helpers() -> dict[str, Any]:
    return {
        "current_language": current_language,
        "js_messages": js_messages,
        "js_labels": labels_in_language,
        "js_calendar": lambda: calendar(current_language()),
        "label": label,
        "when": when,
        "languages": LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "role_label": role_label,
    }
