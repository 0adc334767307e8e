"""Demo answer base (issue 16): nearly thirty published answers written for this project, for the four
problem groups (accounts and digital signatures, system incidents, National/ASEAN Single Window, the 2025
boundary change and tax-code sync), Vietnamese with some English versions, entered through the real
`AnswerService` (checked, folded for search, published), each with a few uses on the demo's branch-2
calls of its group and "did this help?" answers (dated, spread over the demo's days of history, as its
counters say), so `make demo` shows the answer base on the desk, the
public page and the reports. Never in production (prepare_demo refuses). The texts are demo content,
not the department's official guidance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.answers.service import AnswerService
from callcenter.common.clock import Clock
from callcenter.ops.demo_answers_procedures import BOUNDARY, SINGLE_WINDOW
from callcenter.ops.demo_answers_texts import ACCOUNTS, INCIDENTS, PORTAL, Entry
from models import AnswerEntry, Ticket, TicketOutcome

DEMO_ANSWERS: tuple[Entry, ...] = ACCOUNTS + INCIDENTS + SINGLE_WINDOW + BOUNDARY


def seed_answers(session: Session, clock: Clock, by: str = "supervisor", days: int = 3) -> Iterator[str]:
    """Publish the demo answers (when the base is empty) and record their uses on the demo's branch-2
    tickets of their group, and their "did this help?" answers dated over the last `days` (the demo's
    history)."""
    if session.scalar(select(func.count()).select_from(AnswerEntry)):
        return
    service = AnswerService(session, clock)
    tickets = _tickets_by_group(session)
    taken: dict[str, int] = {}
    uses = 0
    now = clock.now()
    since = now - timedelta(days=days)
    for group, codes, language, title, question, answer, used, helped, not_helped, valid_from in DEMO_ANSWERS:
        fields: dict[str, Any] = {
            "title": title,
            "question": question,
            "answer": answer,
            "business_codes": list(codes),
            "problem_group": group,
            "language": language,
            "links": [PORTAL],
        }
        if valid_from is not None:
            fields["valid_from"] = valid_from
        entry = service.create(by=by, status="published", **fields)
        entry.created_at = entry.updated_at = entry.published_at = since  # published before its votes
        pool = tickets.get(group, [])
        for _ in range(used):
            if taken.get(group, 0) < len(pool):
                ticket = pool[taken.get(group, 0)]
                taken[group] = taken.get(group, 0) + 1
                uses += _use(service, entry.id, codes, ticket)
        votes = [True] * helped + [False] * not_helped
        for k, vote in enumerate(votes):
            service.feedback(entry.id, vote, at=_vote_time(since, now, k, len(votes)))
    session.commit()
    yield f"seeded {len(DEMO_ANSWERS)} published answers, used on {uses} demo calls"


def _vote_time(since: datetime, now: datetime, k: int, n: int) -> datetime:
    """The k-th of n votes, spread evenly over (since, now) (helped first, then not: the order is not
    information)."""
    return since + (now - since) * (k + 1) / (n + 1)


def _tickets_by_group(session: Session) -> dict[str, list[Ticket]]:
    """The demo's resolved branch-2 tickets per problem group (newest first): where answers were used."""
    rows = session.scalars(
        select(Ticket)
        .where(Ticket.branch == 2, Ticket.outcome == TicketOutcome.RESOLVED.value, Ticket.problem_group.is_not(None))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    result: dict[str, list[Ticket]] = {}
    for ticket in rows:
        result.setdefault(ticket.problem_group or "", []).append(ticket)
    return result


def _use(service: AnswerService, entry_id: int, codes: tuple[str, ...], ticket: Ticket) -> bool:
    """The answer used on a demo call: its wrap-up names the entry's first business code (the demo's
    history has no wrap-ups of its own)."""
    if ticket.business_code is None and codes:
        ticket.business_code = codes[0]
    if ticket.wrapped_up_at is None:
        ticket.wrapped_up_at = ticket.closed_at or ticket.created_at
    return service.record_use(entry_id, ticket.id, ticket.agent_id)
