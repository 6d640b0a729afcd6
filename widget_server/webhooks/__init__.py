"""Webhooks: the outbox door, the signed sender and the worker."""

from widget_server.webhooks.outbox import enqueue

__all__ = ["enqueue"]
