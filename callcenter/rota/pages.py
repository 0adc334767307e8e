"""The rota page: week and month views with gaps in red; supervisors edit it (the JSON API checks)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from callcenter.accounts.roles import WATCHERS
from callcenter.accounts.session_auth import login_required
from callcenter.common.pages import room_pages
from callcenter.rota.staff import active_agents
from models import db

bp = room_pages("rota_pages", __name__, "rota")


@bp.get("/rota")
@login_required(*WATCHERS)
def rota() -> Any:
    """Week and month views of the rota with gaps in red; supervisors edit it (the JSON API checks)."""
    agents = [(a.username, a.display_name) for a in active_agents(db.session)]
    return render_template("rota.html", agents=agents, minimum=int(current_app.config["MIN_AGENTS_ON_DUTY"]))
