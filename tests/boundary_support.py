"""What the boundary tests share: both databases, a number too big for any column, the ticket of a call,
and a reply that must be the real TwiML, not the fallback apology."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import Call, Ticket, db

from .conftest import BACKENDS, parse_twiml

both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


HUGE = "9" * 30


TECHNICAL_ERROR = "đang gặp sự cố"  # the fallback's apology ("technical_error"): a real answer never says it


def ticket_of(app: Any, sid: str) -> Ticket:
    with app.app_context():
        return db.session.scalars(
            select(Ticket).join(Call, Call.id == Ticket.call_id).where(Call.call_sid == sid)
        ).one()


def real_answer(response: Any) -> Any:
    """The view's own TwiML (not the fallback), as a parsed <Response>."""
    assert response.status_code == 200, response.data
    root = parse_twiml(response.data)
    assert not any(TECHNICAL_ERROR in (s.text or "") for s in root.iter("Say")), "the fallback answered"
    return root
