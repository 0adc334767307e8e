"""Searching the answer base: the same hits in the same order on SQLite and PostgreSQL.

The query is folded (answers/fold.py) into words; every word must match a word of the entry's folded text
or one of its business codes, the last word as a prefix ("mat kh" finds "mật khẩu"). The matching ids
come from each database's full-text index (migration 0016):

- PostgreSQL: to_tsvector('simple', search_text || ' ' || codes_text) @@ to_tsquery('simple', 'mat & kh:*'),
  read through the GIN expression index;
- SQLite: answer_fts MATCH '"mat" "kh"*' (FTS5, tokenizer unicode61, kept in sync by triggers).

Filters (plain SQL, the same on both): published, valid on `today` (valid_from/valid_until, inclusive),
the business code (codes_text holds " IDA IDC "), the problem group and the language.

Rank, computed by the same SQL expression on both databases, highest first, then the newest id:

    score = 10,000,000 when the entry is in `prefer_language` (the caller's language; none given: 0)
          +  1,000,000 when the query's words appear together in that order (a phrase; two words or more)
          +  2 · (helped − not helped) + uses, held between −499,999 and 499,999

so the order is, exactly: (1) the entries in the preferred language before the others — a same-language
answer always comes first, even when only an answer in the other language holds the phrase; (2) inside each,
the phrase before the rest; (3) then the most helpful and used; (4) then the newest id. The bound on the
last term (under half the phrase bonus) is what makes each bonus decide before the terms after it, whatever
the votes: a phrase entry scores 500,001 or more without the language bonus, any other at most 499,999, and
both stay far under the language bonus. `prefer_language` is a preference,
never a filter (`language` is the filter): the other language's entries still come, after. No
database-specific relevance function (ts_rank, bm25) is used, so the two databases cannot disagree. An empty
query with a code or group lists the most used/helpful (in the preferred language first).
A business code is looked up in the index as a word too (narrowing the rows fast), then checked exactly
in codes_text (so the word "ida" in a text never passes for the code IDA).

A query with words that finds nothing is counted in answer_search_misses (per folded query, business code
and source: the gaps supervisors write next), unless the caller says `count_miss=False` (the e-mail
acknowledgement's suggestions: a machine guessing from a subject is not a business asking).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, func, literal, literal_column, or_, select, table, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callcenter.answers.fold import codes_text, fold
from callcenter.common.clock import Clock
from models import AnswerEntry, AnswerSearchMiss, AnswerStatus

SHORT_PREFIX = 2  # a last word this short is matched in the text, not expanded in the index (see search)
MAX_WORD = 64  # longer "words" are cut (PostgreSQL ignores words over 2047 bytes in its index)
MAX_WORDS = 8  # more words only narrow the hits further; bounded to keep the index's work small
MAX_LIMIT = 50
PHRASE_BONUS = 1_000_000
LANGUAGE_BONUS = 10_000_000  # above PHRASE_BONUS + the largest popularity: the preferred language first
POPULAR_BOUND = PHRASE_BONUS // 2 - 1  # 2·(helped − not helped) + uses is held within ±POPULAR_BOUND
SOURCES = ("desk", "public")
PG_DOCUMENT = "to_tsvector('simple'::regconfig, answer_entries.search_text || ' ' || answer_entries.codes_text)"


@dataclass(frozen=True)
class AnswerHit:
    """One entry found, with its rank's score."""

    entry_id: int
    title: str
    question: str
    answer: str
    business_codes: list[str]
    problem_group: str | None
    language: str
    score: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "title": self.title,
            "question": self.question,
            "answer": self.answer,
            "business_codes": list(self.business_codes),
            "problem_group": self.problem_group,
            "language": self.language,
            "score": self.score,
        }


def fill_search_fields(entry: AnswerEntry) -> None:
    """Keep the entry's indexed columns in step with its words and codes (call after every change)."""
    entry.search_text = fold(" ".join((entry.title or "", entry.question or "", entry.answer or "")))
    entry.codes_text = codes_text(list(entry.business_codes or []))


def clean_code(code: str | None) -> str:
    """A business code as codes_text holds it ("ida" → "IDA"); empty when none."""
    return fold(code or "").upper().replace(" ", "")[:8]


