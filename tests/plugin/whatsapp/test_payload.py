"""The payload parser over the message kinds Meta documents."""

from support.meta_payloads import PHONE_NUMBER_ID, message, payload, status, text, value

from plugin.whatsapp.payload import parse


def only(body):
    """Parse body and return its single message."""
    [inbound] = parse(body, PHONE_NUMBER_ID)
    return inbound


def test_text_message_gives_text_sender_name_and_id():
    sent = text("Reference: O-aB3dE9z (hi)", wa_id="4915112345678", id="wamid.A")
    inbound = only(payload(value([sent], name="Kerry")))
    assert (inbound.text, inbound.wa_id, inbound.message_id) == (
        "Reference: O-aB3dE9z (hi)",
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


def test_media_captions_are_read_and_bare_media_is_not():
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
    ]


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


def test_unknown_and_unsupported_kinds_are_ignored():
    unsupported = message(
        "unsupported", None, "1555", errors=[{"code": 131051, "title": "Message type unknown"}]
    )
    sent = [
        unsupported,
        message("location", {"latitude": 52.5, "longitude": 13.4}, "1555"),
        message("sticker", {"id": "S1", "animated": False}, "1555"),
        message("reaction", {"message_id": "wamid.X", "emoji": "👍"}, "1555"),
        message("interactive", {"type": "nfm_reply", "nfm_reply": {}}, "1555"),
        message("text", {"body": ""}, "1555"),
    ]
    assert parse(payload(value(sent)), PHONE_NUMBER_ID) == []


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
