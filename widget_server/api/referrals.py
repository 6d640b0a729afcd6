"""The plugin's endpoint for click-to-WhatsApp ads: a first message that carries a `referral`."""

from flask import Response, g

from widget_server.api import auth, body
from widget_server.api.correlations import whatsapp_user
from widget_server.errors import ApiError, envelope
from widget_server.sessions.ad_referrals import record_referral

FIELDS = {"whatsapp_id", "whatsapp_phone", "message_id", "profile_name", "referral"}
# Meta's referral fields the row may keep, with their longest accepted length.
REFERRAL_FIELDS = {"ctwa_clid": 512, "source_id": 200, "source_type": 32, "source_url": 2048}


@auth.require_scope("correlations:write")
def record() -> Response:
    """Record a conversation started from an ad as a correlated row of its own."""
    fields = body.json_object(FIELDS)
    whatsapp_id, phone = whatsapp_user(fields)
    message_id = body.required_text(fields, "message_id", 200)
    profile_name = body.optional_text(fields, "profile_name", 200)
    referral = fields.get("referral")
    if not isinstance(referral, dict):
        raise ApiError(400, "referral is required (an object with ctwa_clid)")
    # The plugin passes on only the ids an ad platform attributes with, not the ad's texts.
    unknown = sorted(set(referral) - set(REFERRAL_FIELDS))
    if unknown:
        allowed = ", ".join(sorted(REFERRAL_FIELDS))
        raise ApiError(400, f"unknown field 'referral.{unknown[0]}'; allowed fields: {allowed}")
    named = {f"referral.{key}": value for key, value in referral.items()}
    kept = {
        name: (body.required_text if name == "ctwa_clid" else body.optional_text)(
            named, f"referral.{name}", limit
        )
        for name, limit in REFERRAL_FIELDS.items()
    }
    url = kept["source_url"]
    if url is not None and not url.startswith(("https://", "http://")):
        raise ApiError(400, "referral.source_url must be an http(s) URL")
    row = record_referral(g.site.id, whatsapp_id, message_id, profile_name, kept, phone)
    return envelope(200, "ok", row.to_row())
