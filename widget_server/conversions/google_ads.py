"""Google Ads through the Data Manager API (`events:ingest`): click ids, value, consent."""

from datetime import datetime, timedelta
from typing import Any

from widget_server.conversions.facts import Facts, e164, sha256_hex
from widget_server.conversions.kinds import Kind, Request, Skip, allowed

API = "https://datamanager.googleapis.com"
TOKEN_URI = "https://oauth2.googleapis.com/token"
CLICK_IDS = ("gclid", "gbraid", "wbraid")
# Google Ads takes conversions up to 90 days after the click (the longest conversion window).
WINDOW = timedelta(days=90)
CONSENT = {"granted": "CONSENT_GRANTED", "denied": "CONSENT_DENIED"}


def build(
    options: dict[str, Any],
    secrets: dict[str, Any],
    facts: Facts,
    event_name: str,
    now: datetime,
) -> Request | Skip:
    """Build an IngestEventsRequest with one event, or Skip when nothing ties it to a click."""
    if facts.event_time - facts.clicked_at > WINDOW:
        return Skip("more than 90 days after the ad click (Google Ads' longest window)")
    ids = {key: facts.params[key] for key in CLICK_IDS if facts.params.get(key)}
    number = e164(facts.whatsapp_id) if options.get("hashed_phone") else None
    phone = sha256_hex(number) if number and allowed(options, facts) else None
    if not ids and not phone:
        return Skip("no Google click id (gclid, gbraid, wbraid) and no hashed phone")
    event: dict = {
        "transactionId": facts.event_id,
        "eventTimestamp": facts.event_time.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "eventSource": "OTHER",
    }
    if ids:
        event["adIdentifiers"] = ids
    if facts.value is not None and facts.currency:
        event["conversionValue"] = facts.value
        event["currency"] = facts.currency
    body: dict = {
        "destinations": [
            {
                "operatingAccount": {
                    "accountType": "GOOGLE_ADS",
                    "accountId": options["customer_id"],
                },
                "productDestinationId": options["conversion_action_id"],
            }
        ],
        "events": [event],
    }
    if phone:
        event["userData"] = {"userIdentifiers": [{"phoneNumber": phone}]}
        body["encoding"] = "HEX"
    if facts.consent in CONSENT:
        status = CONSENT[facts.consent]
        body["consent"] = {"adUserData": status, "adPersonalization": status}
    url = f"{options['api_base'].rstrip('/')}/v1/events:ingest"
    return Request(url, body, url)


KIND = Kind(
    name="google_ads",
    api_base=API,
    events={"won": "purchase"},
    options=("customer_id", "conversion_action_id"),
    secrets=("credentials",),
    build=build,
)
