"""Input at the boundary (issue 10, part 4), the parsers on their own: the sanitiser and the form
parser bound every field and read only whole numbers in range, and the parsers the API shares bound
days, times and ids so that arithmetic never overflows and a bad id is a 400."""

from __future__ import annotations

import pytest

from models import Call

from .boundary_support import HUGE


# -- the sanitiser and the parser, alone -------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("7", 7),
        (" 42 ", 42),
        ("+3", 3),
        ("0", 0),
        ("999999", 999_999),
        ("1000000", None),
        ("-5", None),
        (HUGE, None),
        ("9" * 5000, None),
        ("", None),
        (None, None),
        ("1e3", None),
        ("1.0", None),
        ("1_000", None),
        ("٣", None),
        ("１", None),
        ("0x10", None),
        ("nope", None),
        ("1\x00", None),
        (True, None),
        (12, 12),
    ],
)
def test_bounded_int_reads_ascii_whole_numbers_in_range_and_nothing_else(raw, expected) -> None:
    from callcenter.common.inputs import bounded_int

    assert bounded_int(raw) == expected


def test_bounded_ids_fit_an_integer_column() -> None:
    from callcenter.common.inputs import MAX_ID, bounded_id

    assert [bounded_id(v) for v in ("1", str(MAX_ID), str(MAX_ID + 1), "0", "-1", HUGE)] == [1, MAX_ID] + [None] * 4


def test_clean_form_strips_nul_bounds_every_field_and_keeps_numbers_whole() -> None:
    from ivr.webhook import clean_form

    form = clean_form(
        {
            "CallSid": "CA" + "a" * 32,
            "AccountSid": "AC" + "0" * 32 + "\x00",
            "QueueSid": "QU" + "f" * 63,
            "RecordingUrl": "https://x.test/" + "r" * 490,
            "RecordingSid": "RE\x00" + "1" * 32,
            "From": "+84\x00912345678",
            "To": "+84" + "1" * 100,
            "Digits": "1\x00" + "2" * 1000,
            "CallStatus": "\x00completed",
            "CallDuration": "-5",
            "QueueTime": " 30 ",
            "QueuePosition": HUGE,
            "RecordingDuration": "1\x002",
            "SequenceNumber": "٣",
        }
    )
    assert form == {
        "CallSid": "CA" + "a" * 32,
        "AccountSid": "AC" + "0" * 32,
        "RecordingSid": "RE" + "1" * 32,
        "From": "+84912345678",
        "To": ("+84" + "1" * 100)[:64],
        "Digits": ("1" + "2" * 1000)[:256],
        "CallStatus": "completed",
        "QueueTime": "30",
        "RecordingDuration": "12",
    }, "a SID or URL too long for its column is dropped, never cut; odd numbers are unknown"


def test_the_raw_from_is_bounded_in_bytes_so_its_token_fits_the_column() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ivr.webhook import clean_form
    from models.crypto import DataCipher, max_plaintext_bytes, token_chars

    cipher = DataCipher(["Oq8wW1kzmHm8s0tQm1l3H8oC2uKx1cE3Vq9w5mKq9Xk="])
    column = Call.__table__.c.from_raw.type.length
    assert max_plaintext_bytes(column) == 127
    for n in (0, 15, 16, 127, 128, 300):  # the arithmetic is Fernet's own
        assert len(cipher.encrypt("a" * n)) == token_chars(n)

    @settings(max_examples=300, deadline=None)
    @given(st.text(min_size=0, max_size=200))
    def fits(caller: str) -> None:
        kept = clean_form({"From": caller})["From"]
        assert caller.replace("\x00", "").startswith(kept)
        assert len(cipher.encrypt(kept)) <= column

    fits()


# -- the parsers the API shares ---------------------------------------------------------------------
def test_days_and_times_are_bounded_so_arithmetic_never_overflows() -> None:
    from callcenter.common.inputs import agent_reference, bounded_day, bounded_time

    assert bounded_day("2026-11-23").isoformat() == "2026-11-23"
    assert [bounded_day(v) for v in ("9999-12-31", "0001-01-01", "2026-02-30", "x" * 5000, None, "")] == [None] * 6
    assert bounded_time("2026-11-24T07:00+07:00").isoformat() == "2026-11-24T07:00:00+07:00"
    assert [bounded_time(v) for v in ("2026-11-24T07:00", "9999-12-31T23:59+14:00", "nope", None)] == [None] * 4
    assert [agent_reference(v) for v in (" agent3 ", 3, "3")] == ["agent3", "3", "3"]
    assert [agent_reference(v) for v in (True, None, [], "", "x" * 65, 10**30, "2147483648", 1.5)] == [None] * 8


@pytest.mark.parametrize("ident", ["99999999999999999999", "2147483648", "nope", "-1", "0", "1.5"])
def test_an_id_that_is_not_one_in_an_api_address_is_a_400_with_the_json_shape(client, make_user, ident) -> None:
    headers = make_user("supervisor")
    response = client.get(f"/api/tickets/{ident}", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_input" and "2147483647" in response.get_json()["message"]
    assert client.get("/api/tickets/2147483647", headers=headers).status_code == 404, "in range: not found"
