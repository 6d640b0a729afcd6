"""The operator's CLI: sites, keys and purge, for people and for scripts."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click_helpers import click, sessions

from widget_server.db import db
from widget_server.models import ApiKey, Site, WebSession, utcnow
from widget_server.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

ATTRIBUTION = "/integrations/external/attribution"


@pytest.fixture
def run(app):
    """Return a function that runs a CLI command and returns its result."""
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=list(args))

    return invoke


def json_of(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def create_site(run, *extra):
    return run("sites", "create", "--name", "Shop", "--whatsapp-number", "15551234567", *extra)


def test_sites_create_json(app, run):
    site = json_of(create_site(run, "--json", "--reuse-hours", "3", "--message", "Hi {reference}"))
    assert site["site_key"].startswith("s_")
    assert site["reuse_hours"] == 3
    with app.app_context():
        row = db.session.execute(sa.select(Site)).scalar_one()
        assert (row.key, row.name, row.whatsapp_number) == (site["site_key"], "Shop", "15551234567")
        assert (row.message_template, row.reuse_hours) == ("Hi {reference}", 3)
        assert row.whatsapp_base_url == "https://wa.me"


def test_created_site_answers_clicks(run, client):
    site = json_of(create_site(run, "--json", "--whatsapp-base-url", "http://127.0.0.1:8/wa/"))
    location = click(client, site["site_key"]).headers["Location"]
    assert location.startswith("http://127.0.0.1:8/wa/15551234567?text=Reference%3A%20O-")


def test_sites_create_text_and_list(run):
    result = create_site(run)
    assert result.exit_code == 0
    key = result.output.split()[-1]
    assert key.startswith("s_")
    listed = run("sites", "list")
    assert key in listed.output and "+15551234567" in listed.output
    assert [row["site_key"] for row in json_of(run("sites", "list", "--json"))] == [key]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--whatsapp-number", "+15551234567"], "digits only"),
        (["--whatsapp-number", "0155512345"], "digits only"),
        (["--whatsapp-number", "1555 123 4567"], "digits only"),
        (["--whatsapp-number", "1234567890123456"], "digits only"),
        (["--message", "Hello"], "must contain {reference}"),
        (["--message", "{reference}" + "x" * 1000], "at most 1000"),
        (["--reuse-hours", "0"], "0 is not in the range"),
        (["--reuse-hours", "soon"], "'soon' is not a valid integer"),
        (["--whatsapp-base-url", "ftp://wa.me"], "http(s) URL"),
        (["--whatsapp-base-url", "wa.me"], "http(s) URL"),
        (["--name", "  "], "1 to 200 characters"),
    ],
)
def test_sites_create_rejects_bad_input(app, run, args, message):
    base = {"--name": "Shop", "--whatsapp-number": "15551234567"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("sites", "create", *[part for pair in base.items() for part in pair], "--json")
    assert result.exit_code == 2
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message in error
    with app.app_context():
        assert db.session.execute(sa.select(Site)).first() is None


def test_keys_create_json_gives_a_working_key(app, run, client, site):
    key = json_of(run("keys", "create", "--site", site, "--scope", "attribution:read", "--json"))
    assert key["api_key"].startswith("wah_")
    assert key["scopes"] == ["attribution:read"]
    assert key["site_key"] == site
    bearer = {"Authorization": f"Bearer {key['api_key']}"}
    assert client.get(ATTRIBUTION, headers=bearer).status_code == 200
    with app.app_context():
        stored = db.session.execute(sa.select(ApiKey)).scalar_one()
        assert key["api_key"] not in (stored.digest, stored.prefix, stored.scopes)


def test_keys_create_keeps_scopes_in_order_once(run, site):
    args = ["--scope", "correlations:write", "--scope", "attribution:read"] * 2
    key = json_of(run("keys", "create", "--site", site, *args, "--json"))
    assert key["scopes"] == ["attribution:read", "correlations:write"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "s_nope", "--scope", "attribution:read"], "no site with key 's_nope'"),
        (["--scope", "attribution:read"], "Missing option '--site'"),
        (["--site", "SITE", "--scope", "admin"], "'admin' is not one of"),
        (["--site", "SITE"], "Missing option '--scope'"),
    ],
)
def test_keys_create_rejects_bad_input(app, run, site, args, message):
    result = run("keys", "create", *[site if arg == "SITE" else arg for arg in args], "--json")
    assert result.exit_code == 2
    assert message in result.output
    with app.app_context():
        assert db.session.execute(sa.select(ApiKey)).first() is None


def test_keys_list_never_shows_the_key(run, site):
    plaintext = json_of(
        run("keys", "create", "--site", site, "--scope", "attribution:read", "--json")
    )
    listed = json_of(run("keys", "list", "--json"))
    assert [row["prefix"] for row in listed] == [plaintext["prefix"]]
    assert plaintext["api_key"] not in run("keys", "list").output
    assert json_of(run("keys", "list", "--site", site, "--json")) == listed


@pytest.mark.parametrize("by", ["prefix", "api_key"])
def test_keys_revoke(run, client, site, by):
    key = json_of(run("keys", "create", "--site", site, "--scope", "attribution:read", "--json"))
    revoked = json_of(run("keys", "revoke", key[by], "--json"))
    assert revoked["revoked_at"] is not None
    bearer = {"Authorization": f"Bearer {key['api_key']}"}
    assert client.get(ATTRIBUTION, headers=bearer).status_code == 401
    again = json_of(run("keys", "revoke", key["prefix"], "--json"))
    assert again["revoked_at"] == revoked["revoked_at"]


def test_keys_revoke_unknown_is_exit_2(run, site):
    result = run("keys", "revoke", "0123456789ab")
    assert result.exit_code == 2
    assert "no key '0123456789ab'" in result.output


def age(app, days, **where):
    """Move matching sessions' clicks, and all events, days into the past."""
    with app.app_context():
        past = utcnow() - timedelta(days=days)
        db.session.execute(
            sa.update(WebSession).filter_by(**where).values(created_at=past, last_click_at=past)
        )
        db.session.execute(sa.update(WebhookEvent).values(created_at=past))
        db.session.commit()


