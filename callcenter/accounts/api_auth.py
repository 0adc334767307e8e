"""API authentication. The rule: browsers use the pages' login session (changes need its CSRF token);
programs use `Authorization: Bearer <token>`, or HTTP Basic (username + password).

HTTP Basic is for programs only. A browser sends remembered Basic credentials on its own, even with a
form another site posts, and Basic carries no CSRF token. So (a) a 401 never challenges with Basic (it
says `WWW-Authenticate: Bearer`: no browser shows its password prompt, so none remembers a password),
and (b) a change (POST, PUT, PATCH, DELETE) with Basic that comes from a browser (an `Origin` or
`Sec-Fetch-Site` header, or the pages' session cookie) is refused 403. Failed Basic logins count in the
login throttling like the login page's (callcenter/throttle.py).

Every API view declares the roles it admits with @require_role; answers are JSON 401/403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_babel import refresh

from callcenter.accounts.session_auth import UNSAFE_METHODS, client_address, csrf_ok, session_user
from callcenter.accounts.throttle import LoginThrottle
from callcenter.accounts.users import UserService
from callcenter.common.http import json_error
from callcenter.common.labels import label
from models import User, db

F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User | None:
    """The user authenticated for this request, if any."""
    return g.get("api_user")


def program_user() -> User | None:
    """The user a Bearer token or HTTP Basic authenticated on this request (admitted or not), whose saved
    language the API's messages speak (callcenter/web/i18n.py)."""
    return g.get("api_caller")


def _authenticate() -> User | None:
    service = UserService(db.session, current_app.extensions["clock"])
    header = request.headers.get("Authorization", "")
    if not header:  # the pages call the API with their session (and the CSRF token for changes)
        user = session_user()
        if user is not None and request.method in UNSAFE_METHODS and not csrf_ok():
            return None
        return user
    if header.lower().startswith("bearer "):
        return service.authenticate_token(header[7:].strip())
    auth = request.authorization
    if auth is not None and auth.type == "basic" and auth.username and auth.password:
        if request.method in UNSAFE_METHODS and from_a_browser():
            raise BasicFromBrowser()
        throttle = LoginThrottle(db.session, current_app.extensions["clock"])
        address = client_address()
        wait = throttle.retry_after(auth.username, address)
        if wait:
            raise Throttled(wait)
        user = service.authenticate_password(auth.username, auth.password)
        if user is None:  # only failures are counted here (an API client logs in on every request)
            throttle.record(auth.username, address, succeeded=False)
            db.session.commit()
        return user
    return None


def from_a_browser() -> bool:
    """A request a browser made: it names its origin, or its fetch metadata, or carries the session cookie."""
    if request.headers.get("Origin") or request.headers.get("Sec-Fetch-Site"):
        return True
    return current_app.config.get("SESSION_COOKIE_NAME", "session") in request.cookies


class BasicFromBrowser(Exception):
    """HTTP Basic on a change sent by a browser: refused (browsers use the session and its CSRF token)."""


class Throttled(Exception):
    """Too many failed logins: try again after `seconds`."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def require_role(*roles: str) -> Callable[[F], F]:
    """Admit only authenticated users whose role is in `roles`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                user = g.api_caller = _authenticate()
                refresh()  # the language is chosen again, now that the program's user is known
            except Throttled as exc:
                response = json_error(429, "throttled", _("Too many failed logins; try again later."))
                response.headers["Retry-After"] = str(exc.seconds)
                return response
            except BasicFromBrowser:
                return json_error(
                    403,
                    "basic_from_browser",
                    _(
                        "A browser changes things with its login session and CSRF token, not HTTP Basic; "
                        "programs send a Bearer API token (or HTTP Basic without browser headers)."
                    ),
                )
            if user is None:
                response = json_error(
                    401,
                    "unauthenticated",
                    _("Log in on the pages, or send a Bearer API token (programs may also use HTTP Basic)."),
                )
                response.headers["WWW-Authenticate"] = 'Bearer realm="hotline 19009299"'
                return response
            if user.role not in roles:
                return json_error(
                    403, "forbidden", _("Your role (%(role)s) may not use this.", role=label("role", user.role))
                )
            g.api_user = user
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
