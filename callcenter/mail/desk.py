"""Blended work (issue 15): the e-mail on an agent's desk, and what she does with it.

The offer. An agent who is AVAILABLE, with no e-mail on her desk, and no caller or due callback waiting that
she is skilled for (calls come first: `queue.dispatch`'s own queue and skill rule), is given the oldest
e-mail in the backlog (state new, by `waiting_since`) she is skilled for: its branch (branch 1 only to
branch_1 agents), for branch 2 its problem group when one is set, and its language, as calls are matched.
The offer is lazy: the softphone page asks for her desk's e-mail every few seconds (GET /agent/api/mail),
and that request makes the offer. A claim is a compare-and-set (UPDATE … WHERE state = 'new'), so two
agents asking at once never get the same e-mail, on PostgreSQL (the second UPDATE waits for the first's
row lock and then matches nothing) and on SQLite (one writer). "One at a time" is checked before the
claim (two tabs of the same agent asking in the same instant could, at worst, both be given one).

She stays AVAILABLE for calls: a call still rings her, and the e-mail (with its draft) stays on her desk
through the call and its wrap-up. When she goes on a break or logs off, the e-mail goes back to the
backlog with its place (`waiting_since`) and its draft (`return_mail`, called by the agents' state machine).
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from callcenter.answers.service import AnswerError, AnswerService
from callcenter.common.clock import Clock
from callcenter.mail.contact import add_event
from callcenter.mail.outbox import Outbox
from callcenter.mail.settings import MailSettings
from callcenter.mail.thread import message_text
from callcenter.mail.threading import REFERENCE_RE, reference
from callcenter.queue.callbacks import CallbackPolicy
from callcenter.queue.dispatch import Dispatcher, IdleAgent, skilled_for
from callcenter.rota.service import RotaService
from callcenter.rota.staff import is_active
from models import (
    Agent,
    AgentState,
    AnswerEntry,
    AnswerStatus,
    Call,
    Direction,
    EventKind,
    MailMessage,
    MailState,
    MailWork,
    OutboundKind,
    Ticket,
    TicketOutcome,
    TicketStatus,
)

WORK = MailWork.__table__
MAX_DRAFT = 20_000
CANDIDATES = 5  # rows read per offer: the next ones when another agent took the first meanwhile
RE_PREFIX = re.compile(r"^\s*((re|aw|tl|trả lời|fw|fwd)\s*:\s*)+", re.IGNORECASE)


class MailDeskError(ValueError):
    """An e-mail action that cannot be done now (the message says why, for the agent); `status` 409 or 400."""

    def __init__(self, message: str, status: int = 409, code: str = "not_now") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def reply_subject(subject: str | None, ticket_id: int) -> str:
    """ "Re: <the customer's subject> [1900 9299 #<id>]": one Re:, one reference."""
    bare = RE_PREFIX.sub("", REFERENCE_RE.sub(" ", subject or "")).strip()  # intake's reference pattern
    return f"Re: {bare} {reference(ticket_id)}".replace("  ", " ") if bare else f"Re: {reference(ticket_id)}"


def return_mail(session: Session, agent: Agent, at: datetime, why: str) -> MailWork | None:
    """The e-mail on `agent`'s desk goes back to the backlog, in its place, with its draft (she went on a
    break or logged off). Called by the agents' state machine."""
    work = current_work(session, agent.id)
    if work is None:
        return None
    work.state, work.agent_id, work.assigned_at = MailState.NEW.value, None, None
    call_id = session.scalar(select(Ticket.call_id).where(Ticket.id == work.ticket_id))
    add_event(session, call_id, EventKind.MAIL_RETURNED.value, at, agent=agent.identity, agent_state=why)
    session.flush()
    return work


def current_work(session: Session, agent_id: int) -> MailWork | None:
    """The e-mail on the agent's desk (one at a time)."""
    query = select(MailWork).where(MailWork.agent_id == agent_id, MailWork.state == MailState.ASSIGNED.value)
    return session.scalars(query.order_by(MailWork.assigned_at)).first()


