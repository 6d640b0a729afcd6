"""Turn a Cloud API webhook payload into the user messages it carries, every kind in one form.

What the bot reads as the message text:
- the user's own words when the message has some: a text's body, a button's payload, the id of
  a reply button or list row, a medium's caption, the new words of an edit;
- otherwise `/whatsapp_<kind>`, an intent a rule can match: `/whatsapp_location`,
  `/whatsapp_audio` (voice notes too), `/whatsapp_image`, `/whatsapp_contacts`,
  `/whatsapp_order`, `/whatsapp_reaction`, `/whatsapp_nfm_reply` (a Flows reply), ...

Either way metadata["whatsapp"]["content"] holds Meta's object for the kind as sent (coordinates,
contact cards, media id and mime type, order items, the Flows response decoded, the reacted
message id, the edit's original_message_id), and "referral" the click-to-WhatsApp ad it came from.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import profile_name

logger = logging.getLogger(__name__)

# The ids of Meta's `referral` the widget server keeps (it refuses the ad's texts).
AD_IDS = ("ctwa_clid", "source_id", "source_type", "source_url")
CAPTIONED = ("image", "video", "document")
# Meta's message types are snake_case words; anything else is named "unknown" in the intent.
KIND = re.compile(r"[a-z][a-z_]{0,31}")
MAX_ID = 256


@dataclass(frozen=True)
class Inbound:
    """One message a WhatsApp user sent, as the bot should see it."""

    sender_id: str  # the tracker's: the BSUID when Meta sends one, else the phone number
    message_id: str
    text: str
    kind: str
    user_id: str | None = None  # business-scoped user id (BSUID)
    wa_id: str | None = None  # phone number, when Meta includes it
    parent_user_id: str | None = None
    username: str | None = None
    profile_name: str | None = None
    timestamp: str | None = None
    title: str | None = None
    referral: dict[str, Any] | None = None
    content: Any = None
    context: dict[str, Any] | None = field(default=None)

    def metadata(self) -> dict[str, Any]:
        """Return what the bot gets under metadata["whatsapp"]."""
        return {
            "user_id": self.user_id,
            "wa_id": self.wa_id,
            "parent_user_id": self.parent_user_id,
            "username": self.username,
            "message_id": self.message_id,
            "profile_name": self.profile_name,
            "timestamp": self.timestamp,
            "type": self.kind,
            "title": self.title,
            "content": self.content,
            "context": self.context,
            "referral": self.referral,
            "text": self.text,
        }


def ad_referral(referral: dict[str, Any] | None) -> dict[str, str] | None:
    """Return the ids of a click-to-WhatsApp ad's referral, or None when it has no ctwa_clid."""
    if not isinstance(referral, dict) or not _text(referral.get("ctwa_clid")):
        return None
    ids = {name: value.strip() for name in AD_IDS if (value := _text(referral.get(name)))}
    if not ids.get("source_url", "https://").startswith(("https://", "http://")):
        del ids["source_url"]  # not a web address: the row keeps the click id without it
    return ids


def parse(payload: Any, phone_number_id: str | None = None) -> list[Inbound]:
    """Return every user message in payload, in order; never raise, whatever the shape."""
    found = []
    for entry in _items(payload, "entry"):
        for change in _items(entry, "changes"):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            to = _text(_get(value.get("metadata"), "phone_number_id"))
            if phone_number_id and to and to != phone_number_id:
                logger.warning("Not passing on messages sent to another number (%s).", to)
                continue
            people = _people(value)
            for message in _items(value, "messages"):
                inbound = _message(message, people)
                if inbound is not None:
                    found.append(inbound)
    return found


