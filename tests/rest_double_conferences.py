"""The REST double's conferences: Twilio's Conference and Participant resources (2010-04-01), with the
fields, filters and status codes of tests/twilio_api_v2010_subset.json (copied from twilio/twilio-oai).

A conference is made by a call's TwiML (<Dial><Conference>), which the double never sees: tests put
one in with `ConferenceBook.add` (or POST /_double/conferences when the double runs as a process),
then the app's REST requests read and change it. Every conference request is kept in `requests`
(method, path, form) so tests can assert what the app asked.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request

DATE = "Sun, 22 Nov 2026 02:00:00 +0000"
PARTICIPANT_FLAGS = {  # form parameter → participant property (UpdateParticipantRequest / CreateParticipantRequest)
    "Muted": "muted",
    "Hold": "hold",
    "Coaching": "coaching",
    "EndConferenceOnExit": "end_conference_on_exit",
    "StartConferenceOnEnter": "start_conference_on_enter",
}


def error(status: int, code: int, message: str) -> Any:
    """Twilio's error body: code, message, more_info, status."""
    response = jsonify(
        code=code, message=message, more_info=f"https://www.twilio.com/docs/errors/{code}", status=status
    )
    response.status_code = status
    return response


def truthy(raw: str | None) -> bool:
    """Twilio reads `true` as true and anything else as false."""
    return (raw or "").strip().lower() == "true"


def _not_found(path: str) -> Any:
    return error(404, 20404, f"The requested resource {path} was not found")


@dataclass
class ConferenceBook:
    """The double's conferences (CF… → resource) and their participants (CF… → CA… → resource)."""

    account_sid: str
    conferences: dict[str, dict[str, Any]] = field(default_factory=dict)
    participants: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, path, form)
    created_calls: list[dict[str, str]] = field(default_factory=list)  # the form of each participant created (+ Sid)
    arrivals: list[float] = field(default_factory=list)  # time.perf_counter() when each create arrived

    def add(self, friendly_name: str, call_sids: list[str] | None = None, status: str = "in-progress") -> str:
        """A conference (as <Dial><Conference> would have made it) with these calls in it; its SID."""
        sid = "CF" + secrets.token_hex(16)
        base = f"/2010-04-01/Accounts/{self.account_sid}/Conferences/{sid}"
        self.conferences[sid] = {
            "account_sid": self.account_sid,
            "date_created": DATE,
            "date_updated": DATE,
            "api_version": "2010-04-01",
            "friendly_name": friendly_name,
            "region": "us1",
            "sid": sid,
            "status": status,
            "uri": f"{base}.json",
            "subresource_uris": {"participants": f"{base}/Participants.json", "recordings": f"{base}/Recordings.json"},
            "reason_conference_ended": None,
            "call_sid_ending_conference": None,
        }
        self.participants[sid] = {}
        for call_sid in call_sids or []:
            self.join(sid, call_sid)
        return sid

    def join(self, conference_sid: str, call_sid: str, label: str | None = None, **flags: Any) -> dict[str, Any]:
        """Put the call `call_sid` in the conference (connected unless `status` says otherwise)."""
        participant = {
            "account_sid": self.account_sid,
            "call_sid": call_sid,
            "label": label,
            "call_sid_to_coach": None,
            "coaching": False,
            "conference_sid": conference_sid,
            "date_created": DATE,
            "date_updated": DATE,
            "end_conference_on_exit": False,
            "muted": False,
            "hold": False,
            "start_conference_on_enter": True,
            "status": "connected",
            "queue_time": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Conferences/{conference_sid}/Participants/{call_sid}.json",
        }
        participant.update(flags)
        self.participants[conference_sid][call_sid] = participant
        return participant

    def find(self, conference_sid: str, call_sid_or_label: str) -> dict[str, Any] | None:
        """A participant by its call SID or its label."""
        people = self.participants.get(conference_sid, {})
        if call_sid_or_label in people:
            return people[call_sid_or_label]
        return next((p for p in people.values() if p["label"] == call_sid_or_label), None)

    def end(self, conference_sid: str, reason: str, call_sid: str | None = None) -> None:
        """The conference is over: every participant leaves."""
        conference = self.conferences[conference_sid]
        conference.update(status="completed", reason_conference_ended=reason, call_sid_ending_conference=call_sid)
        self.participants[conference_sid] = {}

    def resolve(self, conference: str) -> str | None:
        """A conference by SID, or by the friendly name of one not yet completed."""
        if conference in self.conferences:
            return conference
        return next(
            (
                sid
                for sid, c in self.conferences.items()
                if c["friendly_name"] == conference and c["status"] != "completed"
            ),
            None,
        )


def page(key: str, items: list[dict[str, Any]]) -> Any:
    """A list answer with Twilio's paging properties."""
    uri = request.full_path.rstrip("?")
    return jsonify(
        {
            key: items,
            "end": max(0, len(items) - 1),
            "first_page_uri": uri,
            "next_page_uri": None,
            "page": 0,
            "page_size": 50,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }
    )


