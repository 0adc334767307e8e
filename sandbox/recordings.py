"""What a sandbox <Record> leaves behind: a recording of known length, served as a real WAV file.

Nobody's voice is captured; the file is a quiet tone as long as the recording (capped), so a
player, a download link or a duration check behaves as with Twilio's recording media.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from dataclasses import dataclass
from datetime import datetime

SAMPLE_RATE = 8000  # Hz, like a phone line
MAX_WAV_SECONDS = 120  # longer recordings are served truncated: the sandbox keeps no audio anyway
TONE_HZ = 400  # divides 8000: one period is exactly 20 samples
TONE_AMPLITUDE = 600  # of 32767: quiet


@dataclass(frozen=True)
class Recording:
    """One recording made by <Record>."""

    sid: str
    call_sid: str
    duration: int  # seconds
    started_at: datetime
    url: str


def wav_bytes(duration: int) -> bytes:
    """A WAV file (8 kHz, mono, 16-bit PCM) of a quiet tone lasting `duration` seconds (at most 120)."""
    seconds = max(0, min(int(duration), MAX_WAV_SECONDS))
    period = SAMPLE_RATE // TONE_HZ
    one = struct.pack(
        f"<{period}h", *(round(TONE_AMPLITUDE * math.sin(2 * math.pi * i / period)) for i in range(period))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(one * (seconds * TONE_HZ))
    return buffer.getvalue()
