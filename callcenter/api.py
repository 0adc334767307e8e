"""JSON API: calls with their timeline and ticket, and incident announcements.

Branch 1 (denunciations) is need-to-know: only investigators see who called it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from models import Announcement, AuditEntry, Call, Callback, CallEvent, Role, Ticket, db

from .announcements import AnnouncementError, AnnouncementService
from .auth import current_user, require_role
from .desk import caller_visible
from .http import int_param, iso, json_error
from .metrics import LOCAL_TZ

bp = Blueprint("api", __name__, url_prefix="/api")

ALL_ROLES = tuple(r.value for r in Role)
SUPERVISORS = (Role.SUPERVISOR.value, Role.ADMIN.value)


def may_see_caller(call: Call, role: str) -> bool:
    """Need-to-know: investigators see every caller; others only callers known to be in branch 2.

    A call whose branch is unknown (hung up in the menu, or routed by a fallback) may be a
    denunciation, so it is treated like branch 1. (One rule for the API and the softphone.)
    """
    return caller_visible(call.branch, role)


def call_to_json(
    call: Call, events: list[CallEvent], ticket: Ticket | None, role: str, callback: Callback | None = None
) -> dict[str, Any]:
    """The call as the API shows it to a user with `role`."""
    visible = may_see_caller(call, role)
    return {
        "call_sid": call.call_sid,
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
        return json_error(404, "not_found", f"No call with CallSid {call_sid[:64]!r} is on record.")
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
@require_role(Role.INVESTIGATOR.value, Role.ADMIN.value)
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


def announcement_to_json(a: Announcement, now: datetime) -> dict[str, Any]:
    """An announcement and whether it is playing now."""
    return {
        "id": a.id,
        "text_vi": a.text_vi,
        "text_en": a.text_en,
        "audio_url_vi": a.audio_url_vi,
        "audio_url_en": a.audio_url_en,
        "starts_at": iso(a.starts_at),
        "expires_at": iso(a.expires_at),
        "cancelled_at": iso(a.cancelled_at),
        "created_by": a.created_by,
        "active": a.is_active(now),
    }


def parse_time(raw: object, field: str) -> datetime | None:
    """An ISO 8601 time with a zone (e.g. 2026-11-22T17:00:00+07:00), or None when empty."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise AnnouncementError(f"{field} must be an ISO 8601 time such as 2026-11-22T17:00:00+07:00.")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise AnnouncementError(f"{field} must be an ISO 8601 time such as 2026-11-22T17:00:00+07:00.") from exc
    if value.tzinfo is None:
        raise AnnouncementError(f"{field} needs a time zone, e.g. +07:00 for Vietnam.")
    return value.astimezone(UTC)


@bp.get("/announcements")
@require_role(*SUPERVISORS)
def list_announcements() -> Any:
    """Recent announcements, newest first."""
    now = current_app.extensions["clock"].now()
    rows = db.session.scalars(select(Announcement).order_by(Announcement.id.desc()).limit(50))
    return jsonify([announcement_to_json(a, now) for a in rows])


