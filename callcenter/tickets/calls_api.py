"""JSON API: calls with their timeline and ticket, and the audit log of who looked at confidential callers.

Branch 1 (denunciations) is need-to-know: only investigators see who called it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import ALL_ROLES, AUDITORS
from callcenter.common.http import int_param, iso, json_error
from callcenter.tickets.visibility import may_see_caller
from models import AuditEntry, Call, Callback, CallEvent, Ticket, db

bp = Blueprint("api", __name__, url_prefix="/api")


def call_to_json(
    call: Call, events: list[CallEvent], ticket: Ticket | None, role: str, callback: Callback | None = None
) -> dict[str, Any]:
    """The call as the API shows it to a user with `role`."""
    visible = may_see_caller(call, role)
    return {
        "call_sid": call.call_sid,
        "channel": call.channel,
        "caller": call.caller_e164 if visible else None,
        "caller_raw": call.from_raw if visible else None,
        "caller_kind": call.caller_kind if visible else None,
        "caller_hidden": not visible,
        "dialled": call.dialled_e164,
        "dialled_known": call.dialled_known,
        "language": call.language,
        "branch": call.branch,
        "problem_group": call.problem_group,
        "stage": call.stage,
        "outcome": call.outcome,
        "final_status": call.final_status,
        "started_at": iso(call.started_at),
        "queue": {
            "name": call.queue_name,
            "entered_at": iso(call.queue_entered_at),
            "exited_at": iso(call.queue_exited_at),
            "first_position": call.queue_position_first,
            "last_position": call.queue_position_last,
            "wait_seconds": call.queue_wait_seconds,
        },
        "answered_at": iso(call.answered_at),
        "ended_at": iso(call.ended_at),
        "duration_seconds": call.duration_seconds,
        "menu_attempts": call.menu_attempts,
        "events": [
            {"at": iso(e.at), "kind": e.kind, "queue": e.queue, "agent": e.agent, "data": event_data(e, visible)}
            for e in events
        ],
        "ticket": None if ticket is None else ticket_to_json(ticket, visible),
        "callback": None if callback is None else callback_to_json(callback, visible),
    }


# Event data that links a confidential call to another of the same caller: a merged callback request
# names the callback it joined, so two branch-1 calls would be seen to come from one person.
LINKING_EVENT_DATA = ("merged_into",)


def event_data(event: CallEvent, visible: bool) -> Any:
    """The event's data; without what links the call to another when the caller is hidden."""
    if visible or not isinstance(event.data, dict):
        return event.data
    return {k: v for k, v in event.data.items() if k not in LINKING_EVENT_DATA}


def ticket_to_json(ticket: Ticket, visible: bool) -> dict[str, Any]:
    """The ticket; what the agent wrote and the voicemail are need-to-know like the caller (branch 1)."""
    return {
        "id": ticket.id,
        "status": ticket.status,
        "outcome": ticket.outcome,
        "branch": ticket.branch,
        "problem_group": ticket.problem_group,
        "created_at": iso(ticket.created_at),
        "closed_at": iso(ticket.closed_at),
        "agent_id": ticket.agent_id,
        "wrapped_up_at": iso(ticket.wrapped_up_at),
        "details_hidden": not visible,
        "business_code": ticket.business_code if visible else None,
        "tax_code": ticket.tax_code if visible else None,
        "customs_unit": ticket.customs_unit if visible else None,
        "question": ticket.question if visible else None,
        "answer": ticket.answer if visible else None,
        "notes": ticket.notes if visible else None,
        "recording_url": ticket.recording_url if visible else None,
        "recording_seconds": ticket.recording_seconds,
    }


def callback_to_json(callback: Callback, visible: bool) -> dict[str, Any]:
    """The callback requested from this call: its state and attempts (every attempt is also an event)."""
    return {
        "status": callback.status,
        "number": callback.number_e164 if visible else None,
        "attempts": callback.attempts,
        "max_attempts": callback.max_attempts,
        "next_attempt_at": iso(callback.next_attempt_at),
        "requested_at": iso(callback.requested_at),
        "finished_at": iso(callback.finished_at),
    }


@bp.get("/calls/<call_sid>")
@require_role(*ALL_ROLES)
def get_call(call_sid: str) -> Any:
    """One call with its events and ticket."""
    session = db.session
    call = session.scalars(select(Call).where(Call.call_sid == call_sid[:64])).first()
    if call is None:
        return json_error(404, "not_found", _("No call with CallSid %(sid)s is on record.", sid=repr(call_sid[:64])))
    events = list(session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id)))
    ticket = session.scalars(select(Ticket).where(Ticket.call_id == call.id)).first()
    callback = session.scalars(select(Callback).where(Callback.call_id == call.id)).first()
    user = current_user()
    assert user is not None
    body = call_to_json(call, events, ticket, user.role, callback)
    record_view(call, user)
    return jsonify(body)


def record_view(call: Call, user: Any, **detail: Any) -> None:
    """An investigator was shown a confidential caller or ticket (not known to be branch 2): on the audit
    log, with the address and `detail` (a search's filter names, never their values: admins read the log)."""
    if call.branch == 2 or not may_see_caller(call, user.role):
        return
    db.session.add(
        AuditEntry(
            at=current_app.extensions["clock"].now(),
            username=user.username,
            role=user.role,
            action="view_caller",
            call_sid=call.call_sid,
            detail={"branch": call.branch, "path": request.path, "method": request.method, **detail},
        )
    )
    db.session.commit()


@bp.get("/audit")
@require_role(*AUDITORS)
def audit_log() -> Any:
    """Who viewed confidential caller data, newest first (?limit=, at most 1000). Read-only."""
    limit = int_param("limit", 100, 1, 1000, clamp=True)
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return jsonify(
        entries=[
            {
                "at": iso(e.at),
                "user": e.username,
                "role": e.role,
                "action": e.action,
                "call_sid": e.call_sid,
                "detail": e.detail,
            }
            for e in rows
        ]
    )
