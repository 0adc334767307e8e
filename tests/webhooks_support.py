"""What the webhook tests share: both databases, row counts, a stored call and its events, and a caller
walked through the menus into a queue."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from models import Call, CallEvent, db

from .conftest import BACKENDS, call_params, parse_twiml

both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def count(app: Any, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def stored(app: Any, sid: str) -> Call:
    with app.app_context():
        return db.session.scalars(select(Call).where(Call.call_sid == sid)).one()


def events_of(app: Any, sid: str) -> list[str]:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        return [
            e.kind
            for e in db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id))
        ]


def enqueue_call(twilio: Any, sid: str) -> None:
    """Walk a call into the branch-2 queue: incoming, 2 during the greeting, 1 for accounts."""
    assert twilio.post("/ivr/incoming", call_params(sid)).status_code == 200
    assert twilio.post("/ivr/language", call_params(sid, Digits="2")).status_code == 200
    root = parse_twiml(twilio.post("/ivr/group?attempt=1&lang=vi", call_params(sid, Digits="1")).data)
    assert root.find("Enqueue") is not None
