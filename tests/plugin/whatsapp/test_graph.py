"""The Cloud API client against a local stand-in: answers, bounded retries, Retry-After."""

import asyncio

import pytest

from plugin.whatsapp.graph import MAX_RETRY_AFTER, GraphClient, GraphError, _retry_after

BODY = {"messaging_product": "whatsapp", "to": "15550001111", "type": "text", "text": {"body": "x"}}


def send(graph, retry_delays=(0.01, 0.01)):
    """Send BODY through a client of the stand-in, closing its session afterwards."""
    client = GraphClient(graph.url + "/", "1098765432", "token", retry_delays)

    async def go():
        try:
            return await client.send(BODY)
        finally:
            await client.close()

    return asyncio.run(go())


def test_a_sent_message_returns_metas_answer(graph):
    assert send(graph) == {"messages": [{"id": "wamid.out"}]}
    assert graph.received == [{"path": "/v21.0/1098765432/messages", **BODY}]


def test_after_the_last_retry_it_raises_with_the_last_problem(graph):
    graph.failures = [500, 502, 503, 504]
    with pytest.raises(GraphError, match="gave up after 3 attempts: HTTP 503"):
        send(graph)
    assert graph.failures == [504]


def test_a_client_error_raises_at_once(graph):
    graph.failures = [403, 403]
    with pytest.raises(GraphError, match="HTTP 403"):
        send(graph)
    assert graph.failures == [403]


def test_nobody_listening_raises_after_the_retries():
    client = GraphClient("http://127.0.0.1:9", "1098765432", "token", (0.01,))

    async def go():
        try:
            await client.send(BODY)
        finally:
            await client.close()

    with pytest.raises(GraphError, match="gave up after 2 attempts"):
        asyncio.run(go())


def test_retry_after_is_honoured_within_bounds():
    assert _retry_after("3", 0.5) == 3.0
    assert _retry_after("0", 0.5) == 0.5  # never sooner than our own backoff
    assert _retry_after("3600", 0.5) == MAX_RETRY_AFTER
    assert _retry_after("Wed, 21 Oct 2026 07:28:00 GMT", 0.5) == 0.5
    assert _retry_after(None, 0.5) == 0.5
    assert _retry_after("3", None) is None  # no retry left
