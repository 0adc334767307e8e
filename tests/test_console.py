"""The demo's console: werkzeug's access log keeps errors and ordinary requests but not the pages'
successful polls (callcenter/ops/console.py), and the short summary printed once the server listens."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import requests

from callcenter.ops.console import ANSI, QuietPolls, is_quiet_poll, quiet_polls
from callcenter.ops.demo import prepare_demo, ready_lines
from models import db

from .test_browser import serve_app


def access_record(line: str, status: str, level: int = logging.INFO) -> logging.LogRecord:
    """A record as werkzeug's request handler logs it: '<address> - - [<date>] "%s" %s %s'."""
    message = '127.0.0.1 - - [03/Dec/2026 10:00:00] "%s" %s %s\n'
    return logging.LogRecord("werkzeug", level, __file__, 1, message, (line, status, "-"), None)


@pytest.mark.parametrize(
    ("line", "status", "quiet"),
    [
        ("GET /api/wallboard HTTP/1.1", "200", True),
        ("GET /agent/api/state HTTP/1.1", "200", True),
        ("POST /agent/api/presence HTTP/1.1", "200", True),
        ("GET /agent/api/sandbox/calls HTTP/1.1", "200", True),
        ("GET /supervisor/api/sandbox/calls HTTP/1.1", "200", True),
        ("GET /api/people/agents HTTP/1.1", "200", True),
        ("GET /sandbox/api/calls/CA0123 HTTP/1.1", "200", True),
        ("GET /sandbox/api/phones/+84912345678/calls HTTP/1.1", "200", True),
        ("\x1b[36mGET /api/wallboard HTTP/1.1\x1b[0m", "304", True),  # coloured on a terminal
        ("GET /api/wallboard?x=1 HTTP/1.1", "200", True),
        ("GET /api/wallboard HTTP/1.1", "401", False),  # a failing poll is news
        ("\x1b[1m\x1b[31mGET /agent/api/state HTTP/1.1\x1b[0m", "403", False),
        ("GET /sandbox/api/calls/CA0123 HTTP/1.1", "404", False),
        ("GET /api/wallboard HTTP/1.1", "500", False),
        ("POST /agent/api/presence HTTP/1.1", "400", False),
        ("GET /agent/api/presence HTTP/1.1", "405", False),
        ("POST /sandbox/api/calls/CA0123/keys HTTP/1.1", "200", False),  # a key press, not a poll
        ("POST /sandbox/api/calls HTTP/1.1", "201", False),  # dialling
        ("GET /supervisor/ HTTP/1.1", "200", False),  # a page
        ("GET /api/reports/agents?from=2026-12-01&format=csv HTTP/1.1", "200", False),
        ("GET /api/wallboard/extra HTTP/1.1", "200", False),
        ("GET /sandbox/api/calls/CA0123/x HTTP/1.1", "200", False),
        ("garbage", "400", False),
    ],
)
def test_which_access_lines_are_dropped(line: str, status: str, quiet: bool) -> None:
    assert is_quiet_poll(line, status) is quiet
    assert QuietPolls().filter(access_record(line, status)) is not quiet


def test_other_werkzeug_lines_pass() -> None:
    keep = QuietPolls()
    banner = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, " * Running on %s", ("http://x",), None)
    assert keep.filter(banner)
    assert keep.filter(access_record("GET /api/wallboard HTTP/1.1", "200", logging.WARNING)), "not an INFO line"
    failed = logging.LogRecord("werkzeug", logging.ERROR, __file__, 1, "Error on request:", None, None)
    assert keep.filter(failed)


@pytest.fixture
def werkzeug_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("werkzeug")
    before = list(logger.filters)
    yield logger
    logger.filters[:] = before


def test_a_live_server_logs_pages_and_errors_but_not_successful_polls(
    database_url, werkzeug_logger, caplog, make_user
) -> None:
    quiet = quiet_polls(werkzeug_logger)
    assert quiet_polls(werkzeug_logger) is quiet and werkzeug_logger.filters.count(quiet) == 1, "installed once"
    with serve_app(database_url) as live, caplog.at_level(logging.INFO, logger="werkzeug"):
        from callcenter.accounts.users import UserService

        with live.app.app_context():
            UserService(db.session, live.app.extensions["clock"]).create(
                "sup-log", "correct-horse-battery", "supervisor"
            )
            db.session.commit()
        auth = ("sup-log", "correct-horse-battery")
        assert requests.get(f"{live.url}/api/wallboard", auth=auth, timeout=5).status_code == 200
        assert requests.get(f"{live.url}/api/wallboard", timeout=5).status_code == 401
        assert requests.get(f"{live.url}/sandbox/", timeout=5).status_code == 200
        assert requests.get(f"{live.url}/sandbox/api/calls/CAnothing", timeout=5).status_code == 404
    logged = [
        (ANSI.sub("", str(r.args[0])), str(r.args[1]))
        for r in caplog.records
        if r.name == "werkzeug" and isinstance(r.args, tuple) and len(r.args) == 3
    ]
    assert logged == [
        ("GET /healthz HTTP/1.1", "200"),  # serve_app's own check that the server is up
        ("GET /api/wallboard HTTP/1.1", "401"),
        ("GET /sandbox/ HTTP/1.1", "200"),
        ("GET /sandbox/api/calls/CAnothing HTTP/1.1", "404"),
    ], "the successful wallboard poll is the one line missing"


def test_the_summary_once_listening_names_the_pages_who_is_on_duty_and_the_users(app) -> None:
    with app.app_context():
        list(prepare_demo(app))
        lines = ready_lines(db.session, app.extensions["clock"], "http://127.0.0.1:5098")
        assert lines[0].startswith("ready: the caller's phone at http://127.0.0.1:5098/sandbox/")
        assert any(line.startswith("on duty now: agent") for line in lines)
        assert any("supervisor / demo-supervisor" in line and "agent1 / demo-agent-one" in line for line in lines)
        without = ready_lines(db.session, app.extensions["clock"], "http://127.0.0.1:5098", demo_users=False)
        assert not any("demo-supervisor" in line for line in without)
