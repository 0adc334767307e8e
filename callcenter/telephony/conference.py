"""Conference control: what the agent's desk asks of the telephony engine once a call is bridged
through a conference (one per call) instead of `<Dial><Client>` (issue 13; the README says why).

Twilio's Conference Participants API (2010-04-01): add a participant by calling them into a named
conference (POST /Conferences/{CF… or its friendly name}/Participants.json: a new outbound leg; the
name is accepted on create only, and creates the conference if needed), change one by
CallSid or label (POST …/Participants/{CallSid|Label}.json: Hold + HoldUrl, Muted, Coaching +
CallSidToCoach, EndConferenceOnExit), remove one (DELETE …/Participants/{…}.json), and move a live call
to new TwiML (POST /Calls/{CallSid}.json with Url), e.g. back into a queue.

Updates and removals are idempotent and retried like a dequeue; adding a participant places a call, so
like `create_call` it is retried only after a 429 (after a 5xx or a timeout it may exist already).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from twilio.base.exceptions import TwilioRestException
from twilio.rest.api.v2010.account.conference.participant import ParticipantInstance

from callcenter.telephony.gateway import CallRefused, GatewayError, TwilioGateway

CALLER = "caller"  # the caller's participant label in their call's conference


def room_name(call_sid: str) -> str:
    """The conference of one call (issue 13's bridge): every leg of the call meets there."""
    return f"call-{call_sid}"


def agent_label(agent_id: int) -> str:
    """An agent's participant label in a call's conference (the room's events name her by it)."""
    return f"agent-{agent_id}"


def labelled_agent(label: str | None) -> int | None:
    """The agent id in a label made by `agent_label`, else None."""
    head, _, tail = (label or "").partition("-")
    return int(tail) if head == "agent" and tail.isdigit() and len(tail) <= 9 else None


class ParticipantGone(LookupError):
    """The conference or the participant is not there any more (hung up, or the conference ended)."""


@dataclass(frozen=True)
class NewParticipant:
    """Who to call into a conference, and how they take part."""

    to: str  # client:<identity> or an E.164 number
    from_: str
    label: str  # our name for the leg: "caller", "agent-<id>", "consult", "monitor-<user id>"
    status_callback: str  # the leg's own progress (no-answer, busy, completed…)
    timeout: int = 20
    muted: bool = False
    coach: str | None = None  # CallSid of the participant this one whispers to
    start_on_enter: bool = True
    end_on_exit: bool = False
    room_events: str | None = None  # the conference's events (join, leave, hold…), when this leg creates it


ROOM_EVENTS = ["start", "end", "join", "leave", "hold", "modify"]


@dataclass(frozen=True)
class ParticipantChange:
    """What to change on a participant (None: leave as it is)."""

    hold: bool | None = None
    hold_url: str | None = None
    muted: bool | None = None
    coach: str | None = None  # whisper to this CallSid
    stop_coaching: bool = False  # barge in: heard by everyone
    end_on_exit: bool | None = None


class ConferenceControl(Protocol):
    """The engine's conference operations (Twilio's REST API, or the sandbox in the demo)."""

    def add_participant(self, conference: str, who: NewParticipant) -> str:
        """Call `who` into `conference` (created if needed); returns the new leg's CallSid."""
        ...

    def update_participant(self, conference: str, participant: str, change: ParticipantChange) -> None:
        """Hold, mute, coach or barge one participant (by CallSid or label) of the conference CF…."""
        ...

    def remove_participant(self, conference: str, participant: str) -> None:
        """Take one participant out of the conference (their leg ends)."""
        ...

    def redirect_call(self, call_sid: str, url: str) -> None:
        """Move a live call to the TwiML at `url` (it leaves its conference)."""
        ...


def change_params(change: ParticipantChange) -> dict[str, Any]:
    """The Participants API's update parameters for `change` (only what changes)."""
    params: dict[str, Any] = {}
    if change.hold is not None:
        params["hold"] = change.hold
        if change.hold and change.hold_url:
            params["hold_url"], params["hold_method"] = change.hold_url, "GET"
    if change.muted is not None:
        params["muted"] = change.muted
    if change.coach is not None:
        params["coaching"], params["call_sid_to_coach"] = True, change.coach
    elif change.stop_coaching:
        params["coaching"] = False
    if change.end_on_exit is not None:
        params["end_conference_on_exit"] = change.end_on_exit
    return params


class TwilioConferences:
    """ConferenceControl over Twilio's REST API, through the gateway's breaker and retries."""

    def __init__(self, gateway: TwilioGateway) -> None:
        self.gateway = gateway
        self.client = gateway.client

    def add_participant(self, conference: str, who: NewParticipant) -> str:
        """POST /Conferences/{conference}/Participants.json (a 4xx refusal raises CallRefused)."""
        extra: dict[str, Any] = {"coaching": True, "call_sid_to_coach": who.coach} if who.coach else {}
        if who.room_events:
            extra.update(
                conference_status_callback=who.room_events,
                conference_status_callback_method="POST",
                conference_status_callback_event=ROOM_EVENTS,
            )

        def request() -> ParticipantInstance:
            return self.client.conferences(conference).participants.create(
                from_=who.from_,
                to=who.to,
                label=who.label,
                status_callback=who.status_callback,
                status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                timeout=who.timeout,
                muted=who.muted,
                early_media=True,
                beep="false",
                start_conference_on_enter=who.start_on_enter,
                end_conference_on_exit=who.end_on_exit,
                **extra,
            )

        try:
            participant = self.gateway._send(f"adding {who.label} to {conference}", request)
        except TwilioRestException as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                raise CallRefused(f"Twilio refused the participant: {exc.status}", exc.status, exc.code) from exc
            raise GatewayError(f"Twilio answered {exc.status} (code {exc.code}) adding a participant") from exc
        sid = str(participant.call_sid or "")
        if not sid.startswith("CA"):
            raise GatewayError("Twilio's answer adding a participant has no call SID")
        return sid

    def room_sid(self, conference: str) -> str:
        """The CF… SID of a live conference given its SID or its friendly name (the Participants API's
        updates need the SID): GET /Conferences.json?FriendlyName=…&Status=in-progress."""
        if conference.startswith("CF"):
            return conference
        rooms = self.gateway._send(
            f"finding conference {conference}",
            lambda: list(self.client.conferences.list(friendly_name=conference, status="in-progress", limit=1)),
        )
        if not rooms:
            raise ParticipantGone(f"no live conference {conference}")
        return str(rooms[0].sid)

    def update_participant(self, conference: str, participant: str, change: ParticipantChange) -> None:
        """POST /Conferences/{conference}/Participants/{participant}.json."""
        params = change_params(change)
        room = self.room_sid(conference)
        self.gateway.idempotent(
            f"updating {participant} in {conference}",
            lambda: self.client.conferences(room).participants(participant).update(**params),
            ParticipantGone(f"{participant} is not in {conference}"),
        )

    def remove_participant(self, conference: str, participant: str) -> None:
        """DELETE /Conferences/{conference}/Participants/{participant}.json."""
        room = self.room_sid(conference)
        self.gateway.idempotent(
            f"removing {participant} from {conference}",
            lambda: self.client.conferences(room).participants(participant).delete(),
            ParticipantGone(f"{participant} is not in {conference}"),
        )

    def redirect_call(self, call_sid: str, url: str) -> None:
        """POST /Calls/{CallSid}.json with Url (404: the call is over)."""
        self.gateway.idempotent(
            f"redirecting {call_sid}",
            lambda: self.client.calls(call_sid).update(url=url, method="POST"),
            ParticipantGone(f"{call_sid} is not live"),
        )
