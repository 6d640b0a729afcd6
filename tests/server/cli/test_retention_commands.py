"""`flask purge`: the data retention job deletes only what is past its time."""

from datetime import timedelta

import sqlalchemy as sa
from cli_support import json_of
from clicks_support import click, sessions

from widget_server.db import db
from widget_server.models import Site, WebSession, utcnow
from widget_server.webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookEvent


def age(app, days, **where):
    """Move matching sessions' clicks, and all events, days into the past."""
    with app.app_context():
        past = utcnow() - timedelta(days=days)
        db.session.execute(
            sa.update(WebSession).filter_by(**where).values(created_at=past, last_click_at=past)
        )
        db.session.execute(sa.update(WebhookEvent).values(created_at=past))
        db.session.commit()


def add_endpoint(app, site_key):
    """Subscribe an endpoint, so that every event also gets a delivery row."""
    with app.app_context():
        site = db.session.execute(sa.select(Site).filter_by(key=site_key)).scalar_one()
        endpoint = WebhookEndpoint(
            site_id=site.id, url="http://127.0.0.1:9/hook", secret=WebhookEndpoint.new_secret()
        )
        db.session.add(endpoint)
        db.session.commit()


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_purge_deletes_only_idle_sessions_and_old_events(app, run, client, site):
    add_endpoint(app, site)
    for device in ("old", "old-but-talking", "recent"):
        click(client, site, device_id=device)
    age(app, 40, device_id="old")
    age(app, 40, device_id="old-but-talking")
    with app.app_context():
        db.session.execute(
            sa.update(WebSession)
            .filter_by(device_id="old-but-talking")
            .values(correlated_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
    click(client, site, device_id="fresh")  # its event stays: it is new
    counts = json_of(run("purge", "--older-than-days", "30", "--json"))
    assert counts == {"sessions": 1, "events": 3}
    assert sorted(row.device_id for row in sessions(app)) == ["fresh", "old-but-talking", "recent"]
    assert count(app, WebhookEvent) == 1
    assert count(app, WebhookDelivery) == 1


def test_purge_text_and_bad_input(run, site):
    assert run("purge", "--older-than-days", "30").output.strip() == (
        "Deleted 0 sessions, 0 events."
    )
    for bad in ("0", "-3", "x"):
        assert run("purge", "--older-than-days", bad).exit_code == 2
    assert run("purge").exit_code == 2
