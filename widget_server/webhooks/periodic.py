"""Jobs the workers run now and then, such as retention: one worker per period, no cron."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from widget_server.db import changed, db
from widget_server.models import PeriodicRun, utcnow

log = logging.getLogger("widget_server.periodic")


@dataclass(frozen=True)
class Periodic:
    """A job run at most once per period by whichever worker claims it first."""

    name: str
    every: timedelta
    run: Callable[[], object]


def claim(name: str, every: timedelta, owner: str) -> bool:
    """Start the period of job name for owner, unless a worker started it less than every ago."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    first = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PeriodicRun)
    db.session.execute(first.values(name=name).on_conflict_do_nothing(index_elements=["name"]))
    # A compare-and-set: of several workers asking at once, the one whose UPDATE lands first
    # moves started_at, and the condition no longer holds for the others.
    started = changed(
        db.session.execute(
            sa.update(PeriodicRun)
            .where(
                PeriodicRun.name == name,
                sa.or_(PeriodicRun.started_at.is_(None), PeriodicRun.started_at <= now - every),
            )
            .values(started_at=now, started_by=owner)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return started == 1


class Schedule:
    """Check a worker's periodic jobs every check_every seconds and run those it claims."""

    def __init__(self, jobs: tuple[Periodic, ...], owner: str, check_every: float = 60.0):
        self.jobs = jobs
        self.owner = owner
        self.check_every = check_every
        self.next_check = 0.0

    def tick(self) -> None:
        """Run every job that is due and claimed by this worker; a failing job is only logged."""
        if not self.jobs or time.monotonic() < self.next_check:
            return
        self.next_check = time.monotonic() + self.check_every
        for job in self.jobs:
            if not claim(job.name, job.every, self.owner):
                continue
            try:
                log.info("%s: %s", job.name, job.run())
            except Exception:
                # The period is spent: the next worker tries again once it ends.
                db.session.rollback()
                log.exception("periodic job %s failed", job.name)
