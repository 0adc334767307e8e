"""Persistence of the call aggregate for the webhook hot path, in SQLAlchemy Core.

Webhooks are the hot path (every caller's every key press and wait turn), so they skip the ORM's
per-object machinery: statements are built once (their cache keys memoized), a call is read into a
typed `CallRow` that records which columns change, and `save()` writes one UPDATE of just those
columns, the new events in one executemany INSERT, and ticket changes keyed by call_id.
The ORM models in `models/` stay the schema and serve the API and reports. bench/inprocess.py shows
the difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from models import Call, Callback, CallbackStatus, CallEvent, CallStage, Ticket, TicketStatus

CALLBACKS = Callback.__table__
CALLS = Call.__table__
EVENTS = CallEvent.__table__
TICKETS = Ticket.__table__


@dataclass(eq=False)
class CallRow:
    """One `calls` row as the call service works with it; assignments are tracked for `save()`."""

    call_sid: str
    started_at: datetime
    id: int | None = None
    channel: str = "call"  # the webhooks' rows are calls (an e-mail contact is made by callcenter/mail)
    account_sid: str | None = None
    from_raw: str | None = None
    caller_e164: str | None = None
    caller_hash: str | None = None
    caller_kind: str = "number"
    to_raw: str | None = None
    dialled_e164: str | None = None
    dialled_known: bool = True
    language: str = "vi"
    branch: int | None = None
    problem_group: str | None = None
    stage: str = CallStage.IVR
    outcome: str | None = None
    final_status: str | None = None
    menu_attempts: int = 0
    queue_name: str | None = None
    queue_sid: str | None = None
    queue_entered_at: datetime | None = None
    queue_exited_at: datetime | None = None
    queue_position_first: int | None = None
    queue_position_last: int | None = None
    queue_wait_seconds: int | None = None
    last_announced_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    offered_agent_id: int | None = None
    offered_at: datetime | None = None
    offers: int = 0
    agent_id: int | None = None
    leave_reason: str | None = None
    callback_number: str | None = None
    wrapup_seconds: int | None = None  # set by the wrap-up (ORM), carried here unchanged
    checked_at: datetime | None = None  # set by reconciliation
    changes: dict[str, Any] = field(default_factory=dict, repr=False)
    loaded_stage: str | None = field(default=None, repr=False)  # the stage as read: the UPDATE's guard

    def __setattr__(self, name: str, value: Any) -> None:
        tracking = "changes" in self.__dict__
        if tracking and name in COLUMN_NAMES and self.__dict__.get(name) != value:
            self.__dict__["changes"][name] = value
        object.__setattr__(self, name, value)

    @property
    def is_final(self) -> bool:
        """True once the call has ended; a final call is never changed by later events."""
        return self.stage == CallStage.ENDED

    def values(self) -> dict[str, Any]:
        """All column values (for the INSERT of a new call)."""
        return {name: getattr(self, name) for name in COLUMN_NAMES if name != "id"}


COLUMN_NAMES = frozenset(f.name for f in fields(CallRow) if f.name not in ("changes", "loaded_stage"))


class StaleCall(RuntimeError):
    """Another request changed the call's stage since we read it: redo the request on fresh data."""


