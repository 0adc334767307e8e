"""A local double of Twilio's REST API (2010-04-01: Calls, Queues and their Members, Conferences and
their Participants), served over real HTTP so the official twilio client talks to it through
TWILIO_API_BASE_URL. Shapes follow Twilio's OpenAPI description, our subset of which is
tests/twilio_api_v2010_subset.json (tests/test_rest_double_contract.py checks the answers against it);
the conferences live in rest_double_conferences.py."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from .rest_double_conferences import ConferenceBook, register


@dataclass
class TwilioDouble:
    """State of the double: its calls, the requests it got, and failures to inject."""

    account_sid: str
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer before behaving
    base_url: str = ""
    members: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (QU, CA) → member
    dequeued: list[tuple[str, str, str]] = field(default_factory=list)  # (QU, CA, Url) per update
    arrivals: list[float] = field(default_factory=list)  # time.perf_counter() when each update arrived
    created: list[dict[str, str]] = field(default_factory=list)  # the form of each POST /Calls.json (+ Sid)
    queues: dict[str, str] = field(default_factory=dict)  # QU… → friendly name
    # Faults of a real line, played on purpose:
    refuse_create: list[tuple[int, int, str]] = field(default_factory=list)  # (status, code, message) per create
    malformed_next: int = 0  # answers that are not JSON (a proxy's error page with status 200)
    hold: dict[str, threading.Event] = field(default_factory=dict)  # CallSid → answer only once set (a hung request)
    conferences: ConferenceBook = field(init=False)  # Conferences and their Participants
    updated: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (CA, form) per POST /Calls/CA.json

    def __post_init__(self) -> None:
        self.conferences = ConferenceBook(self.account_sid)

    def add_outbound(self, sid: str, to: str, from_: str, status: str = "queued") -> None:
        """A call the account placed (POST /Calls.json, or a conference participant created by REST)."""
        if sid not in self.calls:
            self.add_call(sid, status)
            self.calls[sid].update({"direction": "outbound-api", "to": to, "from": from_})

    def add_member(self, queue_sid: str, call_sid: str, position: int = 1) -> None:
        """Put a caller in a queue of the double."""
        self.members[(queue_sid, call_sid)] = {
            "call_sid": call_sid,
            "queue_sid": queue_sid,
            "position": position,
            "wait_time": 0,
            "date_enqueued": "Sun, 22 Nov 2026 02:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Queues/{queue_sid}/Members/{call_sid}.json",
        }

    def add_call(self, sid: str, status: str, duration: int | None = None, end_time: str | None = None) -> None:
        """Make the double know a call."""
        self.calls[sid] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "status": status,
            "direction": "inbound",
            "from": "+84912345678",
            "to": "+8419009299",
            "duration": None if duration is None else str(duration),
            "end_time": end_time,
            "start_time": "Sun, 22 Nov 2026 01:50:00 +0000",
            "api_version": "2010-04-01",
            "date_created": "Sun, 22 Nov 2026 01:50:00 +0000",
            "date_updated": "Sun, 22 Nov 2026 02:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
            "subresource_uris": {},
        }


def _error(status: int, code: int, message: str) -> Any:
    response = jsonify(
        code=code, message=message, more_info=f"https://www.twilio.com/docs/errors/{code}", status=status
    )
    response.status_code = status
    return response


def build_app(double: TwilioDouble) -> Flask:
    app = Flask("twilio-double")

    @app.before_request
    def record_and_fail() -> Any:
        if request.path.startswith("/_double/"):
            return None  # the control API of a double run on its own (`main` below)
        auth = request.authorization
        double.requests.append((request.method, request.path, auth.username if auth else None))
        if double.fail_next:
            status = double.fail_next.pop(0)
            return _error(status, 20429 if status == 429 else 20500, "injected failure")
        if double.malformed_next:
            double.malformed_next -= 1
            return "<html><body>502 Bad Gateway</body></html>", 200, {"Content-Type": "application/json"}
        for sid, released in list(double.hold.items()):
            if sid in request.path:
                released.wait(timeout=30)
        if auth is None or auth.username != double.account_sid:
            return _error(401, 20003, "Authenticate")
        return None

    @app.get("/2010-04-01/Accounts/<account>/Calls/<sid>.json")
    def fetch_call(account: str, sid: str) -> Any:
        call = double.calls.get(sid)
        if call is None:
            return _error(404, 20404, f"The requested resource /Calls/{sid}.json was not found")
        return jsonify(call)

    @app.post("/2010-04-01/Accounts/<account>/Calls/<sid>.json")
    def update_call(account: str, sid: str) -> Any:
        call = double.calls.get(sid)
        if call is None:
            return _error(404, 20404, f"The requested resource /Calls/{sid}.json was not found")
        double.updated.append((sid, request.form.to_dict()))
        status = request.form.get("Status")
        if status in ("completed", "canceled"):
            call["status"] = status
        return jsonify(call)

    @app.post("/2010-04-01/Accounts/<account>/Queues/<queue_sid>/Members/<call_sid>.json")
    def update_member(account: str, queue_sid: str, call_sid: str) -> Any:
        double.arrivals.append(time.perf_counter())
        url = request.form.get("Url")
        if not url:
            return _error(400, 21205, "Url parameter is required")
        member = double.members.pop((queue_sid, call_sid), None)
        if member is None:
            return _error(
                404, 20404, f"The requested resource /Queues/{queue_sid}/Members/{call_sid}.json was not found"
            )
        double.dequeued.append((queue_sid, call_sid, url))
        return jsonify(member)

    @app.post("/2010-04-01/Accounts/<account>/Calls.json")
    def create_call(account: str) -> Any:
        form = request.form.to_dict()
        if double.refuse_create:
            status, code, message = double.refuse_create.pop(0)
            return _error(status, code, message)
        if not form.get("To") or not form.get("From") or not (form.get("Url") or form.get("Twiml")):
            return _error(400, 21205, "To, From and Url are required")
        sid = "CA" + uuid.uuid4().hex
        double.created.append({**form, "Sid": sid})
        double.add_outbound(sid, form["To"], form["From"])
        response = jsonify(double.calls[sid])
        response.status_code = 201
        return response

    @app.get("/2010-04-01/Accounts/<account>/Queues.json")
    def list_queues(account: str) -> Any:
        queues = [
            {
                "sid": sid,
                "friendly_name": name,
                "current_size": sum(1 for q, _ in double.members if q == sid),
                "account_sid": account,
                "uri": f"/2010-04-01/Accounts/{account}/Queues/{sid}.json",
            }
            for sid, name in double.queues.items()
        ]
        return jsonify(queues=queues, page=0, page_size=100, next_page_uri=None, uri=request.path)

    @app.get("/2010-04-01/Accounts/<account>/Queues/<queue_sid>/Members.json")
    def list_members(account: str, queue_sid: str) -> Any:
        members = [m for (q, _), m in double.members.items() if q == queue_sid]
        return jsonify(queue_members=members, page=0, page_size=1000, next_page_uri=None, uri=request.path)

    # -- control API, for a double in another process (tests/test_production.py) -----------------
    @app.post("/_double/members")
    def control_add_member() -> Any:
        double.queues.setdefault(request.form["queue_sid"], request.form.get("queue_name", "hotline-branch-2"))
        double.add_member(request.form["queue_sid"], request.form["call_sid"])
        return jsonify(ok=True)

    @app.post("/_double/calls")
    def control_add_call() -> Any:
        duration = request.form.get("duration")
        double.add_call(request.form["sid"], request.form["status"], int(duration) if duration else None)
        return jsonify(ok=True)

    @app.post("/_double/fail")
    def control_fail() -> Any:
        double.fail_next = [int(request.form.get("status", "503"))] * int(request.form["count"])
        return jsonify(ok=True)

    @app.get("/_double/state")
    def control_state() -> Any:
        book = double.conferences
        return jsonify(
            dequeued=double.dequeued,
            created=double.created,
            requests=len(double.requests),
            conferences=list(book.conferences.values()),
            participants={sid: list(people.values()) for sid, people in book.participants.items()},
            conference_requests=book.requests,
        )

    register(app, double.conferences, double.add_outbound)

    return app


@contextmanager
def serve(account_sid: str) -> Iterator[TwilioDouble]:
    """Run a double on a free local port for the duration of the block."""
    double = TwilioDouble(account_sid)
    server = make_server("127.0.0.1", 0, build_app(double), threaded=True)
    double.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        server.shutdown()
        thread.join(timeout=5)


def main() -> None:
    """Run the double on its own, for trying the production setup on one machine:
    `.venv/bin/python -m tests.rest_double --port 8089 --account-sid AC…` then
    TWILIO_API_BASE_URL=http://127.0.0.1:8089 (see the README's production section)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--queue", action="append", default=[], help="NAME=QU… a queue the double lists")
    args = parser.parse_args()
    double = TwilioDouble(args.account_sid, base_url=f"http://127.0.0.1:{args.port}")
    for item in args.queue:
        name, _, sid = item.partition("=")
        double.queues[sid] = name
    print(f"Twilio REST double for {args.account_sid} on http://127.0.0.1:{args.port}", flush=True)
    make_server("127.0.0.1", args.port, build_app(double), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
