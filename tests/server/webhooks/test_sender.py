"""Signed delivery from a click on the running app to a real receiver on loopback."""

import json
import threading

import pytest
import requests
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from webhooks_support import (
    FAST_RETRIES,
    WorkerThread,
    add_endpoint,
    deliveries,
    enqueue_many,
    run_once,
)
from werkzeug.serving import make_server

from widget_server.webhooks import endpoints
from widget_server.webhooks.tables import WebhookEndpoint

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
PAGE = "https://shop.example/p?utm_source=news&utm_campaign=may"


@pytest.fixture
def server(app):
    """Serve the app over real HTTP on 127.0.0.1; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_click_arrives_signed_and_verifiable(app, server, site, receiver):
    app.config.update(FAST_RETRIES)
    _, secret = add_endpoint(app, site, receiver.url)
    with WorkerThread(app):
        answer = requests.get(
            f"{server}/c/{site}",
            params={"device_id": "dev-1", "url": PAGE},
            headers={"Accept": "application/json", "User-Agent": BROWSER},
            timeout=5,
        ).json()
        receiver.wait_for(1)
    headers, body = receiver.received[0]
    event = Webhook(secret).verify(body, headers)
    assert event["event_type"] == "widget.click"
    assert event["event_id"] == headers["webhook-id"]
    assert event["timestamp"].endswith("Z")
    assert {key: event["data"][key] for key in ("correlation_id", "device_id", "click_url")} == {
        "correlation_id": answer["correlation_id"],
        "device_id": "dev-1",
        "click_url": PAGE,
    }
    assert event["data"]["parsed_params"] == {"utm_source": "news", "utm_campaign": "may"}
    assert event["data"]["user_agent"] == BROWSER
    assert event["data"]["ip_address"] == "127.0.0.1"
    assert headers["content-type"] == "application/json"
    [delivery] = deliveries(app)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_tampered_body_or_timestamp_is_rejected(app, server, site, receiver):
    app.config.update(FAST_RETRIES)
    _, secret = add_endpoint(app, site, receiver.url)
    with WorkerThread(app):
        requests.get(
            f"{server}/c/{site}", headers={"User-Agent": BROWSER}, timeout=5, allow_redirects=False
        )
        receiver.wait_for(1)
    headers, body = receiver.received[0]
    tampered = json.loads(body)
    tampered["data"]["click_url"] = "https://evil.example/"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(json.dumps(tampered).encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(
            body, {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 1)}
        )
    with pytest.raises(WebhookVerificationError):
        Webhook(WebhookEndpoint.new_secret()).verify(body, headers)
    assert Webhook(secret).verify(body, headers)["event_type"] == "widget.click"


def test_rotation_without_overlap_retires_the_old_secret(app, site, receiver):
    endpoint_id, old = add_endpoint(app, site, receiver.url)
    with app.app_context():
        _, new = endpoints.rotate_secret(endpoint_id, 0)
    enqueue_many(app, site, 1)
    run_once(app)
    headers, body = receiver.received[0]
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert Webhook(new).verify(body, headers)["event_type"] == "widget.click"
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)


def test_both_secrets_verify_until_the_overlap_ends(app, site, receiver):
    endpoint_id, old = add_endpoint(app, site, receiver.url)
    with app.app_context():
        _, new = endpoints.rotate_secret(endpoint_id, 1)
    enqueue_many(app, site, 1)
    run_once(app)
    headers, body = receiver.received[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body, headers) == Webhook(new).verify(body, headers)
