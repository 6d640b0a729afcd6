"""The payload parser over the message kinds Meta documents."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.meta_payloads import (
    PHONE_NUMBER_ID,
    message,
    payload,
    status,
    text,
    username_message,
    value,
)

from plugin.whatsapp.payload import ad_referral, parse


def only(body):
    """Parse body and return its single message."""
    [inbound] = parse(body, PHONE_NUMBER_ID)
    return inbound


def test_text_message_gives_text_sender_name_and_id():
    sent = text("Reference: O-aB3dE9z (hi)", wa_id="4915112345678", id="wamid.A")
    inbound = only(payload(value([sent], name="Kerry")))
    assert (inbound.text, inbound.sender_id, inbound.wa_id, inbound.message_id) == (
        "Reference: O-aB3dE9z (hi)",
        "4915112345678",
        "4915112345678",
        "wamid.A",
    )
    assert inbound.profile_name == "Kerry"
    assert inbound.metadata()["timestamp"] == "1732800000"
    assert inbound.metadata()["referral"] is None


def test_template_button_reply_reads_the_payload_and_keeps_the_title():
    sent = message("button", {"text": "Yes please", "payload": "/affirm"}, "1555")
    inbound = only(payload(value([sent])))
    assert (inbound.text, inbound.title, inbound.kind) == ("/affirm", "Yes please", "button")


def test_button_without_payload_reads_the_text():
    inbound = only(payload(value([message("button", {"text": "Stop promotions"}, "1555")])))
    assert inbound.text == "Stop promotions"


def test_interactive_button_reply_reads_the_id():
    reply = {"type": "button_reply", "button_reply": {"id": "/buy", "title": "Buy now"}}
    inbound = only(payload(value([message("interactive", reply, "1555")])))
    assert (inbound.text, inbound.title) == ("/buy", "Buy now")


def test_interactive_list_reply_reads_the_id():
    row = {"id": "/size_m", "title": "Medium", "description": "M"}
    reply = {"type": "list_reply", "list_reply": row}
    inbound = only(payload(value([message("interactive", reply, "1555")])))
    assert (inbound.text, inbound.title) == ("/size_m", "Medium")


def test_media_captions_are_read_and_bare_media_gets_its_intent():
    media = {"mime_type": "image/jpeg", "sha256": "x", "id": "MEDIA1"}
    sent = [
        message("image", {**media, "caption": "Reference: O-aB3dE9z"}, "1555"),
        message("video", {**media, "caption": "my video"}, "1555"),
        message("document", {**media, "caption": "the invoice", "filename": "a.pdf"}, "1555"),
        message("image", media, "1555"),
        message("audio", {"id": "MEDIA2", "mime_type": "audio/ogg"}, "1555"),
    ]
    found = parse(payload(value(sent)), PHONE_NUMBER_ID)
    assert [(m.kind, m.text) for m in found] == [
        ("image", "Reference: O-aB3dE9z"),
        ("video", "my video"),
        ("document", "the invoice"),
        ("image", "/whatsapp_image"),
        ("audio", "/whatsapp_audio"),
    ]
    assert found[3].metadata()["content"] == media


def test_referral_of_a_click_to_whatsapp_ad_travels_in_metadata():
    referral = {
        "source_url": "https://fb.me/abc",
        "source_id": "120200",
        "source_type": "ad",
        "headline": "Spring sale",
        "body": "Up to 50% off",
        "media_type": "image",
        "image_url": "https://example.com/ad.jpg",
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ",
    }
    inbound = only(payload(value([text("Hi, is this available?", referral=referral)])))
    assert inbound.metadata()["referral"] == referral
    assert inbound.metadata()["referral"]["ctwa_clid"] == "ARAkLkA8rmlFeiCktEJQ"


def test_statuses_are_ignored():
    body = payload(value([], statuses=[status(), status(state="read")]))
    assert parse(body, PHONE_NUMBER_ID) == []


def test_every_entry_change_and_message_is_read_in_order():
    first = value([text("one", wa_id="1111111"), text("two", wa_id="2222222")], name="A")
    second = value([text("three", wa_id="3333333")], name="B")
    found = parse(payload(first, second, entries=2), PHONE_NUMBER_ID)
    assert [m.text for m in found] == ["one", "two", "three"] * 2
    assert [m.profile_name for m in found[:3]] == ["A", "A", "B"]


def test_messages_to_another_number_of_the_account_are_skipped():
    other = value([text("not for us")])
    other["metadata"]["phone_number_id"] = "999999999"
    assert parse(payload(other, value([text("for us")])), PHONE_NUMBER_ID)[0].text == "for us"


def test_malformed_shapes_give_nothing_rather_than_an_error():
    for body in (
        None,
        [],
        {"entry": "x"},
        {"entry": [{"changes": [{"value": []}]}]},
        {"entry": [{"changes": [{"value": {"messages": [{"type": "text"}]}}]}]},
    ):
        assert parse(body, PHONE_NUMBER_ID) == []


BSUID = "US.13491208655302741918"


def test_a_username_user_without_a_phone_is_a_user_like_any_other():
    # Meta's BSUID page: `from_user_id` and no `from`; contacts[] with `user_id`, no `wa_id`.
    sent = username_message("text", {"body": "Reference: O-aB3dE9z"}, BSUID, id="wamid.U")
    inbound = only(payload(value([sent], name="Kerry")))
    assert (inbound.sender_id, inbound.user_id, inbound.wa_id) == (BSUID, BSUID, None)
    assert (inbound.text, inbound.profile_name, inbound.username) == (
        "Reference: O-aB3dE9z",
        "Kerry",
        "@kerry",
    )
    assert inbound.metadata()["user_id"] == BSUID


def test_the_tracker_stays_the_bsuid_when_meta_later_sends_the_phone_too():
    first = only(payload(value([username_message("text", {"body": "hi"}, BSUID)])))
    later = username_message("text", {"body": "again"}, BSUID, phone="16315551111")
    second = only(payload(value([later])))
    assert first.sender_id == second.sender_id == BSUID
    assert (first.wa_id, second.wa_id) == (None, "16315551111")


def test_a_parent_bsuid_and_a_bsuid_only_in_contacts_are_read():
    sent = message("text", {"body": "hi"}, "16315551111")
    body = value([sent])
    body["contacts"][0]["user_id"] = "US.ENT.11815799212886844830"
    inbound = only(payload(body))
    assert (inbound.sender_id, inbound.wa_id) == ("US.ENT.11815799212886844830", "16315551111")


# Every kind Meta documents without words of its own: its intent, and its content in metadata.
KINDS = [
    ("location", {"latitude": 52.52, "longitude": 13.40, "name": "Shop", "address": "Main St 1"}),
    ("audio", {"id": "MEDIA2", "mime_type": "audio/ogg; codecs=opus", "voice": True}),
    ("sticker", {"id": "S1", "mime_type": "image/webp", "animated": False}),
    ("image", {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "x"}),
    ("video", {"id": "MEDIA3", "mime_type": "video/mp4"}),
    ("document", {"id": "MEDIA4", "mime_type": "application/pdf", "filename": "a.pdf"}),
    (
        "contacts",
        [
            {
                "name": {"formatted_name": "Ana Lopez"},
                "phones": [{"phone": "+1 555", "type": "CELL"}],
            }
        ],
    ),
    (
        "order",
        {
            "catalog_id": "C1",
            "text": "",
            "product_items": [{"product_retailer_id": "SKU1", "quantity": 2, "item_price": 9.5}],
        },
    ),
    ("reaction", {"message_id": "wamid.BOT", "emoji": "\U0001f44d"}),
    ("request_welcome", None),
    ("unsupported", None),
    ("revoke", {"original_message_id": "wamid.OLD"}),
]


@pytest.mark.parametrize(("kind", "content"), KINDS)
def test_every_kind_reaches_the_bot_as_its_intent_with_its_content(kind, content):
    inbound = only(payload(value([message(kind, content, "1555")])))
    assert (inbound.kind, inbound.text) == (kind, f"/whatsapp_{kind}")
    assert inbound.metadata()["content"] == content
    assert inbound.metadata()["type"] == kind


def test_a_flows_reply_gets_its_intent_and_its_response_decoded():
    reply = {"name": "flow", "body": "Sent", "response_json": '{"size": "M", "flow_token": "t"}'}
    sent = message("interactive", {"type": "nfm_reply", "nfm_reply": reply}, "1555")
    inbound = only(payload(value([sent])))
    assert inbound.text == "/whatsapp_nfm_reply"
    assert inbound.content["nfm_reply"]["response"] == {"size": "M", "flow_token": "t"}


def test_an_unknown_type_gets_a_safe_intent():
    for kind, intent in (
        ("brand_new", "/whatsapp_brand_new"),
        ("Weird Kind!", "/whatsapp_unknown"),
    ):
        assert only(payload(value([message(kind, {"x": 1}, "1555")]))).text == intent


def test_an_edit_reads_the_new_words_and_names_the_edited_message():
    edit = {
        "original_message_id": "wamid.OLD",
        "message": {"type": "text", "text": {"body": "sorry, Reference: O-aB3dE9z"}},
    }
    inbound = only(payload(value([message("edit", edit, "1555")])))
    assert (inbound.kind, inbound.text) == ("edit", "sorry, Reference: O-aB3dE9z")
    assert inbound.metadata()["content"]["original_message_id"] == "wamid.OLD"
    captioned = {
        "original_message_id": "wamid.OLD",
        "message": {"type": "image", "image": {"id": "M", "caption": "new caption"}},
    }
    assert only(payload(value([message("edit", captioned, "1555")]))).text == "new caption"
    bare = {"original_message_id": "wamid.OLD", "message": {"type": "image", "image": {"id": "M"}}}
    assert only(payload(value([message("edit", bare, "1555")]))).text == "/whatsapp_edit"


def test_the_referral_travels_whatever_the_kind():
    referral = {"source_type": "ad", "source_id": "120200", "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ"}
    where = {"latitude": 52.52, "longitude": 13.40}
    inbound = only(payload(value([message("location", where, "1555", referral=referral)])))
    assert inbound.metadata()["referral"]["ctwa_clid"] == "ARAkLkA8rmlFeiCktEJQ"


def test_a_change_of_user_id_comes_through_as_a_system_message():
    system = {"body": "User Kerry changed", "type": "user_changed_user_id", "user_id": "US.999"}
    sent = username_message("system", system, BSUID)
    inbound = only(payload(value([sent])))
    assert (inbound.kind, inbound.sender_id, inbound.content["user_id"]) == (
        "system",
        BSUID,
        "US.999",
    )


@pytest.mark.parametrize("name", ["   ", "\t\n", "", None, 7, {"x": 1}, "bad\x00name", "\ud800"])
def test_a_name_the_server_would_refuse_is_not_sent(name):
    body = value([text("hi")])
    body["contacts"][0]["profile"]["name"] = name
    assert only(payload(body)).profile_name is None


def test_a_long_name_is_cut_to_what_the_server_takes():
    body = value([text("hi")])
    body["contacts"][0]["profile"]["name"] = "\u3000 Kerry " * 100
    assert len(only(payload(body)).profile_name) == 200


def test_messages_without_a_sender_or_an_id_are_logged_as_warnings(caplog):
    nobody = message("location", {"latitude": 1}, "1555")
    del nobody["from"]
    caplog.set_level("WARNING", logger="plugin.whatsapp.payload")
    assert parse(payload(value([text("hi", id="")])), PHONE_NUMBER_ID) == []
    body = payload({"metadata": {"phone_number_id": PHONE_NUMBER_ID}, "messages": [nobody]})
    assert parse(body, PHONE_NUMBER_ID) == []
    kinds = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("'text'" in line for line in kinds) and any("'location'" in line for line in kinds)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_the_parser_never_raises_on_any_json_value(body):
    for found in parse(body, PHONE_NUMBER_ID):
        assert isinstance(found.text, str) and found.text
        json.dumps(found.metadata())


SLOTS = ("from", "from_user_id", "id", "type", "text", "timestamp", "referral", "context")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from((*SLOTS, "location", "edit", "interactive", "contacts", "profile")), JSON)
def test_the_parser_never_raises_when_any_field_of_a_real_message_is_any_json(slot, junk):
    sent = {**message("text", {"body": "hi"}, "1555"), "from_user_id": BSUID}
    body = value([sent])
    if slot == "contacts":
        body["contacts"] = junk
    elif slot == "profile":
        body["contacts"][0]["profile"] = junk
    elif slot in ("location", "edit", "interactive"):
        sent.update({"type": slot, slot: junk})
    else:
        sent[slot] = junk
    for found in parse(payload(body), PHONE_NUMBER_ID):
        assert isinstance(found.sender_id, str) and isinstance(found.text, str)
        json.dumps(found.metadata())


def test_an_ads_referral_keeps_only_its_ids_and_a_web_source_url():
    referral = {"ctwa_clid": " ARAk ", "source_type": "ad", "headline": "Sale", "body": "Hi"}
    assert ad_referral({**referral, "source_url": "https://fb.me/x"}) == {
        "ctwa_clid": "ARAk",
        "source_type": "ad",
        "source_url": "https://fb.me/x",
    }
    assert ad_referral({**referral, "source_url": "javascript:alert(1)"}) == {
        "ctwa_clid": "ARAk",
        "source_type": "ad",
    }
    assert ad_referral({"source_type": "ad", "ctwa_clid": " "}) is None
    assert ad_referral(None) is None
