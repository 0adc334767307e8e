"""The staffing forecast over JSON (the forecast page and `flask forecast week` show the same).

GET  /api/forecast?week=2026-11-23&service_level=80&threshold=60&max_abandonment=5
     &include=email (&email_share=0.3): also the week's e-mails (`mail_week.py`), computed only when asked
     (it plays the week again with e-mails: about twice the time)
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
from callcenter.forecast.mail_week import EmailShareError, email_share_from
from callcenter.forecast.service import Change, ForecastError, ForecastService, targets_from
from callcenter.mail.settings import MailSettings
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
    parts = {p.strip() for p in request.args.get("include", "").split(",") if p.strip()}
    if parts - {"email"}:
        return json_error(400, "bad_input", "include takes email (the week's e-mails) or nothing.")
    try:
        share = email_share_from(request.args)
        service = _service()
        day, targets = service.day(request.args.get("week")), targets_from(request.args)
        if "email" not in parts and share is None:
            return jsonify(service.week(day, targets).as_json())
        hours = MailSettings.from_config(current_app.config).response_target_hours
        result, email = service.week_with_email(day, targets, hours, share)
    except (ForecastError, EmailShareError) as exc:
        return json_error(400, "bad_input", str(exc))
    return jsonify({**result.as_json(), "email": email})


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