_FIND = select(CALLS).where(CALLS.c.call_sid == bindparam("sid"))
_KEYS = select(EVENTS.c.dedupe_key).where(EVENTS.c.call_id == bindparam("cid"), EVENTS.c.dedupe_key.is_not(None))
_ENTERED = bindparam("entered", type_=CALLS.c.queue_entered_at.type)
# Callers really ahead: waiting (not leaving) in a branch that competes for the same agents, who
# entered earlier (ties by id), and callbacks due now whose caller's place is earlier.
_AHEAD = (
    select(func.count())
    .select_from(CALLS)
    .where(
        CALLS.c.stage == CallStage.QUEUED,
        CALLS.c.leave_reason.is_(None),
        CALLS.c.branch.in_(bindparam("branches", expanding=True)),
        CALLS.c.id != bindparam("cid"),  # not the caller: its stored entry time may be older than the corrected one
        (CALLS.c.queue_entered_at < _ENTERED)
        | ((CALLS.c.queue_entered_at == _ENTERED) & (CALLS.c.id < bindparam("cid"))),
    )
)
_CALLBACKS_AHEAD = (
    select(func.count())
    .select_from(CALLBACKS)
    .where(
        CALLBACKS.c.status == CallbackStatus.PENDING,
        CALLBACKS.c.branch.in_(bindparam("branches", expanding=True)),
        CALLBACKS.c.place_at < _ENTERED,
        CALLBACKS.c.next_attempt_at <= bindparam("now", type_=CALLBACKS.c.next_attempt_at.type),
    )
)
_INSERT_CALL = insert(CALLS).returning(CALLS.c.id)
_INSERT_EVENTS = insert(EVENTS)
_INSERT_TICKET = insert(TICKETS)
# UPDATEs whose SET clause comes from the keys of the parameters given (Core compiles and caches one
# form per set of keys), so one prebuilt statement serves every combination of changed columns.
# Optimistic concurrency: an UPDATE applies only if the stage is still what this request read, so two
# webhooks about one call racing (a hang-up and a connect, say) cannot both decide its outcome.
_UPDATE_CALL = update(CALLS).where(CALLS.c.id == bindparam("row_id"), CALLS.c.stage == bindparam("row_stage"))
_UPDATE_TICKET = update(TICKETS).where(TICKETS.c.call_id == bindparam("row_id"))
_CLOSE_TICKET = update(TICKETS).where(TICKETS.c.call_id == bindparam("row_id"), TICKETS.c.outcome.is_(None))


@dataclass
class _Pending:
    row: CallRow
    new: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    ticket_changes: dict[str, Any] = field(default_factory=dict)
    ticket_closing: dict[str, Any] | None = None
    seen_keys: set[str] | None = None


