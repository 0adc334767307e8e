"""Browser phone: a page and a small JSON API over the sandbox switch."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template

from callcenter.common.http import json_object
from callcenter.ops.demo import DEMO_USERS, on_duty_agents
from models import db

from .engine import NotRinging, SandboxSwitch
from .recordings import wav_bytes
from .state import device_key

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox", template_folder="templates", static_folder="static")

KEYS_RE = re.compile(r"^[0-9*#]{1,20}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ().-]{1,30}$")
RECORDING_RE = re.compile(r"^RE[0-9a-f]{32}$")


def _switch() -> SandboxSwitch:
    return current_app.extensions["sandbox"]


def _error(status: int, error: str, message: str) -> Any:
    response = jsonify(error=error, message=message)
    response.status_code = status
    return response


def _not_found(call_sid: str) -> Any:
    return _error(404, "not_found", f"No sandbox call {call_sid[:40]!r} (calls live until the app restarts).")


@bp.get("/")
def phone() -> str:
    """The browser phone page."""
    config = current_app.config
    labels = {
        config["QUEUE_NAME_BRANCH_1"]: "reports and denunciations (branch 1)",
        config["QUEUE_NAME_BRANCH_2"]: "e-customs support (branch 2)",
    }

    try:
        on_duty = [(name, DEMO_USERS.get(name, ("", ""))[1]) for name in on_duty_agents(db.session, _switch().clock)]
    except Exception:  # noqa: BLE001 - the hint is a nicety; the phone works without it
        on_duty = []
    return render_template(
        "sandbox.html",
        on_duty=on_duty,
        hotline=config["HOTLINE_NUMBERS"][0],
        demo_users=config.get("DEMO_USERS_HINT", []),
        queue_labels=labels,
        queue_names={1: config["QUEUE_NAME_BRANCH_1"], 2: config["QUEUE_NAME_BRANCH_2"]},
    )


@bp.post("/api/calls")
def dial() -> Any:
    """Dial: JSON {from, to}. The hotline's Voice URL is requested at once."""
    body = json_object()
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
    body = json_object()
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


@bp.get("/api/phones/<path:number>/calls")
def phone_calls(number: str) -> Any:
    """The calls ringing at, or in progress at, the sandbox phone `number` (e.g. the hotline calling back)."""
    digits = re.sub(r"\D", "", number)
    if not PHONE_RE.match(number.strip()) or not 3 <= len(digits) <= 15:
        return _error(
            400, "bad_number", "A phone number is 3 to 15 digits, optionally with a leading + (e.g. 0912 345 678)."
        )
    switch = _switch()
    now = switch.clock.now()
    calls = switch.device_calls(number)
    return jsonify(phone=number.strip(), device=device_key(number), calls=[call.state(now) for call in calls])


@bp.post("/api/calls/<call_sid>/answer")
def answer(call_sid: str) -> Any:
    """The sandbox phone picks up a call ringing at it."""
    return _ringing_action(call_sid, "answer")


@bp.post("/api/calls/<call_sid>/reject")
def reject(call_sid: str) -> Any:
    """The sandbox phone declines a call ringing at it (Twilio reports it as busy)."""
    return _ringing_action(call_sid, "reject")


def _ringing_action(call_sid: str, what: str) -> Any:
    switch = _switch()
    try:
        call = switch.answer(call_sid) if what == "answer" else switch.reject(call_sid)
    except NotRinging as exc:
        return _error(409, "not_ringing", f"{exc} It can only be answered or declined while it rings.")
    return jsonify(call.state(switch.clock.now())) if call else _not_found(call_sid)


@bp.get("/recordings/<name>")
def recording(name: str) -> Any:
    """A <Record>ing as a WAV file, at its RecordingUrl or with ".wav" appended (8 kHz mono; a quiet
    tone as long as the recording, at most 120 s)."""
    recording_sid = name.removesuffix(".wav")
    found = _switch().recording(recording_sid) if RECORDING_RE.match(recording_sid) else None
    if found is None:
        return _error(404, "not_found", f"No sandbox recording {recording_sid[:40]!r} (WAV only: <sid> or <sid>.wav).")
    response = Response(wav_bytes(found.duration), mimetype="audio/wav")
    response.headers["Content-Disposition"] = f'inline; filename="{found.sid}.wav"'
    return response
