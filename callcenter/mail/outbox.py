"""The outbox: every mail the desk sends (acknowledgements, agents' answers) is first a `MailMessage` row
(status queued), written in the same transaction as the ticket change that caused it, then handed to the
SMTP server by `send_due` (the scheduler's job and `flask mail send`). An SMTP outage loses nothing: the
row waits and is retried with backoff; after MAX_ATTEMPTS it is marked failed, on the ticket's timeline.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.mail.contact import add_event, sender_index
from callcenter.mail.settings import MailSettings
from models import Direction, EventKind, MailMessage, SendStatus, Ticket

MAX_ATTEMPTS = 8
BACKOFF_SECONDS = (30, 60, 120, 300, 600, 1200, 1800)  # then every 30 minutes until MAX_ATTEMPTS


class MailSendError(Exception):
    """The SMTP server did not take the mail (`permanent`: it never will, e.g. 550 no such user)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailTransport(Protocol):
    """What sends a built message: SMTP in production, a capture in the sandbox and the tests."""

    def send(self, message: EmailMessage) -> None: ...


def message_key(message_id: str) -> str:
    """The index key of a Message-ID (without its angle brackets, case kept: RFC 5322 ids are exact)."""
    return hashlib.sha256(message_id.strip().strip("<>").encode("utf-8", "surrogateescape")).hexdigest()


def new_message_id(settings: MailSettings) -> str:
    return f"{secrets.token_hex(12)}@{settings.domain}"


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class Outbox:
    def __init__(self, session: Session, settings: MailSettings) -> None:
        self.session = session
        self.settings = settings

    def queue(
        self,
        ticket: Ticket,
        *,
        kind: str,
        to: str,
        subject: str,
        body_text: str,
        at: datetime,
        in_reply_to: str | None = None,
        references: Sequence[str] = (),
        by_agent_id: int | None = None,
    ) -> MailMessage:
        """A mail to `to` about `ticket`, queued to send (in the caller's transaction)."""
        message_id = new_message_id(self.settings)
        row = MailMessage(
            ticket_id=ticket.id,
            direction=Direction.OUT.value,
            kind=kind,
            message_id=message_id,
            message_key=message_key(message_id),
            in_reply_to=in_reply_to,
            references=" ".join(f"<{r.strip('<>')}>" for r in references) or None,
            party=to,
            party_hash=sender_index(to),
            mailbox_address=self.settings.from_address,
            subject=subject,
            body_text=body_text,
            size_bytes=len(body_text.encode("utf-8")),
            at=at,
            by_agent_id=by_agent_id,
            status=SendStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def build(self, row: MailMessage) -> EmailMessage:
        """The RFC 5322 message of a queued row: threading headers, RFC 3834 Auto-Submitted on the
        acknowledgement (so other robots do not answer it), UTF-8 text."""
        message = EmailMessage()
        message["From"] = formataddr(("Tổng đài 1900 9299 - Hải quan Việt Nam", self.settings.from_address))
        message["To"] = row.party or ""
        message["Subject"] = row.subject or ""
        message["Message-ID"] = f"<{row.message_id}>"
        message["Date"] = format_datetime(row.at)
        if row.in_reply_to:
            message["In-Reply-To"] = f"<{row.in_reply_to.strip('<>')}>"
        if row.references:
            message["References"] = row.references
        if row.kind == "ack":
            message["Auto-Submitted"] = "auto-replied"
            message["X-Auto-Response-Suppress"] = "All"
        message.set_content(row.body_text or "", charset="utf-8")
        return message

    def send_due(self, transport: MailTransport, now: datetime, limit: int = 50) -> SendReport:
        """Hand the due queued mails to `transport`, oldest first; each result is committed per mail."""
        due = self.session.scalars(
            select(MailMessage)
            .where(MailMessage.status == SendStatus.QUEUED.value, MailMessage.next_attempt_at <= now)
            .order_by(MailMessage.next_attempt_at, MailMessage.id)
            .limit(limit)
        ).all()
        sent = retried = failed = 0
        for row in due:
            ticket = self.session.get(Ticket, row.ticket_id)
            row.attempts += 1
            try:
                transport.send(self.build(row))
            except MailSendError as exc:
                row.last_error = str(exc)[:300]
                if exc.permanent or row.attempts >= MAX_ATTEMPTS:
                    row.status = SendStatus.FAILED.value
                    failed += 1
                else:
                    wait = BACKOFF_SECONDS[min(row.attempts - 1, len(BACKOFF_SECONDS) - 1)]
                    row.next_attempt_at = now + timedelta(seconds=wait)
                    retried += 1
                if ticket is not None:
                    add_event(
                        self.session,
                        ticket.call_id,
                        EventKind.MAIL_SEND_FAILED.value,
                        now,
                        kind=row.kind,
                        attempt=row.attempts,
                        final=row.status == SendStatus.FAILED.value,
                    )
            else:
                row.status = SendStatus.SENT.value
                row.sent_at = now
                row.last_error = None
                sent += 1
                if ticket is not None:
                    add_event(self.session, ticket.call_id, EventKind.MAIL_SENT.value, now, kind=row.kind)
            self.session.commit()
        return SendReport(sent=sent, retried=retried, failed=failed)
