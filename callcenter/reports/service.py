"""Reports over a date range: the figures of callcenter/metrics.py per day, hour, weekday × hour,
branch or problem group, as JSON or CSV. Counts only: a report never names a caller.

The database does the counting: one aggregate query sums, per UTC hour (or per branch, or per
problem group), exactly what `metrics.Totals.add` counts per call. Hours that have settled (48 h
old) are summed once into hourly figures (`roll_up`, an hourly job; models/report_hour.py), so a
report reads those for the past and the calls only for the last two days. The hour sums are folded
into Vietnam days, hours and weekday × hour here (exact: Vietnam's offset is a whole number of hours).
`metrics.totals` over the same calls is the reference the tests hold this query to.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Float, and_, case, cast, delete, func, insert, not_, or_, select
from sqlalchemy.orm import Session

from callcenter.common.inputs import FIRST_DAY, LAST_DAY, bounded_day
from callcenter.reports.metrics import (
    DEFAULT_FORMULA,
    FORMULAS,
    GROUPINGS,
    LOCAL_TZ,
    TIME_KEYS,
    WAIT_BUCKET_LABELS,
    WAIT_BUCKETS,
    Totals,
)
from models import Call, Callback, CallbackStatus, CallOutcome, CallStage, Channel
from models.call import COUNTED_AT
from models.report_hour import SUMMED, ReportHour, ReportRollup
from models.sqltime import hour_start, parse_hour, seconds_between

MAX_DAYS = 400


class ReportError(ValueError):
    """A report parameter a person must correct (the message says how)."""


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in Vietnam time."""
    if last < first:
        raise ReportError(_("`to` must not be before `from`."))
    if (last - first).days >= MAX_DAYS:
        raise ReportError(_("A report covers at most %(days)s days.", days=MAX_DAYS))
    return datetime.combine(first, time(), LOCAL_TZ), datetime.combine(last + timedelta(days=1), time(), LOCAL_TZ)


def date_range(raw_from: str | None, raw_to: str | None, today: date) -> tuple[date, date]:
    """A report's days from the request: `from` (default today) to `to` (default `from`), checked."""
    first = bounded_day(raw_from) if raw_from else today
    last = bounded_day(raw_to) if raw_to else first
    if first is None or last is None:
        raise ReportError(
            _("from/to are dates like 2026-11-23, from %(first)s to %(last)s.", first=FIRST_DAY, last=LAST_DAY)
        )
    day_bounds(first, last)  # a reversed or too long range is refused here, with its reason
    return first, last


