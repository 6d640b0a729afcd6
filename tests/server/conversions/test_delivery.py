"""Conversions end to end on the server: click, conversation, lead type, worker, stand-in."""

import collections
import hashlib
import json

import pytest
import sqlalchemy as sa
from api_support import bearer
from clicks_support import click, reference
from conversions_support import (
    SECRETS,
    Standin,
    add_destination,
    authorized_user,
    conversions,
    destination,
)
from webhooks_support import FAST_RETRIES, Receiver, WorkerThread, add_endpoint, wait_until

from widget_server import create_app
from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks.tables import WebhookEvent
from widget_server.webhooks.worker import Worker

LANDING = "https://shop.example/?gclid=TeSt123&utm_source=google"
COOKIES = {"fbp": "fb.1.1700000000000.987654321", "ga": "GA1.1.555666777.1700000000"}
PHONE = "14155552671"


@pytest.fixture
def standin():
    standin = Standin()
    yield standin
    standin.stop()


@pytest.fixture
def keys(site, make_key):
    return bearer(make_key(site, "correlations:write", "attribution:write", "attribution:read"))


def visit(
    client, site, keys, consent="granted", message="wamid.1", whatsapp_id=PHONE, **cookies
) -> str:
    """Click from the landing page, then send the reference in WhatsApp; return the reference."""
    params = {"url": LANDING, "device_id": f"dev-{message}", "consent": consent, **cookies}
    ref = reference(click(client, site, **params))
    body = {"correlation_id": ref, "whatsapp_id": whatsapp_id, "message_id": message}
    assert (
        client.post("/integrations/external/correlations", json=body, headers=keys).status_code
        == 200
    )
    return ref


def mark(client, keys, ref, lead_type, **value):
    url = f"/integrations/external/attribution/{ref}"
    response = client.patch(url, json={"lead_type": lead_type, **value}, headers=keys)
    assert response.status_code == 200, response.get_json()


def deliver(app, until=lambda: True, timeout=20.0):
    """Run the worker until nothing is due and until() holds."""

    def done():
        Worker(app).run(once=True)
        return until()

    wait_until(done, timeout=timeout, what="the conversions to arrive")


def test_a_won_lead_reaches_google_ga4_and_meta_with_the_visitors_ids(
    app, client, site, keys, standin, tmp_path
):
    credentials = tmp_path / "google.json"
    credentials.write_text(json.dumps(authorized_user(standin.url)))
    add_destination(app, site, "google_ads", standin.url, credentials=str(credentials),
                    hashed_phone=True)  # fmt: skip
    add_destination(app, site, "ga4", standin.url)
    add_destination(app, site, "meta_web", standin.url)
    ref = visit(client, site, keys, **COOKIES)
    mark(client, keys, ref, "won", value=120, currency="EUR")
    deliver(app, lambda: len(standin.received("ga4")) == 2)

    [google] = standin.received("google")
    event = google["body"]["events"][0]
    assert event["adIdentifiers"] == {"gclid": "TeSt123"}
    assert (event["conversionValue"], event["currency"]) == (120.0, "EUR")
    assert event["transactionId"] == f"{ref}.won"
    assert google["body"]["destinations"][0]["productDestinationId"] == "987654321"
    phone = event["userData"]["userIdentifiers"][0]["phoneNumber"]
    assert phone == hashlib.sha256(b"+14155552671").hexdigest()
    assert google["body"]["consent"]["adUserData"] == "CONSENT_GRANTED"
    names = [entry["body"]["events"][0]["name"] for entry in standin.received("ga4")]
    assert names == ["generate_lead", "purchase"]
    assert {entry["body"]["client_id"] for entry in standin.received("ga4")} == {
        "555666777.1700000000"
    }
    meta = [entry["body"][0] for entry in standin.received("meta")]
    assert [event["event_name"] for event in meta] == ["Lead", "Purchase"]
    assert all(event["user_data"]["fbp"] == COOKIES["fbp"] for event in meta)
    assert {row.state for row in conversions(app)} == {"delivered"}


def test_a_server_error_then_success_delivers_once_with_the_same_event_id(
    app, client, site, keys, standin
):
    app.config.update(FAST_RETRIES)
    add_destination(app, site, "meta_web", standin.url)
    standin.fail_next("meta", 500)
    ref = visit(client, site, keys, **COOKIES)
    deliver(app, lambda: len(standin.received("meta")) == 1)
    [entry] = standin.received("meta")
    assert entry["body"][0]["event_id"] == f"{ref}.correlated"
    [row] = conversions(app)
    assert (row.state, row.attempts, row.last_status) == ("delivered", 2, 200)
    Worker(app).run(once=True)
    assert len(standin.received("meta")) == 1