def _message(message: Any, people: dict[str, dict[str, str | None]]) -> Inbound | None:
    """Return the Inbound for one entry of `messages`, or None (logged) when it has no sender."""
    kind = _text(_get(message, "type")) or "unknown"
    message_id = _id(_get(message, "id"))
    user_id, wa_id = _id(_get(message, "from_user_id")), _id(_get(message, "from"))
    person = people.get(user_id or "") or people.get(wa_id or "") or {}
    user_id, wa_id = user_id or person.get("user_id"), wa_id or person.get("wa_id")
    # The BSUID is in every message Meta sends since 2026, the phone number only sometimes:
    # keying the tracker by the BSUID keeps one conversation when the phone appears or goes.
    sender = user_id or wa_id
    if not isinstance(message, dict) or not message_id or not sender:
        logger.warning(
            "Not passing on a WhatsApp message of kind %r without a sender or an id (%s).",
            kind,
            message_id or "no id",
        )
        return None
    content = message.get(kind)
    text, title = _read(kind, content)
    referral, context = message.get("referral"), message.get("context")
    return Inbound(
        sender_id=sender,
        message_id=message_id,
        text=text,
        kind=kind,
        user_id=user_id,
        wa_id=wa_id,
        parent_user_id=_id(message.get("from_parent_user_id")) or person.get("parent_user_id"),
        username=person.get("username"),
        profile_name=person.get("name"),
        timestamp=_text(message.get("timestamp")),
        title=title,
        referral=referral if isinstance(referral, dict) else None,
        content=_decoded(kind, content),
        context=context if isinstance(context, dict) else None,
    )


def _read(kind: str, content: Any) -> tuple[str, str | None]:
    """Return the text the bot reads and the title the user saw, for one message kind."""
    words, title = _words(kind, content)
    if words is not None:
        return words, title
    if kind == "edit":
        inner = _get(content, "message")
        words, title = _words(_text(_get(inner, "type")) or "", _get(inner, _get(inner, "type")))
        if words is not None:
            return words, title
    if kind == "interactive":
        sub = _text(_get(content, "type"))
        return _intent(sub if sub and KIND.fullmatch(sub) else kind), title
    return _intent(kind), title


def _words(kind: str, content: Any) -> tuple[str | None, str | None]:
    """Return the user's own words in a message of this kind, and the title they saw, if any."""
    if kind == "text":
        return _text(_get(content, "body")), None
    if kind == "button":
        label = _text(_get(content, "text"))
        return _text(_get(content, "payload")) or label, label
    if kind == "interactive":
        reply = _get(content, _get(content, "type"))
        if _get(content, "type") in ("button_reply", "list_reply"):
            label = _text(_get(reply, "title"))
            return _text(_get(reply, "id")) or label, label
        return None, None
    if kind in CAPTIONED:
        return _text(_get(content, "caption")), None
    return None, None


def _intent(kind: str) -> str:
    """Return the intent-style text of a message without words of its own."""
    return "/whatsapp_" + (kind if KIND.fullmatch(kind) else "unknown")


def _decoded(kind: str, content: Any) -> Any:
    """Return content as the bot gets it: a Flows reply's response_json decoded, else as sent."""
    reply = _get(content, "nfm_reply")
    if kind != "interactive" or not isinstance(reply, dict):
        return content
    raw = reply.get("response_json")
    try:
        response = json.loads(raw) if isinstance(raw, str) else raw
    except (ValueError, RecursionError):
        response = None
    return {**content, "nfm_reply": {**reply, "response": response}}


def _people(value: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    """Return what the change's contacts say about each sender, by BSUID and by phone number."""
    people: dict[str, dict[str, str | None]] = {}
    for contact in _items(value, "contacts"):
        profile = _get(contact, "profile")
        person = {
            "user_id": _id(_get(contact, "user_id")),
            "wa_id": _id(_get(contact, "wa_id")),
            "parent_user_id": _id(_get(contact, "parent_user_id")),
            "username": _text(_get(profile, "username")) or _text(_get(contact, "username")),
            "name": profile_name.clean(_get(profile, "name")),
        }
        for key in (person["user_id"], person["wa_id"]):
            if key:
                people[key] = person
    return people


def _get(container: Any, key: Any) -> Any:
    """Return container[key] when container is an object and key a string, else None."""
    return container.get(key) if isinstance(container, dict) and isinstance(key, str) else None


def _text(value: Any) -> str | None:
    """Return value when it is a non-blank string, else None."""
    return value if isinstance(value, str) and not profile_name.is_blank(value) else None


def _id(value: Any) -> str | None:
    """Return an identifier Meta sent as a string (or, in old payloads, a number), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    text = _text(value)
    return text.strip() if text and len(text) <= MAX_ID else None


def _items(container: Any, key: str) -> list[Any]:
    """Return container[key] when it is a list, else an empty list."""
    value = _get(container, key)
    return value if isinstance(value, list) else []
