"""API authentication: HTTP Basic (username + password), `Authorization: Bearer <token>`, or the pages'
login session (changes then need the session's CSRF token).

Every API view declares the roles it admits with @require_role; answers are JSON 401/403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from models import User, db

from .http import json_error
from .throttle import LoginThrottle
from .users import UserService

F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User | None:
    """The user authenticated for this request, if any."""
    return g.get("api_user")


def _authenticate() -> User | None:
    service = UserService(db.session, current_app.extensions["clock"])
    header = request.headers.get("Authorization", "")
    if not header:  # the pages call the API with their session (and the CSRF token for changes)
        from .session_auth import UNSAFE_METHODS, csrf_ok, session_user

        user = session_user()
        if user is not None and request.method in UNSAFE_METHODS and not csrf_ok():
            return None
        return user
    if header.lower().startswith("bearer "):
        return service.authenticate_token(header[7:].strip())
    auth = request.authorization
    if auth is not None and auth.type == "basic" and auth.username and auth.password:
        throttle = LoginThrottle(db.session, current_app.extensions["clock"])
        address = (request.remote_addr or "unknown")[:64]
        wait = throttle.retry_after(auth.username, address)
        if wait:
            raise Throttled(wait)
        user = service.authenticate_password(auth.username, auth.password)
        if user is None:  # only failures are counted here (an API client logs in on every request)
            throttle.record(auth.username, address, succeeded=False)
            db.session.commit()
        return user
    return None


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
                user = _authenticate()
            except Throttled as exc:
                response = json_error(429, "throttled", "Too many failed logins; try again later.")
                response.headers["Retry-After"] = str(exc.seconds)
                return response
            if user is None:
                response = json_error(
                    401, "unauthenticated", "Log in with HTTP Basic (username and password) or a Bearer API token."
                )
                response.headers["WWW-Authenticate"] = 'Basic realm="hotline 19009299"'
                return response
            if user.role not in roles:
                return json_error(403, "forbidden", f"Your role ({user.role}) may not use this.")
            g.api_user = user
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
