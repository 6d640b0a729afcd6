"""The conversion queue: claim due conversions under a lease, record what each attempt did."""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from widget_server.conversions.conversion_tables import (
    DELIVERED,
    DISABLED,
    FAILED,
    FAILING,
    OK,
    PENDING,
    SKIPPED,
    ConversionDelivery,
    Destination,
)
from widget_server.conversions.dispatch import Job
from widget_server.conversions.facts import Facts
from widget_server.conversions.kinds import Skip
from widget_server.conversions.posting import Result
from widget_server.db import changed, db
from widget_server.db import table as sa_table
from widget_server.metrics import count_delivery
from widget_server.models import utcnow
from widget_server.webhooks import queue
from widget_server.webhooks.outbox import enqueue
from widget_server.webhooks.queue import MAX_RETRY_AFTER
from widget_server.webhooks.settings import Settings

C = ConversionDelivery


def anything_due() -> bool:
    """Tell cheaply, without taking a write lock, whether a conversion is waiting."""
    return queue.anything_due(C)


def claim(settings: Settings, owner: str) -> tuple[str, list[Job]]:
    """Lease up to batch_size due conversions to owner; return the claim token and the jobs."""
    # The same lease as webhook deliveries get: SKIP LOCKED on PostgreSQL, compare-and-set.
    token, rows, _ = queue.lease(C, settings, owner, joinedload(C.event), joinedload(C.destination))
    jobs = [job_of(row) for row in rows]
    db.session.rollback()
    return token, jobs


def job_of(row: ConversionDelivery) -> Job:
    """Detach what sending a conversion needs from its row."""
    return Job(
        row.id,
        row.attempts,
        row.destination_id,
        row.destination.kind,
        row.destination.options,
        row.destination.secrets,
        row.event_name,
        Facts.from_event(row.event.data, row.trigger, row.event.created_at),
    )


def record(
    settings: Settings, token: str, results: list[tuple[Job, Result | Skip]], released: list[Job]
) -> None:
    """Write each outcome (a Result, a Skip, or None for a released job) in one transaction."""
    now = utcnow()
    states = []
    for job, outcome in [*results, *((job, None) for job in released)]:
        values = _changes(settings, job, outcome, now)
        if outcome is not None:
            states.append(values.get("state", "retrying"))
        values.update(claimed_by=None, claimed_until=None)
        db.session.execute(
            sa.update(C)
            .where(C.id == job.id, C.claimed_by == token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if isinstance(outcome, Result):
            _destination_saw(job, outcome, now)
    db.session.commit()
    for state in states:
        count_delivery("conversion", state)


def _changes(
    settings: Settings, job: Job, outcome: Result | Skip | None, now: datetime
) -> dict[str, Any]:
    if outcome is None:
        return {}
    if isinstance(outcome, Skip):
        return {"state": SKIPPED, "last_error": outcome.reason, "last_attempt_at": now}
    values = {
        "attempts": job.attempts + 1,
        "last_attempt_at": now,
        "last_status": outcome.status,
        "last_error": outcome.error,
    }
    if outcome.ok:
        values.update(state=DELIVERED, delivered_at=now)
    elif outcome.permanent or job.attempts + 1 >= settings.max_attempts:
        # The same body would be refused again; a fixed token is the one thing worth waiting for.
        values["state"] = FAILED
    else:
        delay = settings.backoff(job.attempts + 1)
        if outcome.retry_after is not None:
            delay = max(delay, min(outcome.retry_after, MAX_RETRY_AFTER))
        values["next_attempt_at"] = now + timedelta(seconds=delay)
    return values


def _destination_saw(job: Job, outcome: Result, now: datetime) -> None:
    """Keep the destination's status: ok after a success, failing after a refusal."""
    table = sa_table(Destination)
    if outcome.ok:
        db.session.execute(
            table.update()
            .where(table.c.id == job.destination_id)
            .values(status=OK, last_success_at=now)
        )
        return
    failing = outcome.auth or outcome.permanent
    db.session.execute(
        table.update()
        .where(table.c.id == job.destination_id)
        .values(last_error=outcome.error, last_error_at=now)
    )
    if not failing:
        return
    # Only the attempt that flips the status announces it: one webhook per spell of failure.
    flip = (
        table.update()
        .where(table.c.id == job.destination_id, table.c.status != FAILING)
        .values(status=FAILING)
    )
    if changed(db.session.execute(flip)):
        site_id = db.session.execute(
            sa.select(table.c.site_id).where(table.c.id == job.destination_id)
        ).scalar_one()
        data = {
            "destination_id": job.destination_id,
            "kind": job.kind,
            "status": FAILING,
            "last_status": outcome.status,
            "last_error": outcome.error,
            "failing_since": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        enqueue(site_id, "destination.failing", data)


def move(destination_id: int, current: str, **values: Any) -> int:
    """Set values on a destination's conversions in state current; return how many there were."""
    query = sa.update(C).where(C.destination_id == destination_id, C.state == current)
    return changed(db.session.execute(query.values(values)))


def park(destination_id: int) -> None:
    """Park a disabled destination's pending conversions."""
    move(destination_id, PENDING, state=DISABLED)
