"""What each destination kind builds, checked against the platforms' official client types."""

import hashlib
import json
from datetime import timedelta

from conversions_support import CLICK, CTWA, NOW, SECRETS, facts, options
from facebook_business.adobjects.serverside.action_source import ActionSource
from facebook_business.adobjects.serverside.custom_data import CustomData
from facebook_business.adobjects.serverside.event import Event
from facebook_business.adobjects.serverside.messaging_channel import MessagingChannel
from facebook_business.adobjects.serverside.user_data import UserData
from google.ads import datamanager_v1

from widget_server.conversions import ga4, google_ads, meta_messaging, meta_web
from widget_server.conversions.facts import e164, ga_client_id
from widget_server.conversions.kinds import Skip

PHONE_DIGITS = "14155552671"


def build(module, kind, trigger="won", name="Purchase", data=CLICK, now=NOW, **changes):
    secrets = SECRETS.get(kind, {})
    return module.build(options(kind, **changes), secrets, facts(data, trigger), name, now)


def test_whatsapp_ids_become_e164_numbers_and_usernames_none():
    assert e164(PHONE_DIGITS) == "+14155552671"
    assert e164("12") is None
    assert e164("AB.cd-username") is None


def test_the_ga_cookie_yields_the_client_id_and_garbage_none():
    assert ga_client_id("GA1.1.1234567890.1700000000") == "1234567890.1700000000"
    assert ga_client_id("1234567890.1700000000") == "1234567890.1700000000"
    assert ga_client_id("<script>") is None


def test_google_body_parses_as_the_official_ingest_events_request():
    request = build(google_ads, "google_ads", hashed_phone=True)
    message = datamanager_v1.IngestEventsRequest.from_json(json.dumps(request.body))
    event = message.events[0]
    assert event.ad_identifiers.gclid == "TeSt123"
    assert event.transaction_id == "O-aB3dE9z.won"
    assert event.conversion_value == 120.0 and event.currency == "EUR"
    assert message.destinations[0].operating_account.account_id == "1234567890"
    assert message.destinations[0].product_destination_id == "987654321"
    assert message.consent.ad_user_data == datamanager_v1.ConsentStatus.CONSENT_GRANTED
    phone = event.user_data.user_identifiers[0].phone_number
    assert phone == hashlib.sha256(b"+14155552671").hexdigest()
    assert message.encoding == datamanager_v1.Encoding.HEX
    assert request.url == "https://example.invalid/v1/events:ingest"


def test_google_sends_the_phone_only_when_enabled_and_consented():
    assert "userData" not in build(google_ads, "google_ads").body["events"][0]
    denied = google_ads.build(
        options("google_ads", hashed_phone=True), {}, facts(consent="denied"), "purchase", NOW
    )
    assert "userData" not in denied.body["events"][0]
    assert denied.body["consent"] == {
        "adUserData": "CONSENT_DENIED",
        "adPersonalization": "CONSENT_DENIED",
    }


def test_google_skips_a_session_without_click_id_or_phone():
    result = google_ads.build(
        options("google_ads"), {}, facts(parsed_params={"utm_source": "x"}), "purchase", NOW
    )
    assert isinstance(result, Skip) and "gclid" in result.reason


def test_meta_web_event_matches_what_the_official_sdk_builds():
    request = build(meta_web, "meta_web", hashed_phone=True)
    event = request.body["data"][0]
    official = Event(
        event_name="Purchase",
        event_time=int(NOW.timestamp()),
        event_id="O-aB3dE9z.won",
        action_source=ActionSource.WEBSITE,
        event_source_url=CLICK["click_url"],
        user_data=UserData(
            fbc="fb.1.1772359200000.FbClId",
            fbp=CLICK["browser_ids"]["fbp"],
            client_ip_address="203.0.113.7",
            client_user_agent=CLICK["user_agent"],
            phone=PHONE_DIGITS,
        ),
        custom_data=CustomData(value=120.0, currency="eur"),
    ).normalize()
    assert event == official
    assert request.body["access_token"] == SECRETS["meta_web"]["access_token"]
    assert request.url == "https://example.invalid/v26.0/1234567890/events"


def test_meta_messaging_event_matches_the_sdk_plus_the_waba_id():
    request = build(meta_messaging, "meta_messaging", "correlated", "LeadSubmitted", data=CTWA)
    event = request.body["data"][0]
    official = Event(
        event_name="LeadSubmitted",
        event_time=int(NOW.timestamp()),
        event_id="O-Ctwa123.correlated",
        action_source=ActionSource.BUSINESS_MESSAGING,
        messaging_channel=MessagingChannel.WHATSAPP,
        user_data=UserData(ctwa_clid=CTWA["parsed_params"]["ctwa_clid"]),
    ).normalize()
    # The SDK has no field for the WABA id that the business messaging guide requires.
    waba = event["user_data"].pop("whatsapp_business_account_id")
    assert waba == "200000000000002"
    assert event == official


def test_meta_messaging_skips_web_sessions_and_clicks_older_than_seven_days():
    web = build(meta_messaging, "meta_messaging", data=CLICK)
    assert isinstance(web, Skip) and "ctwa_clid" in web.reason
    late = meta_messaging.build(
        options("meta_messaging"),
        SECRETS["meta_messaging"],
        facts(CTWA, "won", NOW + timedelta(days=8), value=5, currency="EUR"),
        "Purchase",
        NOW,
    )
    assert isinstance(late, Skip) and "7 days" in late.reason


def test_a_purchase_without_value_is_skipped_with_the_reason():
    result = meta_web.build(
        options("meta_web"), SECRETS["meta_web"], facts(value=None), "Purchase", NOW
    )
    assert isinstance(result, Skip) and "value and currency" in result.reason


def test_ga4_sends_the_client_id_backdated_with_the_transaction_id():
    request = build(ga4, "ga4", name="purchase")
    assert request.body["client_id"] == "1234567890.1700000000"
    assert request.body["timestamp_micros"] == int(NOW.timestamp()) * 1_000_000
    assert request.body["events"][0]["params"]["transaction_id"] == "O-aB3dE9z.won"
    assert "api_secret=***" in request.redacted and SECRETS["ga4"]["api_secret"] in request.url


def test_ga4_skips_events_older_than_seventy_two_hours():
    result = build(ga4, "ga4", name="purchase", now=NOW + timedelta(hours=73))
    assert isinstance(result, Skip) and "72 hours" in result.reason


def test_denied_consent_leaves_no_identifier_in_any_body():
    denied = facts(consent="denied")
    web = meta_web.build(options("meta_web"), SECRETS["meta_web"], denied, "Purchase", NOW)
    assert isinstance(web, Skip)
    analytics = ga4.build(options("ga4"), SECRETS["ga4"], denied, "purchase", NOW)
    assert isinstance(analytics, Skip)
    google = google_ads.build(options("google_ads", hashed_phone=True), {}, denied, "p", NOW)
    text = json.dumps(google.body)
    for value in ("203.0.113.7", "Mozilla", "fb.1.", "GA1.", "1234567890.1700000000"):
        assert value not in text


def test_identifiers_off_withholds_them_even_with_consent():
    result = meta_web.build(
        options("meta_web", identifiers=False), SECRETS["meta_web"], facts(), "Purchase", NOW
    )
    assert isinstance(result, Skip) and "identifier" in result.reason
