"""The WhatsApp Cloud API formats: inbound webhook payloads, their signature, outbound messages."""

import base64
import hashlib
import hmac
import secrets
import time


def new_message_id() -> str:
    """Draw a message id shaped like Meta's `wamid.` ids."""
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11" + secrets.token_bytes(26)).decode()


def sign(body: bytes, app_secret: str) -> str:
    """Return the `X-Hub-Signature-256` header value Meta sends for body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(business: dict, **value) -> dict:
    """Wrap a change value (messages or statuses) in the envelope Meta posts to the business."""
    metadata = {
        "display_phone_number": business["display_phone_number"],
        "phone_number_id": business["phone_number_id"],
    }
    change = {"value": {"messaging_product": "whatsapp", "metadata": metadata, **value}}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": business["account_id"], "changes": [{**change, "field": "messages"}]}],
    }


def inbound_payload(business: dict, visitor: dict, message: dict) -> dict:
    """Build the webhook of one message a visitor sent."""
    contacts = [{"profile": {"name": visitor["name"]}, "wa_id": visitor["wa_id"]}]
    return webhook_payload(business, contacts=contacts, messages=[message])


def status_payload(business: dict, message_id: str, recipient: str, status: str) -> dict:
    """Build the webhook telling the business a message it sent was sent, delivered or read."""
    update = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
        "conversation": {"id": secrets.token_hex(16), "origin": {"type": "service"}},
        "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
    }
    return webhook_payload(business, statuses=[update])


def text_message(wa_id: str, body: str) -> dict:
    """Build an inbound text message as it appears in `messages[]`."""
    return {**_header(wa_id), "type": "text", "text": {"body": body}}


def reply_message(wa_id: str, kind: str, choice: dict, context_id: str) -> dict:
    """Build the inbound message of a tapped button (`button_reply`) or list row (`list_reply`).

    choice is the tapped button or row: id, title and, for rows, maybe a description.
    """
    return {
        **_header(wa_id),
        "context": {"from": wa_id, "id": context_id},
        "type": "interactive",
        "interactive": {"type": kind, kind: dict(choice)},
    }


def _header(wa_id: str) -> dict:
    return {"from": wa_id, "id": new_message_id(), "timestamp": str(int(time.time()))}


class InvalidMessage(ValueError):
    """An outbound Graph API message the real API would reject."""


def outbound_content(payload: dict) -> dict:
    """Check a Graph API `/messages` body and return what the chat shows: text, buttons, list."""
    kind = payload.get("type", "text")
    if kind == "text":
        body = (payload.get("text") or {}).get("body")
        if not isinstance(body, str) or not body.strip():
            raise InvalidMessage("text.body is required for a text message")
        return {"type": "text", "text": body}
    if kind == "image":
        link = (payload.get("image") or {}).get("link") or (payload.get("image") or {}).get("id")
        if not link:
            raise InvalidMessage("image.link or image.id is required for an image message")
        return {"type": "image", "text": f"[image] {link}"}
    if kind != "interactive":
        raise InvalidMessage(f"message type {kind!r} is not supported by this stand-in")
    interactive = payload.get("interactive") or {}
    body = (interactive.get("body") or {}).get("text")
    if not isinstance(body, str) or not body.strip():
        raise InvalidMessage("interactive.body.text is required")
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        buttons = [b.get("reply") or {} for b in action.get("buttons") or []]
        if not 1 <= len(buttons) <= 3 or not all(b.get("id") and b.get("title") for b in buttons):
            raise InvalidMessage("interactive buttons need 1 to 3 replies, each with id and title")
        if any(len(b["title"]) > 20 for b in buttons):
            raise InvalidMessage("a button title is at most 20 characters")
        choices = [{"id": b["id"], "title": b["title"]} for b in buttons]
        return {"type": "button", "text": body, "choices": choices}
    if interactive.get("type") == "list":
        rows = [
            row for section in action.get("sections") or [] for row in section.get("rows") or []
        ]
        if not action.get("button") or not 1 <= len(rows) <= 10:
            raise InvalidMessage("an interactive list needs action.button and 1 to 10 rows")
        if not all(row.get("id") and row.get("title") for row in rows):
            raise InvalidMessage("every list row needs an id and a title")
        keep = ("id", "title", "description")
        choices = [{key: row[key] for key in keep if row.get(key)} for row in rows]
        return {"type": "list", "text": body, "button": action["button"], "choices": choices}
    raise InvalidMessage(f"interactive type {interactive.get('type')!r} is not supported")
