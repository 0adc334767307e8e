"""The contact aggregate: one row per inbound call (or, since issue 15, per e-mail conversation: `channel`
"email") and its event timeline (modelled on queue_log). An e-mail contact is never a live line: it is
created ENDED, so no webhook, queue, sweep or reconciliation touches it, and reports of calls count only
`channel == "call"`; its work lives on the ticket and in models/mail.py."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .crypto import EncryptedString

if TYPE_CHECKING:
    from .ticket import Ticket


class CallStage(StrEnum):
    """Where the call is now. `ENDED` is final: nothing moves a call out of it."""

    IVR = "ivr"
    QUEUED = "queued"
    CONNECTED = "connected"
    # The caller's leg ended while queued; the <Enqueue> action (hangup or bridged), which Twilio may
    # send after the status callback, decides the outcome (the reconciliation sweep if it never comes).
    ENDING = "ending"
    ENDED = "ended"


class CallOutcome(StrEnum):
    """How the call ended, as reports count it."""

    IVR_ABANDONED = "ivr_abandoned"  # hung up before reaching a queue
    QUEUE_ABANDONED = "queue_abandoned"  # hung up while waiting in a queue
    ANSWERED = "answered"  # bridged to an agent
    QUEUE_FULL = "queue_full"  # refused by a full queue (told to call back)
    FAILED = "failed"  # Twilio reported busy/failed/no-answer/canceled
    CALLBACK_REQUESTED = "callback_requested"  # left the queue with a callback request (place kept)
    VOICEMAIL = "voicemail"  # left the queue to leave a message


class CallerKind(StrEnum):
    """What the From number turned out to be."""

    NUMBER = "number"
    WITHHELD = "withheld"
    UNPARSEABLE = "unparseable"
    CLIENT = "client"  # a browser (Voice SDK) leg: client:<identity>
    EMAIL = "email"  # an e-mail's sender (issue 15): the address is in from_raw, its blind index in caller_hash


class Channel(StrEnum):
    """How the contact reached the desk."""

    CALL = "call"
    EMAIL = "email"


class EventKind(StrEnum):
    """Timeline event names, after Asterisk's queue_log where one exists."""

    IVR_ENTER = "IVR_ENTER"
    LANGUAGE = "LANGUAGE"
    ANNOUNCEMENT_PLAYED = "ANNOUNCEMENT_PLAYED"
    ANNOUNCEMENT_SKIPPED = "ANNOUNCEMENT_SKIPPED"
    MENU_INVALID = "MENU_INVALID"
    MENU_TIMEOUT = "MENU_TIMEOUT"
    BRANCH_CHOSEN = "BRANCH_CHOSEN"
    GROUP_CHOSEN = "GROUP_CHOSEN"
    DEFAULT_ROUTE = "DEFAULT_ROUTE"
    ENTERQUEUE = "ENTERQUEUE"
    POSITION = "POSITION"
    ABANDON = "ABANDON"
    CONNECT = "CONNECT"
    EXITQUEUE = "EXITQUEUE"
    EXITFULL = "EXITFULL"
    IVR_ABANDON = "IVR_ABANDON"
    STATUS = "STATUS"
    HANGUP = "HANGUP"
    WEBHOOK_ERROR = "WEBHOOK_ERROR"
    QUEUE_OPTION = "QUEUE_OPTION"  # a key pressed while waiting (callback, voicemail)
    CALLBACK_REQUESTED = "CALLBACK_REQUESTED"
    CALLBACK_OFFERED = "CALLBACK_OFFERED"  # an agent's softphone rings for the callback
    CALLBACK_RETURNED = "CALLBACK_RETURNED"  # the agent did not take it: back in line, same place
    CALLBACK_ATTEMPT = "CALLBACK_ATTEMPT"  # the caller was dialled: attempt number and result
    CALLBACK_COMPLETED = "CALLBACK_COMPLETED"
    CALLBACK_FAILED = "CALLBACK_FAILED"
    VOICEMAIL = "VOICEMAIL"  # a message was recorded (or the caller hung up while recording)
    RECONCILED = "RECONCILED"  # a record repaired from what the telephony engine reported
    LEG = "LEG"  # the call's conference: a leg joined, left, was held (issue 13's bridge)
    HOLD = "HOLD"  # the agent put the caller on hold (music)
    RESUME = "RESUME"  # … and took them back (seconds on hold)
    TRANSFER = "TRANSFER"  # the agent handed the caller on (back to the queue: their place kept)
    MONITOR = "MONITOR"  # a supervisor listened, whispered, barged in or stopped (mode, by whom)
    # E-mail (issue 15): the contact's timeline is the conversation's.
    MAIL_RECEIVED = "MAIL_RECEIVED"  # a message from the sender arrived (message id, attachments)
    MAIL_ACKNOWLEDGED = "MAIL_ACKNOWLEDGED"  # the acknowledgement with the reference was queued
    MAIL_NOT_ACKNOWLEDGED = "MAIL_NOT_ACKNOWLEDGED"  # why not (auto-reply, bounce, list, rate limit, ourselves)
    MAIL_OFFERED = "MAIL_OFFERED"  # given to an agent's desk
    MAIL_RETURNED = "MAIL_RETURNED"  # back to the backlog (a call took the agent, she logged off)
    MAIL_REPLIED = "MAIL_REPLIED"  # an answer was queued to the sender
    MAIL_SENT = "MAIL_SENT"  # the SMTP server accepted it
    MAIL_SEND_FAILED = "MAIL_SEND_FAILED"  # an attempt failed (retried later)
    MAIL_STATE = "MAIL_STATE"  # waiting for the customer, escalated, closed, reopened
    RECLASSIFIED = "RECLASSIFIED"  # moved to another branch (e.g. a denunciation sent to the support address)


