"""The answer base's figures (issue 16): what businesses ask, which answers are reused, and whether an
answer shortens the call. Counts and durations only: a report never names a caller.

- Top questions: the branch-2 tickets wrapped up in the period (Vietnam days), counted per business code
  and per problem group, each with the answer entries used on those tickets (`AnswerUse`).
- Answers reused: per entry, its uses recorded in the period (`AnswerUse.at`) on how many tickets; an
  entry is "reused" when it served two tickets or more.
- Did it help: per entry, the public page's "this helped" / "did not help" answers dated in the period
  (`AnswerFeedback.at`), next to the entry's all-time counters; and the period's totals.
- Handle time: the branch-2 calls counted in the period (the service report's rule, `counted_calls`) split
  by whether an answer entry was used on their ticket. AHT = (talk + after-call work) / calls that were
  talked to, exactly as the service report computes it: the same SQL (`aggregate_columns`), grouped by
  "an answer was used". Branch 2 only: the answer base never serves branch 1, so those calls are no
  comparison.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from callcenter.reports.metrics import Totals
from callcenter.reports.service import _sums_from_calls, _totals, day_bounds
from models import AnswerEntry, AnswerFeedback, AnswerUse, Call, Ticket
from models.report_hour import SUMMED

TOP_ENTRIES = 5  # answer entries listed per business code or group


def handle_time(
    session: Session, start: datetime, end: datetime, threshold: int = 20, short_seconds: int = 5
) -> dict[bool, Totals]:
    """{True: the branch-2 calls on whose ticket an answer was used, False: the others} counted in
    [start, end): the service report's sums (so AHT is its AHT)."""
    used = select(AnswerUse.ticket_id).distinct().subquery()
    with_answer = case((used.c.ticket_id.is_not(None), 1), else_=0)
    query = (
        _sums_from_calls(start, end, threshold, short_seconds, with_answer)
        .outerjoin(Ticket, Ticket.call_id == Call.id)
        .outerjoin(used, used.c.ticket_id == Ticket.id)
        .where(Call.branch == 2)
    )
    result = {True: Totals(), False: Totals()}
    for key, *values in session.execute(query).tuples():
        result[bool(key)] = _totals(dict(zip(SUMMED, values, strict=True)))
    return result


def aht_figures(totals: Totals) -> dict[str, Any]:
    figures = totals.as_json()
    return {"calls": totals.answered, "talked": totals.talked, "aht_seconds": figures["aht_seconds"]}


def compare(with_answer: dict[str, Any], without: dict[str, Any]) -> float | None:
    """How much shorter, in percent, calls with an answer are than calls without (None: no AHT for one)."""
    a, b = with_answer["aht_seconds"], without["aht_seconds"]
    return round(100 * (b - a) / b, 1) if a is not None and b else None


def _top(session: Session, start: datetime, end: datetime, column: Any) -> list[dict[str, Any]]:
    """Per value of `column` (a ticket's business code or problem group): the branch-2 tickets wrapped up
    in [start, end), how many had an answer used, and the entries used most."""
    wrapped = (Ticket.branch == 2, Ticket.wrapped_up_at >= start, Ticket.wrapped_up_at < end, column.is_not(None))
    counts = session.execute(select(column, func.count()).where(*wrapped).group_by(column)).tuples()
    used_rows = session.execute(
        select(column, AnswerEntry.id, AnswerEntry.title, func.count(func.distinct(Ticket.id)))
        .join(AnswerUse, AnswerUse.ticket_id == Ticket.id)
        .join(AnswerEntry, AnswerEntry.id == AnswerUse.entry_id)
        .where(*wrapped)
        .group_by(column, AnswerEntry.id, AnswerEntry.title)
    ).tuples()
    answered = session.execute(
        select(column, func.count(func.distinct(Ticket.id)))
        .join(AnswerUse, AnswerUse.ticket_id == Ticket.id)
        .where(*wrapped)
        .group_by(column)
    ).tuples()
    entries: dict[str, list[dict[str, Any]]] = {}
    for key, entry_id, title, tickets in used_rows:
        entries.setdefault(key, []).append({"entry_id": entry_id, "title": title, "tickets": tickets})
    with_answer = {key: n for key, n in answered}
    rows = [
        {
            "key": key,
            "tickets": count,
            "tickets_with_answer": with_answer.get(key, 0),
            "entries": sorted(entries.get(key, []), key=lambda e: (-e["tickets"], e["entry_id"]))[:TOP_ENTRIES],
        }
        for key, count in counts
    ]
    return sorted(rows, key=lambda r: (-r["tickets"], r["key"]))


