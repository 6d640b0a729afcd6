"""Queue the conversions an event causes, in the transaction that writes the event."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from widget_server.conversions.conversion_tables import PENDING, ConversionDelivery, Destination

_destination = Destination.__table__.c
# Both dialects' inserts take on_conflict_do_nothing, which the generic one lacks.
_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def trigger_of(event_type: str, data: dict) -> str | None:
    """Name the conversion an event is: the conversation, or the lead type it set."""
    if event_type == "conversation.correlated":
        return "correlated"
    if event_type == "lead.updated":
        return data.get("lead_type")
    return None


def plan(
    connection: sa.Connection,
    site_id: int,
    event_id: int,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
) -> int:
    """Insert one delivery per enabled destination mapping this event's trigger; return how many."""
    trigger = trigger_of(event_type, data)
    if trigger is None:
        return 0
    destinations = connection.execute(
        sa.select(_destination.id, _destination.options).where(
            _destination.site_id == site_id, _destination.disabled_at.is_(None)
        )
    ).all()
    rows = [
        {
            "destination_id": destination_id,
            "event_id": event_id,
            "correlation_id": data["correlation_id"],
            "trigger": trigger,
            "event_name": options["events"][trigger],
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for destination_id, options in destinations
        if trigger in options.get("events", {})
    ]
    if not rows:
        return 0
    # A conversion already queued for this session and destination stays the only one.
    insert = _INSERTS[connection.dialect.name](ConversionDelivery).on_conflict_do_nothing()
    return int(connection.execute(insert, rows).rowcount)
