"""Throttle correlation attempts: per WhatsApp sender, and per API key for references that miss."""

import logging

from flask import current_app, g
from limits import parse_many

from widget_server.errors import ApiError
from widget_server.limits import rate_limiter
from widget_server.metrics import count_correlation

log = logging.getLogger("widget_server.api")


def admit(whatsapp_id: str) -> None:
    """Spend one of the sender's attempts; raise a 429 if it or the key has none left."""
    config = current_app.config
    try:
        strategy = rate_limiter()
        sender = all(
            strategy.hit(item, "correlate-sender", whatsapp_id)
            for item in parse_many(config["CORRELATION_LIMIT_WHATSAPP"])
        )
        key = all(
            strategy.test(item, "correlate-key", g.api_key.prefix)
            for item in parse_many(config["CORRELATION_LIMIT_KEY"])
        )
    except Exception as error:  # the limiter's storage failed: linking goes on unthrottled
        log.warning("correlation throttle not checked: %s", error)
        return
    if not (sender and key):
        count_correlation("throttled")
        raise ApiError(429, "too many correlation attempts: wait a minute and try again")


def missed() -> None:
    """Charge the key for a reference that named no session: that is what guessing looks like."""
    try:
        for item in parse_many(current_app.config["CORRELATION_LIMIT_KEY"]):
            rate_limiter().hit(item, "correlate-key", g.api_key.prefix)
    except Exception as error:
        log.warning("correlation throttle not charged: %s", error)
