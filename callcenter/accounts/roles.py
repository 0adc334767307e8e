"""Who may do what, by role: the groups the pages and the JSON API check."""

from __future__ import annotations

from models import Role

ALL_ROLES = tuple(r.value for r in Role)
AGENTS = (Role.AGENT.value,)
SUPERVISORS = (Role.SUPERVISOR.value, Role.ADMIN.value)  # may change the rota, announcements, tickets, people
WATCHERS = (Role.SUPERVISOR.value, Role.ADMIN.value, Role.INVESTIGATOR.value)  # may watch the desk and reports
AUDITORS = (Role.INVESTIGATOR.value, Role.ADMIN.value)  # may read the audit log
ADMINS = (Role.ADMIN.value,)


def may_change(role: str | None) -> bool:
    """Supervisors and admins change things; investigators only look."""
    return role in SUPERVISORS
