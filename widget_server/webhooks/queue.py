"""The delivery queue in the database: claim due deliveries under a lease, record outcomes."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from widget_server.db import db
from widget_server.models import utcnow
from widget_server.webhooks.models import (
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    WebhookDelivery,
    WebhookEndpoint,
)
from widget_server.webhooks.settings import Settings

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


def _due(now):
    return sa.and_(
        D.state == PENDING,
        D.next_attempt_at <= now,
        sa.or_(D.claimed_until.is_(None), D.claimed_until < now),
    )


def anything_due() -> bool:
    """Tell cheaply, without taking a write lock, whether a delivery is waiting."""
    found = db.session.scalar(sa.select(D.id).where(_due(utcnow())).limit(1))
    db.session.rollback()
    return found is not None


def claim(settings: Settings, owner: str) -> tuple[str, list[Job]]:
    """Lease up to batch_size due deliveries to owner; return the claim token and the jobs."""
    now = utcnow()
    token = f"{owner}:{secrets.token_hex(4)}"
    # SKIP LOCKED lets concurrent workers on PostgreSQL pass over each other's candidates; the
    # repeated condition makes the UPDATE a compare-and-set, which also keeps SQLite safe.
    candidates = (
        sa.select(D.id)
        .where(_due(now))
        .order_by(D.next_attempt_at, D.id)
        .limit(settings.batch_size)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        sa.update(D)
        .where(D.id.in_(candidates), _due(now))
        .values(claimed_by=token, claimed_until=now + timedelta(seconds=settings.lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.scalars(
        sa.select(D)
        .where(D.claimed_by == token)
        .order_by(D.next_attempt_at, D.id)
        .options(joinedload(D.event), joinedload(D.endpoint))
    ).all()
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
        )
        for row in rows
    ]
    db.session.rollback()
    return token, jobs


def record(settings: Settings, token: str, results: list, released: list[Job]) -> None:
    """Write the outcome of each sent job and hand back the unsent ones, in one transaction."""
    now = utcnow()
    for job, outcome in results:
        values = {"claimed_by": None, "claimed_until": None}
        if outcome is None:
            values["state"] = DISABLED
        else:
            values.update(
                attempts=job.attempts + 1,
                last_attempt_at=now,
                last_status=outcome.status,
                last_error=outcome.error,
            )
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
        db.session.execute(sa.update(D).where(D.id == job.id, D.claimed_by == token).values(values))
    if released:
        db.session.execute(
            sa.update(D)
            .where(D.id.in_([job.id for job in released]), D.claimed_by == token)
            .values(claimed_by=None, claimed_until=None)
        )
    db.session.commit()


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
