"""JSON API of the answer base for the desk (issue 16).

- GET /api/answers?q=&code=&group=&lang=&prefer=&limit=: search the published entries (every staff role);
  `lang` keeps only that language's entries, `prefer` (vi|en, the caller's language) ranks them first;
  supervisors/admins may list the entries of a status instead: ?status=proposed (the review queue), or
  of every status with ?all=1, the last changed first;
- GET /api/answers/<id>: one entry (a published one for everybody; any for supervisors/admins);
- POST /api/answers, PATCH /api/answers/<id>, POST /api/answers/<id>/publish | /retire: supervisors/admins;
- POST /api/answers/propose {ticket_id}: an agent, from her own wrapped-up branch-2 call or answered branch-2
  e-mail (de-identified);
- GET /api/answers/gaps?source=: the searches that found nothing, most asked first (supervisors/admins).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import AGENTS, ALL_ROLES, SUPERVISORS
from callcenter.answers.search import SOURCES, AnswerSearch
from callcenter.answers.service import EDITABLE, LANGUAGES, AnswerError, AnswerService, today
from callcenter.common.http import BadInput, int_param, iso, json_error, json_object
from models import Agent, AnswerEntry, AnswerSearchMiss, AnswerStatus, db

bp = Blueprint("answers_api", __name__, url_prefix="/api/answers")
STATUSES = tuple(s.value for s in AnswerStatus)


def entry_to_json(entry: AnswerEntry) -> dict[str, Any]:
    """An entry as the desk sees it (authors and reviewers included: staff only)."""
    return {
        "id": entry.id,
        "status": entry.status,
        "title": entry.title,
        "question": entry.question,
        "answer": entry.answer,
        "business_codes": list(entry.business_codes or []),
        "problem_group": entry.problem_group,
        "language": entry.language,
        "links": list(entry.links or []),
        "valid_from": entry.valid_from.isoformat() if entry.valid_from else None,
        "valid_until": entry.valid_until.isoformat() if entry.valid_until else None,
        "author": entry.author,
        "reviewer": entry.reviewer,
        "source_ticket_id": entry.source_ticket_id,
        "uses": entry.uses,
        "helped": entry.helped,
        "not_helped": entry.not_helped,
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
        "published_at": iso(entry.published_at),
    }


def prefer_param() -> str | None:
    """`prefer=vi|en`: the language whose entries come first (None when absent or empty); else a 400."""
    prefer = request.args.get("prefer", "")
    if prefer and prefer not in LANGUAGES:
        raise BadInput(_("prefer is the language to show first: vi or en."))
    return prefer or None


def _service() -> AnswerService:
    return AnswerService(db.session, current_app.extensions["clock"])


def _refused(exc: AnswerError) -> Any:
    db.session.rollback()
    code = {404: "not_found", 409: "conflict"}.get(exc.status, "invalid_answer")
    return json_error(exc.status, code, exc.message)


def _saved(change: Callable[[], AnswerEntry], status: int = 200) -> Any:
    """Run one change of the service and commit it: the entry as JSON, or the service's refusal (nothing kept)."""
    try:
        entry = change()
    except AnswerError as exc:
        return _refused(exc)
    db.session.commit()
    return jsonify(entry_to_json(entry)), status


def _unknown(body: dict[str, Any]) -> Any:
    """A 400 naming the fields that are not an entry's editable fields (None when all are)."""
    unknown = sorted(set(body) - set(EDITABLE))
    if not unknown:
        return None
    return json_error(400, "invalid_answer", _("Unknown fields: %(fields)s.", fields=", ".join(unknown)))


def _username() -> str:
    return current_user().username  # type: ignore[union-attr]  # require_role admitted somebody


def _is_editor() -> bool:
    user = current_user()
    return user is not None and user.role in SUPERVISORS


