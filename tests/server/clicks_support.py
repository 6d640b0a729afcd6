"""Helpers shared by the click link tests."""

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

import correlation_id
from widget_server.db import db
from widget_server.models import WebSession
from widget_server.webhooks.tables import WebhookEvent

PAGE = "https://shop.example/p?utm_source=google&utm_campaign=spring"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def click(client, site, headers=None, **params):
    """Follow the click link as the widget does."""
    headers = {"User-Agent": BROWSER, **(headers or {})}
    return client.get(f"/c/{site}", query_string=params, headers=headers)


def reference(response) -> str:
    """Pull the reference out of a redirect's pre-filled text."""
    text = parse_qs(urlsplit(response.headers["Location"]).query)["text"][0]
    return correlation_id.find(text)


def sessions(app) -> list[WebSession]:
    with app.app_context():
        return list(db.session.execute(sa.select(WebSession).order_by(WebSession.id)).scalars())


def events(app) -> list[WebhookEvent]:
    with app.app_context():
        return list(db.session.execute(sa.select(WebhookEvent).order_by(WebhookEvent.id)).scalars())
