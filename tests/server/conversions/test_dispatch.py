"""Each kind's request against the ad-platform stand-in, over real HTTP on loopback."""

import json

import pytest
from conversions_support import CLICK, CTWA, SECRETS, Standin, authorized_user, options, recent
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from widget_server.conversions import dispatch, google_auth
from widget_server.conversions.facts import Facts
from widget_server.conversions.kinds import Request
from widget_server.models import utcnow
from widget_server.webhooks.transport import new_session

TIMEOUT = (5.0, 10.0)


@pytest.fixture
def standin():
    standin = Standin()
    yield standin
    standin.stop()


@pytest.fixture
def session():
    session = new_session(allow_private=True)
    yield session
    session.close()


def job(kind, standin, data=CLICK, trigger="won", name="Purchase", secrets=None, **changes):
    data = {**data, "created_at": recent(0.01)}
    return dispatch.Job(
        id=1,
        attempts=0,
        destination_id=1,
        kind=kind,
        options=options(kind, standin.url, **changes),
        secrets=secrets if secrets is not None else SECRETS.get(kind, {}),
        event_name=name,
        facts=Facts.from_event(data, trigger, utcnow()),
    )


def deliver(session, tokens, conversion):
    request = dispatch.prepare(conversion, utcnow())
    assert isinstance(request, Request), request
    return dispatch.send(session, tokens, conversion, request, TIMEOUT)


def service_account(base: str) -> dict:
    """Return a service-account key file with a fresh RSA key and the stand-in's token URI."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "standin",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "conversions@standin.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": f"{base}/token",
    }


def test_meta_messaging_lead_reaches_meta_with_waba_and_ctwa_clid(standin, session):
    conversion = job("meta_messaging", standin, CTWA, "correlated", "LeadSubmitted")
    result = deliver(session, google_auth.Tokens(session), conversion)
    assert result.ok, result.error
    [entry] = standin.received("meta")
    event = entry["body"][0]
    assert event["action_source"] == "business_messaging"
    assert event["messaging_channel"] == "whatsapp"
    assert event["user_data"] == {
        "whatsapp_business_account_id": "200000000000002",
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ",
    }
    assert entry["dataset_id"] == "1234567890"


def test_meta_web_purchase_reaches_meta_with_fbp(standin, session):
    result = deliver(session, google_auth.Tokens(session), job("meta_web", standin))
    assert result.ok, result.error
    [entry] = standin.received("meta")
    assert entry["body"][0]["user_data"]["fbp"] == CLICK["browser_ids"]["fbp"]


@pytest.mark.parametrize("credentials", [authorized_user, service_account])
def test_google_ads_gets_a_token_then_ingests(standin, session, credentials):
    conversion = job(
        "google_ads", standin, name="purchase", secrets={"credentials": credentials(standin.url)}
    )
    result = deliver(session, google_auth.Tokens(session), conversion)
    assert result.ok, result.error
    [entry] = standin.received("google")
    event = entry["body"]["events"][0]
    assert event["adIdentifiers"] == {"gclid": "TeSt123"}
    assert (event["conversionValue"], event["currency"]) == (120.0, "EUR")
    assert len(standin.received("google_token")) == 1


def test_a_refused_refresh_token_is_an_auth_failure(standin, session):
    credentials = {**authorized_user(standin.url), "refresh_token": "revoked"}
    conversion = job("google_ads", standin, name="purchase", secrets={"credentials": credentials})
    result = deliver(session, google_auth.Tokens(session), conversion)
    assert result.auth and not result.ok
    assert "invalid_grant" in result.error


def test_ga4_purchase_reaches_the_measurement_protocol(standin, session):
    result = deliver(session, google_auth.Tokens(session), job("ga4", standin, name="purchase"))
    assert result.status == 204
    [entry] = standin.received("ga4")
    assert entry["body"]["client_id"] == "1234567890.1700000000"
    assert entry["measurement_id"] == "G-STANDIN01"


def test_a_wrong_meta_token_answers_401_and_counts_as_auth(standin, session):
    conversion = job("meta_web", standin, secrets={"access_token": "expired"})
    result = deliver(session, google_auth.Tokens(session), conversion)
    assert (result.status, result.auth) == (401, True)
    assert "Invalid OAuth access token" in result.error
    assert standin.received("meta") == []


def test_the_standins_refuse_what_their_platforms_require(standin, session):
    conversion = job("meta_messaging", standin, CTWA, "correlated", "LeadSubmitted")
    request = dispatch.prepare(conversion, utcnow())
    del request.body["data"][0]["user_data"]["ctwa_clid"]
    result = dispatch.send(session, google_auth.Tokens(session), conversion, request, TIMEOUT)
    assert result.status == 400 and result.permanent
    assert "user_data.ctwa_clid is required" in result.error

    lead = job("meta_messaging", standin, CTWA, "correlated", "Lead")
    result = deliver(session, google_auth.Tokens(session), lead)
    assert result.status == 400 and "2804066" in result.error

    google = job(
        "google_ads", standin, name="p", secrets={"credentials": authorized_user(standin.url)}
    )
    request = dispatch.prepare(google, utcnow())
    del request.body["events"][0]["eventTimestamp"]
    result = dispatch.send(session, google_auth.Tokens(session), google, request, TIMEOUT)
    assert result.status == 400 and "eventTimestamp" in result.error

    analytics = job("ga4", standin, name="purchase")
    request = dispatch.prepare(analytics, utcnow())
    del request.body["events"][0]["params"]["transaction_id"]
    result = dispatch.send(session, google_auth.Tokens(session), analytics, request, TIMEOUT)
    assert result.status == 400 and "transaction_id" in json.dumps(result.error)
    assert standin.received("meta") == standin.received("google") == standin.received("ga4") == []


def test_a_server_error_is_retryable_and_not_auth(standin, session):
    standin.fail_next("meta", 500)
    result = deliver(session, google_auth.Tokens(session), job("meta_web", standin))
    assert result.status == 500 and not result.permanent and not result.auth
