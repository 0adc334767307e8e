"""The answers an acknowledgement suggests (issue 16 on issue 15): up to three published answers found for
the mail's business code, then its problem group ("other" is no topic: skipped), then the words of its
subject, each list with the mail's language first. Each is named by its title and a link to the public
page searching that title (/answers?q=…, which the page runs on opening). A subject that finds nothing is
not counted as a gap (a guess, not a business's search). When the search fails the acknowledgement goes
without suggestions (logged): a mail is never lost for them."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from callcenter.answers.search import AnswerSearch
from callcenter.answers.service import today
from callcenter.common.clock import Clock
from models import Call, ProblemGroup, Ticket

log = logging.getLogger(__name__)
SUGGESTED = 3
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|tl|tr)\s*:\s*)+", re.IGNORECASE)


def suggested_answers(
    session: Session, clock: Clock, ticket: Ticket, subject: str, answers_url: str
) -> list[tuple[str, str]]:
    """(title, link) of up to SUGGESTED published answers for a branch-2 ticket's mail; [] on failure."""
    if ticket.branch == 1 or not answers_url:
        return []
    group = ticket.problem_group if ticket.problem_group != ProblemGroup.OTHER.value else None
    words = REPLY_PREFIX.sub("", subject or "").strip()
    asks = [dict(business_code=ticket.business_code), dict(group=group), dict(text=words)]
    found: dict[int, str] = {}
    try:
        with session.begin_nested():  # a failure rolls back to here; the intake's mail stays
            call = session.get(Call, ticket.call_id)
            language = call.language if call is not None else None  # the mail's language (intake)
            search = AnswerSearch(session, clock)
            for ask in asks:
                if not any(ask.values()) or len(found) >= SUGGESTED:
                    continue
                hits = search.search(
                    **ask,
                    prefer_language=language,
                    today=today(clock),
                    limit=SUGGESTED,
                    count_miss=False,
                )
                for hit in hits:
                    found.setdefault(hit.entry_id, hit.title)
    except Exception:  # noqa: BLE001 - the acknowledgement must go out whatever the answer base does
        log.warning("the acknowledgement's answer suggestions failed; it is sent without them", exc_info=True)
        return []
    titles = list(found.values())[:SUGGESTED]
    return [(title, f"{answers_url}?{urlencode({'q': title})}") for title in titles]
