"""The public JSON API of the answer base (issue 16): businesses search the published answers before
they call, and say whether one helped. No login; only published entries valid today, without authors
or reviewers.

- GET /public/api/answers?q=&code=&group=&lang=&prefer=&limit=: `lang` keeps only that language's entries,
  `prefer` (vi|en, the page's language) ranks them first (answers/search.py)
- POST /public/api/answers/<id>/feedback {"helped": true|false}: no CSRF token (there is no session to
  forge), but a browser's cross-site request is refused (Origin / Sec-Fetch-Site must be this site) and
  the body must be JSON (a cross-site form cannot send it without a CORS preflight, which we never allow).

Both are rate-limited per client address (`client_address()`, after ProxyFix, as the login throttle
counts): PUBLIC_ANSWER_SEARCHES per minute and PUBLIC_ANSWER_FEEDBACK per hour (one vote per entry and
address an hour). The counts are kept in the database (rate_counts, answers/limits.py), each hit on its
own short transaction, so every process shares them. When the limiter's database work fails, a search
is let through (logged: the public page must not fail for its limiter) and a vote is refused with 503.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from callcenter.accounts.session_auth import client_address
from callcenter.answers.api import prefer_param
from callcenter.answers.limits import RateLimiter
from callcenter.answers.search import AnswerSearch
from callcenter.answers.service import AnswerError, AnswerService, today
from callcenter.common.http import int_param, json_error, json_object
from models import db

log = logging.getLogger(__name__)
bp = Blueprint("answers_public_api", __name__, url_prefix="/public/api/answers")
SEARCHES_PER_MINUTE = 60
FEEDBACK_PER_HOUR = 30


def _limiter() -> RateLimiter:
    return RateLimiter(db.engine, current_app.extensions["clock"])


def _too_many(wait: int) -> Any:
    response = json_error(429, "rate_limited", _("Too many requests; try again in a moment."))
    response.headers["Retry-After"] = str(wait)
    return response


def _same_origin() -> bool:
    """A browser names where the request comes from; only this site may send it."""
    origin = request.headers.get("Origin")
    if origin:
        ours, theirs = urlsplit(request.host_url), urlsplit(origin)
        return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)
    return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


@bp.get("")
def public_search() -> Any:
    limit = current_app.config.get("PUBLIC_ANSWER_SEARCHES", SEARCHES_PER_MINUTE)
    try:
        wait = _limiter().hit("search:" + client_address(), limit, window=60)
    except SQLAlchemyError:
        log.warning("the public search's rate limiter failed; the search is let through", exc_info=True)
        wait = 0
    if wait:
        return _too_many(wait)
    clock = current_app.extensions["clock"]
    hits = AnswerSearch(db.session, clock).search(
        request.args.get("q", "")[:200],
        business_code=request.args.get("code") or None,
        group=request.args.get("group") or None,
        language=request.args.get("lang") or None,
        prefer_language=prefer_param(),
        today=today(clock),
        limit=int_param("limit", 10, 1, 20, clamp=True),
        source="public",
    )
    db.session.commit()  # a search that found nothing is counted as a gap
    found = []
    for hit in hits:
        shown = hit.to_json()
        shown.pop("score", None)
        found.append(shown)
    return jsonify({"hits": found})


@bp.post("/<int:entry_id>/feedback")
def public_feedback(entry_id: int) -> Any:
    """{"helped": true|false} on a published entry."""
    if not _same_origin():
        return json_error(403, "cross_site", _("Send this from the hotline's own answers page."))
    if not request.is_json:
        return json_error(400, "bad_input", _('Send JSON such as {"helped": true}.'))
    body = json_object()
    helped = body.get("helped")
    if not isinstance(helped, bool):
        return json_error(400, "bad_input", _('Send JSON such as {"helped": true}.'))
    address = client_address()
    limit = current_app.config.get("PUBLIC_ANSWER_FEEDBACK", FEEDBACK_PER_HOUR)
    limiter = _limiter()
    try:
        wait = limiter.hit(f"feedback:{address}", limit, window=3600) or limiter.hit(
            f"feedback:{address}:{entry_id}", 1, window=3600
        )
    except SQLAlchemyError:
        log.warning("the public feedback's rate limiter failed; the vote is refused", exc_info=True)
        response = json_error(503, "database_unavailable", _("The database connection was lost; try again."))
        response.headers["Retry-After"] = "60"
        return response
    if wait:
        return _too_many(wait)
    try:
        AnswerService(db.session, current_app.extensions["clock"]).feedback(entry_id, helped)
    except AnswerError as exc:
        db.session.rollback()
        return json_error(exc.status, "not_found", exc.message)
    db.session.commit()
    return jsonify({"thanks": True})
