"""What Twilio sends (a webhook's form, or a REST answer read the same way), bounded to what we keep.

The signature is checked on the form as sent (ivr/security.py); `clean_form` is what the code reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.common.inputs import bounded_int, clean_text
from models import Call, CallEvent, Ticket

_CALLS, _TICKETS = Call.__table__.c, Ticket.__table__.c
# Kept whole or not at all: a SID or URL cut to its column's length names another object.
WHOLE_FIELDS = {
    "AccountSid": _CALLS.account_sid.type.length,
    "QueueSid": _CALLS.queue_sid.type.length,
    "RecordingSid": _TICKETS.recording_sid.type.length,
    "RecordingUrl": _TICKETS.recording_url.type.length,
    "DequeingCallSid": CallEvent.__table__.c.agent.type.length,  # the CONNECT event's agent
}
# Text kept as far as it fits. The caller's number is encrypted (models/crypto.py): a Fernet token
# grows with the UTF-8 bytes, so the raw From is also bounded in bytes to fit `from_raw` once encrypted.
FROM_CHARS = 64
CUT_FIELDS = {
    "From": (FROM_CHARS, _CALLS.from_raw.type.plaintext_bytes),
    "Caller": (FROM_CHARS, _CALLS.from_raw.type.plaintext_bytes),
    "To": (_CALLS.to_raw.type.length, None),
    "Called": (_CALLS.to_raw.type.length, None),
}
# Whole numbers: a value that is negative, not ASCII digits or beyond MAX_COUNT is unknown (dropped).
NUMBER_FIELDS = frozenset(
    {
        "CallDuration",
        "DialCallDuration",
        "RecordingDuration",
        "QueueTime",
        "QueuePosition",
        "CurrentQueueSize",
        "SequenceNumber",
    }
)
OTHER_CHARS = 256  # anything else (Digits, CallStatus, QueueResult, Timestamp…): read, never stored whole


def clean_form(form: Mapping[str, str]) -> dict[str, str]:
    """The request's form as the views may trust it: no NUL anywhere, every field within the column it
    is kept in (SIDs and URLs too long are dropped, text is cut), numbers whole and in range or absent.

    The signature was checked on the form as sent; this is what the views read.
    """
    clean: dict[str, str] = {}
    for name, raw in form.items():
        if name in NUMBER_FIELDS:
            number = bounded_int(raw.replace("\x00", ""))
            if number is not None:
                clean[name] = str(number)
        elif name in WHOLE_FIELDS:
            value = clean_text(raw, WHOLE_FIELDS[name] + 1)
            if len(value) <= WHOLE_FIELDS[name]:
                clean[name] = value
        elif name in CUT_FIELDS:
            chars, max_bytes = CUT_FIELDS[name]
            clean[name] = clean_text(raw, chars, max_bytes)
        else:
            clean[name] = clean_text(raw, OTHER_CHARS)
    return clean
