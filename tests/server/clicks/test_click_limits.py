"""Clicks over a client's or a site's limit still go to WhatsApp, unrecorded and counted."""

import uuid

import pytest
import sqlalchemy as sa
from clicks_support import click, events, reference, sessions

from widget_server import create_app
from widget_server.db import db
from widget_server.metrics import CLICKS
from widget_server.models import Site

PLAIN = "https://wa.me/15551234567"
REDIS = "redis://127.0.0.1:6379"


def limited() -> float:
    return CLICKS.labels("limited")._value.get()


def set_limits(app, site, client=None, whole_site=None):
    with app.app_context():
        db.session.execute(
            sa.update(Site)
            .where(Site.key == site)
            .values(click_limit_client=client, click_limit_site=whole_site)
        )
        db.session.commit()


def from_address(client, site, address, **params):
    return click(client, site, headers={"X-Forwarded-For": address}, **params)


def test_a_client_over_its_limit_still_goes_to_whatsapp_and_stores_nothing(app, client, site):
    set_limits(app, site, client="3 per minute")
    handed = [reference(click(client, site, device_id=f"d{n}")) for n in range(3)]
    before = limited()
    response = click(client, site, device_id="d4")
    assert (response.status_code, response.headers["Location"]) == (302, PLAIN)
    json = click(client, site, device_id="d5", headers={"Accept": "application/json"})
    assert json.json == {"correlation_id": None, "whatsapp_url": PLAIN}
    assert limited() - before == 2
    assert sorted(row.correlation_id for row in sessions(app)) == sorted(handed)
    assert len(events(app)) == 3


def test_another_client_keeps_its_own_allowance(app, client, site):
    app.config["TRUSTED_PROXIES"] = 1
    set_limits(app, site, client="2 per minute")
    for _ in range(3):
        from_address(client, site, "203.0.113.7", device_id="a")
    assert reference(from_address(client, site, "198.51.100.9", device_id="b")) is not None
    assert sorted(row.ip_address for row in sessions(app)) == ["198.51.100.9", "203.0.113.7"]


def test_the_site_limit_holds_across_clients(app, client, site):
    app.config["TRUSTED_PROXIES"] = 1
    set_limits(app, site, whole_site="4 per minute")
    answers = [
        from_address(client, site, f"203.0.113.{n}", device_id=f"d{n}").headers["Location"]
        for n in range(6)
    ]
    assert answers[4:] == [PLAIN, PLAIN]
    assert len(sessions(app)) == 4


def test_the_servers_default_applies_to_sites_without_their_own(database_url):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CLICK_LIMIT_CLIENT": "2/hour"}
    )
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Shop", whatsapp_number="15551234567")
        db.session.add(site)
        db.session.commit()
        key = site.key
    client = app.test_client()
    assert [click(client, key).headers["Location"] == PLAIN for _ in range(3)] == [
        False,
        False,
        True,
    ]
    with app.app_context():
        db.drop_all()


def redis_app(database_url, storage):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_STORAGE_URI": storage}
    )
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def redis_site(database_url):
    """Yield a fresh site key on an app whose limiter counts in Redis."""
    app = redis_app(database_url, REDIS)
    with app.app_context():
        site = Site(
            key=f"s_{uuid.uuid4().hex[:12]}",
            name="Shop",
            whatsapp_number="15551234567",
            click_limit_client="2 per minute",
        )
        db.session.add(site)
        db.session.commit()
        key = site.key
    yield key
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_limits_counted_in_redis_hold_across_processes_and_hosts(database_url, redis_site):
    first = redis_app(database_url, REDIS).test_client()
    assert reference(click(first, redis_site)) is not None
    assert reference(click(first, redis_site)) is not None
    # Another app has memory of its own: only the shared Redis knows this client is done.
    second = redis_app(database_url, REDIS).test_client()
    assert click(second, redis_site).headers["Location"] == PLAIN


def test_a_dead_limiter_storage_lets_clicks_through(database_url, redis_site):
    dead = redis_app(database_url, "redis://127.0.0.1:9").test_client()
    assert [reference(click(dead, redis_site)) is not None for _ in range(3)] == [True] * 3


@pytest.mark.parametrize("rate", ["lots", "-1 per minute", "5 per fortnight"])
def test_sites_create_refuses_a_rate_it_cannot_read(app, rate):
    result = app.test_cli_runner().invoke(
        args=["sites", "create", "--name", "S", "--whatsapp-number", "15551234567",
              "--click-limit-client", rate]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "must be a rate such as '60 per minute'" in result.output


def test_sites_create_keeps_the_sites_own_limits(app):
    result = app.test_cli_runner().invoke(
        args=["sites", "create", "--name", "S", "--whatsapp-number", "15551234567",
              "--click-limit-client", "5 per minute", "--click-limit-site", "100/second", "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"click_limit_client": "5 per minute", "click_limit_site": "100/second"' in result.output
