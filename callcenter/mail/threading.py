"""Which ticket a mail belongs to (never a second ticket for one conversation):

1. its In-Reply-To / References against every stored Message-ID, in and out (a reply to our
   acknowledgement or to an agent's answer, a colleague in CC answering the thread);
2. else the ticket reference our mails carry in their subject, "[1900 9299 #123]" (also "[#123]"), when
   the sender already wrote on that ticket (a forwarded mail, a new mail quoting the reference): a stranger
   cannot put mail into someone else's ticket by typing its number;
3. else a new conversation."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.mail.outbox import message_key
from models import Call, Channel, Direction, MailMessage, Ticket

REFERENCE_PREFIX = "1900 9299"
REFERENCE_RE = re.compile(r"\[\s*(?:1900\s*9299\s*)?#\s*(\d{1,12})\s*\]")


def reference(ticket_id: int) -> str:
    """The ticket reference in our subjects: "[1900 9299 #123]"."""
    return f"[{REFERENCE_PREFIX} #{ticket_id}]"


def referenced_ticket_ids(subject: str) -> list[int]:
    return [int(n) for n in REFERENCE_RE.findall(subject or "")]


def by_headers(session: Session, ids: Iterable[str]) -> int | None:
    """The ticket of the latest stored message among `ids` (Message-IDs without brackets)."""
    keys = list(dict.fromkeys(message_key(i) for i in ids if i))[:100]
    if not keys:
        return None
    return session.scalar(
        select(MailMessage.ticket_id).where(MailMessage.message_key.in_(keys)).order_by(MailMessage.id.desc()).limit(1)
    )


def by_subject(session: Session, subject: str, sender_hash: str | None) -> int | None:
    """The e-mail ticket named in the subject, if the sender is that ticket's correspondent."""
    if not sender_hash:
        return None
    for ticket_id in referenced_ticket_ids(subject):
        row = session.execute(
            select(Ticket.id, Call.caller_hash, Call.channel)
            .join(Call, Call.id == Ticket.call_id)
            .where(Ticket.id == ticket_id)
        ).first()
        if row is None or row.channel != Channel.EMAIL.value:
            continue
        if row.caller_hash == sender_hash:
            return ticket_id
        wrote = session.scalar(
            select(MailMessage.id)
            .where(
                MailMessage.ticket_id == ticket_id,
                MailMessage.party_hash == sender_hash,
                MailMessage.direction == Direction.IN.value,
            )
            .limit(1)
        )
        if wrote is not None:
            return ticket_id
    return None


def find_ticket(session: Session, references: list[str], subject: str, sender_hash: str | None) -> int | None:
    return by_headers(session, references) or by_subject(session, subject, sender_hash)
