"""What the server holds about a visitor: every column of every table, classified.

tests/server/privacy/test_inventory.py fails when a table or a session column is added without
being classified here, so that erasure, export and the README's table stay complete.
"""

from widget_server.models import WebSession

# Every column of the session: the visitor's data, or the server's own bookkeeping. The whole row
# is exported and deleted on erasure; this list says which columns are about the person.
SESSION_COLUMNS = {
    "id": "bookkeeping",
    "site_id": "bookkeeping",
    "correlation_id": "personal",  # a pseudonym: the site's systems link it to the person
    "device_id": "personal",
    "created_at": "personal",
    "last_click_at": "personal",
    "click_count": "personal",
    "click_url": "personal",
    "referrer": "personal",
    "parsed_params": "personal",
    "ip_address": "personal",
    "user_agent": "personal",
    "correlated_at": "personal",
    "whatsapp_id": "personal",
    "whatsapp_phone": "personal",
    "profile_name": "personal",
    "message_id": "personal",
    "lead_type": "personal",
    "consent": "personal",
    "fbp": "personal",
    "fbc": "personal",
    "ga": "personal",
    "lead_value": "personal",
    "lead_currency": "personal",
    # Cut from the page URL, referrer and UTM parameters by the database, for the overview's counts.
    "utm_source": "personal",
    "utm_medium": "personal",
    "utm_campaign": "personal",
    "landing": "personal",
    "referrer_netloc": "personal",
}
# The columns a request may name a person by, as the API and the CLI call them.
IDENTITIES = {
    "correlation_id": (WebSession.correlation_id,),
    "device_id": (WebSession.device_id,),
    # The user id (a BSUID, or the phone) or the phone: a person is asked for by either.
    "whatsapp_id": (WebSession.whatsapp_id, WebSession.whatsapp_phone),
}
# Values that single out the person in outbox bodies: there a body mentioning one is redacted.
# The IP address is not among them: another visitor may share it, and every body that holds
# an erased session's address also names its correlation ID.
MENTIONS = ("correlation_id", "device_id", "whatsapp_id", "whatsapp_phone")
# Every table, and what erasure does with it.
TABLES = {
    "web_session": "the person's sessions: deleted",
    "webhook_event": "outbox bodies: those mentioning the person are redacted",
    "webhook_delivery": "delivery log: marked erased, never sent again, last error cleared",
    "site": "site settings: nothing about visitors",
    "api_key": "key hashes and scopes: nothing about visitors",
    "webhook_endpoint": "receiver URLs and secrets: nothing about visitors",
    "conversion_delivery": "conversions queue: unsent ones never sent, last error cleared",
    "conversion_destination": "ad platform accounts of the site: nothing about visitors",
    "periodic_run": "when retention last ran: nothing about visitors",
    "correlation_conflict": "refused second senders: deleted with the session or the sender",
    "write_probe": "when the readiness check last wrote: nothing about visitors",
    "funnel_day": "a day's device count as a HyperLogLog sketch: hashes, no id to erase",
    "funnel_cell": "a day's counts per campaign, page and referrer: no person in them",
    "dashboard_user": "site owners' accounts (email, password hash): not visitors",
    "site_member": "which account sees which site: not visitors",
}
