"""The sandbox engine's <Record>, against the tiny app of sandbox_support.py: finished by a key, by
hanging up or at maxLength, any key by default, the action and the recording callback, and the WAV.
"""

from __future__ import annotations

import io
import wave
from datetime import timedelta
from email.utils import format_datetime

from twilio.twiml.voice_response import VoiceResponse

from .sandbox_support import ACCOUNT, BASE, CALLER, HOTLINE, advance, heard, inbound, say, status_params, twiml, url


# -- <Record> -----------------------------------------------------------------------------------
def voicemail() -> VoiceResponse:
    def build(r: VoiceResponse) -> None:
        r.say("Leave a message")  # 15 characters: 1 s
        r.record(
            action=url("recorded"),
            max_length=60,
            finish_on_key="#",
            recording_status_callback=url("recording-status"),
        )
        r.say("Never reached")

    return twiml(build)


def test_record_finished_with_hash_posts_the_recording_and_serves_a_wav(hotline, switch, clock) -> None:
    hotline.on("/voice", voicemail())
    hotline.on("/hook/recorded", say("Thank you", hangup=True))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 1)
    assert heard(call, "beep") == ["beep"]
    assert call.state(clock.now())["recording"] == {"finish_on_key": "#", "seconds": 0}
    advance(switch, clock, 3)
    switch.press(call.call_sid, "5")  # not a finish key: just sound on the recording
    advance(switch, clock, 4)
    assert call.record is not None and not hotline.posts("/hook/recorded")

    switch.press(call.call_sid, "#")  # 7 s of recording

    [posted] = hotline.posts("/hook/recorded")
    sid, recording_url = posted["RecordingSid"], posted["RecordingUrl"]
    assert sid.startswith("RE") and len(sid) == 34
    assert recording_url == f"{BASE}/sandbox/recordings/{sid}"
    assert posted == inbound(call, RecordingUrl=recording_url, RecordingSid=sid, RecordingDuration="7", Digits="#")
    assert hotline.posts("/hook/recording-status") == [
        {
            "AccountSid": ACCOUNT,
            "CallSid": call.call_sid,
            "RecordingSid": sid,
            "RecordingUrl": recording_url,
            "RecordingStatus": "completed",
            "RecordingDuration": "7",
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
            "RecordingStartTime": format_datetime(call.started_at + timedelta(seconds=1)),
        }
    ]
    assert hotline.paths()[-2:] == ["/hook/recorded", "/hook/recording-status"]
    assert heard(call, "say") == ["Leave a message", "Thank you"], "the verbs after <Record> are not reached"
    advance(switch, clock, 2)
    assert call.ended and hotline.paths()[-1] == "/status"

    client = hotline.app.test_client()
    for path in (recording_url[len(BASE) :], recording_url[len(BASE) :] + ".wav"):
        reply = client.get(path)
        assert reply.status_code == 200 and reply.mimetype == "audio/wav"
        with wave.open(io.BytesIO(reply.data)) as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
            assert wav.getnframes() == 7 * 8000
    assert client.get("/sandbox/recordings/RE" + "0" * 32 + ".wav").status_code == 404
    assert client.get("/sandbox/recordings/nonsense.wav").get_json()["error"] == "not_found"


def test_record_ended_by_hanging_up_posts_digits_hangup_then_the_status_callback(hotline, switch, clock) -> None:
    hotline.on("/voice", voicemail())
    hotline.on("/hook/recorded", say("This must not be played"))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 5)  # 4 s of recording

    switch.hang_up(call.call_sid)

    [posted] = hotline.posts("/hook/recorded")
    sid = posted["RecordingSid"]
    assert posted == inbound(
        call,
        CallStatus="completed",
        RecordingUrl=f"{BASE}/sandbox/recordings/{sid}",
        RecordingSid=sid,
        RecordingDuration="4",
        Digits="hangup",
    )
    assert hotline.paths()[-3:] == ["/hook/recorded", "/hook/recording-status", "/status"]
    assert hotline.posts("/status") == [status_params(call, inbound(call), "completed", 5)]
    assert switch.recording(sid) is not None and switch.recording(sid).duration == 4


def test_record_stops_at_max_length(hotline, switch, clock) -> None:
    hotline.on("/voice", twiml(lambda r: r.record(action=url("recorded"), max_length=10, play_beep=False)))
    hotline.on("/hook/recorded", say("Thank you", hangup=True))
    call = switch.dial(CALLER, HOTLINE)
    assert heard(call, "beep") == []
    advance(switch, clock, 15)
    [posted] = hotline.posts("/hook/recorded")
    assert posted["RecordingDuration"] == "10" and "Digits" not in posted
    assert call.ended


def test_record_accepts_any_key_by_default_and_skips_the_action_when_nothing_was_recorded(
    hotline, switch, clock
) -> None:
    def build(r: VoiceResponse) -> None:
        r.record(action=url("recorded"))
        r.say("Nothing recorded")

    hotline.on("/voice", twiml(build))
    call = switch.dial(CALLER, HOTLINE)
    switch.press(call.call_sid, "1")  # at once: an empty recording
    assert hotline.posts("/hook/recorded") == [] and heard(call, "say") == ["Nothing recorded"]

    second = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 3)
    switch.press(second.call_sid, "*")
    assert hotline.posts("/hook/recorded")[0]["Digits"] == "*"
