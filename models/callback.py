"""Callbacks: a caller who asked to be called back keeps their place in the order, for free."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime
from .crypto import EncryptedString


class CallbackStatus(StrEnum):
    """Where a callback is. PENDING, OFFERED and DIALING are active: at most one per number and branch."""

    PENDING = "pending"  # waiting for an agent, or for the time of its next attempt
    OFFERED = "offered"  # an agent's softphone is ringing for it (agent first)
    DIALING = "dialing"  # the agent accepted; the caller is being dialled or is talking
    COMPLETED = "completed"  # the caller answered and talked with the agent
    FAILED = "failed"  # every attempt went unanswered
    CANCELED = "canceled"  # by a supervisor, or the number turned out to be unusable


ACTIVE_STATUSES = (CallbackStatus.PENDING, CallbackStatus.OFFERED, CallbackStatus.DIALING)
_ACTIVE_SQL = text("status IN ('pending', 'offered', 'dialing')")


class Callback(Base):
    """One callback request, made from the queue of the call `call_id`; attempts go on that call's timeline."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    number_e164: Mapped[str] = mapped_column(EncryptedString(255))  # encrypted at rest
    number_hash: Mapped[str | None] = mapped_column(String(64))  # blind index: one active callback per number
    branch: Mapped[int] = mapped_column(Integer)
    problem_group: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    # The caller's place: when they first entered the queue. Callbacks and live callers share one order.
    place_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=CallbackStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    agent_call_sid: Mapped[str | None] = mapped_column(String(64))  # the REST call ringing the agent
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new random token per offer, carried in the (signed) URLs of that offer's agent leg: a leg of an
    # earlier offer is recognised and refused, and a late write of its SID cannot land on a newer offer.
    offer_token: Mapped[str | None] = mapped_column(String(32))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_callbacks_status_next_attempt_at", "status", "next_attempt_at"),
        # One active callback per number and branch: a second request in the same branch is merged into
        # it, never across branches (the merge note would tie a branch-2 ticket to a denunciation). The
        # dispatcher never offers a number's callback while another of that number is offered or dialling.
        Index(
            "uq_callbacks_active_number",
            "number_hash",
            "branch",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
    )
