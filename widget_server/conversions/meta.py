"""What Meta's two destinations share: the Graph API events edge and its custom data."""

from widget_server.conversions.facts import Facts, e164, sha256_hex
from widget_server.conversions.kinds import Request, Skip

GRAPH = "https://graph.facebook.com"
GRAPH_VERSION = "v26.0"


def request(options: dict, secrets: dict, event: dict) -> Request:
    """Build `POST {graph}/{version}/{dataset_id}/events` for one event."""
    url = (
        f"{options['api_base'].rstrip('/')}/{options.get('graph_version', GRAPH_VERSION)}"
        f"/{options['dataset_id']}/events"
    )
    # The token travels in the body, not the URL, so it never shows in a log line.
    return Request(url, {"data": [event], "access_token": secrets["access_token"]}, url)


def event(event_name: str, facts: Facts, user: dict, custom: dict, **source: str | None) -> dict:
    """Return one Conversions API event: the common fields, the source's own and custom_data."""
    body: dict = {
        "event_name": event_name,
        "event_time": int(facts.event_time.timestamp()),
        "event_id": facts.event_id,
        **source,
        "user_data": user,
    }
    if custom:
        body["custom_data"] = custom
    return body


def custom_data(facts: Facts, event_name: str) -> dict | Skip:
    """Return the value and currency, or Skip for a Purchase that has none."""
    if facts.value is None or not facts.currency:
        if event_name == "Purchase":
            return Skip("Purchase needs value and currency: PATCH them with the lead type")
        return {}
    # Lowercase, as the official SDK normalises it.
    return {"value": facts.value, "currency": facts.currency.lower()}


def hashed_phone(options: dict, facts: Facts) -> list[str]:
    """Return Meta's `ph`: SHA-256 of the number's digits with country code, when enabled."""
    number = e164(facts.whatsapp_id) if options.get("hashed_phone") else None
    return [sha256_hex(number.removeprefix("+"))] if number else []
