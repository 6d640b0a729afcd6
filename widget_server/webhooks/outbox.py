"""The one door through which events enter the outbox, inside the caller's transaction."""

from widget_server.db import db
from widget_server.webhooks.models import WebhookEvent


def enqueue(site_id: int, event_type: str, data: dict) -> None:
    """Add an event to the outbox in the current transaction; the caller commits."""
    db.session.add(WebhookEvent(site_id=site_id, event_type=event_type, data=data))
