"""The attribution actions with rasa_sdk trackers built by hand."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from plugin import actions
from plugin.attribution import SLOTS, lead_report, slots_for_turn
from plugin.server import WidgetServer

ROW = {
    "correlation_id": "O-aB3dE9z",
    "device_id": "d1",
    "created_at": "2026-11-28T12:00:00Z",
    "correlated_at": "2026-11-28T12:01:00Z",
    "click_url": "https://shop.example/?utm_source=google&utm_campaign=spring&gclid=G1",
    "parsed_params": {"utm_source": "google", "utm_campaign": "spring", "gclid": "G1"},
    "ip_address": "203.0.113.9",
    "user_agent": "Mozilla/5.0",
    "lead_type": None,
}
DOMAIN = {"slots": {name: {"type": "text"} for name in SLOTS}}


def tracker(text, metadata=None, slots=None):
    """Return a tracker whose latest user message is text with metadata."""
    latest = {"text": text, "intent": {"name": "greet"}, "entities": [], "metadata": metadata or {}}
    events = [{"event": "user", "text": text, "metadata": metadata or {}}]
    return Tracker("15550001111", slots or {}, latest, events, False, None, {}, "action_listen")


def turn(current, fetch=None):
    """Return the slots the logic sets on this turn."""
    return asyncio.run(slots_for_turn(current, fetch))


def test_web_session_in_metadata_sets_every_attribution_slot():
    metadata = {"correlation_id": "O-aB3dE9z", "web_session": ROW, "whatsapp": {"referral": None}}
    slots = turn(tracker("Reference: O-aB3dE9z (...)", metadata))
    assert slots["correlation_id"] == "O-aB3dE9z"
    assert (slots["utm_source"], slots["utm_campaign"]) == ("google", "spring")
    assert slots["gclid"] == "G1"
    assert slots["click_url"] == ROW["click_url"]
    # A new reference replaces an older campaign completely: what it lacks is cleared.
    assert (slots["utm_medium"], slots["utm_term"], slots["fbclid"]) == (None, None, None)


def test_a_turn_without_a_reference_sets_nothing_so_slots_stay():
    metadata = {"whatsapp": {"wa_id": "1555"}}
    current = tracker("how much is it?", metadata, {"utm_campaign": "spring"})
    assert turn(current) == {}
    events = asyncio.run(
        actions.ActionAttributionSlots().run(CollectingDispatcher(), current, DOMAIN)
    )
    assert events == []


def test_a_click_to_whatsapp_ad_fills_ctwa_clid():
    metadata = {"whatsapp": {"referral": {"source_type": "ad", "ctwa_clid": "ARAkLkA8"}}}
    assert turn(tracker("Is this still available?", metadata)) == {"ctwa_clid": "ARAkLkA8"}


def test_a_reference_in_the_text_with_no_server_sets_only_the_reference():
    assert turn(tracker("hi o\u2011aB3dE9z!")) == {"correlation_id": "O-aB3dE9z"}


def test_a_server_that_is_down_leaves_the_reference_for_later():
    closed = WidgetServer("http://127.0.0.1:9", "key", timeout=1)
    assert turn(tracker("Reference: O-aB3dE9z"), closed.attribution) == {
        "correlation_id": "O-aB3dE9z"
    }


def test_only_the_slots_the_domain_declares_are_set():
    metadata = {"correlation_id": "O-aB3dE9z", "web_session": ROW}
    domain = {"slots": {"utm_campaign": {}, "correlation_id": {}}}
    current = tracker("Reference: O-aB3dE9z", metadata)
    action = actions.ActionAttributionSlots()
    events = asyncio.run(action.run(CollectingDispatcher(), current, domain))
    assert {(e["name"], e["value"]) for e in events} == {
        ("utm_campaign", "spring"),
        ("correlation_id", "O-aB3dE9z"),
    }
    assert all(e["event"] == "slot" for e in events)


def test_lead_report_needs_both_the_reference_and_the_lead_type():
    assert lead_report(tracker("x", slots={"correlation_id": "O-aB3dE9z", "lead_type": "hot"})) == (
        "O-aB3dE9z",
        "hot",
    )
    assert lead_report(tracker("x", slots={"lead_type": "hot"})) is None
    assert lead_report(tracker("x", slots={"correlation_id": "O-aB3dE9z"})) is None


@pytest.fixture
def configured(widget_server, monkeypatch):
    """Point the actions at the running widget server, as the action server's env would."""
    monkeypatch.setenv("WA_HANDOFF_SERVER_URL", widget_server.url)
    monkeypatch.setenv("WA_HANDOFF_API_KEY", widget_server.api_key)
    monkeypatch.setattr(actions, "_server", None)
    yield widget_server
    monkeypatch.setattr(actions, "_server", None)


def run_action(action, current, domain=DOMAIN):
    """Run an action in a fresh loop, closing its HTTP session afterwards."""

    async def go():
        try:
            return await action.run(CollectingDispatcher(), current, domain)
        finally:
            await actions.server().close()

    return asyncio.run(go())


def test_behind_another_channel_the_action_asks_the_server(configured):
    reference = configured.click(
        "https://shop.example/p?utm_source=fb&utm_campaign=autumn&fbclid=F"
    )
    # Rasa's Twilio channel: no metadata, the reference only in the text.
    events = run_action(actions.ActionAttributionSlots(), tracker(f"Reference: {reference} (hi)"))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["correlation_id"] == reference
    assert (slots["utm_source"], slots["utm_campaign"], slots["fbclid"]) == ("fb", "autumn", "F")


def test_an_unknown_reference_sets_no_slot(configured):
    assert run_action(actions.ActionAttributionSlots(), tracker("Reference: O-zzzzzzz")) == []


def test_the_lead_type_is_reported_to_the_server(configured):
    reference = configured.click("https://shop.example/?utm_campaign=winter", device_id="lead")
    current = tracker("I want to buy", slots={"correlation_id": reference, "lead_type": "hot"})
    assert run_action(actions.ActionReportLeadType(), current) == []
    assert configured.attribution(reference).json()["data"]["lead_type"] == "hot"
