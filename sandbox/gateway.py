"""The telephony gateway over the local sandbox: the same interface as Twilio's (callcenter.telephony)."""

from __future__ import annotations

from typing import Any

from callcenter.telephony.conference import (
    ROOM_EVENTS,
    NewParticipant,
    ParticipantChange,
    ParticipantGone,
    change_params,
)
from callcenter.telephony.gateway import MemberGone, QueueMember, RemoteCall
from sandbox.engine import MemberNotFound, queue_sid


class SandboxGateway:
    """The gateway over the local telephony sandbox."""

    def __init__(self, switch: Any) -> None:
        self.switch = switch

    def available(self) -> bool:
        """The sandbox is in this process: always there."""
        return True

    def dequeue(self, queue_sid: str, call_sid: str, url: str) -> None:
        """The sandbox's queue-member update: the caller leaves the queue and runs `url`."""
        try:
            self.switch.redirect_member(queue_sid, call_sid, url)
        except MemberNotFound as exc:
            raise MemberGone(str(exc)) from exc

    def create_call(self, to: str, from_: str, url: str, status_callback: str, timeout: int) -> str:
        """An outbound sandbox call (to an agent's softphone, or a sandbox phone)."""
        return str(self.switch.create_call(to, from_, url, status_callback, timeout).call_sid)

    def queue_members(self, queue_names: list[str]) -> list[QueueMember] | None:
        """The sandbox's queues."""
        now = self.switch.clock.now()
        return [
            QueueMember(
                queue_sid(name), name, call.call_sid, index + 1, int((now - call.queue.entered_at).total_seconds())
            )
            for name in queue_names
            for index, call in enumerate(self.switch.waiting(name))
            if call.queue is not None
        ]

    def fetch_call(self, call_sid: str) -> RemoteCall | None:
        """The sandbox call's state, or None when the sandbox never had it (e.g. after a restart)."""
        call = self.switch.get(call_sid)
        if call is None:
            return None
        if not call.ended:
            return RemoteCall(status=str(call.status), from_=call.from_, to=call.to)
        return RemoteCall(
            status=str(call.status), duration=call.duration, ended_at=call.ended_at, from_=call.from_, to=call.to
        )


class SandboxConferences:
    """ConferenceControl over the sandbox's rooms (the same operations as Twilio's Participants API)."""

    def __init__(self, switch: Any) -> None:
        self.switch = switch

    def add_participant(self, conference: str, who: NewParticipant) -> str:
        """An outbound leg rings `who.to` and joins `conference` (created if needed) once answered."""
        extra: dict[str, Any] = {"call_sid_to_coach": who.coach} if who.coach else {}
        room_events: dict[str, Any] = {}
        if who.room_events:
            room_events = {
                "conference_status_callback": who.room_events,
                "conference_status_callback_event": " ".join(ROOM_EVENTS),
            }
        call = self.switch.create_participant(
            conference,
            who.to,
            who.from_,
            label=who.label,
            muted=who.muted,
            beep="false",  # as the Twilio control asks: nobody hears a beep when a leg joins
            start_conference_on_enter=who.start_on_enter,
            end_conference_on_exit=who.end_on_exit,
            timeout=who.timeout,
            status_callback=who.status_callback,
            **extra,
            **room_events,
        )
        return str(call.call_sid)

    def update_participant(self, conference: str, participant: str, change: ParticipantChange) -> None:
        """Hold, mute, coach or barge (ParticipantGone when the room or the participant is not there)."""
        try:
            changes = {k: v for k, v in change_params(change).items() if k != "hold_method"}
            self.switch.update_participant(conference, participant, **changes)
        except MemberNotFound as exc:
            raise ParticipantGone(str(exc)) from exc

    def remove_participant(self, conference: str, participant: str) -> None:
        """The participant leaves the room and goes on with their TwiML."""
        try:
            self.switch.kick(conference, participant)
        except MemberNotFound as exc:
            raise ParticipantGone(str(exc)) from exc

    def redirect_call(self, call_sid: str, url: str) -> None:
        """A live leg runs `url`'s TwiML instead."""
        try:
            self.switch.redirect_call(call_sid, url)
        except MemberNotFound as exc:
            raise ParticipantGone(str(exc)) from exc
