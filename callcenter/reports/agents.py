"""The agent report: calls handled, AHT, wrap-up time, missed rings, time per state, occupancy.

The calls an agent took come from the calls themselves, with the service report's own sums
(`service.totals_by_agent`: the same calls, counted on the same day, by the same rules), so the agents'
answered calls add up to the service report's "answered" for the same period, and handled (answered +
callbacks completed) to its "handled"; answered calls with no agent on record are the `no_agent` row:
- answered = calls the agent answered (the call's agent: the last one on it, after a hand-over);
  callbacks completed = callbacks she made that reached the caller; handled = both;
- talk (answer to hang-up), after-call work (`wrapup_seconds`) and AHT = (talk + wrap-up) / answered
  calls that ended, exactly the service report's AHT.
Time per state comes from the agents' state events (agent_events), walking each agent's states through
the period; a state that began before the period counts from the period's start, one still going at
its end counts up to the end (or up to now for today):
- missed rings = RINGNOANSWER events (the softphone rang out); declined = RINGDECLINED events (the agent
  pressed Decline: a choice, counted apart from the missed rings);
- occupancy = (ringing + on call + wrap-up) / (ringing + on call + wrap-up + available);
- the desk's legs (conference bridge, from the calls' timelines): holds and the seconds held, callers
  handed back to the queue, consults of central support and calls handed over to them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.reports.metrics import Totals
from callcenter.reports.service import sum_totals, totals_by_agent
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
    """One agent's figures for a period, from her state events."""

    missed_rings: int = 0
    declined: int = 0
    seconds: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        busy = sum(self.seconds.get(s, 0) for s in BUSY)
        logged_in = busy + self.seconds.get("available", 0)
        return {
            "missed_rings": self.missed_rings,
            "declined": self.declined,
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


def calls_taken(totals: Totals) -> dict[str, Any]:
    """The calls part of a row: the service report's figures for these calls."""
    figures = totals.as_json()
    return {
        "handled": figures["handled"],
        "answered": figures["answered"],
        "callbacks_completed": figures["callbacks_completed"],
        "talk_seconds": round(totals.talk_total),
        "wrap_up_seconds": totals.wrapup_total,
        "aht_seconds": figures["aht_seconds"],
    }


def build(
    session: Session, start: datetime, end: datetime, threshold: int = 20, short_seconds: int = 5
) -> list[dict[str, Any]]:
    """Every agent's figures for [start, end)."""
    return report(session, start, end, threshold, short_seconds)["agents"]


def report(
    session: Session, start: datetime, end: datetime, threshold: int = 20, short_seconds: int = 5
) -> dict[str, Any]:
    """Every agent's figures for [start, end), the answered calls with no agent on record, and the total
    (equal to the service report's answered, callbacks completed, handled and AHT for the same days)."""
    agents = []
    legs = desk_legs(session, start, end)
    taken = totals_by_agent(session, start, end, threshold, short_seconds)
    everything = sum_totals(taken.values())
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
        agents.append(
            {
                "agent": agent.username,
                "name": agent.display_name,
                **calls_taken(taken.pop(agent.id, Totals())),
                **figures(before or "offline", changes, start, end).as_json(),
                **legs.get(agent.username, dict.fromkeys(DESK_LEGS, 0)),
            }
        )
    no_agent = sum_totals(taken.values())  # what no agent took: None (or an agent no longer on record)
    return {"agents": agents, "no_agent": calls_taken(no_agent), "total": calls_taken(everything)}


CSV_COLUMNS = (
    "handled",
    "answered",
    "callbacks_completed",
    "talk_seconds",
    "wrap_up_seconds",
    "aht_seconds",
    "missed_rings",
    "declined",
    *DESK_LEGS,
    "occupancy",
)
CSV_STATES = ("available", "ringing", "on_call", "wrap_up", "break")


def to_csv(result: dict[str, Any]) -> str:
    """One row per agent (codes and seconds, like the JSON), then the calls no agent took and the total."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agent", "name", *CSV_COLUMNS, *(f"{state}_seconds" for state in CSV_STATES)])
    for row in result["agents"]:
        states = row["seconds_by_state"]
        writer.writerow(
            [row["agent"], row["name"], *(_cell(row[c]) for c in CSV_COLUMNS), *(states.get(s, 0) for s in CSV_STATES)]
        )
    for label in ("no_agent", "total"):
        writer.writerow([label, "", *(_cell(result[label].get(c)) for c in CSV_COLUMNS), *([""] * len(CSV_STATES))])
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value
