"""Webhooks when something fails inside a view or the database: the caller still reaches a queue (or
keeps their path and the music), the call SID is logged but never a caller's number, /healthz reports
the database, and a dropped database connection is retried."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import call_params, new_sid, parse_twiml
from .webhooks_support import enqueue_call, events_of, stored


# -- failures inside a view ------------------------------------------------------------------
def test_database_failure_still_puts_the_caller_in_a_queue(app, twilio, monkeypatch) -> None:
    from callcenter.tickets.calls import CallService

    def broken(self: Any, form: Any) -> Any:
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(CallService, "ensure_call", broken)
    response = twilio.post("/ivr/incoming", call_params(new_sid()))
    assert response.status_code == 200
    root = parse_twiml(response.data)
    assert root.find("Enqueue").text == "hotline-branch-2"
    assert "sự cố" in root.find("Say").text


def test_failure_after_pressing_1_keeps_the_caller_on_the_denunciation_path(app, twilio, monkeypatch) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    from callcenter.tickets.calls import CallService

    monkeypatch.setattr(CallService, "choose_branch", lambda *a, **k: 1 / 0)
    root = parse_twiml(twilio.post("/ivr/menu/choice?attempt=1&lang=vi", call_params(sid, Digits="1")).data)
    assert root.find("Enqueue").text == "hotline-branch-1"
    monkeypatch.undo()
    assert "WEBHOOK_ERROR" in events_of(app, sid), "the failure is on the call's timeline"


def test_failure_in_the_wait_loop_keeps_the_music_playing(app, twilio, monkeypatch) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    from callcenter.queue.estimate import WaitEstimator

    monkeypatch.setattr(WaitEstimator, "estimate_seconds", lambda *a, **k: 1 / 0)
    root = parse_twiml(twilio.post("/ivr/queue/wait?branch=2", call_params(sid, QueuePosition="1")).data)
    assert root.find("Play") is not None and root.find("Hangup") is None


def test_failure_in_the_error_path_logs_the_call_sid(app, twilio, monkeypatch, caplog) -> None:
    from callcenter.tickets.calls import CallService

    sid = new_sid()
    monkeypatch.setattr(CallService, "ensure_call", lambda *a: 1 / 0)
    twilio.post("/ivr/incoming", call_params(sid))
    assert any(sid in r.getMessage() for r in caplog.records)
    assert not any("+84912345678" in r.getMessage() for r in caplog.records), "no caller numbers in logs"


def test_healthz_reports_the_database(app, client, clock) -> None:
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "database": "ok",
        "telephony": "ok",
        "telephony_detail": {"state": "ok"},
    }
    from app import create_app
    from config import TestConfig

    broken = create_app(TestConfig, clock=clock, overrides={"DATABASE_URL": "sqlite:////nonexistent/dir/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_webhook_survives_the_database_dropping_its_connections(app, twilio, database_url) -> None:
    """No pre-ping: a dead pooled connection is invalidated and the webhook retries on a fresh one."""
    from .conftest import kill_backends

    sid = new_sid()
    assert twilio.post("/ivr/incoming", call_params(sid)).status_code == 200
    assert kill_backends(database_url) >= 1
    root = parse_twiml(twilio.post("/ivr/language", call_params(sid, Digits="1")).data)
    assert root.find("Enqueue").text == "hotline-branch-1", "the real answer, not the fallback"
    assert stored(app, sid).branch == 1
    assert "WEBHOOK_ERROR" not in events_of(app, sid)


def test_database_errors_do_not_put_caller_numbers_in_the_logs(app, twilio, monkeypatch, caplog) -> None:
    from sqlalchemy import text

    from callcenter.tickets.store import CallStore

    number = "+84" + "912345678"  # built here so the traceback's source lines do not spell it

    def failing_save(self) -> None:
        self.session.connection().execute(text("SELECT * FROM no_such_table WHERE x = :n"), {"n": number})

    monkeypatch.setattr(CallStore, "save", failing_save)
    response = twilio.post("/ivr/incoming", call_params(new_sid()))
    assert response.status_code == 200 and b"Enqueue" in response.data
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "no_such_table" in logged, "the failure itself is logged"
    assert "+84912345678" not in logged and "84912345678" not in logged