# -- the aggregate query ------------------------------------------------------------------------
def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum(condition: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def aggregate_columns(threshold: int, short_seconds: int) -> dict[str, Any]:
    """Totals' counters as SQL sums over calls (outer-joined to their callback): `Totals.add`, per row.
    A call counts once its outcome is known; a conversation in progress counts as answered."""
    offered = Call.queue_entered_at.is_not(None)
    outcome = func.coalesce(Call.outcome, CallOutcome.ANSWERED.value)
    wait = case((Call.queue_wait_seconds > 0, Call.queue_wait_seconds), else_=0)
    answered = and_(offered, outcome == CallOutcome.ANSWERED.value)
    abandoned = and_(offered, outcome == CallOutcome.QUEUE_ABANDONED.value)
    callback = and_(offered, outcome == CallOutcome.CALLBACK_REQUESTED.value)
    talked = and_(answered, Call.answered_at.is_not(None), Call.ended_at.is_not(None))
    columns = {
        "offered": _count(offered),
        "answered": _count(answered),
        "abandoned": _count(abandoned),
        "short_abandoned": _count(and_(abandoned, wait < short_seconds)),
        "ivr_abandoned": _count(and_(not_(offered), outcome == CallOutcome.IVR_ABANDONED.value)),
        "callbacks_requested": _count(callback),
        "callbacks_completed": _count(and_(callback, Callback.status == CallbackStatus.COMPLETED.value)),
        "voicemails": _count(and_(offered, outcome == CallOutcome.VOICEMAIL.value)),
        "answered_within": _count(and_(answered, wait <= threshold)),
        "abandoned_within": _count(and_(abandoned, wait <= threshold)),
        "answered_wait_total": _sum(answered, wait),
        "longest_wait": func.coalesce(func.max(case((offered, wait), else_=0)), 0),
        "talked": _count(talked),
        "talk_total": _sum(
            talked, cast(func.round(seconds_between(Call.answered_at, Call.ended_at)), Float)
        ),  # whole seconds
        "wrapup_total": _sum(answered, func.coalesce(Call.wrapup_seconds, 0)),
    }
    lower = -1  # waits are never negative here
    for index, upper in enumerate(WAIT_BUCKETS):
        columns[f"wait_{index}"] = _count(and_(abandoned, wait > lower, wait <= upper))
        lower = upper
    columns["wait_over"] = _count(and_(abandoned, wait > WAIT_BUCKETS[-1]))
    return columns


def counted_calls(start: datetime, end: datetime) -> Any:
    """The calls that count in [start, end): by COUNTED_AT (indexed), with a known outcome or connected
    (calls only: an e-mail contact is counted by the e-mail reports)."""
    return and_(
        COUNTED_AT >= start,
        COUNTED_AT < end,
        Call.channel == Channel.CALL.value,
        or_(Call.outcome.is_not(None), Call.stage == CallStage.CONNECTED.value),
    )


def _totals(values: dict[str, Any]) -> Totals:
    counts = [values[f"wait_{i}"] for i in range(len(WAIT_BUCKETS))] + [values["wait_over"]]
    return Totals(
        **{name: int(values[name]) for name in Totals.COUNTERS},
        longest_wait=int(values["longest_wait"]),
        talk_total=float(values["talk_total"]),
        abandon_waits={label: int(n) for label, n in zip(WAIT_BUCKET_LABELS, counts, strict=True) if n},
    )


HOURLY = ("day", "hour", "weekday_hour")
COLUMN_OF = {"branch": Call.branch, "group": Call.problem_group}
ROLLED_COLUMN_OF = {"branch": ReportHour.branch, "group": ReportHour.problem_group}


def _sums_from_calls(start: datetime, end: datetime, threshold: int, short_seconds: int, *keys: Any) -> Any:
    """SELECT keys, sums FROM calls (+ their callback) counted in [start, end) GROUP BY keys."""
    columns = aggregate_columns(threshold, short_seconds)
    return (
        select(*keys, *columns.values())
        .select_from(Call)
        .outerjoin(Callback, Callback.call_id == Call.id)
        .where(counted_calls(start, end))
        .group_by(*keys)
    )


def _raw_rows(
    session: Session, start: datetime, end: datetime, by: str, threshold: int, short_seconds: int
) -> Iterable[Sequence[Any]]:
    """(key, *sums) per UTC hour (or branch, or group) straight from the calls."""
    key = hour_start(COUNTED_AT) if by in HOURLY else COLUMN_OF[by]
    return session.execute(_sums_from_calls(start, end, threshold, short_seconds, key)).tuples()


def totals_by_agent(
    session: Session, start: datetime, end: datetime, threshold: int = 20, short_seconds: int = 5
) -> dict[int | None, Totals]:
    """The same figures from the same calls per agent who took them (the call's agent; for a callback,
    the agent who called back; None: nobody recorded). Summed they are the report's total for [start, end)."""
    key = func.coalesce(Call.agent_id, Callback.agent_id)
    rows = session.execute(_sums_from_calls(start, end, threshold, short_seconds, key)).tuples()
    return {agent: _totals(dict(zip(SUMMED, values, strict=True))) for agent, *values in rows}


def _rolled_rows(
    session: Session, start: datetime, end: datetime, by: str, threshold: int, short_seconds: int
) -> Iterable[Sequence[Any]]:
    """The same sums from the hourly figures (models/report_hour.py)."""
    key = ReportHour.hour if by in HOURLY else ROLLED_COLUMN_OF[by]
    sums = [(func.max if name == "longest_wait" else func.sum)(getattr(ReportHour, name)) for name in SUMMED]
    query = (
        select(key, *sums)
        .where(
            ReportHour.threshold == threshold,
            ReportHour.short_seconds == short_seconds,
            ReportHour.hour >= start,
            ReportHour.hour < end,
        )
        .group_by(key)
    )
    return session.execute(query).tuples()


def _rollup_state(session: Session, threshold: int, short_seconds: int) -> ReportRollup | None:
    query = select(ReportRollup).where(ReportRollup.threshold == threshold, ReportRollup.short_seconds == short_seconds)
    return session.scalars(query).first()


def rolled_until(session: Session, threshold: int, short_seconds: int) -> datetime | None:
    """Every hour before this has hourly figures for these settings (None: none yet)."""
    state = _rollup_state(session, threshold, short_seconds)
    return None if state is None else state.complete_until


def hour_floor(moment: datetime) -> datetime:
    """The start of the UTC hour `moment` falls in."""
    return datetime.fromtimestamp(moment.timestamp() // 3600 * 3600, tz=UTC)


def aggregate(
    session: Session, start: datetime, end: datetime, by: str, threshold: int = 20, short_seconds: int = 5
) -> dict[Any, Totals]:
    """Totals per key of `by` for the calls counted in [start, end): the hourly figures where they
    are complete for these settings, the calls themselves after that (and for other settings)."""
    done = rolled_until(session, threshold, short_seconds)
    parts = []
    if done is not None and start < done:
        parts.append(_rolled_rows(session, start, min(end, done), by, threshold, short_seconds))
        start = max(start, done)
    if start < end:
        parts.append(_raw_rows(session, start, end, by, threshold, short_seconds))
    longest = SUMMED.index("longest_wait")
    sums: dict[Any, list[Any]] = {}
    local_keys: dict[Any, Any] = {}  # an hour's key, worked out once
    for rows in parts:
        for key, *values in rows:
            if by in HOURLY:
                if key not in local_keys:
                    local_keys[key] = TIME_KEYS[by](parse_hour(key).astimezone(LOCAL_TZ))
                key = local_keys[key]
            current = sums.get(key)
            if current is None:
                sums[key] = [v or 0 for v in values]
                continue
            for i, value in enumerate(values):
                value = value or 0
                current[i] = max(current[i], value) if i == longest else current[i] + value
    return {key: _totals(dict(zip(SUMMED, values, strict=True))) for key, values in sums.items()}


def roll_up(
    session: Session,
    now: datetime,
    threshold: int,
    short_seconds: int,
    settle: timedelta = timedelta(hours=48),
    redo: timedelta = timedelta(days=7),
) -> int:
    """Write the hourly figures of the hours that have settled (older than `settle`: callbacks retried,
    wrap-ups saved), recomputing the last `redo` of them so late changes are taken in. Returns the
    number of hourly rows written. Idempotent: run it as often as you like."""
    until = hour_floor(now - settle)
    state = _rollup_state(session, threshold, short_seconds)
    if state is not None:
        begin = state.complete_until - redo
    else:
        oldest = session.scalar(select(func.min(COUNTED_AT)))
        if oldest is None:
            return 0
        begin = hour_floor(oldest)
    if begin >= until:
        return 0
    query = _sums_from_calls(
        begin, until, threshold, short_seconds, hour_start(COUNTED_AT), Call.branch, Call.problem_group
    )
    rows = [
        {
            "threshold": threshold,
            "short_seconds": short_seconds,
            "hour": parse_hour(key),
            "branch": branch,
            "problem_group": group,
            **{name: value or 0 for name, value in zip(SUMMED, values, strict=True)},
        }
        for key, branch, group, *values in session.execute(query).tuples()
    ]
    session.execute(
        delete(ReportHour).where(
            ReportHour.threshold == threshold,
            ReportHour.short_seconds == short_seconds,
            ReportHour.hour >= begin,
            ReportHour.hour < until,
        )
    )
    if rows:
        session.execute(insert(ReportHour), rows)
    if state is None:
        state = ReportRollup(threshold=threshold, short_seconds=short_seconds, complete_until=until, rolled_at=now)
        session.add(state)
    state.complete_until, state.rolled_at = max(state.complete_until, until), now
    session.flush()
    return len(rows)


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
        raise ReportError(_("`by` is one of: %(choices)s.", choices=", ".join(GROUPINGS)))
    if formula not in FORMULAS:
        raise ReportError(_("`formula` is one of: %(choices)s.", choices=", ".join(FORMULAS)))
    if not 1 <= threshold <= 3600:
        raise ReportError(_("`threshold` is a number of seconds from 1 to 3600."))
    start, end = day_bounds(first, last)
    groups = {key: Totals() for key in keys_for(by, first, last)}
    for key, figures in aggregate(session, start, end, by, threshold, short_seconds).items():
        groups.setdefault(key, Totals()).merge(figures)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "by": by,
        "service_level_threshold_seconds": threshold,
        "service_level_formula": formula,
        "short_abandon_seconds": short_seconds,
        "total": sum_totals(groups.values()).as_json(formula),
        "groups": [{"key": _key(by, key), **t.as_json(formula)} for key, t in _sorted(groups)],
    }


def sum_totals(parts: Iterable[Totals]) -> Totals:
    """The figures of several groups together."""
    result = Totals()
    for part in parts:
        result.merge(part)
    return result


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
    "aht_seconds",
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
