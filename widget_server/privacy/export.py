"""Export on request: everything held about a person, as one JSON-ready object."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from widget_server.db import db
from widget_server.models import WebSession, isoformat
from widget_server.privacy.erasure import conflicts_of, sessions_of
from widget_server.privacy.inventory import MENTIONS, SESSION_COLUMNS
from widget_server.privacy.mentions import mentioning
from widget_server.webhooks.tables import WebhookDelivery


def export(site_id: int, identity: str, value: str) -> dict[str, Any]:
    """Return the site's sessions named by identity, with every event and delivery about them."""
    sessions = db.session.scalars(sessions_of(site_id, identity, value)).all()
    values = [getattr(session, name) for session in sessions for name in MENTIONS]
    events = db.session.scalars(mentioning(site_id, values).order_by(sa.text("id"))).all()
    deliveries = db.session.scalars(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.event_id.in_([event.id for event in events]))
        .order_by(WebhookDelivery.id)
        .options(selectinload(WebhookDelivery.endpoint))
    ).all()
    by_event: dict[int, list[dict]] = {}
    for delivery in deliveries:
        by_event.setdefault(delivery.event_id, []).append(
            {
                "url": delivery.endpoint.url,
                "state": delivery.state,
                "attempts": delivery.attempts,
                "delivered_at": isoformat(delivery.delivered_at),
            }
        )
    asked = [value] if identity == "whatsapp_id" else []
    conflicts = db.session.scalars(conflicts_of(site_id, list(sessions), asked)).all()
    result = {
        "sessions": [_columns(session) for session in sessions],
        "correlation_conflicts": [conflict.to_dict() for conflict in conflicts],
        "webhook_events": [
            {
                "event_id": event.uid,
                "event_type": event.event_type,
                "created_at": isoformat(event.created_at),
                "data": event.data,
                "deliveries": by_event.get(event.id, []),
            }
            for event in events
        ],
    }
    db.session.rollback()
    return result


def _columns(session: WebSession) -> dict[str, Any]:
    # Every column but the internal keys: what is held, not how it is filed.
    values = {}
    for column in WebSession.__table__.columns:
        if SESSION_COLUMNS.get(column.name) == "bookkeeping":
            continue
        value = getattr(session, column.name)
        values[column.name] = isoformat(value) if isinstance(value, datetime) else value
    return values
