"""The one door through which events enter the outbox, inside the caller's transaction."""

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import UTCDateTime, utcnow
from widget_server.webhooks.models import (
    EVENT_TYPES,
    PENDING,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

# Built once, as Core statements: enqueue sits on the click path, where the ORM's unit of work
# and composing statements cost more than running them.
_EVENT = sa.insert(WebhookEvent).returning(WebhookEvent.id)
_endpoint = WebhookEndpoint.__table__.c
_now = sa.bindparam("now", type_=UTCDateTime())
# One delivery per enabled endpoint of the site that wants the event. event_types holds
# space-separated names (none of which contains a LIKE wildcard), or nothing for every event.
_DELIVERIES = sa.insert(WebhookDelivery).from_select(
    ["event_id", "endpoint_id", "state", "attempts", "next_attempt_at", "created_at"],
    sa.select(
        sa.bindparam("event_id", type_=sa.Integer()),
        _endpoint.id,
        sa.literal(PENDING),
        sa.literal(0),
        _now,
        _now,
    )
    .where(
        _endpoint.site_id == sa.bindparam("site_id"),
        _endpoint.disabled_at.is_(None),
        (_endpoint.event_types == "")
        | (" " + _endpoint.event_types + " ").like(sa.bindparam("padded")),
    )
    .order_by(_endpoint.id),
)


def enqueue(site_id: int, event_type: str, data: dict, connection=None) -> WebhookEvent:
    """Write an event and its deliveries in the caller's transaction; return it, unattached."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    # The session's connection does not flush the caller's pending rows: the caller decides that,
    # and its commit or rollback takes these rows along.
    if connection is None:
        connection = db.session.connection()
    row = {
        "uid": WebhookEvent.new_uid(),
        "site_id": site_id,
        "event_type": event_type,
        "data": data,
        "created_at": utcnow(),
    }
    event_id = connection.execute(_EVENT, row).scalar_one()
    fan_out = {"event_id": event_id, "site_id": site_id, "padded": f"% {event_type} %"}
    connection.execute(_DELIVERIES, {**fan_out, "now": row["created_at"]})
    return WebhookEvent(id=event_id, **row)
