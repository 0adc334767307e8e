"""Tickets: exactly one per call, holding what the desk did about it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import Base, UTCDateTime
from .call import Call
from .crypto import EncryptedString, EncryptedText, blind_index


class TicketStatus(StrEnum):
    """A ticket is open until someone (or a system rule) closes it."""

    OPEN = "open"
    CLOSED = "closed"


class ProblemGroup(StrEnum):
    """Branch-2 problem groups named by the department."""

    ACCOUNTS = "accounts"  # VNACCS/VCIS accounts, passwords, digital signatures
    INCIDENTS = "incidents"  # faults and incidents in customs IT systems
    SINGLE_WINDOW = "single_window"  # National / ASEAN Single Window
    OTHER = "other"


class TicketOutcome(StrEnum):
    """Outcomes. The first two are set by the system; the rest by an agent's wrap-up."""

    ABANDONED_IVR = "abandoned_ivr"
    ABANDONED_QUEUE = "abandoned_queue"
    QUEUE_FULL = "queue_full"
    CALL_FAILED = "call_failed"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    FOLLOW_UP = "follow_up"
    CALLBACK_PROMISED = "callback_promised"
    WRONG_NUMBER = "wrong_number"
    ABUSIVE = "abusive"
    VOICEMAIL = "voicemail"  # the caller left a message: listen and call back
    CALLBACK_PENDING = "callback_pending"  # the caller asked for a callback; not done yet
    CALLBACK_FAILED = "callback_failed"  # every callback attempt went unanswered


class Ticket(Base):
    """The record of one contact; created with the call, never duplicated."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.OPEN)
    outcome: Mapped[str | None] = mapped_column(String(32))
    branch: Mapped[int | None]
    problem_group: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(EncryptedText())  # free text is encrypted at rest
    # The agent's wrap-up (circular 6853/TCHQ-VNACCS: who asks, where, which operation, what, answer).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    business_code: Mapped[str | None] = mapped_column(String(8))  # VNACCS operation code, e.g. IDA
    # 10 digits, or 10-3 for a branch: encrypted at rest (it names the business a denunciation is about),
    # found through its blind index (`tax_code_key`: the digits, the branch suffix kept).
    tax_code: Mapped[str | None] = mapped_column(EncryptedString(255))
    tax_code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    customs_unit: Mapped[str | None] = mapped_column(EncryptedString(400))
    question: Mapped[str | None] = mapped_column(EncryptedText())
    answer: Mapped[str | None] = mapped_column(EncryptedText())
    wrapped_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recording_url: Mapped[str | None] = mapped_column(String(500))  # a voicemail
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_seconds: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship(back_populates="ticket")

    __table_args__ = (Index("ix_tickets_status_created_at", "status", "created_at"),)

    @validates("tax_code")
    def _index_tax_code(self, _key: str, value: str | None) -> str | None:
        """Every write of the tax code writes its blind index too."""
        self.tax_code_hash = tax_code_index(value)
        return value


def tax_code_key(value: str) -> str:
    """A tax code as the blind index sees it: its digits (0100100079-001 and 0100100079001 are one)."""
    return "".join(ch for ch in value if ch.isdigit())


def tax_code_index(value: str | None) -> str | None:
    """The blind index of a tax code (None when there is none, or no digits in it)."""
    key = tax_code_key(value) if value is not None else ""
    return blind_index(key) if key else None
