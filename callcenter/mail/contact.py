"""An e-mail conversation as a contact: a `Call` row with channel "email" (created ENDED: never a live
line), its ticket and its `MailWork`. Every rule written for contacts holds for it: branch-1 need-to-know
(by the contact's branch), search, audit, the timeline, the ticket pages."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from callcenter.mail.settings import normal_address
from models import Call, CallerKind, CallEvent, CallStage, Channel, MailState, MailWork, Ticket, TicketStatus
from models.crypto import blind_index


def new_contact_sid() -> str:
    """The contact's id in URLs and the API: "EM" + 32 hex, like Twilio's CA… for calls."""
    return "EM" + secrets.token_hex(16)


def sender_index(address: str) -> str | None:
    """The blind index of a sender's address (lower case): earlier tickets, the per-sender rate limit."""
    normal = normal_address(address)
    return blind_index(normal) if normal else None


def open_conversation(
    session: Session,
    *,
    sender: str,
    to_address: str | None,
    branch: int,
    problem_group: str | None,
    language: str,
    at: datetime,
    needs_person: bool = False,
    flags: str | None = None,
) -> Ticket:
    """A new e-mail contact, its open ticket and its work in the backlog (state NEW)."""
    normal = normal_address(sender)
    call = Call(
        call_sid=new_contact_sid(),
        channel=Channel.EMAIL.value,
        caller_kind=CallerKind.EMAIL.value,
        from_raw=normal or None,
        caller_hash=sender_index(normal) if normal else None,
        to_raw=(to_address or "")[:64] or None,
        dialled_known=True,
        language=language,
        branch=branch,
        problem_group=problem_group,
        stage=CallStage.ENDED.value,
        started_at=at,
    )
    ticket = Ticket(
        call=call,
        status=TicketStatus.OPEN.value,
        branch=branch,
        problem_group=problem_group,
        created_at=at,
    )
    session.add_all([call, ticket])
    session.flush()
    session.add(
        MailWork(
            ticket_id=ticket.id,
            state=MailState.NEW.value,
            branch=branch,
            problem_group=problem_group,
            language=language,
            waiting_since=at,
            received_at=at,
            needs_person=needs_person,
            flags=flags,
        )
    )
    return ticket


def add_event(
    session: Session, call_id: int, kind: str, at: datetime, /, agent: str | None = None, **data: Any
) -> None:
    """A line on the conversation's timeline (`data` may hold a key "kind": the first four are positional)."""
    session.add(CallEvent(call_id=call_id, at=at, kind=kind, agent=agent, data=data))
