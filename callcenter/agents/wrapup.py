"""Wrap-up: what the agent records about the call when it ends, then back to taking calls.

Fields follow circular 6853/TCHQ-VNACCS: the outcome, the problem group, the business code (VNACCS
operation code), the business's tax code (mã số thuế: 10 digits with its check digit, or 10 + 3 for a
branch unit; checked with python-stdnum), the customs unit, the question and the answer. A draft can
be saved at any time; if wrap-up runs out of time, what is there is kept and the ticket is marked for
follow-up (see jobs.expire_wrap_ups), so nothing is lost silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError
from stdnum.vn import mst

from callcenter.agents.service import AgentService
from callcenter.answers.service import AnswerError, AnswerService
from callcenter.common.clock import Clock
from callcenter.tickets.followup import after_call_seconds
from models import Agent, AgentState, Call, ProblemGroup, Ticket, TicketOutcome, TicketStatus

AGENT_OUTCOMES = {  # what an agent may choose, and whether the ticket is then closed
    TicketOutcome.RESOLVED: True,
    TicketOutcome.ESCALATED: False,  # to the central support team
    TicketOutcome.FOLLOW_UP: False,
    TicketOutcome.CALLBACK_PROMISED: False,
    TicketOutcome.WRONG_NUMBER: True,  # or not a customs matter
    TicketOutcome.ABUSIVE: True,
}
BUSINESS_CODE_RE = re.compile(r"^[A-Z0-9]{2,5}$")  # VNACCS operation codes: IDA, EDA, IDC, HYS, MSB…
TEXT_LIMIT = 4000
CUSTOMS_UNIT_BYTES = Ticket.__table__.c.customs_unit.type.plaintext_bytes


class WrapUpError(ValueError):
    """The form has mistakes; `errors` maps each field to a message for the agent."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def normalise_tax_code(raw: str) -> str:
    """'0314409058' or '0314409058-002' (a branch unit); raises ValueError with a message otherwise."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    if len(digits) not in (10, 13) or not digits.isdigit():
        raise ValueError(_("A tax code has 10 digits, or 13 (10 + 3) for a branch unit."))
    try:
        mst.validate(digits)
    except ValidationError as exc:
        raise ValueError(_("This tax code's check digit is wrong; please check the number.")) from exc
    return digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"


@dataclass
class WrapUpForm:
    """A cleaned wrap-up: only the fields that were given and valid."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def clean(form: Mapping[str, Any], branch: int | None) -> WrapUpForm:
    """Validate what the agent typed; keep the good fields and say what is wrong with the others."""
    result = WrapUpForm()
    outcome = str(form.get("outcome") or "").strip()
    if outcome:
        if outcome in {o.value for o in AGENT_OUTCOMES}:
            result.values["outcome"] = outcome
        else:
            result.errors["outcome"] = _(
                "Choose one of: %(choices)s.", choices=", ".join(o.value for o in AGENT_OUTCOMES)
            )
    group = str(form.get("problem_group") or "").strip()
    if group:
        if branch == 1:
            result.errors["problem_group"] = _("Branch-1 calls (reports and denunciations) have no problem group.")
        elif group in {g.value for g in ProblemGroup}:
            result.values["problem_group"] = group
        else:
            result.errors["problem_group"] = _(
                "Choose one of: %(choices)s.", choices=", ".join(g.value for g in ProblemGroup)
            )
    code = str(form.get("business_code") or "").strip().upper()
    if code:
        if BUSINESS_CODE_RE.match(code):
            result.values["business_code"] = code
        else:
            result.errors["business_code"] = _("A VNACCS operation code is 2–5 letters or digits, e.g. IDA.")
    answer_id = form.get("answer_id")
    if answer_id not in (None, ""):  # the answer base's entry used on the call (issue 16): recorded on submit
        text = str(answer_id).strip()
        if branch == 1:
            result.errors["answer_id"] = _("Branch-1 calls do not use the answer base.")
        elif text.isdigit() and 0 < int(text) < 2**31:
            result.values["answer_id"] = int(text)
        else:
            result.errors["answer_id"] = _("Choose an answer from the list.")
    tax = str(form.get("tax_code") or "").strip()
    if tax:
        try:
            result.values["tax_code"] = normalise_tax_code(tax)
        except ValueError as exc:
            result.errors["tax_code"] = str(exc)
    for name, limit in (("customs_unit", 120), ("question", TEXT_LIMIT), ("answer", TEXT_LIMIT)):
        text = str(form.get(name) or "").strip()
        if len(text) > limit:
            result.errors[name] = _("At most %(limit)s characters.", limit=limit)
        elif name == "customs_unit" and len(text.encode("utf-8", "replace")) > CUSTOMS_UNIT_BYTES:
            # Encrypted at rest in a 400-character column: its limit is in bytes (an accented letter is 2–3).
            result.errors[name] = _(
                "Too long once its accented letters are counted (each takes 2–3 of the %(limit)s bytes it may "
                "use): please shorten it.",
                limit=CUSTOMS_UNIT_BYTES,
            )
        elif text:
            result.values[name] = text
    return result


