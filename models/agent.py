"""Agents of the helpdesk, their skills, their current state, and every state change on record."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class AgentState(StrEnum):
    """What an agent is doing. Only AVAILABLE agents are offered calls."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    BREAK = "break"


class Skill(StrEnum):
    """What an agent may be given: a branch, a branch-2 problem group, a language."""

    BRANCH_1 = "branch_1"
    BRANCH_2 = "branch_2"
    ACCOUNTS = "accounts"
    INCIDENTS = "incidents"
    SINGLE_WINDOW = "single_window"
    OTHER = "other"
    VI = "vi"
    EN = "en"


class AgentEventKind(StrEnum):
    """State changes, named after Asterisk's queue_log agent events where one exists."""

    AGENTLOGIN = "AGENTLOGIN"  # offline → available
    AGENTLOGOFF = "AGENTLOGOFF"  # → offline
    PAUSE = "PAUSE"  # → break, with a reason
    UNPAUSE = "UNPAUSE"  # break → available
    RINGING = "RINGING"  # available → ringing (a call offered)
    RINGNOANSWER = "RINGNOANSWER"  # ringing → break "missed"
    RINGCANCELED = "RINGCANCELED"  # ringing → available (the caller left, or the offer failed)
    RINGDECLINED = "RINGDECLINED"  # ringing → available (the agent pressed Decline: a choice, not a miss)
    CONNECT = "CONNECT"  # ringing → on call
    WRAPUP = "WRAPUP"  # on call → wrap-up
    READY = "READY"  # wrap-up → available
    WRAPUPEXTEND = "WRAPUPEXTEND"  # wrap-up → wrap-up (the agent asked for more time, once)


class Agent(Base):
    """One member of the helpdesk. `identity` is the Voice SDK client name the softphone registers."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    identity: Mapped[str] = mapped_column(String(121), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default=AgentState.OFFLINE)
    state_since: Mapped[datetime] = mapped_column(UTCDateTime())
    state_reason: Mapped[str | None] = mapped_column(String(64))
    # When the agent last became available: the longest idle agent is offered the next call.
    idle_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    current_call_sid: Mapped[str | None] = mapped_column(String(64))
    # The agent's own leg of the current conversation (Twilio's child call, or a callback's REST call):
    # the stuck-agent sweep asks the engine about it when a <Dial> result or status callback was lost.
    leg_sid: Mapped[str | None] = mapped_column(String(64))
    # A supervisor may let an agent take calls off rota (overtime) until this time.
    overtime_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    # Presence: the softphone page's last report (every few seconds) and whether its Voice SDK device
    # was registered then. Never reported (NULL): no page has spoken for this agent since presence exists.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    device_ready: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Extra wrap-up time the agent asked for in the current wrap-up (0 until "More time").
    wrap_up_extra_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Optimistic concurrency: every UPDATE of an agent (the ORM's, and the dispatcher's claim) checks
    # and bumps it, so a state change decided on stale data fails instead of overwriting a newer one.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __table_args__ = (Index("ix_agents_state_idle_since", "state", "idle_since"),)
    __mapper_args__ = {"version_id_col": version}


class AgentEvent(Base):
    """One state change of one agent: who, when, from what to what, why, and on which call."""

    __tablename__ = "agent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    call_sid: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_agent_events_agent_id_at", "agent_id", "at"),
        Index("ix_agent_events_kind_at", "kind", "at"),
    )
