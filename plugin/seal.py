"""Seal what the WhatsApp channel learned about a message, so the action server can trust it.

Rasa hands the action server whatever metadata a channel attached, and Rasa's REST channel lets
any client attach any metadata (and name any input channel). So the channel signs the reference
and the web session with a key it shares with the action server (HMAC-SHA256 over the sender,
the message id and both values), and the action believes only what carries a good seal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

FIELD = "wa_handoff_seal"
VERSION = "v1="


def seal(key: str, sender_id: str, message_id: str, metadata: Mapping[str, Any]) -> str:
    """Return the seal of metadata's correlation_id and web_session for one message."""
    sealed = [sender_id, message_id, metadata.get("correlation_id"), metadata.get("web_session")]
    body = json.dumps(sealed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return VERSION + hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def is_sealed(key: str, sender_id: str, message_id: object, metadata: Mapping[str, Any]) -> bool:
    """Tell whether metadata carries the right seal for this sender and message."""
    given = metadata.get(FIELD)
    if not key or not isinstance(given, str) or not isinstance(message_id, str):
        return False
    return hmac.compare_digest(given.encode(), seal(key, sender_id, message_id, metadata).encode())
