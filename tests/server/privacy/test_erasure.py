"""Erasure on request: the sessions go, every webhook about them is redacted and never sent."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from api_support import bearer, other_site
from conversions_support import Standin, add_destination, conversions
from privacy_support import click_from, dump
from webhooks_support import add_endpoint, deliveries, run_once

from widget_server.db import db
from widget_server.models import Site, WebSession, utcnow
from widget_server.sessions import rollup
from widget_server.webhooks import endpoints
from widget_server.webhooks.tables import ERASED, WebhookEvent

ATTRIBUTION = "/integrations/external/attribution"
ERASURES = "/integrations/external/erasures"
PHONE = "4915112345678"
BSUID = "US.13491208655302741918"  # the business-scoped user id Meta sends beside the phone
DEVICE, ADDRESS, NAME = "dev-ana-7f3a", "198.51.100.23", "Ana Example"
FBP = "fb.1.1700000000000.424242"
OTHER_DEVICE, OTHER_ADDRESS = "dev-bob-91c2", "192.0.2.55"


def move_back(app, hours, **where):
    """Date matching sessions hours back, out of the reuse window."""
    with app.app_context():
        db.session.execute(
            sa.update(WebSession)
            .filter_by(**where)
            .values(created_at=utcnow() - timedelta(hours=hours))
        )
        db.session.commit()


def clicked(client, site, device, address, **params):
    url = "https://shop.example/?utm_source=ads&gclid=Gc1"
    return click_from(client, site, address, device_id=device, url=url, **params)


@pytest.fixture
def standin():
    standin = Standin()
    yield standin
    standin.stop()


@pytest.fixture
def keys(site, make_key):
    return {
        "plugin": bearer(make_key(site, "correlations:write")),
        "privacy": bearer(make_key(site, "privacy:write", "privacy:read", "attribution:read")),
    }


def test_erasure_by_whatsapp_id_leaves_no_trace_and_sends_only_session_erased(
    app, client, site, keys, receiver, standin
):
    add_endpoint(app, site, receiver.url)
    add_destination(app, site, "meta_messaging", standin.url)
    cookies = {"consent": "granted", "fbp": FBP}
    first = clicked(client, site, DEVICE, ADDRESS, **cookies).get_json()["correlation_id"]
    run_once(app)  # the first click's webhook is delivered before the erasure
    move_back(app, 13, correlation_id=first)
    second = clicked(client, site, DEVICE, ADDRESS, **cookies).get_json()["correlation_id"]
    assert second != first  # a later visit: a new session of the same device
    body = {
        "correlation_id": first,
        "whatsapp_id": BSUID,
        "whatsapp_phone": PHONE,
        "message_id": "wamid.1",
        "profile_name": NAME,
    }
    assert (
        client.post(
            "/integrations/external/correlations", json=body, headers=keys["plugin"]
        ).status_code
        == 200
    )
    other = clicked(client, site, OTHER_DEVICE, OTHER_ADDRESS).get_json()["correlation_id"]
    before = dump(app)
    assert all(value in before for value in (PHONE, BSUID, DEVICE, ADDRESS, NAME, FBP))
    assert [row.state for row in conversions(app)] == ["pending"]  # the conversation's

    response = client.post(ERASURES, json={"whatsapp_id": PHONE}, headers=keys["privacy"])

    assert response.status_code == 200
    assert response.get_json()["data"] == {"erased": [first, second]}
    after = dump(app)
    for value in (PHONE, BSUID, DEVICE, ADDRESS, NAME, FBP, "wamid.1"):
        assert value not in after, f"{value} is still in the database"
    assert other in after and OTHER_DEVICE in after and OTHER_ADDRESS in after
    for reference in (first, second):
        assert client.get(f"{ATTRIBUTION}/{reference}", headers=keys["privacy"]).status_code == 404
    assert client.get(f"{ATTRIBUTION}/{other}", headers=keys["privacy"]).status_code == 200

    received_before = len(receiver.received)
    run_once(app)
    sent = [json.loads(body) for _, body in receiver.received[received_before:]]
    assert sorted(
        (event["event_type"], event["data"]["correlation_id"]) for event in sent
    ) == sorted([("session.erased", first), ("session.erased", second), ("widget.click", other)])
    erased = [event["data"] for event in sent if event["event_type"] == "session.erased"]
    assert all(set(data) == {"correlation_id", "erased_at"} for data in erased)
    everything_sent = "".join(body.decode() for _, body in receiver.received[received_before:])
    for value in (PHONE, BSUID, DEVICE, ADDRESS, NAME):
        assert value not in everything_sent
    states = {delivery.state for delivery in deliveries(app)}
    assert states == {"delivered", ERASED}
    assert [row.state for row in conversions(app)] == [ERASED]
    assert standin.received("meta") == []


def test_an_erased_delivery_is_never_sent_again(app, client, site, keys, receiver):
    add_endpoint(app, site, receiver.url)
    reference = clicked(client, site, DEVICE, ADDRESS).get_json()["correlation_id"]
    run_once(app)
    assert client.delete(f"{ATTRIBUTION}/{reference}", headers=keys["privacy"]).status_code == 200
    [click_delivery] = [d for d in deliveries(app) if d.state == ERASED]
    with app.app_context():
        with pytest.raises(endpoints.EndpointError, match="erased person"):
            endpoints.redeliver(click_delivery.id)
        event = db.session.get(WebhookEvent, click_delivery.event_id)
        assert event.data == {"correlation_id": reference, "erased": True}


def test_delete_erases_one_session_and_answers_404_after(app, client, site, keys):
    kept = clicked(client, site, DEVICE, ADDRESS).get_json()["correlation_id"]
    move_back(app, 13)
    gone = clicked(client, site, DEVICE, ADDRESS).get_json()["correlation_id"]
    response = client.delete(f"{ATTRIBUTION}/{gone}", headers=keys["privacy"])
    assert (response.status_code, response.get_json()["data"]) == (200, {"erased": [gone]})
    again = client.delete(f"{ATTRIBUTION}/{gone}", headers=keys["privacy"])
    assert again.status_code == 404
    assert again.get_json()["message"] == f"no attribution row with correlation_id {gone}"
    assert client.get(f"{ATTRIBUTION}/{kept}", headers=keys["privacy"]).status_code == 200


def test_erasure_by_device_id_and_of_nobody(app, client, site, keys):
    for _ in range(2):
        clicked(client, site, DEVICE, ADDRESS)
    kept = clicked(client, site, OTHER_DEVICE, OTHER_ADDRESS).get_json()["correlation_id"]
    response = client.post(ERASURES, json={"device_id": DEVICE}, headers=keys["privacy"])
    assert len(response.get_json()["data"]["erased"]) == 1  # two clicks, one reused session
    nobody = client.post(ERASURES, json={"device_id": DEVICE}, headers=keys["privacy"])
    assert (nobody.status_code, nobody.get_json()["data"]) == (200, {"erased": []})
    assert client.get(f"{ATTRIBUTION}/{kept}", headers=keys["privacy"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "give exactly one of device_id, whatsapp_id"),
        ({"device_id": "a", "whatsapp_id": "1"}, "give exactly one of device_id, whatsapp_id"),
        ({"device_id": None}, "give exactly one of device_id, whatsapp_id"),
        ({"device_id": 7}, "device_id must be a string"),
        ({"device_id": "has space"}, "device_id must be 1 to 128 visible ASCII characters"),
        ({"whatsapp_id": "x" * 136}, "whatsapp_id must be 1 to 135 visible ASCII characters"),
        (
            {"correlation_id": "O-aB3dE9z"},
            "unknown field 'correlation_id'; allowed fields: device_id, whatsapp_id",
        ),
    ],
)
def test_bad_erasure_requests_get_a_precise_400(client, keys, body, message):
    response = client.post(ERASURES, json=body, headers=keys["privacy"])
    assert response.status_code == 400
    assert response.get_json() == {"status": 400, "message": message, "data": None}


def test_erasure_needs_the_scope_and_stays_in_the_site(app, client, site, keys, make_key):
    reference = clicked(client, site, DEVICE, ADDRESS).get_json()["correlation_id"]
    reader = bearer(make_key(site, "attribution:read", "privacy:read"))
    assert client.delete(f"{ATTRIBUTION}/{reference}", headers=reader).status_code == 403
    assert client.post(ERASURES, json={"device_id": DEVICE}, headers=reader).status_code == 403
    stranger = bearer(make_key(other_site(app), "privacy:write"))
    assert client.delete(f"{ATTRIBUTION}/{reference}", headers=stranger).status_code == 404
    answer = client.post(ERASURES, json={"device_id": DEVICE}, headers=stranger)
    assert answer.get_json()["data"] == {"erased": []}
    assert client.get(f"{ATTRIBUTION}/{reference}", headers=keys["privacy"]).status_code == 200


def test_erasure_makes_the_funnel_count_the_day_again_without_them(app, client, site, keys):
    clicked(client, site, DEVICE, ADDRESS)
    clicked(client, site, OTHER_DEVICE, OTHER_ADDRESS)
    with app.app_context():
        site_id = db.session.scalar(sa.select(Site.id).filter_by(key=site))
        today = utcnow().date()
        assert round(rollup.settle(site_id, today).devices.get_estimate()) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(rollup.FunnelDay)) == 1
    client.post(ERASURES, json={"device_id": DEVICE}, headers=keys["privacy"])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(rollup.FunnelDay)) == 0
        assert round(rollup.settle(site_id, today).devices.get_estimate()) == 1


def test_a_refused_second_sender_is_erased_and_exported_by_their_own_id(app, client, site, keys):
    reference = clicked(client, site, DEVICE, ADDRESS).get_json()["correlation_id"]
    link = {"correlation_id": reference, "whatsapp_id": PHONE, "message_id": "wamid.1"}
    correlations = "/integrations/external/correlations"
    assert client.post(correlations, json=link, headers=keys["plugin"]).status_code == 200
    other = {**link, "whatsapp_id": "15550009999", "message_id": "wamid.2"}
    assert client.post(correlations, json=other, headers=keys["plugin"]).status_code == 409
    exports = "/integrations/external/exports"
    held = client.get(exports, query_string={"whatsapp_id": "15550009999"}, headers=keys["privacy"])
    [conflict] = held.get_json()["data"]["correlation_conflicts"]
    assert (conflict["correlation_id"], conflict["message_id"]) == (reference, "wamid.2")
    assert "15550009999" in dump(app)
    answer = client.post(ERASURES, json={"whatsapp_id": "15550009999"}, headers=keys["privacy"])
    assert answer.get_json()["data"] == {"erased": []}  # no session of their own
    assert "15550009999" not in dump(app)
    assert client.get(f"{ATTRIBUTION}/{reference}", headers=keys["privacy"]).status_code == 200
    client.post(correlations, json=other, headers=keys["plugin"])
    client.post(ERASURES, json={"whatsapp_id": PHONE}, headers=keys["privacy"])
    assert "15550009999" not in dump(app) and "wamid.2" not in dump(app)
