"""Login and logout pages, the landing page that sends each role to its work, and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from callcenter.accounts.session_auth import (
    client_address,
    csrf_ok,
    csrf_token,
    log_in,
    log_out,
    safe_next,
    session_user,
)
from callcenter.accounts.throttle import LoginThrottle
from callcenter.accounts.users import UserService
from callcenter.web.i18n import LANGUAGES
from models import Role, db

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static/app")


def _home_for(role: str) -> str:
    if role == Role.AGENT:
        return url_for("softphone.page")
    if role in (Role.SUPERVISOR, Role.ADMIN, Role.INVESTIGATOR):
        return url_for("report_pages.wallboard")
    return url_for("pages.home")


@bp.app_context_processor
def inject_user() -> dict[str, Any]:
    """Every page template knows who is logged in and the CSRF token."""
    return {"current_user": session_user(), "csrf_token": csrf_token}


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form; failures are throttled per username and per address."""
    target = safe_next(request.values.get("next"), "")
    if request.method == "GET":
        user = session_user()
        if user is not None:
            return redirect(target or _home_for(user.role))
        return render_template("login.html", next=target, error=None)
    clock = current_app.extensions["clock"]
    username = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    address = client_address()
    if not csrf_ok():
        return render_template("login.html", next=target, error=_("The form expired. Please try again.")), 400
    throttle = LoginThrottle(db.session, clock)
    wait = throttle.retry_after(username, address)
    if wait:
        message = _("Too many failed logins. Try again in %(minutes)d minute(s).", minutes=max(1, wait // 60))
        response = current_app.make_response((render_template("login.html", next=target, error=message), 429))
        response.headers["Retry-After"] = str(wait)
        return response
    user = UserService(db.session, clock).authenticate_password(username, password) if username else None
    throttle.record(username, address, succeeded=user is not None)
    db.session.commit()
    if user is None:
        return render_template("login.html", next=target, error=_("Wrong username or password.")), 401
    log_in(user)
    db.session.commit()
    return redirect(target or _home_for(user.role))


@bp.post("/logout")
def logout() -> Any:
    """End the session (POST with the CSRF token, so no other site can log you out)."""
    if session_user() is not None and not csrf_ok():
        return render_template("login.html", next="", error=_("The form expired. Please try again.")), 400
    log_out()
    db.session.commit()
    return redirect(url_for("pages.login"))


@bp.get("/home")
def home() -> Any:
    """Where a logged-in user who is not an agent lands (the supervisors' pages come next)."""
    user = session_user()
    if user is None:
        return redirect(url_for("pages.login", next="/home"))
    return render_template("home.html", user=user)


@bp.post("/language")
def language() -> Any:
    """The header's language switch: saved on the logged-in user (a form with the CSRF token, like
    logging out), then back to the page it was on. Before login the login page's ?lang= links choose."""
    user = session_user()
    if user is None:
        return Response(_("Log in first.") + "\n", status=401, mimetype="text/plain")
    if not csrf_ok():
        return Response(_("The form expired. Please try again.") + "\n", status=400, mimetype="text/plain")
    chosen = request.form.get("language")
    if chosen not in LANGUAGES:
        return Response(_("Choose vi or en.") + "\n", status=400, mimetype="text/plain")
    user.language = chosen
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), _home_for(user.role)))
