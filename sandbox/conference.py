"""Conferences in the sandbox: <Dial><Conference> and the switch-level mirror of Twilio's Participants API.

A leg whose <Dial> holds a <Conference> noun joins the named room with the noun's attributes
(muted, beep, startConferenceOnEnter, endConferenceOnExit, waitUrl, coach, participantLabel,
statusCallback + statusCallbackEvent). A room is `init` until a participant with
startConferenceOnEnter joins; those waiting hear the waitUrl's music (noted as a <Play>, as the
sandbox plays audio). Who hears whom follows Twilio's rules: a held participant hears the hold
music and is heard by nobody, a muted one is heard by nobody, a coach is heard only by the
participant it coaches, and nobody hears anyone before the conference starts (`hears`,
`heard_by`). Status callbacks carry Twilio's conference parameters, numbered by SequenceNumber.
When a participant leaves (hung up, kicked, or the room ended) its leg goes on with the <Dial>
action, or the verbs after the <Dial>.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any

INIT, IN_PROGRESS, COMPLETED = "init", "in-progress", "completed"


def _flag(raw: str | None, default: bool) -> bool:
    return default if raw is None else raw.strip().lower() == "true"


@dataclass
class Participant:
    """One leg in a room, with the Participant resource's flags."""

    call: Any  # SandboxCall
    label: str | None = None
    muted: bool = False
    hold: bool = False
    hold_url: str | None = None
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    beep: str = "true"
    wait_url: str | None = None
    action: str | None = None  # the <Dial> action, requested when the participant leaves

    @property
    def call_sid(self) -> str:
        return str(self.call.call_sid)


@dataclass
class Room:
    """A conference: its participants in join order, its status and its status callback."""

    sid: str
    friendly_name: str
    status: str = INIT
    participants: list[Participant] = field(default_factory=list)
    status_callback: str | None = None
    events: frozenset[str] = frozenset({"start", "end"})
    sequence: int = 0
    reason: str | None = None
    call_sid_ending: str | None = None


