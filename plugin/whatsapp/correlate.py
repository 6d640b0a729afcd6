"""Link a conversation to its web session now, or keep trying in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from plugin.server import ServerRejected, ServerUnavailable, WidgetServer
from plugin.whatsapp.payload import Inbound

logger = logging.getLogger(__name__)

# About an hour in all: long enough to ride out a deploy or a restart of the widget server.
RETRY_DELAYS = (2, 5, 15, 30, 60, 120, 300, 300, 600, 600, 900, 900)


class Correlator:
    """Call POST /correlations once inline, then retry with backoff while the server is down."""

    def __init__(self, server: WidgetServer, retry_delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.server = server
        self.retry_delays = tuple(retry_delays)
        self.pending: set[asyncio.Task[None]] = set()

    async def link(self, inbound: Inbound, correlation_id: str) -> dict[str, Any] | None:
        """Return the web session row for correlation_id, or None (unknown, or linked later)."""
        try:
            row = await self._post(inbound, correlation_id)
        except ServerUnavailable as exc:
            logger.warning("Widget server unavailable (%s); will link %s later.", exc, inbound)
            task = asyncio.create_task(self._retry(inbound, correlation_id))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
            return None
        except ServerRejected as exc:
            logger.error("Widget server refused to link %s: %s", correlation_id, exc)
            return None
        if row is None:
            logger.warning(unknown(correlation_id, len(self.server.api_keys)))
        return row

    async def _retry(self, inbound: Inbound, correlation_id: str) -> None:
        """Retry the (idempotent per message id) correlation until it goes through or we give up."""
        for delay in self.retry_delays:
            await asyncio.sleep(delay)
            try:
                await self._post(inbound, correlation_id)
            except ServerUnavailable:
                continue
            except ServerRejected as exc:
                logger.error("Widget server refused to link %s: %s", correlation_id, exc)
                return
            logger.info("Linked %s to WhatsApp message %s.", correlation_id, inbound.message_id)
            return
        logger.error("Gave up linking %s (message %s).", correlation_id, inbound.message_id)

    async def _post(self, inbound: Inbound, correlation_id: str) -> dict[str, Any] | None:
        """Send one correlation request."""
        return await self.server.correlate(
            correlation_id, inbound.wa_id, inbound.message_id, inbound.profile_name
        )


def unknown(correlation_id: str, keys: int) -> str:
    """Say why a reference found no web session."""
    return (
        f"Reference {correlation_id} is unknown to the widget server for the {keys} site "
        "key(s) configured: a reference of a site whose key is not configured, a mistyped "
        "reference, or an erased session."
    )
