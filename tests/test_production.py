"""The production path, as the README's "Run it in production" section says, with Twilio played by the
REST double in its own process: PostgreSQL, HOTLINE_ENV=production, an https PUBLIC_BASE_URL behind a
TLS proxy (X-Forwarded-Proto), gunicorn with two workers and one scheduler process.

An operator sets up the desk with the documented commands alone (db upgrade, users create, agents
create, rota overtime); an agent logs in and goes available; a caller walks the IVR (signed webhooks
as Twilio sends them) and is put through by the dispatcher's REST dequeue; the web workers restart
mid-call and the call goes on; the agent wraps up and the ticket is on record. Then Twilio's REST API
fails: /healthz says telephony is degraded, a waiting caller still books a callback, and when Twilio
answers again the desk recovers by itself.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator

from .conftest import call_params, new_sid, parse_twiml, throwaway_postgres

pytestmark = pytest.mark.production
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "production-test-auth-token"  # noqa: S105 - a test secret
PUBLIC = "https://hotline.example.test"
PASSWORD = "correct-horse-battery"
QUEUE_SID = "QU" + "b2" * 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], Any], what: str, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except requests.RequestException:
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def database() -> Iterator[str]:
    """An empty PostgreSQL database: the operator's `db upgrade` builds the schema."""
    with throwaway_postgres("hotline_prod", migrate=False) as url:
        yield url


