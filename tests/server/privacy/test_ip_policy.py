"""The IP policy of a site: full, truncated or none, in the row, the API, webhooks and dumps."""

import json

import pytest
import sqlalchemy as sa
from api_support import bearer
from privacy_support import click_from, dump
from webhooks_support import add_endpoint, run_once

from widget_server.db import db
from widget_server.models import Site
from widget_server.privacy.ip_policy import apply_ip_policy

V4, V6 = "203.0.113.7", "2001:db8:abcd:12::7"


@pytest.mark.parametrize(
    ("policy", "address", "kept"),
    [
        ("full", V4, V4),
        ("full", V6, V6),
        ("truncated", V4, "203.0.113.0"),
        ("truncated", V6, "2001:db8:abcd::"),
        ("truncated", "::ffff:203.0.113.7", "203.0.113.0"),
        ("truncated", "::1", "::"),
        ("truncated", "fe80::1%eth0", "fe80::"),
        ("truncated", "not an address", None),
        ("none", V4, None),
        ("none", V6, None),
        ("anything else", V4, None),
        ("full", None, None),
        ("truncated", None, None),
    ],
)
def test_the_policy_keeps_the_address_its_network_or_nothing(policy, address, kept):
    assert apply_ip_policy(policy, address) == kept


def set_policy(app, site_key, policy):
    with app.app_context():
        db.session.execute(sa.update(Site).filter_by(key=site_key).values(ip_policy=policy))
        db.session.commit()


@pytest.mark.parametrize(
    ("policy", "address", "kept"),
    [
        ("truncated", V4, "203.0.113.0"),
        ("truncated", V6, "2001:db8:abcd::"),
        ("none", V4, None),
        ("none", V6, None),
        ("full", V4, V4),
    ],
)
def test_the_row_the_api_and_the_webhook_see_only_what_is_kept(
    app, client, site, make_key, receiver, policy, address, kept
):
    set_policy(app, site, policy)
    add_endpoint(app, site, receiver.url)
    reference = click_from(client, site, address, device_id="d1").get_json()["correlation_id"]
    key = make_key(site, "attribution:read")
    row = client.get(f"/integrations/external/attribution/{reference}", headers=bearer(key))
    assert row.get_json()["data"]["ip_address"] == kept
    run_once(app)
    [(_, body)] = receiver.received
    assert json.loads(body)["data"]["ip_address"] == kept
    everything = dump(app)
    assert reference in everything  # the dump is real: it holds the session
    if kept != address:
        assert address not in everything
    else:
        assert address in everything
