"""Session login for the pages (agents' softphone, later the supervisors' pages).

- The session cookie holds only a random session token (HttpOnly, SameSite=Lax, Secure in production);
  the server keeps the session (user_sessions, callcenter/user_sessions.py) and checks on every request
  that it is not ended, its user is active, and neither the idle nor the absolute timeout has passed.
  Logout, a password change, a deactivation or an admin ends it on the server: a copied cookie is dead.
- The CSRF token of a logged-in session is an HMAC of its token (nothing else in the cookie); before
  login (the login form) it is a random value in the cookie.
- Every state-changing request (POST, PUT, PATCH, DELETE) of a session user must carry the CSRF
  token, as the form field `csrf_token` or the `X-CSRF-Token` header.
- Pages answer an anonymous visitor with a redirect to the login page; JSON endpoints with 401.
The JSON API under /api also admits Bearer tokens and HTTP Basic for programs (callcenter/auth.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _

from callcenter.accounts.sessions import SessionStore, Timeouts
from callcenter.common.http import json_error
from callcenter.common.labels import label
from models import User, db

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def session_store() -> SessionStore:
    """The app's session store with its configured timeouts."""
    timeouts = Timeouts(
        idle=timedelta(minutes=int(current_app.config.get("SESSION_IDLE_MINUTES") or 120)),
        absolute=current_app.permanent_session_lifetime,
    )
    return SessionStore(db.session, current_app.extensions["clock"], timeouts)


def session_user() -> User | None:
    """The logged-in user of this request (a good session of an active user), cached on `g`."""
    if "session_user" not in g:
        token = session.get("sid")
        g.session_user = session_store().check(token) if isinstance(token, str) and token else None
    return g.session_user


def csrf_token() -> str:
    """This session's CSRF token: an HMAC of the session token once logged in, else a random value."""
    token = session.get("sid")
    if isinstance(token, str) and token:
        key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
        return hmac.new(key, b"csrf:" + token.encode("utf-8"), hashlib.sha256).hexdigest()
    value = session.get("csrf")
    if not value:
        value = session["csrf"] = secrets.token_urlsafe(32)
    return value


def csrf_ok() -> bool:
    """True when the request carries this session's CSRF token."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = csrf_token() if session.get("sid") or session.get("csrf") else ""
    return bool(expected) and hmac.compare_digest(sent, expected)


def log_in(user: User) -> None:
    """Start a fresh session for `user` on the server; the cookie gets only its token (and the caller
    commits)."""
    store = session_store()
    old = session.get("sid")
    if isinstance(old, str) and old:  # logging in again (perhaps as someone else) ends the old session
        store.end(old, "logout")
    token = store.start(user, client_address(), request.headers.get("User-Agent", ""))
    session.clear()
    session["sid"] = token
    session.permanent = True
    g.session_user = user


def log_out() -> None:
    """End the session on the server and forget the cookie (the caller commits)."""
    token = session.get("sid")
    if isinstance(token, str) and token:
        session_store().end(token, "logout")
    session.clear()
    g.pop("session_user", None)


def client_address() -> str:
    """The client's address as the app sees it (after ProxyFix, see PROXY_FIX_HOPS)."""
    return (request.remote_addr or "unknown")[:64]


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def role_label(role: str) -> str:
    """A role in words, in the page's language."""
    return label("role", role)


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
                    return _refuse(401, "unauthenticated", _("Your session has ended. Log in again."))
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles:
                message = _("Your role (%(role)s) may not open this page.", role=role_label(user.role))
                return _refuse(403, "forbidden", message)
            if request.method in UNSAFE_METHODS and not csrf_ok():
                return _refuse(400, "csrf", _("This form has expired (missing or wrong CSRF token). Reload the page."))
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
