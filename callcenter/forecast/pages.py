"""The staffing forecast page (built on /api/forecast, which checks the role again)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from callcenter.accounts.roles import WATCHERS, may_change
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.common.pages import room_pages
from callcenter.rota.staff import active_agents
from models import db

bp = room_pages("forecast_pages", __name__, "forecast")


@bp.get("/forecast")
@login_required(*WATCHERS)
def forecast() -> Any:
    """The week's staffing forecast (agents needed vs scheduled, gaps, expected calls and abandonment)
    and a what-if for a shift added or removed, from /api/forecast; supervisors may save the shift."""
    user = session_user()
    agents = [(a.username, a.display_name) for a in active_agents(db.session)]
    return render_template("forecast.html", agents=agents, may_change=may_change(user and user.role))
