"""The channel's routes, served alone in-process: handshake, signature, dedupe, prompt 200."""

import asyncio
import logging
import time
import uuid

from support import METADATA_KEY, SECRETS
from support.channel_app import serve
from support.meta_payloads import ad_referral, payload, post, text, username_message, value
from support.meta_payloads import message as message_of

from plugin import seal
from plugin.whatsapp import WhatsAppInput

SECRET = SECRETS["app_secret"]


def channel(server_url="http://127.0.0.1:9", api_key="none", **settings):
    """Return a channel built from credentials as Rasa would."""
    credentials = {**SECRETS, "server_url": server_url, "server_api_key": api_key, **settings}
    return WhatsAppInput.from_credentials(credentials)


def scenario(whatsapp, requests_to_send, handler=None, settle=0.3):
    """Serve whatsapp, run requests_to_send(url) in a thread, return (results, messages)."""
    received = []

    async def on_new_message(message):
        received.append(message)
        if handler is not None:
            await handler(message)

    async def go():
        async with serve(whatsapp, on_new_message) as url:
            results = await asyncio.to_thread(requests_to_send, url)
            await asyncio.sleep(settle)
            return results

    return asyncio.run(go()), received


def test_verification_handshake_echoes_the_challenge():
    def calls(url):
        import requests

        good = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158"}
        return [
            requests.get(url, params=good, timeout=5),
            requests.get(url, params={**good, "hub.verify_token": "wrong"}, timeout=5),
            requests.get(url, params={**good, "hub.mode": "unsubscribe"}, timeout=5),
            requests.get(url, params={"hub.challenge": "1"}, timeout=5),
        ]

    (ok, wrong, mode, missing), _ = scenario(channel(), calls)
    assert (ok.status_code, ok.text) == (200, "1158")
    assert [r.status_code for r in (wrong, mode, missing)] == [403, 403, 403]


def test_bad_or_missing_signature_is_refused_before_anything_is_read():
    body = payload(value([text("hello")]))

    def calls(url):
        return [
            post(url, body, SECRET, signature=""),
            post(url, body, SECRET, signature="sha256=" + "0" * 64),
            post(url, body, "another-secret"),
            post(url, b"not json", "another-secret"),
        ]

    responses, received = scenario(channel(), calls)
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert received == []


def test_malformed_json_with_a_valid_signature_is_a_400():
    responses, received = scenario(channel(), lambda url: [post(url, b"{nope", SECRET)])
    assert responses[0].status_code == 400
    assert received == []


def test_a_payload_reaches_rasa_with_sender_id_and_whatsapp_metadata():
    sent = text("hello", wa_id="15550002222", id="wamid.meta")
    body = payload(value([sent]))
    responses, [message] = scenario(channel(), lambda url: [post(url, body, SECRET)])
    assert responses[0].status_code == 200
    assert (message.text, message.sender_id, message.message_id) == (
        "hello",
        "15550002222",
        "wamid.meta",
    )
    assert message.input_channel == "whatsapp"
    assert message.metadata["whatsapp"]["profile_name"] == "Kerry"
    assert "correlation_id" not in message.metadata


def test_duplicate_deliveries_are_handed_on_once():
    body = payload(value([text("once", id=f"wamid.{uuid.uuid4().hex}")]))
    responses, received = scenario(channel(), lambda url: [post(url, body, SECRET)] * 3)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [m.text for m in received] == ["once"]


def test_two_instances_sharing_redis_hand_a_redelivery_on_once(redis_url):
    body = payload(value([text("shared", id=f"wamid.{uuid.uuid4().hex}")]))
    first, second = channel(redis_url=redis_url), channel(redis_url=redis_url)
    received = []

    async def on_new_message(message):
        received.append(message)

    async def go():
        async with serve(first, on_new_message) as a, serve(second, on_new_message) as b:
            answers = await asyncio.to_thread(lambda: [post(u, body, SECRET) for u in (a, b, a)])
            await asyncio.sleep(0.3)
            return answers

    answers = asyncio.run(go())
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [m.text for m in received] == ["shared"]


def test_meta_gets_a_prompt_200_even_when_the_bot_is_slow_or_fails():
    async def slow_then_fail(message):
        await asyncio.sleep(1.0)
        raise RuntimeError("the bot fell over")

    def calls(url):
        started = time.monotonic()
        first = post(url, payload(value([text("one")])), SECRET)
        second = post(url, payload(value([text("two")])), SECRET)
        return first, second, time.monotonic() - started

    (first, second, took), received = scenario(channel(), calls, slow_then_fail, settle=1.5)
    assert (first.status_code, second.status_code) == (200, 200)
    assert took < 1.0
    assert [m.text for m in received] == ["one", "two"]


