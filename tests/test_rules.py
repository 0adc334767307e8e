"""Unit tests of the rules, with expected values worked out by hand."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from callcenter.common.numbers import is_hotline_number, parse_number
from callcenter.queue.estimate import estimate_from_rate
from config import PRODUCTION_SECRETS, ProductionConfig, TestConfig, env_bool, load_config
from ivr.menu import ProblemGroup, Step, decide_branch, decide_group, parse_attempt

# -- Twilio's published signature test vector (twilio-python's own unit tests) ----------------
VECTOR_TOKEN = "12345"
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_published_signature_vector() -> None:
    validator = RequestValidator(VECTOR_TOKEN)
    url, params = VECTOR_URL, VECTOR_PARAMS
    assert validator.compute_signature(url, params) == VECTOR_SIGNATURE
    assert validator.validate(url, params, VECTOR_SIGNATURE)
    assert not validator.validate(url, {**params, "Digits": "1235"}, VECTOR_SIGNATURE)


def test_our_signature_check_accepts_the_published_vector() -> None:
    """Our Flask-side check (public URL + form) agrees with Twilio's vector."""
    from flask import Flask, request

    from ivr.security import has_valid_signature

    app = Flask(__name__)
    params = VECTOR_PARAMS
    with app.test_request_context(
        "/myapp.php?foo=1&bar=2",
        method="POST",
        data=params,
        base_url="http://10.0.0.5:8080",
        headers={"X-Twilio-Signature": VECTOR_SIGNATURE},
    ):
        assert has_valid_signature(request, "12345", "https://mycompany.com")
        assert not has_valid_signature(request, "54321", "https://mycompany.com")
        assert not has_valid_signature(request, "12345", "https://evil.example")


# -- phone numbers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, e164, kind",
    [
        ("+84912345678", "+84912345678", "number"),
        ("84912345678", "+84912345678", "number"),
        ("0912 345 678", "+84912345678", "number"),
        ("0912-345-678", "+84912345678", "number"),
        ("912345678", "+84912345678", "number"),
        ("024 3944 0833", "+842439440833", "number"),
        ("(024) 39440833", "+842439440833", "number"),
        ("19009299", "+8419009299", "number"),
        ("sip:0912345678@trunk.example.vn", "+84912345678", "number"),
        ("+1 415 867 5309", "+14158675309", "number"),
        ("anonymous", None, "withheld"),
        ("Restricted", None, "withheld"),
        ("+266696687", None, "withheld"),
        ("", None, "withheld"),
        (None, None, "withheld"),
        ("client:agent_1", None, "client"),
        ("not a number", None, "unparseable"),
        ("84", None, "unparseable"),
    ],
)
def test_numbers_are_normalised_to_e164_with_region_vn(raw, e164, kind) -> None:
    parsed = parse_number(raw)
    assert (parsed.e164, parsed.kind) == (e164, kind)


def test_hotline_number_is_recognised_in_any_format() -> None:
    for dialled in ("19009299", "+8419009299", "8419009299", "1900 9299"):
        assert is_hotline_number(dialled, ["19009299"])
    assert not is_hotline_number("+84912345678", ["19009299"])
    assert not is_hotline_number("anonymous", ["19009299"])


def test_premium_rate_hotline_is_typed_as_such() -> None:
    assert parse_number("19009299").number_type == "premium_rate"


# -- menu rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("digits, expected", [("1", 1), ("2", 2), ("2#", 2), ("12", 1)])
def test_branch_keys(digits, expected) -> None:
    decision = decide_branch(digits, 1, 3)
    assert decision.step is Step.ROUTE and decision.value == expected


@pytest.mark.parametrize("digits, reason", [(None, "timeout"), ("", "timeout"), ("3", "invalid"), ("*", "invalid")])
def test_wrong_key_or_silence_retries_until_the_last_attempt(digits, reason) -> None:
    assert decide_branch(digits, 1, 3).step is Step.RETRY
    assert decide_branch(digits, 2, 3).step is Step.RETRY
    last = decide_branch(digits, 3, 3)
    assert last.step is Step.FALLBACK and last.reason == reason


def test_group_menu_falls_back_to_other() -> None:
    assert decide_group("3", 1, 3).value is ProblemGroup.SINGLE_WINDOW
    assert decide_group("9", 3, 3).value is ProblemGroup.OTHER
    assert decide_group(None, 3, 3).step is Step.FALLBACK


@pytest.mark.parametrize("raw, expected", [(None, 1), ("", 1), ("2", 2), ("x", 1), ("-4", 1), ("1000", 99)])
def test_attempt_counter_is_clamped(raw, expected) -> None:
    assert parse_attempt(raw) == expected


# -- estimated wait --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "position, answered, expected_minutes",
    [
        (1, 12, 10),  # 12 answered in 120 min: one every 10 min
        (3, 6, 60),  # one every 20 min, third in line
        (2, 7, 35),  # 2 × 120 / 7 = 34.3 → rounded up to 35
        (1, 120, 1),  # one a minute
    ],
)
def test_estimate_is_position_times_window_over_answered(position, answered, expected_minutes) -> None:
    assert estimate_from_rate(position, answered, window_minutes=120, min_samples=3) == expected_minutes * 60


def test_no_estimate_without_enough_recent_history() -> None:
    assert estimate_from_rate(1, 2, window_minutes=120, min_samples=3) is None
    assert estimate_from_rate(1, 0, window_minutes=120, min_samples=0) is None


# -- configuration ---------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)])
def test_env_bool(monkeypatch, raw, expected) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_env_bool_rejects_ambiguous_values(monkeypatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ValueError):
        env_bool("SOME_FLAG", False)


def test_production_refuses_to_start_without_secrets(monkeypatch) -> None:
    for name in PRODUCTION_SECRETS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="DATA_KEYS.*TWILIO_AUTH_TOKEN"):
        load_config("production")


def test_production_refuses_the_sandbox(monkeypatch) -> None:
    for name in PRODUCTION_SECRETS:
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("SANDBOX_ENABLED", "1")
    with pytest.raises(RuntimeError, match="sandbox"):
        ProductionConfig.check()


def test_app_factory_never_mounts_the_sandbox_in_production(tmp_path) -> None:
    from app import create_app

    with pytest.raises(RuntimeError, match="sandbox"):
        create_app(ProductionConfig, overrides={"SANDBOX_ENABLED": True, "DATABASE_URL": "sqlite://"})
    with pytest.raises(RuntimeError, match="DATA_KEYS"):
        create_app(ProductionConfig, overrides={"DATABASE_URL": "sqlite://", "TWILIO_AUTH_TOKEN": "t"})
    app = create_app(
        ProductionConfig,
        overrides={"DATABASE_URL": "sqlite://", "TWILIO_AUTH_TOKEN": "t", "DATA_KEYS": TestConfig.DATA_KEYS},
    )
    assert app.test_client().get("/sandbox/").status_code == 404
