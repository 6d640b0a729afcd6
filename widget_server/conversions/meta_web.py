"""Meta's Conversions API for website visitors: `_fbc`, `_fbp`, the click URL."""

from datetime import datetime, timedelta
from typing import Any

from widget_server.conversions import meta
from widget_server.conversions.facts import Facts, fbc
from widget_server.conversions.kinds import Kind, Request, Skip, allowed

# Meta refuses website events whose event_time is more than 7 days old.
MAX_AGE = timedelta(days=7)


def build(
    options: dict[str, Any],
    secrets: dict[str, Any],
    facts: Facts,
    event_name: str,
    now: datetime,
) -> Request | Skip:
    """Build the website event, or Skip when nothing may identify the visitor."""
    if facts.params.get("ctwa_clid"):
        return Skip("a click-to-WhatsApp conversation: meta_messaging reports it")
    if now - facts.event_time > MAX_AGE:
        return Skip("older than 7 days (Meta's limit for event_time)")
    if not facts.click_url:
        return Skip("no click URL for event_source_url")
    custom = meta.custom_data(facts, event_name)
    if isinstance(custom, Skip):
        return custom
    user: dict = {}
    if allowed(options, facts):
        candidates = {
            "fbc": fbc(facts),
            "fbp": facts.browser_ids.get("fbp"),
            "client_ip_address": facts.ip_address,
            "client_user_agent": facts.user_agent,
            "ph": meta.hashed_phone(options, facts),
        }
        user = {key: value for key, value in candidates.items() if value}
    if not user:
        return Skip("no identifier may be sent (consent denied or identifiers off)")
    event = meta.event(
        event_name, facts, user, custom, action_source="website", event_source_url=facts.click_url
    )
    return meta.request(options, secrets, event)


KIND = Kind(
    name="meta_web",
    api_base=meta.GRAPH,
    events={"correlated": "Lead", "qualified": "QualifiedLead", "won": "Purchase"},
    options=("dataset_id",),
    secrets=("access_token",),
    build=build,
)
