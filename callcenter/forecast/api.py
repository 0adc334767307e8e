"""The staffing forecast over JSON (the forecast page and `flask forecast week` show the same).

GET  /api/forecast?week=2026-11-23&service_level=80&threshold=60&max_abandonment=5
POST /api/forecast/what-if  {"week": "2026-11-23", "add": [{"agent": "agent1", "starts_at": "…+07:00",
     "ends_at": "…"}], "remove": [shift ids], targets as above} → current, draft and the difference.
Nothing is saved: a supervisor saves a change through /api/rota.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from callcenter.accounts.api_auth import require_role
from callcenter.common.http import json_error
from callcenter.common.inputs import bounded_id
from callcenter.forecast.service import Change, ForecastError, ForecastService, targets_from
from callcenter.rota.api import BadInput, parse_when
from models import Role, db

bp = Blueprint("forecast_api", __name__, url_prefix="/api/forecast")
READERS = (Role.SUPERVISOR.value, Role.ADMIN.value, Role.INVESTIGATOR.value)


def _service() -> ForecastService:
    return ForecastService(db.session, current_app.extensions["clock"])


@bp.get("")
@require_role(*READERS)
def week() -> Any:
    """The week's forecast for the published rota."""
    try:
        service = _service()
        result = service.week(service.day(request.args.get("week")), targets_from(request.args))
    except ForecastError as exc:
        return json_error(400, "bad_input", str(exc))
    return jsonify(result.as_json())


@bp.post("/what-if")
@require_role(*READERS)
def what_if() -> Any:
    """Forecast the rota with shifts added and/or removed, next to the rota as published."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "bad_input", "Send a JSON object with week, add and/or remove.")
    service = _service()
    try:
        add = tuple(
            (
                service.agent_id(item.get("agent")),
                parse_when(item.get("starts_at"), "starts_at"),
                parse_when(item.get("ends_at"), "ends_at"),
            )
            for item in _list(body.get("add"), "add")
        )
        remove = tuple(_shift_id(i) for i in _list(body.get("remove"), "remove"))
        if not add and not remove:
            raise ForecastError("Add or remove at least one shift to compare.")
        result = service.what_if(service.day(body.get("week")), targets_from(body), Change(add, remove))
    except (ForecastError, BadInput) as exc:
        return json_error(400, "bad_input", str(exc))
    return jsonify(result)


def _list(raw: Any, name: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > 50:
        raise ForecastError(f"{name} is a list of at most 50 items.")
    if name == "add" and not all(isinstance(i, dict) for i in raw):
        raise ForecastError("Each shift to add is an object with agent, starts_at and ends_at.")
    return raw


def _shift_id(raw: Any) -> int:
    shift_id = bounded_id(raw)
    if shift_id is None:
        raise ForecastError("remove lists shift ids (whole numbers from 1).")
    return shift_id
