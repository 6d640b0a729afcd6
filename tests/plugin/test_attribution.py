"""The attribution logic as plain functions of rasa_sdk trackers built by hand."""

import asyncio

from support import ROW, tracker

from click_ids import CLICK_IDS, CTWA_CLID
from plugin.attribution import SLOTS, UTM, lead_report, slots_for_turn, slots_from_row
from plugin.server import WidgetServer


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


def test_lead_report_needs_both_the_reference_and_the_lead_type():
    assert lead_report(tracker("x", slots={"correlation_id": "O-aB3dE9z", "lead_type": "hot"})) == (
        "O-aB3dE9z",
        "hot",
    )
    assert lead_report(tracker("x", slots={"lead_type": "hot"})) is None
    assert lead_report(tracker("x", slots={"correlation_id": "O-aB3dE9z"})) is None


def test_the_slots_name_every_click_id_of_the_shared_list():
    assert set(CLICK_IDS) | {CTWA_CLID} <= set(SLOTS)
    assert len(SLOTS) == len(set(SLOTS))


def test_every_click_id_the_server_keeps_becomes_the_slot_of_that_name(widget_server):
    query = "&".join(f"{name}={name}-value" for name in CLICK_IDS)
    reference = widget_server.click(f"https://shop.example/?utm_source=x&{query}")
    row = widget_server.attribution(reference).json()["data"]
    slots = slots_from_row(row)
    assert {name: slots[name] for name in CLICK_IDS} == {n: f"{n}-value" for n in CLICK_IDS}
    # What the server keeps beyond the UTM parameters is exactly the shared list.
    assert set(row["parsed_params"]) - set(UTM) == set(CLICK_IDS)
