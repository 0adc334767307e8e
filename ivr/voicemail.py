"""Voicemail: the caller records a message; the recording's link lands on the call's ticket."""

from __future__ import annotations

from flask import current_app
from twilio.twiml.voice_response import VoiceResponse

from callcenter.common.inputs import bounded_int
from models import EventKind, TicketOutcome

from . import twiml
from .routes import bp, fallback_empty, hook_url
from .webhook import Webhook, twilio_webhook


def record_voicemail(hook: Webhook) -> VoiceResponse:
    """After <Leave> for a voicemail: the instructions and <Record>."""
    return twiml.record_message(
        [hook.speech("voicemail_intro")],
        hook.voices,
        hook_url("ivr.voicemail_saved", lang=hook.language),
        hook_url("ivr.voicemail_recording"),
        int(current_app.config["VOICEMAIL_MAX_SECONDS"]),
    )


def _save_recording(hook: Webhook) -> bool:
    """Put the recording on the call's ticket, once (the action and the status callback both carry it).

    Through the call store, so a recording that is the first we hear of a call (its earlier webhooks
    never reached us) is kept with the call this request puts on record. Its ticket gets the outcome
    "voicemail", still open, unless it has one already: someone has to listen to the message.
    """
    assert hook.call is not None
    sid = (hook.form.get("RecordingSid") or "").strip()
    url = (hook.form.get("RecordingUrl") or "").strip()
    if not sid or not url.startswith(("https://", "http://")):
        return False
    seconds = bounded_int(hook.form.get("RecordingDuration"))  # None: Twilio did not say (or said nonsense)
    if not hook.calls.add_event(hook.call, EventKind.VOICEMAIL, dedupe_key=f"voicemail-{sid}"[:64], seconds=seconds):
        return False
    hook.calls.store.ticket(hook.call, recording_sid=sid, recording_url=url, recording_seconds=seconds)
    hook.calls.store.close_ticket_once(hook.call, TicketOutcome.VOICEMAIL, None, None)
    return True


@bp.post("/voicemail/saved")
@twilio_webhook(fallback_empty)
def voicemail_saved(hook: Webhook) -> VoiceResponse:
    """<Record> action: keep the link on the ticket, thank the caller."""
    _save_recording(hook)
    if not hook.form.get("RecordingUrl") or not bounded_int(hook.form.get("RecordingDuration")):
        assert hook.call is not None  # nothing recorded: say so on the ticket (the outcome is final)
        hook.calls.store.ticket(hook.call, notes="The caller left no message (hung up before or at the beep).")
    if (hook.form.get("Digits") or "") == "hangup":
        return twiml.empty()
    return twiml.say_and_hangup([hook.speech("voicemail_saved")], hook.voices)


@bp.post("/voicemail/recording")
@twilio_webhook(fallback_empty)
def voicemail_recording(hook: Webhook) -> VoiceResponse:
    """recordingStatusCallback: the same link, in case the action was lost."""
    if (hook.form.get("RecordingStatus") or "completed") == "completed":
        _save_recording(hook)
    return twiml.empty()
