"""A gunicorn server for one benchmark app, on 127.0.0.1 only, always stopped when the block ends."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bench.common import HOST, ROOT
from bench.procstat import child_pids

GUNICORN = Path(sys.executable).with_name("gunicorn")  # the virtualenv's (.venv/bin/gunicorn)
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class ServerSettings:
    """Gunicorn settings; the IVR app and the bare app are always served with the same ones."""

    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1

    def args(self) -> list[str]:
        """Command-line options for these settings."""
        return ["-w", str(self.workers), "-k", self.worker_class, "--threads", str(self.threads)]

    def describe(self) -> str:
        """A short human-readable form, for reports."""
        if self.worker_class == "gthread":
            return f"gunicorn {self.workers} gthread workers × {self.threads} threads (HTTP keep-alive)"
        return f"gunicorn {self.workers} {self.worker_class} workers (no HTTP keep-alive: a connection per request)"


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port` and we may bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is no obstacle
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


class GunicornServer:
    """`with GunicornServer(...) as server:` serves `app_spec` until the block ends, however it ends."""

    def __init__(
        self, app_spec: str, port: int, settings: ServerSettings, env: dict[str, str], health_path: str, log_path: Path
    ) -> None:
        self.app_spec = app_spec
        self.port = port
        self.settings = settings
        self.env = env
        self.health_path = health_path
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        """The gunicorn command line."""
        return [
            str(GUNICORN),
            "--chdir",
            str(ROOT),
            "-b",
            f"{HOST}:{self.port}",
            *self.settings.args(),
            "--log-level",
            "warning",
            self.app_spec,
        ]

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start gunicorn in its own process group and wait until the app answers."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            if self._answers() and len(self.worker_pids()) >= self.settings.workers:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.app_spec} did not answer {self.health_path} within {READY_TIMEOUT:.0f} s")

    def _answers(self) -> bool:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            conn.request("GET", self.health_path)
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the gunicorn master)."""
        return child_pids(self.process.pid) if self.process is not None else []

    def pids(self) -> list[int]:
        """Master and workers."""
        return [self.process.pid, *self.worker_pids()] if self.process is not None else []

    def stop(self) -> None:
        """Stop gunicorn: SIGTERM to its process group, SIGKILL if it is still there after a while."""
        if self.process is None or self.process.poll() is not None:
            return
        workers = self.worker_pids()
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        for pid in workers:  # a worker the master left behind
            _kill_if_in_group(pid, self.process.pid)

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signum)  # the group we created with start_new_session
        except ProcessLookupError:
            pass


def _kill_if_in_group(pid: int, group: int) -> None:
    """SIGKILL `pid` if it is still alive and still in our process group (never a reused pid)."""
    try:
        if os.getpgid(pid) == group:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
