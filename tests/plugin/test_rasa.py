"""The whole path in real processes: widget server, rasa, action server, Graph stand-in."""

import time
import uuid

import pytest
import requests
from support import SECRETS
from support.meta_payloads import message as message_of
from support.meta_payloads import payload, post, text, username_message, value

from plugin.attribution import SLOTS, WEB_SESSION
from plugin.prefill import DEFAULT_TEMPLATE

SECRET = SECRETS["app_secret"]
SPRING = "https://shop.example/?utm_source=google&utm_campaign=spring"


def new_user() -> str:
    """Return a WhatsApp id no other test uses."""
    return str(10_000_000_000 + uuid.uuid4().int % 10_000_000_000)


def say(rasa_server, wa_id: str, words: str, **extra) -> dict:
    """Send one signed text message from wa_id; return the payload sent."""
    body = payload(value([text(words, wa_id=wa_id, **extra)]))
    assert post(rasa_server, body, SECRET).status_code == 200
    return body


def replies(rasa_graph, wa_id: str, count: int) -> list[str]:
    """Wait for count replies to wa_id; return their texts."""
    return [m["text"]["body"] for m in rasa_graph.wait_for(wa_id, count, timeout=60)]


def reference_message(reference: str) -> str:
    """Return the message the widget server pre-fills in wa.me links, in its default wording."""
    return DEFAULT_TEMPLATE.format(reference=reference)


def rasa_url(rasa_server: str) -> str:
    """Return the base URL of the Rasa server whose WhatsApp webhook is rasa_server."""
    return rasa_server.rsplit("/webhooks/", 1)[0]


