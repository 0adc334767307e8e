"""The answer base (issue 16): questions the desk has answered, written for the next caller and for
businesses who search before they call (circular 6853/TCHQ-VNACCS: "the answer base grows").

- `AnswerEntry`: title, question, answer, VNACCS business code(s), problem group, language, links, the
  period it is valid for (rules change), who wrote and who reviewed it, and counts of use and "this
  helped". Never anything of a caller, never anything from branch 1 (the proposal from a wrap-up is
  de-identified and only branch-2 tickets may propose). `search_text` is the entry's words folded to
  lower case without diacritics ("mật khẩu" → "mat khau"): the one text both databases index;
- `AnswerUse`: an entry used on a call (the wrap-up records it): reuse and handle-time reports;
- `AnswerSearchMiss`: a search that found nothing (the gaps to write next), counted per folded query;
- `AnswerFeedback`: one "did this help?" answer, dated (the entry's helped / not_helped counters are
  kept too: the search's rank uses them; the reports and the deflection lever count these rows);
- `RateCount`: the public API's rate-limit counters, per key and fixed window, shared by every process
  (callcenter/answers/limits.py).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class AnswerStatus(StrEnum):
    PROPOSED = "proposed"  # an agent proposed it from a wrap-up; a supervisor edits and publishes it
    PUBLISHED = "published"  # found by the desk and the public page (within its validity)
    RETIRED = "retired"  # no longer shown (the rule changed, a duplicate …)


class AnswerEntry(Base):
    __tablename__ = "answer_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default=AnswerStatus.PROPOSED)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    business_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # VNACCS codes, e.g. ["IDA", "IDC"]
    codes_text: Mapped[str] = mapped_column(String(200), default="")  # " IDA IDC ": the codes, searchable
    problem_group: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    author: Mapped[str | None] = mapped_column(String(64))
    reviewer: Mapped[str | None] = mapped_column(String(64))
    source_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    helped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    not_helped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded words of title, question, answer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_answer_entries_status_group", "status", "problem_group"),)


class AnswerUse(Base):
    """An entry used on a contact (recorded by the wrap-up, or an e-mail answer)."""

    __tablename__ = "answer_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("answer_entries.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("entry_id", "ticket_id", name="uq_answer_uses_entry_ticket"),)


class AnswerSearchMiss(Base):
    """Searches that found nothing, per folded query (and business code): the gaps to write next."""

    __tablename__ = "answer_search_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))  # folded (lower case, no diacritics)
    business_code: Mapped[str] = mapped_column(String(8), default="")
    source: Mapped[str] = mapped_column(String(8), default="public")  # public or desk
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("query", "business_code", "source", name="uq_answer_search_misses_query"),)


class AnswerFeedback(Base):
    """One "did this help?" answer on a published entry, dated: the period's figures count these."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("answer_entries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    helped: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(8), default="public")  # the public page (room for others)


class RateCount(Base):
    """Requests counted per key (e.g. "search:<address>") in the fixed window starting at `window_start`."""

    __tablename__ = "rate_counts"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_rate_counts_window_start", "window_start"),)
