"""The supervisor's rules that propose a problem group for a branch-2 mail: active `MailRule` rows in
`position` order; a rule's `words` are phrases separated by commas (or semicolons), any of which found in
the subject or text (case and diacritics ignored, whole words) proposes its group. No rule: "other"."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.mail.extract import fold
from models import MailRule, ProblemGroup

GROUPS = frozenset(g.value for g in ProblemGroup)


def phrases(words: str) -> list[str]:
    return [fold(p) for p in re.split(r"[,;\n]", words or "") if fold(p)]


def matched_phrase(words: str, folded_text: str) -> str | None:
    """The first of the rule's phrases (as written) found in the folded text, or None."""
    for written in re.split(r"[,;\n]", words or ""):
        p = fold(written)
        if p and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", folded_text):
            return written.strip()
    return None


def matches(words: str, folded_text: str) -> bool:
    return matched_phrase(words, folded_text) is not None


def matching_rule(session: Session, subject: str, text: str) -> tuple[MailRule, str] | None:
    """The first active rule (by position) whose words are in the mail, with the phrase found."""
    folded = fold(f"{subject}\n{text}")
    rules = session.scalars(
        select(MailRule).where(MailRule.active.is_(True)).order_by(MailRule.position, MailRule.id)
    ).all()
    for rule in rules:
        if rule.problem_group in GROUPS and (found := matched_phrase(rule.words, folded)) is not None:
            return rule, found
    return None


def propose_group(session: Session, subject: str, text: str) -> str:
    found = matching_rule(session, subject, text)
    return found[0].problem_group if found else ProblemGroup.OTHER.value