@bp.get("")
@require_role(*ALL_ROLES)
def search_answers() -> Any:
    """Search (q, code, group, lang, prefer, limit), or for supervisors/admins list a status (status=proposed)."""
    limit = int_param("limit", 10, 1, 50, clamp=True)
    status = request.args.get("status", "")
    if status and status != AnswerStatus.PUBLISHED.value or request.args.get("all") == "1":
        if not _is_editor():
            return json_error(403, "forbidden", _("Only supervisors see answers that are not published."))
        if status and status not in STATUSES:
            return json_error(400, "bad_input", _("Unknown status."))
        query = select(AnswerEntry).order_by(AnswerEntry.updated_at.desc(), AnswerEntry.id.desc()).limit(limit)
        if status:
            query = query.where(AnswerEntry.status == status)
        return jsonify({"entries": [entry_to_json(e) for e in db.session.scalars(query)]})
    hits = AnswerSearch(db.session, current_app.extensions["clock"]).search(
        request.args.get("q", "")[:200],
        business_code=request.args.get("code") or None,
        group=request.args.get("group") or None,
        language=request.args.get("lang") or None,
        prefer_language=prefer_param(),
        today=today(current_app.extensions["clock"]),
        limit=limit,
        source="desk",
    )
    db.session.commit()  # a search that found nothing is counted as a gap
    return jsonify({"hits": [h.to_json() for h in hits]})


@bp.post("")
@require_role(*SUPERVISORS)
def create_answer() -> Any:
    """A new entry: {title, question, answer, business_codes?, problem_group?, language?, links?,
    valid_from?, valid_until?, status? ("proposed" or "published")}."""
    body = json_object()
    status = body.pop("status", AnswerStatus.PROPOSED.value)
    if status not in (AnswerStatus.PROPOSED.value, AnswerStatus.PUBLISHED.value):
        return json_error(400, "invalid_answer", _("A new answer is proposed or published."))
    unknown = _unknown(body)
    if unknown:
        return unknown
    return _saved(lambda: _service().create(by=_username(), status=status, **body), 201)


@bp.get("/<int:entry_id>")
@require_role(*ALL_ROLES)
def get_answer(entry_id: int) -> Any:
    entry = db.session.get(AnswerEntry, entry_id)
    if entry is None or (entry.status != AnswerStatus.PUBLISHED.value and not _is_editor()):
        return json_error(404, "not_found", _("No such answer."))
    return jsonify(entry_to_json(entry))


@bp.patch("/<int:entry_id>")
@require_role(*SUPERVISORS)
def update_answer(entry_id: int) -> Any:
    """Change the fields sent (any of the new entry's fields but status)."""
    body = json_object()
    unknown = _unknown(body)
    if unknown:
        return unknown
    return _saved(lambda: _service().update(entry_id, by=_username(), **body))


@bp.post("/<int:entry_id>/publish")
@require_role(*SUPERVISORS)
def publish_answer(entry_id: int) -> Any:
    return _saved(lambda: _service().publish(entry_id, _username()))


@bp.post("/<int:entry_id>/retire")
@require_role(*SUPERVISORS)
def retire_answer(entry_id: int) -> Any:
    return _saved(lambda: _service().retire(entry_id, _username()))


@bp.post("/propose")
@require_role(*AGENTS)
def propose_answer() -> Any:
    """{ticket_id}: a proposal from the agent's own wrap-up (branch 2 only, de-identified)."""
    body = json_object()
    ticket_id = body.get("ticket_id")
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool) or ticket_id < 1:
        return json_error(400, "bad_input", _("Send the ticket_id of a call you wrapped up or an e-mail you answered."))
    agent = db.session.scalars(select(Agent).where(Agent.username == _username())).first()
    if agent is None:
        return json_error(403, "forbidden", _("Only an agent of the desk proposes answers."))
    return _saved(lambda: _service().propose_from_ticket(ticket_id, agent), 201)


@bp.get("/gaps")
@require_role(*SUPERVISORS)
def gaps() -> Any:
    """Searches that found nothing, most asked first: {gaps: [{query, business_code, source, count, …}]}."""
    source = request.args.get("source", "")
    if source and source not in SOURCES:
        return json_error(400, "bad_input", _("The source is desk or public."))
    limit = int_param("limit", 100, 1, 500, clamp=True)
    query = select(AnswerSearchMiss).order_by(AnswerSearchMiss.count.desc(), AnswerSearchMiss.last_at.desc())
    if source:
        query = query.where(AnswerSearchMiss.source == source)
    rows = db.session.scalars(query.limit(limit))
    return jsonify(
        {
            "gaps": [
                {
                    "query": m.query,
                    "business_code": m.business_code,
                    "source": m.source,
                    "count": m.count,
                    "first_at": iso(m.first_at),
                    "last_at": iso(m.last_at),
                }
                for m in rows
            ]
        }
    )
