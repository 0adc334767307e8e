"""The rota: who works when. Shifts (regular, overtime, swapped), absences and public holidays."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class ShiftKind(StrEnum):
    """Why a shift exists."""

    REGULAR = "regular"  # from the rota pattern
    OVERTIME = "overtime"  # an extra shift a supervisor added
    SWAP = "swap"  # a regular shift handed to another agent


class AbsenceReason(StrEnum):
    """Why an agent is away during their shifts."""

    LEAVE = "leave"
    SICK = "sick"
    TRAINING = "training"
    OTHER = "other"


class Shift(Base):
    """One agent on duty from `starts_at` to `ends_at` (UTC). Cancelled shifts stay on record."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16), default=ShiftKind.REGULAR)
    note: Mapped[str | None] = mapped_column(String(200))
    swapped_from_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_shifts_starts_at_ends_at", "starts_at", "ends_at"),
        Index("ix_shifts_agent_id_starts_at", "agent_id", "starts_at"),
    )


class Absence(Base):
    """An agent away (leave, sickness…): they are not on duty during it, whatever the shifts say."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(16), default=AbsenceReason.LEAVE)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_absences_agent_id_starts_at", "agent_id", "starts_at"),)


class Holiday(Base):
    """A public holiday (the desk still runs; reports and pay treat the day differently)."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(120))
