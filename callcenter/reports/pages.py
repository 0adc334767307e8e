"""The supervisors' wallboard and reports pages (each polls the JSON API, which checks the role again)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from callcenter.accounts.roles import WATCHERS
from callcenter.accounts.session_auth import login_required
from callcenter.common.pages import room_pages

bp = room_pages("report_pages", __name__, "reports")


@bp.get("/")
@login_required(*WATCHERS)
def wallboard() -> Any:
    """Calls waiting, agents by state, today's figures, the incident announcement (polls /api/wallboard);
    on the conference bridge with Twilio, the Voice SDK for monitoring calls."""
    config = current_app.config
    monitor_sdk = config.get("DESK_BRIDGE") == "conference" and not config["SANDBOX_ENABLED"]
    return render_template("wallboard.html", monitor_sdk=monitor_sdk)


@bp.get("/reports")
@login_required(*WATCHERS)
def reports() -> Any:
    """Abandonment and service reports: a table, a chart, a heatmap, a CSV download (from the JSON API)."""
    return render_template("reports.html")
