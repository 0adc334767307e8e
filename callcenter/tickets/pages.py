"""The ticket list, one ticket, and the audit log (built on the JSON API, which checks the role again)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from callcenter.accounts.roles import AUDITORS, WATCHERS, may_change
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.common.pages import room_pages
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


@bp.get("/audit")
@login_required(*AUDITORS)
def audit() -> Any:
    """Who looked at confidential callers, and when (investigators and admins; nobody can edit it)."""
    return render_template("audit.html")