class AnswerSearch:
    """Finds published entries (see the module's docstring)."""

    def __init__(self, session: Session, clock: Clock | None = None) -> None:
        self.session = session
        self.clock = clock

    def search(
        self,
        text: str = "",
        *,
        business_code: str | None = None,
        group: str | None = None,
        language: str | None = None,
        prefer_language: str | None = None,
        today: date,
        limit: int = 10,
        source: str = "desk",
        count_miss: bool = True,
    ) -> list[AnswerHit]:
        terms = [word[:MAX_WORD] for word in fold(text).split()[:MAX_WORDS]]
        code = clean_code(business_code)
        where = [
            AnswerEntry.status == AnswerStatus.PUBLISHED.value,
            or_(AnswerEntry.valid_from.is_(None), AnswerEntry.valid_from <= today),
            or_(AnswerEntry.valid_until.is_(None), AnswerEntry.valid_until >= today),
        ]
        if code:
            where.append(AnswerEntry.codes_text.like(f"% {code} %"))
        if group:
            where.append(AnswerEntry.problem_group == group)
        if language:
            where.append(AnswerEntry.language == language)
        whole, prefix = terms[:-1], terms[-1:]
        if prefix and len(prefix[0]) <= SHORT_PREFIX and (whole or code):
            # "to khai sua d": a one- or two-letter prefix expands to thousands of words in the index;
            # the other words narrow the rows, then a word starting with it is looked for in the text.
            words = literal(" ") + AnswerEntry.search_text + func.lower(AnswerEntry.codes_text)
            where.append(words.like(f"% {prefix[0]}%"))
            prefix = []
        if terms or code:  # a code is a word of the index too: it narrows there, the LIKE above decides
            where.append(self._matches(whole, prefix, code.lower()))
        score = self.score(terms, prefer_language)
        query = (
            select(AnswerEntry, score.label("score"))
            .where(*where)
            .order_by(score.desc(), AnswerEntry.id.desc())
            .limit(max(1, min(limit, MAX_LIMIT)))
        )
        hits = [
            AnswerHit(
                e.id, e.title, e.question, e.answer, list(e.business_codes or []), e.problem_group, e.language, int(s)
            )
            for e, s in self.session.execute(query)
        ]
        if terms and not hits and count_miss:
            self._count_miss(" ".join(terms), code, source if source in SOURCES else "desk")
        return hits

    @staticmethod
    def score(terms: list[str], prefer_language: str | None = None) -> Any:
        """The rank (see the module's docstring), one SQL expression for both databases."""
        raw = 2 * (AnswerEntry.helped - AnswerEntry.not_helped) + AnswerEntry.uses
        score: Any = case((raw > POPULAR_BOUND, POPULAR_BOUND), (raw < -POPULAR_BOUND, -POPULAR_BOUND), else_=raw)
        if len(terms) >= 2:
            phrase = (literal(" ") + AnswerEntry.search_text).like("% " + " ".join(terms) + "%")
            score = case((phrase, PHRASE_BONUS), else_=0) + score
        if prefer_language:
            score = case((AnswerEntry.language == prefer_language, LANGUAGE_BONUS), else_=0) + score
        return score

    def _matches(self, whole: list[str], prefix: list[str], code: str) -> Any:
        """Entries whose index holds every whole word, the prefix (at most one) and the code's word. The
        words are folded: only a-z and 0-9, so they need no quoting beyond the syntax below."""
        whole = whole + ([code] if code else [])
        if self.session.get_bind().dialect.name == "postgresql":
            tsquery = " & ".join(whole + [p + ":*" for p in prefix])
            return text(f"{PG_DOCUMENT} @@ to_tsquery('simple', :answer_tsquery)").bindparams(answer_tsquery=tsquery)
        match = " ".join([f'"{t}"' for t in whole] + [f'"{p}"*' for p in prefix])
        fts = table("answer_fts")
        matching = text("answer_fts MATCH :answer_match").bindparams(answer_match=match)
        return AnswerEntry.id.in_(select(literal_column("rowid")).select_from(fts).where(matching))

    def _count_miss(self, query: str, code: str, source: str) -> None:
        now = self.clock.now() if self.clock else datetime.now(UTC)
        query = query[:200]
        same = (
            AnswerSearchMiss.query == query,
            AnswerSearchMiss.business_code == code,
            AnswerSearchMiss.source == source,
        )
        bump = update(AnswerSearchMiss).where(*same).values(count=AnswerSearchMiss.count + 1, last_at=now)
        if self.session.execute(bump).rowcount:
            return
        try:
            with self.session.begin_nested():
                self.session.add(
                    AnswerSearchMiss(query=query, business_code=code, source=source, count=1, first_at=now, last_at=now)
                )
        except IntegrityError:  # another request counted the same miss first
            self.session.execute(bump)
