"""Data retention: forget web sessions and outbox events past their time."""

from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Table, delete, or_, select

from widget_server.db import changed, db, table
from widget_server.models import CorrelationConflict, Site, WebSession, utcnow
from widget_server.sessions import rollup
from widget_server.webhooks.periodic import Periodic
from widget_server.webhooks.tables import WebhookEvent


def purge_before(age: timedelta, site_id: int | None = None) -> dict[str, int]:
    """Delete sessions idle for longer than age and events older than it; return the counts.

    With site_id, only that site's; without, every site's.
    """
    cutoff = utcnow() - age
    of_site = [] if site_id is None else [WebhookEvent.site_id == site_id]
    old_events = select(WebhookEvent.id).where(WebhookEvent.created_at < cutoff, *of_site)
    # Rows that point at an event (delivery attempts) go first, whatever table holds them.
    for column in references_to(table(WebhookEvent)):
        db.session.execute(delete(column.table).where(column.in_(old_events)))
    events = db.session.execute(
        delete(WebhookEvent).where(WebhookEvent.created_at < cutoff, *of_site)
    )
    db.session.execute(
        delete(CorrelationConflict).where(
            CorrelationConflict.created_at < cutoff,
            *([] if site_id is None else [CorrelationConflict.site_id == site_id]),
        )
    )
    sessions = db.session.execute(
        delete(WebSession).where(
            *([] if site_id is None else [WebSession.site_id == site_id]),
            WebSession.last_click_at < cutoff,
            or_(WebSession.correlated_at.is_(None), WebSession.correlated_at < cutoff),
        )
    )
    rollup.forget_until(cutoff.date())  # the days of the deleted sessions are counted again
    db.session.commit()
    return {"sessions": changed(sessions), "events": changed(events)}


def apply_retention() -> dict[str, Any]:
    """Purge each site that has a retention by its own number of days; return counts by site."""
    sites = db.session.execute(
        select(Site.id, Site.key, Site.retention_days)
        .where(Site.retention_days.is_not(None))
        .order_by(Site.id)
    ).all()
    return {
        key: purge_before(timedelta(days=days), site_id)
        for site_id, key, days in sites
        if days is not None
    }


# Run by the webhook workers, one of them a day: retention needs no cron.
RETENTION = Periodic("retention", timedelta(days=1), apply_retention)


def references_to(target: Table) -> list[Column[Any]]:
    """Return every column, of any table, that points at target."""
    return [
        key.parent
        for other in db.metadata.tables.values()
        for key in other.foreign_keys
        if key.column.table is target
    ]
