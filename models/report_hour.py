"""Hourly report figures (an interval table, as Cisco's and Genesys' reporting keep): the sums of
callcenter/reports.py's aggregate per UTC hour, branch and problem group, for one service-level
threshold and short-abandon setting. Hours that can no longer change are rolled up once, so a
year's report reads ~100 thousand small rows instead of millions of calls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

# The summed columns, in the order reports.aggregate_columns lists them.
SUMMED = (
    "offered answered abandoned short_abandoned ivr_abandoned callbacks_requested callbacks_completed voicemails "
    "answered_within abandoned_within answered_wait_total longest_wait talked talk_total wrapup_total "
    "wait_0 wait_1 wait_2 wait_3 wait_4 wait_5 wait_6 wait_7 wait_over"
).split()


class ReportHour(Base):
    """One UTC hour × branch × problem group."""

    __tablename__ = "report_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[int] = mapped_column(Integer)
    short_seconds: Mapped[int] = mapped_column(Integer)
    hour: Mapped[datetime] = mapped_column(UTCDateTime())
    branch: Mapped[int | None] = mapped_column(Integer)
    problem_group: Mapped[str | None] = mapped_column(String(32))
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    short_abandoned: Mapped[int] = mapped_column(Integer)
    ivr_abandoned: Mapped[int] = mapped_column(Integer)
    callbacks_requested: Mapped[int] = mapped_column(Integer)
    callbacks_completed: Mapped[int] = mapped_column(Integer)
    voicemails: Mapped[int] = mapped_column(Integer)
    answered_within: Mapped[int] = mapped_column(Integer)
    abandoned_within: Mapped[int] = mapped_column(Integer)
    answered_wait_total: Mapped[int] = mapped_column(Integer)
    longest_wait: Mapped[int] = mapped_column(Integer)
    talked: Mapped[int] = mapped_column(Integer)
    talk_total: Mapped[float] = mapped_column(Float)
    wrapup_total: Mapped[int] = mapped_column(Integer)
    wait_0: Mapped[int] = mapped_column(Integer)
    wait_1: Mapped[int] = mapped_column(Integer)
    wait_2: Mapped[int] = mapped_column(Integer)
    wait_3: Mapped[int] = mapped_column(Integer)
    wait_4: Mapped[int] = mapped_column(Integer)
    wait_5: Mapped[int] = mapped_column(Integer)
    wait_6: Mapped[int] = mapped_column(Integer)
    wait_7: Mapped[int] = mapped_column(Integer)
    wait_over: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_report_hours_settings_hour", "threshold", "short_seconds", "hour"),)


class ReportRollup(Base):
    """How far the hourly figures are complete, per setting: every hour before `complete_until`."""

    __tablename__ = "report_rollups"

    id: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[int] = mapped_column(Integer)
    short_seconds: Mapped[int] = mapped_column(Integer)
    complete_until: Mapped[datetime] = mapped_column(UTCDateTime())
    rolled_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_report_rollups_settings", "threshold", "short_seconds", unique=True),)
