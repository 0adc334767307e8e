"""Incident announcements a supervisor sets, played before the menu until they expire."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class Announcement(Base):
    """A message such as "VNACCS is down since 09:10"; active between starts_at and expires_at."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    audio_url_vi: Mapped[str | None] = mapped_column(String(500))
    audio_url_en: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def is_active(self, now: datetime) -> bool:
        """True when the announcement should be played at `now`."""
        if self.cancelled_at is not None and self.cancelled_at <= now:
            return False
        if self.starts_at > now:
            return False
        return self.expires_at is None or now < self.expires_at
