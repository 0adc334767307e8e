"""The demo's console (`python app.py`): werkzeug's access log without the pages' periodic polls.

Every open wallboard, softphone, People page and sandbox phone asks the server something every
0.7–3 s; at INFO each of those is a line, and the lines that matter (the demo users, who is on duty, an
error) scroll away within seconds. `QuietPolls` drops the access-log lines of *successful* polls
(2xx or 304) and keeps everything else: any 4xx or 5xx (a poll that fails is news), every other
request, and every line that is not an access-log line.
"""

from __future__ import annotations

import logging
import re

# (method, path) of the pages' periodic requests: what each page asks on a timer.
POLLS = (
    ("GET", re.compile(r"/api/wallboard")),  # the wallboard, every 2 s (reports/static/wallboard.js)
    ("GET", re.compile(r"/supervisor/api/sandbox/calls")),  # the wallboard's monitor legs in the sandbox
    ("GET", re.compile(r"/agent/api/state")),  # the softphone's state, every second (agents/static/softphone.js)
    ("GET", re.compile(r"/agent/api/sandbox/calls")),  # the softphone's sandbox legs, every second
    ("POST", re.compile(r"/agent/api/presence")),  # the softphone's presence heartbeat, every 3 s
    ("GET", re.compile(r"/api/people/(agents|sessions)")),  # the People page, every 3 s / 30 s
    ("GET", re.compile(r"/sandbox/api/calls/[^/]+")),  # the sandbox phone's call status, every 0.7 s
    ("GET", re.compile(r"/sandbox/api/phones/.+/calls")),  # calls ringing the sandbox phone, every second
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours the request line on a terminal


def is_quiet_poll(request_line: str, status: str) -> bool:
    """True for a successful poll: `GET /api/wallboard HTTP/1.1` answered 200 (or 304)."""
    if not (status.startswith("2") or status == "304"):
        return False
    parts = ANSI.sub("", request_line).split()
    if len(parts) < 2:
        return False
    method, path = parts[0], parts[1].split("?", 1)[0]
    return any(method == m and pattern.fullmatch(path) for m, pattern in POLLS)


class QuietPolls(logging.Filter):
    """Drops werkzeug's access-log records of successful polls (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.levelno > logging.INFO or not isinstance(args, tuple) or len(args) != 3:
            return True  # not an access-log line (werkzeug logs those as '"%s" %s %s': line, status, size)
        return not is_quiet_poll(str(args[0]), str(args[1]))


def quiet_polls(logger: logging.Logger | None = None) -> QuietPolls:
    """Install the filter on werkzeug's logger (once); returns it."""
    target = logger or logging.getLogger("werkzeug")
    for existing in target.filters:
        if isinstance(existing, QuietPolls):
            return existing
    quiet = QuietPolls()
    target.addFilter(quiet)
    return quiet
