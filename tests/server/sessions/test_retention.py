"""Retention forgets idle sessions and old events, and keeps everything still in use."""

from datetime import timedelta

import sqlalchemy as sa
from api_support import seed

from widget_server.db import db
from widget_server.models import WebSession, utcnow
from widget_server.sessions.retention import purge_before
from widget_server.webhooks import enqueue
from widget_server.webhooks.tables import WebhookEvent


def test_purge_before_counts_what_it_deleted(app, site):
    now = utcnow()
    old, talking, fresh = seed(app, site, 3, start=now - timedelta(days=40), step=timedelta(0))
    with app.app_context():
        db.session.execute(
            sa.update(WebSession)
            .filter_by(correlation_id=old)
            .values(last_click_at=now - timedelta(days=40))
        )
        db.session.execute(
            sa.update(WebSession)
            .filter_by(correlation_id=talking)
            .values(last_click_at=now - timedelta(days=40), correlated_at=now - timedelta(days=1))
        )
        site_id = db.session.execute(sa.select(WebSession.site_id)).scalars().first()
        enqueue(site_id, "widget.click", {"n": 1})
        db.session.execute(sa.update(WebhookEvent).values(created_at=now - timedelta(days=40)))
        db.session.commit()
        counts = purge_before(timedelta(days=30))
        left = db.session.execute(sa.select(WebSession.correlation_id)).scalars().all()
        assert (
            db.session.execute(sa.select(sa.func.count()).select_from(WebhookEvent)).scalar() == 0
        )
    assert counts["events"] == 1
    assert sorted(left) == sorted([talking, fresh]) and counts["sessions"] == 1
