"""Work out the attribution slots of a turn from its tracker: plain functions, no Rasa server."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker

import correlation_id
from click_ids import CLICK_IDS, CTWA_CLID
from plugin.server import ServerRejected, ServerUnavailable

logger = logging.getLogger(__name__)

UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# The click id of a click-to-WhatsApp ad (CTWA_CLID) arrives in the message's referral, not the web.
SLOTS = ("correlation_id", "click_url", *UTM, *CLICK_IDS, CTWA_CLID)

Fetch = Callable[[str], Awaitable[dict[str, Any] | None]]


def metadata(tracker: Tracker) -> dict[str, Any]:
    """Return the metadata the channel attached to the latest user message."""
    value = (tracker.latest_message or {}).get("metadata")
    return value if isinstance(value, dict) else {}


def reference(tracker: Tracker) -> str | None:
    """Return the correlation ID the latest message carries, from the channel or its text."""
    found = metadata(tracker).get("correlation_id")
    if isinstance(found, str) and found:
        return found
    return correlation_id.find((tracker.latest_message or {}).get("text") or "")


def slots_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return every web attribution slot from a web session row; None for what it lacks."""
    params = row.get("parsed_params")
    params = params if isinstance(params, dict) else {}
    slots = {"correlation_id": row.get("correlation_id"), "click_url": row.get("click_url")}
    slots.update({name: params.get(name) for name in (*UTM, *CLICK_IDS)})
    return slots


def referral_slots(tracker: Tracker) -> dict[str, Any]:
    """Return the ctwa_clid slot when the message came from a click-to-WhatsApp ad."""
    referral = (metadata(tracker).get("whatsapp") or {}).get("referral")
    clid = referral.get(CTWA_CLID) if isinstance(referral, dict) else None
    return {CTWA_CLID: clid} if clid else {}


async def slots_for_turn(tracker: Tracker, fetch: Fetch | None) -> dict[str, Any]:
    """Return the slots to set on this turn; empty when it carries no reference or referral.

    The channel hands over the web session in metadata; otherwise (another channel, or the
    widget server was down when the message came in) fetch asks the server for it.
    """
    slots = referral_slots(tracker)
    found = reference(tracker)
    if not found:
        return slots
    row = metadata(tracker).get("web_session")
    if not isinstance(row, dict) and fetch is not None:
        try:
            row = await fetch(found)
        except (ServerUnavailable, ServerRejected) as exc:
            logger.warning("Could not fetch the web session of %s: %s", found, exc)
            return {**slots, "correlation_id": found}
        if row is None:
            logger.info("Reference %s is unknown to the widget server.", found)
            return slots
    if not isinstance(row, dict):
        return {**slots, "correlation_id": found}
    return {**slots_from_row(row), **slots}


def lead_report(tracker: Tracker) -> tuple[str, str] | None:
    """Return (correlation_id, lead_type) when both slots are set, else None."""
    reference_slot, lead_type = tracker.get_slot("correlation_id"), tracker.get_slot("lead_type")
    if reference_slot and lead_type:
        return str(reference_slot), str(lead_type)
    return None
