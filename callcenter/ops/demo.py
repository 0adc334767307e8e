"""Demo data: users for each role and a few days of plausible call history (development only)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.mail.settings import MailSettings
from callcenter.ops.demo_mail import seed_mail
from callcenter.rota.service import LOCAL_TZ, RotaService
from models import (
    Agent,
    Call,
    CallEvent,
    CallOutcome,
    CallStage,
    EventKind,
    MailRule,
    Role,
    Ticket,
    TicketOutcome,
    TicketStatus,
    db,
)
from models.crypto import blind_index

DEMO_USERS = {  # username: (role, password) — printed by the demo, never created outside development
    "supervisor": (Role.SUPERVISOR, "demo-supervisor"),
    "investigator": (Role.INVESTIGATOR, "demo-investigator"),
    "agent1": (Role.AGENT, "demo-agent-one"),
    "agent2": (Role.AGENT, "demo-agent-two"),
    "agent3": (Role.AGENT, "demo-agent-three"),
    "agent4": (Role.AGENT, "demo-agent-four"),
    "admin": (Role.ADMIN, "demo-admin-pass"),
}
ALL_WORK = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi"]
# The four-person desk: username → (name, skills). One seat around the clock, so whoever is on duty
# takes both branches; agent1 and agent4 also speak English (an English caller at another time is
# told nobody can take the call now and offered a callback).
DEMO_AGENTS = {
    "agent1": ("Nguyễn Thị Lan", [*ALL_WORK, "en"]),
    "agent2": ("Trần Văn Minh", ALL_WORK),
    "agent3": ("Lê Thị Hoa", ALL_WORK),
    "agent4": ("Phạm Văn Tuấn", [*ALL_WORK, "en"]),
}
ROTA_WEEKS = 8
HISTORY_DAYS = 3  # the rota starts before them, so each answered call of the history has the agent on duty
# Share of the day's calls in each hour (Vietnam time, UTC+7): office hours carry most of the load.
HOURLY_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 9, 6, 9, 12, 12, 10, 7, 4, 3, 2, 2, 1, 1]
GROUPS = [("accounts", 45), ("incidents", 20), ("single_window", 20), ("other", 15)]
# The supervisor's mail rules the demo starts with (position, words, problem group); edited on
# /supervisor/mail-rules.
DEMO_MAIL_RULES = [
    (10, "mật khẩu, chữ ký số, tài khoản, đăng nhập", "accounts"),
    (20, "một cửa quốc gia, một cửa ASEAN, NSW, ASW", "single_window"),
    (30, "lỗi hệ thống, VNACCS, VCIS, không truy cập được", "incidents"),
]


def prepare_demo(app: Flask) -> Iterator[str]:
    """Create demo users and history when missing; yield lines telling the newcomer what exists."""
    if app.config.get("ENV_NAME") == "production":
        raise RuntimeError("demo data is never created in production")
    session = db.session
    clock = app.extensions["clock"]
    users = UserService(session, clock)
    for username, (role, password) in DEMO_USERS.items():
        if users.find(username) is None:
            users.create(username, password, role)
        yield f"demo user {username!r} ({role}) password {password!r}"
    yield from _seed_desk(session, clock)
    if not session.scalar(select(func.count()).select_from(MailRule)):
        for position, words, group in DEMO_MAIL_RULES:
            session.add(
                MailRule(position=position, words=words, problem_group=group, created_by="demo", created_at=clock.now())
            )
        yield f"seeded {len(DEMO_MAIL_RULES)} mail rules (edit them at /supervisor/mail-rules)"
    existing = session.scalar(select(func.count()).select_from(Call)) or 0
    if existing == 0:
        now, rng = clock.now(), random.Random(19009299)
        taker = agent_on_duty(session, clock, now - timedelta(days=HISTORY_DAYS + 1), now)
        created = seed_history(session, now, days=HISTORY_DAYS, per_day=420, rng=rng, taker=taker)
        yield f"seeded {created} historical calls ({HISTORY_DAYS} days)"
    session.commit()
    yield from seed_mail(session, clock, MailSettings.from_config(app.config), "agent2")
    from callcenter.ops.demo_answers import seed_answers  # (here: the answer base needs CORE's room, issue 16)

    yield from seed_answers(session, clock, days=HISTORY_DAYS)
    yield from on_duty_lines(session, clock)
    app.config["DEMO_USERS_HINT"] = [f"{name} / {pw}" for name, (_, pw) in DEMO_USERS.items() if name != "admin"]


def on_duty_agents(session: Session, clock: Any) -> list[str]:
    """Usernames of the agents the rota has on duty now."""
    ids = RotaService(session, clock).on_duty(clock.now())
    return sorted(a.username for a in session.scalars(select(Agent).where(Agent.id.in_(ids))))


def on_duty_lines(session: Session, clock: Any) -> Iterator[str]:
    """Tell the newcomer whom to log in as to answer calls now."""
    on_duty = on_duty_agents(session, clock)
    for name in on_duty:
        password = DEMO_USERS.get(name, ("", "(your password)"))[1]
        yield f"on duty now: {name} — answer calls at /agent/ (login {name} / {password})"
    if not on_duty:
        yield "nobody is on duty now: allow overtime (flask --app app rota overtime agent1) to answer calls"


def ready_lines(session: Session, clock: Any, url: str, demo_users: bool = True) -> list[str]:
    """The short summary the console prints once the server listens (after the seeding's lines and the
    server's banner): where to go, who is on duty now, the demo users."""
    users = ", ".join(f"{name} / {password}" for name, (_role, password) in DEMO_USERS.items())
    return [
        f"ready: the caller's phone at {url}/sandbox/, the agent's desk at {url}/agent/, "
        f"the supervisors' pages at {url}/supervisor/",
        *on_duty_lines(session, clock),
        *([f"demo users (login / password): {users}"] if demo_users else []),
        "(the pages' successful polls are not logged; errors and other requests are)",
    ]


def _seed_desk(session: Session, clock: Any) -> Iterator[str]:
    """The four agents and the default 24/7 rota (Panama 2-2-3) from today, when there are none."""
    if session.scalar(select(func.count()).select_from(Agent)):
        return
    rota = RotaService(session, clock)
    agents = AgentService(session, clock, rota)
    desk = [agents.create(username, name, skills) for username, (name, skills) in DEMO_AGENTS.items()]
    today = clock.now().astimezone(LOCAL_TZ).date()
    first = today - timedelta(days=HISTORY_DAYS + 1)
    shifts = rota.generate_default(desk, first, ROTA_WEEKS * 7 + HISTORY_DAYS, actor="demo")
    yield f"seeded 4 agents and {len(shifts)} shifts of the default 24/7 rota ({ROTA_WEEKS} weeks)"


Taker = Callable[[datetime], Agent | None]


def agent_on_duty(session: Session, clock: Any, start: datetime, end: datetime) -> Taker:
    """Who the rota had on duty at a moment of [start, end) (the first shift covering it), or None."""
    shifts = RotaService(session, clock).shifts_between(start, end)
    agents = {a.id: a for a in session.scalars(select(Agent))}

    def taker(moment: datetime) -> Agent | None:
        shift = next((s for s in shifts if s.starts_at <= moment < s.ends_at), None)
        return None if shift is None else agents.get(shift.agent_id)

    return taker


def seed_history(
    session: Session,
    now: datetime,
    *,
    days: int,
    per_day: int,
    rng: random.Random,
    taker: Taker = lambda moment: None,
) -> int:
    """Insert `days` of finished calls ending before `now`; returns how many. An answered call is the
    agent's `taker` names for its answer time (on the call and its ticket, as a real answer records it)."""
    count = 0
    start = now - timedelta(days=days)
    total = days * per_day
    for _ in range(total):
        hour = rng.choices(range(24), HOURLY_WEIGHTS)[0]
        day = rng.randrange(days + 1)
        local_midnight = (start + timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
        started = local_midnight + timedelta(hours=hour - 7, seconds=rng.randrange(3600))
        if not start <= started < now - timedelta(minutes=20):
            continue
        _one_call(session, started, rng, taker)
        count += 1
    session.flush()
    return count


def _one_call(session: Session, started: datetime, rng: random.Random, taker: Taker) -> None:
    branch = 1 if rng.random() < 0.1 else 2
    group = None if branch == 1 else rng.choices([g for g, _ in GROUPS], [w for _, w in GROUPS])[0]
    roll = rng.random()
    outcome = (
        CallOutcome.IVR_ABANDONED
        if roll < 0.06
        else CallOutcome.QUEUE_ABANDONED
        if roll < 0.30
        else CallOutcome.ANSWERED
    )
    sid = f"CA{rng.getrandbits(128):032x}"
    caller = "+849" + "".join(str(rng.randrange(10)) for _ in range(8))
    queue = f"hotline-branch-{branch}"
    call = Call(
        call_sid=sid,
        account_sid="AC" + "0" * 32,
        from_raw=caller,
        caller_e164=caller,
        caller_hash=blind_index(caller),
        caller_kind="number",
        to_raw="19009299",
        dialled_e164="+8419009299",
        dialled_known=True,
        language="vi",
        branch=None,
        stage=CallStage.ENDED,
        outcome=outcome,
        final_status="completed",
        started_at=started,
    )
    events: list[tuple[datetime, EventKind, str | None, dict]] = [(started, EventKind.IVR_ENTER, None, {})]
    t = started + timedelta(seconds=rng.randint(15, 40))
    ticket_outcome = TicketOutcome.ABANDONED_IVR
    if outcome == CallOutcome.IVR_ABANDONED:
        events.append((t, EventKind.IVR_ABANDON, None, {"seconds": int((t - started).total_seconds())}))
    else:
        call.branch, call.problem_group = branch, group
        events.append((t, EventKind.BRANCH_CHOSEN, None, {"branch": branch}))
        if group:
            events.append((t, EventKind.GROUP_CHOSEN, None, {"group": group}))
        call.queue_name, call.queue_entered_at = queue, t
        call.queue_position_first = call.queue_position_last = rng.randint(1, 6)
        events.append((t, EventKind.ENTERQUEUE, queue, {"branch": branch, "group": group}))
        wait = int(rng.expovariate(1 / 240)) + 5
        t = t + timedelta(seconds=wait)
        call.queue_exited_at, call.queue_wait_seconds = t, wait
        if outcome == CallOutcome.QUEUE_ABANDONED:
            events.append(
                (
                    t,
                    EventKind.ABANDON,
                    queue,
                    {
                        "position": call.queue_position_last,
                        "original_position": call.queue_position_first,
                        "wait": wait,
                    },
                )
            )
            ticket_outcome = TicketOutcome.ABANDONED_QUEUE
        else:
            call.answered_at = t
            agent = taker(t)
            call.agent_id = None if agent is None else agent.id
            who = "demo" if agent is None else agent.username
            events.append((t, EventKind.CONNECT, queue, {"holdtime": wait, "agent": who}))
            t = t + timedelta(seconds=rng.randint(300, 600))
            ticket_outcome = TicketOutcome.RESOLVED
    events.append((t, EventKind.HANGUP, None, {"outcome": str(outcome)}))
    call.ended_at = t
    call.duration_seconds = int((t - started).total_seconds())
    session.add(call)
    session.flush()
    for at, kind, q, data in events:
        session.add(CallEvent(call_id=call.id, at=at, kind=kind, queue=q, data=data))
    session.add(
        Ticket(
            call_id=call.id,
            status=TicketStatus.CLOSED,
            outcome=ticket_outcome,
            branch=call.branch,
            problem_group=call.problem_group,
            created_at=started,
            closed_at=t,
            agent_id=call.agent_id,
        )
    )
