"""Rasa SDK actions: fill the attribution slots, report the lead type to the widget server.

Run with `rasa run actions --actions plugin.actions`. The widget server is found through the
environment: WA_HANDOFF_SERVER_URL and WA_HANDOFF_API_KEY (scopes attribution:read and
attribution:write), WA_HANDOFF_TIMEOUT in seconds (default 2).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from plugin.attribution import lead_report, slots_for_turn
from plugin.server import ServerRejected, ServerUnavailable, WidgetServer

logger = logging.getLogger(__name__)
_server: WidgetServer | None = None


def server() -> WidgetServer | None:
    """Return the widget server client configured by the environment, or None."""
    global _server
    url, key = os.environ.get("WA_HANDOFF_SERVER_URL"), os.environ.get("WA_HANDOFF_API_KEY")
    if _server is None and url and key:
        _server = WidgetServer(url, key, float(os.environ.get("WA_HANDOFF_TIMEOUT", "2")))
    return _server


if server() is None:
    logger.warning(
        "WA_HANDOFF_SERVER_URL / WA_HANDOFF_API_KEY are not set: the attribution slots come "
        "only from the WhatsApp channel's metadata, and lead types are not reported."
    )


class ActionAttributionSlots(Action):
    """Custom slot mapping: set the attribution slots on the turn that carries a reference."""

    def name(self) -> str:
        """Name the action as the domain does."""
        return "action_attribution_slots"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Return SlotSet events for the slots the domain declares."""
        client = server()
        slots = await slots_for_turn(tracker, client.attribution if client else None)
        declared = domain.get("slots") or {}
        return [SlotSet(name, value) for name, value in slots.items() if name in declared]


class ActionReportLeadType(Action):
    """Send the bot's lead_type slot to the widget server for the linked web session."""

    def name(self) -> str:
        """Name the action as the domain does."""
        return "action_report_lead_type"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """PATCH the lead type; a failure is logged, the conversation goes on."""
        report, client = lead_report(tracker), server()
        if report is None or client is None:
            return []
        try:
            if await client.set_lead_type(*report) is None:
                logger.warning("Widget server does not know %s; lead type not saved.", report[0])
        except (ServerUnavailable, ServerRejected) as exc:
            logger.error("Lead type of %s not saved: %s", report[0], exc)
        return []
