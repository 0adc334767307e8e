"""Per-webhook cost of the simulated call inside one process (direct WSGI calls, no HTTP server).

Complements ivr_load.py: it isolates the app's own CPU cost per webhook and the SQL statements each
one sends, so a change to the hot path can be judged without gunicorn and the load generator.

    .venv/bin/python bench/inprocess.py [--calls 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from app import create_app  # noqa: E402
from bench.simcall import call_steps  # noqa: E402
from config import TestConfig  # noqa: E402
from models.migrate import upgrade  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/inprocess.db"
    upgrade(url)
    app = create_app(TestConfig, overrides={"DATABASE_URL": url, "PROMPT_CACHE_SECONDS": 10, "SANDBOX_ENABLED": False})
    base = app.config["PUBLIC_BASE_URL"]
    validator = RequestValidator(app.config["TWILIO_AUTH_TOKEN"])
    statements: dict[str, int] = defaultdict(int)
    current = [""]

    @event.listens_for(app.extensions["db"].engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        statements[current[0]] += 1

    timings: dict[str, list[float]] = defaultdict(list)
    rng = random.Random(1)
    for _ in range(args.calls):
        for step_ in call_steps(rng, waits=3):
            step, path, params = (
                step_.label,
                step_.path,
                {**step_.params, "AccountSid": app.config["TWILIO_ACCOUNT_SID"]},
            )
            body = urlencode(params).encode()
            environ = EnvironBuilder(
                path=path,
                method="POST",
                data=body,
                content_type="application/x-www-form-urlencoded",
                headers={"X-Twilio-Signature": validator.compute_signature(base + path, params)},
            ).get_environ()
            current[0] = step
            started = time.process_time()
            status: list[str] = []
            b"".join(app(environ, lambda s, _h, status=status: status.append(s)))
            timings[step].append(time.process_time() - started)
            assert status[0].startswith("200"), status
    print(f"{args.calls} simulated calls on {url.split(':')[0]} (CPU ms per webhook, in-process)")
    total = 0.0
    count = 0
    for step, values in timings.items():
        print(
            f"  {step:12} median {statistics.median(values) * 1000:5.2f}  mean {statistics.fmean(values) * 1000:5.2f}"
            f"  SQL statements {statements[step] / len(values):4.1f}"
        )
        total += sum(values)
        count += len(values)
    print(f"  {'all':12} mean {total / count * 1000:5.2f} ms per webhook")
    if url.startswith("sqlite:///") and "inprocess.db" in url:
        os.remove(url.removeprefix("sqlite:///"))


if __name__ == "__main__":
    main()