def reused(
    session: Session, start: datetime, end: datetime, votes: dict[int, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Per entry used in [start, end): uses, tickets, its counters of all time (uses, helped) and its
    "did this help?" answers dated in the period (`votes`: `feedback()`'s, read when not given)."""
    rows = session.execute(
        select(
            AnswerEntry.id,
            AnswerEntry.title,
            AnswerEntry.problem_group,
            AnswerEntry.business_codes,
            func.count(),
            func.count(func.distinct(AnswerUse.ticket_id)),
            AnswerEntry.uses,
            AnswerEntry.helped,
            AnswerEntry.not_helped,
        )
        .join(AnswerUse, AnswerUse.entry_id == AnswerEntry.id)
        .where(AnswerUse.at >= start, AnswerUse.at < end)
        .group_by(AnswerEntry.id)
    ).tuples()
    result = [
        {
            "entry_id": entry_id,
            "title": title,
            "problem_group": group,
            "business_codes": list(codes or []),
            "uses": uses,
            "tickets": tickets,
            "uses_all_time": all_time or 0,
            "helped": helped or 0,
            "not_helped": not_helped or 0,
        }
        for entry_id, title, group, codes, uses, tickets, all_time, helped, not_helped in rows
    ]
    votes = feedback(session, start, end) if votes is None else votes
    for row in result:
        vote = votes.get(row["entry_id"], {})
        row["helped_in_period"], row["not_helped_in_period"] = vote.get("helped", 0), vote.get("not_helped", 0)
    return sorted(result, key=lambda r: (-r["uses"], r["entry_id"]))


def feedback(session: Session, start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
    """Per entry with "did this help?" answers dated in [start, end): those answers, helped and not, next
    to its all-time counters."""
    helped = func.sum(case((AnswerFeedback.helped == true(), 1), else_=0))
    rows = session.execute(
        select(
            AnswerEntry.id,
            AnswerEntry.title,
            helped,
            func.count() - helped,
            AnswerEntry.helped,
            AnswerEntry.not_helped,
        )
        .join(AnswerFeedback, AnswerFeedback.entry_id == AnswerEntry.id)
        .where(AnswerFeedback.at >= start, AnswerFeedback.at < end)
        .group_by(AnswerEntry.id)
    ).tuples()
    return {
        entry_id: {
            "entry_id": entry_id,
            "title": title,
            "helped": int(yes or 0),
            "not_helped": int(no or 0),
            "helped_all_time": all_yes or 0,
            "not_helped_all_time": all_no or 0,
        }
        for entry_id, title, yes, no, all_yes, all_no in rows
    }


def build_answers(
    session: Session, first: date, last: date, threshold: int = 20, short_seconds: int = 5
) -> dict[str, Any]:
    """The "Answers" report as JSON for the Vietnam days first…last."""
    start, end = day_bounds(first, last)
    split = handle_time(session, start, end, threshold, short_seconds)
    with_answer, without = aht_figures(split[True]), aht_figures(split[False])
    by_entry = feedback(session, start, end)
    entries = reused(session, start, end, by_entry)
    votes = sorted(by_entry.values(), key=lambda r: (-r["helped"], -r["not_helped"], r["entry_id"]))
    return {
        "kind": "answers",
        "from": first.isoformat(),
        "to": last.isoformat(),
        "by_business_code": _top(session, start, end, Ticket.business_code),
        "by_group": _top(session, start, end, Ticket.problem_group),
        "reused": entries,
        "entries_used": len(entries),
        "entries_reused": sum(1 for e in entries if e["tickets"] >= 2),
        "uses": sum(e["uses"] for e in entries),
        "feedback": votes,
        "helped": sum(v["helped"] for v in votes),
        "not_helped": sum(v["not_helped"] for v in votes),
        "handle_time": {
            "with_answer": with_answer,
            "without_answer": without,
            "shorter_percent": compare(with_answer, without),
        },
    }


def answers_csv(report: dict[str, Any]) -> str:
    """Sections: handle time, top business codes, top groups, answers reused, did it help (a blank line
    between)."""
    out = io.StringIO()
    writer = csv.writer(out)
    ht = report["handle_time"]
    writer.writerow(["handle_time", "calls", "talked", "aht_seconds"])
    for name in ("with_answer", "without_answer"):
        row = ht[name]
        writer.writerow([name, row["calls"], row["talked"], _cell(row["aht_seconds"])])
    writer.writerow(["shorter_percent", _cell(ht["shorter_percent"])])
    for section in ("by_business_code", "by_group"):
        writer.writerow([])
        writer.writerow([section, "tickets", "tickets_with_answer", "entries_used"])
        for row in report[section]:
            used = " ".join(f"#{e['entry_id']}×{e['tickets']}" for e in row["entries"])
            writer.writerow([row["key"], row["tickets"], row["tickets_with_answer"], used])
    writer.writerow([])
    writer.writerow(
        [
            "entry_id",
            "title",
            "problem_group",
            "business_codes",
            "uses",
            "tickets",
            "helped",
            "not_helped",
            "helped_in_period",
            "not_helped_in_period",
        ]
    )
    for e in report["reused"]:
        writer.writerow(
            [
                e["entry_id"],
                e["title"],
                e["problem_group"] or "",
                " ".join(e["business_codes"]),
                e["uses"],
                e["tickets"],
                e["helped"],
                e["not_helped"],
                e["helped_in_period"],
                e["not_helped_in_period"],
            ]
        )
    writer.writerow([])
    writer.writerow(["feedback_entry_id", "title", "helped", "not_helped", "helped_all_time", "not_helped_all_time"])
    for v in report["feedback"]:
        row = [v["entry_id"], v["title"], v["helped"], v["not_helped"], v["helped_all_time"], v["not_helped_all_time"]]
        writer.writerow(row)
    writer.writerow(["feedback_total", "", report["helped"], report["not_helped"]])
    if report.get("levers"):  # the forecast's levers, measured or assumed (callcenter/reports/levers.py)
        writer.writerow([])
        writer.writerow(["lever", "value", "source"])
        for name, lever in report["levers"].items():
            writer.writerow([name, lever["value"], lever["source"]])
    return out.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value
