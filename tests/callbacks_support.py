"""What the callback tests (and the faults tests) share: webhooks signed for the app on the REST double,
a waiting caller booking a callback, the agent accepting its ring, and a call's timeline."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from models import Call, Callback, CallEvent, db

from .conftest import Twilio, call_params, parse_twiml

OPTION = "/ivr/queue/option?branch=2&lang=vi"


@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


def book_callback(twilio: Twilio, sid: str, **params: str) -> None:
    """While waiting: 1 (callback), hear the number read back, 1 (confirm), then <Leave>."""
    offer = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="1", **params)).data)
    gather = offer.find("Gather")
    assert "0 9 1 2 3 4 5 6 7 8" in gather.find("Say").text, "the number Twilio gave is read back"
    assert "84912345678" not in gather.get("action"), "the number never travels in a URL (logs, proxies)"
    booked = parse_twiml(twilio.post(gather.get("action"), call_params(sid, Digits="1", **params)).data)
    assert booked.find("Leave") is not None and "giữ nguyên" in booked.find("Say").text
    after = parse_twiml(
        twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="leave", QueueTime="40")).data
    )
    assert len(after) == 0


def callback_of(app: Flask, sid: str) -> Callback:
    with app.app_context():
        return db.session.scalars(
            select(Callback).join(Call, Call.id == Callback.call_id).where(Call.call_sid == sid)
        ).one()


def agent_accepts(twilio: Twilio, created: dict[str, str]) -> Any:
    """The agent's softphone picks up the REST call: Twilio requests its Url for the agent's leg."""
    return parse_twiml(
        twilio.post(
            created["Url"],
            call_params(created["Sid"], From=created["From"], To=created["To"], Direction="outbound-api"),
        ).data
    )


def timeline(app: Flask, sid: str) -> list[tuple[str, dict[str, Any]]]:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        events = db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id))
        return [(e.kind, e.data) for e in events]
