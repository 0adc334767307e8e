"""The mail rules page (/supervisor/mail-rules): the rules that propose a branch-2 mail's problem group, in
the order intake tries them; supervisors and admins add, switch off and delete them and try a mail on them,
investigators only look (the JSON API under /api/mail/rules checks again)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from callcenter.accounts.roles import WATCHERS, may_change
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.common.pages import room_pages
from models import ProblemGroup

bp = room_pages("mail_pages", __name__, "mail")


@bp.get("/mail-rules")
@login_required(*WATCHERS)
def mail_rules() -> Any:
    """The rules, the add form and the "try it" box."""
    user = session_user()
    return render_template(
        "mail_rules.html",
        editor=user is not None and may_change(user.role),
        groups=[g.value for g in ProblemGroup],
    )
