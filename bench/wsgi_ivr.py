"""Gunicorn entry point for the hotline app under load: `gunicorn --chdir /work/main bench.wsgi_ivr:app`.

Configured by the environment. Variables left unset get the benchmark's defaults (see
bench/common.py): HOTLINE_ENV=development, SANDBOX_ENABLED=false, the benchmark's Twilio account and
token (REST API pointed at a closed local port), PUBLIC_BASE_URL=http://127.0.0.1:<BENCH_PORT, default
8099> and DATABASE_URL=a SQLite file under bench/results/.
The database must already be migrated (bench/ivr_load.py does that before starting gunicorn).
"""

from __future__ import annotations

import os

from bench.common import DEFAULT_PORT, server_environment


def _apply_defaults() -> None:
    """Fill in the benchmark configuration for whatever the environment does not set."""
    port = int(os.environ.get("BENCH_PORT") or DEFAULT_PORT)
    for name, value in server_environment(port, os.environ.get("DATABASE_URL")).items():
        os.environ.setdefault(name, value)


_apply_defaults()

from app import create_app  # noqa: E402  (config reads the environment when imported)

app = create_app()