class Conferences:
    """The switch's conference rooms (by friendly name while alive, by SID always)."""

    def __init__(self, switch: Any) -> None:
        self.switch = switch
        self.rooms: dict[str, Room] = {}  # CF… → room

    # -- queries ---------------------------------------------------------------------------------
    def named(self, friendly_name: str) -> Room | None:
        """The room of that name that is not completed."""
        return next(
            (r for r in self.rooms.values() if r.friendly_name == friendly_name and r.status != COMPLETED), None
        )

    def participant(self, room: Room, call_sid_or_label: str) -> Participant | None:
        return next((p for p in room.participants if call_sid_or_label in (p.call_sid, p.label)), None)

    def member(self, call_sid: str) -> tuple[Room, Participant] | None:
        for room in self.rooms.values():
            found = self.participant(room, call_sid)
            if found is not None:
                return room, found
        return None

    def hears(self, call_sid: str) -> set[str]:
        """The calls whose voice the party of `call_sid` hears."""
        found = self.member(call_sid)
        if found is None:
            return set()
        room, listener = found
        if room.status != IN_PROGRESS or listener.hold:
            return set()
        return {
            p.call_sid
            for p in room.participants
            if p is not listener
            and not p.hold
            and not p.muted
            and (not p.coaching or p.call_sid_to_coach == listener.call_sid)
        }

    def heard_by(self, call_sid: str) -> set[str]:
        """The calls that hear the party of `call_sid`."""
        found = self.member(call_sid)
        if found is None:
            return set()
        return {p.call_sid for p in found[0].participants if call_sid in self.hears(p.call_sid)}

    def hears_music(self, call_sid: str) -> bool:
        """Held, or waiting for the conference to start."""
        found = self.member(call_sid)
        return found is not None and (found[1].hold or found[0].status == INIT)

    # -- <Dial><Conference> ----------------------------------------------------------------------
    def join_from_twiml(self, call: Any, now: datetime, verb: ET.Element, noun: ET.Element) -> None:
        name = (noun.text or "").strip()
        action = verb.get("action")
        wait_url = noun.get("waitUrl")
        callback = noun.get("statusCallback")
        participant = Participant(
            call,
            label=noun.get("participantLabel"),
            muted=_flag(noun.get("muted"), False),
            coaching=bool(noun.get("coach")),
            call_sid_to_coach=noun.get("coach") or None,
            start_conference_on_enter=_flag(noun.get("startConferenceOnEnter"), True),
            end_conference_on_exit=_flag(noun.get("endConferenceOnExit"), False),
            beep=(noun.get("beep") or "true"),
            wait_url=call.resolve(wait_url) if wait_url else None,
            action=call.resolve(action) if action else None,
        )
        events = frozenset((noun.get("statusCallbackEvent") or "").split()) or frozenset({"start", "end"})
        self.join(now, name, participant, call.resolve(callback) if callback else None, events)

    def join(
        self, now: datetime, name: str, participant: Participant, callback: str | None, events: frozenset[str]
    ) -> Room:
        """The participant enters the room `name` (made on first use)."""
        room = self.named(name)
        if room is None:
            room = Room("CF" + secrets.token_hex(16), name)
            self.rooms[room.sid] = room
        if room.status_callback is None and callback:  # the first participant's callback is the room's
            room.status_callback, room.events = callback, events
        room.participants.append(participant)
        call = participant.call
        call.conference = room
        call._note(now, "connect", f"Joined conference {name}")
        if participant.beep in ("true", "onEnter"):
            for other in room.participants:
                if other is not participant:
                    other.call._note(now, "beep", "beep")
        self._post(room, now, "participant-join", participant)
        if room.status == INIT and participant.start_conference_on_enter:
            room.status = IN_PROGRESS
            self._post(room, now, "conference-start")
            for other in room.participants:
                other.call._note(now, "info", "The conference started")
        elif room.status == INIT:
            call._note(now, "play", "hold music", url=participant.wait_url)
        return room

    # -- the Participants API, switch side -------------------------------------------------------
    def update(self, now: datetime, room: Room, participant: Participant, **changes: Any) -> Participant:
        """Hold (with hold_url), muted, coaching / call_sid_to_coach, end_conference_on_exit."""
        before = (participant.hold, participant.muted, participant.coaching)
        for key, value in changes.items():
            setattr(participant, key, value)
        if changes.get("coaching") is False:
            participant.call_sid_to_coach = None
        if participant.hold != before[0]:
            if participant.hold:
                participant.call._note(now, "play", "hold music", url=participant.hold_url)
            self._post(room, now, "participant-hold" if participant.hold else "participant-unhold", participant)
        if participant.muted != before[1]:
            self._post(room, now, "participant-mute" if participant.muted else "participant-unmute", participant)
        if participant.coaching != before[2]:
            self._post(room, now, "participant-modify", participant)
        return participant

    def leave(self, now: datetime, call: Any, kicked: bool = False, gone: bool = False) -> None:
        """The leg leaves its room (hung up, kicked or ended); the room ends with its last participant
        or with one whose endConferenceOnExit is set."""
        room = getattr(call, "conference", None)
        if room is None:
            return
        participant = self.participant(room, call.call_sid)
        call.conference = None
        if participant is None:
            return
        room.participants.remove(participant)
        self._post(room, now, "participant-leave", participant)
        how = "kicked" if kicked else "left"
        if participant.end_conference_on_exit and room.status != COMPLETED:
            self.end(now, room, f"participant-with-end-conference-on-exit-{how}", call.call_sid)
        elif not room.participants and room.status != COMPLETED:
            self.end(now, room, f"last-participant-{how}", call.call_sid)
        if not gone:
            self._continue(now, call, participant)

    def end(self, now: datetime, room: Room, reason: str, call_sid: str | None = None) -> None:
        """Status=completed: the room ends and every participant leaves it."""
        room.status, room.reason, room.call_sid_ending = COMPLETED, reason, call_sid
        for participant in list(room.participants):
            room.participants.remove(participant)
            participant.call.conference = None
            self._post(room, now, "participant-leave", participant)
            participant.call._note(now, "info", "The conference ended")
            self._continue(now, participant.call, participant)
        self._post(room, now, "conference-end")

    def _continue(self, now: datetime, call: Any, participant: Participant) -> None:
        call.busy_until = now
        if participant.action:
            call.verbs.clear()
            call.fetch(now, participant.action)

    def _post(self, room: Room, now: datetime, event: str, participant: Participant | None = None) -> None:
        kind = event.split("-", 1)[1] if event.startswith("conference-") else event.split("-", 1)[1]
        if not room.status_callback or kind.removeprefix("un") not in room.events:
            return
        room.sequence += 1
        params = {
            "AccountSid": self.switch.settings.account_sid,
            "ConferenceSid": room.sid,
            "FriendlyName": room.friendly_name,
            "StatusCallbackEvent": event,
            "SequenceNumber": str(room.sequence),
            "Timestamp": format_datetime(now),
        }
        if participant is not None:
            params.update(
                CallSid=participant.call_sid,
                Muted=str(participant.muted).lower(),
                Hold=str(participant.hold).lower(),
                Coaching=str(participant.coaching).lower(),
                EndConferenceOnExit=str(participant.end_conference_on_exit).lower(),
                StartConferenceOnEnter=str(participant.start_conference_on_enter).lower(),
            )
            if participant.label:
                params["ParticipantLabel"] = participant.label
            if participant.call_sid_to_coach:
                params["CallSidToCoach"] = participant.call_sid_to_coach
        if event == "conference-end":
            params["ReasonConferenceEnded"] = room.reason or ""
            if room.call_sid_ending:
                params["CallSidEndingConference"] = room.call_sid_ending
        self.switch.transport.post(room.status_callback, params)
