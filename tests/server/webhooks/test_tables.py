"""The outbox tables' own behaviour: subscriptions, signing secrets, one body per event."""

import json
from datetime import UTC, datetime, timedelta

from widget_server.webhooks.tables import EVENT_TYPES, WebhookEndpoint, WebhookEvent

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_an_endpoint_without_events_wants_them_all():
    assert all(WebhookEndpoint(event_types="").wants(name) for name in EVENT_TYPES)
    picky = WebhookEndpoint(event_types="lead.updated")
    assert picky.wants("lead.updated") and not picky.wants("widget.click")


def test_the_previous_secret_signs_only_during_the_overlap():
    endpoint = WebhookEndpoint(
        secret="whsec_new", previous_secret="whsec_old", previous_secret_until=NOW
    )
    assert endpoint.signing_secrets(NOW - timedelta(seconds=1)) == ["whsec_new", "whsec_old"]
    assert endpoint.signing_secrets(NOW) == ["whsec_new"]


def test_secrets_and_ids_are_fresh_and_well_formed():
    assert WebhookEndpoint.new_secret().startswith("whsec_")
    assert WebhookEndpoint.new_secret() != WebhookEndpoint.new_secret()
    assert WebhookEvent.new_uid().startswith("msg_")


def test_the_body_is_stable_json():
    event = WebhookEvent(uid="msg_1", event_type="widget.click", data={"é": 1}, created_at=NOW)
    assert event.body() == event.body()
    assert json.loads(event.body()) == {
        "event_type": "widget.click",
        "event_id": "msg_1",
        "timestamp": "2026-03-01T12:00:00.000Z",
        "data": {"é": 1},
    }