def test_a_reference_is_linked_and_its_web_session_travels_in_metadata(widget_server):
    reference, prefilled = widget_server.prefilled(
        "https://shop.example/?utm_source=google&utm_campaign=spring"
    )
    sent = text(prefilled, wa_id="15550003333")
    whatsapp = channel(widget_server.url, widget_server.api_key)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    assert message.metadata["correlation_id"] == reference
    session = message.metadata["web_session"]
    assert session["correlation_id"] == reference
    assert session["parsed_params"]["utm_campaign"] == "spring"
    assert session["correlated_at"] is not None
    assert "ip_address" not in session and "user_agent" not in session  # not asked for


def test_the_visitors_address_and_browser_reach_the_bot_only_when_asked(widget_server):
    reference = widget_server.click("https://shop.example/?utm_source=google")
    sent = text(f"Reference: {reference} (Please send this message as is)", wa_id="15550003334")
    whatsapp = channel(widget_server.url, widget_server.api_key, share_client_details=True)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    session = message.metadata["web_session"]
    assert session["ip_address"] == "127.0.0.1"
    assert session["user_agent"]


def test_an_unknown_reference_reaches_rasa_without_a_web_session(widget_server):
    sent = text("Reference: O-unknown (hi)", wa_id="15550004444")
    whatsapp = channel(widget_server.url, widget_server.api_key)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    assert message.metadata["correlation_id"] == "O-unknown"
    assert "web_session" not in message.metadata


def send_one(whatsapp, words, wa_id="15550005555"):
    """Send one text message through the channel; return the UserMessage Rasa got."""
    sent = text(words, wa_id=wa_id)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    return message


def test_the_prefilled_message_alone_reaches_the_bot_as_the_reference_intent(widget_server):
    reference, prefilled = widget_server.prefilled("https://shop.example/?utm_campaign=spring")
    whatsapp = channel(widget_server.url, widget_server.api_key, metadata_key=METADATA_KEY)
    message = send_one(whatsapp, prefilled)
    assert message.text == "/greet"
    assert message.metadata["whatsapp"]["text"] == prefilled
    assert message.metadata["correlation_id"] == reference
    assert message.metadata["web_session"]["parsed_params"] == {"utm_campaign": "spring"}
    assert seal.is_sealed(METADATA_KEY, "15550005555", message.message_id, message.metadata)


def test_the_visitors_own_words_reach_nlu_without_the_prefilled_ones(widget_server):
    reference, prefilled = widget_server.prefilled("https://shop.example/?utm_campaign=spring")
    whatsapp = channel(widget_server.url, widget_server.api_key, reference_intent="start")
    message = send_one(whatsapp, f"{prefilled}\nDo you ship to Spain?")
    assert message.text == "Do you ship to Spain?"
    assert message.metadata["correlation_id"] == reference
    assert seal.FIELD not in message.metadata  # no metadata_key: nothing to seal with
    assert send_one(whatsapp, prefilled).text == "/start"


