"""Conversion tables: destinations, and a delivery per (session, destination, trigger)."""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from widget_server.db import Model
from widget_server.models import Site, UTCDateTime, isoformat, utcnow

if TYPE_CHECKING:
    # Not imported at run time: the webhook outbox imports this module to plan conversions.
    from widget_server.webhooks.tables import WebhookEvent

KINDS = ("meta_messaging", "meta_web", "google_ads", "ga4")
NEW, OK, FAILING = "new", "ok", "failing"
# The webhook deliveries' states, and one more: a conversion the platform would not take.
PENDING, DELIVERED, FAILED, DISABLED = "pending", "delivered", "failed", "disabled"
SKIPPED = "skipped"


class Destination(Model):
    """An ad platform account that a site's conversions go to."""

    __tablename__ = "conversion_destination"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The platform's ids, the API base and the trigger -> event name mapping; nothing secret.
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    # Tokens and keys, kept readable because they must be sent, like webhook signing secrets.
    secret: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=NEW)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    site: Mapped[Site] = relationship()

    @property
    def secrets(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.secret)
        return found

    def to_dict(self) -> dict:
        """Render the destination for the CLI, without its secrets."""
        return {
            "id": self.id,
            "site": self.site.key,
            "kind": self.kind,
            "options": self.options,
            "status": "disabled" if self.disabled_at else self.status,
            "last_success_at": isoformat(self.last_success_at),
            "last_error": self.last_error,
            "last_error_at": isoformat(self.last_error_at),
            "created_at": isoformat(self.created_at),
        }


class ConversionDelivery(Model):
    """One conversion of one session for one destination, queued and leased like a webhook."""

    __tablename__ = "conversion_delivery"
    __table_args__ = (
        # The same lead type reported twice, or a replayed event, is never a second conversion.
        UniqueConstraint("destination_id", "correlation_id", "trigger"),
        Index("ix_conversion_delivery_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    destination_id: Mapped[int] = mapped_column(ForeignKey("conversion_destination.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id"), index=True)
    correlation_id: Mapped[str] = mapped_column(String(9))
    # "correlated" for the conversation, else the lead type that was set.
    trigger: Mapped[str] = mapped_column(String(64))
    event_name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped["WebhookEvent"] = relationship()
    destination: Mapped[Destination] = relationship()

    def to_dict(self) -> dict:
        """Render the delivery for the CLI."""
        return {
            "id": self.id,
            "destination_id": self.destination_id,
            "correlation_id": self.correlation_id,
            "trigger": self.trigger,
            "event_name": self.event_name,
            "state": self.state,
            "attempts": self.attempts,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "delivered_at": isoformat(self.delivered_at),
        }