@bp.post("/announcements")
@require_role(*SUPERVISORS)
def create_announcement() -> Any:
    """Set an incident announcement: JSON {text_vi, text_en?, expires_at?, starts_at?}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "bad_request", "Send a JSON object with at least text_vi.")
    clock = current_app.extensions["clock"]
    try:
        announcement = AnnouncementService(db.session, clock).create(
            str(body.get("text_vi") or ""),
            body.get("text_en") if isinstance(body.get("text_en"), str) else None,
            parse_time(body.get("expires_at"), "expires_at"),
            starts_at=parse_time(body.get("starts_at"), "starts_at"),
            created_by=current_user().username,  # type: ignore[union-attr]
        )
    except AnnouncementError as exc:
        db.session.rollback()
        return json_error(400, "invalid_announcement", str(exc))
    db.session.commit()
    return jsonify(announcement_to_json(announcement, clock.now())), 201


@bp.post("/announcements/<int:announcement_id>/expire")
@require_role(*SUPERVISORS)
def expire_announcement(announcement_id: int) -> Any:
    """Stop an announcement now."""
    clock = current_app.extensions["clock"]
    try:
        announcement = AnnouncementService(db.session, clock).expire(announcement_id)
    except AnnouncementError as exc:
        return json_error(404, "not_found", str(exc))
    db.session.commit()
    return jsonify(announcement_to_json(announcement, clock.now()))


@bp.get("/reports/<kind>")
@require_role(Role.SUPERVISOR.value, Role.ADMIN.value, Role.INVESTIGATOR.value)
def report(kind: str) -> Any:
    """Abandonment or service report: ?from=YYYY-MM-DD&to=…&by=day|hour|weekday_hour|branch|group
    &threshold=20&formula=cisco_against&format=json|csv (counts only, never a caller)."""
    from .reports import ReportError, build, date_range, to_csv

    if kind == "agents":
        return agent_report()
    if kind not in ("abandonment", "service"):
        return json_error(404, "not_found", "Reports: /api/reports/abandonment, /service or /agents.")
    config = current_app.config
    today = current_app.extensions["clock"].now().astimezone(LOCAL_TZ).date()
    threshold = int_param("threshold", int(config["SERVICE_LEVEL_SECONDS"]), 1, 3600)
    try:
        first, last = date_range(request.args.get("from"), request.args.get("to"), today)
        result = build(
            db.session,
            first,
            last,
            by=request.args.get("by") or ("day" if kind == "abandonment" else "branch"),
            threshold=threshold,
            short_seconds=int(config["SHORT_ABANDON_SECONDS"]),
            formula=request.args.get("formula") or config["SERVICE_LEVEL_FORMULA"],
        )
    except ReportError as exc:
        return json_error(400, "bad_input", str(exc))
    if request.args.get("format") == "csv":
        filename = f"{kind}-{first.isoformat()}-{last.isoformat()}-by-{result['by']}.csv"
        return current_app.response_class(
            to_csv(result),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return jsonify(kind=kind, **result)


@bp.get("/wallboard")
@require_role(Role.SUPERVISOR.value, Role.ADMIN.value, Role.INVESTIGATOR.value)
def wallboard() -> Any:
    """What is happening now: waiting per branch, agents by state, today's figures, the announcement."""
    from .desk import DeskView, agents_board
    from .reports import aggregate, day_bounds, sum_totals
    from .telephony_health import telephony_status

    config = current_app.config
    clock = current_app.extensions["clock"]
    now = clock.now()
    today = now.astimezone(LOCAL_TZ).date()
    start, end = day_bounds(today, today)
    threshold, short = int(config["SERVICE_LEVEL_SECONDS"]), int(config["SHORT_ABANDON_SECONDS"])
    figures = sum_totals(aggregate(db.session, start, end, "branch", threshold, short).values()).as_json(
        config["SERVICE_LEVEL_FORMULA"]
    )
    announcement = AnnouncementService(db.session, clock).active()
    return jsonify(
        at=now.isoformat(),
        queues=DeskView(db.session, clock).queues(),
        agents=agents_board(db.session, clock),
        today=figures,
        service_level_threshold_seconds=int(config["SERVICE_LEVEL_SECONDS"]),
        service_level_formula=config["SERVICE_LEVEL_FORMULA"],
        announcement=None if announcement is None else announcement_to_json(announcement, now),
        telephony=telephony_status(db.session).as_json(),
    )


def agent_report() -> Any:
    """Per agent for ?from=&to= (dates, Vietnam time): handled, AHT, wrap-up, missed rings, states, occupancy."""
    from . import agent_report as agents
    from .reports import ReportError, date_range, day_bounds

    clock = current_app.extensions["clock"]
    try:
        first, last = date_range(
            request.args.get("from"), request.args.get("to"), clock.now().astimezone(LOCAL_TZ).date()
        )
    except ReportError as exc:
        return json_error(400, "bad_input", str(exc))
    start, end = day_bounds(first, last)
    end = min(end, clock.now()) if start < clock.now() else end  # today: up to now, not midnight
    return jsonify(
        kind="agents",
        **{"from": first.isoformat(), "to": last.isoformat()},
        agents=agents.build(db.session, start, end),
    )
