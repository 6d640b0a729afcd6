"""The plugin's endpoint: report that a WhatsApp message carried a correlation ID."""

import re
from typing import Any

from flask import Response, g

import profile_name as profile_names
from widget_server.api import auth, body, correlation_throttle
from widget_server.api.references import checked
from widget_server.errors import ApiError, envelope
from widget_server.sessions import correlation

FIELDS = {"correlation_id", "whatsapp_id", "whatsapp_phone", "message_id", "profile_name"}
PHONE = re.compile(r"[0-9]{1,32}")
# A business-scoped user id (BSUID): country code, period, ENT. for a parent id, up to 128 more.
BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
WHATSAPP_ID_LENGTH = 135


def whatsapp_user(fields: dict[str, Any]) -> tuple[str, str | None]:
    """Return (whatsapp_id, whatsapp_phone): a phone number or a BSUID, and the phone if given."""
    whatsapp_id = body.required_text(fields, "whatsapp_id", WHATSAPP_ID_LENGTH)
    if not (PHONE.fullmatch(whatsapp_id) or BSUID.fullmatch(whatsapp_id)):
        raise ApiError(
            400,
            "whatsapp_id must be 1 to 32 digits or a business-scoped user id"
            " such as US.13491208655302741918",
        )
    phone = body.optional_text(fields, "whatsapp_phone", 32)
    if phone is not None and not PHONE.fullmatch(phone):
        raise ApiError(400, "whatsapp_phone must be 1 to 32 digits")
    return whatsapp_id, phone


@auth.require_scope("correlations:write")
def correlate() -> Response:
    """Link the session named by correlation_id to a WhatsApp conversation."""
    fields = body.json_object(FIELDS)
    # Keyboards capitalise differently; the lookup below is case-insensitive too.
    reference = checked(body.required_text(fields, "correlation_id", 9), retyped=True)
    whatsapp_id, phone = whatsapp_user(fields)
    message_id = body.required_text(fields, "message_id", 200)
    name = body.optional_text(fields, "profile_name", profile_names.MAX_LENGTH)
    correlation_throttle.admit(whatsapp_id)
    try:
        row = correlation.correlate(g.site.id, reference, whatsapp_id, message_id, name, phone)
    except ApiError as error:
        if error.status == 404:
            correlation_throttle.missed()
        raise
    return envelope(200, "ok", row.to_row())