class WrapUpService:
    """Saves drafts and final wrap-ups on the ticket of the call the agent just finished."""

    def __init__(self, session: Session, clock: Clock, agents: AgentService) -> None:
        self.session = session
        self.clock = clock
        self.agents = agents

    def _ticket(self, agent: Agent) -> tuple[Call, Ticket]:
        if agent.state != AgentState.WRAP_UP or not agent.current_call_sid:
            raise WrapUpError({"call": _("You have no call to wrap up.")})
        call = self.session.scalars(select(Call).where(Call.call_sid == agent.current_call_sid)).one()
        ticket = self.session.scalars(select(Ticket).where(Ticket.call_id == call.id)).one()
        return call, ticket

    def save_draft(self, agent: Agent, form: Mapping[str, Any]) -> dict[str, str]:
        """Keep the valid fields now (the agent stays in wrap-up); returns the errors of the others."""
        call, ticket = self._ticket(agent)
        cleaned = clean(form, call.branch)
        self._apply(ticket, agent, {k: v for k, v in cleaned.values.items() if k not in ("outcome", "answer_id")})
        self.session.flush()
        return cleaned.errors

    def submit(self, agent: Agent, form: Mapping[str, Any]) -> Ticket:
        """Save the wrap-up (an outcome is required) and make the agent available again."""
        call, ticket = self._ticket(agent)
        cleaned = clean(form, call.branch)
        if "outcome" not in cleaned.values and "outcome" not in cleaned.errors:
            cleaned.errors["outcome"] = _("Choose the outcome of the call.")
        if cleaned.errors:
            raise WrapUpError(cleaned.errors)
        answer_id = cleaned.values.pop("answer_id", None)
        self._apply(ticket, agent, cleaned.values)
        if answer_id is not None:
            try:
                AnswerService(self.session, self.clock).record_use(answer_id, ticket.id, agent.id)
            except AnswerError as exc:
                raise WrapUpError({"answer_id": str(exc)}) from exc
        now = self.clock.now()
        ticket.wrapped_up_at = now
        call.wrapup_seconds = after_call_seconds(call, now)
        if AGENT_OUTCOMES[TicketOutcome(ticket.outcome)]:
            ticket.status, ticket.closed_at = TicketStatus.CLOSED, now
        next_state = AgentState.AVAILABLE if self.agents.rota.may_take_calls(agent, now) else AgentState.OFFLINE
        self.agents.transition(
            agent,
            next_state,
            reason="wrap_up_saved",
            call_sid=call.call_sid,
            actor=agent.username,
            ticket_id=ticket.id,
            outcome=ticket.outcome,
        )
        return ticket

    @staticmethod
    def _apply(ticket: Ticket, agent: Agent, values: dict[str, Any]) -> None:
        ticket.agent_id = agent.id
        for name, value in values.items():
            setattr(ticket, name, value)
