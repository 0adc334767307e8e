"""A ticket whose call's wrap-up was left unfinished (timed out, or the agent was logged off)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, Call, Ticket, TicketOutcome


def after_call_seconds(call: Call, wrapped_up_at: datetime) -> int | None:
    """After-call work: from the end of the call to the wrap-up (None while the call is not over)."""
    if call.ended_at is None:
        return None
    return max(0, int((wrapped_up_at - call.ended_at).total_seconds()))


def keep_what_is_there(session: Session, agent: Agent, now: datetime, note: str) -> None:
    """The agent leaves the call's wrap-up unfinished (it timed out, or a supervisor logged them off):
    the draft is already on the ticket; one without an outcome is marked for follow-up, with `note`."""
    if not agent.current_call_sid:
        return
    found = session.execute(
        select(Ticket, Call).join(Call, Call.id == Ticket.call_id).where(Call.call_sid == agent.current_call_sid)
    ).first()
    if found is None:
        return
    ticket, call = found
    if call.wrapup_seconds is None:
        call.wrapup_seconds = after_call_seconds(call, now)
    if ticket.outcome is None:
        ticket.outcome = TicketOutcome.FOLLOW_UP
        ticket.agent_id = agent.id
        ticket.wrapped_up_at = now
        ticket.notes = ((ticket.notes or "") + "\n" + note).strip()