def test_the_same_lead_type_twice_sends_nothing_new(app, client, site, keys, standin):
    add_destination(app, site, "ga4", standin.url)
    ref = visit(client, site, keys, **COOKIES)
    mark(client, keys, ref, "won", value=120, currency="EUR")
    mark(client, keys, ref, "qualified")
    mark(client, keys, ref, "won", value=99, currency="EUR")
    mark(client, keys, ref, "won", value=99, currency="EUR")
    deliver(app, lambda: len(standin.received("ga4")) == 3)
    names = [entry["body"]["events"][0]["name"] for entry in standin.received("ga4")]
    assert names == ["generate_lead", "purchase", "qualify_lead"]
    assert [row.trigger for row in conversions(app)] == ["correlated", "won", "qualified"]


def test_a_401_marks_the_destination_failing_and_fires_one_webhook(
    app, client, site, keys, standin
):
    receiver = Receiver().start()
    add_endpoint(app, site, receiver.url, ["destination.failing"])
    destination_id = add_destination(app, site, "meta_web", standin.url, access_token="expired")
    visit(client, site, keys, message="wamid.1", **COOKIES)
    visit(client, site, keys, message="wamid.2", **COOKIES)
    deliver(app, lambda: len(receiver.received) == 1)
    receiver.stop()
    failing = destination(app, destination_id)
    assert failing.status == "failing"
    assert "Invalid OAuth access token" in failing.last_error
    [(_, body)] = receiver.received
    event = json.loads(body)
    assert event["event_type"] == "destination.failing"
    assert event["data"]["destination_id"] == destination_id
    assert event["data"]["last_status"] == 401
    rows = conversions(app)
    # A refused token is worth retrying once it is replaced; the rows wait, not fail.
    assert {(row.state, row.last_status) for row in rows} == {("pending", 401)}
    assert standin.received("meta") == []

    token = SECRETS["meta_web"]["access_token"]
    command = ["destinations", "update", str(destination_id), "--access-token", token]
    result = app.test_cli_runner().invoke(args=command)
    assert "2 conversions retried now" in result.output, result.output
    deliver(app, lambda: len(standin.received("meta")) == 2)
    assert {row.state for row in conversions(app)} == {"delivered"}
    assert destination(app, destination_id).status == "ok"


def test_a_session_without_consent_sends_no_identifier(app, client, site, keys, standin, tmp_path):
    credentials = tmp_path / "google.json"
    credentials.write_text(json.dumps(authorized_user(standin.url)))
    add_destination(app, site, "google_ads", standin.url, credentials=str(credentials),
                    hashed_phone=True)  # fmt: skip
    analytics = add_destination(app, site, "ga4", standin.url)
    meta = add_destination(app, site, "meta_web", standin.url, hashed_phone=True)
    ref = visit(client, site, keys, consent="denied", **COOKIES, fbc="fb.1.1.abc")
    mark(client, keys, ref, "won", value=120, currency="EUR")
    deliver(app, lambda: len(standin.received("google")) == 1)

    with app.app_context():
        from widget_server.models import WebSession

        row = db.session.scalars(sa.select(WebSession)).one()
        assert (row.consent, row.fbp, row.fbc, row.ga) == ("denied", None, None, None)
    [google] = standin.received("google")
    sent = json.dumps(google["body"])
    assert google["body"]["consent"] == {
        "adUserData": "CONSENT_DENIED",
        "adPersonalization": "CONSENT_DENIED",
    }
    assert "userData" not in google["body"]["events"][0]
    for identifier in ("127.0.0.1", "Mozilla", "fb.1.", "GA1.", "555666777", PHONE):
        assert identifier not in sent
    assert standin.received("ga4") == standin.received("meta") == []
    skipped = {
        (row.destination_id, row.state) for row in conversions(app) if row.state != "delivered"
    }
    assert skipped == {(meta, "skipped"), (analytics, "skipped")}


def test_a_conversion_too_old_for_its_platform_is_skipped_not_retried(
    app, client, site, keys, standin
):
    add_destination(app, site, "ga4", standin.url)
    visit(client, site, keys, **COOKIES)
    with app.app_context():
        event = db.session.scalars(
            sa.select(WebhookEvent).where(WebhookEvent.event_type == "conversation.correlated")
        ).one()
        event.created_at = event.created_at.replace(year=event.created_at.year - 1)
        db.session.commit()
    Worker(app).run(once=True)
    [row] = conversions(app)
    assert (row.state, row.attempts) == ("skipped", 0)
    assert "72 hours" in row.last_error
    assert standin.received("ga4") == []


