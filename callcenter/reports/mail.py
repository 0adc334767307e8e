"""The e-mail figures (issue 15): the wallboard's backlog now, and the "E-mail" report for a period with
the one handled rate over calls and e-mails (README, "E-mail figures", states every definition).

A conversation (`MailWork`, one per e-mail ticket) counts in the period its first message arrived
(`received_at`, Vietnam days), like a call counts in the hour it was offered; its answer is counted with it,
whenever it came (as a callback is counted with the call that asked for it). So "answered" can never exceed
"received", and the handled rate over calls and e-mails is

    (answered calls + completed callbacks + conversations answered) / (offered calls + conversations received)

which is the department's ~70 % figure on the same basis (13,500–14,000 calls AND e-mails a month).

First-response time = `first_response_at` − `received_at` of the answered conversations (the automatic
acknowledgement is not a response). Median: the middle value (the mean of the two middle ones for an even
count); p90: the nearest rank, the ⌈0.9·n⌉-th smallest. Both are worked out here in Python from the rows,
so PostgreSQL and SQLite give the same numbers to the second.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from callcenter.reports.metrics import LOCAL_TZ
from callcenter.reports.service import ReportError, aggregate, day_bounds, keys_for, sum_totals
from models import Agent, Direction, MailMessage, MailState, MailWork, Ticket

DEPARTMENT_HANDLED_PERCENT = 70.0  # ../shared/reference/hotline.md: "About 70 % of requests get handled"
MAIL_GROUPINGS = ("day", "branch", "group")
# Backlog age bands at the period's end: (code, upper bound in hours; None: no bound).
AGE_BANDS = (("lt_1h", 1), ("1_4h", 4), ("4_8h", 8), ("8_24h", 24), ("gt_24h", None))


# -- the wallboard: the backlog now ---------------------------------------------------------------
def backlog_now(session: Session, now: datetime) -> dict[str, Any]:
    """New (nobody has it) per branch with the oldest one's age, on agents' desks, waiting for customers."""
    rows = session.execute(
        select(MailWork.state, MailWork.branch, func.count(), func.min(MailWork.waiting_since))
        .where(MailWork.state.in_((MailState.NEW.value, MailState.ASSIGNED.value, MailState.WAITING.value)))
        .group_by(MailWork.state, MailWork.branch)
    ).tuples()
    new = {1: {"count": 0, "oldest_seconds": None}, 2: {"count": 0, "oldest_seconds": None}}
    on_desks = waiting = 0
    for state, branch, count, oldest in rows:
        if state == MailState.NEW.value:
            entry = new.setdefault(branch, {"count": 0, "oldest_seconds": None})
            entry["count"] += count
            if oldest is not None:
                age = max(0, int((now - oldest).total_seconds()))
                entry["oldest_seconds"] = max(entry["oldest_seconds"] or 0, age)
        elif state == MailState.ASSIGNED.value:
            on_desks += count
        else:
            waiting += count
    ages = [e["oldest_seconds"] for e in new.values() if e["oldest_seconds"] is not None]
    return {
        "new": sum(e["count"] for e in new.values()),
        "oldest_seconds": max(ages) if ages else None,
        "by_branch": {str(b): e for b, e in sorted(new.items())},
        "on_desks": on_desks,
        "waiting_for_customer": waiting,
    }


def mail_on_desks(session: Session) -> dict[str, dict[str, Any]]:
    """username → the e-mail on her desk (ticket id, since when): the wallboard's agent rows."""
    rows = session.execute(
        select(Agent.username, MailWork.ticket_id, MailWork.assigned_at)
        .join(Agent, Agent.id == MailWork.agent_id)
        .where(MailWork.state == MailState.ASSIGNED.value)
        .order_by(MailWork.assigned_at)
    ).tuples()
    desks: dict[str, dict[str, Any]] = {}
    for username, ticket_id, since in rows:
        desks.setdefault(username, {"ticket_id": ticket_id, "since": since.isoformat() if since else None})
    return desks


