"""Browser phone: a page and a small JSON API over the sandbox switch."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from .engine import SandboxSwitch

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox", template_folder="templates", static_folder="static")

KEYS_RE = re.compile(r"^[0-9*#]{1,20}$")


def _switch() -> SandboxSwitch:
    return current_app.extensions["sandbox"]


def _not_found(call_sid: str) -> Any:
    response = jsonify(
        error="not_found", message=f"No sandbox call {call_sid[:40]!r} (calls live until the app restarts)."
    )
    response.status_code = 404
    return response


@bp.get("/")
def phone() -> str:
    """The browser phone page."""
    config = current_app.config
    labels = {
        config["QUEUE_NAME_BRANCH_1"]: "reports and denunciations (branch 1)",
        config["QUEUE_NAME_BRANCH_2"]: "e-customs support (branch 2)",
    }
    return render_template(
        "sandbox.html",
        hotline=config["HOTLINE_NUMBERS"][0],
        demo_users=config.get("DEMO_USERS_HINT", []),
        queue_labels=labels,
        queue_names={1: config["QUEUE_NAME_BRANCH_1"], 2: config["QUEUE_NAME_BRANCH_2"]},
    )


@bp.post("/api/calls")
def dial() -> Any:
    """Dial: JSON {from, to}. The hotline's Voice URL is requested at once."""
    body = request.get_json(silent=True) or {}
    from_ = str(body.get("from") or "").strip()[:40] or "+84912345678"
    to = str(body.get("to") or "").strip()[:40] or current_app.config["HOTLINE_NUMBERS"][0]
    call = _switch().dial(from_, to)
    return jsonify(call.state(_switch().clock.now())), 201


@bp.get("/api/calls/<call_sid>")
def show(call_sid: str) -> Any:
    """The call as the caller experiences it, brought up to now."""
    call = _switch().get(call_sid)
    return jsonify(call.state(_switch().clock.now())) if call else _not_found(call_sid)


@bp.post("/api/calls/<call_sid>/keys")
def keys(call_sid: str) -> Any:
    """Press keys: JSON {keys: "21"}."""
    body = request.get_json(silent=True) or {}
    pressed = str(body.get("keys") or "")
    if not KEYS_RE.match(pressed):
        response = jsonify(error="bad_keys", message="Keys must be 1 to 20 of 0-9, * and #.")
        response.status_code = 400
        return response
    call = _switch().press(call_sid, pressed)
    return jsonify(call.state(_switch().clock.now())) if call else _not_found(call_sid)


@bp.post("/api/calls/<call_sid>/hangup")
def hangup(call_sid: str) -> Any:
    """The caller hangs up."""
    call = _switch().hang_up(call_sid)
    return jsonify(call.state(_switch().clock.now())) if call else _not_found(call_sid)


@bp.post("/api/queues/<queue_name>/answer")
def answer_next(queue_name: str) -> Any:
    """A test agent answers the caller at the front of the queue (until the softphone exists)."""
    call = _switch().answer_next(queue_name[:64])
    if call is None:
        response = jsonify(error="queue_empty", message=f"Nobody is waiting in {queue_name[:64]}.")
        response.status_code = 404
        return response
    return jsonify(call.state(_switch().clock.now()))


@bp.post("/api/calls/<call_sid>/agent-hangup")
def agent_hangup(call_sid: str) -> Any:
    """The test agent ends the conversation; the caller hears the goodbye."""
    call = _switch().agent_hang_up(call_sid)
    return jsonify(call.state(_switch().clock.now())) if call else _not_found(call_sid)
