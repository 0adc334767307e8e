"""Writing the answer base: proposals from wrap-ups, editing, publishing, retiring, uses and feedback.

Who may do what is the API's business (answers/api.py): agents propose from their own wrap-ups,
supervisors and admins create, edit, publish and retire. The service checks the entries themselves and
refuses with an `AnswerError` whose message is translated (gettext). The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callcenter.answers.deident import deidentify
from callcenter.answers.search import clean_code, fill_search_fields
from callcenter.common.clock import LOCAL_TZ, Clock
from models import Agent, AnswerEntry, AnswerFeedback, AnswerStatus, AnswerUse, Call, MailMessage, ProblemGroup, Ticket

LANGUAGES = ("vi", "en")
GROUPS = tuple(g.value for g in ProblemGroup)
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_CODES = 10
MAX_LINKS = 10
EDITABLE = (
    "title",
    "question",
    "answer",
    "business_codes",
    "problem_group",
    "language",
    "links",
    "valid_from",
    "valid_until",
)


class AnswerError(Exception):
    """A refusal, with a message for people (translated)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def today(clock: Clock) -> date:
    """The date in Vietnam now: what an entry's validity is checked against."""
    return clock.now().astimezone(LOCAL_TZ).date()


class AnswerService:
    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    # -- reading ----------------------------------------------------------------------------------
    def get(self, entry_id: int) -> AnswerEntry:
        entry = self.session.get(AnswerEntry, entry_id)
        if entry is None:
            raise AnswerError(_("No such answer."), status=404)
        return entry

    # -- writing ----------------------------------------------------------------------------------
    def create(self, *, by: str, status: str = AnswerStatus.PROPOSED.value, **fields: Any) -> AnswerEntry:
        """A new entry (proposed unless said otherwise) from the editable fields."""
        now = self.clock.now()
        entry = AnswerEntry(status=AnswerStatus.PROPOSED.value, author=by[:64], created_at=now, updated_at=now)
        entry.business_codes, entry.links, entry.language = [], [], "vi"
        self._apply(entry, {"title": "", "question": "", "answer": "", **fields})
        if not (entry.title and entry.question and entry.answer):
            raise AnswerError(_("An answer needs a title, a question and an answer."))
        self.session.add(entry)
        self.session.flush()
        if status == AnswerStatus.PUBLISHED.value:
            self.publish(entry.id, by)
        return entry

    def update(self, entry_id: int, *, by: str, **fields: Any) -> AnswerEntry:
        """Change an entry's editable fields (a published entry stays published, now as edited)."""
        entry = self.get(entry_id)
        self._apply(entry, fields)
        entry.updated_at = self.clock.now()
        if entry.status == AnswerStatus.PUBLISHED.value:
            entry.reviewer = by[:64]
        return entry

    def publish(self, entry_id: int, by: str) -> AnswerEntry:
        entry = self.get(entry_id)
        if not (entry.title.strip() and entry.question.strip() and entry.answer.strip()):
            raise AnswerError(_("An answer needs a title, a question and an answer before it is published."))
        now = self.clock.now()
        entry.status, entry.reviewer, entry.published_at, entry.updated_at = "published", by[:64], now, now
        return entry

    def retire(self, entry_id: int, by: str) -> AnswerEntry:
        entry = self.get(entry_id)
        entry.status, entry.reviewer, entry.updated_at = AnswerStatus.RETIRED.value, by[:64], self.clock.now()
        return entry

    def record_use(self, entry_id: int, ticket_id: int, agent_id: int | None) -> bool:
        """The entry was used on this contact (counted once per contact); False when already recorded."""
        self.get(entry_id)
        if self.session.get(Ticket, ticket_id) is None:
            raise AnswerError(_("No such ticket."), status=404)
        known = select(AnswerUse.id).where(AnswerUse.entry_id == entry_id, AnswerUse.ticket_id == ticket_id)
        if self.session.scalar(known) is not None:
            return False
        self.session.add(AnswerUse(entry_id=entry_id, ticket_id=ticket_id, agent_id=agent_id, at=self.clock.now()))
        self.session.execute(update(AnswerEntry).where(AnswerEntry.id == entry_id).values(uses=AnswerEntry.uses + 1))
        return True

    def feedback(self, entry_id: int, helped: bool, *, source: str = "public", at: datetime | None = None) -> None:
        """ "Did this help?" on a published entry: a row dated now (or `at`: the demo's history; the
        period's figures count those rows) and the entry's counter (the rank uses it; counted in the
        database, so concurrent votes add up)."""
        entry = self.session.get(AnswerEntry, entry_id)
        if entry is None or entry.status != AnswerStatus.PUBLISHED.value:
            raise AnswerError(_("No such answer."), status=404)
        self.session.add(AnswerFeedback(entry_id=entry_id, at=at or self.clock.now(), helped=helped, source=source[:8]))
        column = AnswerEntry.helped if helped else AnswerEntry.not_helped
        self.session.execute(update(AnswerEntry).where(AnswerEntry.id == entry_id).values({column: column + 1}))

    # -- from a wrap-up ---------------------------------------------------------------------------
    def propose_from_ticket(self, ticket_id: int, agent: Agent) -> AnswerEntry:
        """A proposed entry from the agent's own branch-2 ticket (a call she wrapped up, or an e-mail she
        answered: the mail desk's reply sets the ticket's agent, question and answer), de-identified."""
        ticket = self.session.get(Ticket, ticket_id)
        if ticket is None or ticket.agent_id != agent.id:
            raise AnswerError(
                _("You can propose an answer only from a call you wrapped up or an e-mail you answered."), status=404
            )
        call = self.session.get(Call, ticket.call_id)
        branch = ticket.branch if ticket.branch is not None else (call.branch if call else None)
        if branch != 2:
            raise AnswerError(_("Only questions on the customs procedures line (branch 2) become answers."))
        if not (ticket.question or "").strip() or not (ticket.answer or "").strip():
            raise AnswerError(_("The wrap-up has no question and answer to propose."))
        if self.session.scalar(select(AnswerEntry.id).where(AnswerEntry.source_ticket_id == ticket.id)):
            raise AnswerError(_("An answer was already proposed from this call."), status=409)
        language = call.language if call and call.language in LANGUAGES else "vi"
        numbers, names = self._caller_of(ticket, call)
        question = deidentify(ticket.question or "", numbers=numbers, names=names, language=language)
        answer = deidentify(ticket.answer or "", numbers=numbers, names=names, language=language)
        title = " ".join(question.split())
        entry = self.create(
            by=agent.username,
            title=title if len(title) <= 120 else title[:117].rsplit(" ", 1)[0] + " …",
            question=question,
            answer=answer,
            business_codes=[ticket.business_code] if ticket.business_code else [],
            problem_group=ticket.problem_group if ticket.problem_group in GROUPS else None,
            language=language,
        )
        entry.source_ticket_id = ticket.id
        return entry

    def _caller_of(self, ticket: Ticket, call: Call | None) -> tuple[list[str], list[str]]:
        """The caller's numbers and names, to keep out of the proposal."""
        numbers = [n for n in (call.caller_e164, call.from_raw, call.callback_number) if n] if call else []
        names: list[str] = []
        parties = self.session.execute(
            select(MailMessage.party, MailMessage.party_name).where(MailMessage.ticket_id == ticket.id)
        )
        for party, display in parties:  # an e-mail's correspondent: the address and the From's display name
            name, _sep, address = (party or "").rpartition("<")
            names += [name.strip(' "'), address.strip("> "), (party or "").strip(), (display or "").strip()]
        if ticket.tax_code:
            numbers.append(ticket.tax_code)
        return numbers, [n for n in names if n]

    # -- checking ---------------------------------------------------------------------------------
    def _apply(self, entry: AnswerEntry, fields: dict[str, Any]) -> None:
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise AnswerError(_("Unknown fields: %(fields)s.", fields=", ".join(sorted(unknown))))
        for name in ("title", "question", "answer"):
            if name in fields:
                value = fields[name]
                if not isinstance(value, str):
                    raise AnswerError(_("%(field)s must be text.", field=name))
                limit = MAX_TITLE if name == "title" else MAX_TEXT
                if len(value) > limit:
                    raise AnswerError(_("%(field)s is too long (at most %(n)d characters).", field=name, n=limit))
                setattr(entry, name, value.strip())
        if "business_codes" in fields:
            entry.business_codes = self._codes(fields["business_codes"])
        if "problem_group" in fields:
            group = fields["problem_group"] or None
            if group is not None and group not in GROUPS:
                raise AnswerError(_("Unknown problem group."))
            entry.problem_group = group
        if "language" in fields:
            if fields["language"] not in LANGUAGES:
                raise AnswerError(_("The language is vi or en."))
            entry.language = fields["language"]
        if "links" in fields:
            entry.links = self._links(fields["links"])
        for name in ("valid_from", "valid_until"):
            if name in fields:
                setattr(entry, name, self._date(fields[name], name))
        if entry.valid_from and entry.valid_until and entry.valid_from > entry.valid_until:
            raise AnswerError(_("The first valid day must not be after the last valid day."))
        fill_search_fields(entry)

    @staticmethod
    def _codes(raw: Any) -> list[str]:
        items = raw.replace(",", " ").split() if isinstance(raw, str) else raw
        if not isinstance(items, Iterable) or isinstance(items, dict):
            raise AnswerError(_("Business codes are a list such as IDA, IDC."))
        codes: list[str] = []
        for item in items:
            code = clean_code(item if isinstance(item, str) else "")
            if not (2 <= len(code) <= 8) or not code.isalnum():
                raise AnswerError(_("A business code has 2 to 8 letters or digits (e.g. IDA)."))
            if code not in codes:
                codes.append(code)
        if len(codes) > MAX_CODES:
            raise AnswerError(_("At most %(n)d business codes.", n=MAX_CODES))
        return codes

    @staticmethod
    def _links(raw: Any) -> list[str]:
        if not isinstance(raw, list) or len(raw) > MAX_LINKS:
            raise AnswerError(_("Links are a list of at most %(n)d web addresses.", n=MAX_LINKS))
        links = []
        for link in raw:
            parts = urlsplit(link) if isinstance(link, str) and len(link) <= 500 else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                raise AnswerError(_("A link must be an http(s) web address."))
            links.append(link)
        return links

    @staticmethod
    def _date(raw: Any, name: str) -> date | None:
        if raw in (None, ""):
            return None
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError as exc:
            raise AnswerError(_("%(field)s must be a date such as 2026-12-31.", field=name)) from exc
