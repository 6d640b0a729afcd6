"""The attribution logic as plain functions of rasa_sdk trackers built by hand."""

import asyncio

import pytest
from support import METADATA_KEY, ROW, tracker

from click_ids import CLICK_IDS, CTWA_CLID
from plugin.attribution import (
    SLOTS,
    UTM,
    free_text_fixes,
    lead_report,
    slots_for_turn,
    slots_from_row,
    web_session,
)
from plugin.prefill import DEFAULT_TEMPLATE
from plugin.server import WidgetServer

SEALED = {"correlation_id": "O-aB3dE9z", "web_session": ROW}
# A row fetched from the widget server, as the tracker keeps it by default.
TRACKED = {name: value for name, value in ROW.items() if name not in ("ip_address", "user_agent")}


def turn(current, fetch=None, key=METADATA_KEY):
    """Return the slots the logic sets on this turn, trusting metadata sealed with key."""
    return asyncio.run(slots_for_turn(current, fetch, key))


class Fetches:
    """A fetch that records the references it is asked for and answers with one row."""

    def __init__(self, row=ROW):
        self.asked, self.row = [], row

    async def __call__(self, reference):
        self.asked.append(reference)
        return self.row


def user(text, metadata=None, message_id="wamid.earlier", key=METADATA_KEY):
    """Return an earlier user event of the conversation, sealed with key."""
    return tracker(text, metadata, message_id=message_id, key=key).events[-1]


def test_web_session_in_metadata_sets_every_attribution_slot():
    metadata = {**SEALED, "whatsapp": {"referral": None}}
    slots = turn(tracker("/greet", metadata, key=METADATA_KEY))
    assert slots["correlation_id"] == "O-aB3dE9z"
    assert slots["web_session"] == ROW
    assert (slots["utm_source"], slots["utm_campaign"]) == ("google", "spring")
    assert slots["gclid"] == "G1"
    assert slots["click_url"] == ROW["click_url"]
    # A new reference replaces an older campaign completely: what it lacks is cleared.
    assert (slots["utm_medium"], slots["utm_term"], slots["fbclid"]) == (None, None, None)


def test_a_click_to_whatsapp_ad_fills_ctwa_clid():
    metadata = {"whatsapp": {"referral": {"source_type": "ad", "ctwa_clid": "ARAkLkA8"}}}
    assert turn(tracker("Is this still available?", metadata)) == {"ctwa_clid": "ARAkLkA8"}


@pytest.mark.parametrize(
    ("channel", "key", "message_id"),
    [
        ("rest", METADATA_KEY, "wamid.latest"),  # a sealed copy replayed through another channel
        ("whatsapp", None, "wamid.latest"),  # claims the WhatsApp channel, carries no seal
        ("whatsapp", "a guessed key", "wamid.latest"),
        ("whatsapp", METADATA_KEY, "wamid.other"),  # the seal of another message
    ],
)
def test_metadata_without_the_channels_seal_is_looked_up_instead(channel, key, message_id):
    forged = {"correlation_id": "O-aB3dE9z", "web_session": {**ROW, "click_url": "https://evil"}}
    current = tracker("Reference: O-aB3dE9z", forged, channel=channel, key=key)
    if message_id != "wamid.latest":  # sealed for another message, then pasted into this one
        sealed = tracker("x", forged, message_id=message_id, key=METADATA_KEY)
        current.events[-1]["metadata"] = sealed.events[-1]["metadata"]
    assert turn(current) == {"correlation_id": "O-aB3dE9z"}
    fetch = Fetches()
    assert turn(current, fetch)["click_url"] == ROW["click_url"]
    assert fetch.asked == ["O-aB3dE9z"]


def test_without_a_metadata_key_nothing_is_believed():
    assert turn(tracker("/greet", SEALED, key=METADATA_KEY), key=None) == {
        "correlation_id": "O-aB3dE9z"
    }


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


def test_a_later_turn_fills_the_slots_the_server_could_not_give_earlier():
    earlier = user(DEFAULT_TEMPLATE.format(reference="O-aB3dE9z"), {"correlation_id": "O-aB3dE9z"})
    slots = {"correlation_id": "O-aB3dE9z", "web_session": None}
    fetch = Fetches()
    later = turn(tracker("how much is it?", slots=slots, events=[earlier]), fetch)
    assert fetch.asked == ["O-aB3dE9z"]
    assert (later["utm_campaign"], later["web_session"]) == ("spring", TRACKED)


