"""Find the outbox bodies that mention given people, by the JSON text of their ids."""

import json
from collections.abc import Iterable

import sqlalchemy as sa

from widget_server.webhooks.tables import WebhookEvent

ESCAPE = "!"


def mentioning(site_id: int, values: Iterable[str]) -> sa.Select:
    """Select the site's events whose body holds any of values as a JSON string."""
    # Bodies are stored as json.dumps text on SQLite and PostgreSQL alike: a quoted value is
    # found exactly, not inside a longer string. The site's events only: a key erases its own.
    patterns = [_like(json.dumps(value)) for value in dict.fromkeys(values) if value]
    body = sa.cast(WebhookEvent.data, sa.Text)
    found = sa.select(WebhookEvent).where(WebhookEvent.site_id == site_id)
    if not patterns:
        return found.where(sa.false())
    return found.where(sa.or_(*(body.like(p, escape=ESCAPE) for p in patterns)))


def _like(text: str) -> str:
    for special in (ESCAPE, "%", "_"):
        text = text.replace(special, ESCAPE + special)
    return f"%{text}%"
