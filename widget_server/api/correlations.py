"""The plugin's endpoint: report that a WhatsApp message carried a correlation ID."""

import re

from flask import Response, g

from widget_server.api import auth, body
from widget_server.api.references import checked
from widget_server.errors import ApiError, envelope
from widget_server.sessions import correlation

FIELDS = {"correlation_id", "whatsapp_id", "message_id", "profile_name"}
WHATSAPP_ID = re.compile(r"[0-9]{1,32}")


@auth.require_scope("correlations:write")
def correlate() -> Response:
    """Link the session named by correlation_id to a WhatsApp conversation."""
    fields = body.json_object(FIELDS)
    # Keyboards capitalise differently; the lookup below is case-insensitive too.
    reference = checked(body.required_text(fields, "correlation_id", 9), retyped=True)
    whatsapp_id = body.required_text(fields, "whatsapp_id", 32)
    if not WHATSAPP_ID.fullmatch(whatsapp_id):
        raise ApiError(400, "whatsapp_id must be 1 to 32 digits")
    message_id = body.required_text(fields, "message_id", 200)
    profile_name = body.optional_text(fields, "profile_name", 200)
    row = correlation.correlate(g.site.id, reference, whatsapp_id, message_id, profile_name)
    return envelope(200, "ok", row.to_row())
