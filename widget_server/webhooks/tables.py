"""Outbox tables: endpoints, events written beside the change that caused them, deliveries."""

import base64
import json
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from widget_server.db import Model
from widget_server.models import Site, UTCDateTime, isoformat, utcnow

EVENT_TYPES = (
    "widget.click",
    "conversation.correlated",
    "lead.updated",
    "destination.failing",
    "session.erased",
)
PENDING, DELIVERED, FAILED, DISABLED = "pending", "delivered", "failed", "disabled"
# Taken back unsent because the person it is about was erased: never sent.
ERASED = "erased"


class WebhookEndpoint(Model):
    """A site's receiver URL with the signing secret(s) and the events it wants."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    # Space-separated event types; empty means every event.
    event_types: Mapped[str] = mapped_column(String(200), default="")
    # A signing secret must be readable to sign with; unlike API keys it cannot be kept as a hash.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # At most this many deliveries a second (Svix's throttleRate); none means no throttle.
    throttle_rate: Mapped[int | None]
    site: Mapped[Site] = relationship()

    @staticmethod
    def new_secret() -> str:
        """Draw a Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
        return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()

    def wants(self, event_type: str) -> bool:
        """Tell whether this endpoint subscribes to event_type."""
        return not self.event_types or event_type in self.event_types.split()

    def signing_secrets(self, now: datetime) -> list[str]:
        """Return the secrets to sign with now: the current one, and the previous during overlap."""
        keys = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            keys.append(self.previous_secret)
        return keys

    def to_dict(self) -> dict:
        """Render the endpoint for the CLI, without its secret."""
        return {
            "id": self.id,
            "site": self.site.key,
            "url": self.url,
            "events": self.event_types.split() or list(EVENT_TYPES),
            "created_at": isoformat(self.created_at),
            "disabled_at": isoformat(self.disabled_at),
            "disabled_reason": self.disabled_reason,
            "throttle_rate": self.throttle_rate,
            "previous_secret_until": isoformat(self.previous_secret_until),
        }


class WebhookEvent(Model):
    """One event of a site, written in the transaction of the change it reports."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The `webhook-id` of every attempt to every endpoint: receivers deduplicate on it.
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def new_uid() -> str:
        """Draw a unique message id."""
        return "msg_" + secrets.token_hex(12)

    def body(self) -> str:
        """Render the JSON body; the same text on every attempt."""
        payload = {
            "event_type": self.event_type,
            "event_id": self.uid,
            "timestamp": isoformat(self.created_at),
            "data": self.data,
        }
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


class WebhookDelivery(Model):
    """The delivery state of one event to one endpoint."""

    __table_args__ = (Index("ix_webhook_delivery_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker's claim: nobody else sends this delivery before claimed_until.
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[WebhookEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()

    def to_dict(self) -> dict:
        """Render the delivery for the CLI."""
        return {
            "id": self.id,
            "event_id": self.event.uid,
            "event_type": self.event.event_type,
            "endpoint_id": self.endpoint_id,
            "url": self.endpoint.url,
            "state": self.state,
            "attempts": self.attempts,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "last_attempt_at": isoformat(self.last_attempt_at),
            "next_attempt_at": isoformat(self.next_attempt_at) if self.state == PENDING else None,
            "created_at": isoformat(self.created_at),
        }
