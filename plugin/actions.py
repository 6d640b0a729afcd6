"""Rasa SDK actions: fill the attribution slots, report the lead type to the widget server.

Run with `rasa run actions --actions plugin.actions`. The widget server is found through the
environment at the first action that needs it (see plugin.action_settings): WA_HANDOFF_SERVER_URL
and WA_HANDOFF_API_KEY (scopes attribution:read and attribution:write), WA_HANDOFF_TIMEOUT in
seconds (default 2).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sanic import Sanic
from sanic.exceptions import SanicException

from plugin.action_settings import ActionSettings
from plugin.attribution import lead_report, slots_for_turn
from plugin.server import ServerRejected, ServerUnavailable, WidgetServer

logger = logging.getLogger(__name__)


@functools.cache
def server() -> WidgetServer | None:
    """Return the widget server client the environment configures, or None; built at first use.

    A bad WA_HANDOFF_* value raises ActionSettingsError naming it, on every call, so each
    action that needs the server fails loudly instead of the action server failing to load.
    """
    settings = ActionSettings.from_environ()
    if settings is None:
        logger.warning(
            "WA_HANDOFF_SERVER_URL / WA_HANDOFF_API_KEY are not set: the attribution slots come "
            "only from the WhatsApp channel's metadata, and lead types are not reported."
        )
        return None
    return WidgetServer(settings.server_url, settings.api_key, settings.timeout)


async def close_server(*_: object) -> None:
    """Close the client's HTTP session if one was built (the action server is stopping)."""
    if server.cache_info().currsize:
        client = server()
        if client is not None:
            await client.close()


def _close_when_the_action_server_stops() -> None:
    """Register close_server with rasa_sdk's Sanic app, when this module is loaded into one."""
    # rasa_sdk creates its app before it imports the actions, and freezes its listeners when
    # it starts: so this is the one moment to register one.
    try:
        app = Sanic.get_app("rasa_sdk")
    except SanicException:
        return  # imported by a test or a script, not by `rasa run actions`
    if not app.state.is_started:
        app.register_listener(close_server, "before_server_stop")


_close_when_the_action_server_stops()


class ActionAttributionSlots(Action):
    """Custom slot mapping: set the attribution slots on the turn that carries a reference."""

    def name(self) -> str:
        """Name the action as the domain does."""
        return "action_attribution_slots"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
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
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """PATCH the lead type; a failure is logged, the conversation goes on."""
        report = lead_report(tracker)
        if report is None:
            return []
        client = server()
        if client is None:
            return []
        try:
            if await client.set_lead_type(*report) is None:
                logger.warning("Widget server does not know %s; lead type not saved.", report[0])
        except (ServerUnavailable, ServerRejected) as exc:
            logger.error("Lead type of %s not saved: %s", report[0], exc)
        return []
