"""The other channels name the public answer base (issue 16): the IVR's waiting message says its address
in words once to a branch-2 caller (callers pay per minute), never to a branch-1 caller; the address is
PUBLIC_BASE_URL + "/answers" (the acknowledgement's side is in tests/test_mail_intake.py)."""

from __future__ import annotations

from callcenter.common.public_links import answers_url
from ivr.prompts import DEFAULT_PROMPTS, PromptCatalog, spoken_address

from .conftest import call_params, new_sid, parse_twiml
from .webhooks_support import enqueue_call

SITE_VI = "hotline chấm example chấm test gạch chéo answers"  # TestConfig's PUBLIC_BASE_URL, in words


def test_the_address_is_said_in_words() -> None:
    assert (
        answers_url({"PUBLIC_BASE_URL": "https://hotline.customs.gov.vn/"}) == "https://hotline.customs.gov.vn/answers"
    )
    assert spoken_address("https://hotline.customs.gov.vn/answers") == (
        "hotline chấm customs chấm gov chấm vn gạch chéo answers"
    )
    assert spoken_address("https://hai-quan.vn/answers", "en") == "hai dash quan dot vn slash answers"
    speech = PromptCatalog().default("queue_answers", "vi", site=SITE_VI)
    assert speech.text == f"Quý khách cũng có thể tra cứu câu trả lời tại trang {SITE_VI}."
    assert len(DEFAULT_PROMPTS["queue_answers"]["vi"]) < 80, "short: the caller pays per minute"


def _says(twilio, sid: str, branch: int, lang: str = "vi") -> list[str]:
    reply = twilio.post(
        f"/ivr/queue/wait?branch={branch}&lang={lang}", call_params(sid, QueuePosition="1", QueueTime="0")
    )
    return [s.text or "" for s in parse_twiml(reply.data).iter("Say")]


def test_a_branch_2_caller_hears_the_answer_page_once(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    first = _says(twilio, sid, 2)
    assert f"Quý khách cũng có thể tra cứu câu trả lời tại trang {SITE_VI}." in first
    assert first.index(f"Quý khách cũng có thể tra cứu câu trả lời tại trang {SITE_VI}.") == len(first) - 1, "last"
    clock.advance(int(app.config["QUEUE_ANNOUNCE_INTERVAL_SECONDS"]) + 1)
    again = _says(twilio, sid, 2)
    assert again and not any("tra cứu" in s for s in again), "said once: the next announcements are short"


def test_a_branch_1_caller_never_hears_it(app, twilio, clock) -> None:
    sid = new_sid()
    assert twilio.post("/ivr/incoming", call_params(sid)).status_code == 200
    twilio.post("/ivr/language", call_params(sid, Digits="1"))
    said = _says(twilio, sid, 1)
    assert said and not any("tra cứu" in s or "answers" in s for s in said)
