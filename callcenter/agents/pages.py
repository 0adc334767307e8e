"""The People page: agents' states with log off / end break for supervisors; users, roles, agent
profiles and skills, activation and password resets for admins (from /api/people, which checks again)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _

from callcenter.accounts.roles import SUPERVISORS
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.agents.people import BRANCH_SKILLS, GROUP_SKILLS, LANGUAGE_SKILLS
from callcenter.common.pages import room_pages
from models import Role

bp = room_pages("people_pages", __name__, "agents")


@bp.get("/people")
@login_required(*SUPERVISORS)
def people() -> Any:
    """Every agent's state and, for admins, the users and agent profiles."""
    user = session_user()
    skill_sets = [
        (_("Branches"), BRANCH_SKILLS),
        (_("Problem groups (branch 2)"), GROUP_SKILLS),
        (_("Languages"), LANGUAGE_SKILLS),
    ]
    return render_template(
        "people.html",
        is_admin=user is not None and user.role == Role.ADMIN.value,
        roles=[r.value for r in Role],
        skill_sets=skill_sets,
    )
