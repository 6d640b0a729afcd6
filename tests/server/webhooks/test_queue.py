"""Faults at real loopback receivers: errors, outages, throttling, gone, redirects, timeouts."""

import socket
import threading
from datetime import timedelta

import pytest
from standardwebhooks import Webhook
from webhooks_support import (
    FAST_RETRIES,
    Receiver,
    WorkerThread,
    add_endpoint,
    deliveries,
    enqueue_many,
    run_once,
    wait_until,
)

from widget_server.db import db
from widget_server.webhooks import endpoints, sender
from widget_server.webhooks.queue import claim
from widget_server.webhooks.settings import Settings
from widget_server.webhooks.tables import WebhookEndpoint
from widget_server.webhooks.transport import new_session
from widget_server.webhooks.worker import Worker

SECRET = WebhookEndpoint.new_secret()


def scripted(*statuses, headers=None):
    """Answer with each status in turn, then 200 for ever."""
    queue = list(statuses)

    def respond(receiver, request_headers, body):
        status = queue.pop(0) if queue else 200
        return status, (headers or {}) if status != 200 else {}, b"nope" if status != 200 else b""

    return respond


@pytest.fixture
def fast(app):
    app.config.update(FAST_RETRIES)
    return app


def test_server_errors_then_success_keep_the_same_webhook_id(fast, site):
    receiver = Receiver(scripted(500, 502)).start()
    _, secret = add_endpoint(fast, site, receiver.url)
    enqueue_many(fast, site, 1)
    with WorkerThread(fast):
        receiver.wait_for(3)
        wait_until(lambda: deliveries(fast)[0].state == "delivered", what="delivered state")
    receiver.stop()
    assert len(set(receiver.ids())) == 1
    for headers, body in receiver.received:
        Webhook(secret).verify(body, headers)
    [delivery] = deliveries(fast)
    assert (delivery.attempts, delivery.last_status) == (3, 200)


def test_a_receiver_down_for_a_while_gets_everything_once_back(fast, site):
    receiver = Receiver().start()
    add_endpoint(fast, site, receiver.url)
    receiver.stop()
    enqueue_many(fast, site, 30)
    with WorkerThread(fast):
        wait_until(
            lambda: all(d.attempts >= 2 for d in deliveries(fast)), what="two failed attempts each"
        )
        assert "ConnectionError" in deliveries(fast)[0].last_error
        back = Receiver(port=receiver.port).start()
        back.wait_for(30)
        wait_until(lambda: {d.state for d in deliveries(fast)} == {"delivered"}, what="delivered")
    back.stop()
    assert len(set(back.ids())) == 30


def test_exhausted_deliveries_are_marked_failed(fast, site):
    fast.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    receiver = Receiver(lambda *_: (500, {}, b"database on fire")).start()
    add_endpoint(fast, site, receiver.url)
    enqueue_many(fast, site, 1)
    with WorkerThread(fast):
        wait_until(lambda: deliveries(fast)[0].state == "failed", what="failed state")
    receiver.stop()
    [delivery] = deliveries(fast)
    assert (delivery.attempts, delivery.last_status) == (3, 500)
    assert delivery.last_error == "HTTP 500: database on fire"
    assert len(receiver.received) == 3


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(fast, site, status):
    receiver = Receiver(scripted(status, headers={"Retry-After": "120"})).start()
    add_endpoint(fast, site, receiver.url)
    enqueue_many(fast, site, 1)
    run_once(fast)
    receiver.stop()
    [delivery] = deliveries(fast)
    assert delivery.state == "pending" and delivery.last_status == status
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=119)


def test_gone_disables_the_endpoint_and_parks_its_deliveries(fast, site):
    receiver = Receiver(lambda *_: (410, {}, b"")).start()
    endpoint_id, _ = add_endpoint(fast, site, receiver.url)
    fast.config["WEBHOOK_BATCH_SIZE"] = 1
    enqueue_many(fast, site, 3)
    run_once(fast)
    assert len(receiver.received) == 1
    assert [d.state for d in deliveries(fast)] == ["disabled"] * 3
    enqueue_many(fast, site, 1)
    assert len(deliveries(fast)) == 3  # a disabled endpoint gets no new deliveries
    with fast.app_context():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        assert endpoint.disabled_reason == "receiver answered 410 Gone"
    receiver.respond = lambda *_: (200, {}, b"")
    with fast.app_context():
        assert endpoints.enable(endpoint_id) == 3
    run_once(fast)
    receiver.stop()
    assert [d.state for d in deliveries(fast)] == ["delivered"] * 3


