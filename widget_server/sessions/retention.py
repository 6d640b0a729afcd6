"""Data retention: forget web sessions and outbox events past their time."""

from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Table, delete, or_, select

from widget_server.db import changed, db, table
from widget_server.models import CorrelationConflict, WebSession, utcnow
from widget_server.sessions import rollup
from widget_server.webhooks.tables import WebhookEvent


def purge_before(age: timedelta) -> dict[str, int]:
    """Delete sessions idle for longer than age and events older than it; return the counts."""
    cutoff = utcnow() - age
    old_events = select(WebhookEvent.id).where(WebhookEvent.created_at < cutoff)
    # Rows that point at an event (delivery attempts) go first, whatever table holds them.
    for column in references_to(table(WebhookEvent)):
        db.session.execute(delete(column.table).where(column.in_(old_events)))
    events = db.session.execute(delete(WebhookEvent).where(WebhookEvent.created_at < cutoff))
    db.session.execute(delete(CorrelationConflict).where(CorrelationConflict.created_at < cutoff))
    sessions = db.session.execute(
        delete(WebSession).where(
            WebSession.last_click_at < cutoff,
            or_(WebSession.correlated_at.is_(None), WebSession.correlated_at < cutoff),
        )
    )
    rollup.forget_until(cutoff.date())  # the days of the deleted sessions are counted again
    db.session.commit()
    return {"sessions": changed(sessions), "events": changed(events)}


def references_to(target: Table) -> list[Column[Any]]:
    """Return every column, of any table, that points at target."""
    return [
        key.parent
        for other in db.metadata.tables.values()
        for key in other.foreign_keys
        if key.column.table is target
    ]
