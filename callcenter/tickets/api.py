"""Tickets for supervisors: list and search, one ticket with its call's timeline, escalate, close.

Search by outcome, problem group, business code, tax code (its blind index: the tax code is encrypted
at rest), caller number (E.164 or as typed: it is normalised and matched through the blind index), date
range (Vietnam time), agent and status: `GET /api/tickets?…` without a caller, or `POST
/api/tickets/search` with the filters in a JSON body (a caller's number never goes in a URL, where
access logs would keep it). Branch 1 is need-to-know: for anyone but an investigator a search by
caller, tax code or business code never matches a branch-1 (or unknown-branch) ticket (the hit alone
would tie that caller or business to a denunciation), and such tickets show no number, no codes and no
text.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.common.clock import LOCAL_TZ
from callcenter.common.http import BadInput, day_param, int_param, json_error, json_object
from callcenter.common.inputs import MAX_ID
from callcenter.common.numbers import parse_number
from callcenter.tickets.calls_api import call_to_json, record_view, ticket_to_json
from callcenter.tickets.visibility import caller_visible
from models import Agent, Call, Callback, CallEvent, Role, Ticket, TicketOutcome, TicketStatus, db
from models.crypto import blind_index
from models.ticket import tax_code_index

bp = Blueprint("tickets_api", __name__, url_prefix="/api/tickets")
READERS = (Role.SUPERVISOR.value, Role.ADMIN.value, Role.INVESTIGATOR.value)
EDITORS = (Role.SUPERVISOR.value, Role.ADMIN.value)


FILTERS = (
    "outcome",
    "group",
    "status",
    "business_code",
    "tax_code",
    "caller",
    "from",
    "to",
    "agent",
    "channel",
    "limit",
    "offset",
)
# Filters on what is hidden from a non-investigator on a branch-1 (or unknown-branch) ticket: such a
# ticket is never a hit for them, or the hit alone would say that this caller or business is tied to a
# denunciation.
HIDDEN_FILTERS = ("business_code", "tax_code", "caller")


@bp.get("")
@require_role(*READERS)
def search() -> Any:
    """?outcome=&group=&business_code=&tax_code=&from=&to=&agent=&status=&channel=&limit=50&offset=0 (channel: call
    or email; no caller: a number in a URL ends up in access logs; POST /api/tickets/search)."""
    if "caller" in request.args:
        return json_error(
            400,
            "bad_input",
            _(
                "Search by caller with POST /api/tickets/search and a JSON body, e.g. %(example)s: a number in "
                "the address ends up in access logs.",
                example='{"caller": "0912 345 678"}',
            ),
        )
    return _search({name: request.args[name] for name in FILTERS if name in request.args})


@bp.post("/search")
@require_role(*READERS)
def search_posted() -> Any:
    """The same search with the filters in a JSON body (how the page searches, a caller's number included)."""
    body = json_object()
    unknown = sorted(set(body) - set(FILTERS))
    if unknown:
        raise BadInput(
            _(
                "Unknown filter %(name)s; the filters are %(filters)s.",
                name=repr(unknown[0][:32]),
                filters=", ".join(FILTERS),
            )
        )
    filters: dict[str, str] = {}
    for name, value in body.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise BadInput(_("%(name)s is text or a number.", name=name))
        filters[name] = str(value)
    return _search(filters)


def _search(args: dict[str, str]) -> Any:
    user = current_user()
    assert user is not None
    investigator = caller_visible(None, user.role)  # the rule that shows unknown-branch callers
    query = select(Ticket, Call).join(Call, Call.id == Ticket.call_id)
    first, last = day_param("from", args), day_param("to", args)
    limit = int_param("limit", 50, 1, 200, clamp=True, source=args)
    offset = int_param("offset", 0, 0, MAX_ID, source=args)
    if first:
        query = query.where(Call.started_at >= datetime.combine(first, time(), LOCAL_TZ))
    if last:
        query = query.where(Call.started_at < datetime.combine(last + timedelta(days=1), time(), LOCAL_TZ))
    for name, column in (
        ("outcome", Ticket.outcome),
        ("group", Ticket.problem_group),
        ("status", Ticket.status),
        ("business_code", Ticket.business_code),
    ):
        if args.get(name):
            value = args[name].strip()
            query = query.where(column == (value.upper() if name == "business_code" else value))
    if args.get("channel"):
        channel = args["channel"].strip()
        if channel not in ("call", "email"):
            raise BadInput(_("channel is call or email."))
        query = query.where(Call.channel == channel)
    if args.get("tax_code"):
        wanted = tax_code_index(args["tax_code"])
        if wanted is None:
            raise BadInput(_("tax_code is a tax code, e.g. 0100100079 or 0100100079-001."))
        query = query.where(Ticket.tax_code_hash == wanted)
    if args.get("caller"):
        e164 = parse_number(args["caller"], current_app.config["DEFAULT_REGION"]).e164
        if e164 is None:
            return json_error(400, "bad_input", _("caller is a phone number, e.g. 0912 345 678 or +84912345678."))
        query = query.where(Call.caller_hash == blind_index(e164))
    if not investigator and any(args.get(name) for name in HIDDEN_FILTERS):
        query = query.where(Call.branch == 2)
    if args.get("agent"):
        agent = db.session.scalars(select(Agent).where(Agent.username == args["agent"].strip())).first()
        if agent is None:
            return json_error(400, "bad_input", _("There is no agent %(name)s.", name=repr(args["agent"][:64])))
        query = query.where(Ticket.agent_id == agent.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(
        db.session.execute(query.order_by(Call.started_at.desc(), Ticket.id.desc()).limit(limit).offset(offset))
    )
    searched = sorted(name for name in args if args[name] and name not in ("limit", "offset"))
    for _ticket, call in rows:  # every confidential caller shown, even in a list, is on the audit log
        record_view(call, user, filters=searched)
    return jsonify(
        total=total,
        limit=limit,
        offset=offset,
        tickets=[
            {
                **ticket_to_json(ticket, caller_visible(call.branch, user.role)),
                "call_sid": call.call_sid,
                "channel": call.channel,
                "started_at": call.started_at.isoformat(),
                "caller": (call.caller_e164 or (call.from_raw if call.channel == "email" else None))
                if caller_visible(call.branch, user.role)
                else None,
            }
            for ticket, call in rows
        ],
    )


def _ticket(ticket_id: int) -> tuple[Ticket, Call] | None:
    row = db.session.execute(
        select(Ticket, Call).join(Call, Call.id == Ticket.call_id).where(Ticket.id == ticket_id)
    ).first()
    return None if row is None else (row[0], row[1])


@bp.get("/<int:ticket_id>")
@require_role(*READERS)
def show(ticket_id: int) -> Any:
    """The ticket with its call and the call's event timeline (and recording link, when allowed)."""
    found = _ticket(ticket_id)
    if found is None:
        return json_error(404, "not_found", _("There is no ticket %(id)s.", id=ticket_id))
    ticket, call = found
    user = current_user()
    assert user is not None
    events = list(db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id)))
    callback = db.session.scalars(select(Callback).where(Callback.call_id == call.id)).first()
    body = call_to_json(call, events, ticket, user.role, callback)
    record_view(call, user)
    return jsonify(body)


