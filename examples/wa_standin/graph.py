"""The business's side: Graph API `POST /{version}/{phone_number_id}/messages`, as Meta answers."""

import hmac
import re
import secrets

from flask import Blueprint, current_app, jsonify, request

from examples.wa_standin import cloud_api, webhook

bp = Blueprint("graph", __name__)
VERSION = re.compile(r"^v\d+\.\d+$")
# What Meta reports back for each message the business sends, in this order.
STATUSES = ("sent", "delivered")


def graph_error(status: int, code: int, message: str, kind: str = "OAuthException"):
    """Answer with the error body the Graph API uses."""
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": secrets.token_hex(8)}
    response = jsonify({"error": error})
    response.status_code = status
    return response


@bp.post("/<version>/<phone_number_id>/messages")
def messages(version, phone_number_id):
    """Take a message from the business to a visitor and show it in that visitor's chat."""
    config = current_app.config
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(presented.encode(), config["ACCESS_TOKEN"].encode()):
        return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    if not VERSION.match(version) or phone_number_id != config["PHONE_NUMBER_ID"]:
        message = f"Unsupported post request. Object with ID '{phone_number_id}' does not exist"
        return graph_error(400, 100, message, "GraphMethodException")
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        return graph_error(400, 100, "(#100) The parameter messaging_product is required.")
    if payload.get("status") == "read":
        return jsonify({"success": True})
    to = str(payload.get("to") or "").removeprefix("+")
    if not to.isdigit():
        return graph_error(400, 100, "(#100) The parameter to is required.")
    try:
        content = cloud_api.outbound_content(payload)
    except cloud_api.InvalidMessage as error:
        return graph_error(400, 131009, f"(#131009) Parameter value is not valid: {error}")
    message_id = accept(to, content)
    return jsonify(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": payload["to"], "wa_id": to}],
            "messages": [{"id": message_id}],
        }
    )


def accept(to: str, content: dict) -> str:
    """Show the business's message in the visitor's chat, report its statuses; return its id."""
    message_id = cloud_api.new_message_id()
    current_app.extensions["chats"].add(to, "business", message_id, content, "delivered")
    business = webhook.business()
    statuses = [cloud_api.status_payload(business, message_id, to, s) for s in STATUSES]
    webhook.post_in_background(statuses)
    return message_id
