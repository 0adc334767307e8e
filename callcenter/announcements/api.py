"""JSON API: incident announcements (supervisors set and stop them; the IVR plays the active one)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import SUPERVISORS
from callcenter.announcements.service import AnnouncementError, AnnouncementService
from callcenter.common.http import iso, json_error
from models import Announcement, db

bp = Blueprint("announcements_api", __name__, url_prefix="/api/announcements")


def announcement_to_json(a: Announcement, now: datetime) -> dict[str, Any]:
    """An announcement and whether it is playing now."""
    return {
        "id": a.id,
        "text_vi": a.text_vi,
        "text_en": a.text_en,
        "audio_url_vi": a.audio_url_vi,
        "audio_url_en": a.audio_url_en,
        "starts_at": iso(a.starts_at),
        "expires_at": iso(a.expires_at),
        "cancelled_at": iso(a.cancelled_at),
        "created_by": a.created_by,
        "active": a.is_active(now),
    }


def parse_time(raw: object, field: str) -> datetime | None:
    """An ISO 8601 time with a zone (e.g. 2026-11-22T17:00:00+07:00), or None when empty."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise AnnouncementError(_("%(field)s must be an ISO 8601 time such as 2026-11-22T17:00:00+07:00.", field=field))
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise AnnouncementError(
            _("%(field)s must be an ISO 8601 time such as 2026-11-22T17:00:00+07:00.", field=field)
        ) from exc
    if value.tzinfo is None:
        raise AnnouncementError(_("%(field)s needs a time zone, e.g. +07:00 for Vietnam.", field=field))
    return value.astimezone(UTC)


@bp.get("")
@require_role(*SUPERVISORS)
def list_announcements() -> Any:
    """Recent announcements, newest first."""
    now = current_app.extensions["clock"].now()
    rows = db.session.scalars(select(Announcement).order_by(Announcement.id.desc()).limit(50))
    return jsonify([announcement_to_json(a, now) for a in rows])


@bp.post("")
@require_role(*SUPERVISORS)
def create_announcement() -> Any:
    """Set an incident announcement: JSON {text_vi, text_en?, expires_at?, starts_at?}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "bad_request", _("Send a JSON object with at least text_vi."))
    clock = current_app.extensions["clock"]
    try:
        announcement = AnnouncementService(db.session, clock).create(
            str(body.get("text_vi") or ""),
            body.get("text_en") if isinstance(body.get("text_en"), str) else None,
            parse_time(body.get("expires_at"), "expires_at"),
            starts_at=parse_time(body.get("starts_at"), "starts_at"),
            created_by=current_user().username,  # type: ignore[union-attr]
        )
    except AnnouncementError as exc:
        db.session.rollback()
        return json_error(400, "invalid_announcement", str(exc))
    db.session.commit()
    return jsonify(announcement_to_json(announcement, clock.now())), 201


@bp.post("/<int:announcement_id>/expire")
@require_role(*SUPERVISORS)
def expire_announcement(announcement_id: int) -> Any:
    """Stop an announcement now."""
    clock = current_app.extensions["clock"]
    try:
        announcement = AnnouncementService(db.session, clock).expire(announcement_id)
    except AnnouncementError as exc:
        return json_error(404, "not_found", str(exc))
    db.session.commit()
    return jsonify(announcement_to_json(announcement, clock.now()))
