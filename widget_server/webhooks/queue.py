"""The delivery queue in the database: claim due deliveries under a lease, record outcomes."""

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from widget_server.db import db, table
from widget_server.metrics import count_delivery
from widget_server.models import utcnow
from widget_server.webhooks.sender import Outcome
from widget_server.webhooks.settings import Settings
from widget_server.webhooks.tables import (
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    WebhookDelivery,
    WebhookEndpoint,
)

D = WebhookDelivery
# A receiver may slow us down, but not park an event for longer than a day per attempt.
MAX_RETRY_AFTER = 86400.0


@dataclass
class Job:
    """What sending one delivery needs, detached from the database session."""

    id: int
    attempts: int
    endpoint_id: int
    url: str
    keys: list[str]
    msg_id: str
    body: str
    endpoint_disabled: bool
    throttle_rate: int | None = None


# A job and what its attempt produced; None: not sent, its endpoint is disabled or gone.
Result = tuple[Job, Outcome | None]


def due(table: Any, now: datetime) -> sa.ColumnElement[bool]:
    """The condition of a row of a delivery table (webhooks or conversions) due now, unleased."""
    return sa.and_(
        table.state == PENDING,
        table.next_attempt_at <= now,
        sa.or_(table.claimed_until.is_(None), table.claimed_until < now),
    )


def anything_due(table: Any = D) -> bool:
    """Tell cheaply, without taking a write lock, whether a delivery is waiting."""
    found = db.session.scalar(sa.select(table.id).where(due(table, utcnow())).limit(1))
    db.session.rollback()
    return found is not None


def lease(
    table: Any, settings: Settings, owner: str, *load: Any
) -> tuple[str, list[Any], datetime]:
    """Lease up to batch_size due rows of table to owner; return the token, the rows and now.

    The rows come loaded with the options in load; the caller detaches what it needs from them
    and ends the transaction.
    """
    now = utcnow()
    token = f"{owner}:{secrets.token_hex(4)}"
    # SKIP LOCKED lets concurrent workers on PostgreSQL pass over each other's candidates. The
    # ids are fetched first: inside `UPDATE ... IN (subquery)` PostgreSQL may rescan the
    # subquery and claim more than the limit. The repeated condition makes the UPDATE a
    # compare-and-set, which keeps SQLite (no row locks) safe too.
    ids = db.session.scalars(
        sa.select(table.id)
        .where(due(table, now))
        .order_by(table.next_attempt_at, table.id)
        .limit(settings.batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        db.session.rollback()
        return token, [], now
    db.session.execute(
        sa.update(table)
        .where(table.id.in_(ids), due(table, now))
        .values(claimed_by=token, claimed_until=now + timedelta(seconds=settings.lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.scalars(
        sa.select(table)
        .where(table.claimed_by == token)
        .order_by(table.next_attempt_at, table.id)
        .options(*load)
    ).all()
    return token, list(rows), now


def claim(settings: Settings, owner: str) -> tuple[str, list[Job]]:
    """Lease up to batch_size due deliveries to owner; return the claim token and the jobs."""
    token, rows, now = lease(D, settings, owner, joinedload(D.event), joinedload(D.endpoint))
    jobs = [
        Job(
            row.id,
            row.attempts,
            row.endpoint_id,
            row.endpoint.url,
            row.endpoint.signing_secrets(now),
            row.event.uid,
            row.event.body(),
            row.endpoint.disabled_at is not None,
            row.endpoint.throttle_rate,
        )
        for row in rows
    ]
    db.session.rollback()
    return token, jobs


def record(
    settings: Settings,
    token: str,
    results: list[Result],
    released: list[Job],
    deferred: Sequence[Job] = (),
) -> None:
    """Write the outcome of each sent job and hand back the unsent ones, in one transaction."""
    now = utcnow()
    groups = defaultdict(list)
    changes = [(job, _changes(settings, job, outcome, now)) for job, outcome in results]
    states = [values.get("state", "retrying") for _, values in changes]
    changes += [(job, {}) for job in released]
    # Held back by their endpoint's throttle: due again in a second, no attempt spent.
    changes += [(job, {"next_attempt_at": now + timedelta(seconds=1)}) for job in deferred]
    for job, values in changes:
        values.update(claimed_by=None, claimed_until=None)
        row = {"_id": job.id, **{f"_{key}": value for key, value in values.items()}}
        groups[tuple(sorted(values))].append(row)
    deliveries = table(D)
    # One executemany per shape of change: a batch costs a few round trips, not one per row.
    for keys, rows in groups.items():
        statement = (
            deliveries.update()
            .where(deliveries.c.id == sa.bindparam("_id"), deliveries.c.claimed_by == token)
            .values({key: sa.bindparam(f"_{key}", type_=deliveries.c[key].type) for key in keys})
        )
        db.session.execute(statement, rows)
    db.session.commit()
    for state in states:
        count_delivery("webhook", state)


def _changes(
    settings: Settings, job: Job, outcome: Outcome | None, now: datetime
) -> dict[str, Any]:
    if outcome is None:
        return {"state": DISABLED}
    values = {
        "attempts": job.attempts + 1,
        "last_attempt_at": now,
        "last_status": outcome.status,
        "last_error": outcome.error,
    }
    if outcome.ok:
        values.update(state=DELIVERED, delivered_at=now)
    elif outcome.status == 410:
        values["state"] = DISABLED
        disable_endpoint(job.endpoint_id, "receiver answered 410 Gone")
    elif job.attempts + 1 >= settings.max_attempts:
        values["state"] = FAILED
    else:
        delay = settings.backoff(job.attempts + 1)
        if outcome.retry_after is not None:
            delay = max(delay, min(outcome.retry_after, MAX_RETRY_AFTER))
        values["next_attempt_at"] = now + timedelta(seconds=delay)
    return values


def disable_endpoint(endpoint_id: int, reason: str) -> None:
    """Stop sending to an endpoint and park its pending deliveries."""
    db.session.execute(
        sa.update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(disabled_at=utcnow(), disabled_reason=reason)
    )
    db.session.execute(
        sa.update(D)
        .where(D.endpoint_id == endpoint_id, D.state == PENDING, D.claimed_by.is_(None))
        .values(state=DISABLED)
    )
