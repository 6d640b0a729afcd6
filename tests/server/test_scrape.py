"""/metrics: off by default, behind a bearer token, summed over gunicorn's worker processes."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clicks_support import click
from webhooks_support import enqueue_many

from widget_server import create_app
from widget_server.db import db
from widget_server.models import Site

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-me"


def scraped(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def value(text: str, sample: str) -> float:
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def test_metrics_are_off_unless_a_token_is_set(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.json["message"] == "metrics are off: set WIDGET_METRICS_TOKEN to turn them on"


def test_metrics_need_the_token(app, client):
    app.config["METRICS_TOKEN"] = TOKEN
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        assert client.get("/metrics", headers=headers).status_code == 401


def test_a_limited_click_is_counted(app, client, site):
    app.config["METRICS_TOKEN"] = TOKEN
    limited = 'wah_clicks_total{outcome="limited"}'
    before = value(scraped(client), limited)
    with app.app_context():
        db.session.query(Site).update({"click_limit_client": "1 per minute"})
        db.session.commit()
    click(client, site)
    response = click(client, site)
    assert response.headers["Location"] == "https://wa.me/15551234567"
    assert value(scraped(client), limited) - before == 1


def test_the_queue_shows_its_depth_and_the_age_of_its_oldest_due_delivery(
    app, client, site, receiver
):
    from webhooks_support import add_endpoint

    app.config["METRICS_TOKEN"] = TOKEN
    add_endpoint(app, site, receiver.url)
    enqueue_many(app, site, 3)
    time.sleep(0.2)
    text = scraped(client)
    assert value(text, 'wah_queue_depth{kind="webhook"}') == 3
    assert value(text, 'wah_oldest_due_delivery_seconds{kind="webhook"}') >= 0.2
    assert value(text, 'wah_queue_depth{kind="conversion"}') == 0


def request(port: int, path: str, headers=None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    answer = response.status, response.read().decode()
    connection.close()
    return answer


@pytest.fixture
def gunicorn(tmp_path):
    """Serve a SQLite app with two gunicorn workers in multiprocess mode; yield port and site."""
    database = f"sqlite:///{tmp_path}/w.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Shop", whatsapp_number="15551234567")
        db.session.add(site)
        db.session.commit()
        key = site.key
    (tmp_path / "prom").mkdir()
    env = {**os.environ, "WIDGET_DATABASE_URL": database, "WIDGET_METRICS_TOKEN": TOKEN,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", "widget_server:create_app()"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request(port, "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        yield port, key
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_counts_of_every_gunicorn_worker_add_up(gunicorn):
    port, site = gunicorn
    for n in range(20):
        status, _ = request(port, f"/c/{site}?device_id=d{n}", {"User-Agent": "Mozilla/5.0"})
        assert status == 302
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # Whichever worker answers the scrape, it reads every worker's files.
    for _ in range(4):
        status, text = request(port, "/metrics", auth)
        assert status == 200
        assert value(text, 'wah_clicks_total{outcome="stored"}') == 20
