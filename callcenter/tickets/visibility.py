"""Need-to-know for branch 1 (denunciations): who may see a caller. One rule for the API, the ticket
pages and the softphone."""

from __future__ import annotations

from models import Call, Role


def caller_visible(branch: int | None, role: str) -> bool:
    """Need-to-know: investigators see every caller; others only callers known to be in branch 2."""
    return role == Role.INVESTIGATOR or branch == 2


def may_see_caller(call: Call, role: str) -> bool:
    """Need-to-know: investigators see every caller; others only callers known to be in branch 2.

    A call whose branch is unknown (hung up in the menu, or routed by a fallback) may be a
    denunciation, so it is treated like branch 1. (One rule for the API and the softphone.)
    """
    return caller_visible(call.branch, role)
