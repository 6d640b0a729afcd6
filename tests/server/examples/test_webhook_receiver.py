"""The example receiver, run as a real process: verifies, prints JSON lines, stops cleanly."""

import json
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from webhooks_support import add_endpoint, enqueue_many, run_once

from widget_server.db import db
from widget_server.webhooks.sender import sign
from widget_server.webhooks.tables import WebhookEndpoint

RECEIVER = Path(__file__).resolve().parents[3] / "examples" / "webhook_receiver.py"


def start(secret: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(RECEIVER), "--port", "0", "--secret", secret],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert found, f"receiver did not start: {line!r}"
    return process, f"http://127.0.0.1:{found[1]}/hook"


def test_it_prints_verified_events_once_and_refuses_forgeries(app, site):
    secret = WebhookEndpoint.new_secret()
    process, url = start(secret)
    try:
        with app.app_context():
            endpoint_id, real_secret = add_endpoint(app, site, url)
            endpoint = db.session.get(WebhookEndpoint, endpoint_id)
            endpoint.secret = secret  # the receiver was started first, with this secret
            db.session.commit()
        assert real_secret != secret
        enqueue_many(app, site, 2)
        run_once(app)
        first, second = (json.loads(process.stdout.readline()) for _ in range(2))
        assert [first["data"]["n"], second["data"]["n"]] == [0, 1]
        assert first["event_type"] == "widget.click"

        body = json.dumps(first)
        again = sign(first["event_id"], body, [secret], datetime.now(UTC))
        assert requests.post(url, data=body, headers=again, timeout=5).status_code == 200
        forged = sign("msg_forged", body, [WebhookEndpoint.new_secret()], datetime.now(UTC))
        assert requests.post(url, data=body, headers=forged, timeout=5).status_code == 401
        assert requests.post(url, data=body, timeout=5).status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert out == ""  # the repeated webhook-id was not printed again
    assert "rejected" in err


def test_it_needs_a_secret():
    result = subprocess.run(
        [sys.executable, str(RECEIVER), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin"},
    )
    assert result.returncode == 2
    assert "give --secret or set WEBHOOK_SECRET" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_it_stops_cleanly_on_signals(sig):
    process, _ = start(WebhookEndpoint.new_secret())
    process.send_signal(sig)
    process.communicate(timeout=10)
    assert process.returncode == 0
