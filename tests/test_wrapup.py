"""Wrap-up: validation with messages an agent understands, closing wrap-up, and the timeout that
keeps what was entered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from callcenter.agents.service import AgentService
from callcenter.agents.wrapup import WrapUpError, WrapUpService, normalise_tax_code
from callcenter.ops import jobs
from callcenter.rota.service import RotaService
from models import Agent, Call, Ticket, db

from .conftest import BACKENDS

SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0314409058", "0314409058"),
        ("031 440 9058", "0314409058"),
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        ("0100109106", "0100109106"),
    ],
)
def test_tax_codes_with_a_right_check_digit_are_normalised(raw, expected) -> None:
    assert normalise_tax_code(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("0314409057", "check digit"),
        ("031440905", "10 digits"),
        ("03144090580", "10 digits"),
        ("03144O9058", "10 digits"),
    ],
)
def test_wrong_tax_codes_are_refused_with_a_reason(raw, message) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_tax_code(raw)


@pytest.fixture
def wrapping(app, clock):
    """An agent in wrap-up after a branch-2 call; yields (service, agent, call_sid)."""
    with app.app_context():
        rota = RotaService(db.session, clock)
        agents = AgentService(db.session, clock, rota)
        agent = agents.create("lan", "Lan", SKILLS)
        agent.overtime_until = clock.now() + timedelta(hours=4)
        sid = "CA" + "5" * 32
        call = Call(
            call_sid=sid,
            started_at=clock.now(),
            ended_at=clock.now(),
            stage="ended",
            outcome="answered",
            branch=2,
            problem_group="accounts",
            language="vi",
            caller_kind="number",
            dialled_known=True,
            menu_attempts=0,
        )
        db.session.add(call)
        db.session.flush()
        db.session.add(
            Ticket(call_id=call.id, status="open", branch=2, problem_group="accounts", created_at=clock.now())
        )
        agents.login(agent)
        for state in ("ringing", "on_call", "wrap_up"):
            agents.transition(agent, state, call_sid=sid)
        db.session.commit()
        yield WrapUpService(db.session, clock, agents), agent, sid


def ticket_of(sid: str) -> Ticket:
    return db.session.scalars(select(Ticket).join(Call, Call.id == Ticket.call_id).where(Call.call_sid == sid)).one()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_saving_the_wrap_up_records_the_answer_and_frees_the_agent(app, wrapping, clock) -> None:
    service, agent, sid = wrapping
    clock.advance(75)  # the agent types for 75 s after the caller hung up
    ticket = service.submit(
        agent,
        {
            "outcome": "resolved",
            "problem_group": "accounts",
            "business_code": "ida",
            "tax_code": "0314409058-002",
            "customs_unit": "Chi cục Hải quan cửa khẩu cảng Sài Gòn KV1",
            "question": "Quên mật khẩu VNACCS",
            "answer": "Hướng dẫn cấp lại mật khẩu qua Cổng thông tin một cửa quốc gia",
        },
    )
    db.session.commit()
    assert (ticket.status, ticket.outcome, ticket.business_code, ticket.tax_code) == (
        "closed",
        "resolved",
        "IDA",
        "0314409058-002",
    )
    assert ticket.agent_id == agent.id and ticket.wrapped_up_at is not None
    assert ticket.call.wrapup_seconds == 75, "after-call work, for the service report's AHT"
    assert db.session.get(Agent, agent.id).state == "available"


def test_mistakes_are_reported_per_field_and_nothing_is_closed(app, wrapping) -> None:
    service, agent, sid = wrapping
    with pytest.raises(WrapUpError) as caught:
        service.submit(agent, {"outcome": "done", "business_code": "I D A", "tax_code": "0314409057"})
    assert set(caught.value.errors) == {"outcome", "business_code", "tax_code"}
    assert "check digit" in caught.value.errors["tax_code"]
    with pytest.raises(WrapUpError) as missing:
        service.submit(agent, {"question": "?"})
    assert "Choose the outcome" in missing.value.errors["outcome"]
    assert db.session.get(Agent, agent.id).state == "wrap_up"


def test_wrap_up_that_times_out_keeps_the_draft_and_marks_the_ticket_for_follow_up(app, wrapping, clock) -> None:
    service, agent, sid = wrapping
    errors = service.save_draft(
        agent, {"tax_code": "0100109106", "question": "Tờ khai IDA bị lỗi", "business_code": "?"}
    )
    db.session.commit()
    assert set(errors) == {"business_code"}, "the bad field is reported; the good ones are kept"
    clock.advance(121)
    assert jobs.expire_wrap_ups() == ["lan"]
    ticket = ticket_of(sid)
    assert (ticket.tax_code, ticket.question, ticket.outcome) == ("0100109106", "Tờ khai IDA bị lỗi", "follow_up")
    assert "timed out" in ticket.notes and ticket.status == "open"