def add_endpoint(app, site_key):
    """Subscribe an endpoint, so that every event also gets a delivery row."""
    with app.app_context():
        site = db.session.execute(sa.select(Site).filter_by(key=site_key)).scalar_one()
        endpoint = WebhookEndpoint(
            site_id=site.id, url="http://127.0.0.1:9/hook", secret=WebhookEndpoint.new_secret()
        )
        db.session.add(endpoint)
        db.session.commit()


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_purge_deletes_only_idle_sessions_and_old_events(app, run, client, site):
    add_endpoint(app, site)
    for device in ("old", "old-but-talking", "recent"):
        click(client, site, device_id=device)
    age(app, 40, device_id="old")
    age(app, 40, device_id="old-but-talking")
    with app.app_context():
        db.session.execute(
            sa.update(WebSession)
            .filter_by(device_id="old-but-talking")
            .values(correlated_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
    click(client, site, device_id="fresh")  # its event stays: it is new
    counts = json_of(run("purge", "--older-than-days", "30", "--json"))
    assert counts == {"sessions": 1, "events": 3}
    assert sorted(row.device_id for row in sessions(app)) == ["fresh", "old-but-talking", "recent"]
    assert count(app, WebhookEvent) == 1
    assert count(app, WebhookDelivery) == 1


def test_purge_text_and_bad_input(run, site):
    assert run("purge", "--older-than-days", "30").output.strip() == (
        "Deleted 0 sessions, 0 events."
    )
    for bad in ("0", "-3", "x"):
        assert run("purge", "--older-than-days", bad).exit_code == 2
    assert run("purge").exit_code == 2
