"""The rota over JSON, for supervisors (the rota page of the supervisors' pages builds on it).

GET /api/rota?from=…&to=… shows shifts, absences, holidays and 30-minute coverage with gaps flagged;
POST/DELETE change it: shifts (overtime by default), cancel and restore (the page's Undo), swap, absences,
overtime, holidays. Messages for a person come in the request's language (callcenter/web/i18n.py).
Times are ISO 8601 with a zone (e.g. 2026-11-24T07:00+07:00); agents by id or username.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import SUPERVISORS
from callcenter.common.http import BadInput, guarded
from callcenter.common.inputs import FIRST_DAY, LAST_DAY, agent_reference, bounded_day, bounded_time
from callcenter.rota.service import LOCAL_TZ, RotaError, RotaService, find_agent
from models import Absence, Agent, Shift, db

bp = Blueprint("rota_api", __name__, url_prefix="/api/rota")
MAX_SPAN = timedelta(days=62)


def parse_when(raw: Any, name: str) -> datetime:
    value = bounded_time(raw)
    if value is None:
        raise BadInput(
            _(
                "%(name)s must be an ISO 8601 time with a zone, e.g. 2026-11-24T07:00+07:00 "
                "(years %(first)s–%(last)s).",
                name=name,
                first=FIRST_DAY.year,
                last=LAST_DAY.year,
            )
        )
    return value


def _agent(raw: Any) -> Agent:
    ref = agent_reference(raw)
    agent = find_agent(db.session, ref) if ref is not None else None
    if agent is None:
        raise BadInput(
            _(
                "There is no agent %(agent)s (give an id or a username).",
                agent=repr(str(raw if raw is not None else "").strip()[:64]),
            )
        )
    return agent


def _service() -> RotaService:
    return RotaService(db.session, current_app.extensions["clock"])


def _actor() -> str | None:
    user = current_user()
    return user.username if user else None


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("Send a JSON object.")
    return body


def shift_json(shift: Shift, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": shift.id,
        "agent_id": shift.agent_id,
        "agent": names.get(shift.agent_id),
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "kind": shift.kind,
        "note": shift.note,
        "swapped_from_agent_id": shift.swapped_from_agent_id,
    }


def absence_json(absence: Absence, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": absence.id,
        "agent_id": absence.agent_id,
        "agent": names.get(absence.agent_id),
        "starts_at": absence.starts_at.isoformat(),
        "ends_at": absence.ends_at.isoformat(),
        "reason": absence.reason,
        "note": absence.note,
    }


def _guarded(work: Any) -> Any:
    """Run a change; bad input → 400, a rota rule → 409, both with a message for a person."""
    return guarded(db.session, work, [(BadInput, 400, "bad_input", None), (RotaError, 409, "rota_rule", None)])


@bp.get("")
@require_role(*SUPERVISORS)
def show() -> Any:
    """The rota between `from` and `to` (default: the next 7 days), coverage per 30 minutes."""
    clock = current_app.extensions["clock"]

    def work() -> Any:
        start = parse_when(request.args["from"], "from") if "from" in request.args else clock.now()
        end = parse_when(request.args["to"], "to") if "to" in request.args else start + timedelta(days=7)
        if not timedelta(0) < end - start <= MAX_SPAN:
            raise BadInput("`to` must be after `from`, at most 62 days later.")
        service = _service()
        names = {a.id: a.username for a in db.session.scalars(select(Agent))}
        minimum = int(current_app.config["MIN_AGENTS_ON_DUTY"])
        slots = service.coverage(start, end)
        return jsonify(
            {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "minimum_on_duty": minimum,
                "on_duty_now": sorted(names[i] for i in service.on_duty(clock.now()) if i in names),
                "shifts": [shift_json(s, names) for s in service.shifts_between(start, end)],
                "absences": [absence_json(a, names) for a in service.absences_between(start, end)],
                "holidays": [
                    {"day": h.day.isoformat(), "name": h.name}
                    for h in service.holidays_between(
                        start.astimezone(LOCAL_TZ).date(), end.astimezone(LOCAL_TZ).date()
                    )
                ],
                "coverage": [
                    {
                        "starts_at": slot.starts_at.isoformat(),
                        "on_duty": sorted(names[i] for i in slot.agent_ids if i in names),
                        "gap": slot.staffed < minimum,
                    }
                    for slot in slots
                ],
                "gaps": sum(1 for slot in slots if slot.staffed < minimum),
            }
        )

    return _guarded(work)


@bp.post("/shifts")
@require_role(*SUPERVISORS)
def add_shift() -> Any:
    """{agent, starts_at, ends_at, kind?: overtime|regular, note?} — no overlap for one person."""

    def work() -> Any:
        body = _body()
        kind = str(body.get("kind") or "overtime")
        if kind not in ("overtime", "regular"):
            raise BadInput("kind is overtime or regular (use /swap to hand a shift over).")
        shift = _service().add_shift(
            _agent(body.get("agent")).id,
            parse_when(body.get("starts_at"), "starts_at"),
            parse_when(body.get("ends_at"), "ends_at"),
            kind=kind,
            note=(str(body.get("note") or "")[:200] or None),
            actor=_actor(),
        )
        names = {shift.agent_id: _agent(shift.agent_id).username}
        return jsonify(shift_json(shift, names)), 201

    return _guarded(work)


@bp.delete("/shifts/<int:shift_id>")
@require_role(*SUPERVISORS)
def cancel_shift(shift_id: int) -> Any:
    """Cancel a shift (it stays on record, marked cancelled)."""
    return _guarded(lambda: jsonify(id=_service().cancel_shift(shift_id).id, cancelled=True))


@bp.post("/shifts/<int:shift_id>/restore")
@require_role(*SUPERVISORS)
def restore_shift(shift_id: int) -> Any:
    """Bring a cancelled shift back, same agent and times (the page's Undo); 409 if the agent works then."""

    def work() -> Any:
        shift = _service().restore_shift(shift_id)
        return jsonify(shift_json(shift, {shift.agent_id: _agent(shift.agent_id).username}))

    return _guarded(work)


@bp.post("/shifts/<int:shift_id>/swap")
@require_role(*SUPERVISORS)
def swap_shift(shift_id: int) -> Any:
    """{to_agent}: hand the shift to another agent who is free then."""

    def work() -> Any:
        agent = _agent(_body().get("to_agent"))
        shift = _service().swap(shift_id, agent.id, actor=_actor())
        return jsonify(shift_json(shift, {agent.id: agent.username})), 201

    return _guarded(work)


@bp.post("/absences")
@require_role(*SUPERVISORS)
def add_absence() -> Any:
    """{agent, starts_at, ends_at, reason: leave|sick|training|other, note?}."""

    def work() -> Any:
        body = _body()
        agent = _agent(body.get("agent"))
        absence = _service().add_absence(
            agent.id,
            parse_when(body.get("starts_at"), "starts_at"),
            parse_when(body.get("ends_at"), "ends_at"),
            reason=str(body.get("reason") or "leave"),
            note=(str(body.get("note") or "")[:200] or None),
            actor=_actor(),
        )
        return jsonify(absence_json(absence, {agent.id: agent.username})), 201

    return _guarded(work)


@bp.post("/overtime")
@require_role(*SUPERVISORS)
def overtime() -> Any:
    """{agent, until}: the agent may log in and take calls off rota until then."""

    def work() -> Any:
        body = _body()
        agent = _service().allow_overtime(_agent(body.get("agent")).id, parse_when(body.get("until"), "until"))
        return jsonify(agent=agent.username, overtime_until=agent.overtime_until.isoformat())

    return _guarded(work)


@bp.post("/holidays")
@require_role(*SUPERVISORS)
def add_holiday() -> Any:
    """{day: YYYY-MM-DD, name}."""

    def work() -> Any:
        body = _body()
        day = bounded_day(body.get("day") or "")
        if day is None:
            raise BadInput(f"day must be a date like 2027-01-01, from {FIRST_DAY} to {LAST_DAY}.")
        holiday = _service().add_holiday(day, str(body.get("name") or ""))
        return jsonify(day=holiday.day.isoformat(), name=holiday.name), 201

    return _guarded(work)
