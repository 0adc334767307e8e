"""The agent report: calls handled, AHT, wrap-up time, missed rings, time per state, occupancy.

Computed from the agents' state events (agent_events) by walking each agent's states through the
period; a state that began before the period counts from the period's start, one still going at its
end counts up to the end (or up to now for today).
- handled = CONNECT events (the agent picked up) in the period;
- talk = time on call; wrap-up = time in wrap-up; AHT = (talk + wrap-up) / handled;
- missed rings = RINGNOANSWER events (the softphone rang out); declined = RINGDECLINED events (the agent
  pressed Decline: a choice, counted apart from the missed rings);
- occupancy = (ringing + on call + wrap-up) / (ringing + on call + wrap-up + available);
- the desk's legs (conference bridge, from the calls' timelines): holds and the seconds held, callers
  handed back to the queue, consults of central support and calls handed over to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, AgentEvent, CallEvent, EventKind

BUSY = ("ringing", "on_call", "wrap_up")


@dataclass(frozen=True)
class StateChange:
    """One agent event as the report needs it."""

    at: datetime
    kind: str
    to_state: str


@dataclass
class AgentFigures:
    """One agent's figures for a period."""

    handled: int = 0
    missed_rings: int = 0
    declined: int = 0
    seconds: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        talk, wrap = self.seconds.get("on_call", 0), self.seconds.get("wrap_up", 0)
        busy = sum(self.seconds.get(s, 0) for s in BUSY)
        logged_in = busy + self.seconds.get("available", 0)
        return {
            "handled": self.handled,
            "missed_rings": self.missed_rings,
            "declined": self.declined,
            "talk_seconds": talk,
            "wrap_up_seconds": wrap,
            "aht_seconds": round((talk + wrap) / self.handled, 1) if self.handled else None,
            "occupancy": round(100 * busy / logged_in, 1) if logged_in else None,
            "seconds_by_state": dict(self.seconds),
        }


def figures(state_at_start: str, changes: Sequence[StateChange], start: datetime, end: datetime) -> AgentFigures:
    """Walk one agent's states from `start` to `end`; `changes` are the events inside, oldest first."""
    result = AgentFigures()
    state, since = state_at_start, start
    for change in changes:
        if not start <= change.at < end:
            continue
        result.seconds[state] = result.seconds.get(state, 0) + int((change.at - since).total_seconds())
        state, since = change.to_state, change.at
        result.handled += change.kind == "CONNECT"
        result.missed_rings += change.kind == "RINGNOANSWER"
        result.declined += change.kind == "RINGDECLINED"
    result.seconds[state] = result.seconds.get(state, 0) + int((end - since).total_seconds())
    result.seconds = {s: v for s, v in result.seconds.items() if v > 0}
    return result


def desk_legs(session: Session, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """Per agent (username): holds, hold_seconds, to_queue, consults, handed_over in [start, end)."""
    legs: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(CallEvent.agent, CallEvent.kind, CallEvent.data).where(
            CallEvent.kind.in_((EventKind.HOLD, EventKind.RESUME, EventKind.TRANSFER)),
            CallEvent.at >= start,
            CallEvent.at < end,
        )
    )
    for agent, kind, data in rows:
        data = data or {}
        who = agent or data.get("by")  # the call service writes the agent who handed back as "by"
        if not who:
            continue
        mine = legs.setdefault(who, dict.fromkeys(DESK_LEGS, 0))
        mine["holds"] += kind == EventKind.HOLD
        mine["hold_seconds"] += int(data.get("seconds") or 0) if kind == EventKind.RESUME else 0
        mine["to_queue"] += kind == EventKind.TRANSFER and data.get("to") == "queue"
        mine["consults"] += kind == EventKind.TRANSFER and data.get("stage") == "consult"
        mine["handed_over"] += kind == EventKind.TRANSFER and data.get("stage") == "handover"
    return legs


DESK_LEGS = ("holds", "hold_seconds", "to_queue", "consults", "handed_over")


def build(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every agent's figures for [start, end)."""
    report = []
    legs = desk_legs(session, start, end)
    for agent in session.scalars(select(Agent).order_by(Agent.display_name)):
        before = session.scalars(
            select(AgentEvent.to_state)
            .where(AgentEvent.agent_id == agent.id, AgentEvent.at < start)
            .order_by(AgentEvent.at.desc(), AgentEvent.id.desc())
            .limit(1)
        ).first()
        rows = session.execute(
            select(AgentEvent.at, AgentEvent.kind, AgentEvent.to_state)
            .where(AgentEvent.agent_id == agent.id, AgentEvent.at >= start, AgentEvent.at < end)
            .order_by(AgentEvent.at, AgentEvent.id)
        )
        changes = [StateChange(at, kind, to) for at, kind, to in rows]
        report.append(
            {
                "agent": agent.username,
                "name": agent.display_name,
                **figures(before or "offline", changes, start, end).as_json(),
                **legs.get(agent.username, dict.fromkeys(DESK_LEGS, 0)),
            }
        )
    return report