def _change(ticket_id: int, status: str, outcome: str | None, action: str) -> Any:
    found = _ticket(ticket_id)
    if found is None:
        return json_error(404, "not_found", _("There is no ticket %(id)s.", id=ticket_id))
    ticket, _call = found
    user = current_user()
    assert user is not None
    body = json_object()
    note = str(body.get("note") or "").strip()[:1000]
    now = current_app.extensions["clock"].now()
    line = f"[{now.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}] {user.username} {action}" + (f": {note}" if note else "")
    ticket.notes = ((ticket.notes or "") + "\n" + line).strip()
    if outcome is not None:
        ticket.outcome = outcome
    ticket.status = status
    ticket.closed_at = now if status == TicketStatus.CLOSED else None
    db.session.commit()
    return jsonify(id=ticket.id, status=ticket.status, outcome=ticket.outcome)


@bp.post("/<int:ticket_id>/escalate")
@require_role(*EDITORS)
def escalate(ticket_id: int) -> Any:
    """Escalate to the central support team: outcome escalated, the ticket (re)opened, a note on record."""
    return _change(ticket_id, TicketStatus.OPEN, TicketOutcome.ESCALATED, "escalated")


@bp.post("/<int:ticket_id>/close")
@require_role(*EDITORS)
def close(ticket_id: int) -> Any:
    """Close the ticket (the outcome stays), with a note on record."""
    return _change(ticket_id, TicketStatus.CLOSED, None, "closed")
