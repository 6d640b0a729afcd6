"""The one door through which events enter the outbox, inside the caller's transaction."""

import sqlalchemy as sa

from widget_server.db import db
from widget_server.webhooks.models import (
    EVENT_TYPES,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)


def enqueue(site_id: int, event_type: str, data: dict) -> WebhookEvent:
    """Add an event and one delivery per subscribed endpoint to the session; the caller commits."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    event = WebhookEvent(
        uid=WebhookEvent.new_uid(), site_id=site_id, event_type=event_type, data=data
    )
    db.session.add(event)
    # The caller's pending rows stay unflushed: enqueue only adds, the caller decides when to write.
    with db.session.no_autoflush:
        endpoints = db.session.scalars(
            sa.select(WebhookEndpoint).where(
                WebhookEndpoint.site_id == site_id, WebhookEndpoint.disabled_at.is_(None)
            )
        )
        for endpoint in endpoints:
            if endpoint.wants(event_type):
                db.session.add(WebhookDelivery(event=event, endpoint=endpoint))
    return event
