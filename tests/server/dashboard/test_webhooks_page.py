"""Webhooks: endpoints with their events and a secret shown once, rotation, redelivery."""

import re

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks import enqueue
from widget_server.webhooks.tables import DELIVERED, WebhookDelivery, WebhookEndpoint


def add(signed_in, site, **form):
    return signed_in.post(
        f"/dashboard/sites/{site}/webhooks", {"url": "http://127.0.0.1:9/h", **form}
    )


def test_an_endpoint_is_added_with_its_events_and_its_secret_shown_once(app, signed_in, site):
    page = add(signed_in, site, events=["lead.updated"])
    secret = re.search(r'value="(whsec_[^"]+)"', page.text).group(1)
    with app.app_context():
        endpoint = db.session.scalars(sa.select(WebhookEndpoint)).one()
        assert (endpoint.secret, endpoint.event_types) == (secret, "lead.updated")
    listing = signed_in.get(f"/dashboard/sites/{site}/webhooks").text
    assert secret not in listing and "lead.updated" in listing


def test_a_refused_url_is_explained(app, signed_in, site):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    response = add(signed_in, site)
    assert response.status_code == 400
    assert "127.0.0.1" in response.text and "whsec_" not in response.text


def test_rotation_shows_the_new_secret_once(app, signed_in, site):
    first = re.search(r'value="(whsec_[^"]+)"', add(signed_in, site).text).group(1)
    with app.app_context():
        endpoint_id = db.session.scalars(sa.select(WebhookEndpoint.id)).one()
    page = signed_in.post(f"/dashboard/sites/{site}/webhooks/{endpoint_id}/rotate")
    second = re.search(r'value="(whsec_[^"]+)"', page.text).group(1)
    assert second != first and "also signs until" in page.text
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert (endpoint.secret, endpoint.previous_secret) == (second, first)


def test_a_delivery_is_listed_and_redelivered(app, signed_in, site):
    add(signed_in, site)
    with app.app_context():
        site_id = db.session.scalars(sa.select(Site.id).filter_by(key=site)).one()
        enqueue(site_id, "widget.click", {"correlation_id": "O-Aaaaaa1"})
        db.session.commit()
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        delivery.state, delivery.attempts = DELIVERED, 3
        db.session.commit()
        delivery_id = delivery.id
    assert f"Redeliver #{delivery_id}" in signed_in.get(f"/dashboard/sites/{site}/webhooks").text
    response = signed_in.post(f"/dashboard/sites/{site}/deliveries/{delivery_id}/redeliver")
    assert response.status_code == 302
    with app.app_context():
        again = db.session.get(WebhookDelivery, delivery_id)
        assert (again.state, again.attempts) == ("pending", 0)


def test_an_endpoint_is_removed(app, signed_in, site):
    add(signed_in, site)
    with app.app_context():
        endpoint_id = db.session.scalars(sa.select(WebhookEndpoint.id)).one()
    signed_in.post(f"/dashboard/sites/{site}/webhooks/{endpoint_id}/remove")
    with app.app_context():
        assert db.session.scalars(sa.select(WebhookEndpoint)).all() == []
