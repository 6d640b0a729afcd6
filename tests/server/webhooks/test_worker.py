"""Worker processes: a SIGKILL loses nothing; two workers on PostgreSQL never overlap.

The two-worker test always runs on PostgreSQL, in a scratch database of its own, whichever
suite runs it: WIDGET_TEST_DATABASE_URL if set, else the local server (see conftest).
"""

import collections
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from webhooks_support import (
    FAST_RETRIES,
    Receiver,
    WorkerThread,
    add_endpoint,
    deliveries,
    enqueue_many,
    wait_until,
)

from widget_server import create_app
from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks.tables import WebhookDelivery, WebhookEvent

ROOT = Path(__file__).resolve().parents[3]
EVENTS = 1000


def start_worker(database_url: str) -> subprocess.Popen:
    """Run `flask --app widget_server webhooks worker` as an operator would."""
    env = {
        **os.environ,
        "WIDGET_DATABASE_URL": database_url,
        "WIDGET_WEBHOOK_ALLOW_PRIVATE": "true",
        "WIDGET_WEBHOOK_LEASE_SECONDS": "5",
        "WIDGET_WEBHOOK_TIMEOUT": "2",
        "WIDGET_WEBHOOK_CONNECT_TIMEOUT": "0.5",
        "WIDGET_WEBHOOK_BATCH_SIZE": "20",
        "WIDGET_WEBHOOK_POLL_INTERVAL": "0.02",
    }
    command = [sys.executable, "-m", "flask", "--app", "widget_server", "webhooks", "worker"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> str:
    """Stop a worker with SIGTERM; return its stderr after checking it exited cleanly."""
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return err


def event_ids(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(WebhookEvent.uid)))


def retried(app) -> int:
    return sum(delivery.attempts - 1 for delivery in deliveries(app))


def all_delivered(app) -> bool:
    with app.app_context():
        states = db.session.scalars(sa.select(WebhookDelivery.state).distinct()).all()
        db.session.rollback()
        return states == ["delivered"]


def test_a_killed_worker_loses_nothing(app, site, database_url):
    receiver = Receiver(hold=0.002).start()
    add_endpoint(app, site, receiver.url)
    enqueue_many(app, site, EVENTS)
    worker = start_worker(database_url)
    receiver.wait_for(200, timeout=60)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=30)
    received_before = len(receiver.received)
    assert received_before < EVENTS, "the worker finished before it could be killed"

    restarted = start_worker(database_url)
    try:
        wait_until(lambda: all_delivered(app), timeout=90, what="every delivery delivered")
    finally:
        stop(restarted)
    receiver.stop()
    assert set(receiver.ids()) == event_ids(app)
    # At-least-once: only the batch the killed worker had sent but not yet recorded comes twice,
    # besides attempts that timed out on a busy machine and were retried.
    assert len(receiver.ids()) - EVENTS <= 20 + retried(app)


@pytest.fixture
def postgres_app(postgres_url):
    """Yield an app on a scratch PostgreSQL database with the schema created, and its URL."""
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, "WEBHOOK_ALLOW_PRIVATE": True}
    )
    with app.app_context():
        db.create_all()
        db.session.add(Site(key="s_workers", name="Shop", whatsapp_number="15551234567"))
        db.session.commit()
    yield app, postgres_url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_workers_on_postgresql_never_send_one_event_twice(postgres_app):
    app, url = postgres_app
    receiver = Receiver(hold=0.002).start()
    add_endpoint(app, "s_workers", receiver.url)
    enqueue_many(app, "s_workers", EVENTS)
    workers = [start_worker(url), start_worker(url)]
    try:
        receiver.wait_for(EVENTS, timeout=90)
        wait_until(lambda: all_delivered(app), timeout=30, what="every delivery delivered")
    finally:
        for worker in workers:
            stop(worker)
    receiver.stop()
    assert receiver.overlaps == []
    counts = collections.Counter(receiver.ids())
    assert set(counts) == event_ids(app)
    assert sum(counts.values()) - EVENTS == retried(app)
    assert len(receiver.peer_ports) >= 2, "only one worker did the work"


def test_two_workers_on_the_suite_database_stay_safe(app, site):
    """SQLite needs one worker, but a second one (here a thread) must not cause double sends."""
    app.config.update(FAST_RETRIES, WEBHOOK_BATCH_SIZE=10)
    receiver = Receiver(hold=0.002).start()
    add_endpoint(app, site, receiver.url)
    enqueue_many(app, site, 300)
    with WorkerThread(app), WorkerThread(app):
        receiver.wait_for(300, timeout=60)
        wait_until(lambda: all_delivered(app), timeout=30, what="every delivery delivered")
    receiver.stop()
    assert receiver.overlaps == []
    counts = collections.Counter(receiver.ids())
    assert set(counts) == event_ids(app)
    assert sum(counts.values()) - 300 == retried(app)
