"""The plugin's endpoint: report that a WhatsApp message carried a correlation ID."""

import re

from flask import Blueprint, g

import correlation_id
from widget_server.api import auth, body
from widget_server.correlate import correlate
from widget_server.errors import ApiError, envelope

bp = Blueprint("correlations", __name__, url_prefix="/integrations/external")
bp.register_error_handler(auth.AuthError, auth.render)

FIELDS = {"correlation_id", "whatsapp_id", "message_id", "profile_name"}
WHATSAPP_ID = re.compile(r"[0-9]{1,32}")


@bp.post("/correlations")
@auth.require_scope("correlations:write")
def create():
    """Link the session named by correlation_id to a WhatsApp conversation."""
    fields = body.json_object(FIELDS)
    reference = body.text_field(fields, "correlation_id", 9)
    # Keyboards capitalise differently; the lookup below is case-insensitive too.
    if not correlation_id.is_valid(reference[:1].upper() + reference[1:]):
        raise ApiError(400, "correlation_id must be O- followed by 7 letters or digits")
    whatsapp_id = body.text_field(fields, "whatsapp_id", 32)
    if not WHATSAPP_ID.fullmatch(whatsapp_id):
        raise ApiError(400, "whatsapp_id must be 1 to 32 digits")
    message_id = body.text_field(fields, "message_id", 200)
    profile_name = body.text_field(fields, "profile_name", 200, required=False)
    row = correlate(g.site.id, reference, whatsapp_id, message_id, profile_name)
    return envelope(200, "ok", row.to_row())
