"""The ticket list, one ticket (also found by its call's CallSid), and the audit log (built on the JSON
API, which checks the role again)."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, url_for
from sqlalchemy import select

from callcenter.accounts.roles import AUDITORS, WATCHERS, may_change
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.common.pages import room_pages
from models import Call, Ticket, db
from models.ticket import TicketOutcome

bp = room_pages("ticket_pages", __name__, "tickets")


@bp.get("/tickets")
@login_required(*WATCHERS)
def tickets() -> Any:
    """Ticket search (from the JSON API): callers of branch 1 are shown only to investigators."""
    return render_template("tickets.html", ticket_outcomes=[o.value for o in TicketOutcome])


@bp.get("/tickets/<int:ticket_id>")
@login_required(*WATCHERS)
def ticket(ticket_id: int) -> Any:
    """One ticket: the call, the wrap-up, the voicemail, the timeline; escalate or close (supervisor, admin)."""
    user = session_user()
    return render_template("ticket.html", ticket_id=ticket_id, may_change=may_change(user and user.role))


@bp.get("/calls/<call_sid>")
@login_required(*WATCHERS)
def call_ticket(call_sid: str) -> Any:
    """A call's ticket page found by its CallSid (the sandbox phone and tools that know only the call link here)."""
    ticket_id = db.session.scalar(
        select(Ticket.id).join(Call, Call.id == Ticket.call_id).where(Call.call_sid == call_sid)
    )
    if ticket_id is None:
        abort(404)
    return redirect(url_for(".ticket", ticket_id=ticket_id))


@bp.get("/audit")
@login_required(*AUDITORS)
def audit() -> Any:
    """Who looked at confidential callers, and when (investigators and admins; nobody can edit it)."""
    return render_template("audit.html")
