"""The rota pattern, on-duty rules, agent states and the dispatcher's rule, with hand-worked values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.agents.service import AgentError, AgentService
from callcenter.queue.dispatch import Dispatcher, IdleAgent, WaitingCall, pair
from callcenter.rota.service import LOCAL_TZ, RotaError, RotaService, hours_by_agent, panama_shifts
from models import Agent, AgentEvent, Call, db

from .conftest import BACKENDS

ALL_SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]
MONDAY = date(2026, 11, 23)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


# -- the default pattern (pure) ----------------------------------------------------------------
def test_panama_pattern_first_two_weeks_by_hand() -> None:
    planned = panama_shifts(MONDAY, 14)
    days = [p.agent_index for p in planned[0::2]]
    nights = [p.agent_index for p in planned[1::2]]
    assert days == [0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1]
    assert nights == [2, 2, 3, 3, 2, 2, 2, 3, 3, 2, 2, 3, 3, 3]
    assert planned[0].starts_at == local(MONDAY, 7) and planned[0].ends_at == local(MONDAY, 19)
    assert planned[1].ends_at == local(MONDAY + timedelta(days=1), 7)


def test_panama_pattern_covers_every_hour_with_one_person_and_42_hours_a_week_each() -> None:
    planned = panama_shifts(MONDAY, 56)
    for before, after in zip(planned, planned[1:], strict=False):
        assert before.ends_at == after.starts_at, "no gap, no overlap"
    hours: dict[int, float] = {}
    for p in planned:
        hours[p.agent_index] = hours.get(p.agent_index, 0) + (p.ends_at - p.starts_at).total_seconds() / 3600
    assert hours == {0: 336.0, 1: 336.0, 2: 336.0, 3: 336.0}  # 42 h × 8 weeks
    assert planned[56].agent_index in (2, 3), "day 28: the night pair takes the days"
    for p in planned:  # nobody works two shifts in a row
        later = [q for q in planned if q.starts_at == p.ends_at]
        assert all(q.agent_index != p.agent_index for q in later)


# -- the rota and agents in the database --------------------------------------------------------
@pytest.fixture
def desk(app):
    """Four agents with every skill and two weeks of the default rota from Monday."""
    with app.app_context():
        clock = app.extensions["clock"]
        rota = RotaService(db.session, clock)
        agents = AgentService(db.session, clock, rota)
        people = [agents.create(f"agent{i}", f"Agent {i}", ALL_SKILLS) for i in range(1, 5)]
        rota.generate_default(people, MONDAY, 14, actor="test")
        db.session.commit()
        yield rota, agents, people


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_who_is_on_duty_at_any_instant(app, desk) -> None:
    rota, _, people = desk
    ids = [p.id for p in people]
    assert rota.on_duty(local(MONDAY, 8)) == {ids[0]}
    assert rota.on_duty(local(MONDAY, 19)) == {ids[2]}, "19:00 belongs to the night shift"
    assert rota.on_duty(local(MONDAY + timedelta(days=1), 6, 59)) == {ids[2]}
    assert rota.on_duty(local(MONDAY + timedelta(days=2), 12)) == {ids[1]}
    assert rota.on_duty(local(MONDAY - timedelta(days=1), 12)) == set(), "before the rota starts"
    week = rota.shifts_between(local(MONDAY, 7), local(MONDAY + timedelta(days=7), 7))
    # days 0–6: day shifts 0 0 1 1 0 0 0, nights 2 2 3 3 2 2 2 → 5 and 2 shifts of 12 h per pair
    assert hours_by_agent(week) == {ids[0]: 60.0, ids[1]: 24.0, ids[2]: 60.0, ids[3]: 24.0}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_leave_opens_a_gap_and_overtime_fills_it(app, desk, clock) -> None:
    rota, _, people = desk
    a1, a2 = people[0], people[1]
    rota.add_absence(a1.id, local(MONDAY, 7), local(MONDAY, 19), reason="sick", actor="sup")
    day = (local(MONDAY, 7), local(MONDAY + timedelta(days=1), 7))
    gaps = rota.gaps(*day)
    assert gaps[0].starts_at == local(MONDAY, 7) and gaps[-1].ends_at == local(MONDAY, 19)
    assert len(gaps) == 24  # 12 h of 30-minute slots
    with pytest.raises(RotaError, match="already works"):
        rota.add_shift(a1.id, local(MONDAY, 18), local(MONDAY, 22))
    rota.add_shift(a2.id, local(MONDAY, 7), local(MONDAY, 19), note="covering Agent 1")
    assert rota.gaps(*day) == []
    assert rota.on_duty(local(MONDAY, 12)) == {a2.id}


@pytest.mark.parametrize(
    "bad, message",
    [
        ((0, 0), "end after it starts"),
        ((0, 20), "at most 16 hours"),
    ],
)
def test_shift_validation(app, desk, bad, message) -> None:
    rota, _, people = desk
    start = local(MONDAY + timedelta(days=30), 8)
    with pytest.raises(RotaError, match=message):
        rota.add_shift(people[0].id, start, start + timedelta(hours=bad[1]) if bad[1] else start)


def test_swap_hands_the_shift_over_and_keeps_the_original_on_record(app, desk) -> None:
    rota, _, people = desk
    monday_day = rota.shifts_between(local(MONDAY, 8), local(MONDAY, 9))[0]
    assert monday_day.agent_id == people[0].id
    swapped = rota.swap(monday_day.id, people[3].id, actor="sup")
    assert swapped.kind == "swap" and swapped.swapped_from_agent_id == people[0].id
    assert monday_day.cancelled_at is not None
    assert rota.on_duty(local(MONDAY, 12)) == {people[3].id}
    rota.add_shift(people[1].id, local(MONDAY, 10), local(MONDAY, 14), note="training cover")
    with pytest.raises(RotaError, match="already works"):
        rota.swap(swapped.id, people[1].id)


def test_agent_off_rota_cannot_log_in_until_a_supervisor_allows_overtime(app, desk, clock) -> None:
    rota, agents, people = desk
    clock.set(local(MONDAY, 9))
    agents.login(people[0])  # on duty
    with pytest.raises(AgentError, match="not on the rota"):
        agents.login(people[1])
    rota.allow_overtime(people[1].id, local(MONDAY, 13))
    event = agents.login(people[1])
    assert (event.kind, event.from_state, event.to_state) == ("AGENTLOGIN", "offline", "available")
    assert people[1].idle_since == clock.now()


def test_every_transition_is_an_event_and_illegal_ones_are_refused(app, desk, clock) -> None:
    _, agents, people = desk
    clock.set(local(MONDAY, 9))
    agent = people[0]
    agents.login(agent)
    clock.advance(60)
    agents.pause(agent, "lunch")
    with pytest.raises(AgentError, match="Choose a reason"):
        agents.pause(agent, "nap")
    with pytest.raises(AgentError, match="Cannot go from Break to On a call"):
        agents.transition(agent, "on_call")
    clock.advance(1800)
    agents.resume(agent)
    kinds = [(e.kind, e.reason) for e in agents.history(agent, local(MONDAY, 0))]
    assert kinds == [("AGENTLOGIN", None), ("PAUSE", "lunch"), ("UNPAUSE", None)]


# -- the dispatcher's rule (pure) ----------------------------------------------------------------
def t(hh: int, mm: int) -> datetime:
    return datetime(2026, 11, 23, hh, mm, tzinfo=UTC)


def test_longest_idle_agent_gets_the_longest_waiting_call_they_are_skilled_for() -> None:
    a = IdleAgent(1, "a", frozenset(ALL_SKILLS), idle_since=t(10, 0))
    b = IdleAgent(2, "b", frozenset({"branch_2", "accounts", "vi"}), idle_since=t(9, 50))
    c1 = WaitingCall(11, "CA1", branch=1, problem_group=None, language="vi", entered_at=t(10, 1))
    c2 = WaitingCall(12, "CA2", branch=2, problem_group="accounts", language="vi", entered_at=t(10, 2))
    c3 = WaitingCall(13, "CA3", branch=2, problem_group="incidents", language="vi", entered_at=t(10, 0))
    offers = pair([c1, c2, c3], [a, b])
    # b has been idle longest; c3 waits longest but is an incident and b lacks that skill → c2.
    # a next: c3 (10:00) waits longer than c1 (10:01).
    assert [(o.agent.identity, o.call.call_sid) for o in offers] == [("b", "CA2"), ("a", "CA3")]


def test_english_caller_waits_for_an_english_speaking_agent() -> None:
    vi_only = IdleAgent(1, "vi", frozenset({"branch_1", "vi"}), idle_since=t(9, 0))
    call = WaitingCall(1, "CA1", branch=1, problem_group=None, language="en", entered_at=t(9, 0))
    assert pair([call], [vi_only]) == []


# -- claiming in the database --------------------------------------------------------------------
def queue_call(app, sid: str, branch: int, entered: datetime, group: str | None = None) -> int:
    with app.app_context():
        call = Call(
            call_sid=sid,
            started_at=entered,
            stage="queued",
            branch=branch,
            problem_group=group,
            language="vi",
            queue_entered_at=entered,
            queue_name=f"hotline-branch-{branch}",
            queue_sid="QU" + f"{branch}" * 32,  # Twilio holds the caller (their first wait turn said so)
            caller_kind="number",
            dialled_known=True,
            menu_attempts=0,
        )
        db.session.add(call)
        db.session.commit()
        return call.id


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_dispatch_claims_once_and_a_released_call_keeps_its_place(app, desk, clock) -> None:
    rota, agents, people = desk
    clock.set(local(MONDAY, 9))
    first = queue_call(app, "CA" + "1" * 32, 2, clock.now() - timedelta(minutes=5), "accounts")
    second = queue_call(app, "CA" + "2" * 32, 2, clock.now() - timedelta(minutes=1), "accounts")
    agents.login(people[0])
    db.session.commit()
    dispatcher = Dispatcher(db.session, clock, rota)
    offers = dispatcher.dispatch()
    db.session.commit()
    assert [(o.call.id, o.agent.id) for o in offers] == [(first, people[0].id)]
    assert dispatcher.dispatch() == [], "the only agent is ringing; nothing more to offer"
    assert db.session.get(Agent, people[0].id).state == "ringing"
    assert dispatcher.release(first, people[0].id)
    db.session.commit()
    assert [c.id for c in dispatcher.waiting_calls()] == [first, second], "back in front of the later caller"
    ringing = db.session.query(AgentEvent).filter_by(kind="RINGING").one()
    assert "longest idle" in ringing.data["reason"]


def test_coverage_slots_sit_on_the_half_hour_grid_so_handovers_are_not_gaps(app, desk) -> None:
    rota, _, _ = desk
    start = local(MONDAY, 8, 47)  # not on the grid; the 19:00 handover would straddle a slot
    slots = rota.coverage(start, start + timedelta(hours=24))
    assert slots[0].starts_at == local(MONDAY, 8, 30)
    assert all(slot.staffed == 1 for slot in slots), "one person on duty in every slot, across the handover"


def test_cli_shows_who_is_on_duty_and_allows_overtime(app, clock) -> None:
    from callcenter.agents.service import AgentService

    with app.app_context():
        AgentService(db.session, clock).create("lan", "Lan", ["branch_2", "vi"])
        db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["rota", "now"]).output.strip() == "on duty now: nobody"
    result = runner.invoke(args=["rota", "overtime", "lan", "--hours", "2"])
    assert result.exit_code == 0 and "lan may take calls until" in result.output
    assert "no agent 'nobody'" in runner.invoke(args=["rota", "overtime", "nobody"]).output
    with app.app_context():
        agent = AgentService(db.session, clock).by_username("lan")
        assert agent.overtime_until == clock.now() + timedelta(hours=2)
        AgentService(db.session, clock).login(agent)  # allowed now


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_state_change_decided_on_stale_data_fails_instead_of_overwriting_a_ring(app, clock) -> None:
    """The page loads the agent (available); meanwhile the dispatcher offers them a call; the page's
    'take a break' must not overwrite RINGING (the agent would be on a break with a call ringing)."""
    from sqlalchemy.orm.exc import StaleDataError

    from callcenter.queue.dispatch import Dispatcher

    with app.app_context():
        agents = AgentService(db.session, clock)
        agent = agents.create("lan", "Lan", ["branch_2", "accounts", "vi"])
        agent.overtime_until = clock.now() + timedelta(hours=2)
        agents.login(agent)
        db.session.add(
            Call(
                call_sid="CA" + "e" * 32,
                started_at=clock.now(),
                stage="queued",
                branch=2,
                problem_group="accounts",
                language="vi",
                queue_entered_at=clock.now(),
                queue_sid="QU" + "b2" * 16,
            )
        )
        db.session.commit()
        page_view = db.session.get(Agent, agent.id)  # what the page request read: available
        assert page_view.state == "available"
        with app.app_context():  # another request (the dispatcher), its own session and transaction
            assert len(Dispatcher(db.session, clock, RotaService(db.session, clock)).dispatch()) == 1
            db.session.commit()
        with pytest.raises(StaleDataError):
            AgentService(db.session, clock).pause(page_view, "lunch")
        db.session.rollback()
        assert db.session.get(Agent, agent.id).state == "ringing"
