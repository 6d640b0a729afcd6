"""GA4 through the Measurement Protocol: the visitor's `_ga` client id, backdated events."""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from widget_server.conversions.facts import Facts, ga_client_id
from widget_server.conversions.kinds import Kind, Request, Skip, allowed

API = "https://www.google-analytics.com"
# GA4 takes timestamp_micros up to 72 hours in the past.
MAX_AGE = timedelta(hours=72)
CONSENT = {"granted": "GRANTED", "denied": "DENIED"}


def build(
    options: dict[str, Any],
    secrets: dict[str, Any],
    facts: Facts,
    event_name: str,
    now: datetime,
) -> Request | Skip:
    """Build the `/mp/collect` request, or Skip without a client id or past 72 hours."""
    client_id = ga_client_id(facts.browser_ids.get("ga")) if allowed(options, facts) else None
    if not client_id:
        return Skip("no GA4 client id (no _ga cookie, consent denied or identifiers off)")
    if now - facts.event_time > MAX_AGE:
        return Skip("older than 72 hours (GA4 backdates events at most 72 hours)")
    params: dict = {"transaction_id": facts.event_id, "engagement_time_msec": 1}
    if facts.value is not None and facts.currency:
        params.update(value=facts.value, currency=facts.currency)
    body: dict = {
        "client_id": client_id,
        "timestamp_micros": int(facts.event_time.timestamp() * 1_000_000),
        "events": [{"name": event_name, "params": params}],
    }
    if facts.consent in CONSENT:
        status = CONSENT[facts.consent]
        body["consent"] = {"ad_user_data": status, "ad_personalization": status}
    base = f"{options['api_base'].rstrip('/')}/mp/collect"
    query = {"measurement_id": options["measurement_id"], "api_secret": secrets["api_secret"]}
    redacted = f"{base}?measurement_id={options['measurement_id']}&api_secret=***"
    return Request(f"{base}?{urlencode(query)}", body, redacted)


KIND = Kind(
    name="ga4",
    api_base=API,
    events={"correlated": "generate_lead", "qualified": "qualify_lead", "won": "purchase"},
    options=("measurement_id",),
    secrets=("api_secret",),
    build=build,
)