class Call(Base):
    """One inbound call to the hotline, from first webhook to final status."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)  # an e-mail contact: "EM" + 32 hex
    channel: Mapped[str] = mapped_column(String(8), default=Channel.CALL, server_default=Channel.CALL.value)
    account_sid: Mapped[str | None] = mapped_column(String(64))
    # Who called is encrypted at rest (models/crypto.py); `caller_hash` finds a caller's other calls.
    from_raw: Mapped[str | None] = mapped_column(EncryptedString(255))
    caller_e164: Mapped[str | None] = mapped_column(EncryptedString(255))
    caller_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    caller_kind: Mapped[str] = mapped_column(String(16), default=CallerKind.NUMBER)
    to_raw: Mapped[str | None] = mapped_column(String(64))
    dialled_e164: Mapped[str | None] = mapped_column(String(32))
    dialled_known: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    branch: Mapped[int | None] = mapped_column(Integer)
    problem_group: Mapped[str | None] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(16), default=CallStage.IVR)
    outcome: Mapped[str | None] = mapped_column(String(24))
    final_status: Mapped[str | None] = mapped_column(String(16))
    menu_attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    queue_name: Mapped[str | None] = mapped_column(String(64))
    queue_sid: Mapped[str | None] = mapped_column(String(64))  # Twilio's QU… (from the wait requests)
    queue_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    queue_exited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    queue_position_first: Mapped[int | None] = mapped_column(Integer)
    queue_position_last: Mapped[int | None] = mapped_column(Integer)
    queue_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    last_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    # Dispatch: the agent a call is being offered to (ringing), and how many offers it has had.
    offered_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offers: Mapped[int] = mapped_column(default=0, server_default="0")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    # Why the caller chose to leave the queue (<Leave>): "callback" or "voicemail".
    leave_reason: Mapped[str | None] = mapped_column(String(16))
    # The number a waiting caller is asked to confirm for a callback (kept here, never in a URL).
    callback_number: Mapped[str | None] = mapped_column(EncryptedString(255))
    # After-call work: seconds from the call's end to the agent's wrap-up (AHT = talk + this).
    wrapup_seconds: Mapped[int | None] = mapped_column(Integer)
    # When reconciliation last asked the telephony engine about this call (it checks the least recently
    # checked first, so calls the engine cannot answer for never starve the others).
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", order_by="CallEvent.id", cascade="all, delete-orphan"
    )
    ticket: Mapped[Ticket] = relationship(back_populates="call", uselist=False, cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_calls_started_at", "started_at"),
        Index("ix_calls_branch_answered_at", "branch", "answered_at"),
        Index("ix_calls_stage", "stage"),
        Index("ix_calls_stage_queue_entered_at", "stage", "queue_entered_at"),
    )


# When a call counts in reports (callcenter/metrics.py): its queue entry, else its start. Indexed so
# a month's report reads a month's rows (an expression index: PostgreSQL and SQLite both have them).
COUNTED_AT = func.coalesce(Call.queue_entered_at, Call.started_at)
Index("ix_calls_counted_at", COUNTED_AT)


class CallEvent(Base):
    """One line of a call's timeline. `dedupe_key` makes a repeated webhook a no-op."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(64))

    call: Mapped[Call] = relationship(back_populates="events")

    __table_args__ = (
        UniqueConstraint("call_id", "dedupe_key", name="uq_call_events_call_id_dedupe_key"),
        Index("ix_call_events_kind_at", "kind", "at"),
        Index("ix_call_events_call_id", "call_id"),
    )
