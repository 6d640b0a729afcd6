"""Rasa SDK actions: fill the attribution slots, guard free-text slots, report the lead type.

Run with `rasa run actions --actions plugin.actions` (or import this module from your own
actions package). Settings come from the environment at the first action that needs them; see
plugin.action_settings for the WA_HANDOFF_* variables.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sanic import Sanic
from sanic.exceptions import SanicException

from plugin.action_settings import ActionSettings
from plugin.attribution import (
    Fetch,
    free_text_fixes,
    latest_user_event,
    lead_report,
    lead_sale,
    slots_for_turn,
)
from plugin.server import ServerRejected, ServerUnavailable, WidgetServer

logger = logging.getLogger(__name__)


@functools.cache
def settings() -> ActionSettings:
    """Return the settings of the environment, read at first use and said once.

    A bad WA_HANDOFF_* value raises ActionSettingsError naming it, on every call, so each
    action fails loudly instead of the action server failing to load.
    """
    found = ActionSettings.from_environ()
    if found.server_url is None:
        logger.warning(
            "WA_HANDOFF_SERVER_URL / WA_HANDOFF_ACTION_API_KEYS are not set: the attribution "
            "slots come only from the WhatsApp channel's sealed metadata, and lead types are "
            "not reported."
        )
    if found.metadata_key is None:
        logger.warning(
            "WA_HANDOFF_METADATA_KEY is not set: no channel metadata is believed, every "
            "reference is looked up on the widget server."
        )
    return found


@functools.cache
def server() -> WidgetServer | None:
    """Return the widget server client the environment configures, or None; built at first use."""
    found = settings()
    if found.server_url is None:
        return None
    return WidgetServer(found.server_url, found.api_keys, found.timeout)


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


def fetcher(tracker: Tracker, client: WidgetServer, whatsapp_channels: tuple[str, ...]) -> Fetch:
    """Return how to get a reference's web session on this turn.

    Behind another WhatsApp channel named in WA_HANDOFF_WHATSAPP_CHANNELS the action links the
    row itself (POST /correlations, the key needs correlations:write), as plugin.whatsapp does.
    """
    latest = latest_user_event(tracker)
    wa_id = re.sub(r"\D", "", tracker.sender_id or "")
    if latest.get("input_channel") not in whatsapp_channels or not wa_id:
        return client.attribution
    message_id = str(latest.get("message_id") or uuid.uuid4().hex)

    async def link(reference: str) -> dict[str, Any] | None:
        return await client.correlate(reference, wa_id, message_id, None)

    return link


class ActionAttributionSlots(Action):
    """Custom slot mapping: set the attribution slots on the turn that carries a reference."""

    def name(self) -> str:
        """Name the action as the domain does."""
        return "action_attribution_slots"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Return SlotSet events for the slots the domain declares."""
        found, client = settings(), server()
        fetch = fetcher(tracker, client, found.whatsapp_channels) if client else None
        slots = await slots_for_turn(tracker, fetch, found.metadata_key, found.share_client_details)
        declared = domain.get("slots") or {}
        return [SlotSet(name, value) for name, value in slots.items() if name in declared]


class ActionValidateSlotMappings(Action):
    """Keep a reference out of free-text slots: Rasa runs this after every slot extraction."""

    def name(self) -> str:
        """Name the action as Rasa's global slot validation."""
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Return SlotSet events putting back what a reference turn's text overwrote."""
        return [SlotSet(name, value) for name, value in free_text_fixes(tracker).items()]


class ActionReportLeadType(Action):
    """Send the bot's lead_type slot, and a sale's lead_value and lead_currency, to the server."""

    def name(self) -> str:
        """Name the action as the domain does."""
        return "action_report_lead_type"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """PATCH the lead type (and the sale); a failure is logged, the conversation goes on."""
        report = lead_report(tracker)
        if report is None:
            return []
        client = server()
        if client is None:
            return []
        try:
            if await client.set_lead_type(*report, *(lead_sale(tracker) or ())) is None:
                logger.warning("Widget server does not know %s; lead type not saved.", report[0])
        except (ServerUnavailable, ServerRejected) as exc:
            logger.error("Lead type of %s not saved: %s", report[0], exc)
        return []
