"""The baseline: a bare Flask app with one route answering a constant string.

Served by gunicorn with the same settings as bench/wsgi_ivr.py, it shows what the server, Flask and
the load generator cost on their own. It accepts POST too, so the runner can send it the very same
signed form bodies as the IVR webhooks (it never reads them).
"""

from __future__ import annotations

from flask import Flask

from bench.common import BARE_BODY

app = Flask(__name__)


@app.route("/", methods=["GET", "POST"])
def constant() -> str:
    """Always the same short text."""
    return BARE_BODY
