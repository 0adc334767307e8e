"""The wrap-up records the answer used on the call (issue 16): `answer_id` (optional) is checked, a draft keeps
it out of the counts, the final wrap-up records the use once (AnswerService.record_use), and an answer that
does not exist is refused beside the field with nothing saved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from callcenter.answers.service import AnswerService
from models import AnswerEntry, AnswerUse, Call, Ticket, db

from .conftest import Twilio, call_params, new_sid, parse_twiml
from .test_ringing import caller_waits, dispatch
from .test_softphone import log_in, make_agent_user, page_csrf, post_json


def _published(app: Any, clock: Any) -> int:
    with app.app_context():
        service = AnswerService(db.session, clock)
        entry = service.create(
            by="minh",
            title="Đổi mật khẩu VNACCS",
            question="Mật khẩu hết hạn thì làm gì?",
            answer="Chọn Quên mật khẩu và xác thực bằng chữ ký số.",
            business_codes=["IDA"],
            problem_group="accounts",
        )
        db.session.flush()
        service.publish(entry.id, "minh")
        db.session.commit()
        return entry.id


def _in_wrap_up(app: Any, double: Any, clock: Any) -> tuple[Any, str, str]:
    twilio = Twilio(app, app.test_client())
    make_agent_user(app, clock, "lan")
    client = app.test_client()
    log_in(client, "lan")
    csrf = page_csrf(client)
    sid = new_sid()
    caller_waits(twilio, double, sid)
    post_json(client, "/agent/api/state", {"state": "available"}, csrf)
    dispatch(app, clock)
    dial = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data).find("Dial")
    twilio.post(dial.find("Client").get("url"), call_params(new_sid(), ParentCallSid=sid, To="client:lan"))
    twilio.post(dial.get("action"), call_params(sid, DialCallStatus="completed"))
    assert client.get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up"
    return client, csrf, sid


def test_the_wrap_up_records_the_answer_used(twilio_app: Any, double: Any, clock: Any) -> None:
    entry_id = _published(twilio_app, clock)
    client, csrf, sid = _in_wrap_up(twilio_app, double, clock)

    draft = post_json(client, "/agent/api/wrapup", {"answer_id": "abc", "business_code": "IDA"}, csrf)
    assert draft.status_code == 200 and "answer_id" in draft.get_json()["fields"]
    draft = post_json(client, "/agent/api/wrapup", {"answer_id": str(entry_id)}, csrf)
    assert draft.status_code == 200 and draft.get_json()["fields"] == {}
    unknown = post_json(client, "/agent/api/wrapup", {"final": True, "outcome": "resolved", "answer_id": 999999}, csrf)
    assert unknown.status_code == 400 and "answer_id" in unknown.get_json()["fields"]
    with twilio_app.app_context():
        assert db.session.scalar(select(AnswerUse.id)) is None  # neither the draft nor the refusal counted
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == sid)).one()
        assert ticket.outcome is None  # the refused wrap-up saved nothing

    done = post_json(client, "/agent/api/wrapup", {"final": True, "outcome": "resolved", "answer_id": entry_id}, csrf)
    assert done.status_code == 200, done.get_json()
    with twilio_app.app_context():
        use = db.session.scalars(select(AnswerUse)).one()
        assert (use.entry_id, use.ticket_id) == (entry_id, done.get_json()["ticket_id"])
        assert db.session.get(AnswerEntry, entry_id).uses == 1


def test_a_wrap_up_without_an_answer_is_as_before(twilio_app: Any, double: Any, clock: Any) -> None:
    client, csrf, _sid = _in_wrap_up(twilio_app, double, clock)
    done = post_json(client, "/agent/api/wrapup", {"final": True, "outcome": "resolved", "answer_id": ""}, csrf)
    assert done.status_code == 200
    with twilio_app.app_context():
        assert db.session.scalar(select(AnswerUse.id)) is None
