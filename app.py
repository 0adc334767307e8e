"""Application factory for the 19009299 hotline backend. `python app.py` runs the demo."""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import make_server

import sandbox
from callcenter.agents import monitor_api, people_api, softphone
from callcenter.agents import pages as people_pages
from callcenter.announcements import api as announcements_api
from callcenter.answers import api as answers_api
from callcenter.answers import pages as answer_pages
from callcenter.answers import public_api as answers_public_api
from callcenter.common.clock import Clock, SystemClock
from callcenter.common.numbers import support_numbers
from callcenter.forecast import api as forecast_api
from callcenter.forecast import pages as forecast_pages
from callcenter.mail import api as mail_api
from callcenter.mail import rules_api as mail_rules_api
from callcenter.mail import rules_page as mail_rules_page
from callcenter.ops import cli as ops_cli
from callcenter.ops import demo, scheduler
from callcenter.ops.console import quiet_polls
from callcenter.reports import api as reports_api
from callcenter.reports import pages as report_pages
from callcenter.rota import api as rota_api
from callcenter.rota import pages as rota_pages
from callcenter.routing import trigger
from callcenter.telephony.breaker import CircuitBreaker
from callcenter.telephony.conference import TwilioConferences
from callcenter.telephony.gateway import TwilioGateway
from callcenter.telephony.health import HealthRecorder, telephony_status
from callcenter.tickets import api as tickets_api
from callcenter.tickets import calls_api
from callcenter.tickets import pages as ticket_pages
from callcenter.web import boundary, headers, i18n
from callcenter.web import pages as login_pages
from config import BaseConfig, DevelopmentConfig, load_config
from ivr import bp as ivr_bp
from ivr.agent_calls import ring_urls
from ivr.cli import prompts_cli
from ivr.prompts import PromptCatalog
from models import crypto, db
from models.migrate import upgrade
from sandbox import desk as sandbox_desk
from sandbox.cli import sandbox_cli
from sandbox.gateway import SandboxConferences, SandboxGateway

log = logging.getLogger("hotline")

# Every blueprint: the voice channel's webhooks, the JSON API, the pages (each room serves its own
# templates and static files), and the sandbox's desk endpoints (they answer 404 unless the sandbox runs).
BLUEPRINTS: tuple[Blueprint, ...] = (
    ivr_bp,
    calls_api.bp,
    announcements_api.bp,
    reports_api.bp,
    rota_api.bp,
    tickets_api.bp,
    forecast_api.bp,
    people_api.bp,
    login_pages.bp,
    softphone.bp,
    sandbox_desk.bp,
    sandbox_desk.monitor_bp,
    monitor_api.bp,
    report_pages.bp,
    ticket_pages.bp,
    rota_pages.bp,
    forecast_pages.bp,
    people_pages.bp,
    mail_api.bp,
    mail_rules_api.bp,
    mail_rules_page.bp,
    answers_api.bp,
    answers_public_api.bp,
    answer_pages.bp,
    answer_pages.public_bp,
)


def create_app(
    config: type[BaseConfig] | None = None, *, clock: Clock | None = None, overrides: dict[str, Any] | None = None
) -> Flask:
    """Build the app from a config class (default: from HOTLINE_ENV) and optional overrides."""
    _configure_logging()
    app = Flask(__name__)
    app.config.from_object(config or load_config())
    app.config.update(overrides or {})
    if app.config.get("ENV_NAME") == "production" and app.config.get("SANDBOX_ENABLED"):
        raise RuntimeError("the telephony sandbox must never be enabled in production")
    if not app.config["TWILIO_AUTH_TOKEN"] and app.config["SANDBOX_ENABLED"]:
        # No Twilio: the sandbox signs and the webhooks check with a token made for this process.
        app.config["TWILIO_AUTH_TOKEN"] = "sandbox-" + os.urandom(16).hex()
    if app.config.get("DESK_BRIDGE", "client") not in ("client", "conference"):
        raise RuntimeError("DESK_BRIDGE must be client or conference")
    try:
        app.extensions["central_support"] = support_numbers(
            list(app.config.get("CENTRAL_SUPPORT_NUMBERS") or []), app.config["DEFAULT_REGION"]
        )
    except ValueError as exc:
        raise RuntimeError(str(exc)) from exc
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:  # the client's address, not the proxy's, for login throttling
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if not app.config.get("DATA_KEYS"):
        raise RuntimeError("DATA_KEYS (Fernet keys for caller data at rest) must be set")
    crypto.configure(list(app.config["DATA_KEYS"]))
    app.extensions["clock"] = clock or SystemClock()
    app.extensions["prompts"] = PromptCatalog(app.config["PROMPT_CACHE_SECONDS"])
    db.init_app(app)
    boundary.install_converters(app)  # before any route: <int:…> ids are bounded

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    _install_telephony(app)
    trigger.install(app, ring_urls)  # event-driven dispatch; the voice channel gives the ring URLs
    headers.install(app)
    i18n.install(app)  # the pages' language (Flask-Babel): vi by default, en on request
    _register_basics(app)
    _register_cli(app)
    boundary.install(app)  # after every route: input checks, JSON errors, GETs retried after a lost connection
    return app


