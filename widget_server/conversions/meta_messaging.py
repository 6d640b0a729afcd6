"""Meta's Conversions API for Business Messaging: conversations from click-to-WhatsApp ads."""

from datetime import datetime, timedelta
from typing import Any

from widget_server.conversions import meta
from widget_server.conversions.facts import Facts
from widget_server.conversions.kinds import Kind, Request, Skip, allowed

# Meta attributes business messaging events to an ad click for 7 days.
WINDOW = timedelta(days=7)


def build(
    options: dict[str, Any],
    secrets: dict[str, Any],
    facts: Facts,
    event_name: str,
    now: datetime,
) -> Request | Skip:
    """Build the business messaging event, or Skip when Meta would not attribute it."""
    ctwa_clid = facts.params.get("ctwa_clid")
    if not ctwa_clid:
        return Skip("not from a click-to-WhatsApp ad (no ctwa_clid)")
    if facts.event_time - facts.clicked_at > WINDOW:
        return Skip("more than 7 days after the ad click (Meta's business messaging window)")
    custom = meta.custom_data(facts, event_name)
    if isinstance(custom, Skip):
        return custom
    user = {"whatsapp_business_account_id": options["waba_id"], "ctwa_clid": ctwa_clid}
    if allowed(options, facts) and (phones := meta.hashed_phone(options, facts)):
        user["ph"] = phones
    event = meta.event(
        event_name,
        facts,
        user,
        custom,
        action_source="business_messaging",
        messaging_channel="whatsapp",
    )
    return meta.request(options, secrets, event)


KIND = Kind(
    name="meta_messaging",
    api_base=meta.GRAPH,
    events={"correlated": "LeadSubmitted", "qualified": "QualifiedLead", "won": "Purchase"},
    options=("dataset_id", "waba_id"),
    secrets=("access_token",),
    build=build,
)
