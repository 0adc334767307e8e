"""The answer base's pages (issue 16): the supervisors' page (proposals to review, the published entries, an
editor, the gaps) and the public page for businesses (no login, Vietnamese first), both reading the JSON API."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from callcenter.accounts.roles import SUPERVISORS
from callcenter.accounts.session_auth import login_required
from callcenter.common.pages import room_pages
from models import ProblemGroup

bp = room_pages("answer_pages", __name__, "answers")
public_bp = room_pages("public_answer_pages", __name__, "answers", url_prefix="/answers")
public_bp.static_url_path = "/static"  # the public page's script: /answers/static/<file>


def _groups() -> list[str]:
    return [g.value for g in ProblemGroup]


@bp.get("/answers")
@login_required(*SUPERVISORS)
def answers() -> Any:
    """Proposals to review, the published entries (search), an editor, and the searches that found nothing."""
    return render_template("answers.html", groups=_groups())


@public_bp.get("")
def public() -> Any:
    """The businesses' page: search the published answers by words or business code; no login."""
    return render_template(
        "answers_public.html",
        groups=_groups(),
        email=(list(current_app.config.get("MAIL_ADDRESSES") or []) or [current_app.config.get("MAIL_FROM", "")])[0],
    )
