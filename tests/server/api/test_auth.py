"""Bearer API keys: 401 for missing, wrong or revoked keys, 403 for a missing scope."""

import pytest
import sqlalchemy as sa
from api_support import bearer, other_site, seed

from widget_server.db import db
from widget_server.models import ApiKey, utcnow

LIST = "/integrations/external/attribution"
CORRELATE = "/integrations/external/correlations"


def assert_unauthorized(response, message):
    assert response.status_code == 401
    assert response.get_json() == {"status": 401, "message": message, "data": None}
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="wa-handoff"')


def test_missing_key_is_401_with_challenge(client, site):
    response = client.get(LIST)
    assert_unauthorized(response, "missing API key: send 'Authorization: Bearer <key>'")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="wa-handoff"'


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc"])
def test_other_schemes_are_401(client, site, header):
    response = client.get(LIST, headers={"Authorization": header})
    assert_unauthorized(response, "malformed Authorization header: expected 'Bearer <key>'")


@pytest.mark.parametrize("key", ["nonsense", "wah_000000000000_" + "x" * 43, "wah__"])
def test_unknown_key_is_401(client, site, key):
    response = client.get(LIST, headers=bearer(key))
    assert_unauthorized(response, "invalid API key")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_known_prefix_with_wrong_secret_is_401(client, site, make_key):
    key = make_key(site, "attribution:read")
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert_unauthorized(client.get(LIST, headers=bearer(wrong)), "invalid API key")
    assert client.get(LIST, headers=bearer(key)).status_code == 200


def test_revoked_key_is_401(app, client, site, make_key):
    key = make_key(site, "attribution:read")
    with app.app_context():
        row = db.session.execute(sa.select(ApiKey)).scalar_one()
        row.revoked_at = utcnow()
        db.session.commit()
    assert_unauthorized(client.get(LIST, headers=bearer(key)), "API key has been revoked")


def test_prefix_is_read_when_the_secret_holds_underscores():
    assert ApiKey.prefix_of("wah_0123456789ab_se_cr_et") == "0123456789ab"
    assert ApiKey.prefix_of("wah_0123456789ab") is None


@pytest.mark.parametrize(
    ("method", "path", "scope", "granted"),
    [
        ("get", LIST, "attribution:read", "attribution:write"),
        ("get", LIST + "/O-aB3dE9z", "attribution:read", "correlations:write"),
        ("patch", LIST + "/O-aB3dE9z", "attribution:write", "attribution:read"),
        ("post", CORRELATE, "correlations:write", "attribution:write"),
    ],
)
def test_missing_scope_is_403(client, site, make_key, method, path, scope, granted):
    key = make_key(site, granted)
    response = getattr(client, method)(path, headers=bearer(key), json={})
    assert response.status_code == 403
    assert response.get_json() == {
        "status": 403,
        "message": f"API key lacks the scope {scope}",
        "data": None,
    }
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert f'scope="{scope}"' in challenge


def test_auth_comes_before_parameter_checks(client, site):
    assert client.get(LIST + "?limit=0").status_code == 401
    assert client.post(CORRELATE, data="not json").status_code == 401


def test_a_key_sees_only_its_own_site(app, client, site, make_key):
    other = other_site(app)
    mine = seed(app, site, 2)
    theirs = seed(app, other, 3)
    key = make_key(site, "attribution:read")
    listed = client.get(LIST, headers=bearer(key)).get_json()["data"]
    assert sorted(row["correlation_id"] for row in listed) == sorted(mine)
    response = client.get(f"{LIST}/{theirs[0]}", headers=bearer(key))
    assert response.status_code == 404
    assert response.get_json()["message"] == f"no attribution row with correlation_id {theirs[0]}"
