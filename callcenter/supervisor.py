"""Supervisors' pages: wallboard, rota, reports, tickets and the audit log, each built on the JSON API
(which checks the role again for every request the page makes)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from models import Agent, Role, db

from .session_auth import login_required, session_user
from .staff import active_agent

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor", template_folder="templates")
WATCHERS = (Role.SUPERVISOR.value, Role.ADMIN.value, Role.INVESTIGATOR.value)


def _active_agents() -> list[Agent]:
    """The agents on the rota (deactivated ones leave it), by name."""
    return list(db.session.scalars(select(Agent).where(active_agent()).order_by(Agent.display_name)))


@bp.get("/")
@login_required(*WATCHERS)
def wallboard() -> Any:
    """Calls waiting, agents by state, today's figures, the incident announcement (polls /api/wallboard)."""
    return render_template("wallboard.html")


@bp.get("/reports")
@login_required(*WATCHERS)
def reports() -> Any:
    """Abandonment and service reports: a table, a chart, a heatmap, a CSV download (from the JSON API)."""
    return render_template("reports.html")


@bp.get("/tickets")
@login_required(*WATCHERS)
def tickets() -> Any:
    """Ticket search (from the JSON API): callers of branch 1 are shown only to investigators."""
    return render_template("tickets.html")


@bp.get("/tickets/<int:ticket_id>")
@login_required(*WATCHERS)
def ticket(ticket_id: int) -> Any:
    """One ticket: the call, the wrap-up, the voicemail, the timeline; escalate or close (supervisor, admin)."""
    user = session_user()
    may_change = user is not None and user.role in (Role.SUPERVISOR.value, Role.ADMIN.value)
    return render_template("ticket.html", ticket_id=ticket_id, may_change=may_change)


@bp.get("/audit")
@login_required(Role.INVESTIGATOR.value, Role.ADMIN.value)
def audit() -> Any:
    """Who looked at confidential callers, and when (investigators and admins; nobody can edit it)."""
    return render_template("audit.html")


@bp.get("/rota")
@login_required(*WATCHERS)
def rota() -> Any:
    """Week and month views of the rota with gaps in red; supervisors edit it (the JSON API checks)."""
    from flask import current_app

    agents = [(a.username, a.display_name) for a in _active_agents()]
    return render_template("rota.html", agents=agents, minimum=int(current_app.config["MIN_AGENTS_ON_DUTY"]))


@bp.get("/forecast")
@login_required(*WATCHERS)
def forecast() -> Any:
    """The week's staffing forecast (agents needed vs scheduled, gaps, expected calls and abandonment)
    and a what-if for a shift added or removed, from /api/forecast; supervisors may save the shift."""
    user = session_user()
    may_change = user is not None and user.role in (Role.SUPERVISOR.value, Role.ADMIN.value)
    agents = [(a.username, a.display_name) for a in _active_agents()]
    return render_template("forecast.html", agents=agents, may_change=may_change)


@bp.get("/people")
@login_required(Role.SUPERVISOR.value, Role.ADMIN.value)
def people() -> Any:
    """Every agent's state, with log off / end break for supervisors; users, roles, agent profiles and
    skills, activation and password resets for admins (from /api/people, which checks the role again)."""
    from .people import BRANCH_SKILLS, GROUP_SKILLS, LANGUAGE_SKILLS, SKILL_LABELS

    user = session_user()
    skill_sets = [
        ("Branches", BRANCH_SKILLS),
        ("Problem groups (branch 2)", GROUP_SKILLS),
        ("Languages", LANGUAGE_SKILLS),
    ]
    return render_template(
        "people.html",
        is_admin=user is not None and user.role == Role.ADMIN.value,
        roles=[r.value for r in Role],
        skill_sets=[(title, [(s, SKILL_LABELS[s]) for s in skills]) for title, skills in skill_sets],
    )
