"""An endpoint's throttle rate: the worker sends it at most that many deliveries a second."""

import time

from webhooks_support import WorkerThread, deliveries, enqueue_many

from widget_server.models import utcnow
from widget_server.webhooks import endpoints
from widget_server.webhooks.tables import DELIVERED, PENDING
from widget_server.webhooks.worker import Worker

RATE, EVENTS = 3, 9


def throttled_endpoint(app, site, url):
    with app.app_context():
        endpoint, _ = endpoints.add(site, url, [], throttle_rate=RATE)
        return endpoint.id


def test_a_batch_sends_no_more_than_the_rate_and_defers_the_rest(app, site, receiver):
    throttled_endpoint(app, site, receiver.url)
    enqueue_many(app, site, EVENTS)
    with app.app_context():
        started = time.monotonic()
        assert Worker(app).step() == EVENTS
        elapsed = time.monotonic() - started
    rows = deliveries(app)
    sent = [row for row in rows if row.state == DELIVERED]
    held = [row for row in rows if row.state == PENDING]
    # Only a step slower than the throttle's one-second window may have sent a second share.
    assert len(sent) == RATE if elapsed < 1 else RATE <= len(sent) < EVENTS
    assert len(receiver.received) == len(sent)
    now = utcnow()
    assert all(row.attempts == 0 and row.next_attempt_at > now for row in held)
    assert all(row.claimed_by is None for row in held)


def test_every_delivery_goes_out_in_time_no_faster_than_the_rate(app, site, receiver):
    throttled_endpoint(app, site, receiver.url)
    enqueue_many(app, site, EVENTS)
    started = time.monotonic()
    with WorkerThread(app):
        receiver.wait_for(EVENTS, timeout=60)
    # Nine at three a second span three windows: at least two window ends, so over a second.
    assert time.monotonic() - started > 1.0
    assert {row.state for row in deliveries(app)} == {DELIVERED}
    assert all(row.attempts == 1 for row in deliveries(app))


def test_webhooks_add_keeps_the_throttle_rate(app, site, receiver):
    result = app.test_cli_runner().invoke(
        args=["webhooks", "add", "--site", site, "--url", receiver.url, "--throttle-rate", "5",
              "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"throttle_rate": 5' in result.output
    bad = app.test_cli_runner().invoke(
        args=["webhooks", "add", "--site", site, "--url", receiver.url, "--throttle-rate", "0"]
    )
    assert bad.exit_code == 2
