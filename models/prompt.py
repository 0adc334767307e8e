"""Prompt overrides: the configurable text (or recorded audio) of one prompt in one language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class PromptOverride(Base):
    """Replaces a default prompt of `ivr/prompts.py`: new text, or a recorded audio URL, or both."""

    __tablename__ = "prompt_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str | None] = mapped_column(Text)
    audio_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("key", "language", name="uq_prompt_overrides_key_language"),)
