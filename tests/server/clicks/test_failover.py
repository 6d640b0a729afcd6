"""A database that cannot take the click still sends the visitor to the site's WhatsApp chat."""

import contextlib
import subprocess
import threading

import pytest
import sqlalchemy as sa
from clicks_support import click, reference
from postgres_cluster import Cluster

from widget_server import create_app
from widget_server.db import db
from widget_server.metrics import CLICKS
from widget_server.models import Site, WebSession
from widget_server.webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookEvent

PLAIN = "https://wa.me/15551234567"
THREADS = 4


def new_app(url: str, **settings):
    """Create an app on url with a site and one webhook endpoint; return it and the site key."""
    # A burst from one address: well within limits here, this test is about the database.
    limits = {"CLICK_LIMIT_CLIENT": "100000 per minute"}
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **limits, **settings})
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Shop", whatsapp_number="15551234567")
        db.session.add(site)
        db.session.flush()
        endpoint = WebhookEndpoint(site_id=site.id, url="http://127.0.0.1:9/", secret="whsec_x")
        db.session.add(endpoint)
        db.session.commit()
        return app, site.key


def failed_over() -> float:
    return CLICKS.labels("failed_over")._value.get()


def assert_whole(url: str, handed: list[str]) -> None:
    """Every reference handed out has its row, every row its events, every event its delivery."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        stored = set(connection.scalars(sa.select(WebSession.correlation_id)))
        events = list(connection.execute(sa.select(WebhookEvent.id, WebhookEvent.data)))
        deliveries = list(connection.scalars(sa.select(WebhookDelivery.event_id)))
    engine.dispose()
    assert set(handed) <= stored
    assert {data["correlation_id"] for _, data in events} == stored
    assert sorted(deliveries) == sorted(event_id for event_id, _ in events)


def click_until(app, site: str, stop: threading.Event, answers: list) -> None:
    """Click with a new device each time until stop is set, keeping every answer."""
    client = app.test_client()
    for n in range(10_000):
        if stop.is_set():
            return
        response = click(client, site, device_id=f"{threading.get_ident()}-{n}")
        answers.append((response.status_code, response.headers.get("Location", "")))


@pytest.fixture
def cluster():
    """Yield a running PostgreSQL cluster of this test's own."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def test_a_stopped_postgresql_sends_visitors_on_and_leaves_nothing_half_written(cluster):
    # Every click reads its site again, so the outage is met with a stale copy of it.
    app, site = new_app(cluster.url, SITE_CACHE_SECONDS=0)
    client = app.test_client()
    first = reference(click(client, site, device_id="before"))
    assert client.get("/readyz").status_code == 200
    before = failed_over()
    stop, answers = threading.Event(), []
    threads = [
        threading.Thread(target=click_until, args=(app, site, stop, answers))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    while len(answers) < 40:
        stop.wait(0.01)
    cluster.stop("immediate")  # mid-burst, as abrupt as a crash
    during = len(answers)
    while len(answers) < during + 40:
        stop.wait(0.01)
    stop.set()
    for thread in threads:
        thread.join()
    assert {status for status, _ in answers} == {302}
    assert any(location == PLAIN for _, location in answers[during:])
    assert failed_over() - before >= 40 - THREADS
    response = client.get("/readyz")
    assert (response.status_code, response.json["message"]) == (503, "database cannot take writes")
    assert click(client, site, device_id="after").headers["Location"] == PLAIN

    cluster.start()
    handed = [first] + [reference_in(location) for _, location in answers if location != PLAIN]
    assert_whole(cluster.url, handed)
    assert correlation_found(click(client, site, device_id="back"))
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def reference_in(location: str) -> str:
    class Answer:
        headers = {"Location": location}

    return reference(Answer)


def correlation_found(response) -> bool:
    return response.status_code == 302 and reference(response) is not None


@contextlib.contextmanager
def immutable(path: str):
    """Make path read-only even for root (chattr +i) for the duration."""
    subprocess.run(["chattr", "+i", path], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", path], check=True)


def test_a_read_only_sqlite_file_sends_visitors_on(tmp_path):
    path = str(tmp_path / "widget.db")
    app, site = new_app("sqlite:///" + path)
    client = app.test_client()
    first = reference(click(client, site, device_id="before"))
    with app.app_context():
        db.engine.dispose()  # the last connection out folds the WAL into the file
    before = failed_over()
    with immutable(path):
        for n in range(5):
            response = click(client, site, device_id=f"d{n}")
            assert (response.status_code, response.headers["Location"]) == (302, PLAIN)
        assert failed_over() - before == 5
        response = client.get("/readyz")
        assert (response.status_code, response.json["message"]) == (
            503,
            "database cannot take writes",
        )
        with app.app_context():
            db.engine.dispose()
    assert_whole("sqlite:///" + path, [first])
    assert correlation_found(click(client, site, device_id="back"))
    with app.app_context():
        db.engine.dispose()


def test_an_unknown_site_with_no_database_is_a_503(cluster):
    app, site = new_app(cluster.url)
    cluster.stop("fast")
    response = app.test_client().get(f"/c/{site}")
    assert response.status_code == 503
    assert response.json["message"] == "database unavailable and this site is not known yet"
    with app.app_context():
        db.engine.dispose()
