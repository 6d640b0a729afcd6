"""Export on request: every session and every webhook about a person, and nothing of others."""

import pytest
from api_support import bearer, other_site
from privacy_support import click_from
from webhooks_support import add_endpoint, run_once

EXPORTS = "/integrations/external/exports"
PHONE, DEVICE, ADDRESS = "4915112345678", "dev-ana-7f3a", "198.51.100.23"


@pytest.fixture
def person(app, client, site, make_key, receiver):
    """A visitor who clicked and wrote on WhatsApp, another who only clicked; delivered."""
    add_endpoint(app, site, receiver.url)
    url = "https://shop.example/?utm_source=ads"
    reference = click_from(client, site, ADDRESS, device_id=DEVICE, url=url).get_json()
    other = click_from(client, site, "192.0.2.55", device_id="dev-bob").get_json()
    link = {"correlation_id": reference["correlation_id"], "whatsapp_id": PHONE, "message_id": "m1"}
    plugin = bearer(make_key(site, "correlations:write"))
    answer = client.post("/integrations/external/correlations", json=link, headers=plugin)
    assert answer.status_code == 200
    run_once(app)
    return {
        "reference": reference["correlation_id"],
        "other": other["correlation_id"],
        "key": bearer(make_key(site, "privacy:read")),
    }


@pytest.mark.parametrize("by", ["whatsapp_id", "device_id", "correlation_id"])
def test_export_holds_every_column_and_every_webhook_about_the_person(client, person, by):
    value = {"whatsapp_id": PHONE, "device_id": DEVICE, "correlation_id": person["reference"]}[by]
    response = client.get(EXPORTS, query_string={by: value}, headers=person["key"])
    assert response.status_code == 200
    data = response.get_json()["data"]
    [session] = data["sessions"]
    assert session["correlation_id"] == person["reference"]
    assert (session["device_id"], session["ip_address"], session["whatsapp_id"]) == (
        DEVICE,
        ADDRESS,
        PHONE,
    )
    assert session["parsed_params"] == {"utm_source": "ads"}
    assert "id" not in session and "site_id" not in session
    kinds = [event["event_type"] for event in data["webhook_events"]]
    assert kinds == ["widget.click", "conversation.correlated"]
    assert all(
        event["data"]["correlation_id"] == person["reference"] for event in data["webhook_events"]
    )
    [delivery] = data["webhook_events"][0]["deliveries"]
    assert delivery["state"] == "delivered" and delivery["url"].startswith("http://127.0.0.1:")
    assert person["other"] not in response.get_data(as_text=True)


def test_export_of_nobody_is_empty_and_other_sites_see_nothing(app, client, person, make_key):
    empty = client.get(EXPORTS, query_string={"device_id": "nobody"}, headers=person["key"])
    assert empty.get_json()["data"] == {
        "sessions": [],
        "correlation_conflicts": [],
        "webhook_events": [],
    }
    stranger = bearer(make_key(other_site(app), "privacy:read"))
    theirs = client.get(EXPORTS, query_string={"whatsapp_id": PHONE}, headers=stranger)
    assert theirs.get_json()["data"] == {
        "sessions": [],
        "correlation_conflicts": [],
        "webhook_events": [],
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "give exactly one of correlation_id, device_id, whatsapp_id"),
        ("device_id=a&whatsapp_id=1", "give exactly one of correlation_id, device_id, whatsapp_id"),
        ("device_id=a&device_id=b", "query parameter device_id is given more than once"),
        (
            "phone=1",
            "unknown query parameter 'phone'; allowed: correlation_id, device_id, whatsapp_id",
        ),
        ("correlation_id=O-short", "correlation_id must be O- followed by 7 letters or digits"),
        ("device_id=a%20b", "device_id must be 1 to 128 visible ASCII characters"),
    ],
)
def test_bad_export_requests_get_a_precise_400(client, person, query, message):
    response = client.get(f"{EXPORTS}?{query}", headers=person["key"])
    assert response.status_code == 400
    assert response.get_json()["message"] == message


def test_export_needs_the_read_scope(client, site, make_key, person):
    writer = bearer(make_key(site, "privacy:write", "attribution:read"))
    response = client.get(EXPORTS, query_string={"device_id": DEVICE}, headers=writer)
    assert response.status_code == 403
    assert response.get_json()["message"] == "API key lacks the scope privacy:read"