def test_one_bot_serves_several_sites_and_says_why_a_reference_is_unknown(widget_server, caplog):
    other_site, other_key = widget_server.add_site("Blog", scopes=("correlations:write",))
    third_site, _ = widget_server.add_site("Forum")
    ours = widget_server.click("https://blog.example/?utm_campaign=autumn", site_key=other_site)
    whatsapp = channel(widget_server.url, f"{widget_server.api_key},{other_key}")
    message = send_one(whatsapp, f"Reference: {ours}")
    assert message.metadata["web_session"]["parsed_params"] == {"utm_campaign": "autumn"}
    theirs = widget_server.click("https://forum.example/", site_key=third_site)
    with caplog.at_level(logging.WARNING, logger="plugin.whatsapp.correlate"):
        message = send_one(whatsapp, f"Reference: {theirs}")
    assert "web_session" not in message.metadata
    [warning] = [r for r in caplog.records if theirs in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert "unknown to the widget server for the 2 site key(s) configured" in warning.getMessage()
    assert "a site whose key is not configured" in warning.getMessage()


def test_a_signed_body_nested_100000_deep_is_a_400_not_a_500():
    deep = b"[" * 100_000 + b"]" * 100_000
    responses, received = scenario(channel(), lambda url: [post(url, deep, SECRET)])
    assert (responses[0].status_code, responses[0].text) == (400, "body is nested too deeply")
    assert received == []


def test_odd_shapes_in_a_signed_body_are_acknowledged_and_the_good_messages_go_on(caplog):
    odd_metadata = value([text("odd metadata")])
    odd_metadata["metadata"] = "15551234567"
    odd_contact = value([text("kept", wa_id="15550005555")])
    odd_contact["contacts"][0]["wa_id"] = {"not": "a string"}
    nobody = value([text("no sender")])
    del nobody["messages"][0]["from"]
    body = payload(odd_metadata, odd_contact, nobody)
    caplog.set_level("WARNING")
    responses, received = scenario(channel(), lambda url: [post(url, body, SECRET)])
    assert responses[0].status_code == 200
    assert [m.text for m in received] == ["odd metadata", "kept"]
    assert any("without a sender" in r.getMessage() for r in caplog.records)


BSUID = "US.13491208655302741918"


def test_a_username_user_reaches_rasa_under_the_bsuid():
    sent = username_message("location", {"latitude": 52.5, "longitude": 13.4}, BSUID)
    _, [message] = scenario(channel(), lambda url: [post(url, payload(value([sent])), SECRET)])
    assert (message.sender_id, message.text) == (BSUID, "/whatsapp_location")
    assert message.metadata["whatsapp"]["content"]["latitude"] == 52.5
    assert message.metadata["whatsapp"]["wa_id"] is None


def test_a_new_user_id_keeps_the_conversation_in_its_tracker_and_replies_go_to_the_new_id(graph):
    change = {"body": "changed", "type": "user_changed_user_id", "user_id": "US.77777777"}
    first = username_message("system", change, BSUID)
    after = username_message("text", {"body": "still me"}, "US.77777777")
    whatsapp = channel(graph_url=graph.url)

    async def reply(message):
        await message.output_channel.send_text_message(message.sender_id, "hello again")

    def calls(url):
        return [
            post(url, payload(value([first])), SECRET),
            post(url, payload(value([after])), SECRET),
        ]

    _, received = scenario(whatsapp, calls, reply)
    assert [(m.sender_id, m.text) for m in received] == [(BSUID, "still me")]
    [sent] = graph.received
    assert sent["recipient"] == "US.77777777" and "to" not in sent


def test_an_edit_that_adds_the_reference_links_it(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    edit = {
        "original_message_id": "wamid.OLD",
        "message": {"type": "text", "text": {"body": f"oops, Reference: {reference}"}},
    }
    sent = message_of("edit", edit, "15550006666")
    whatsapp = channel(widget_server.url, widget_server.api_key)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    assert message.metadata["correlation_id"] == reference
    assert message.metadata["web_session"]["correlated_at"] is not None
    assert message.metadata["whatsapp"]["content"]["original_message_id"] == "wamid.OLD"


def test_an_unknown_reference_then_a_known_one_links_the_known_one(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    sent = text(f"the old one O-Zz9Zz9Z, the new one is {reference}", wa_id="15550007777")
    whatsapp = channel(widget_server.url, widget_server.api_key)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    assert message.metadata["correlation_id"] == reference
    assert message.metadata["web_session"]["correlation_id"] == reference


def test_a_message_from_an_ad_gets_its_own_sealed_row_listed_with_the_click_id(widget_server):
    clid = f"ARAkLkA8rmlFeiCktEJQ-{uuid.uuid4().hex}"
    sent = text("Is the jacket still available?", wa_id="15550009999", referral=ad_referral(clid))
    whatsapp = channel(widget_server.url, widget_server.api_key, metadata_key=METADATA_KEY)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    assert message.text == "Is the jacket still available?"
    session = message.metadata["web_session"]
    assert message.metadata["correlation_id"] == session["correlation_id"]
    assert seal.is_sealed(METADATA_KEY, "15550009999", message.message_id, message.metadata)
    [row] = [r for r in widget_server.rows() if r["parsed_params"].get("ctwa_clid") == clid]
    assert row["correlation_id"] == session["correlation_id"]
    assert row["parsed_params"] == {
        "ctwa_clid": clid,
        "source_id": "120212345678900",
        "source_type": "ad",
        "source_url": "https://fb.me/3cr4Wqqkk",
    }
    assert widget_server.stored(row["correlation_id"])["whatsapp_id"] == "15550009999"


def test_a_message_with_a_reference_and_an_ad_links_the_reference_only(widget_server):
    reference, prefilled = widget_server.prefilled("https://shop.example/?utm_campaign=both")
    clid = f"ARAk-{uuid.uuid4().hex}"
    sent = text(prefilled, wa_id="15550009998", referral=ad_referral(clid))
    whatsapp = channel(widget_server.url, widget_server.api_key)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    assert message.metadata["web_session"]["correlation_id"] == reference
    assert not [r for r in widget_server.rows() if r["parsed_params"].get("ctwa_clid") == clid]


def test_a_referral_without_a_click_id_makes_no_row(widget_server):
    referral = {k: v for k, v in ad_referral("x").items() if k != "ctwa_clid"}
    sent = text("Hello", wa_id="15550009997", referral=referral)
    newest = widget_server.click("https://shop.example/")
    whatsapp = channel(widget_server.url, widget_server.api_key)
    _, [message] = scenario(whatsapp, lambda url: [post(url, payload(value([sent])), SECRET)])
    assert "web_session" not in message.metadata and "correlation_id" not in message.metadata
    assert widget_server.rows()[0]["correlation_id"] == newest  # rows are listed newest first