class Desk:
    """The processes of a production desk on this machine, and what an operator and Twilio do to it."""

    def __init__(self, database_url: str, tmp: Path) -> None:
        self.double_port, self.web_port = free_port(), free_port()
        self.web = f"http://127.0.0.1:{self.web_port}"
        self.double = f"http://127.0.0.1:{self.double_port}"
        self.logs = tmp
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "TWILIO_", "DATABASE_URL"))},
            "HOTLINE_ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "s" * 64,
            "DATA_KEYS": Fernet.generate_key().decode(),
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": self.double,
            "PUBLIC_BASE_URL": PUBLIC,
            "PROXY_FIX_HOPS": "1",
            "TELEPHONY_BREAKER_COOLDOWN_SECONDS": "2",
            "PYTHONPATH": str(ROOT),
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.validator = RequestValidator(AUTH_TOKEN)

    # -- processes ------------------------------------------------------------------------------
    def flask(self, *args: str) -> str:
        """`flask --app app …` as the README says; fails the test when it fails."""
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"flask {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def start(self, name: str, argv: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_web(self) -> None:
        self.start(
            "gunicorn", [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.web_port}", "app:create_app()"]
        )
        wait_until(lambda: requests.get(self.web + "/healthz", timeout=2).ok, "gunicorn to answer /healthz")

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    # -- Twilio's side ----------------------------------------------------------------------------
    def webhook(self, url_or_path: str, params: dict[str, str]) -> str:
        """POST a signed webhook the way Twilio does (to the public URL, through the TLS proxy)."""
        url = url_or_path if url_or_path.startswith("http") else PUBLIC + url_or_path
        signature = self.validator.compute_signature(url, params)
        response = requests.post(
            self.web + url[len(PUBLIC) :],
            data=params,
            headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.text

    def twilio_state(self) -> dict[str, Any]:
        return requests.get(self.double + "/_double/state", timeout=5).json()

    # -- people -----------------------------------------------------------------------------------
    def log_in(self, username: str) -> tuple[dict[str, str], str]:
        """The login page as a browser behind the TLS proxy; returns the cookie header and CSRF token
        (the session cookie is Secure: sent by hand here, since the test talks plain HTTP to gunicorn)."""
        proxy = {"X-Forwarded-Proto": "https"}
        page = requests.get(self.web + "/login", headers=proxy, timeout=5)
        cookie = {"Cookie": page.headers["Set-Cookie"].split(";", 1)[0], **proxy}
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        done = requests.post(
            self.web + "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            headers=cookie,
            allow_redirects=False,
            timeout=5,
        )
        assert done.status_code in (302, 303), done.text
        cookie["Cookie"] = done.headers["Set-Cookie"].split(";", 1)[0]
        desk = requests.get(self.web + "/agent/", headers=cookie, timeout=5).text
        return cookie, re.search(r'name="csrf-token" content="([^"]+)"', desk).group(1)


@contextmanager
def running_desk(database_url: str, tmp: Path) -> Iterator[Desk]:
    desk = Desk(database_url, tmp)
    try:
        desk.start(
            "double",
            [sys.executable, "-m", "tests.rest_double", "--port", str(desk.double_port), "--account-sid", ACCOUNT_SID],
        )
        wait_until(lambda: requests.get(desk.double + "/_double/state", timeout=2).ok, "the REST double")
        yield desk
    finally:
        for name in list(desk.procs):
            desk.stop(name)


def test_a_newcomer_sets_up_the_desk_in_production_and_it_takes_calls_and_survives_faults(
    database: str, tmp_path: Path
) -> None:
    with running_desk(database, tmp_path) as desk:
        # The operator: schema, a supervisor, two agents (README, "Run it in production").
        desk.flask("db", "upgrade")
        desk.flask("users", "create", "sup", "--role", "supervisor", "--password", PASSWORD)
        for name, full in (("lan", "Nguyễn Thị Lan"), ("minh", "Trần Văn Minh")):
            desk.flask("users", "create", name, "--role", "agent", "--password", PASSWORD)
            desk.flask("agents", "create", name, "--name", full, "--skills", "branch_1,branch_2,accounts,vi")
        assert "lan" in desk.flask("agents", "list") and "minh" in desk.flask("agents", "list")
        allowed = desk.flask("rota", "overtime", "lan", "--hours", "4")  # no rota yet: lan works now
        # The CLI writes Vietnam time the Vietnamese way (DEFAULT_UI_LANGUAGE is vi in production).
        assert re.search(r"until \d\d/\d\d/\d{4} \d\d:\d\d \(UTC\+7\)", allowed), allowed
        desk.start_web()
        desk.start("scheduler", [str(BIN / "flask"), "--app", "app", "scheduler", "run"])
        health = requests.get(desk.web + "/healthz", timeout=5).json()
        assert (health["status"], health["database"]) == ("ok", "ok")

        # The agent goes available on the softphone.
        cookie, csrf = desk.log_in("lan")
        state = requests.post(
            desk.web + "/agent/api/state", json={"state": "available"}, headers={**cookie, "X-CSRF-Token": csrf}
        )
        assert state.status_code == 200 and state.json()["agent"]["state"] == "available", state.text

        # A caller: incoming → 2 → 1 → waiting; Twilio holds them in the queue.
        sid = new_sid()
        params = {**call_params(sid), "AccountSid": ACCOUNT_SID}
        assert "<Gather" in desk.webhook("/ivr/incoming", params)
        desk.webhook("/ivr/language", {**params, "Digits": "2"})
        assert "<Enqueue" in desk.webhook("/ivr/group?attempt=1&lang=vi", {**params, "Digits": "1"})
        requests.post(desk.double + "/_double/members", data={"queue_sid": QUEUE_SID, "call_sid": sid}, timeout=5)
        desk.webhook(
            "/ivr/queue/wait?branch=2&lang=vi",
            {**params, "QueuePosition": "1", "QueueTime": "3", "QueueSid": QUEUE_SID},
        )
        # The dispatcher (the worker's event-driven round, or the scheduler's sweep) dequeues them to lan.
        dequeued = wait_until(lambda: desk.twilio_state()["dequeued"], "the dispatcher's REST dequeue")
        (queue_sid, call_sid, connect_url) = dequeued[0]
        assert (queue_sid, call_sid) == (QUEUE_SID, sid) and connect_url.startswith(PUBLIC + "/ivr/agent/connect")

        # The web workers restart mid-call (a deploy): the call goes on from the database.
        desk.stop("gunicorn")
        desk.start_web()

        dial = parse_twiml(desk.webhook(connect_url, params)).find("Dial")
        client = dial.find("Client")
        assert client.text == "lan"
        answered_url, action = client.get("url"), dial.get("action")
        leg = new_sid()
        desk.webhook(answered_url, {**call_params(leg), "AccountSid": ACCOUNT_SID, "ParentCallSid": sid})
        desk.webhook(action, {**params, "DialCallStatus": "completed", "DialCallDuration": "95"})
        desk.webhook("/ivr/status", {**params, "CallStatus": "completed", "CallDuration": "130", "SequenceNumber": "4"})
        wrapped = requests.post(
            desk.web + "/agent/api/wrapup",
            json={"final": True, "outcome": "resolved", "question": "Mật khẩu VNACCS", "answer": "Đặt lại"},
            headers={**cookie, "X-CSRF-Token": csrf},
        )
        assert wrapped.status_code == 200 and wrapped.json()["final"] is True, wrapped.text
        # Production pages and messages speak Vietnamese by default (issue 14): the softphone with its labels
        # and calendar for the scripts; an API refusal keeps its code and says why in Vietnamese.
        page = requests.get(desk.web + "/agent/", headers=cookie, timeout=5).text
        assert '<html lang="vi">' in page and "Sẵn sàng nhận cuộc gọi" in page and 'id="i18n-labels"' in page
        refused = requests.post(
            desk.web + "/agent/api/state", json={"state": "nap"}, headers={**cookie, "X-CSRF-Token": csrf}, timeout=5
        )
        assert refused.status_code == 400 and refused.json()["error"] == "bad_state"
        assert "Choose" not in refused.json()["message"], refused.text
        supervisor = {"Authorization": "Basic " + base64.b64encode(f"sup:{PASSWORD}".encode()).decode()}
        record = requests.get(f"{desk.web}/api/calls/{sid}", headers=supervisor, timeout=5).json()
        assert (record["outcome"], record["ticket"]["outcome"]) == ("answered", "resolved"), record

        # Twilio's REST API fails: the desk degrades, says so, and a caller's own choice still works.
        requests.post(desk.double + "/_double/fail", data={"count": "100000"}, timeout=5)
        second = new_sid()
        params2 = {**call_params(second), "AccountSid": ACCOUNT_SID}
        desk.webhook("/ivr/incoming", params2)
        desk.webhook("/ivr/language", {**params2, "Digits": "2"})
        desk.webhook("/ivr/group?attempt=1&lang=vi", {**params2, "Digits": "1"})
        requests.post(desk.double + "/_double/members", data={"queue_sid": QUEUE_SID, "call_sid": second}, timeout=5)
        desk.webhook("/ivr/queue/wait?branch=2&lang=vi", {**params2, "QueuePosition": "1", "QueueSid": QUEUE_SID})
        health = wait_until(
            lambda: (h := requests.get(desk.web + "/healthz", timeout=5).json())["telephony"] == "degraded" and h,
            "/healthz to report telephony degraded",
            seconds=60,
        )
        assert health["status"] == "ok" and health["telephony_detail"]["since"]
        option = parse_twiml(desk.webhook("/ivr/queue/option?branch=2&lang=vi", {**params2, "Digits": "1"}))
        confirm = option.find("Gather").get("action")
        assert "<Leave" in desk.webhook(confirm, {**params2, "Digits": "1"}), "the callback is booked meanwhile"

        # Twilio answers again: within a cooldown the desk is back, and the callback rings an agent.
        requests.post(desk.double + "/_double/fail", data={"count": "0"}, timeout=5)
        wait_until(
            lambda: requests.get(desk.web + "/healthz", timeout=5).json()["telephony"] == "ok",
            "/healthz to report telephony ok again",
            seconds=60,
        )
        assert "Traceback" not in desk.log("gunicorn"), desk.log("gunicorn")[-3000:]
