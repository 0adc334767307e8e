"""Webhooks under the requests Twilio (or someone else) really sends: bad or forged signatures, a TLS
proxy, the signed query string, malformed or oversized requests, odd digits and counters, unknown calls."""

from __future__ import annotations

import pytest

from models import Call, Ticket

from .conftest import call_params, new_sid, parse_twiml
from .webhooks_support import both_databases, count, stored


# -- signatures ------------------------------------------------------------------------------
def test_request_without_signature_is_refused_and_nothing_is_recorded(app, client) -> None:
    response = client.post("/ivr/incoming", data=call_params(new_sid()))
    assert response.status_code == 403
    assert b"X-Twilio-Signature" in response.data
    assert count(app, Call) == 0


def test_request_with_a_forged_signature_is_refused(app, twilio) -> None:
    response = twilio.post("/ivr/incoming", call_params(new_sid()), signature="RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert response.status_code == 403
    assert count(app, Call) == 0


def test_signature_made_for_other_parameters_is_refused(app, twilio) -> None:
    params = call_params(new_sid())
    good = twilio.validator.compute_signature(twilio.base + "/ivr/incoming", params)
    response = twilio.post("/ivr/incoming", {**params, "From": "+84999999999"}, signature=good)
    assert response.status_code == 403


def test_signature_is_checked_against_the_public_url_behind_a_tls_proxy(app, client, twilio) -> None:
    """The app sees http://internal:8000/…; Twilio signed https://hotline.example.test/…."""
    params = call_params(new_sid())
    signature = twilio.validator.compute_signature("https://hotline.example.test/ivr/incoming", params)
    response = client.post(
        "/ivr/incoming", data=params, base_url="http://internal:8000", headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    wrong = twilio.validator.compute_signature("http://internal:8000/ivr/incoming", params)
    response = client.post(
        "/ivr/incoming", data=params, base_url="http://internal:8000", headers={"X-Twilio-Signature": wrong}
    )
    assert response.status_code == 403


def test_query_string_is_part_of_the_signed_url(app, twilio) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    params = call_params(sid, Digits="1")
    signature = twilio.validator.compute_signature(twilio.base + "/ivr/menu/choice?attempt=1&lang=vi", params)
    ok = twilio.client.post(
        "/ivr/menu/choice?attempt=1&lang=vi", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert ok.status_code == 200
    tampered = twilio.client.post(
        "/ivr/menu/choice?attempt=3&lang=vi", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert tampered.status_code == 403


# -- malformed requests ----------------------------------------------------------------------
@pytest.mark.parametrize("call_sid", [None, "", "CA123", "XX" + "0" * 32, "CA" + "g" * 32, "CA" + "0" * 33])
def test_missing_or_malformed_call_sid_gets_a_clear_400(app, twilio, call_sid) -> None:
    params = call_params("x")
    if call_sid is None:
        del params["CallSid"]
    else:
        params["CallSid"] = call_sid
    response = twilio.post("/ivr/incoming", params)
    assert response.status_code == 400
    assert b"CallSid" in response.data
    assert count(app, Call) == 0


def test_oversized_body_is_refused_with_413(app, twilio) -> None:
    params = call_params(new_sid(), Padding="x" * 70_000)
    response = twilio.post("/ivr/incoming", params)
    assert response.status_code == 413
    assert count(app, Call) == 0


@pytest.mark.parametrize("digits", ["", "0", "5", "#", "*", "11", "abc", "１", "\x00", "2" * 500])
def test_garbage_digits_in_the_main_menu_reprompt_without_crashing(app, twilio, digits) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    response = twilio.post("/ivr/menu/choice?attempt=1&lang=vi", call_params(sid, Digits=digits))
    assert response.status_code == 200
    root = parse_twiml(response.data)
    if digits[:1] in ("1", "2"):
        return  # "11" and "2…" are read by their first key
    gather = root.find("Gather")
    assert gather is not None and "attempt=2" in gather.get("action", "")


@pytest.mark.parametrize("attempt", ["abc", "-5", "0", "99999999999999999999"])
def test_odd_attempt_counters_in_the_url_are_harmless(app, twilio, attempt) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    response = twilio.post(f"/ivr/menu/choice?attempt={attempt}", call_params(sid, Digits="8"))
    assert response.status_code == 200
    parse_twiml(response.data)


@both_databases
def test_unknown_call_sid_on_a_status_callback_is_put_on_record_once(app, twilio) -> None:
    """A call we never saw (its first webhook failed before reaching us) is still counted."""
    sid = new_sid()
    for _ in range(2):
        response = twilio.post(
            "/ivr/status", call_params(sid, CallStatus="completed", CallDuration="7", SequenceNumber="0")
        )
        assert response.status_code == 200
    call = stored(app, sid)
    assert call.outcome == "ivr_abandoned"
    assert count(app, Call) == 1 and count(app, Ticket) == 1
