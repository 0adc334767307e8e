"""Typed SQLAlchemy models. Import from here; every table is registered on `Base.metadata`."""

from .agent import Agent, AgentEvent, AgentEventKind, AgentState, Skill
from .announcement import Announcement
from .answers import AnswerEntry, AnswerFeedback, AnswerSearchMiss, AnswerStatus, AnswerUse, RateCount
from .audit import AuditEntry
from .base import Base, UTCDateTime
from .call import Call, CallerKind, CallEvent, CallOutcome, CallStage, Channel, EventKind
from .callback import ACTIVE_STATUSES, Callback, CallbackStatus
from .db import Database, db
from .mail import (
    Direction,
    MailAttachment,
    MailCursor,
    MailMessage,
    MailRule,
    MailState,
    MailWork,
    OutboundKind,
    SendStatus,
)
from .prompt import PromptOverride
from .report_hour import ReportHour, ReportRollup
from .rota import Absence, AbsenceReason, Holiday, Shift, ShiftKind
from .scheduling import SchedulerLease
from .telephony import TelephonyHealth
from .ticket import ProblemGroup, Ticket, TicketOutcome, TicketStatus
from .user import LoginAttempt, Role, User, UserSession

__all__ = [
    "ProblemGroup",
    "SchedulerLease",
    "TelephonyHealth",
    "AuditEntry",
    "ACTIVE_STATUSES",
    "Callback",
    "CallbackStatus",
    "LoginAttempt",
    "Agent",
    "AgentEvent",
    "AgentEventKind",
    "AgentState",
    "Skill",
    "Absence",
    "AbsenceReason",
    "Holiday",
    "Shift",
    "ShiftKind",
    "Announcement",
    "AnswerEntry",
    "AnswerFeedback",
    "AnswerSearchMiss",
    "AnswerStatus",
    "AnswerUse",
    "Base",
    "UTCDateTime",
    "Call",
    "CallerKind",
    "CallEvent",
    "CallOutcome",
    "CallStage",
    "Channel",
    "Direction",
    "MailAttachment",
    "MailCursor",
    "MailMessage",
    "MailRule",
    "MailState",
    "MailWork",
    "OutboundKind",
    "SendStatus",
    "EventKind",
    "Database",
    "db",
    "PromptOverride",
    "ReportHour",
    "ReportRollup",
    "Ticket",
    "TicketOutcome",
    "TicketStatus",
    "RateCount",
    "Role",
    "User",
    "UserSession",
]
