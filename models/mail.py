"""E-mail as a second channel (issue 15). A conversation is a contact (`Call` with channel "email", so its
ticket gets every rule calls have: branch-1 need-to-know, search, audit, timeline); this module holds the
mails themselves and the e-mail work:

- `MailWork`: one per e-mail ticket: where the work is (backlog, on an agent's desk, waiting for the
  customer, answered, escalated, closed), the draft, the service clock (first response);
- `MailMessage`: every message in and out, deduplicated by Message-ID; outbound ones wait in the outbox
  (`status` queued → sent, or failed after retries) so an SMTP outage loses nothing;
- `MailAttachment`: kept (up to the size limit) or refused with the reason;
- `MailCursor`: the last IMAP UID taken per mailbox and UIDVALIDITY;
- `MailRule`: the supervisor's rules that propose a problem group from words in a mail.

Addresses, subjects, bodies and attachments are personal data (and, for branch 1, a denunciation):
encrypted at rest like the caller's number, with a blind index where the desk must find a sender again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .crypto import EncryptedString, EncryptedText


class MailState(StrEnum):
    """Where an e-mail ticket's work is. Only NEW is offered to agents (oldest first)."""

    NEW = "new"  # in the backlog: nobody has it (a reply from the customer puts it back here)
    ASSIGNED = "assigned"  # on an agent's desk
    WAITING = "waiting"  # answered with a question: waiting for the customer
    ANSWERED = "answered"  # answered; the ticket stays open a while for a reply
    ESCALATED = "escalated"  # handed to central support
    CLOSED = "closed"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class OutboundKind(StrEnum):
    ACK = "ack"  # the automatic acknowledgement with the ticket reference
    REPLY = "reply"  # an agent's answer


class SendStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after the retries (on record, shown to the supervisor)


class MailWork(Base):
    """The e-mail work on one ticket."""

    __tablename__ = "mail_work"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=MailState.NEW)
    branch: Mapped[int] = mapped_column(Integer, default=2)  # copied from the contact: the offer's filter
    problem_group: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    # The backlog's order: when the customer last wrote and nobody has answered since (oldest first).
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the first message
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the first answer (not the ack)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the latest answer
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    draft: Mapped[str | None] = mapped_column(EncryptedText())  # the agent's unsent answer (kept across calls)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    needs_person: Mapped[bool] = mapped_column(Boolean, default=False)  # unparseable, refused parts: look at it
    flags: Mapped[str | None] = mapped_column(String(200))  # why it needs a person (comma-separated codes)

    __table_args__ = (Index("ix_mail_work_state_waiting_since", "state", "waiting_since"),)


class MailMessage(Base):
    """One e-mail, in or out. Inbound ones are unique by Message-ID (a refetch changes nothing)."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str | None] = mapped_column(String(8))  # outbound: ack or reply
    # The Message-ID as written (without <>), and its hash for the unique index and threading look-ups
    # (a Message-ID may be up to 998 characters; the index holds 64).
    message_id: Mapped[str] = mapped_column(String(998))
    message_key: Mapped[str] = mapped_column(String(64))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(EncryptedText())  # message ids, space-separated
    party: Mapped[str | None] = mapped_column(EncryptedString(400))  # the customer: sender in, recipient out
    party_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # blind index (lower case)
    party_name: Mapped[str | None] = mapped_column(EncryptedString(400))  # inbound: From's display name (0018)
    to_addrs: Mapped[str | None] = mapped_column(EncryptedText())  # as received: To and Cc
    mailbox_address: Mapped[str | None] = mapped_column(String(320))  # which support address it reached
    subject: Mapped[str | None] = mapped_column(EncryptedText())
    body_text: Mapped[str | None] = mapped_column(EncryptedText())
    body_html: Mapped[str | None] = mapped_column(EncryptedText())  # sanitised: safe to show
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # kept when the mail could not be parsed
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    auto_submitted: Mapped[str | None] = mapped_column(String(32))  # why no acknowledgement (RFC 3834 etc.)
    at: Mapped[datetime] = mapped_column(UTCDateTime())  # received (in) or queued (out)
    by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    # Outbox (outbound only).
    status: Mapped[str | None] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))

    attachments: Mapped[list[MailAttachment]] = relationship(
        back_populates="message", order_by="MailAttachment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("direction", "message_key", name="uq_mail_messages_direction_key"),
        Index("ix_mail_messages_outbox", "status", "next_attempt_at"),
    )


class MailAttachment(Base):
    """An attachment: kept (`data`), or refused (`refused`: too large, executable, archive, …)."""

    __tablename__ = "mail_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(EncryptedString(400))
    content_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    refused: Mapped[str | None] = mapped_column(String(32))

    message: Mapped[MailMessage] = relationship(back_populates="attachments")


class MailCursor(Base):
    """How far intake has read one IMAP mailbox: a new UIDVALIDITY starts it again (Message-IDs dedupe)."""

    __tablename__ = "mail_cursors"

    mailbox: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int | None] = mapped_column(Integer)
    last_uid: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MailRule(Base):
    """A supervisor's rule: a mail whose subject or text holds `words` (case- and diacritic-insensitive)
    is proposed for `problem_group`; the lowest `position` that matches wins."""

    __tablename__ = "mail_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=100)
    words: Mapped[str] = mapped_column(String(200))
    problem_group: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
