"""`flask webhooks ...`: endpoints, rotation, deliveries and redelivery from the command line."""

import json

import pytest
from standardwebhooks import Webhook
from webhooks_support import deliveries, enqueue_many

from widget_server.db import db
from widget_server.webhooks.tables import WebhookEndpoint


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["webhooks", *args])

    return run


def add(cli, site, url, *extra):
    result = cli("add", "--site", site, "--url", url, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_add_prints_the_secret_once_and_list_never(cli, site, receiver):
    added = add(cli, site, receiver.url, "--event", "widget.click", "--event", "lead.updated")
    assert added["secret"].startswith("whsec_")
    assert Webhook(added["secret"])  # a valid Standard Webhooks secret
    assert added["events"] == ["widget.click", "lead.updated"]
    assert added["site"] == site and added["url"] == receiver.url
    listed = cli("list", "--json")
    assert json.loads(listed.output) == [{k: v for k, v in added.items() if k != "secret"}]
    assert added["secret"] not in cli("list").output
    text = cli("add", "--site", site, "--url", receiver.url)
    assert "signing secret (shown once): whsec_" in text.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "s_nope", "--url", "https://example.com/"], "no site with key 's_nope'"),
        (["--url", "ftp://x/"], "must start with http:// or https://"),
        (["--url", "http://127.0.0.1:1/", "--event", "click"], "unknown event 'click'"),
    ],
)
def test_add_refuses_bad_input_in_one_line(cli, site, args, message):
    if "--site" not in args:
        args = ["--site", site, *args]
    result = cli("add", *args)
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ") and message in line


def test_private_urls_need_the_allow_flag(app, cli, site):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    result = cli("add", "--site", site, "--url", "http://10.0.0.1/hook")
    assert result.exit_code == 2
    assert result.output.strip() == "Error: refusing to connect to 10.0.0.1: private address"
    with app.app_context():
        assert db.session.query(WebhookEndpoint).count() == 0


@pytest.mark.parametrize(
    "args", [["remove", "99"], ["rotate-secret", "99"], ["enable", "99"], ["redeliver", "99"]]
)
def test_unknown_ids_fail_in_one_line(cli, args):
    result = cli(*args)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "99" in result.output


def test_rotate_secret_prints_the_new_secret(cli, site, receiver):
    added = add(cli, site, receiver.url)
    result = cli("rotate-secret", str(added["id"]), "--overlap-hours", "2", "--json")
    rotated = json.loads(result.output)
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != added["secret"]
    assert rotated["previous_secret_until"] is not None
    assert cli("rotate-secret", str(added["id"]), "--overlap-hours", "-1").exit_code == 2


def test_deliveries_and_redeliver(app, cli, site, receiver):
    added = add(cli, site, receiver.url)
    enqueue_many(app, site, 2)
    assert cli("worker", "--once").exit_code == 0
    listed = json.loads(cli("deliveries", "--json").output)
    assert [row["state"] for row in listed] == ["delivered", "delivered"]
    assert listed[0]["last_status"] == 200 and listed[0]["url"] == added["url"]
    assert json.loads(cli("deliveries", "--state", "failed", "--json").output) == []
    result = cli("redeliver", str(listed[0]["id"]))
    assert result.exit_code == 0, result.output
    assert cli("worker", "--once").exit_code == 0
    assert receiver.ids().count(listed[0]["event_id"]) == 2
    assert "delivered\tattempts=1\tstatus=200" in cli("deliveries", "--site", site).output


def test_remove_deletes_the_endpoint_and_its_deliveries(app, cli, site, receiver):
    added = add(cli, site, receiver.url)
    enqueue_many(app, site, 1)
    assert cli("remove", str(added["id"])).output.strip() == f"removed endpoint {added['id']}"
    assert deliveries(app) == []
    assert cli("list").output.strip() == "no endpoints"


def test_worker_refuses_a_lease_shorter_than_an_attempt(app, cli):
    app.config["WEBHOOK_LEASE_SECONDS"] = 1
    result = cli("worker", "--once")
    assert result.exit_code == 2
    assert "WEBHOOK_LEASE_SECONDS" in result.output


def test_a_receivers_error_body_cannot_drive_the_operators_terminal(cli, app, site):
    from webhooks_support import Receiver, run_once

    hostile = b"no\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07"
    receiver = Receiver(respond=lambda receiver, headers, body: (500, {}, hostile)).start()
    try:
        add(cli, site, receiver.url)
        enqueue_many(app, site, 1)
        run_once(app)
    finally:
        receiver.stop()
    shown = cli("deliveries").output
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b[2J" in shown
