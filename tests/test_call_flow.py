"""Whole calls walked through the webhooks as Twilio sends them (via the sandbox engine), on
SQLite and PostgreSQL: what the caller hears, and what lands on record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models import Announcement, Call, CallEvent, Ticket, db

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def run_for(sandbox: Any, clock: Any, seconds: float, step: float = 1.0) -> None:
    """Let `seconds` pass on the fake clock, one step at a time, as a polling phone would."""
    elapsed = 0.0
    while elapsed < seconds:
        clock.advance(step)
        elapsed += step
        sandbox.tick()


def record(app: Any, call_sid: str) -> tuple[Call, list[CallEvent], list[Ticket]]:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == call_sid)).one()
        events = list(db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id)))
        tickets = list(db.session.scalars(select(Ticket).where(Ticket.call_id == call.id)))
        return call, events, tickets


def said(call: Any) -> list[str]:
    return [h.text for h in call.heard if h.kind == "say"]


def test_caller_who_presses_2_then_1_and_hangs_up_in_queue_is_an_abandoned_queue_call(
    app, sandbox, clock, client, make_user
) -> None:
    call = sandbox.dial("0912 345 678", "19009299")
    assert "Cục Hải quan xin chào" in said(call)[0]
    call.press(clock.now(), "2")  # barge in during the greeting: branch 2
    assert any("tài khoản, mật khẩu" in s for s in said(call)), "the problem-group menu is offered"
    run_for(sandbox, clock, 3)
    sandbox.press(call.call_sid, "1")  # accounts and passwords
    run_for(sandbox, clock, 10)
    assert call.queue is not None and call.queue.name == "hotline-branch-2"
    assert any("vị trí số 1" in s for s in said(call)), "position is announced in Vietnamese"
    run_for(sandbox, clock, 35)
    sandbox.hang_up(call.call_sid)

    stored, events, tickets = record(app, call.call_sid)
    assert stored.outcome == "queue_abandoned"
    assert stored.branch == 2 and stored.problem_group == "accounts"
    assert stored.caller_e164 == "+84912345678" and stored.dialled_known
    assert 40 <= stored.queue_wait_seconds <= 50  # entered the queue ~3 s in, hung up ~48 s in
    in_queue = (stored.queue_exited_at - stored.queue_entered_at).total_seconds()
    assert abs(in_queue - stored.queue_wait_seconds) <= 1, "our timestamps agree with Twilio's QueueTime"
    kinds = [e.kind for e in events]
    for expected in [
        "IVR_ENTER",
        "BRANCH_CHOSEN",
        "GROUP_CHOSEN",
        "ENTERQUEUE",
        "POSITION",
        "EXITQUEUE",
        "ABANDON",
        "HANGUP",
        "STATUS",
    ]:
        assert expected in kinds
    assert kinds.index("ENTERQUEUE") < kinds.index("ABANDON") < kinds.index("HANGUP")
    assert len(tickets) == 1 and tickets[0].outcome == "abandoned_queue" and tickets[0].status == "open"

    headers = make_user("supervisor")
    body = client.get(f"/api/calls/{call.call_sid}", headers=headers).get_json()
    assert body["outcome"] == "queue_abandoned"
    assert body["queue"]["wait_seconds"] == stored.queue_wait_seconds
    assert body["ticket"]["outcome"] == "abandoned_queue"
    assert [e["kind"] for e in body["events"]] == kinds


def test_caller_who_never_presses_is_routed_to_the_general_desk_not_dropped(app, sandbox, clock) -> None:
    call = sandbox.dial("0912345678", "19009299")
    run_for(sandbox, clock, 240, step=2)
    assert not call.ended, "a silent caller stays on the line"
    assert call.queue is not None and call.queue.name == "hotline-branch-2"
    texts = said(call)
    assert sum("chưa nhận được lựa chọn" in t for t in texts) == 3, "three tries, each after silence"
    assert any("chuyển quý khách tới bộ phận hỗ trợ" in t for t in texts)
    sandbox.hang_up(call.call_sid)
    stored, events, _ = record(app, call.call_sid)
    assert stored.branch == 2 and stored.problem_group == "other"
    assert [e.kind for e in events].count("MENU_TIMEOUT") == 3
    assert "DEFAULT_ROUTE" in [e.kind for e in events]


def test_wrong_keys_reprompt_and_then_a_valid_key_routes_to_branch_1(app, sandbox, clock) -> None:
    call = sandbox.dial("0912345678", "19009299")
    run_for(sandbox, clock, 13)  # greeting and its 2 s of listening over, no announcement: the main menu plays
    sandbox.press(call.call_sid, "7")
    assert any("không hợp lệ" in t for t in said(call))
    sandbox.press(call.call_sid, "1")
    run_for(sandbox, clock, 20)
    assert call.queue is not None and call.queue.name == "hotline-branch-1"
    sandbox.hang_up(call.call_sid)
    stored, events, tickets = record(app, call.call_sid)
    assert stored.branch == 1 and stored.problem_group is None
    assert [e.kind for e in events].count("MENU_INVALID") == 1
    assert tickets[0].branch == 1


def test_english_caller_hears_every_prompt_in_english(app, sandbox, clock) -> None:
    call = sandbox.dial("0912345678", "19009299")
    sandbox.press(call.call_sid, "9")
    assert said(call)[-1].startswith("To report smuggling")
    sandbox.press(call.call_sid, "2")
    sandbox.press(call.call_sid, "3")
    run_for(sandbox, clock, 15)
    english = [h for h in call.heard if h.kind == "say"][2:]
    assert english and all(h.language == "en-US" for h in english)
    assert any("You are number 1 in the queue" in h.text for h in english)
    sandbox.hang_up(call.call_sid)
    stored, _, _ = record(app, call.call_sid)
    assert stored.language == "en" and stored.problem_group == "single_window"


def test_incident_announcement_plays_before_the_menu_is_skippable_and_expires(app, sandbox, clock) -> None:
    with app.app_context():
        db.session.add(
            Announcement(
                text_vi="Hệ thống VNACCS đang gián đoạn từ 09:10.",
                text_en="VNACCS is down since 09:10.",
                starts_at=clock.now(),
                expires_at=clock.now() + timedelta(minutes=30),
                created_at=clock.now(),
            )
        )
        db.session.commit()
    call = sandbox.dial("0912345678", "19009299")
    run_for(sandbox, clock, 15)
    assert any("VNACCS đang gián đoạn" in t for t in said(call))
    sandbox.press(call.call_sid, "5")  # any key skips
    assert said(call)[-1].startswith("Để phản ánh"), "straight to the menu"
    sandbox.hang_up(call.call_sid)
    _, events, _ = record(app, call.call_sid)
    assert {"ANNOUNCEMENT_PLAYED", "ANNOUNCEMENT_SKIPPED", "IVR_ABANDON"} <= {e.kind for e in events}

    clock.advance(31 * 60)
    later = sandbox.dial("0912345678", "19009299")
    run_for(sandbox, clock, 12)
    assert not any("gián đoạn" in t for t in said(later)), "an expired announcement is not played"


def test_hanging_up_in_the_menu_is_an_ivr_abandon_with_a_closed_ticket(app, sandbox, clock) -> None:
    call = sandbox.dial("anonymous", "19009299")
    run_for(sandbox, clock, 4)
    sandbox.hang_up(call.call_sid)
    stored, events, tickets = record(app, call.call_sid)
    assert stored.outcome == "ivr_abandoned" and stored.caller_kind == "withheld" and stored.caller_e164 is None
    assert stored.duration_seconds == 4
    assert tickets[0].status == "closed" and tickets[0].outcome == "abandoned_ivr"


def test_position_and_estimate_are_repeated_at_the_configured_interval(app, sandbox, clock) -> None:
    first = sandbox.dial("0912000001", "19009299")
    sandbox.press(first.call_sid, "1")
    second = sandbox.dial("0912000002", "19009299")
    sandbox.press(second.call_sid, "1")
    run_for(sandbox, clock, 150, step=2)
    positions = [t for t in said(second) if "vị trí số" in t]
    assert positions[0].endswith("vị trí số 2 trong hàng chờ.")
    assert 2 <= len(positions) <= 3, positions  # every 60 s (checked when each 30 s clip of music ends)
    sandbox.hang_up(first.call_sid)
    run_for(sandbox, clock, 70, step=2)
    latest = [t for t in said(second) if "vị trí số" in t][-1]
    assert latest.endswith("vị trí số 1 trong hàng chờ."), said(second)[-5:]


def test_answered_call_is_connected_when_dequeued_and_answered_at_the_end(app, sandbox, clock, client) -> None:
    call = sandbox.dial("0912345678", "19009299")
    sandbox.press(call.call_sid, "2")
    sandbox.press(call.call_sid, "3")
    run_for(sandbox, clock, 40)
    assert sandbox.answer_next("hotline-branch-2") is call
    assert any("chuyển tới tổng đài viên" in t for t in said(call)), "the caller is told they are connected"
    run_for(sandbox, clock, 300, step=10)  # a five-minute conversation
    assert call.bridge is not None and not call.ended
    sandbox.agent_hang_up(call.call_sid)
    run_for(sandbox, clock, 5)  # the goodbye plays, then <Hangup>
    assert call.ended and said(call)[-1].startswith("Xin cảm ơn quý khách. Xin chào")
    stored, events, tickets = record(app, call.call_sid)
    assert stored.outcome == "answered" and stored.problem_group == "single_window"
    assert 33 <= stored.queue_wait_seconds <= 38  # ~4 s of intro, then ~36 s in the queue
    assert stored.answered_at == stored.queue_exited_at
    kinds = [e.kind for e in events]
    assert kinds.count("CONNECT") == 1 and "ABANDON" not in kinds
    assert tickets[0].status == "open" and tickets[0].outcome is None, "the agent's wrap-up decides"


def test_caller_hanging_up_during_the_conversation_is_still_answered(app, sandbox, clock) -> None:
    call = sandbox.dial("0912345678", "19009299")
    sandbox.press(call.call_sid, "1")
    run_for(sandbox, clock, 20)
    sandbox.answer_next("hotline-branch-1")
    run_for(sandbox, clock, 60, step=5)
    sandbox.hang_up(call.call_sid)
    stored, events, _ = record(app, call.call_sid)
    assert stored.outcome == "answered" and stored.branch == 1
    assert [e.kind for e in events].count("EXITQUEUE") == 1