def register(app: Flask, book: ConferenceBook, add_call: Any) -> None:
    """Serve the Conference and Participant endpoints of `book`; `add_call(sid, to, from_)` records the
    outbound call a created participant makes."""
    prefix = "/2010-04-01/Accounts/<account>/Conferences"

    @app.before_request
    def keep_conference_requests() -> None:
        if "/Conferences" in request.path and not request.path.startswith("/_double/"):
            book.requests.append((request.method, request.path, request.form.to_dict()))

    @app.get(f"{prefix}.json")
    def list_conferences(account: str) -> Any:
        name, status = request.args.get("FriendlyName"), request.args.get("Status")
        found = [
            c
            for c in book.conferences.values()
            if (name is None or c["friendly_name"] == name) and (status is None or c["status"] == status)
        ]
        return page("conferences", found)

    @app.get(f"{prefix}/<sid>.json")
    def fetch_conference(account: str, sid: str) -> Any:
        conference = book.conferences.get(sid)
        return jsonify(conference) if conference else _not_found(f"/Conferences/{sid}.json")

    @app.post(f"{prefix}/<sid>.json")
    def update_conference(account: str, sid: str) -> Any:
        conference = book.conferences.get(sid)
        if conference is None:
            return _not_found(f"/Conferences/{sid}.json")
        status = request.form.get("Status")
        if status is not None and status != "completed":
            return error(400, 20001, f"Status must be completed, not {status}")
        if status == "completed" and conference["status"] != "completed":
            book.end(sid, "conference-ended-via-api")
        return jsonify(conference)

    @app.get(f"{prefix}/<conference>/Participants.json")
    def list_participants(account: str, conference: str) -> Any:
        if conference not in book.conferences:
            return _not_found(f"/Conferences/{conference}/Participants.json")
        found = [
            p
            for p in book.participants[conference].values()
            if all(
                request.args.get(arg) is None or p[prop] == truthy(request.args.get(arg))
                for arg, prop in (("Muted", "muted"), ("Hold", "hold"), ("Coaching", "coaching"))
            )
        ]
        return page("participants", found)

    @app.post(f"{prefix}/<conference>/Participants.json")
    def create_participant(account: str, conference: str) -> Any:
        book.arrivals.append(time.perf_counter())
        form = request.form.to_dict()
        if not form.get("From") or not form.get("To"):
            return error(400, 21205, "From and To are required")
        sid = book.resolve(conference)
        if sid is None and conference.startswith("CF"):
            return _not_found(f"/Conferences/{conference}/Participants.json")
        if sid is None:  # a friendly name: the participant's conference starts when they join
            sid = book.add(conference, status="init")
        if truthy(form.get("Coaching")) and not form.get("CallSidToCoach"):
            return error(400, 21236, "CallSidToCoach is required when Coaching is true")
        call_sid = "CA" + secrets.token_hex(16)
        add_call(call_sid, form["To"], form["From"])
        book.created_calls.append({**form, "Sid": call_sid})
        flags = {prop: truthy(form[arg]) for arg, prop in PARTICIPANT_FLAGS.items() if arg in form}
        if form.get("CallSidToCoach"):
            flags.update(call_sid_to_coach=form["CallSidToCoach"], coaching=form.get("Coaching", "true") == "true")
        participant = book.join(sid, call_sid, form.get("Label"), status="queued", queue_time="0", **flags)
        response = jsonify(participant)
        response.status_code = 201
        return response

    @app.route(f"{prefix}/<conference>/Participants/<who>.json", methods=["GET", "POST", "DELETE"])
    def one_participant(account: str, conference: str, who: str) -> Any:
        participant = book.find(conference, who)
        if participant is None:
            return _not_found(f"/Conferences/{conference}/Participants/{who}.json")
        if request.method == "GET":
            return jsonify(participant)
        if request.method == "DELETE":
            del book.participants[conference][participant["call_sid"]]
            if participant["end_conference_on_exit"]:
                book.end(conference, "participant-with-end-conference-on-exit-kicked", participant["call_sid"])
            elif not book.participants[conference]:
                book.end(conference, "last-participant-kicked", participant["call_sid"])
            return "", 204
        form = request.form
        coaching = form.get("Coaching")
        if truthy(coaching) and not (form.get("CallSidToCoach") or participant["call_sid_to_coach"]):
            return error(400, 21236, "CallSidToCoach is required when Coaching is true")
        for arg, prop in PARTICIPANT_FLAGS.items():
            if arg in form:
                participant[prop] = truthy(form[arg])
        if form.get("CallSidToCoach"):
            participant["call_sid_to_coach"] = form["CallSidToCoach"]
        if coaching is not None and not truthy(coaching):
            participant["call_sid_to_coach"] = None
        return jsonify(participant)

    @app.post("/_double/conferences")
    def control_add_conference() -> Any:
        """Make a conference as a call's <Dial><Conference> would: friendly_name, call_sid (repeatable,
        CA… or CA…=label)."""
        sid = book.add(request.form["friendly_name"])
        for item in request.form.getlist("call_sid"):
            call_sid, _, label = item.partition("=")
            book.join(sid, call_sid, label or None)
            add_call(call_sid, "client:agent", "+84912345678", status="in-progress")
        return jsonify(sid=sid)

    @app.post("/_double/conferences/start")
    def control_start_conference() -> Any:
        """The conference named friendly_name starts (its first participant who starts it answered), and
        the calls given as call_sid (CA…=label) join it (e.g. a dequeued caller seated by its TwiML)."""
        sid = book.resolve(request.form["friendly_name"])
        if sid is None:
            return _not_found("/_double/conferences/start")
        book.conferences[sid]["status"] = "in-progress"
        for item in request.form.getlist("call_sid"):
            call_sid, _, label = item.partition("=")
            book.join(sid, call_sid, label or None)
        for participant in book.participants[sid].values():
            participant["status"] = "connected"
        return jsonify(sid=sid)
