"""The scheduler process: APScheduler with its jobs in the database (SQLAlchemyJobStore).

Where it runs: `python app.py` (the demo) starts it in its own process, in the background; in
production run exactly one `flask --app app scheduler run` next to the gunicorn workers (which never
start it). Even if a second scheduler is started, the leader lease (callcenter/leader.py) lets only one
of them do the work.
"""

from __future__ import annotations

import logging

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from callcenter.ops import jobs
from callcenter.ops.leader import LeaderLease

log = logging.getLogger(__name__)
JOBS_TABLE = "apscheduler_jobs"  # created by migration 0004


def build(app: Flask, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with the app's jobs in the app's database (replacing stored definitions)."""
    jobs.bind(app, LeaderLease(app.extensions["clock"]))
    store = SQLAlchemyJobStore(engine=app.extensions["db"].engine, tablename=JOBS_TABLE)
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        jobstores={"default": store}, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    )
    for spec in (*jobs.JOBS, *jobs.mail_job_specs(app.config)):
        scheduler.add_job(spec.func, "interval", seconds=spec.seconds, id=spec.id, replace_existing=True)
    return scheduler
