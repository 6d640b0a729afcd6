"""The outbox door: rows only in the caller's transaction, one delivery per subscriber."""

import pytest
import sqlalchemy as sa
from webhooks_support import add_endpoint

from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks import enqueue
from widget_server.webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookEvent


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def committed(model) -> int:
    """Count rows as another connection sees them: committed ones only."""
    with db.engine.connect() as other:
        return other.scalar(sa.select(sa.func.count()).select_from(model))


def site_id(key: str) -> int:
    return db.session.scalar(sa.select(Site.id).where(Site.key == key))


def test_enqueue_writes_nothing_until_the_caller_commits(app, site):
    add_endpoint(app, site, "http://127.0.0.1:9/hook")
    with app.app_context():
        enqueue(site_id(site), "widget.click", {"correlation_id": "O-aB3dE9z"})
        db.session.rollback()
        assert (count(WebhookEvent), count(WebhookDelivery)) == (0, 0)
        event = enqueue(site_id(site), "widget.click", {"correlation_id": "O-aB3dE9z"})
        assert (committed(WebhookEvent), committed(WebhookDelivery)) == (0, 0)
        assert event not in db.session  # written in the transaction, not an ORM object to flush
        db.session.commit()
        assert (committed(WebhookEvent), committed(WebhookDelivery)) == (1, 1)
        assert db.session.get(WebhookEvent, event.id).data == {"correlation_id": "O-aB3dE9z"}


def test_enqueue_does_not_flush_the_callers_pending_rows(app, site):
    add_endpoint(app, site, "http://127.0.0.1:9/hook")
    with app.app_context():
        target = site_id(site)
        pending = Site(key="s_pending", name="Later", whatsapp_number="15550000000")
        db.session.add(pending)
        enqueue(target, "lead.updated", {})
        assert pending in db.session.new
        db.session.rollback()


def test_fan_out_follows_subscriptions_and_skips_disabled_endpoints(app, site):
    clicks, _ = add_endpoint(app, site, "http://127.0.0.1:9/a", ["widget.click"])
    everything, _ = add_endpoint(app, site, "http://127.0.0.1:9/b")
    disabled, _ = add_endpoint(app, site, "http://127.0.0.1:9/c")
    with app.app_context():
        db.session.get(WebhookEndpoint, disabled).disabled_at = db.func.now()
        db.session.commit()
        enqueue(site_id(site), "widget.click", {})
        enqueue(site_id(site), "conversation.correlated", {})
        db.session.commit()
        pairs = db.session.execute(
            sa.select(WebhookEvent.event_type, WebhookDelivery.endpoint_id)
            .join(WebhookDelivery.event)
            .order_by(WebhookDelivery.id)
        ).all()
    assert [tuple(pair) for pair in pairs] == [
        ("widget.click", clicks),
        ("widget.click", everything),
        ("conversation.correlated", everything),
    ]


def test_an_endpoint_gets_each_of_its_events_and_no_other(app, site):
    two, _ = add_endpoint(app, site, "http://127.0.0.1:9/a", ["lead.updated", "widget.click"])
    with app.app_context():
        for event_type in ("widget.click", "conversation.correlated", "lead.updated"):
            enqueue(site_id(site), event_type, {})
        db.session.commit()
        sent = db.session.scalars(
            sa.select(WebhookEvent.event_type)
            .join(WebhookDelivery.event)
            .where(WebhookDelivery.endpoint_id == two)
            .order_by(WebhookDelivery.id)
        ).all()
    assert sent == ["widget.click", "lead.updated"]


def test_events_of_other_sites_are_not_sent_to_this_one(app, site):
    add_endpoint(app, site, "http://127.0.0.1:9/hook")
    with app.app_context():
        other = Site(key="s_other", name="Other", whatsapp_number="15550000000")
        db.session.add(other)
        db.session.commit()
        enqueue(other.id, "widget.click", {})
        db.session.commit()
        assert (count(WebhookEvent), count(WebhookDelivery)) == (1, 0)


def test_unknown_event_types_are_a_programming_error(app, site):
    with app.app_context(), pytest.raises(ValueError, match="unknown webhook event type"):
        enqueue(site_id(site), "widget.clicked", {})


def test_the_body_is_the_same_text_on_every_attempt(app, site):
    with app.app_context():
        event = enqueue(site_id(site), "widget.click", {"b": 1, "a": {"z": 2, "y": 3}})
        db.session.commit()
        first = event.body()
        db.session.expire_all()
        assert db.session.get(WebhookEvent, event.id).body() == first
    assert first.startswith('{"event_type":"widget.click","event_id":"msg_')
