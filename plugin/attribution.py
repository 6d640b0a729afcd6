"""Work out the attribution slots of a turn from its tracker: plain functions, no Rasa server."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker

import correlation_id
from click_ids import CLICK_IDS, CTWA_CLID
from plugin import prefill, seal
from plugin.client_details import for_tracker
from plugin.server import ServerRejected, ServerUnavailable

logger = logging.getLogger(__name__)

# What the widget server takes as a sale's currency: an ISO 4217 code.
CURRENCY = re.compile(r"[A-Z]{3}")
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# The WhatsApp user id (a BSUID, or the phone number when Meta sends none) and the phone number.
IDENTITY = ("whatsapp_user_id", "whatsapp_phone")
# The click id of a click-to-WhatsApp ad (CTWA_CLID) arrives in the message's referral, not the web.
SLOTS = ("correlation_id", "click_url", *UTM, *CLICK_IDS, CTWA_CLID, *IDENTITY)
# The whole web session row, for custom actions (see web_session) and to tell a link is done.
WEB_SESSION = "web_session"
OURS = (*SLOTS, WEB_SESSION)
# A sale's value and currency: the bot sets them, action_report_lead_type sends them.
SALE = ("lead_value", "lead_currency")
# The input channel name of plugin.whatsapp, the one channel whose metadata may be believed.
CHANNEL = "whatsapp"

Fetch = Callable[[str], Awaitable[dict[str, Any] | None]]


def metadata(tracker: Tracker) -> dict[str, Any]:
    """Return the metadata the channel attached to the latest user message."""
    value = latest_user_event(tracker).get("metadata")
    return value if isinstance(value, dict) else {}


def latest_user_event(tracker: Tracker) -> dict[str, Any]:
    """Return the latest user event, with its input channel and message id."""
    events = user_events(tracker)
    return events[-1] if events else dict(tracker.latest_message or {})


def user_events(tracker: Tracker) -> list[dict[str, Any]]:
    """Return the user events of the current session, oldest first."""
    found: list[dict[str, Any]] = []
    for event in tracker.events or []:
        if event.get("event") in ("session_started", "restart"):
            found = []
        elif event.get("event") == "user":
            found.append(event)
    return found


def event_reference(event: dict[str, Any]) -> str | None:
    """Return the correlation ID a user event carries, from the channel or from its text."""
    found = (event.get("metadata") or {}).get("correlation_id")
    if isinstance(found, str) and correlation_id.is_valid(found):
        return found
    return correlation_id.find(event.get("text") or "")


def reference(tracker: Tracker) -> str | None:
    """Return the correlation ID the latest message carries."""
    return event_reference(latest_user_event(tracker))


def trusted_session(
    tracker: Tracker, event: dict[str, Any], metadata_key: str | None
) -> dict[str, Any] | None:
    """Return the web session of event's metadata if plugin.whatsapp sealed it, else None."""
    data = event.get("metadata")
    if not metadata_key or not isinstance(data, dict) or event.get("input_channel") != CHANNEL:
        return None
    if not seal.is_sealed(metadata_key, tracker.sender_id, event.get("message_id"), data):
        return None
    row = data.get("web_session")
    return row if isinstance(row, dict) else None


def web_session(tracker: Tracker) -> dict[str, Any] | None:
    """Return the web session row the conversation is linked to, or None (for custom actions).

    Read from the web_session slot of plugin/domain/wa_handoff.yml, which the plugin fills only
    from sealed channel metadata or the widget server itself.
    """
    row = tracker.get_slot(WEB_SESSION)
    return row if isinstance(row, dict) else None


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


def identity_slots(tracker: Tracker) -> dict[str, Any]:
    """Return the WhatsApp user id and phone slots this turn tells anew (a phone is never unset)."""
    whatsapp = metadata(tracker).get("whatsapp")
    if not isinstance(whatsapp, dict):
        return {}
    phone = whatsapp.get("wa_id")
    found = {"whatsapp_user_id": whatsapp.get("user_id") or phone, "whatsapp_phone": phone}
    return {
        name: value
        for name, value in found.items()
        if isinstance(value, str) and value and value != tracker.get_slot(name)
    }


