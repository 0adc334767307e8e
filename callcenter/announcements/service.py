"""Incident announcements: set, edit, expire, and find the one playing now."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from models import Announcement


class AnnouncementError(ValueError):
    """An announcement that cannot be saved as given (message says why, for a person)."""


class AnnouncementService:
    """Supervisor-facing operations on incident announcements."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def active(self) -> Announcement | None:
        """The newest announcement in force now, if any."""
        now = self.clock.now()
        query = (
            select(Announcement)
            .where(Announcement.starts_at <= now, Announcement.cancelled_at.is_(None))
            .where(or_(Announcement.expires_at.is_(None), Announcement.expires_at > now))
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def create(
        self,
        text_vi: str,
        text_en: str | None,
        expires_at: datetime | None,
        *,
        starts_at: datetime | None = None,
        created_by: str | None = None,
        audio_url_vi: str | None = None,
        audio_url_en: str | None = None,
    ) -> Announcement:
        """Set a new announcement; it plays from `starts_at` (default now) until `expires_at`."""
        now = self.clock.now()
        text_vi = (text_vi or "").strip()
        if not text_vi and not audio_url_vi:
            raise AnnouncementError(_("The Vietnamese text (or a Vietnamese recording) is required."))
        if len(text_vi) > 1000 or len(text_en or "") > 1000:
            raise AnnouncementError(_("Keep the announcement under 1000 characters: callers pay by the minute."))
        start = starts_at or now
        if expires_at is not None and expires_at <= start:
            raise AnnouncementError(_("The end time must be after the start time."))
        announcement = Announcement(
            text_vi=text_vi,
            text_en=(text_en or "").strip() or None,
            audio_url_vi=audio_url_vi,
            audio_url_en=audio_url_en,
            starts_at=start,
            expires_at=expires_at,
            created_by=created_by,
            created_at=now,
        )
        self.session.add(announcement)
        self.session.flush()
        return announcement

    def expire(self, announcement_id: int) -> Announcement:
        """Stop an announcement now."""
        announcement = self.session.get(Announcement, announcement_id)
        if announcement is None:
            raise AnnouncementError(_("There is no announcement %(id)s.", id=announcement_id))
        if announcement.cancelled_at is None:
            announcement.cancelled_at = self.clock.now()
        return announcement