class CallStore:
    """Reads calls and queues the request's writes to them until `save()`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._pending: dict[int, _Pending] = {}

    # -- reads -------------------------------------------------------------------------------
    def find(self, call_sid: str) -> CallRow | None:
        """The call with this CallSid, or None."""
        found = self.session.connection().execute(_FIND, {"sid": call_sid}).mappings().first()
        if found is None:
            return None
        row = CallRow(**{name: found[name] for name in COLUMN_NAMES})
        row.changes.clear()
        object.__setattr__(row, "loaded_stage", row.stage)
        self._for(row)  # every row handed out is saved: a change without an event is still a change
        return row

    def position(
        self, row: CallRow, branches: Sequence[int] | None = None, callbacks_due_at: datetime | None = None
    ) -> int | None:
        """The caller's place in the dispatcher's one order, + 1: callers ahead in the competing
        `branches` (default: the caller's own), and, when `callbacks_due_at` is given, the callbacks due
        then whose caller's place is earlier (they are dialled first)."""
        if row.branch is None or row.queue_entered_at is None or row.id is None:
            return None
        params = {"branches": list(branches or [row.branch]), "entered": row.queue_entered_at, "cid": row.id}
        conn = self.session.connection()
        ahead = int(conn.execute(_AHEAD, params).scalar() or 0)
        if callbacks_due_at is not None:
            due = {"branches": params["branches"], "entered": row.queue_entered_at, "now": callbacks_due_at}
            ahead += int(conn.execute(_CALLBACKS_AHEAD, due).scalar() or 0)
        return ahead + 1

    def claim_leave(self, row: CallRow, reason: str) -> bool:
        """Set `leave_reason` now, only if the caller still waits and has no reason yet. An offer in
        flight does not stop it: the caller's own choice wins (the ring finds them gone, see
        ivr/agent_calls.py), and the dispatcher never offers a caller who is leaving."""
        done = self.session.connection().execute(
            update(CALLS)
            .where(
                CALLS.c.id == row.id,
                CALLS.c.stage == CallStage.QUEUED,
                CALLS.c.leave_reason.is_(None),
            )
            .values(leave_reason=reason)
        )
        if done.rowcount != 1:
            return False
        object.__setattr__(row, "leave_reason", reason)  # written already: not a tracked change
        return True

    def has_key(self, row: CallRow, key: str) -> bool:
        """True when an event with dedupe `key` is on record or queued (one query per call)."""
        pending = self._for(row)
        if pending.seen_keys is None:
            pending.seen_keys = set(self.session.connection().execute(_KEYS, {"cid": row.id}).scalars())
        return key in pending.seen_keys

    # -- queued writes -------------------------------------------------------------------------
    def _for(self, row: CallRow) -> _Pending:
        pending = self._pending.get(id(row))
        if pending is None:
            pending = self._pending[id(row)] = _Pending(row)
        return pending

    def created(self, row: CallRow) -> None:
        """`row` is a new call: inserted at save with its ticket; it has no events yet."""
        pending = self._for(row)
        pending.new, pending.seen_keys = True, set()

    def event(self, row: CallRow, values: dict[str, Any]) -> None:
        """Queue an event (call_id is filled in at save)."""
        pending = self._for(row)
        pending.events.append(values)
        if values["dedupe_key"] is not None and pending.seen_keys is not None:
            pending.seen_keys.add(values["dedupe_key"])

    def ticket(self, row: CallRow, **changes: Any) -> None:
        """Queue changes to the call's ticket."""
        self._for(row).ticket_changes.update(changes)

    def close_ticket_once(self, row: CallRow, outcome: str, status: str | None, closed_at: datetime | None) -> None:
        """Queue a system outcome for the ticket, applied only while it has no outcome.

        With `status` None only the outcome is set (the ticket stays open for follow-up).
        """
        closing: dict[str, Any] = {"outcome": outcome}
        if status is not None:
            closing.update(status=status, closed_at=closed_at)
        self._for(row).ticket_closing = closing

    def save(self) -> None:
        """Write everything queued, in as few statements as the changes allow (nothing if nothing changed)."""
        if not any(
            p.new or p.row.changes or p.events or p.ticket_changes or p.ticket_closing for p in self._pending.values()
        ):
            self._pending.clear()
            return
        conn = self.session.connection()  # Core on the session's transaction: no ORM dispatch
        events: list[dict[str, Any]] = []
        for pending in self._pending.values():
            row = pending.row
            if pending.new:
                row.id = conn.execute(_INSERT_CALL, row.values()).scalar_one()
                ticket = {
                    "call_id": row.id,
                    "status": TicketStatus.OPEN,
                    "created_at": row.started_at,
                    "outcome": None,
                    "branch": row.branch,
                    "problem_group": row.problem_group,
                    "notes": None,
                    "closed_at": None,
                }
                conn.execute(_INSERT_TICKET, {**ticket, **pending.ticket_changes})
            else:
                if row.changes:
                    done = conn.execute(_UPDATE_CALL, {"row_id": row.id, "row_stage": row.loaded_stage, **row.changes})
                    if done.rowcount != 1:
                        raise StaleCall(f"CallSid={row.call_sid} changed stage while this request ran")
                if pending.ticket_changes:
                    conn.execute(_UPDATE_TICKET, {"row_id": row.id, **pending.ticket_changes})
            if pending.ticket_closing:
                conn.execute(_CLOSE_TICKET, {"row_id": row.id, **pending.ticket_closing})
            events += [{**values, "call_id": row.id} for values in pending.events]
            row.changes.clear()
        if events:
            conn.execute(_INSERT_EVENTS, events)
        self._pending.clear()

    def discard(self) -> None:
        """Forget everything queued (after a rollback)."""
        self._pending.clear()