async def slots_for_turn(
    tracker: Tracker,
    fetch: Fetch | None,
    metadata_key: str | None = None,
    share_client_details: bool = False,
) -> dict[str, Any]:
    """Return the slots to set on this turn; empty when there is nothing new to set.

    The latest reference of the session counts, on the turn that carries it or on a later one
    when its slots are still missing (the widget server was down, or a fallback rewound that
    turn). Its web session comes from the channel's sealed metadata (as the channel's
    share_client_details left it), else from fetch (as share_client_details says).
    """
    slots = {**identity_slots(tracker), **referral_slots(tracker)}
    events = user_events(tracker) or [latest_user_event(tracker)]
    found = next(((e, r) for e in reversed(events) if (r := event_reference(e))), None)
    if found is None:
        return slots
    event, reference = found
    if event is not events[-1] and _filled(tracker, reference):
        return slots
    row = trusted_session(tracker, event, metadata_key)
    if row is None and fetch is not None:
        try:
            row = await fetch(reference)
        except (ServerUnavailable, ServerRejected) as exc:
            logger.warning("Could not fetch the web session of %s: %s", reference, exc)
            return {**slots, "correlation_id": reference}
        if row is None:
            logger.warning("Reference %s is unknown to the widget server's sites.", reference)
            return slots
        row = for_tracker(row, share_client_details)
    if row is None:
        return {**slots, "correlation_id": reference}
    return {**slots_from_row(row), WEB_SESSION: row, **slots}


def _filled(tracker: Tracker, reference: str) -> bool:
    """Tell whether the slots of reference are already set, as far as the domain shows."""
    if tracker.get_slot("correlation_id") != reference:
        return False
    if WEB_SESSION not in tracker.slots:
        return True  # without the web_session slot, the reference slot is all there is to see
    row = tracker.get_slot(WEB_SESSION)
    return isinstance(row, dict) and row.get("correlation_id") == reference


def free_text_fixes(tracker: Tracker) -> dict[str, Any]:
    """Return the slots to put back where a free-text mapping took a reference turn's text.

    For action_validate_slot_mappings, which sees this turn's slot candidates after the user
    event: a form's from_text slot gets the visitor's own words, or keeps its value when the
    turn was only the reference (its text then is the reference intent, e.g. "/greet").
    """
    events = tracker.events or []
    latest = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if latest is None or event_reference(events[latest]) is None:
        return {}
    text = events[latest].get("text") or ""
    own = "" if text.startswith("/") else prefill.read(text).words
    before = {e["name"]: e.get("value") for e in events[:latest] if e.get("event") == "slot"}
    fixes: dict[str, Any] = {}
    for event in events[latest + 1 :]:
        name = event.get("name")
        if event.get("event") != "slot" or not isinstance(name, str) or name in OURS:
            continue
        if event.get("value") == text and (own or before.get(name)) != text:
            fixes[name] = own or before.get(name)
    return fixes


def lead_report(tracker: Tracker) -> tuple[str, str] | None:
    """Return (correlation_id, lead_type) when both slots are set, else None."""
    reference_slot, lead_type = tracker.get_slot("correlation_id"), tracker.get_slot("lead_type")
    if reference_slot and lead_type:
        return str(reference_slot), str(lead_type)
    return None


def lead_sale(tracker: Tracker) -> tuple[float, str] | None:
    """Return (value, currency) of the lead_value and lead_currency slots when both are good.

    The server takes both or neither; one without the other, or a bad one, is logged and left
    out, so the lead type is still saved.
    """
    value, currency = (tracker.get_slot(name) for name in SALE)
    if value is None and currency is None:
        return None
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except ValueError:
        number = math.nan
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if (
        isinstance(value, bool)
        or not math.isfinite(number)
        or number < 0
        or not CURRENCY.fullmatch(code)
    ):
        logger.warning(
            "Not reporting the sale: lead_value %r and lead_currency %r must be a number from 0 "
            "and an ISO 4217 code such as EUR, both set.",
            value,
            currency,
        )
        return None
    return number, code
