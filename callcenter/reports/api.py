"""JSON API: the abandonment, service and agents reports (JSON or CSV), and the wallboard's "now"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

from callcenter.accounts.api_auth import require_role
from callcenter.accounts.roles import SUPERVISORS, WATCHERS
from callcenter.agents.desk import DeskView, agents_board
from callcenter.announcements.api import announcement_to_json
from callcenter.announcements.service import AnnouncementService
from callcenter.common.http import int_param, json_error
from callcenter.reports import agents
from callcenter.reports.answers import answers_csv, build_answers
from callcenter.reports.levers import measured_levers
from callcenter.reports.mail import backlog_now, build_mail, mail_csv, mail_on_desks
from callcenter.reports.metrics import LOCAL_TZ
from callcenter.reports.service import ReportError, aggregate, build, date_range, day_bounds, sum_totals, to_csv
from callcenter.telephony.health import telephony_status
from models import db

bp = Blueprint("reports_api", __name__, url_prefix="/api")


def csv_download(text: str, filename: str) -> Any:
    """A CSV file the browser downloads (the reports' "Download CSV")."""
    return current_app.response_class(
        text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/reports/<kind>")
@require_role(*WATCHERS)
def report(kind: str) -> Any:
    """Abandonment or service report: ?from=YYYY-MM-DD&to=…&by=day|hour|weekday_hour|branch|group
    &threshold=20&formula=cisco_against&format=json|csv (counts only, never a caller)."""
    if kind == "agents":
        return agent_report()
    if kind == "email":
        return mail_report()
    if kind not in ("abandonment", "service"):
        return json_error(404, "not_found", _("Reports: /api/reports/abandonment, /service, /agents or /email."))
    config = current_app.config
    today = current_app.extensions["clock"].now().astimezone(LOCAL_TZ).date()
    threshold = int_param("threshold", int(config["SERVICE_LEVEL_SECONDS"]), 1, 3600)
    try:
        first, last = date_range(request.args.get("from"), request.args.get("to"), today)
        result = build(
            db.session,
            first,
            last,
            by=request.args.get("by") or ("day" if kind == "abandonment" else "branch"),
            threshold=threshold,
            short_seconds=int(config["SHORT_ABANDON_SECONDS"]),
            formula=request.args.get("formula") or config["SERVICE_LEVEL_FORMULA"],
        )
    except ReportError as exc:
        return json_error(400, "bad_input", str(exc))
    if request.args.get("format") == "csv":
        filename = f"{kind}-{first.isoformat()}-{last.isoformat()}-by-{result['by']}.csv"
        return csv_download(to_csv(result), filename)
    return jsonify(kind=kind, **result)


@bp.get("/reports/answers")
@require_role(*SUPERVISORS)
def answers_report() -> Any:
    """The answer base's report for ?from=&to= (Vietnam days; format=csv for a download): top questions per
    business code and problem group with the answers used, answers reused, and the AHT of branch-2 calls
    with an answer against those without (callcenter/reports/answers.py), and the forecast's levers as
    measured or assumed (callcenter/reports/levers.py)."""
    config = current_app.config
    now = current_app.extensions["clock"].now()
    try:
        first, last = date_range(request.args.get("from"), request.args.get("to"), now.astimezone(LOCAL_TZ).date())
        threshold, short = int(config["SERVICE_LEVEL_SECONDS"]), int(config["SHORT_ABANDON_SECONDS"])
        result = build_answers(db.session, first, last, threshold, short)
        start, end = day_bounds(first, last)
        result["levers"] = measured_levers(db.session, start, min(end, now))
    except ReportError as exc:
        return json_error(400, "bad_input", str(exc))
    if request.args.get("format") == "csv":
        filename = f"answers-{first.isoformat()}-{last.isoformat()}.csv"
        return csv_download(answers_csv(result), filename)
    return jsonify(result)


@bp.get("/wallboard")
@require_role(*WATCHERS)
def wallboard() -> Any:
    """What is happening now: waiting per branch, agents by state, today's figures, the announcement."""
    config = current_app.config
    clock = current_app.extensions["clock"]
    now = clock.now()
    today = now.astimezone(LOCAL_TZ).date()
    start, end = day_bounds(today, today)
    threshold, short = int(config["SERVICE_LEVEL_SECONDS"]), int(config["SHORT_ABANDON_SECONDS"])
    figures = sum_totals(aggregate(db.session, start, end, "branch", threshold, short).values()).as_json(
        config["SERVICE_LEVEL_FORMULA"]
    )
    announcement = AnnouncementService(db.session, clock).active()
    board = agents_board(db.session, clock, int(config["PRESENCE_TIMEOUT_SECONDS"]))
    desks = mail_on_desks(db.session)
    for row in board:  # the e-mail on her desk (issue 15), or None
        row["mail"] = desks.get(row["username"])
    return jsonify(
        at=now.isoformat(),
        queues=DeskView(db.session, clock).queues(),
        agents=board,
        mail=backlog_now(db.session, now),
        today=figures,
        service_level_threshold_seconds=int(config["SERVICE_LEVEL_SECONDS"]),
        service_level_formula=config["SERVICE_LEVEL_FORMULA"],
        announcement=None if announcement is None else announcement_to_json(announcement, now),
        telephony=telephony_status(db.session).as_json(),
        bridge=config.get("DESK_BRIDGE", "client"),
        mode="sandbox" if config["SANDBOX_ENABLED"] else "twilio",
    )


def agent_report() -> Any:
    """Per agent for ?from=&to= (dates, Vietnam time; format=csv for a download): handled (the service
    report's answered calls and completed callbacks, per agent, with a no_agent row and the total), AHT,
    wrap-up, missed rings, states, occupancy."""
    clock = current_app.extensions["clock"]
    try:
        first, last = date_range(
            request.args.get("from"), request.args.get("to"), clock.now().astimezone(LOCAL_TZ).date()
        )
    except ReportError as exc:
        return json_error(400, "bad_input", str(exc))
    start, end = day_bounds(first, last)
    end = min(end, clock.now()) if start < clock.now() else end  # today: up to now, not midnight
    config = current_app.config
    result = agents.report(
        db.session, start, end, int(config["SERVICE_LEVEL_SECONDS"]), int(config["SHORT_ABANDON_SECONDS"])
    )
    if request.args.get("format") == "csv":
        return csv_download(agents.to_csv(result), f"agents-{first.isoformat()}-{last.isoformat()}.csv")
    return jsonify(kind="agents", **{"from": first.isoformat(), "to": last.isoformat()}, **result)


def mail_report() -> Any:
    """The e-mail report for ?from=&to= (Vietnam days) &by=day|branch|group&format=json|csv: received (first
    messages and replies apart), answered, first-response median and p90, the share within
    MAIL_RESPONSE_TARGET_HOURS, the backlog by age at the period's end, and the handled rate over calls and
    e-mails next to the department's ~70 % (callcenter/reports/mail.py)."""
    config = current_app.config
    now = current_app.extensions["clock"].now()
    try:
        first, last = date_range(request.args.get("from"), request.args.get("to"), now.astimezone(LOCAL_TZ).date())
        result = build_mail(
            db.session,
            first,
            last,
            now,
            by=request.args.get("by") or "day",
            target_hours=float(config.get("MAIL_RESPONSE_TARGET_HOURS") or 8),
            threshold=int(config["SERVICE_LEVEL_SECONDS"]),
            short_seconds=int(config["SHORT_ABANDON_SECONDS"]),
        )
    except ReportError as exc:
        return json_error(400, "bad_input", str(exc))
    if request.args.get("format") == "csv":
        filename = f"email-{first.isoformat()}-{last.isoformat()}-by-{result['by']}.csv"
        return csv_download(mail_csv(result), filename)
    return jsonify(result)
