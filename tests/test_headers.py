"""Security headers on every response (issue 11, "Pages"): CSP without inline script and no framing,
nosniff, no referrer, HSTS in production over https, no caching of pages, JSON or TwiML."""

from __future__ import annotations

import pytest

from app import create_app
from config import ProductionConfig, TestConfig

from .conftest import call_params, new_sid


def csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize(
    "path", ["/login", "/supervisor/", "/agent/", "/api/wallboard", "/healthz", "/sandbox/", "/nowhere"]
)
def test_every_response_carries_the_security_headers(client, path) -> None:
    response = client.get(path)
    policy = csp(response)
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"
    assert policy["object-src"] == "'none'" and policy["form-action"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers, "not outside production"


def test_twiml_is_not_cached(twilio) -> None:
    response = twilio.post("/ivr/incoming", call_params(new_sid()))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client) -> None:
    response = client.get("/static/app/app.css")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")


def test_production_sends_hsts_over_https_and_a_secure_session_cookie(database_url, clock) -> None:
    app = create_app(
        ProductionConfig,
        clock=clock,
        overrides={
            "DATABASE_URL": database_url,
            "DATA_KEYS": TestConfig.DATA_KEYS,
            "SECRET_KEY": "x" * 32,
            "TWILIO_ACCOUNT_SID": TestConfig.TWILIO_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": "t",
            "PUBLIC_BASE_URL": "https://hotline.example.test",
        },
    )
    response = app.test_client().get("/login", base_url="https://hotline.example.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31556926")
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    app.extensions["db"].engine.dispose()
