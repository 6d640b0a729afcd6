"""Simultaneous first clicks of one new device share one reference, on SQLite and PostgreSQL."""

import threading

import pytest
import sqlalchemy as sa
from clicks_support import click, reference

from widget_server import create_app
from widget_server.db import db
from widget_server.models import Site, WebSession
from widget_server.webhooks.tables import WebhookEvent

AT_ONCE, ROUNDS = 8, 25


@pytest.fixture(params=["sqlite", "postgresql"])
def both_app(request, tmp_path):
    """Yield an app with a site on SQLite, then on PostgreSQL, whatever the suite runs on."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path / "widget.db")
    else:
        url = request.getfixturevalue("postgres_url")
    limits = {"CLICK_LIMIT_CLIENT": "100000 per minute"}  # 200 clicks from one address
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **limits})
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Shop", whatsapp_number="15551234567")
        db.session.add(site)
        db.session.commit()
        app.config["test_site"] = site.key
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_simultaneous_first_clicks_of_a_device_get_one_reference(both_app):
    site = both_app.config["test_site"]
    clients = [both_app.test_client() for _ in range(AT_ONCE)]
    for round_number in range(ROUNDS):
        device = f"new-{round_number}"
        start = threading.Barrier(AT_ONCE)
        handed = [None] * AT_ONCE

        def run(n, device=device, start=start, handed=handed):
            start.wait()
            handed[n] = reference(click(clients[n], site, device_id=device))

        threads = [threading.Thread(target=run, args=(n,)) for n in range(AT_ONCE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(handed)) == 1, f"round {round_number}: {sorted(set(handed))}"
    with both_app.app_context():
        rows = db.session.execute(sa.select(WebSession.device_id, WebSession.click_count)).all()
        events = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent))
    assert sorted(rows) == sorted((f"new-{n}", AT_ONCE) for n in range(ROUNDS))
    assert events == AT_ONCE * ROUNDS
