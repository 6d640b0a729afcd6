"""The output channel against a local stand-in for the Graph API."""

import asyncio

from plugin.whatsapp.graph import GraphClient
from plugin.whatsapp.output import WhatsAppOutput

TOKEN = "graph-token-for-tests"


def output(graph, retry_delays=(0.01, 0.01, 0.01)):
    """Return an output channel posting to the stand-in."""
    return WhatsAppOutput(GraphClient(graph.url, "1098765432", TOKEN, retry_delays))


def send(channel, message):
    """Send one Rasa bot message through channel and close its session."""

    async def go():
        try:
            await channel.send_response("15550001111", dict(message))
        finally:
            await channel.graph.close()

    asyncio.run(go())


def test_text_goes_to_the_messages_endpoint_with_the_token(graph):
    send(output(graph), {"text": "Hello there"})
    [body] = graph.received
    assert body["path"] == "/v21.0/1098765432/messages"
    assert graph.headers[0]["Authorization"] == f"Bearer {TOKEN}"
    assert body["messaging_product"] == "whatsapp"
    assert (body["to"], body["type"]) == ("15550001111", "text")
    assert body["text"]["body"] == "Hello there"


def test_up_to_three_buttons_are_reply_buttons_with_short_titles(graph):
    buttons = [
        {"title": "Yes, show me the spring collection", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]
    send(output(graph), {"text": "Interested?", "buttons": buttons})
    [body] = graph.received
    interactive = body["interactive"]
    assert (body["type"], interactive["type"]) == ("interactive", "button")
    assert interactive["body"]["text"] == "Interested?"
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert replies == [
        {"id": "/affirm", "title": "Yes, show me the spr"},
        {"id": "/deny", "title": "No"},
    ]
    assert all(len(r["title"]) <= 20 for r in replies)


def test_more_than_three_buttons_become_a_list_of_at_most_ten_rows(graph):
    buttons = [{"title": f"Size number {n} in the catalog", "payload": f"/s{n}"} for n in range(12)]
    send(output(graph), {"text": "Pick a size", "buttons": buttons})
    [body] = graph.received
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"/s{n}" for n in range(10)]
    assert rows[0]["title"] == "Size number 0 in the cat"
    assert rows[0]["description"] == "Size number 0 in the catalog"
    assert all(len(r["title"]) <= 24 for r in rows)
    assert len(interactive["action"]["button"]) <= 20


def test_image_is_sent_by_link(graph):
    send(output(graph), {"image": "https://shop.example/spring.jpg"})
    [body] = graph.received
    assert (body["type"], body["image"]) == ("image", {"link": "https://shop.example/spring.jpg"})


def test_custom_json_passes_through_with_product_and_recipient(graph):
    template = {"type": "template", "template": {"name": "hello_world", "language": {"code": "en"}}}
    send(output(graph), {"custom": template})
    [body] = graph.received
    assert body == {
        "path": "/v21.0/1098765432/messages",
        "messaging_product": "whatsapp",
        "to": "15550001111",
        **template,
    }


def test_429_and_5xx_are_retried_until_it_goes_through(graph):
    graph.failures = [429, 503, 500]
    send(output(graph), {"text": "third time lucky"})
    assert [b["text"]["body"] for b in graph.received] == ["third time lucky"]
    assert graph.failures == []


def test_retries_are_bounded_and_a_lost_reply_does_not_raise(graph):
    graph.failures = [503] * 10
    send(output(graph, retry_delays=(0.01, 0.01)), {"text": "never arrives"})
    assert graph.received == []
    assert len(graph.failures) == 7  # three attempts, then it gives up


def test_a_client_error_is_not_retried(graph):
    graph.failures = [400, 400]
    send(output(graph), {"text": "bad"})
    assert graph.received == []
    assert graph.failures == [400]


def test_a_username_user_is_addressed_by_bsuid_in_recipient_as_meta_documents(graph):
    channel = output(graph)

    async def go():
        try:
            await channel.send_response("US.13491208655302741918", {"text": "Hi"})
            await channel.send_response("US.ENT.11815799212886844830", {"text": "Hi"})
            await channel.send_response("US.13491208655302741918", {"custom": {"type": "text"}})
        finally:
            await channel.graph.close()

    asyncio.run(go())
    assert [body.get("recipient") for body in graph.received] == [
        "US.13491208655302741918",
        "US.ENT.11815799212886844830",
        "US.13491208655302741918",
    ]
    assert all("to" not in body for body in graph.received)


def test_a_reply_goes_to_the_address_the_channel_names_over_the_tracker_id(graph):
    channel = WhatsAppOutput(
        GraphClient(graph.url, "1098765432", TOKEN, (0.01,)), address="US.77777777"
    )

    async def go():
        try:
            await channel.send_response("US.13491208655302741918", {"text": "Hi"})
        finally:
            await channel.graph.close()

    asyncio.run(go())
    assert graph.received[0]["recipient"] == "US.77777777"
