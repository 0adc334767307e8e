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


def matches(words: str, folded_text: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", folded_text) for p in phrases(words))


def propose_group(session: Session, subject: str, text: str) -> str:
    folded = fold(f"{subject}\n{text}")
    rules = session.scalars(
        select(MailRule).where(MailRule.active.is_(True)).order_by(MailRule.position, MailRule.id)
    ).all()
    for rule in rules:
        if rule.problem_group in GROUPS and matches(rule.words, folded):
            return rule.problem_group
    return ProblemGroup.OTHER.value