# -- the report -----------------------------------------------------------------------------------
def median(values: list[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for no values."""
    if not values:
        return None
    ordered, n = sorted(values), len(values)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: list[float], percent: float) -> float | None:
    """The ⌈percent/100 · n⌉-th smallest value (nearest-rank percentile); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class MailTotals:
    """One group's e-mail figures."""

    received: int = 0  # conversations whose first message arrived in the period
    replies_received: int = 0  # the customers' further messages that arrived in the period
    answered: int = 0  # of `received`: those that have had a first response
    answered_within: int = 0  # …within the target
    response_seconds: list[float] = field(default_factory=list)

    def merge(self, other: MailTotals) -> None:
        self.received += other.received
        self.replies_received += other.replies_received
        self.answered += other.answered
        self.answered_within += other.answered_within
        self.response_seconds.extend(other.response_seconds)

    def as_json(self) -> dict[str, Any]:
        mid, p90 = median(self.response_seconds), nearest_rank(self.response_seconds, 90)
        return {
            "received": self.received,
            "replies_received": self.replies_received,
            "answered": self.answered,
            "unanswered": self.received - self.answered,
            "answered_rate": _pct(self.answered, self.received),
            "answered_within_target": self.answered_within,
            "within_target_rate": _pct(self.answered_within, self.received),
            "first_response_median_seconds": None if mid is None else round(mid),
            "first_response_p90_seconds": None if p90 is None else round(p90),
        }


def _key(by: str, received_at: datetime, branch: int | None, group: str | None) -> Any:
    if by == "day":
        return received_at.astimezone(LOCAL_TZ).date().isoformat()
    return branch if by == "branch" else group


def mail_groups(
    session: Session, start: datetime, end: datetime, by: str, target_hours: float
) -> dict[Any, MailTotals]:
    """MailTotals per key of `by` for the conversations received in [start, end)."""
    target = target_hours * 3600
    groups: dict[Any, MailTotals] = {}
    works = session.execute(
        select(MailWork.received_at, MailWork.first_response_at, MailWork.branch, MailWork.problem_group).where(
            MailWork.received_at >= start, MailWork.received_at < end
        )
    ).tuples()
    for received_at, responded_at, branch, group in works:
        totals = groups.setdefault(_key(by, received_at, branch, group), MailTotals())
        totals.received += 1
        if responded_at is not None:
            seconds = (responded_at - received_at).total_seconds()
            totals.answered += 1
            totals.response_seconds.append(seconds)
            totals.answered_within += seconds <= target
    replies = session.execute(
        select(MailMessage.at, MailWork.branch, MailWork.problem_group)
        .join(MailWork, MailWork.ticket_id == MailMessage.ticket_id)
        .where(
            MailMessage.direction == Direction.IN.value,
            MailMessage.at >= start,
            MailMessage.at < end,
            MailMessage.at > MailWork.received_at,
        )
    ).tuples()
    for at, branch, group in replies:
        groups.setdefault(_key(by, at, branch, group), MailTotals()).replies_received += 1
    return groups


def backlog_at(session: Session, moment: datetime) -> dict[str, int]:
    """Conversations without a first response at `moment` (received before it, not answered and not
    closed before it), by age band of `moment` − received_at."""
    rows = session.scalars(
        select(MailWork.received_at)
        .join(Ticket, Ticket.id == MailWork.ticket_id)
        .where(
            MailWork.received_at < moment,
            or_(MailWork.first_response_at.is_(None), MailWork.first_response_at >= moment),
            or_(Ticket.closed_at.is_(None), Ticket.closed_at >= moment),
        )
    )
    bands = {code: 0 for code, _ in AGE_BANDS}
    for received_at in rows:
        hours = (moment - received_at).total_seconds() / 3600
        code = next(c for c, upper in AGE_BANDS if upper is None or hours < upper)
        bands[code] += 1
    return bands


def handled_over_calls_and_mail(calls: dict[str, Any], mail: dict[str, Any]) -> dict[str, Any]:
    """The one handled rate: (answered calls + completed callbacks + e-mails answered) /
    (offered calls + e-mails received), next to the department's ~70 %."""
    handled = calls["answered"] + calls["callbacks_completed"] + mail["answered"]
    offered = calls["offered"] + mail["received"]
    return {
        "calls_offered": calls["offered"],
        "calls_answered": calls["answered"],
        "callbacks_completed": calls["callbacks_completed"],
        "emails_received": mail["received"],
        "emails_answered": mail["answered"],
        "handled": handled,
        "contacts": offered,
        "handled_rate": _pct(handled, offered),
        "department_handled_rate": DEPARTMENT_HANDLED_PERCENT,
    }


def build_mail(
    session: Session,
    first: date,
    last: date,
    now: datetime,
    by: str = "day",
    target_hours: float = 8,
    threshold: int = 20,
    short_seconds: int = 5,
) -> dict[str, Any]:
    """The "E-mail" report as JSON (counts and durations only, never a sender)."""
    if by not in MAIL_GROUPINGS:
        raise ReportError(_("`by` is one of: %(choices)s.", choices=", ".join(MAIL_GROUPINGS)))
    start, end = day_bounds(first, last)
    groups = {key: MailTotals() for key in keys_for(by, first, last)}
    for key, totals in mail_groups(session, start, end, by, target_hours).items():
        groups.setdefault(key, MailTotals()).merge(totals)
    total = MailTotals()
    for totals in groups.values():
        total.merge(totals)
    calls = sum_totals(aggregate(session, start, end, "branch", threshold, short_seconds).values()).as_json()
    mail = total.as_json()
    backlog_moment = min(end, now)
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, item[0] if item[0] is not None else 0))
    return {
        "kind": "email",
        "from": first.isoformat(),
        "to": last.isoformat(),
        "by": by,
        "target_hours": target_hours,
        "total": mail,
        "groups": [{"key": key, **t.as_json()} for key, t in ordered],
        "backlog_at": backlog_moment.isoformat(),
        "backlog": backlog_at(session, backlog_moment),
        "handled": handled_over_calls_and_mail(calls, mail),
    }


MAIL_CSV_COLUMNS = (
    "received",
    "replies_received",
    "answered",
    "unanswered",
    "answered_rate",
    "answered_within_target",
    "within_target_rate",
    "first_response_median_seconds",
    "first_response_p90_seconds",
)


def mail_csv(report: dict[str, Any]) -> str:
    """One row per group, a total row, then the backlog bands and the handled rate (rates in percent)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report["by"], *MAIL_CSV_COLUMNS])
    rows: Iterable[dict[str, Any]] = report["groups"]
    for group in rows:
        writer.writerow(["" if group["key"] is None else group["key"], *(_cell(group[c]) for c in MAIL_CSV_COLUMNS)])
    writer.writerow(["total", *(_cell(report["total"][c]) for c in MAIL_CSV_COLUMNS)])
    writer.writerow([])
    writer.writerow(["backlog_at", report["backlog_at"]])
    for code, count in report["backlog"].items():
        writer.writerow([f"backlog_{code}", count])
    writer.writerow([])
    for name, value in report["handled"].items():
        writer.writerow([name, _cell(value)])
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value
