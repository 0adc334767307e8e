"""The boundary of everything that is not a Twilio webhook (the JSON API, the agents' and supervisors'
pages, the sandbox): what is checked once, before any view runs, and how what slips through is answered.

- `<int:…>` in a URL is an id: anything but 1 … 2^31 − 1 (the INTEGER column) answers 400, not a failed
  query or a 404.
- A NUL character (PostgreSQL cannot store U+0000) or a lone surrogate anywhere in the path, the query
  string, a form, the login's credentials or a JSON body: 400 with a message, before any view runs.
  (Webhooks under /ivr/ are cleaned instead, by ivr/webhook.py: Twilio must always get TwiML.)
- `BadInput` raised by a view (callcenter/http.py's parsers) is the 400 `bad_input` answer.
- A GET whose database connection turned out dead (the database restarted) runs once more on a fresh
  connection, as webhooks do; a change (POST, DELETE) is not repeated and answers 503 with Retry-After.
- On the JSON paths every 400, 404, 500 and 503 has the one error shape of callcenter/http.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, InternalServerError
from werkzeug.routing import BaseConverter

from callcenter.common.http import BadInput, json_error
from callcenter.common.inputs import MAX_ID, bounded_id, unstorable
from models import db

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/agent/api/", "/sandbox/api/")
IDEMPOTENT = ("GET", "HEAD")


class IdConverter(BaseConverter):
    """`<int:…>` is a row id: any other segment there (a word, -1, a number beyond the INTEGER column)
    is a mistake to correct, answered 400 with a message, not a 404 or a failed query."""

    regex = r"[^/]+"
    weight = 50  # as werkzeug's IntegerConverter: fixed path parts still win

    def to_python(self, value: str) -> int:
        number = bounded_id(value)
        if number is None:
            shown = value if len(value) <= 24 else value[:24] + "…"
            raise BadRequest(
                _(
                    "%(value)s in this address is not an id: ids are whole numbers from 1 to %(largest)s.",
                    value=repr(shown),
                    largest=MAX_ID,
                )
            )
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def install_converters(app: Flask) -> None:
    """Before any route is registered: `<int:…>` becomes the id converter."""
    app.url_map.converters["int"] = IdConverter


def install(app: Flask) -> None:
    """After every route is registered: the request guard, the error answers, the retried reads."""
    app.before_request(refuse_unstorable_input)
    app.register_error_handler(BadInput, lambda exc: json_error(400, "bad_input", str(exc)))
    app.register_error_handler(BadRequest, _bad_request)
    app.register_error_handler(500, _internal_error)
    for endpoint, view in list(app.view_functions.items()):
        if not endpoint.startswith("ivr."):  # webhooks retry inside their own wrapper (ivr/webhook.py)
            app.view_functions[endpoint] = retry_stale_reads(view)


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _answer(status: int, code: str, message: str) -> Response:
    if wants_json():
        return json_error(status, code, message)
    return Response(message + "\n", status=status, mimetype="text/plain")


def refuse_unstorable_input() -> Response | None:
    """400 for input no column can hold: NUL (PostgreSQL refuses U+0000 in text), lone surrogates."""
    if request.path.startswith("/ivr/"):
        return None  # Twilio's webhooks clean their form themselves and always answer TwiML
    problem = where = None
    if "\x00" in request.path:
        problem, where = _("a NUL character (\\x00)"), _("the address")
    for name, values in (("query", request.args), ("form", request.form)):
        if problem is None:
            for key, value in values.items(multi=True):
                problem = unstorable(key) or unstorable(value)
                if problem:
                    part = _("the query string") if name == "query" else _("the form")
                    where = f"{part} ({key[:32]!r})"
                    break
    if problem is None and request.authorization is not None:
        credentials = [request.authorization.username or "", request.authorization.password or ""]
        if unstorable(credentials):
            problem, where = unstorable(credentials), _("the credentials")
    if problem is None and request.is_json and request.content_length:
        try:
            body = request.get_json(silent=True)  # cached: the view reads the same object
        except RecursionError:
            return _answer(400, "bad_input", _("The JSON body is nested too deeply."))
        problem, where = unstorable(body), _("the JSON body")
    if problem is None:
        return None
    return _answer(
        400,
        "bad_input",
        _("The request has %(problem)s in %(where)s; remove it and try again.", problem=problem, where=where),
    )


def _bad_request(exc: BadRequest) -> Any:
    if wants_json():
        return json_error(400, "bad_input", exc.description or _("The request is malformed."))
    return exc.get_response()


def _internal_error(exc: Any) -> Any:
    if wants_json():
        return json_error(500, "internal_error", _("Something went wrong on our side; it has been logged."))
    return InternalServerError().get_response()


def retry_stale_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a GET once more when its database connection turned out to be dead. A database restart
    leaves every pooled connection dead; the first statement fails, SQLAlchemy invalidates the whole
    pool, and the second run gets a fresh connection. A change (POST, DELETE) is not repeated: it
    answers 503 with Retry-After, and the client tries again. Webhooks retry in ivr/webhook.py."""

    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            db.session.rollback()
            if request.method not in IDEMPOTENT:
                log.warning("%s %s: the database connection was lost", request.method, request.path)
                response = _answer(503, "database_unavailable", _("The database connection was lost; try again."))
                response.headers["Retry-After"] = "1"
                return response
            log.warning("%s %s: the database connection was lost; reading once more", request.method, request.path)
            return view(*args, **kwargs)

    return run