def test_redirects_are_not_followed(fast, site):
    target = Receiver().start()
    receiver = Receiver(lambda *_: (307, {"Location": target.url}, b"")).start()
    add_endpoint(fast, site, receiver.url)
    enqueue_many(fast, site, 1)
    run_once(fast)
    receiver.stop()
    target.stop()
    assert target.received == []
    [delivery] = deliveries(fast)
    assert delivery.state == "pending" and delivery.last_status == 307
    assert delivery.last_error == f"HTTP 307: redirect to {target.url!r} not followed"


def test_a_slow_receiver_times_out_and_holds_up_one_attempt_per_batch(fast, site):
    fast.config["WEBHOOK_TIMEOUT"] = 0.3
    # Retries far off, so that a slow machine cannot make them due before this one run ends.
    fast.config["WEBHOOK_BACKOFF_BASE"] = fast.config["WEBHOOK_BACKOFF_CAP"] = 60
    slow = Receiver(hold=1.0).start()
    quick = Receiver().start()
    slow_id, _ = add_endpoint(fast, site, slow.url)
    add_endpoint(fast, site, quick.url)
    enqueue_many(fast, site, 4)
    run_once(fast)
    slow.stop()
    quick.stop()
    assert len(slow.arrived) == 1 and len(quick.received) == 4
    rows = [row for row in deliveries(fast) if row.endpoint_id == slow_id]
    assert {(row.state, row.attempts) for row in rows} == {("pending", 1)}
    assert "ReadTimeout" in rows[0].last_error
    assert all(
        row.last_error.startswith("not sent, endpoint timed out in this batch: ReadTimeout")
        for row in rows[1:]
    )


def test_redeliver_sends_again_with_the_same_webhook_id(fast, site):
    receiver = Receiver().start()
    add_endpoint(fast, site, receiver.url)
    enqueue_many(fast, site, 1)
    run_once(fast)
    [delivery] = deliveries(fast)
    with fast.app_context():
        endpoints.redeliver(delivery.id)
    run_once(fast)
    receiver.stop()
    first, second = receiver.ids()
    assert first == second
    assert deliveries(fast)[0].state == "delivered"


def test_the_lease_must_outlast_an_attempt(app):
    app.config.update(WEBHOOK_LEASE_SECONDS=5, WEBHOOK_TIMEOUT=10)
    with pytest.raises(ValueError, match="WEBHOOK_LEASE_SECONDS"):
        Worker(app)


def test_nothing_is_sent_twice_while_claimed(fast, site):
    receiver = Receiver().start()
    add_endpoint(fast, site, receiver.url)
    enqueue_many(fast, site, 5)
    with fast.app_context():
        _, jobs = claim(Settings.from_config(fast.config), "other-worker")
    assert len(jobs) == 5
    run_once(fast)  # another worker finds nothing due while the lease holds
    receiver.stop()
    assert receiver.received == []
    rows = deliveries(fast)
    assert {(row.state, row.attempts) for row in rows} == {("pending", 0)}
    assert all(row.claimed_by.startswith("other-worker:") for row in rows)


@pytest.mark.parametrize("stage", ["headers", "body"])
def test_a_trickling_receiver_is_cut_off(stage):
    """Each byte within the read timeout, but the whole answer never: the attempt still ends."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle():
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            start = b"HTTP/1.1 200 OK\r\n"
            if stage == "body":
                start += b"Content-Length: 1000\r\n\r\n"
            connection.sendall(start)
            while not stop.wait(0.1):
                try:
                    connection.sendall(b"X-Slow: 1\r\n" if stage == "headers" else b"x")
                except OSError:
                    return

    threading.Thread(target=trickle, daemon=True).start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    try:
        outcome = sender.post(new_session(True), url, "msg_1", "{}", [SECRET], (0.5, 0.5))
    finally:
        stop.set()
        server.close()
    assert outcome.timed_out and not outcome.ok
    assert outcome.error == "Timeout: no complete answer within 1 s"
    assert outcome.status in (200, None)  # the status line came; the answer never completed