def test_a_click_to_whatsapp_conversation_is_a_row_and_reaches_meta(
    app, client, site, keys, standin
):
    add_destination(app, site, "meta_messaging", standin.url)
    add_destination(app, site, "meta_web", standin.url)
    referral = {
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ",
        "source_url": "https://fb.me/3cr4Wqqkx",
        "source_id": "120208",
        "source_type": "ad",
    }
    body = {"whatsapp_id": PHONE, "message_id": "wamid.ad1", "profile_name": "Ana",
            "referral": referral}  # fmt: skip
    first = client.post("/integrations/external/referrals", json=body, headers=keys)
    again = client.post("/integrations/external/referrals", json=body, headers=keys)
    assert first.status_code == again.status_code == 200
    row = first.get_json()["data"]
    assert again.get_json()["data"] == row
    assert row["device_id"] is None and row["correlated_at"] is not None
    assert row["click_url"] == "https://fb.me/3cr4Wqqkx"
    assert row["parsed_params"] == {
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ",
        "source_id": "120208",
        "source_type": "ad",
        "source_url": "https://fb.me/3cr4Wqqkx",
    }
    listed = client.get("/integrations/external/attribution", headers=keys).get_json()["data"]
    assert [entry["correlation_id"] for entry in listed] == [row["correlation_id"]]
    deliver(app, lambda: len(standin.received("meta")) == 1)
    [entry] = standin.received("meta")
    event = entry["body"][0]
    assert event["event_name"] == "LeadSubmitted"
    assert (event["action_source"], event["messaging_channel"]) == (
        "business_messaging",
        "whatsapp",
    )
    assert event["user_data"] == {
        "whatsapp_business_account_id": "200000000000002",
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ",
    }
    states = sorted(row.state for row in conversions(app))
    assert states == ["delivered", "skipped"]  # meta_web leaves ad conversations to meta_messaging


@pytest.mark.parametrize(
    ("referral", "message"),
    [
        ({"source_type": "ad"}, "referral.ctwa_clid is required"),
        ({"ctwa_clid": "x", "headline": "Hi"}, "unknown field 'referral.headline'; allowed "
         "fields: ctwa_clid, source_id, source_type, source_url"),
        ({"ctwa_clid": "x", "source_url": "fb.me/x"}, "referral.source_url must be an http(s) URL"),
        ({"ctwa_clid": 5}, "referral.ctwa_clid must be a string"),
    ],
)  # fmt: skip
def test_a_bad_referral_is_refused_and_writes_nothing(app, client, site, keys, referral, message):
    body = {"whatsapp_id": PHONE, "message_id": "wamid.x", "referral": referral}
    response = client.post("/integrations/external/referrals", json=body, headers=keys)
    assert response.status_code == 400
    assert response.get_json()["message"] == message
    assert client.get("/integrations/external/attribution", headers=keys).get_json()["data"] == []


@pytest.fixture
def postgres_app(postgres_url):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url, "WEBHOOK_ALLOW_PRIVATE": True,
         **FAST_RETRIES, "WEBHOOK_BATCH_SIZE": 5}
    )  # fmt: skip
    with app.app_context():
        db.create_all()
        db.session.add(Site(key="s_conv", name="Shop", whatsapp_number="15551234567"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_two_workers_on_postgresql_never_send_one_conversion_twice(postgres_app, standin):
    app = postgres_app
    add_destination(app, "s_conv", "ga4", standin.url)
    client = app.test_client()
    keys = bearer(_key(app, "s_conv"))
    count = 60
    for number in range(count):
        # One visitor each: one WhatsApp id may try only a few correlations a minute.
        sender = f"{3161234000 + number}"
        visit(client, "s_conv", keys, message=f"wamid.{number}", whatsapp_id=sender, **COOKIES)
    with WorkerThread(app), WorkerThread(app):
        wait_until(lambda: len(standin.received("ga4")) >= count, timeout=60, what="60 leads")
        wait_until(
            lambda: {row.state for row in conversions(app)} == {"delivered"},
            what="every conversion recorded",
        )
    ids = collections.Counter(
        entry["body"]["events"][0]["params"]["transaction_id"] for entry in standin.received("ga4")
    )
    assert len(ids) == count and set(ids.values()) == {1}


def _key(app, site_key):
    from widget_server.models import ApiKey

    with app.app_context():
        site = db.session.scalars(sa.select(Site).filter_by(key=site_key)).one()
        key, plaintext = ApiKey.issue(site, ["correlations:write", "attribution:read"])
        db.session.add(key)
        db.session.commit()
        return plaintext
