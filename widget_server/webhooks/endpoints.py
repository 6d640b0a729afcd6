"""Endpoint management and redelivery: what the CLI commands do, as plain functions."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from widget_server.db import changed, db
from widget_server.errors import OperatorError
from widget_server.models import utcnow
from widget_server.sites.registry import find_site
from widget_server.webhooks.guard import BlockedDestination, validate_url
from widget_server.webhooks.settings import Settings
from widget_server.webhooks.tables import (
    DISABLED,
    ERASED,
    EVENT_TYPES,
    PENDING,
    WebhookDelivery,
    WebhookEndpoint,
)


class EndpointError(OperatorError):
    """A request the operator must correct, with a one-line reason."""


def settings() -> Settings:
    """Read the delivery settings, reporting a malformed one as an EndpointError."""
    try:
        return Settings.from_config(current_app.config)
    except ValueError as error:
        raise EndpointError(str(error)) from None


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    """Return an endpoint by id."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise EndpointError(f"no webhook endpoint with id {endpoint_id}")
    return endpoint


def add(
    site: str, url: str, events: list[str], throttle_rate: int | None = None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it and its secret, which is shown only now."""
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise EndpointError(f"unknown event {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}")
    try:
        validate_url(url, settings().allow_private)
    except BlockedDestination as error:
        raise EndpointError(str(error)) from None
    secret = WebhookEndpoint.new_secret()
    endpoint = WebhookEndpoint(
        site=find_site(site),
        url=url,
        secret=secret,
        event_types=" ".join(dict.fromkeys(events)),
        throttle_rate=throttle_rate,
    )
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def remove(endpoint_id: int) -> None:
    """Delete an endpoint together with its deliveries."""
    endpoint = get_endpoint(endpoint_id)
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.commit()


def rotate_secret(endpoint_id: int, overlap_hours: float | None) -> tuple[WebhookEndpoint, str]:
    """Draw a new secret; the old one keeps signing beside it for overlap_hours."""
    endpoint = get_endpoint(endpoint_id)
    if overlap_hours is None:
        overlap_hours = settings().rotation_overlap_hours
    if overlap_hours < 0:
        raise EndpointError("--overlap-hours must not be negative")
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = utcnow() + timedelta(hours=overlap_hours)
    endpoint.secret = secret = WebhookEndpoint.new_secret()
    db.session.commit()
    return endpoint, secret


def enable(endpoint_id: int) -> int:
    """Re-enable a disabled endpoint and resume its parked deliveries; return how many."""
    endpoint = get_endpoint(endpoint_id)
    endpoint.disabled_at = endpoint.disabled_reason = None
    resume = (
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == DISABLED)
        .values(state=PENDING, attempts=0, next_attempt_at=utcnow())
    )
    resumed = changed(db.session.execute(resume))
    db.session.commit()
    return resumed


def redeliver(delivery_id: int) -> WebhookDelivery:
    """Queue a delivery again, now, with a fresh retry schedule and the same webhook-id."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise EndpointError(f"no webhook delivery with id {delivery_id}")
    if delivery.state == ERASED:
        raise EndpointError(f"delivery {delivery_id} is about an erased person: never sent again")
    if delivery.endpoint.disabled_at is not None:
        raise EndpointError(
            f"endpoint {delivery.endpoint_id} is disabled ({delivery.endpoint.disabled_reason}); "
            f"run `webhooks enable {delivery.endpoint_id}` first"
        )
    now = utcnow()
    if delivery.state == PENDING and delivery.claimed_until and delivery.claimed_until > now:
        raise EndpointError(f"delivery {delivery_id} is being sent right now")
    delivery.state, delivery.attempts, delivery.next_attempt_at = PENDING, 0, now
    db.session.commit()
    return delivery


def recent_deliveries(site: str | None, state: str | None, limit: int) -> list[WebhookDelivery]:
    """Return the newest deliveries, optionally of one site and in one state."""
    query = sa.select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    if site is not None:
        query = query.join(WebhookEndpoint).where(WebhookEndpoint.site_id == find_site(site).id)
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    return list(db.session.scalars(query))


def list_endpoints(site: str | None) -> list[WebhookEndpoint]:
    """Return the endpoints, optionally of one site."""
    query = sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if site is not None:
        query = query.where(WebhookEndpoint.site_id == find_site(site).id)
    return list(db.session.scalars(query))
