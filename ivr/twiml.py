"""Pure TwiML builders: data in, `VoiceResponse` out. No database, no request, no clock.

Every builder ends in a verb that keeps the caller on a path to a person (a Redirect back into the
flow, or an Enqueue), except the explicit goodbye ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from .prompts import Speech


@dataclass(frozen=True)
class Voices:
    """Which TTS voice speaks each language."""

    vi: str
    en: str

    def for_language(self, language: str) -> tuple[str, str]:
        """(voice, BCP-47 language) for a prompt language."""
        if language == "en":
            return self.en, "en-US"
        return self.vi, "vi-VN"


def _speak(parent: VoiceResponse | Gather, speech: Speech, voices: Voices) -> None:
    if speech.audio_url:
        parent.play(speech.audio_url)
    else:
        voice, language = voices.for_language(speech.language)
        parent.say(speech.text, voice=voice, language=language)


def gather_prompt(
    speeches: Iterable[Speech], voices: Voices, action_url: str, no_input_url: str, timeout: int
) -> VoiceResponse:
    """Speak inside a one-key <Gather> (keys interrupt the prompt); with no key, Redirect on."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=action_url, method="POST", timeout=timeout)
    for speech in speeches:
        _speak(gather, speech, voices)
    response.append(gather)
    response.redirect(no_input_url, method="POST")
    return response


def enqueue(
    speeches: Iterable[Speech],
    voices: Voices,
    queue_name: str,
    action_url: str,
    wait_url: str,
    max_size: int | None = None,
) -> VoiceResponse:
    """Tell the caller where they are going, then put them in the named queue."""
    response = VoiceResponse()
    for speech in speeches:
        _speak(response, speech, voices)
    response.enqueue(
        queue_name,
        action=action_url,
        method="POST",
        wait_url=wait_url,
        wait_url_method="POST",
        max_queue_size=max_size,
    )
    return response


def queue_wait(
    speeches: Iterable[Speech], voices: Voices, hold_music_url: str, options_action: str | None = None
) -> VoiceResponse:
    """One turn of the wait loop: any announcements, then hold music (Twilio then asks again).

    With `options_action`, all of it is inside a one-key <Gather> (allowed in a waitUrl document):
    a key at any moment of the wait goes there while the caller keeps their place in the queue.
    """
    response = VoiceResponse()
    parent: VoiceResponse | Gather = response
    if options_action:
        parent = Gather(num_digits=1, action=options_action, method="POST", timeout=1)
        response.append(parent)
    for speech in speeches:
        _speak(parent, speech, voices)
    parent.play(hold_music_url)
    return response


def gather_keys(
    speeches: Iterable[Speech], voices: Voices, action_url: str, timeout: int, *, number: bool = False
) -> VoiceResponse:
    """Ask for one key, or with `number` for digits ended by #; with no key the document ends (in a
    wait loop that means back to waiting, place kept)."""
    response = VoiceResponse()
    if number:
        gather = Gather(action=action_url, method="POST", timeout=timeout, finish_on_key="#")
    else:
        gather = Gather(num_digits=1, action=action_url, method="POST", timeout=timeout)
    for speech in speeches:
        _speak(gather, speech, voices)
    response.append(gather)
    return response


def speak_and_leave(speeches: Iterable[Speech], voices: Voices) -> VoiceResponse:
    """Speak, then <Leave> the queue (the <Enqueue> action decides what comes next)."""
    response = speak(speeches, voices)
    response.leave()
    return response


def record_message(
    speeches: Iterable[Speech], voices: Voices, action_url: str, status_url: str, max_seconds: int
) -> VoiceResponse:
    """Voicemail: the instructions, a beep, then record until # (or the limit)."""
    response = VoiceResponse()
    for speech in speeches:
        _speak(response, speech, voices)
    response.record(
        action=action_url,
        method="POST",
        max_length=max_seconds,
        finish_on_key="#",
        play_beep=True,
        recording_status_callback=status_url,
        recording_status_callback_method="POST",
    )
    return response


def dial_number(
    speeches: Iterable[Speech],
    voices: Voices,
    number: str,
    caller_id: str,
    ring_seconds: int,
    action_url: str,
    answered_url: str,
) -> VoiceResponse:
    """The agent's leg of a callback: tell the agent, then dial the caller (`answered_url` greets them)."""
    response = VoiceResponse()
    for speech in speeches:
        _speak(response, speech, voices)
    dial = Dial(caller_id=caller_id, timeout=ring_seconds, action=action_url, method="POST")
    dial.number(number, url=answered_url, method="POST")
    response.append(dial)
    return response


def dial_agent(
    identity: str, ring_seconds: int, action_url: str, answered_url: str, caller_id: str | None = None
) -> VoiceResponse:
    """Ring one agent's softphone; `answered_url` runs for the agent on pick-up, before the bridge.

    `caller_id` replaces the caller's number on the agent's side (the browser receives it as `From`).
    """
    response = VoiceResponse()
    dial = response.dial(timeout=ring_seconds, action=action_url, method="POST", caller_id=caller_id)
    dial.client(identity, url=answered_url, method="POST")
    return response


@dataclass(frozen=True)
class ConferenceSeat:
    """How one leg sits in a call's conference (issue 13: one conference per call)."""

    room: str  # the conference's friendly name: "call-<caller's CallSid>"
    label: str  # "caller", "agent", …: the participant label the desk addresses
    status_callback: str  # conference events (join, leave, hold, end) for this call
    start_on_enter: bool = True  # False: wait with `wait_url` until someone who starts it joins
    end_on_exit: bool = False  # True for the caller: when the caller leaves, the conference ends
    wait_url: str | None = None  # music while waiting for the conference to start
    muted: bool = False
    coach: str | None = None  # CallSid this leg whispers to (a supervisor's whisper)


def join_conference(seat: ConferenceSeat, action_url: str | None = None) -> VoiceResponse:
    """<Dial><Conference> into the call's room; `action_url` runs when this leg leaves it."""
    response = VoiceResponse()
    dial = response.dial(action=action_url, method="POST") if action_url else response.dial()
    dial.conference(
        seat.room,
        beep=False,
        start_conference_on_enter=seat.start_on_enter,
        end_conference_on_exit=seat.end_on_exit,
        wait_url=seat.wait_url or "",
        wait_method="GET",
        muted=seat.muted or None,
        coach=seat.coach,
        participant_label=seat.label,
        status_callback=seat.status_callback,
        status_callback_method="POST",
        status_callback_event="start end join leave hold modify",
    )
    return response


def speak(speeches: Iterable[Speech], voices: Voices) -> VoiceResponse:
    """Just speak (e.g. to a dequeued caller before Twilio bridges them to the agent)."""
    response = VoiceResponse()
    for speech in speeches:
        _speak(response, speech, voices)
    return response


def say_and_hangup(speeches: Iterable[Speech], voices: Voices) -> VoiceResponse:
    """Speak, then end the call."""
    response = speak(speeches, voices)
    response.hangup()
    return response


def redirect(url: str) -> VoiceResponse:
    """Fetch the next TwiML from `url`."""
    response = VoiceResponse()
    response.redirect(url, method="POST")
    return response


def empty() -> VoiceResponse:
    """An empty <Response/>: the answer to callbacks whose caller is already gone."""
    return VoiceResponse()