def test_slots_a_fallback_rewound_come_back_on_the_next_turn():
    earlier = user("/greet", SEALED)
    rewound = [
        earlier,
        {"event": "slot", "name": "utm_campaign", "value": "spring"},
        {"event": "action", "name": "action_default_fallback"},
        {"event": "rewind"},
    ]
    slots = turn(tracker("hello?", events=rewound), Fetches(row=None))
    assert (slots["correlation_id"], slots["utm_campaign"]) == ("O-aB3dE9z", "spring")


def test_once_filled_a_reference_is_not_fetched_again():
    slots = {"correlation_id": "O-aB3dE9z", "web_session": ROW, "utm_campaign": "spring"}
    fetch = Fetches()
    assert turn(tracker("thanks", slots=slots, events=[user("/greet", SEALED)]), fetch) == {}
    assert fetch.asked == []


def test_a_reference_of_an_earlier_session_is_left_alone():
    history = [user("/greet", SEALED), {"event": "session_started"}]
    fetch = Fetches()
    assert turn(tracker("hello", events=history), fetch) == {}
    assert fetch.asked == []


def test_an_unknown_reference_sets_no_slot():
    assert turn(tracker("Reference: O-zzzzzzz"), Fetches(row=None)) == {}


def test_web_session_reads_the_slot_only():
    assert web_session(tracker("hi", slots={"web_session": ROW})) == ROW
    assert web_session(tracker("/greet", SEALED, key=METADATA_KEY)) is None
    assert web_session(tracker("hi", slots={"web_session": "not a row"})) is None


def candidates(text, *slots, metadata=None, channel="whatsapp", earlier=()):
    """Return a tracker as action_validate_slot_mappings sees it: candidates after the user."""
    current = tracker(text, metadata, channel=channel, events=list(earlier))
    current.events.extend({"event": "slot", "name": n, "value": v} for n, v in slots)
    return current


def test_a_form_keeps_its_answer_when_the_turn_is_only_the_reference():
    earlier = [{"event": "slot", "name": "preferences", "value": "a window seat"}]
    current = candidates(
        "/greet", ("preferences", "/greet"), ("utm_campaign", "spring"),
        metadata={"correlation_id": "O-aB3dE9z"}, earlier=earlier,
    )  # fmt: skip
    assert free_text_fixes(current) == {"preferences": "a window seat"}
    assert free_text_fixes(candidates("/greet", ("cuisine", "/greet"), metadata=SEALED)) == {
        "cuisine": None
    }


def test_behind_another_channel_a_form_gets_only_the_visitors_words():
    text = (
        "Reference: O-aB3dE9z (Please send this reference number, it helps us find your "
        "request)\nNo nuts, please"
    )
    current = candidates(text, ("preferences", text), channel="twilio")
    assert free_text_fixes(current) == {"preferences": "No nuts, please"}


def test_free_text_without_a_reference_is_left_alone():
    assert free_text_fixes(candidates("no nuts", ("preferences", "no nuts"))) == {}
    own = candidates(
        "no nuts", ("preferences", "no nuts"), metadata={"correlation_id": "O-aB3dE9z"}
    )
    assert free_text_fixes(own) == {}


def test_a_username_user_gets_the_bsuid_slot_and_no_phone():
    metadata = {"whatsapp": {"user_id": "US.13491208655302741918", "wa_id": None}}
    assert turn(tracker("hi", metadata)) == {"whatsapp_user_id": "US.13491208655302741918"}


def test_the_phone_slot_is_set_when_meta_sends_it_later_and_never_unset():
    later = {"whatsapp": {"user_id": "US.1349", "wa_id": "16315551111"}}
    known = {"whatsapp_user_id": "US.1349"}
    assert turn(tracker("again", later, slots=known)) == {"whatsapp_phone": "16315551111"}
    gone = {"whatsapp": {"user_id": "US.1349", "wa_id": None}}
    both = {**known, "whatsapp_phone": "16315551111"}
    assert turn(tracker("and again", gone, slots=both)) == {}


def test_a_payload_without_a_bsuid_gives_the_phone_as_the_user_id():
    metadata = {"whatsapp": {"user_id": None, "wa_id": "15550001111"}}
    assert turn(tracker("hi", metadata)) == {
        "whatsapp_user_id": "15550001111",
        "whatsapp_phone": "15550001111",
    }


def test_a_fetched_row_reaches_the_tracker_without_address_and_browser_unless_asked():
    current = tracker("Reference: O-aB3dE9z")
    kept = asyncio.run(slots_for_turn(current, Fetches(), METADATA_KEY))["web_session"]
    assert kept == TRACKED
    shared = asyncio.run(slots_for_turn(current, Fetches(), METADATA_KEY, True))["web_session"]
    assert shared == ROW


def test_a_sealed_row_is_taken_as_the_channel_shared_it():
    assert turn(tracker("/greet", SEALED, key=METADATA_KEY))["web_session"] == ROW
