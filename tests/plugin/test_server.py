"""The widget server's client against the real widget server: each answer maps to one outcome."""

import asyncio

import pytest

from plugin.server import ServerRejected, ServerUnavailable, WidgetServer


def call(client, method, *args):
    """Run one client call in a fresh loop and close the client's session."""

    async def go():
        try:
            return await getattr(client, method)(*args)
        finally:
            await client.close()

    return asyncio.run(go())


def test_correlate_links_the_session_and_returns_its_row(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    client = WidgetServer(widget_server.url + "/", widget_server.api_key)
    row = call(client, "correlate", reference, "15550009999", "wamid.server1", "Kerry")
    assert row["correlation_id"] == reference
    assert row["correlated_at"] is not None
    assert row["parsed_params"] == {"utm_campaign": "spring"}


def test_attribution_returns_the_row_and_none_when_unknown(widget_server):
    reference = widget_server.click("https://shop.example/?utm_source=fb")
    client = WidgetServer(widget_server.url, widget_server.api_key)
    assert call(client, "attribution", reference)["parsed_params"] == {"utm_source": "fb"}
    assert call(client, "attribution", "O-zzzzzzz") is None


def test_set_lead_type_returns_the_updated_row(widget_server):
    reference = widget_server.click("https://shop.example/")
    client = WidgetServer(widget_server.url, widget_server.api_key)
    assert call(client, "set_lead_type", reference, "warm")["lead_type"] == "warm"


def test_a_wrong_key_is_rejected_with_the_servers_message(widget_server):
    client = WidgetServer(widget_server.url, "wah_not_a_key")
    with pytest.raises(ServerRejected, match="HTTP 401"):
        call(client, "attribution", "O-aB3dE9z")


def test_no_server_listening_is_unavailable():
    client = WidgetServer("http://127.0.0.1:9", "key", timeout=1)
    with pytest.raises(ServerUnavailable, match="GET /integrations/external/attribution/O-aB3dE9z"):
        call(client, "attribution", "O-aB3dE9z")


def test_close_twice_and_reuse_after_close(widget_server):
    client = WidgetServer(widget_server.url, widget_server.api_key)

    async def go():
        await client.attribution("O-zzzzzzz")
        await client.close()
        await client.close()
        try:
            return await client.attribution("O-zzzzzzz")
        finally:
            await client.close()

    assert asyncio.run(go()) is None
