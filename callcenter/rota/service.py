"""The rota: generating the default 24/7 pattern, editing it with validation, and asking who is on duty.

Default pattern, four people, one seat around the clock ("Panama" 2-2-3, 12-hour shifts):
  day shift 07:00–19:00 and night shift 19:00–07:00, Vietnam time (UTC+7, no daylight saving);
  a 14-day on/off pattern P = 1 1 0 0 1 1 1 0 0 1 1 0 0 0 decides, each day, which member of a pair
  works (P=1 the first, P=0 the second); agents 1+2 are the day pair and 3+4 the night pair for 28
  days, then the pairs swap (a 56-day cycle). Every day has exactly one day and one night shift, and
  each person works 28 shifts in 56 days: 12 h × 28 / 8 weeks = 42 h a week.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _  # English outside a request (web.i18n.select_language)
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from callcenter.common.clock import LOCAL_TZ, Clock
from callcenter.common.inputs import agent_reference, bounded_id
from callcenter.rota.staff import active_agent_ids, is_active
from models import Absence, AbsenceReason, Agent, Holiday, Shift, ShiftKind

DAY_START_HOUR = 7
SHIFT_HOURS = 12
PANAMA = (1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0)
CYCLE_DAYS = 56
MAX_SHIFT_HOURS = 16


class RotaError(ValueError):
    """A rota change that cannot be made as asked (the message says why, for a supervisor)."""


@dataclass(frozen=True)
class PlannedShift:
    """A shift the pattern calls for: agent index 0–3, start and end in UTC."""

    agent_index: int
    starts_at: datetime
    ends_at: datetime


def panama_shifts(first_day: date, days: int, cycle_start: date | None = None) -> list[PlannedShift]:
    """The default pattern from `first_day` for `days` days (local dates), aligned on `cycle_start`."""
    origin = cycle_start or first_day
    planned: list[PlannedShift] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        n = (day - origin).days
        on = PANAMA[n % len(PANAMA)] == 1
        day_pair, night_pair = ((0, 1), (2, 3)) if (n % CYCLE_DAYS) < CYCLE_DAYS // 2 else ((2, 3), (0, 1))
        start = datetime(day.year, day.month, day.day, DAY_START_HOUR, tzinfo=LOCAL_TZ).astimezone(UTC)
        middle = start + timedelta(hours=SHIFT_HOURS)
        planned.append(PlannedShift(day_pair[0] if on else day_pair[1], start, middle))
        planned.append(PlannedShift(night_pair[0] if on else night_pair[1], middle, middle + timedelta(hours=12)))
    return planned


@dataclass(frozen=True)
class Interval:
    """One slot of a coverage table: who is on duty throughout it."""

    starts_at: datetime
    ends_at: datetime
    agent_ids: frozenset[int]

    @property
    def staffed(self) -> int:
        return len(self.agent_ids)


class RotaService:
    """Reads and edits the rota. Times are aware datetimes (stored in UTC)."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    # -- reading ---------------------------------------------------------------------------
    def shifts_between(self, start: datetime, end: datetime) -> list[Shift]:
        """Live (not cancelled) shifts of active agents overlapping [start, end). A deactivated agent's
        shifts stay on record but leave the rota: who is on duty, coverage, gaps and the forecast."""
        query = select(Shift).where(
            Shift.cancelled_at.is_(None),
            Shift.starts_at < end,
            Shift.ends_at > start,
            Shift.agent_id.in_(active_agent_ids()),
        )
        return list(self.session.scalars(query.order_by(Shift.starts_at, Shift.id)))

    def absences_between(self, start: datetime, end: datetime) -> list[Absence]:
        """Absences overlapping [start, end)."""
        query = select(Absence).where(Absence.starts_at < end, Absence.ends_at > start)
        return list(self.session.scalars(query))

    def on_duty(self, at: datetime) -> set[int]:
        """Ids of the agents whose shift covers `at` and who are not absent then."""
        instant_end = at + timedelta(microseconds=1)
        working = {s.agent_id for s in self.shifts_between(at, instant_end)}
        away = {a.agent_id for a in self.absences_between(at, instant_end)}
        return working - away

    def may_take_calls(self, agent: Agent, at: datetime, on_duty: set[int] | None = None) -> bool:
        """On duty now, or allowed overtime by a supervisor until later than now (`on_duty`: the
        result of `on_duty(at)` when the caller already has it)."""
        if not agent.active:
            return False
        if agent.overtime_until is not None and agent.overtime_until > at:
            return True
        return agent.id in (self.on_duty(at) if on_duty is None else on_duty)

    def coverage(self, start: datetime, end: datetime, step_minutes: int = 30) -> list[Interval]:
        """Who is on duty for the whole of each `step_minutes` slot in [start, end).

        Slots sit on the clock's grid (:00, :30…; Vietnam is a whole number of hours from UTC), so a
        handover at 19:00 never falls inside a slot and shows as a gap.
        """
        step_seconds = step_minutes * 60
        start = datetime.fromtimestamp(start.timestamp() // step_seconds * step_seconds, tz=UTC)
        shifts = [(s.agent_id, s.starts_at, s.ends_at) for s in self.shifts_between(start, end)]
        absences = [(a.agent_id, a.starts_at, a.ends_at) for a in self.absences_between(start, end)]
        return staffing(start, end, shifts, absences, step_minutes)

    def gaps(self, start: datetime, end: datetime, minimum: int = 1, step_minutes: int = 30) -> list[Interval]:
        """The slots with fewer than `minimum` agents on duty."""
        return [slot for slot in self.coverage(start, end, step_minutes) if slot.staffed < minimum]

    # -- editing -----------------------------------------------------------------------------
    def generate_default(
        self,
        agents: Sequence[Agent],
        first_day: date,
        days: int,
        *,
        cycle_start: date | None = None,
        actor: str | None = None,
    ) -> list[Shift]:
        """Add the default pattern's shifts for four agents, skipping any that would overlap."""
        if len(agents) != 4:
            raise RotaError("The default 24/7 pattern needs exactly four agents.")
        created: list[Shift] = []
        for planned in panama_shifts(first_day, days, cycle_start):
            agent = agents[planned.agent_index]
            if self._overlapping(agent.id, planned.starts_at, planned.ends_at):
                continue
            created.append(
                self._new_shift(agent.id, planned.starts_at, planned.ends_at, ShiftKind.REGULAR, None, actor)
            )
        self.session.flush()
        return created

    def add_shift(
        self,
        agent_id: int,
        starts_at: datetime,
        ends_at: datetime,
        *,
        kind: str = ShiftKind.OVERTIME,
        note: str | None = None,
        actor: str | None = None,
    ) -> Shift:
        """Add one shift (overtime by default) after checking it makes sense."""
        self._check_span(starts_at, ends_at)
        agent = self._free_agent(agent_id, starts_at, ends_at)
        shift = self._new_shift(agent.id, starts_at, ends_at, kind, note, actor)
        self.session.flush()
        return shift

    def cancel_shift(self, shift_id: int) -> Shift:
        """Cancel a shift (it stays on record, marked cancelled)."""
        shift = self.session.get(Shift, shift_id)
        if shift is None or shift.cancelled_at is not None:
            raise RotaError(_("There is no live shift %(id)s.", id=shift_id))
        shift.cancelled_at = self.clock.now()
        return shift

    def restore_shift(self, shift_id: int) -> Shift:
        """Bring a cancelled shift back as it was (the page's Undo), if its agent is still free then."""
        shift = self.session.get(Shift, shift_id)
        if shift is None:
            raise RotaError(_("There is no shift %(id)s.", id=shift_id))
        if shift.cancelled_at is None:
            raise RotaError(_("This shift is already on the rota."))
        agent = self._agent(shift.agent_id)
        clash = self._overlapping(agent.id, shift.starts_at, shift.ends_at)
        if clash is not None:
            raise RotaError(
                _(
                    "The shift cannot come back: %(name)s now works %(span)s.",
                    name=agent.display_name,
                    span=_span(clash.starts_at, clash.ends_at),
                )
            )
        shift.cancelled_at = None
        self.session.flush()
        return shift

    def swap(self, shift_id: int, to_agent_id: int, *, actor: str | None = None) -> Shift:
        """Hand a shift to another agent: the original is cancelled, the new one remembers whose it was."""
        shift = self.session.get(Shift, shift_id)
        if shift is None or shift.cancelled_at is not None:
            raise RotaError(_("There is no live shift %(id)s.", id=shift_id))
        if shift.agent_id == to_agent_id:
            raise RotaError(_("A shift cannot be swapped to the agent who already has it."))
        agent = self._free_agent(to_agent_id, shift.starts_at, shift.ends_at)
        shift.cancelled_at = self.clock.now()
        swapped = self._new_shift(agent.id, shift.starts_at, shift.ends_at, ShiftKind.SWAP, shift.note, actor)
        swapped.swapped_from_agent_id = shift.agent_id
        self.session.flush()
        return swapped

    def add_absence(
        self,
        agent_id: int,
        starts_at: datetime,
        ends_at: datetime,
        *,
        reason: str = AbsenceReason.LEAVE,
        note: str | None = None,
        actor: str | None = None,
    ) -> Absence:
        """Record leave, sickness or training; the agent is off duty during it."""
        if ends_at <= starts_at:
            raise RotaError(_("The absence must end after it starts."))
        if reason not in {r.value for r in AbsenceReason}:
            raise RotaError(f"Reason must be one of: {', '.join(r.value for r in AbsenceReason)}.")
        self._agent(agent_id)
        absence = Absence(
            agent_id=agent_id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            note=note,
            created_by=actor,
            created_at=self.clock.now(),
        )
        self.session.add(absence)
        self.session.flush()
        return absence

    def add_holiday(self, day: date, name: str) -> Holiday:
        """A public holiday (the rota still says who works it; reports and forecasts treat it apart)."""
        name = (name or "").strip()[:120]
        if not name:
            raise RotaError("Give the holiday a name.")
        if self.session.scalars(select(Holiday).where(Holiday.day == day)).first() is not None:
            raise RotaError(f"{day.isoformat()} is already a holiday.")
        holiday = Holiday(day=day, name=name)
        self.session.add(holiday)
        self.session.flush()
        return holiday

    def holidays_between(self, start: date, end: date) -> list[Holiday]:
        """Holidays from `start` to `end` (inclusive)."""
        query = select(Holiday).where(Holiday.day >= start, Holiday.day <= end).order_by(Holiday.day)
        return list(self.session.scalars(query))

    def allow_overtime(self, agent_id: int, until: datetime) -> Agent:
        """Let an agent take calls off rota until `until`."""
        if until <= self.clock.now():
            raise RotaError("Overtime must end in the future.")
        agent = self._agent(agent_id)
        agent.overtime_until = until
        return agent

    # -- helpers -----------------------------------------------------------------------------
    def _agent(self, agent_id: int) -> Agent:
        agent = self.session.get(Agent, agent_id)
        if agent is None:
            raise RotaError(_("There is no agent %(id)s.", id=agent_id))
        if not is_active(self.session, agent):
            raise RotaError(
                _(
                    "%(name)s (%(username)s) is deactivated: an admin reactivates them on the People page before "
                    "they get shifts, leave or overtime.",
                    name=agent.display_name,
                    username=agent.username,
                )
            )
        return agent

    def _free_agent(self, agent_id: int, starts_at: datetime, ends_at: datetime) -> Agent:
        """The active agent, if they have no other shift overlapping [starts_at, ends_at)."""
        agent = self._agent(agent_id)
        clash = self._overlapping(agent.id, starts_at, ends_at)
        if clash is not None:
            raise RotaError(
                _(
                    "%(name)s already works %(span)s.",
                    name=agent.display_name,
                    span=_span(clash.starts_at, clash.ends_at),
                )
            )
        return agent

    @staticmethod
    def _check_span(starts_at: datetime, ends_at: datetime) -> None:
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise RotaError(_("Shift times need a time zone."))
        if ends_at <= starts_at:
            raise RotaError(_("The shift must end after it starts."))
        if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
            raise RotaError(_("A shift may last at most %(hours)s hours.", hours=MAX_SHIFT_HOURS))

    def _overlapping(self, agent_id: int, starts_at: datetime, ends_at: datetime) -> Shift | None:
        query = select(Shift).where(
            and_(
                Shift.agent_id == agent_id,
                Shift.cancelled_at.is_(None),
                Shift.starts_at < ends_at,
                Shift.ends_at > starts_at,
            )
        )
        return self.session.scalars(query.limit(1)).first()

    def _new_shift(
        self, agent_id: int, starts_at: datetime, ends_at: datetime, kind: str, note: str | None, actor: str | None
    ) -> Shift:
        shift = Shift(
            agent_id=agent_id,
            starts_at=starts_at,
            ends_at=ends_at,
            kind=kind,
            note=note,
            created_by=actor,
            created_at=self.clock.now(),
        )
        self.session.add(shift)
        self.session.flush()  # the next overlap check must see it
        return shift


def _span(start: datetime, end: datetime) -> str:
    local_start, local_end = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
    return f"{local_start:%d/%m %H:%M}–{local_end:%d/%m %H:%M} (UTC+7)"


def find_agent(session: Session, raw: Any) -> Agent | None:
    """An agent by id ("3") or username ("agent3"), as people type them in forms and commands."""
    text = agent_reference(raw)
    if text is None:
        return None
    if text.isdigit():
        return session.get(Agent, bounded_id(text))
    return session.scalars(select(Agent).where(Agent.username == text)).first()


Span = tuple[int, datetime, datetime]  # (agent id, from, to)


def staffing(
    start: datetime, end: datetime, shifts: Iterable[Span], absences: Iterable[Span], step_minutes: int = 30
) -> list[Interval]:
    """Who is on duty for the whole of each slot from `start` (on the grid) to `end`: a shift covers the
    slot and no absence touches it. Pure, so the forecast applies it to a draft rota too."""
    shifts, absences = list(shifts), list(absences)
    slots: list[Interval] = []
    step = timedelta(minutes=step_minutes)
    cursor = start
    while cursor < end:
        slot_end = min(cursor + step, end)
        working = {agent for agent, s, e in shifts if s <= cursor and e >= slot_end}
        away = {agent for agent, s, e in absences if s < slot_end and e > cursor}
        slots.append(Interval(cursor, slot_end, frozenset(working - away)))
        cursor = slot_end
    return slots


def local_day_start(day: date) -> datetime:
    """Midnight of a local (Vietnam) date, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)


def hours_by_agent(shifts: Iterable[Shift]) -> dict[int, float]:
    """Scheduled hours per agent over the given shifts."""
    totals: dict[int, float] = {}
    for shift in shifts:
        totals[shift.agent_id] = (
            totals.get(shift.agent_id, 0.0) + (shift.ends_at - shift.starts_at).total_seconds() / 3600
        )
    return totals
