"""The pure TwiML builders, asserted on parsed XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ivr import twiml
from ivr.prompts import DEFAULT_PROMPTS, PromptCatalog, Speech, placeholders

VOICES = twiml.Voices(vi="Google.vi-VN-Standard-A", en="Google.en-US-Standard-C")


def parse(response: object) -> ET.Element:
    root = ET.fromstring(str(response))
    assert root.tag == "Response"
    return root


def test_gather_prompt_speaks_inside_the_gather_and_redirects_on_silence() -> None:
    root = parse(
        twiml.gather_prompt(
            [Speech("Xin chào", "vi"), Speech("For English, press 9.", "en")],
            VOICES,
            "https://h.test/ivr/language",
            "https://h.test/ivr/announcement",
            2,
        )
    )
    gather, redirect = list(root)
    assert gather.tag == "Gather" and redirect.tag == "Redirect"
    assert gather.attrib == {
        "numDigits": "1",
        "action": "https://h.test/ivr/language",
        "method": "POST",
        "timeout": "2",
    }
    says = gather.findall("Say")
    assert [(s.get("voice"), s.get("language"), s.text) for s in says] == [
        ("Google.vi-VN-Standard-A", "vi-VN", "Xin chào"),
        ("Google.en-US-Standard-C", "en-US", "For English, press 9."),
    ]
    assert redirect.text == "https://h.test/ivr/announcement" and redirect.get("method") == "POST"


def test_recorded_prompt_is_played_instead_of_spoken() -> None:
    root = parse(twiml.say_and_hangup([Speech("ignored", "vi", audio_url="https://cdn.test/greeting.mp3")], VOICES))
    assert root.find("Play").text == "https://cdn.test/greeting.mp3"
    assert root.find("Say") is None and root.find("Hangup") is not None


def test_enqueue_names_the_queue_with_wait_and_action_urls() -> None:
    root = parse(
        twiml.enqueue(
            [Speech("Đang kết nối", "vi")],
            VOICES,
            "hotline-branch-2",
            "https://h.test/exit",
            "https://h.test/wait",
            1000,
        )
    )
    enqueue = root.find("Enqueue")
    assert enqueue.text == "hotline-branch-2"
    assert enqueue.get("action") == "https://h.test/exit" and enqueue.get("waitUrl") == "https://h.test/wait"
    assert enqueue.get("waitUrlMethod") == "POST" and enqueue.get("maxQueueSize") == "1000"
    assert [c.tag for c in root] == ["Say", "Enqueue"]


def test_wait_turn_only_uses_verbs_twilio_allows_in_a_wait_url() -> None:
    root = parse(twiml.queue_wait([Speech("Vị trí số 2", "vi")], VOICES, "https://music.test/hold.mp3"))
    assert {c.tag for c in root} <= {"Play", "Say", "Pause", "Hangup", "Redirect", "Leave", "Gather"}
    assert root[-1].tag == "Play"


def test_every_prompt_exists_in_both_languages_with_the_same_placeholders() -> None:
    for key, texts in DEFAULT_PROMPTS.items():
        assert set(texts) == {"vi", "en"}, key
        assert placeholders(texts["vi"]) == placeholders(texts["en"]), key


def test_catalog_formats_placeholders_and_falls_back_to_vietnamese() -> None:
    catalog = PromptCatalog(cache_seconds=0)
    assert catalog.default("queue_position", "vi", position=3).text == "Quý khách đang ở vị trí số 3 trong hàng chờ."
    assert catalog.default("queue_position", "xx", position=3).language == "vi"
