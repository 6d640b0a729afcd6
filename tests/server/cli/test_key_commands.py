"""`flask keys`: issue, list and revoke API keys, for people and for scripts."""

import pytest
import sqlalchemy as sa
from cli_support import json_of

from widget_server.db import db
from widget_server.models import ApiKey

ATTRIBUTION = "/integrations/external/attribution"


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
