"""The sandbox engine's queue, against the tiny app of sandbox_support.py: dequeue by REST (update a
queue member) and <Gather> inside a queue's wait loop, with Twilio's exact parameters.
"""

from __future__ import annotations

import pytest
from twilio.twiml.voice_response import VoiceResponse

from sandbox import MemberNotFound
from sandbox.engine import queue_sid

from .sandbox_support import CALLER, HOTLINE, Hotline, advance, heard, inbound, say, status_params, twiml, url


def enqueue(queue: str = "support", wait: str = "wait", action: str = "queue-exit") -> VoiceResponse:
    return twiml(lambda r: r.enqueue(queue, action=url(action), wait_url=url(wait)))


# -- REST: update a queue member --------------------------------------------------------------
def test_redirect_member_takes_the_caller_out_of_the_queue_and_runs_the_url(hotline, switch, clock) -> None:
    hotline.on("/voice", enqueue())
    hotline.on("/hook/wait", twiml(lambda r: r.pause(length=5)))
    hotline.on("/hook/queue-exit", say("This must not be played"))
    hotline.on("/hook/connect", say("An agent will take your call"))
    call = switch.dial(CALLER, HOTLINE)
    other = switch.dial("+84900000002", HOTLINE)
    advance(switch, clock, 12)

    returned = switch.redirect_member(queue_sid("support"), call.call_sid, url("connect"))

    assert returned is call and call.queue is None and not call.ended
    assert switch.size("support") == 1 and switch.position(other) == 1
    assert hotline.posts("/hook/queue-exit") == [
        inbound(call, QueueResult="redirected", QueueSid=queue_sid("support"), QueueTime="12")
    ]
    assert hotline.posts("/hook/connect") == [inbound(call)]
    assert hotline.paths()[-2:] == ["/hook/queue-exit", "/hook/connect"], "the action first, then the url"
    assert heard(call, "say") == ["An agent will take your call"], "the action's answer is not executed"
    advance(switch, clock, 3)
    assert call.ended and hotline.posts("/status")[-1]["CallSid"] == call.call_sid


def test_redirect_member_of_a_call_not_in_that_queue_raises_member_not_found(hotline, switch, clock) -> None:
    hotline.on("/voice", enqueue())
    hotline.on("/hook/wait", twiml(lambda r: r.pause(length=5)))
    call = switch.dial(CALLER, HOTLINE)
    with pytest.raises(MemberNotFound):
        switch.redirect_member(queue_sid("another-queue"), call.call_sid, url("connect"))
    with pytest.raises(MemberNotFound):
        switch.redirect_member(queue_sid("support"), "CA" + "f" * 32, url("connect"))
    assert issubclass(MemberNotFound, LookupError)
    assert call.queue is not None and not hotline.posts("/hook/queue-exit"), "a failed request changes nothing"
    switch.hang_up(call.call_sid)
    with pytest.raises(MemberNotFound):
        switch.redirect_member(queue_sid("support"), call.call_sid, url("connect"))


# -- <Gather> in a queue's wait loop --------------------------------------------------------------
def wait_with_menu(hotline: Hotline) -> None:
    """waitUrl: a one-key menu; its action answers by key (2 stays, 1 leaves, 9 hangs up)."""

    def wait(form: dict[str, str]) -> VoiceResponse:
        response = VoiceResponse()
        gather = response.gather(num_digits=1, action=url("wait-key"), timeout=3)
        gather.say("Press 1 for voicemail")  # 21 characters: 1.4 s
        return response

    def key(form: dict[str, str]) -> VoiceResponse:
        response = VoiceResponse()
        if form["Digits"] == "1":
            response.leave()
        elif form["Digits"] == "9":
            response.hangup()
        else:
            response.say("You keep your place")  # 19 characters: 1.3 s
        return response

    hotline.on("/voice", enqueue())
    hotline.on("/hook/wait", wait)
    hotline.on("/hook/wait-key", key)
    hotline.on("/hook/queue-exit", say("Leave a message after the beep"))


def test_keys_in_the_wait_loop_keep_the_caller_in_the_same_place(hotline, switch, clock) -> None:
    wait_with_menu(hotline)
    first = switch.dial(CALLER, HOTLINE)
    second = switch.dial("+84900000002", HOTLINE)
    entered = first.queue.entered_at

    def waits_of_first() -> list[dict[str, str]]:
        return [p for p in hotline.posts("/hook/wait") if p["CallSid"] == first.call_sid]

    advance(switch, clock, 1)
    assert len(waits_of_first()) == 1 and first.gather is not None

    switch.press(first.call_sid, "2")

    assert hotline.posts("/hook/wait-key") == [inbound(first, Digits="2")]
    assert first.queue is not None and first.queue.entered_at == entered
    assert switch.position(first) == 1 and switch.position(second) == 2
    assert heard(first, "say")[-1] == "You keep your place"
    assert len(waits_of_first()) == 1, "the action's TwiML plays first"
    advance(switch, clock, 2)  # its 1.3 s <Say> is over: the waitUrl again, same queue, same place
    assert len(waits_of_first()) == 2
    assert waits_of_first()[-1] == inbound(
        first,
        QueueSid=queue_sid("support"),
        QueuePosition="1",
        QueueTime="2",  # asked again at 2.3 s
        AvgQueueTime="2",
        CurrentQueueSize="2",
        MaxQueueSize="1000",
    )
    assert heard(first, "say")[-1] == "Press 1 for voicemail"
    assert hotline.posts("/hook/queue-exit") == []


def test_leave_in_the_wait_loops_gather_action_leaves_the_queue(hotline, switch, clock) -> None:
    wait_with_menu(hotline)
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 5)

    switch.press(call.call_sid, "1")

    assert call.queue is None and switch.size("support") == 0
    assert hotline.posts("/hook/queue-exit") == [
        inbound(call, QueueResult="leave", QueueSid=queue_sid("support"), QueueTime="5")
    ]
    assert heard(call, "say")[-1] == "Leave a message after the beep"


def test_hangup_in_the_wait_loops_gather_action_ends_the_call(hotline, switch, clock) -> None:
    wait_with_menu(hotline)
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 7)

    switch.press(call.call_sid, "9")

    assert call.ended and switch.size("support") == 0
    assert hotline.posts("/hook/queue-exit") == [
        inbound(call, QueueResult="hangup", QueueSid=queue_sid("support"), QueueTime="7")
    ]
    assert hotline.paths()[-2:] == ["/hook/queue-exit", "/status"]
    assert hotline.posts("/status") == [status_params(call, inbound(call), "completed", 7)]
