"""E-mail offer latency (issue 15, "Speed"): a free agent is offered the oldest e-mail with 200 e-mails
waiting for her branch (and 200 more in the other branch) while 200 callers wait too — for the other
branch, so the blended rule lets her take e-mail. The same run measures the call dispatch latency of
bench/dispatch_latency.py (its harness, unchanged: agent available → dispatch → the ring request at the
REST double) as the baseline.

    .venv/bin/python bench/mail_offer.py                             # SQLite (temporary file)
    .venv/bin/python bench/mail_offer.py --create-database \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hotline_mail_offer

What is timed per round: the desk's own `MailDesk.offer` (callcenter/mail/desk.py) as its API runs it:
the blended check "no caller or due callback waits for her skills" (the dispatcher's own waiting list),
then the claim of the oldest new `MailWork` she is skilled for by `waiting_since` with a conditional UPDATE
(… WHERE state = 'new'; 0 rows: someone else took it, try the next), the timeline event, the commit.
Between rounds the e-mail is put back (not measured). Goal: p99 < 50 ms, the calls' goal.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app  # noqa: E402
from bench.database import bench_database  # noqa: E402
from bench.dispatch_latency import one_round, seed  # noqa: E402
from callcenter.agents.service import AgentService  # noqa: E402
from callcenter.common.clock import SystemClock  # noqa: E402
from callcenter.mail.contact import open_conversation  # noqa: E402
from callcenter.mail.desk import MailDesk  # noqa: E402
from callcenter.mail.settings import MailSettings  # noqa: E402
from config import TestConfig  # noqa: E402
from models import Agent, MailState, MailWork, db  # noqa: E402
from tests.rest_double import serve  # noqa: E402


def desk_offer(session: Session, agent_id: int, now: datetime) -> int | None:
    """The desk's real offer (`MailDesk.offer`, callcenter/mail/desk.py), committed as its API does."""
    from flask import current_app

    settings = MailSettings.from_config(current_app.config)
    agent = session.get(Agent, agent_id)
    work = MailDesk(session, SystemClock(), settings).offer(agent)
    session.commit()
    return None if work is None else work.ticket_id


def seed_mail(per_branch: int) -> int:
    """`per_branch` new e-mails in each branch (oldest first by waiting_since) and the mail agent."""
    clock = SystemClock()
    now = clock.now()
    for branch in (1, 2):
        for i in range(per_branch):
            open_conversation(
                db.session,
                sender=f"dn{i}@example.vn",
                to_address="bophanhotro@customs.gov.vn",
                branch=branch,
                problem_group=None,
                language="vi",
                at=now - timedelta(minutes=per_branch - i),
            )
    agent = AgentService(db.session, clock).create("mailbench", "Mail bench", ["branch_1", "vi"])
    # Free and allowed to work now (the desk's offer checks both).
    agent.state, agent.idle_since, agent.overtime_until = "available", now, now + timedelta(hours=12)
    db.session.commit()
    return agent.id


def mail_round(agent_id: int) -> float:
    """One offer (timed), then the e-mail is put back; seconds."""
    now = SystemClock().now()
    started = time.perf_counter()
    ticket_id = desk_offer(db.session, agent_id, now)
    elapsed = time.perf_counter() - started
    if ticket_id is None:
        raise RuntimeError("no e-mail was offered")
    db.session.execute(
        update(MailWork)
        .where(MailWork.ticket_id == ticket_id)
        .values(state=MailState.NEW.value, agent_id=None, assigned_at=None)
    )
    db.session.commit()
    return elapsed


def summary(name: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[int(len(ms) * 0.99) - 1]
    return (
        f"  {name:<28} p50 {statistics.median(ms):6.2f}  p90 {ms[int(len(ms) * 0.9) - 1]:6.2f}  "
        f"p99 {p99:6.2f}  max {ms[-1]:6.2f}   goal p99 < 50 ms: {'met' if p99 < 50 else 'NOT met'}"
    )


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--create-database", action="store_true", help="create (and drop) that PostgreSQL db")
    parser.add_argument("--waiting", type=int, default=200, help="e-mails per branch, and callers waiting")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/mail_offer.db"
    with bench_database(url, create=args.create_database):  # migrated; created and dropped when asked
        with serve(TestConfig.TWILIO_ACCOUNT_SID) as double:
            app = create_app(
                TestConfig,
                overrides={"DATABASE_URL": url, "SANDBOX_ENABLED": False, "TWILIO_API_BASE_URL": double.base_url},
            )
            with app.app_context():
                call_agent = seed(args.waiting, double)  # 200 callers in branch 2, the dispatch bench's agent
                mail_agent = seed_mail(args.waiting)
                for _ in range(20):  # warm-up
                    one_round(call_agent, double)
                    mail_round(mail_agent)
                calls, mails = [], []
                for _ in range(args.rounds):  # interleaved: both see the same machine at the same moment
                    calls.append(one_round(call_agent, double))
                    mails.append(mail_round(mail_agent))
            app.extensions["db"].engine.dispose()
    print(
        f"{url.split(':')[0]}: {args.waiting} e-mails waiting per branch, {args.waiting} callers waiting, "
        f"{args.rounds} rounds (ms):"
    )
    print(summary("e-mail offer (MailDesk.offer)", mails))
    print(summary("call dispatch (baseline)", calls))


if __name__ == "__main__":
    main()
