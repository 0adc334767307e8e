"""Settings shared by the load runner and the benchmark's WSGI entry points.

Standard library only and no app imports: the runner reads these before the app's config module
(which reads the environment at import time) is ever imported in a server process.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
DEFAULT_SQLITE_PATH = RESULTS_DIR / "ivr_bench.db"
DEFAULT_PORT = 8099
HOST = "127.0.0.1"  # the only address the benchmark binds to or sends to
# Signs and checks the simulated webhooks. Not a secret: it only ever guards a local benchmark server.
BENCH_AUTH_TOKEN = "bench-twilio-auth-token-not-a-secret"
BENCH_ACCOUNT_SID = "AC" + "be" * 16
NO_TWILIO_API = "http://127.0.0.1:9"  # nothing listens: the server under load can never reach Twilio
BARE_BODY = "OK"  # what the bare endpoint answers


def default_database_url() -> str:
    """The SQLite file the benchmark uses unless told otherwise (under the gitignored bench/results/)."""
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def public_base_url(port: int) -> str:
    """The base URL the app signs against: exactly what the load generator requests."""
    return f"http://{HOST}:{port}"


BENCH_DATA_KEY = "YmVuY2gtZGF0YS1rZXktYmVuY2gtZGF0YS1rZXktMzI="  # 32 bytes, base64url: benchmark only


def server_environment(port: int, database_url: str | None = None) -> dict[str, str]:
    """Environment for the hotline app under benchmark: development config, no sandbox, the benchmark's
    Twilio account (REST API pointed at a closed local port), the given port and database."""
    return {
        "HOTLINE_ENV": "development",
        "SANDBOX_ENABLED": "false",
        "TWILIO_ACCOUNT_SID": BENCH_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": BENCH_AUTH_TOKEN,
        "TWILIO_API_BASE_URL": NO_TWILIO_API,
        "PUBLIC_BASE_URL": public_base_url(port),
        "DATABASE_URL": database_url or default_database_url(),
        "DATA_KEYS": BENCH_DATA_KEY,  # one key for every gunicorn worker (caller data is encrypted)
        "SCHEDULER_IN_PROCESS": "false",
    }
