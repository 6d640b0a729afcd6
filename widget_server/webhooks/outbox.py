"""The one door through which events enter the outbox, inside the caller's transaction."""

from typing import Any

import sqlalchemy as sa

from widget_server.conversions.planning import plan
from widget_server.db import db, table
from widget_server.models import UTCDateTime, utcnow
from widget_server.webhooks.tables import (
    EVENT_TYPES,
    PENDING,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

_endpoint = table(WebhookEndpoint).c
_now = sa.bindparam("now", type_=UTCDateTime())


def _deliveries(event_id: sa.ColumnElement[int], site_id: sa.ColumnElement[int]) -> sa.Insert:
    """Build the insert of one delivery per enabled endpoint of the site that wants the event."""
    # event_types holds space-separated names (none with a LIKE wildcard), or nothing for all.
    wants = (_endpoint.event_types == "") | (" " + _endpoint.event_types + " ").like(
        sa.bindparam("padded")
    )
    return sa.insert(WebhookDelivery).from_select(
        ["event_id", "endpoint_id", "state", "attempts", "next_attempt_at", "created_at"],
        sa.select(event_id, _endpoint.id, sa.literal(PENDING), sa.literal(0), _now, _now)
        .where(_endpoint.site_id == site_id, _endpoint.disabled_at.is_(None), wants)
        .order_by(_endpoint.id),
    )


# Built once, as Core statements: enqueue sits on the click path, where the ORM's unit of work
# and composing statements cost more than running them.
_EVENT = (
    sa.insert(WebhookEvent)
    .values(
        uid=sa.bindparam("uid_"),
        site_id=sa.bindparam("site"),
        event_type=sa.bindparam("type_"),
        data=sa.bindparam("payload", type_=table(WebhookEvent).c.data.type),
        created_at=_now,
    )
    .returning(WebhookEvent.id)
)
_DELIVERIES = _deliveries(sa.bindparam("event_id", type_=sa.Integer()), sa.bindparam("site"))
# PostgreSQL writes both in one statement, which saves the click a round trip.
_event = _EVENT.returning(WebhookEvent.site_id).cte("event")
_EVENT_AND_DELIVERIES = sa.select(_event.c.id).add_cte(
    _deliveries(_event.c.id, _event.c.site_id).cte("deliveries")
)


def enqueue(
    site_id: int, event_type: str, data: dict[str, Any], connection: sa.Connection | None = None
) -> WebhookEvent:
    """Write an event, its deliveries and its conversions in the caller's transaction.

    Return the event, unattached.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    # The session's connection does not flush the caller's pending rows: the caller decides that,
    # and its commit or rollback takes these rows along.
    if connection is None:
        connection = db.session.connection()
    now = utcnow()
    params: dict[str, Any] = {
        "uid_": WebhookEvent.new_uid(),
        "site": site_id,
        "type_": event_type,
        "payload": data,
        "now": now,
        "padded": f"% {event_type} %",
    }
    if connection.dialect.name == "postgresql":
        event_id = connection.execute(_EVENT_AND_DELIVERIES, params).scalar_one()
    else:
        event_id = connection.execute(_EVENT, params).scalar_one()
        connection.execute(_DELIVERIES, {**params, "event_id": event_id})
    plan(connection, site_id, event_id, event_type, data, now)
    return WebhookEvent(
        id=event_id,
        uid=params["uid_"],
        site_id=site_id,
        event_type=event_type,
        data=data,
        created_at=now,
    )
