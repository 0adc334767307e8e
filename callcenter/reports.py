"""Reports over a date range: the figures of callcenter/metrics.py per day, hour, weekday × hour,
branch or problem group, as JSON or CSV. Counts only: a report never names a caller.

The calls are read in one query (the columns the metrics need, with the callback's state); the
figures are computed in Python by the tested formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import Call, Callback, CallbackStatus, CallStage

from .metrics import DEFAULT_FORMULA, FORMULAS, GROUPINGS, LOCAL_TZ, CallFact, Totals, grouped, totals

MAX_DAYS = 400


class ReportError(ValueError):
    """A report parameter a person must correct (the message says how)."""


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in Vietnam time."""
    if last < first:
        raise ReportError("`to` must not be before `from`.")
    if (last - first).days >= MAX_DAYS:
        raise ReportError(f"A report covers at most {MAX_DAYS} days.")
    return datetime.combine(first, time(), LOCAL_TZ), datetime.combine(last + timedelta(days=1), time(), LOCAL_TZ)


def date_range(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date]:
    """A report's days from the request: `from` (default today) to `to` (default `from`), checked."""
    try:
        first = date.fromisoformat(raw_from or today.isoformat())
        last = date.fromisoformat(raw_to or first.isoformat())
    except ValueError as exc:
        raise ReportError("from/to are dates like 2026-11-23.") from exc
    day_bounds(first, last)  # a reversed or too long range is refused here, with its reason
    return first, last


def load_facts(session: Session, start: datetime, end: datetime) -> list[CallFact]:
    """The calls that count in [start, end): offered in it, or started in it without being offered.
    A call counts once its outcome is known; a conversation in progress counts as answered."""
    completed = Callback.status == CallbackStatus.COMPLETED
    query = (
        select(
            Call.started_at,
            Call.outcome,
            Call.stage,
            Call.branch,
            Call.problem_group,
            Call.queue_entered_at,
            Call.queue_wait_seconds,
            completed,
        )
        .outerjoin(Callback, Callback.call_id == Call.id)
        .where(
            or_(
                and_(Call.queue_entered_at >= start, Call.queue_entered_at < end),
                and_(Call.queue_entered_at.is_(None), Call.started_at >= start, Call.started_at < end),
            )
        )
    )
    facts = []
    for started, outcome, stage, branch, group, entered, wait, done in session.execute(query):
        if outcome is None and stage != CallStage.CONNECTED:
            continue  # still in the menu or waiting: not a figure yet (the wallboard shows it as waiting)
        facts.append(CallFact(started, outcome or "answered", branch, group, entered, wait, bool(done)))
    return facts


def keys_for(by: str, first: date, last: date) -> list[Any]:
    """Every key a report shows even without calls (each day of the range, each hour…)."""
    if by == "day":
        return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    if by == "hour":
        return list(range(24))
    if by == "weekday_hour":
        return [(d, h) for d in range(7) for h in range(24)]
    if by == "branch":
        return [1, 2]
    return []


def build(
    session: Session,
    first: date,
    last: date,
    by: str = "day",
    threshold: int = 20,
    short_seconds: int = 5,
    formula: str = DEFAULT_FORMULA,
) -> dict[str, Any]:
    """The report as JSON: the whole range and each group."""
    if by not in GROUPINGS:
        raise ReportError(f"`by` is one of: {', '.join(GROUPINGS)}.")
    if formula not in FORMULAS:
        raise ReportError(f"`formula` is one of: {', '.join(FORMULAS)}.")
    if not 1 <= threshold <= 3600:
        raise ReportError("`threshold` is a number of seconds from 1 to 3600.")
    start, end = day_bounds(first, last)
    facts = load_facts(session, start, end)
    groups = grouped(facts, by, threshold, short_seconds, keys_for(by, first, last))
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "by": by,
        "service_level_threshold_seconds": threshold,
        "service_level_formula": formula,
        "short_abandon_seconds": short_seconds,
        "total": totals(facts, threshold, short_seconds).as_json(formula),
        "groups": [{"key": _key(by, key), **t.as_json(formula)} for key, t in _sorted(groups)],
    }


def _sorted(groups: dict[Any, Totals]) -> Iterable[tuple[Any, Totals]]:
    # Keys of one report share a type (dates, hours, (weekday, hour) pairs, branches, groups); None last.
    return sorted(groups.items(), key=lambda item: (item[0] is None, item[0] if item[0] is not None else 0))


def _key(by: str, key: Any) -> Any:
    if by == "weekday_hour" and key is not None:
        weekday, hour = key
        return {"weekday": weekday, "hour": hour}
    return key


CSV_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "ivr_abandoned",
    "abandonment_rate",
    "callbacks_requested",
    "callbacks_completed",
    "voicemails",
    "service_level",
    "asa_seconds",
    "handled",
    "handled_rate",
    "longest_wait_seconds",
)


def to_csv(report: dict[str, Any]) -> str:
    """One row per group and a last row for the whole range; rates in percent."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report["by"], *CSV_COLUMNS])
    for group in report["groups"]:
        key = group["key"]
        label = f"{key['weekday']}-{key['hour']:02d}" if isinstance(key, dict) else ("" if key is None else key)
        writer.writerow([label, *(_cell(group[c]) for c in CSV_COLUMNS)])
    writer.writerow(["total", *(_cell(report["total"][c]) for c in CSV_COLUMNS)])
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value
