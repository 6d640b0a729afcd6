"""Retention: idle sessions and old events go, per site once a day from the workers, no cron."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from api_support import other_site, seed
from clicks_support import click, sessions
from webhooks_support import add_endpoint, deliveries

from widget_server.db import db
from widget_server.models import PeriodicRun, Site, WebSession, utcnow
from widget_server.sessions.retention import RETENTION, apply_retention, purge_before
from widget_server.webhooks import enqueue
from widget_server.webhooks.periodic import Periodic, Schedule, claim
from widget_server.webhooks.tables import WebhookEvent


def age(app, days, device):
    """Date a device's session, and the events about it, days back."""
    with app.app_context():
        past = utcnow() - timedelta(days=days)
        reference = db.session.scalar(
            sa.select(WebSession.correlation_id).filter_by(device_id=device)
        )
        db.session.execute(
            sa.update(WebSession)
            .filter_by(device_id=device)
            .values(created_at=past, last_click_at=past)
        )
        for event in db.session.scalars(sa.select(WebhookEvent)):
            if event.data.get("correlation_id") == reference:
                event.created_at = past
        db.session.commit()


def keep_days(app, site_key, days):
    with app.app_context():
        db.session.execute(sa.update(Site).filter_by(key=site_key).values(retention_days=days))
        db.session.commit()


@pytest.fixture
def aged(app, client, site):
    """Sessions 31 and 29 days old in a site keeping 30 days, and a 31-day one in another."""
    keeping_all = other_site(app)
    keep_days(app, site, 30)
    for key in (site, keeping_all):
        add_endpoint(app, key, "http://127.0.0.1:9/hook")
    for key, device, days in ((site, "d31", 31), (site, "d29", 29), (keeping_all, "o31", 31)):
        click(client, key, device_id=device)
        age(app, days, device)
    return site


def test_a_worker_deletes_exactly_the_sessions_past_the_retention(app, aged):
    result = app.test_cli_runner().invoke(args=["webhooks", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert sorted(row.device_id for row in sessions(app)) == ["d29", "o31"]
    with app.app_context():
        kept = {event.data["device_id"] for event in db.session.scalars(sa.select(WebhookEvent))}
        assert kept == {"d29", "o31"}
        [run] = db.session.scalars(sa.select(PeriodicRun)).all()
        assert run.name == "retention" and run.started_at > utcnow() - timedelta(minutes=1)
    assert len(deliveries(app)) == 2  # the deleted event's delivery went with it


def test_retention_runs_once_a_day_whichever_worker_asks(app, client, aged):
    with app.app_context():
        assert claim("retention", timedelta(days=1), "worker-a") is True
        assert claim("retention", timedelta(days=1), "worker-b") is False
        Schedule((RETENTION,), "worker-b").tick()  # claimed by worker-a today: nothing runs
    assert len(sessions(app)) == 3
    with app.app_context():
        db.session.execute(sa.update(PeriodicRun).values(started_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
        Schedule((RETENTION,), "worker-b").tick()
        assert db.session.get(PeriodicRun, "retention").started_by == "worker-b"
    assert len(sessions(app)) == 2


def test_a_failing_job_is_logged_and_the_worker_goes_on(app, caplog):

    def broken():
        raise RuntimeError("disk full")

    with app.app_context():
        Schedule((Periodic("broken", timedelta(days=1), broken),), "w").tick()
    assert "periodic job broken failed" in caplog.text


def test_sites_without_retention_keep_everything(app, client, site):
    click(client, site, device_id="old")
    age(app, 4000, "old")
    with app.app_context():
        assert apply_retention() == {}
    assert len(sessions(app)) == 1


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
