"""Fixtures: the app on SQLite and PostgreSQL (schema built by the Alembic migrations), a fake clock
shared by the app and the sandbox, a signed-webhook client, users of each role,
and the sandbox engine on its own in front of a tiny app (`hotline`, `switch`)."""

from __future__ import annotations

import os
import shutil
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from app import create_app
from callcenter.common.clock import FakeClock
from config import TestConfig
from models import Base, db
from models.migrate import upgrade
from sandbox import SandboxSettings, SandboxSwitch
from sandbox.transport import WsgiTransport

from .mail_servers import dovecot, mail_cert, smtp_server  # noqa: F401 (the e-mail tests' real servers)
from .sandbox_support import ACCOUNT, BASE, TOKEN, Hotline

PG_ADMIN_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]


def pytest_report_header(config: pytest.Config) -> str:
    return f"postgresql tests: {'required' if REQUIRE_POSTGRES else 'run when reachable'} ({PG_ADMIN_URL})"


# -- databases ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def throwaway_postgres(prefix: str, *, migrate: bool) -> Iterator[str]:
    """A new PostgreSQL database for the block (migrated when asked), dropped afterwards; skips the test
    when no server answers (fails it under REQUIRE_POSTGRES=1)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}; PostgreSQL tests skipped (CI requires them)")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    if migrate:
        upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session, migrated once."""
    with throwaway_postgres("hotline_test", migrate=True) as url:
        yield url


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """The URL of an empty, migrated database of the backend the test is parametrised with."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
        _truncate_postgres(url)
        return url
    path = tmp_path / "hotline.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


# -- the app --------------------------------------------------------------------------------
@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(database_url: str, clock: FakeClock) -> Iterator[Flask]:
    """The hotline app on the test database, with the fake clock."""
    application = create_app(TestConfig, clock=clock, overrides={"DATABASE_URL": database_url})
    yield application
    application.extensions["db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Twilio:
    """Sends webhooks to the app the way Twilio does: form-encoded and signed."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client
        self.validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
        self.base = app.config["PUBLIC_BASE_URL"].rstrip("/")

    def post(
        self, path: str, params: dict[str, str], *, signature: str | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        """POST `params` to `path` (relative or absolute URL), signed unless a signature is given."""
        url = path if path.startswith("http") else self.base + path
        relative = url[len(self.base) :]
        sig = self.validator.compute_signature(url, params) if signature is None else signature
        return self.client.post(relative, data=params, headers={"X-Twilio-Signature": sig, **(headers or {})})


@pytest.fixture
def twilio(app: Flask, client: FlaskClient) -> Twilio:
    return Twilio(app, client)


@pytest.fixture
def sandbox(app: Flask) -> Any:
    """The app's sandbox switch (driven by the fake clock)."""
    return app.extensions["sandbox"]


@pytest.fixture
def hotline() -> Hotline:
    """The tiny app of sandbox_support.py, for the sandbox engine on its own (tests/test_sandbox_*.py)."""
    return Hotline()


@pytest.fixture
def switch(hotline: Hotline, clock: FakeClock) -> SandboxSwitch:
    """A sandbox switch running `hotline`'s TwiML on the fake clock."""
    settings = SandboxSettings(voice_url=f"{BASE}/voice", status_callback_url=f"{BASE}/status", account_sid=ACCOUNT)
    sandbox = SandboxSwitch(settings, WsgiTransport(hotline.app, TOKEN, BASE), clock)
    hotline.app.extensions["sandbox"] = sandbox
    return sandbox


def parse_twiml(body: str | bytes) -> ET.Element:
    """Parse a TwiML reply; fails the test when it is not a <Response>."""
    root = ET.fromstring(body)
    assert root.tag == "Response", body
    return root


def call_params(call_sid: str, **extra: str) -> dict[str, str]:
    """The parameters Twilio sends with every request about an inbound call."""
    return {
        "CallSid": call_sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "+84912345678",
        "To": "+8419009299",
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def new_sid() -> str:
    return "CA" + uuid.uuid4().hex


@pytest.fixture
def make_user(app: Flask) -> Any:
    """Create a user with a role; returns HTTP Basic headers for it."""
    import base64

    from callcenter.accounts.users import UserService

    def make(role: str, username: str | None = None, password: str = "correct-horse-battery") -> dict[str, str]:
        name = username or f"{role}-{uuid.uuid4().hex[:6]}"
        with app.app_context():
            UserService(db.session, app.extensions["clock"]).create(name, password, role)
            db.session.commit()
        token = base64.b64encode(f"{name}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    return make


# -- Twilio mode: the app without the sandbox, its REST requests going to a local double --------
@pytest.fixture
def double() -> Iterator[Any]:
    """A local double of Twilio's REST API (tests/rest_double.py), on a free port."""
    from .rest_double import serve

    with serve(TestConfig.TWILIO_ACCOUNT_SID) as running:
        yield running


def make_twilio_app(database_url: str, clock: FakeClock, double: Any, **overrides: Any) -> Flask:
    """The app in Twilio mode (no sandbox), its REST requests going to the double; dispose its engine."""
    return create_app(
        TestConfig,
        clock=clock,
        overrides={
            "DATABASE_URL": database_url,
            "SANDBOX_ENABLED": False,
            "TWILIO_API_BASE_URL": double.base_url,
            **overrides,
        },
    )


@pytest.fixture
def twilio_app(database_url: str, clock: FakeClock, double: Any) -> Iterator[Flask]:
    """The app in Twilio mode (no sandbox), with TWILIO_API_BASE_URL pointing at the double."""
    application = make_twilio_app(database_url, clock, double)
    yield application
    application.extensions["db"].engine.dispose()


def kill_backends(database_url: str) -> int:
    """Terminate every other connection to the test database (a PostgreSQL restart, as pooled
    connections see it); returns how many were killed."""
    admin = create_engine(database_url)
    with admin.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    admin.dispose()
    return int(killed or 0)
