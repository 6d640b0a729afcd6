"""Meta's Conversions API: `POST /{version}/{dataset_id}/events`, for websites and WhatsApp."""

import hmac
import re
import secrets
import time

from flask import Blueprint, current_app, jsonify, request

from examples.ads_standin import journal

bp = Blueprint("meta", __name__)
VERSION = re.compile(r"^v\d+\.\d+$")
# What Meta accepts with action_source business_messaging; `Lead` and custom names are refused.
MESSAGING_EVENTS = {
    "Purchase", "LeadSubmitted", "QualifiedLead", "InitiateCheckout", "AddToCart", "ViewContent",
    "OrderCreated", "OrderShipped", "OrderDelivered", "OrderCanceled", "OrderReturned",
    "CartAbandoned", "RatingProvided", "ReviewProvided",
}  # fmt: skip
ACTION_SOURCES = {"website", "business_messaging", "app", "chat", "email", "other", "phone_call",
                  "physical_store", "system_generated"}  # fmt: skip
CUSTOMER_KEYS = {"em", "ph", "external_id", "fbc", "fbp", "client_ip_address", "ctwa_clid"}
SEVEN_DAYS = 7 * 86400


class Refused(Exception):
    """A request Meta would answer with an error."""

    def __init__(self, message: str, status: int = 400, code: int = 100, subcode=None):
        super().__init__(message)
        self.status, self.code, self.subcode = status, code, subcode


def error(refused: Refused):
    """Answer with the Graph API's error body."""
    body = {
        "message": str(refused),
        "type": "OAuthException",
        "code": refused.code,
        "fbtrace_id": secrets.token_hex(8),
    }
    if refused.subcode:
        body["error_subcode"] = refused.subcode
    response = jsonify({"error": body})
    response.status_code = refused.status
    return response


@bp.post("/<version>/<dataset_id>/events")
def events(version, dataset_id):
    """Take a batch of server events for one dataset."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        payload = request.form.to_dict()
    try:
        check_token(payload.get("access_token") or request.args.get("access_token"))
        if not VERSION.match(version) or not dataset_id.isdigit():
            raise Refused(f"Unsupported post request. Object with ID '{dataset_id}' does not exist")
        data = payload.get("data")
        if not isinstance(data, list) or not data:
            raise Refused("(#100) The parameter data is required")
        for index, event in enumerate(data):
            check_event(index, event)
    except Refused as refused:
        return error(refused)
    status = journal().fault("meta")
    if status:
        return error(Refused("An unexpected error has occurred. Please retry.", status, 2))
    extra = {"dataset_id": dataset_id, "version": version}
    if payload.get("test_event_code"):
        extra["test_event_code"] = payload["test_event_code"]
    journal().record("meta", data, **extra)
    return jsonify(
        {"events_received": len(data), "messages": [], "fbtrace_id": secrets.token_hex(8)}
    )


def check_token(token) -> None:
    if not token:
        raise Refused("An access token is required to request this resource.", 400, 104)
    expected = current_app.config["META_ACCESS_TOKEN"]
    if not hmac.compare_digest(str(token).encode(), expected.encode()):
        raise Refused("Invalid OAuth access token - Cannot parse access token", 401, 190)


def check_event(index: int, event) -> None:
    """Raise Refused for what Meta's server-event validation refuses."""
    where = f"data[{index}]"
    if not isinstance(event, dict):
        raise Refused(f"(#100) {where} must be an object")
    for key in ("event_name", "event_time", "action_source", "user_data"):
        if not event.get(key):
            raise Refused(f"(#100) The parameter {key} is required in {where}")
    source = event["action_source"]
    if source not in ACTION_SOURCES:
        raise Refused(f"(#100) Invalid action_source {source!r} in {where}")
    if not isinstance(event["event_time"], int) or event["event_time"] < time.time() - SEVEN_DAYS:
        raise Refused(f"(#100) event_time in {where} is more than 7 days in the past", 400, 100)
    user = event["user_data"]
    if source == "business_messaging":
        if event.get("messaging_channel") != "whatsapp":
            raise Refused(f"(#100) messaging_channel is required in {where}")
        for key in ("whatsapp_business_account_id", "ctwa_clid"):
            if not user.get(key):
                raise Refused(f"(#100) user_data.{key} is required in {where}")
        if event["event_name"] not in MESSAGING_EVENTS:
            raise Refused("Messaging Event Invalid Event Type", 400, 100, 2804066)
    if source == "website":
        if not event.get("event_source_url"):
            raise Refused(f"(#100) event_source_url is required for website events in {where}")
        if not CUSTOMER_KEYS & set(user):
            raise Refused(f"(#100) user_data in {where} has no customer information parameter")
    if event["event_name"] == "Purchase":
        custom = event.get("custom_data") or {}
        if "value" not in custom or not custom.get("currency"):
            raise Refused(f"(#100) Purchase in {where} requires custom_data.value and currency")