class MailDesk:
    """The blended offer and the agent's e-mail actions (the caller of these commits)."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        settings: MailSettings,
        callbacks: CallbackPolicy | None = None,
    ) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.callbacks = callbacks or CallbackPolicy()

    # -- the offer ---------------------------------------------------------------------------
    def offer(self, agent: Agent) -> MailWork | None:
        """Her e-mail: the one on her desk, or the oldest she may be given now (None: none, or calls first)."""
        work = current_work(self.session, agent.id)
        if work is not None or agent.state != AgentState.AVAILABLE or not is_active(self.session, agent):
            return work
        if self.calls_waiting_for(agent):
            return None
        now = self.clock.now()
        for ticket_id, call_id in self.session.execute(self._backlog_for(agent).limit(CANDIDATES)).all():
            claimed = self.session.execute(
                update(WORK)
                .where(WORK.c.ticket_id == ticket_id, WORK.c.state == MailState.NEW.value)
                .values(state=MailState.ASSIGNED.value, agent_id=agent.id, assigned_at=now)
            ).rowcount
            if claimed == 1:
                add_event(self.session, call_id, EventKind.MAIL_OFFERED.value, now, agent=agent.identity)
                self.session.flush()
                self.session.expire_all()
                return self.session.get(MailWork, ticket_id)
        return None

    def calls_waiting_for(self, agent: Agent) -> bool:
        """Calls first: a caller in a queue (or a due callback) she is skilled for, not offered to anyone."""
        dispatcher = Dispatcher(self.session, self.clock, RotaService(self.session, self.clock), self.callbacks)
        me = IdleAgent(agent.id, agent.identity, frozenset(agent.skills or []), agent.idle_since or agent.state_since)
        return any(skilled_for(me, call) for call in dispatcher.waiting_calls())

    @staticmethod
    def _backlog_for(agent: Agent) -> Select[tuple[int, int]]:
        """The backlog she is skilled for, oldest first (the same rule as calls: `dispatch.skilled_for`)."""
        skills = list(agent.skills or [])
        branches = [b for b in (1, 2) if f"branch_{b}" in skills]
        return (
            select(MailWork.ticket_id, Ticket.call_id)
            .join(Ticket, Ticket.id == MailWork.ticket_id)
            .where(
                MailWork.state == MailState.NEW.value,
                MailWork.branch.in_(branches),
                MailWork.language.in_(skills),
                or_(MailWork.branch != 2, MailWork.problem_group.is_(None), MailWork.problem_group.in_(skills)),
            )
            .order_by(MailWork.waiting_since, MailWork.ticket_id)
        )

    # -- her actions -----------------------------------------------------------------------------
    def mine(self, agent: Agent, ticket_id: object) -> tuple[MailWork, Ticket, Call]:
        """The e-mail `ticket_id` if it is on her desk (else MailDeskError: it changed meanwhile)."""
        if isinstance(ticket_id, bool) or not isinstance(ticket_id, int):
            raise MailDeskError(_("Say which e-mail: ticket_id is the ticket's number."), 400, "bad_input")
        work = current_work(self.session, agent.id)
        if work is None or work.ticket_id != ticket_id:
            raise MailDeskError(_("This e-mail is no longer on your desk; look again."))
        ticket = self.session.get(Ticket, ticket_id)
        assert ticket is not None
        return work, ticket, ticket.call

    def save_draft(self, agent: Agent, ticket_id: object, draft: object) -> MailWork:
        if not isinstance(draft, str):
            raise MailDeskError(_("The draft is text."), 400, "bad_input")
        if len(draft) > MAX_DRAFT:
            raise MailDeskError(_("The answer is too long (at most %(n)s characters).", n=MAX_DRAFT), 400, "too_long")
        work, _ticket, _call = self.mine(agent, ticket_id)
        work.draft, work.draft_saved_at = draft, self.clock.now()
        return work

    def reply(
        self, agent: Agent, ticket_id: object, body: object, *, waiting: bool = False, answer_id: object = None
    ) -> MailMessage:
        """Send her answer to the sender (queued in the outbox, threaded), and the work is answered (or
        waiting for the customer). `answer_id`: the answer base's published entry she used (issue 16),
        recorded on the ticket in the same transaction (once per ticket); branch-1 mail never uses one."""
        if not isinstance(body, str) or not body.strip():
            raise MailDeskError(_("Write the answer first."), 400, "empty")
        if len(body) > MAX_DRAFT:
            raise MailDeskError(_("The answer is too long (at most %(n)s characters).", n=MAX_DRAFT), 400, "too_long")
        work, ticket, call = self.mine(agent, ticket_id)
        if answer_id is not None:
            self._answer_used(answer_id, call.branch if call.branch is not None else work.branch)
        inbound = self.session.scalars(
            select(MailMessage)
            .where(MailMessage.ticket_id == ticket.id, MailMessage.direction == Direction.IN.value)
            .order_by(MailMessage.at.desc(), MailMessage.id.desc())
        ).all()
        last = inbound[0] if inbound else None
        to = (last.party if last else None) or call.from_raw
        if not to:
            raise MailDeskError(_("This e-mail has no sender address to answer."), 409, "no_sender")
        chain = (last.references or "").split() if last else []
        chain = [r.strip("<>") for r in chain] + ([last.message_id] if last else [])
        now = self.clock.now()
        first_subject = next((m.subject for m in reversed(inbound) if m.subject), None)
        row = Outbox(self.session, self.settings).queue(
            ticket,
            kind=OutboundKind.REPLY.value,
            to=to,
            subject=reply_subject(first_subject, ticket.id),
            body_text=body.strip(),
            at=now,
            in_reply_to=last.message_id if last else None,
            references=list(dict.fromkeys(chain)),
            by_agent_id=agent.id,
        )
        work.state = (MailState.WAITING if waiting else MailState.ANSWERED).value
        work.first_response_at = work.first_response_at or now
        work.answered_at, work.draft, work.draft_saved_at = now, None, None
        ticket.answer = body.strip()
        question = message_text(inbound[-1])[:4000] if inbound else ""
        if question and (not ticket.question or ticket.question == (first_subject or "")[:4000]):
            ticket.question = question  # the mail's text, no longer intake's headline (its subject)
        ticket.agent_id = agent.id
        ticket.outcome = (TicketOutcome.FOLLOW_UP if waiting else TicketOutcome.RESOLVED).value
        if isinstance(answer_id, int):
            try:
                AnswerService(self.session, self.clock).record_use(answer_id, ticket.id, agent.id)
            except AnswerError as exc:
                raise MailDeskError(exc.message, 400, "bad_answer") from exc
        add_event(self.session, call.id, EventKind.MAIL_REPLIED.value, now, agent=agent.identity, state=work.state)
        self.session.flush()
        return row

    def _answer_used(self, answer_id: object, branch: int | None) -> None:
        """The answer she says she used: a published entry, on a branch-2 e-mail (as the call's wrap-up)."""
        if branch != 2:
            raise MailDeskError(_("Branch-1 e-mails do not use the answer base."), 400, "bad_answer")
        if isinstance(answer_id, bool) or not isinstance(answer_id, int) or not 0 < answer_id < 2**31:
            raise MailDeskError(_("Choose an answer from the list."), 400, "bad_answer")
        entry = self.session.get(AnswerEntry, answer_id)
        if entry is None or entry.status != AnswerStatus.PUBLISHED.value:
            raise MailDeskError(_("This answer is not published: choose one from the list."), 400, "bad_answer")

    def set_state(self, agent: Agent, ticket_id: object, state: object, note: object = None) -> MailWork:
        """Waiting for the customer, escalated to central support, or closed: it leaves her desk."""
        if state not in (MailState.WAITING.value, MailState.ESCALATED.value, MailState.CLOSED.value):
            raise MailDeskError(_("Choose waiting, escalated or closed."), 400, "bad_state")
        if note is not None and not isinstance(note, str):
            raise MailDeskError(_("The note is text."), 400, "bad_input")
        work, ticket, call = self.mine(agent, ticket_id)
        now = self.clock.now()
        work.state = str(state)
        ticket.agent_id = agent.id
        if state == MailState.ESCALATED.value:
            ticket.outcome, ticket.status, ticket.closed_at = (
                TicketOutcome.ESCALATED.value,
                TicketStatus.OPEN.value,
                None,
            )
        elif state == MailState.CLOSED.value:
            ticket.status, ticket.closed_at = TicketStatus.CLOSED.value, now
            ticket.outcome = ticket.outcome or TicketOutcome.RESOLVED.value
        else:
            ticket.outcome = TicketOutcome.FOLLOW_UP.value
        if note and note.strip():
            ticket.notes = ((ticket.notes or "") + "\n" + note.strip()[:1000]).strip()
        add_event(self.session, call.id, EventKind.MAIL_STATE.value, now, agent=agent.identity, state=work.state)
        self.session.flush()
        return work

    def reclassify(self, agent: Agent, ticket_id: object, branch: object) -> MailWork:
        """A denunciation by mail: branch 1 on the contact, the ticket and the work. From now on only
        investigators see its sender (and only investigators, or the branch-1 agent it is offered to, its
        text). An agent without the branch_1 skill loses it: it goes back to the backlog for a branch-1 agent."""
        if branch != 1:
            raise MailDeskError(_("An e-mail can be moved to branch 1 (a denunciation) only."), 400, "bad_branch")
        work, ticket, call = self.mine(agent, ticket_id)
        now = self.clock.now()
        before = work.branch
        for row in (work, ticket, call):
            row.branch, row.problem_group = 1, None
        keeps = "branch_1" in (agent.skills or [])
        if not keeps:
            work.state, work.agent_id, work.assigned_at = MailState.NEW.value, None, None
        add_event(
            self.session, call.id, EventKind.RECLASSIFIED.value, now, agent=agent.identity, from_branch=before, branch=1
        )
        if not keeps:
            add_event(self.session, call.id, EventKind.MAIL_RETURNED.value, now, agent=agent.identity, branch=1)
        self.session.flush()
        return work