def _configure_logging() -> None:
    """Under gunicorn or `flask scheduler run` nothing configures logging: give the app's records a time,
    a level, the process and the logger (LOG_LEVEL, default INFO). Never caller numbers (see the README)."""
    if logging.getLogger().handlers:
        return  # the demo, the tests or a deployment configured it already
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run every 2 s is noise
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # every REST request's headers


def _install_telephony(app: Flask) -> None:
    """The sandbox when enabled, else Twilio's REST API, behind one gateway interface."""
    if app.config["SANDBOX_ENABLED"]:
        switch = sandbox.install(app)
        app.extensions["gateway"] = SandboxGateway(switch)
        app.extensions["conferences"] = SandboxConferences(switch)
    else:
        config, clock = app.config, app.extensions["clock"]
        breaker = CircuitBreaker(
            clock,
            threshold=int(config["TELEPHONY_BREAKER_THRESHOLD"]),
            cooldown_seconds=float(config["TELEPHONY_BREAKER_COOLDOWN_SECONDS"]),
            max_cooldown_seconds=float(config["TELEPHONY_BREAKER_MAX_COOLDOWN_SECONDS"]),
            listener=HealthRecorder(app.extensions["db"].engine, clock),
        )
        app.extensions["gateway"] = TwilioGateway(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            config["TWILIO_API_BASE_URL"],
            float(config["TWILIO_TIMEOUT_SECONDS"]),
            breaker=breaker,
        )
        app.extensions["conferences"] = TwilioConferences(app.extensions["gateway"])


def _register_basics(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> Any:
        """200 when the database answers (with the telephony engine's state on record), 503 otherwise."""
        if not db.ping():
            return jsonify(status="unavailable", database="unreachable", telephony="unknown"), 503
        try:
            telephony = telephony_status(db.session).as_json()
        except Exception:  # noqa: BLE001 - the health page must answer whatever the table says
            db.session.rollback()
            telephony = {"state": "unknown"}
        return jsonify(status="ok", database="ok", telephony=telephony["state"], telephony_detail=telephony)

    @app.get("/")
    def index() -> Any:
        """The landing page: links to the agent desk, the supervisor pages and (demo only) the sandbox
        phone; a client asking for JSON (Accept: application/json) gets the links as JSON."""
        sandbox_on = bool(app.config["SANDBOX_ENABLED"])
        if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
            links = {"health": "/healthz", "call_api": "/api/calls/<CallSid>"}
            if sandbox_on:
                links["sandbox_phone"] = "/sandbox/"
            return jsonify(service="hotline 19009299", links=links)
        return render_template("landing.html", sandbox_on=sandbox_on)

    @app.errorhandler(413)
    def too_large(_exc: Exception) -> Response:
        return Response(_("Request body too large (limit 64 KB).") + "\n", status=413, mimetype="text/plain")

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> Any:
        message = _("Nothing at %(path)s.", path=request.path)
        if request.path.startswith(("/api/", "/sandbox/api/")):
            return jsonify(error="not_found", message=message), 404
        return Response(message + "\n", status=404, mimetype="text/plain")

    @app.errorhandler(403)
    def forbidden(exc: Any) -> Any:
        message = getattr(exc, "description", None) or _("Your role may not open this page.")
        if request.path.startswith("/api/"):
            return jsonify(error="forbidden", message=message), 403
        return render_template("forbidden.html", message=message), 403

    @app.errorhandler(405)
    def wrong_method(_exc: Exception) -> Any:
        message = _("%(method)s is not allowed on %(path)s.", method=request.method, path=request.path)
        return Response(message + "\n", status=405, mimetype="text/plain")


def _register_cli(app: Flask) -> None:
    ops_cli.register(app)
    app.cli.add_command(prompts_cli)
    if app.config.get("SANDBOX_ENABLED"):
        app.cli.add_command(sandbox_cli)


def main() -> None:
    """Run the hotline with demo data on SQLite and the browser sandbox (development server).
    The port: --port, else the PORT environment variable, else 5000 (PORT=5098 make demo)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "5000")), help="default: $PORT, else 5000"
    )
    parser.add_argument("--no-demo", action="store_true", help="do not seed demo users and call history")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run every 2 s is noise
    quiet_polls()  # nor a line per page poll (errors and other requests are still logged)
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://{args.host}:{args.port}")
    config = load_config()
    if config is DevelopmentConfig:
        DevelopmentConfig.PUBLIC_BASE_URL = os.environ["PUBLIC_BASE_URL"]
    app = create_app(config)
    upgrade(app.config["DATABASE_URL"])
    if not args.no_demo:
        with app.app_context():
            for line in demo.prepare_demo(app):
                log.info("%s", line)
    if app.config["SCHEDULER_IN_PROCESS"]:
        scheduler.build(app).start()
        log.info("scheduler running in this process (dispatch, wrap-up, shifts, reconcile)")
    server = make_server(args.host, args.port, app, threaded=True)  # bound and listening from here
    server.log_startup()
    with app.app_context():
        for line in demo.ready_lines(
            db.session, app.extensions["clock"], app.config["PUBLIC_BASE_URL"], not args.no_demo
        ):
            log.info("%s", line)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
