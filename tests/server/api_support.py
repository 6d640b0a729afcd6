"""Seed web sessions straight into the database for the API tests."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

import correlation_id
from widget_server.db import db
from widget_server.models import Site, WebSession

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def seed(app, site_key, count, *, start=START, step=timedelta(minutes=1), **fields):
    """Insert count sessions one step apart from start; return their IDs, oldest first."""
    with app.app_context():
        site = db.session.execute(sa.select(Site).filter_by(key=site_key)).scalar_one()
        ids = []
        for n in range(count):
            row = WebSession(
                site_id=site.id,
                correlation_id=fields.pop("correlation_id", None) or correlation_id.new_id(),
                device_id=f"dev-{n}",
                created_at=start + n * step,
                click_url=f"https://shop.example/p/{n}?utm_source=news&utm_campaign=c{n}",
                parsed_params={"utm_source": "news", "utm_campaign": f"c{n}"},
                ip_address="203.0.113.7",
                user_agent="Mozilla/5.0 (test)",
                **fields,
            )
            db.session.add(row)
            ids.append(row.correlation_id)
        db.session.commit()
        return ids


def bearer(key):
    """Return the Authorization header for a plaintext key."""
    return {"Authorization": f"Bearer {key}"}


def other_site(app):
    """Create a second site and return its key."""
    with app.app_context():
        other = Site(key=Site.new_key(), name="Other", whatsapp_number="15557654321")
        db.session.add(other)
        db.session.commit()
        return other.key


def events(app, event_type=None):
    """Return the outbox rows as (event_type, data) pairs, oldest first."""
    from widget_server.webhooks.tables import WebhookEvent

    with app.app_context():
        stmt = sa.select(WebhookEvent).order_by(WebhookEvent.id)
        if event_type:
            stmt = stmt.filter_by(event_type=event_type)
        return [(e.event_type, e.data) for e in db.session.execute(stmt).scalars()]


def stored(app, reference):
    """Return the stored WebSession columns of one correlation ID as a dict."""
    with app.app_context():
        row = db.session.execute(
            sa.select(WebSession).filter_by(correlation_id=reference)
        ).scalar_one()
        return {c.name: getattr(row, c.name) for c in WebSession.__table__.columns}
