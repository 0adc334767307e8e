"""What the answer-base data tests share (issue 16): calls, wrap-ups and answer uses written as rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import AnswerEntry, AnswerFeedback, AnswerStatus, AnswerUse, Call, Ticket, db


def entry(
    title: str, *, group: str = "accounts", codes: tuple[str, ...] = (), at: datetime, **fields: object
) -> AnswerEntry:
    row = AnswerEntry(
        status=AnswerStatus.PUBLISHED.value,
        title=title,
        question=f"Hỏi: {title}",
        answer=f"Trả lời: {title}",
        business_codes=list(codes),
        codes_text=f" {' '.join(codes)} " if codes else "",
        problem_group=group,
        created_at=at,
        updated_at=at,
        published_at=at,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def answered_call(
    n: int,
    entered: datetime,
    *,
    talk: int,
    wrapup: int | None,
    branch: int = 2,
    group: str | None = None,
    code: str | None = None,
    used: tuple[AnswerEntry, ...] = (),
    outcome: str = "answered",
) -> Ticket:
    """A call that waited 10 s, talked `talk` s and was wrapped up `wrapup` s later, with its ticket and
    the answer entries used on it (recorded at the wrap-up)."""
    answered = entered + timedelta(seconds=10) if outcome == "answered" else None
    ended = (answered or entered) + timedelta(seconds=talk if answered else 10)
    call = Call(
        call_sid=f"CA{n:032d}",
        started_at=entered - timedelta(seconds=30),
        stage="ended",
        outcome=outcome,
        branch=branch,
        problem_group=group,
        queue_entered_at=entered,
        queue_wait_seconds=10,
        answered_at=answered,
        ended_at=ended,
        wrapup_seconds=wrapup if answered else None,
    )
    wrapped = ended + timedelta(seconds=wrapup or 0) if answered else None
    ticket = Ticket(
        call=call,
        branch=branch,
        problem_group=group,
        business_code=code,
        outcome="resolved" if answered else "abandoned_queue",
        wrapped_up_at=wrapped,
        created_at=call.started_at,
    )
    db.session.add_all([call, ticket])
    db.session.flush()
    for e in used:
        db.session.add(AnswerUse(entry_id=e.id, ticket_id=ticket.id, at=wrapped or ended))
    db.session.flush()
    return ticket


def votes(e: AnswerEntry, first: datetime, *, helped: int = 0, not_helped: int = 0, step: int = 60) -> datetime:
    """`helped` then `not_helped` "did this help?" answers on `e`, one every `step` seconds from `first`,
    as AnswerService.feedback writes them (a dated row and the counter); returns the last one's time."""
    at = first
    for n, vote in enumerate([True] * helped + [False] * not_helped):
        at = first + timedelta(seconds=step * n)
        db.session.add(AnswerFeedback(entry_id=e.id, at=at, helped=vote, source="public"))
    e.helped, e.not_helped = (e.helped or 0) + helped, (e.not_helped or 0) + not_helped
    db.session.flush()
    return at
