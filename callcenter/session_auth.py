"""Session login for the pages (agents' softphone, later the supervisors' pages).

- The session cookie holds the user id and a CSRF token; it is HttpOnly, SameSite=Lax, and Secure
  in production. Every request re-reads the user, so a deactivated user is out at once.
- Every state-changing request (POST, PUT, PATCH, DELETE) of a session user must carry the CSRF
  token, as the form field `csrf_token` or the `X-CSRF-Token` header.
- Pages answer an anonymous visitor with a redirect to the login page; JSON endpoints with 401.
The JSON API under /api keeps its own Basic/Bearer authentication (callcenter/auth.py).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for

from models import User, db

from .http import json_error

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def session_user() -> User | None:
    """The logged-in user of this request (active users only), cached on `g`."""
    if "session_user" not in g:
        user_id = session.get("user_id")
        user = db.session.get(User, user_id) if isinstance(user_id, int) else None
        g.session_user = user if user is not None and user.active else None
    return g.session_user


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok() -> bool:
    """True when the request carries this session's CSRF token."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent, expected)


def log_in(user: User) -> None:
    """Start a fresh session for `user` (a new CSRF token; nothing from before survives)."""
    session.clear()
    session["user_id"] = user.id
    session.permanent = True
    csrf_token()
    g.session_user = user


def log_out() -> None:
    """End the session."""
    session.clear()
    g.pop("session_user", None)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _wants_json() -> bool:
    return "/api/" in request.path or request.accept_mimetypes.best == "application/json"


def _refuse(status: int, code: str, message: str) -> Any:
    if _wants_json():
        return json_error(status, code, message)
    abort(status, message)


def login_required(*roles: str) -> Callable[[F], F]:
    """Admit logged-in users whose role is in `roles` (any role when none are given); check CSRF."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = session_user()
            if user is None:
                if _wants_json():
                    return _refuse(401, "unauthenticated", "Your session has ended. Log in again.")
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles:
                return _refuse(403, "forbidden", f"Your role ({user.role}) may not open this page.")
            if request.method in UNSAFE_METHODS and not csrf_ok():
                return _refuse(400, "csrf", "This form has expired (missing or wrong CSRF token). Reload the page.")
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