def tracker(rasa_server: str, sender: str) -> dict:
    """Return the tracker of one conversation from Rasa's HTTP API."""
    answer = requests.get(f"{rasa_url(rasa_server)}/conversations/{sender}/tracker", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_linked(widget_server, reference: str, timeout: float = 30) -> dict:
    """Wait until the widget server shows the session as correlated; return its row."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = widget_server.attribution(reference)
        if answer.status_code == 200 and answer.json()["data"]["correlated_at"]:
            return answer.json()["data"]
        time.sleep(0.5)
    pytest.fail(f"{reference} not correlated after {timeout} s: {answer.text}")


def test_verification_handshake_on_the_running_bot(rasa_server):
    params = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "8841"}
    assert requests.get(rasa_server, params=params, timeout=5).text == "8841"
    params["hub.verify_token"] = "guess"
    assert requests.get(rasa_server, params=params, timeout=5).status_code == 403


def test_a_reference_gets_a_reply_naming_the_campaign_and_links_the_session(
    rasa_server, rasa_graph, widget_server
):
    reference, prefilled = widget_server.prefilled(SPRING)
    assert prefilled == reference_message(reference)
    wa_id = new_user()
    say(rasa_server, wa_id, prefilled)
    [reply] = replies(rasa_graph, wa_id, 1)
    assert "spring campaign" in reply
    row = wait_linked(widget_server, reference, timeout=5)
    assert row["parsed_params"]["utm_source"] == "google"


def test_the_reference_sets_the_slots_mid_session_and_the_lead_type_goes_back(
    rasa_server, rasa_graph, widget_server
):
    reference = widget_server.click("https://shop.example/p?utm_campaign=summer&utm_source=fb")
    wa_id = new_user()
    say(rasa_server, wa_id, "hello")
    assert "campaign" not in replies(rasa_graph, wa_id, 1)[0]
    say(rasa_server, wa_id, f"Hi again!\nReference: {reference.lower()[:1]}\u2011{reference[2:]}")
    assert "summer campaign" in replies(rasa_graph, wa_id, 2)[1]
    say(rasa_server, wa_id, "I want to buy")
    assert "get back to you" in replies(rasa_graph, wa_id, 3)[2]
    assert widget_server.attribution(reference).json()["data"]["lead_type"] == "hot"


def test_a_redelivered_message_gets_one_reply(rasa_server, rasa_graph, widget_server):
    wa_id = new_user()
    body = payload(value([text("hello", wa_id=wa_id)]))
    assert [post(rasa_server, body, SECRET).status_code for _ in range(3)] == [200, 200, 200]
    say(rasa_server, wa_id, "bye")
    # Rasa's lock store runs one conversation's turns in arrival order: a duplicate turn
    # would have answered before the goodbye.
    texts = replies(rasa_graph, wa_id, 2)
    assert len(texts) == 2 and "Bye" in texts[1]
    time.sleep(0.5)
    assert len(rasa_graph.sent_to(wa_id)) == 2


def test_a_bad_signature_gets_403_and_no_reply(rasa_server, rasa_graph):
    wa_id = new_user()
    body = payload(value([text("hello", wa_id=wa_id)]))
    assert post(rasa_server, body, "not-the-app-secret").status_code == 403
    assert post(rasa_server, body, SECRET, signature="").status_code == 403
    say(rasa_server, wa_id, "bye")
    texts = replies(rasa_graph, wa_id, 1)
    time.sleep(0.5)
    assert len(rasa_graph.sent_to(wa_id)) == 1 and "Bye" in texts[0]


def test_an_unknown_reference_gets_a_normal_reply(rasa_server, rasa_graph, widget_server):
    wa_id = new_user()
    say(rasa_server, wa_id, reference_message("O-Unkn0wn"))
    [reply] = replies(rasa_graph, wa_id, 1)
    assert reply == "Hi! How can we help you today?"
    assert widget_server.attribution("O-Unkn0wn").status_code == 404


def test_with_the_widget_server_down_the_bot_replies_and_links_later(
    rasa_server, rasa_graph, widget_server
):
    reference = widget_server.click(SPRING)
    wa_id = new_user()
    widget_server.stop()
    try:
        say(rasa_server, wa_id, reference_message(reference))
        [reply] = replies(rasa_graph, wa_id, 1)
        assert reply == "Hi! How can we help you today?"
    finally:
        widget_server.start()
    # The channel keeps retrying the idempotent correlation POST (after 2 s, then 5 s, ...).
    row = wait_linked(widget_server, reference, timeout=30)
    assert row["correlation_id"] == reference
    # The next turn has the campaign's slots.
    say(rasa_server, wa_id, "hello")
    assert "spring campaign" in replies(rasa_graph, wa_id, 2)[1]
    slots = tracker(rasa_server, wa_id)["slots"]
    assert (slots["utm_campaign"], slots["web_session"]["correlation_id"]) == ("spring", reference)


def test_a_reference_and_a_question_reach_nlu_as_the_question_with_the_slots_set(
    rasa_server, rasa_graph, widget_server
):
    reference = widget_server.click(SPRING)
    wa_id = new_user()
    say(rasa_server, wa_id, f"{reference_message(reference)}\nI want to buy")
    assert "get back to you" in replies(rasa_graph, wa_id, 1)[0]
    state = tracker(rasa_server, wa_id)
    assert state["latest_message"]["text"] == "I want to buy"
    assert state["latest_message"]["intent"]["name"] == "interested"
    assert (state["slots"]["correlation_id"], state["slots"]["utm_campaign"]) == (
        reference,
        "spring",
    )
    assert widget_server.attribution(reference).json()["data"]["lead_type"] == "hot"


def test_a_forged_web_session_over_the_rest_channel_sets_no_slot_and_is_not_repeated(
    rasa_server, widget_server
):
    forged = {"correlation_id": "O-F0rg3d1", "parsed_params": {"utm_campaign": "FREE-IPHONE"}}
    sender = f"forger-{uuid.uuid4().hex[:8]}"
    body = {
        "sender": sender,
        "message": "Reference: O-F0rg3d1",
        "input_channel": "whatsapp",  # Rasa's REST channel lets its caller name any channel
        "metadata": {"correlation_id": "O-F0rg3d1", "web_session": forged},
    }
    answer = requests.post(f"{rasa_url(rasa_server)}/webhooks/rest/webhook", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    said = " ".join(m.get("text", "") for m in answer.json())
    assert said and "FREE-IPHONE" not in said
    slots = tracker(rasa_server, sender)["slots"]
    assert [name for name in (*SLOTS, WEB_SESSION) if slots[name] is not None] == []


def new_bsuid() -> str:
    """Return a business-scoped user id no other test uses."""
    return f"US.{uuid.uuid4().int % 10**20:020d}"


def send(rasa_server, *messages) -> None:
    """Send one signed webhook carrying messages."""
    assert post(rasa_server, payload(value(list(messages))), SECRET).status_code == 200


def settled(read, check, timeout: float = 30):
    """Poll read() until check(result) holds (Rasa saves the tracker after replying)."""
    deadline = time.monotonic() + timeout
    while True:
        result = read()
        if check(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_a_username_user_with_the_reference_gets_the_campaign_and_is_linked_by_bsuid(
    rasa, rasa_graph, widget_server
):
    reference = widget_server.click(SPRING)
    user = new_bsuid()
    # Meta's documented BSUID message: `from_user_id`, no `from`, contacts without `wa_id`.
    send(rasa.webhook, username_message("text", {"body": reference_message(reference)}, user))
    [reply] = rasa_graph.wait_for(user, 1, timeout=60)
    assert reply["recipient"] == user and "to" not in reply
    assert "spring campaign" in reply["text"]["body"]
    wait_linked(widget_server, reference, timeout=10)
    stored = widget_server.stored(reference)
    assert (stored["whatsapp_id"], stored["whatsapp_phone"]) == (user, None)
    [event] = widget_server.events("conversation.correlated", reference)
    assert (event["whatsapp_id"], event["whatsapp_phone"]) == (user, None)
    assert set(wait_linked(widget_server, reference)) == {
        "correlation_id",
        "device_id",
        "created_at",
        "correlated_at",
        "click_url",
        "parsed_params",
        "ip_address",
        "user_agent",
        "lead_type",
    }
    slots = settled(lambda: rasa.tracker(user)["slots"], lambda s: s["whatsapp_user_id"])
    assert (slots["whatsapp_user_id"], slots["whatsapp_phone"]) == (user, None)

    # Thirty days of messages later Meta sends the phone number too: still one tracker.
    phone = new_user()
    send(rasa.webhook, username_message("text", {"body": "bye"}, user, phone=phone))
    assert "Bye" in rasa_graph.wait_for(user, 2, timeout=60)[1]["text"]["body"]
    slots = settled(lambda: rasa.tracker(user)["slots"], lambda s: s["whatsapp_phone"])
    assert (slots["whatsapp_user_id"], slots["whatsapp_phone"]) == (user, phone)
    assert slots["utm_campaign"] == "spring"
    assert len(rasa.user_turns(user)) == 2


KINDS = [
    ("location", {"latitude": 52.52, "longitude": 13.405, "name": "Shop"}, "your location"),
    ("audio", {"id": "MEDIA2", "mime_type": "audio/ogg; codecs=opus", "voice": True}, "voice"),
    ("sticker", {"id": "S1", "mime_type": "image/webp", "animated": False}, "Glad"),
    ("image", {"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "x"}, "your file"),
    (
        "contacts",
        [{"name": {"formatted_name": "Ana Lopez"}, "phones": [{"phone": "+1 555 0100"}]}],
        "contact card",
    ),
    (
        "order",
        {
            "catalog_id": "C1",
            "text": "",
            "product_items": [{"product_retailer_id": "SKU1", "quantity": 2, "item_price": 9.5}],
        },
        "your order",
    ),
    ("reaction", {"message_id": "wamid.BOT", "emoji": "\U0001f44d"}, "Glad"),
]


@pytest.mark.parametrize(("kind", "content", "answer"), KINDS, ids=[k[0] for k in KINDS])
def test_every_kind_is_one_turn_with_its_content_in_metadata(
    rasa, rasa_graph, kind, content, answer
):
    wa_id = new_user()
    send(rasa.webhook, message_of(kind, content, wa_id))
    [reply] = replies(rasa_graph, wa_id, 1)
    assert answer in reply
    [turn] = settled(lambda: rasa.user_turns(wa_id), bool)
    assert (turn["text"], turn["parse_data"]["intent"]["name"]) == (
        f"/whatsapp_{kind}",
        f"whatsapp_{kind}",
    )
    assert turn["metadata"]["whatsapp"]["content"] == content
    time.sleep(0.5)
    assert len(rasa_graph.sent_to(wa_id)) == 1


def test_a_location_right_after_a_click_to_whatsapp_ad_keeps_the_ctwa_clid(rasa, rasa_graph):
    wa_id = new_user()
    referral = {"source_type": "ad", "source_id": "120200", "ctwa_clid": "ARAkLkA8rmlFeiCk"}
    where = {"latitude": 52.52, "longitude": 13.405}
    send(rasa.webhook, message_of("location", where, wa_id, referral=referral))
    assert "your location" in replies(rasa_graph, wa_id, 1)[0]
    slots = settled(lambda: rasa.tracker(wa_id)["slots"], lambda s: s["ctwa_clid"])
    assert slots["ctwa_clid"] == "ARAkLkA8rmlFeiCk"


def test_a_first_message_from_an_ad_gets_its_row_as_the_slots_and_the_lead_type_goes_to_it(
    rasa, rasa_graph, widget_server
):
    wa_id, clid = new_user(), f"ARAk-{uuid.uuid4().hex}"
    referral = {"source_type": "ad", "source_id": "120201", "ctwa_clid": clid, "headline": "Sale"}
    send(rasa.webhook, text("hello", wa_id=wa_id, referral=referral))
    replies(rasa_graph, wa_id, 1)
    slots = settled(lambda: rasa.tracker(wa_id)["slots"], lambda s: s["correlation_id"])
    [row] = [r for r in widget_server.rows() if r["parsed_params"].get("ctwa_clid") == clid]
    assert (slots["correlation_id"], slots["ctwa_clid"]) == (row["correlation_id"], clid)
    kept = {"ctwa_clid": clid, "source_id": "120201", "source_type": "ad"}  # not the headline
    assert slots[WEB_SESSION]["parsed_params"] == kept
    assert widget_server.stored(row["correlation_id"])["whatsapp_id"] == wa_id
    send(rasa.webhook, text("I want to buy", wa_id=wa_id))
    assert "get back to you" in replies(rasa_graph, wa_id, 2)[1]
    assert widget_server.attribution(row["correlation_id"]).json()["data"]["lead_type"] == "hot"


MANGLED = {
    "bidi mark after the O": lambda r: f"Reference: O\u200f-{r[2:]} (Please send it as is)",
    "bidi mark after the hyphen": lambda r: f"Reference: O-\u200e{r[2:]}",
    "zero for the O": lambda r: f"Reference: 0-{r[2:]}",
    "unknown one first": lambda r: f"the old one O-Zz9Zz9Z, the new one is {r}",
}


@pytest.mark.parametrize("mangle", MANGLED.values(), ids=MANGLED.keys())
def test_a_mangled_or_second_reference_is_linked(rasa, rasa_graph, widget_server, mangle):
    reference = widget_server.click(SPRING)
    wa_id = new_user()
    say(rasa.webhook, wa_id, mangle(reference))
    replies(rasa_graph, wa_id, 1)
    assert wait_linked(widget_server, reference, timeout=10)["correlation_id"] == reference
    slots = settled(lambda: rasa.tracker(wa_id)["slots"], lambda s: s["correlation_id"])
    assert (slots["correlation_id"], slots["utm_campaign"]) == (reference, "spring")


def test_an_edit_that_adds_the_reference_links_it(rasa, rasa_graph, widget_server):
    reference = widget_server.click(SPRING)
    wa_id = new_user()
    first = text("hello", wa_id=wa_id)
    send(rasa.webhook, first)
    replies(rasa_graph, wa_id, 1)
    edit = {
        "original_message_id": first["id"],
        "message": {"type": "text", "text": {"body": reference_message(reference)}},
    }
    send(rasa.webhook, message_of("edit", edit, wa_id))
    assert "spring campaign" in replies(rasa_graph, wa_id, 2)[1]
    wait_linked(widget_server, reference, timeout=10)


def test_a_body_nested_100000_deep_is_a_400_and_dropped_messages_are_warnings_in_the_log(
    rasa, rasa_graph
):
    deep = b"[" * 100_000 + b"]" * 100_000
    assert post(rasa.webhook, deep, SECRET).status_code == 400
    nobody = message_of("location", {"latitude": 1.0, "longitude": 2.0}, "1")
    del nobody["from"]
    body = payload(
        {"metadata": {"phone_number_id": SECRETS["phone_number_id"]}, "messages": [nobody]}
    )
    assert post(rasa.webhook, body, SECRET).status_code == 200
    line = (
        "WARNING  plugin.whatsapp.payload  - Not passing on a WhatsApp message of kind 'location'"
    )
    log = settled(rasa.process.log, lambda text: line in text, timeout=10)
    assert line in log


def test_a_link_pending_across_a_rasa_restart_is_made_once_the_widget_server_is_back(
    rasa, rasa_graph, widget_server
):
    reference = widget_server.click(SPRING)
    wa_id = new_user()
    widget_server.stop()
    try:
        say(rasa.webhook, wa_id, reference_message(reference))
        assert replies(rasa_graph, wa_id, 1) == ["Hi! How can we help you today?"]
        rasa.restart()  # the links to make are in Redis, not in the process
    finally:
        widget_server.start()
    assert wait_linked(widget_server, reference, timeout=240)["correlation_id"] == reference
    stored = widget_server.stored(reference)
    assert (stored["whatsapp_id"], stored["whatsapp_phone"]) == (wa_id, wa_id)
    time.sleep(3)  # another sweep would find nothing left to do
    assert len(widget_server.events("conversation.correlated", reference)) == 1
