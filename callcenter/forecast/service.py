"""The forecast as the API and the CLI ask for it: a week (any day in it), targets, optional changes.

One place reads the rota and learns the profile, so the page, the JSON API and `flask forecast week`
show the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.common.inputs import FIRST_DAY, LAST_DAY, agent_reference, bounded_day
from callcenter.forecast.mail_week import week_email
from callcenter.forecast.profile import learn
from callcenter.forecast.week import PlannedShift, Targets, WeekForecast, WeekRota, difference, forecast, load_rota
from callcenter.rota.service import LOCAL_TZ, RotaService, find_agent


class ForecastError(ValueError):
    """A forecast parameter a person must correct (the message says how)."""


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def targets_from(args: Mapping[str, Any], default: Targets = Targets()) -> Targets:
    """Targets from request/CLI values in percent and seconds (missing: the default)."""

    def number(name: str, low: float, high: float, fallback: float) -> float:
        raw = args.get(name)
        if raw in (None, ""):
            return fallback
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ForecastError(f"{name} is a number from {low:g} to {high:g}.") from None
        if not low <= value <= high:
            raise ForecastError(f"{name} is a number from {low:g} to {high:g}.")
        return value

    return Targets(
        service_level=number("service_level", 1, 99.9, default.service_level * 100) / 100,
        threshold=number("threshold", 1, 3600, default.threshold),
        max_abandonment=number("max_abandonment", 0.1, 100, default.max_abandonment * 100) / 100,
    )


@dataclass(frozen=True)
class Change:
    """A draft: shifts to add (agent id, from, to) and shift ids to remove."""

    add: tuple[tuple[int, datetime, datetime], ...] = ()
    remove: tuple[int, ...] = ()


class ForecastService:
    """Forecasts a week of the rota in `session` (history from the same database)."""

    def __init__(self, session: Session, clock: Clock, history_weeks: int = 8) -> None:
        self.session = session
        self.clock = clock
        self.history_weeks = history_weeks

    def day(self, raw: Any) -> date:
        """The day a request or a command names (any day of the week), today when none."""
        if not raw:
            return self.clock.now().astimezone(LOCAL_TZ).date()
        day = bounded_day(raw)
        if day is None:
            raise ForecastError(
                f"week is a date like 2026-11-23 (any day of the week), from {FIRST_DAY} to {LAST_DAY}."
            )
        return day

    def agent_id(self, raw: Any) -> int:
        """An agent by id or username."""
        ref = agent_reference(raw)
        agent = find_agent(self.session, ref) if ref is not None else None
        if agent is None:
            raise ForecastError(f"There is no agent {str(raw or '').strip()[:64]!r} (give an id or a username).")
        return agent.id

    def week(self, day: date, targets: Targets, change: Change | None = None, simulate: bool = True) -> WeekForecast:
        rota = self.rota(monday_of(day), change)
        profile = learn(self.session, rota.monday, rota.holidays, self.history_weeks)
        return forecast(profile, rota, targets, simulate_week=simulate)

    def week_with_email(
        self, day: date, targets: Targets, target_hours: float, email_share: float | None = None
    ) -> tuple[WeekForecast, dict[str, Any]]:
        """The week's forecast and its e-mail part (`mail_week.week_email`) from one reading of the rota
        and one learned profile."""
        rota = self.rota(monday_of(day))
        profile = learn(self.session, rota.monday, rota.holidays, self.history_weeks)
        result = forecast(profile, rota, targets)
        return result, week_email(self.session, profile, rota, targets, target_hours, email_share)

    def what_if(self, day: date, targets: Targets, change: Change) -> dict[str, Any]:
        """The current rota and the draft, forecast the same way, and the difference."""
        monday = monday_of(day)
        current_rota = self.rota(monday)
        profile = learn(self.session, monday, current_rota.holidays, self.history_weeks)
        current = forecast(profile, current_rota, targets)
        draft = forecast(profile, self.rota(monday, change), targets)
        return {"current": current.as_json(), "draft": draft.as_json(), "difference": difference(current, draft)}

    def rota(self, monday: date, change: Change | None = None) -> WeekRota:
        rota = load_rota(RotaService(self.session, self.clock), monday)
        if change is None:
            return rota
        known = {s.shift_id for s in rota.shifts}
        unknown = [i for i in change.remove if i not in known]
        if unknown:
            raise ForecastError(f"Shift {unknown[0]} is not in the week of {monday.isoformat()}.")
        for agent, start, end in change.add:
            if end <= rota.start or start >= rota.start + timedelta(days=7):
                raise ForecastError(f"The shift {start:%Y-%m-%d %H:%M} is not in the week of {monday.isoformat()}.")
            if not timedelta(minutes=30) <= end - start <= timedelta(hours=16):
                raise ForecastError("A shift lasts from 30 minutes to 16 hours.")
            clash = next(
                (s for s in rota.shifts if s.agent_id == agent and s.starts_at < end and s.ends_at > start), None
            )
            if clash is not None and clash.shift_id not in change.remove:
                name = rota.names.get(agent, str(agent))
                raise ForecastError(
                    f"{name} already works then (shift {clash.shift_id}): one person, one shift at a time."
                )
        return rota.changed(add=_planned(change.add), remove=change.remove)


def _planned(spans: Iterable[tuple[int, datetime, datetime]]) -> list[PlannedShift]:
    return [PlannedShift(agent, start, end) for agent, start, end in spans]
