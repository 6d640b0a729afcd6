"""Linking a conversation to its web session: inline, or retried while the server is down."""

import asyncio

from plugin.server import WidgetServer
from plugin.whatsapp.correlate import Correlator
from plugin.whatsapp.payload import Inbound

DOWN = "http://127.0.0.1:9"


def inbound(message_id):
    """Return the message that carries a reference."""
    return Inbound("15550007777", message_id, "Reference: ...", "text", profile_name="Kerry")


def test_a_known_reference_is_linked_inline(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    correlator = Correlator(WidgetServer(widget_server.url, widget_server.api_key))

    async def go():
        try:
            return await correlator.link(inbound("wamid.inline"), reference)
        finally:
            await correlator.server.close()

    row = asyncio.run(go())
    assert row["correlation_id"] == reference
    assert widget_server.attribution(reference).json()["data"]["correlated_at"] is not None
    assert not correlator.pending


def test_a_server_that_is_down_is_retried_until_it_links(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    server = WidgetServer(DOWN, widget_server.api_key, timeout=1)
    correlator = Correlator(server, retry_delays=(0.05, 0.05, 0.05))

    async def go():
        try:
            assert await correlator.link(inbound("wamid.later"), reference) is None
            assert correlator.pending
            server.url = widget_server.url  # the server comes back
            await asyncio.gather(*correlator.pending)
        finally:
            await server.close()

    asyncio.run(go())
    assert widget_server.attribution(reference).json()["data"]["correlated_at"] is not None
    assert not correlator.pending


def test_a_refusal_is_not_retried(widget_server):
    correlator = Correlator(WidgetServer(widget_server.url, "wah_not_a_key"))

    async def go():
        try:
            return await correlator.link(inbound("wamid.refused"), "O-aB3dE9z")
        finally:
            await correlator.server.close()

    assert asyncio.run(go()) is None
    assert not correlator.pending


def test_retries_give_up_after_the_last_delay():
    server = WidgetServer(DOWN, "key", timeout=1)
    correlator = Correlator(server, retry_delays=(0.01, 0.01))

    async def go():
        try:
            assert await correlator.link(inbound("wamid.never"), "O-aB3dE9z") is None
            [task] = correlator.pending
            await task
            return task
        finally:
            await server.close()

    task = asyncio.run(go())
    assert task.done() and task.exception() is None
    assert not correlator.pending
