"""Turn a Cloud API webhook payload into the user messages it carries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

MEDIA_WITH_CAPTION = ("image", "video", "document")


@dataclass(frozen=True)
class Inbound:
    """One message a WhatsApp user sent, as the bot should see it."""

    wa_id: str
    message_id: str
    text: str
    kind: str
    timestamp: str | None = None
    profile_name: str | None = None
    title: str | None = None
    referral: dict[str, Any] | None = None

    def metadata(self) -> dict[str, Any]:
        """Return what the bot gets under metadata["whatsapp"]."""
        return {
            "wa_id": self.wa_id,
            "message_id": self.message_id,
            "profile_name": self.profile_name,
            "timestamp": self.timestamp,
            "type": self.kind,
            "title": self.title,
            "referral": self.referral,
            "text": self.text,
        }


def parse(payload: Any, phone_number_id: str | None = None) -> list[Inbound]:
    """Return every user message in payload, in order; skip statuses and what has no text."""
    found = []
    for entry in _items(payload, "entry"):
        for change in _items(entry, "changes"):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            to = (value.get("metadata") or {}).get("phone_number_id")
            if phone_number_id and to and str(to) != phone_number_id:
                logger.info("Ignoring messages sent to another number (%s).", to)
                continue
            names = _names(value)
            for message in _items(value, "messages"):
                inbound = _message(message, names)
                if inbound is not None:
                    found.append(inbound)
    return found


def _message(message: Any, names: dict[str, str | None]) -> Inbound | None:
    """Return the Inbound for one entry of `messages`, or None when the bot has nothing to read."""
    if not isinstance(message, dict) or not message.get("from") or not message.get("id"):
        return None
    kind = message.get("type") or "unknown"
    text, title = _text_and_title(kind, message.get(kind))
    if text is None:
        logger.info("Acknowledging a WhatsApp message of type %r without passing it on.", kind)
        return None
    referral = message.get("referral")
    return Inbound(
        wa_id=str(message["from"]),
        message_id=str(message["id"]),
        text=text,
        kind=kind,
        timestamp=message.get("timestamp"),
        profile_name=names.get(str(message["from"])),
        title=title,
        referral=referral if isinstance(referral, dict) else None,
    )


def _names(value: dict[str, Any]) -> dict[str, str | None]:
    """Return the senders' profile names by WhatsApp id, from the change's contacts."""
    names: dict[str, str | None] = {}
    for contact in _items(value, "contacts"):
        if isinstance(contact, dict) and contact.get("wa_id"):
            profile = contact.get("profile")
            name = profile.get("name") if isinstance(profile, dict) else None
            names[str(contact["wa_id"])] = name if isinstance(name, str) else None
    return names


def _text_and_title(kind: str, body: Any) -> tuple[str | None, str | None]:
    """Return the text the bot reads and the title the user saw, for one message kind."""
    if not isinstance(body, dict):
        return None, None
    if kind == "text":
        return body.get("body") or None, None
    if kind == "button":
        return body.get("payload") or body.get("text") or None, body.get("text")
    if kind == "interactive":
        reply = body.get(body.get("type") or "") or {}
        if body.get("type") in ("button_reply", "list_reply") and isinstance(reply, dict):
            return reply.get("id") or reply.get("title") or None, reply.get("title")
        return None, None
    if kind in MEDIA_WITH_CAPTION:
        return body.get("caption") or None, None
    return None, None


def _items(container: Any, key: str) -> list[Any]:
    """Return container[key] when it is a list, else an empty list."""
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, list) else []
