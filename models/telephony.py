"""The telephony engine's health as the app last saw it (one row per engine), shared by every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class TelephonyHealth(Base):
    """`ok`, or `degraded` since a moment, with the last error (written when a circuit breaker opens or
    closes, in whichever process saw it; read by /healthz, the wallboard and the softphone)."""

    __tablename__ = "telephony_health"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
