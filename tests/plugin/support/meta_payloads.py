"""Cloud API webhook payloads in the shapes Meta documents, and a signed sender for them."""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests

from plugin.whatsapp.signature import sign

PHONE_NUMBER_ID = "1098765432"


def message(kind: str, content: dict[str, Any] | None, wa_id: str, **extra: Any) -> dict:
    """Return one entry of `messages` of the given type."""
    body = {"from": wa_id, "id": extra.pop("id", f"wamid.{uuid.uuid4().hex}")}
    body.update({"timestamp": "1732800000", "type": kind, **extra})
    if content is not None:
        body[kind] = content
    return body


def text(body: str, wa_id: str = "15550001111", **extra: Any) -> dict:
    """Return a text message."""
    return message("text", {"body": body}, wa_id, **extra)


def ad_referral(ctwa_clid: str) -> dict[str, str]:
    """Return the `referral` of a message sent from a click-to-WhatsApp ad, as Meta sends it."""
    return {
        "source_url": "https://fb.me/3cr4Wqqkk",
        "source_id": "120212345678900",
        "source_type": "ad",
        "headline": "Winter sale",
        "body": "Ask us on WhatsApp",
        "media_type": "image",
        "image_url": "https://scontent.example/ad.jpg",
        "ctwa_clid": ctwa_clid,
    }


def username_message(
    kind: str, content: dict[str, Any] | None, user_id: str, phone: str | None = None, **extra: Any
) -> dict:
    """Return a message from a username user as Meta's BSUID page shows it: no `from` unless
    the business and the user exchanged messages lately (then phone is given)."""
    body = message(kind, content, phone or "", **extra)
    if phone is None:
        del body["from"]
    return {"from_user_id": user_id, **body}


def _contact(sent: dict, name: str) -> dict:
    """Return the contacts entry Meta sends beside one message."""
    contact: dict[str, Any] = {"profile": {"name": name}}
    if sent.get("from"):
        contact["wa_id"] = sent["from"]
    if sent.get("from_user_id"):
        contact["user_id"] = sent["from_user_id"]
        contact["profile"]["username"] = "@kerry"
    return contact


def value(messages: list[dict], name: str = "Kerry", statuses: list | None = None) -> dict:
    """Return the `value` of one change, with contacts for every sender."""
    result: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15551234567", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        senders = {(m.get("from_user_id"), m.get("from")): m for m in messages}
        result["contacts"] = [_contact(m, name) for m in senders.values()]
        result["messages"] = messages
    if statuses:
        result["statuses"] = statuses
    return result


def payload(*values: dict, entries: int = 1) -> dict:
    """Return a whole webhook body: each value as one change, repeated over entries."""
    changes = [{"field": "messages", "value": v} for v in values]
    entry = [{"id": f"WABA{n}", "changes": changes} for n in range(entries)]
    return {"object": "whatsapp_business_account", "entry": entry}


def status(message_id: str = "wamid.sent", state: str = "delivered") -> dict:
    """Return a status update of a message the business sent."""
    return {"id": message_id, "status": state, "timestamp": "1732800001", "recipient_id": "1555"}


def post(url: str, body: Any, secret: str, signature: str | None = None) -> requests.Response:
    """POST body to the webhook as Meta does, signed with secret unless signature is given."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    headers["X-Hub-Signature-256"] = signature if signature is not None else sign(raw, secret)
    return requests.post(url, data=raw, headers=headers, timeout=10)
