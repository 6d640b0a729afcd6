"""Serve the WhatsApp channel alone in a Sanic app on 127.0.0.1, inside the caller's loop."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from plugin.whatsapp import WhatsAppInput

_apps = 0
# Several apps in one process: Sanic then rewrites its methods from the originals each time.
Sanic.test_mode = True


@contextlib.asynccontextmanager
async def serve(
    channel: WhatsAppInput, on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> AsyncIterator[str]:
    """Yield the webhook URL of a running app that hands messages to on_new_message."""
    global _apps
    _apps += 1
    app = Sanic(f"whatsapp_channel_{_apps}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/whatsapp")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/whatsapp/webhook"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
