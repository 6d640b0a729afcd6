"""Send the bot's replies to WhatsApp: text, reply buttons or a list, images, custom JSON."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.core.channels.channel import OutputChannel

from plugin.whatsapp.graph import GraphClient, GraphError

logger = logging.getLogger(__name__)

# WhatsApp's limits for interactive messages.
MAX_BUTTONS = 3
MAX_ROWS = 10
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
BODY_TEXT = 1024
TEXT = 4096
# A business-scoped user id: country code, period, optional ENT. (a parent id), letters, digits.
BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")


class WhatsAppOutput(OutputChannel):
    """Post the bot's messages to the Cloud API for one phone number."""

    @classmethod
    def name(cls) -> str:
        """Name the channel as Rasa knows it."""
        return "whatsapp"

    def __init__(
        self, graph: GraphClient, list_button: str = "Choose", address: str | None = None
    ) -> None:
        self.graph = graph
        self.list_button = list_button
        # The id Meta knows the user by now, when the tracker is keyed by an earlier one.
        self.address = address

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a plain text message."""
        await self._send(recipient_id, "text", {"body": text[:TEXT], "preview_url": False})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image by its public URL."""
        await self._send(recipient_id, "image", {"link": image})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send up to 3 reply buttons, or a list message of up to 10 rows."""
        if len(buttons) > MAX_ROWS:
            logger.warning("WhatsApp lists hold %d rows; dropping %d.", MAX_ROWS, len(buttons) - 10)
        await self._send(recipient_id, "interactive", interactive(text, buttons, self.list_button))

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Send a Cloud API message body as given, adding messaging_product and to."""
        body = {"messaging_product": "whatsapp", **self.addressed(recipient_id), **json_message}
        await self._post(body)

    def addressed(self, recipient_id: str) -> dict[str, str]:
        """Address a message as Meta documents: `recipient` for a BSUID, `to` for a phone number."""
        user = self.address or recipient_id
        return {"recipient": user} if BSUID.fullmatch(user) else {"to": user}

    async def _send(self, recipient_id: str, kind: str, content: dict[str, Any]) -> None:
        """Send one message of the given type."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual"}
        await self._post({**body, **self.addressed(recipient_id), "type": kind, kind: content})

    async def _post(self, body: dict[str, Any]) -> None:
        """Post body; a failure is logged, so one lost reply never loses the user's turn."""
        try:
            await self.graph.send(body)
        except GraphError as exc:
            user = body.get("to") or body.get("recipient")
            logger.error("WhatsApp message to %s not sent: %s", user, exc)


def interactive(text: str, buttons: list[dict[str, Any]], list_button: str) -> dict[str, Any]:
    """Return the interactive object for Rasa buttons: reply buttons up to 3, else a list."""
    body = {"text": text[:BODY_TEXT] or " "}
    choices = [(str(b.get("payload") or b["title"]), str(b["title"])) for b in buttons]
    if len(choices) <= MAX_BUTTONS:
        replies = [
            {"type": "reply", "reply": {"id": pid[:256], "title": title[:BUTTON_TITLE]}}
            for pid, title in choices
        ]
        return {"type": "button", "body": body, "action": {"buttons": replies}}
    rows = [_row(pid, title) for pid, title in choices[:MAX_ROWS]]
    action = {"button": list_button[:BUTTON_TITLE], "sections": [{"rows": rows}]}
    return {"type": "list", "body": body, "action": action}


def _row(payload: str, title: str) -> dict[str, str]:
    """Return a list row; a title too long for the row goes whole into its description."""
    row = {"id": payload[:200], "title": title[:ROW_TITLE]}
    if len(title) > ROW_TITLE:
        row["description"] = title[:ROW_DESCRIPTION]
    return row
