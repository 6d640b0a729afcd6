"""Link a conversation to its web session now, or keep the link to make in a store and sweep it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from plugin.server import ServerRejected, ServerUnavailable, WidgetServer
from plugin.whatsapp.payload import Inbound
from plugin.whatsapp.pending import Link, MemoryPending, RedisPending, now

logger = logging.getLogger(__name__)

# Backoff between tries while the server is down; the last delay repeats until max_age.
RETRY_DELAYS = (2, 5, 15, 30, 60, 120, 300, 600, 900)
MAX_AGE = 7 * 86400.0
SWEEP_EVERY = 1.0


class Correlator:
    """Try a message's references in order until the server knows one; retry while it is down."""

    def __init__(
        self,
        server: WidgetServer,
        pending: MemoryPending | RedisPending | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        max_age: float = MAX_AGE,
    ) -> None:
        self.server = server
        self.pending = pending if pending is not None else MemoryPending()
        self.retry_delays = tuple(retry_delays)
        self.max_age = max_age

    async def link(
        self, inbound: Inbound, candidates: Sequence[str]
    ) -> tuple[str | None, dict[str, Any] | None]:
        """Return (the reference linked, its web session row), or (None, None) when none is yet."""
        link = Link(
            message_id=inbound.message_id,
            candidates=tuple(candidates),
            whatsapp_id=inbound.sender_id,
            phone=inbound.wa_id,
            profile_name=inbound.profile_name,
            first_at=now(),
        )
        return await self._try(link)

    async def refer(
        self, inbound: Inbound, referral: dict[str, str]
    ) -> tuple[str | None, dict[str, Any] | None]:
        """Record the ad a message came from; return (its new reference, row), or (None, None)."""
        link = Link(
            message_id=inbound.message_id,
            candidates=(),
            whatsapp_id=inbound.sender_id,
            phone=inbound.wa_id,
            profile_name=inbound.profile_name,
            first_at=now(),
            referral=referral,
        )
        return await self._try(link)

    async def sweep(self) -> int:
        """Try every link now due once; return how many were tried."""
        links = await self.pending.claim(now())
        for link in links:
            try:
                await self._try(replace(link, attempt=link.attempt + 1), stored=True)
            except Exception:
                # One bad link must not stop the sweeper; it stays leased and comes back.
                logger.exception("Failed to retry the correlation of %s.", link.message_id)
        return len(links)

    async def sweep_forever(self, every: float = SWEEP_EVERY) -> None:
        """Sweep until cancelled (the channel's server stops)."""
        while True:
            await self.sweep()
            await asyncio.sleep(every)

    async def _try(
        self, link: Link, stored: bool = False
    ) -> tuple[str | None, dict[str, Any] | None]:
        """Try link's references in order; store what is left when the server is down."""
        if link.referral is not None:
            return await self._refer(link, link.referral, stored)
        for index, reference in enumerate(link.candidates):
            try:
                row = await self.server.correlate(
                    reference, link.whatsapp_id, link.message_id, link.profile_name, link.phone
                )
            except ServerUnavailable as exc:
                await self._later(replace(link, candidates=link.candidates[index:]), exc)
                return None, None
            except ServerRejected as exc:
                logger.error("Widget server refused to link %s: %s", reference, exc)
                continue
            if row is not None:
                if stored:
                    logger.warning("Linked %s to WhatsApp message %s.", reference, link.message_id)
                    await self.pending.done(link)
                return reference, row
            logger.warning(unknown(reference, len(self.server.api_keys)))
        if stored:
            await self.pending.done(link)
        return None, None

    async def _refer(
        self, link: Link, referral: dict[str, str], stored: bool
    ) -> tuple[str | None, dict[str, Any] | None]:
        """Record link's ad; store it when the server is down (the server is idempotent per id)."""
        try:
            row = await self.server.referral(
                link.whatsapp_id, link.message_id, link.profile_name, referral, link.phone
            )
        except ServerUnavailable as exc:
            await self._later(link, exc)
            return None, None
        except ServerRejected as exc:
            logger.error("Widget server refused the ad of message %s: %s", link.message_id, exc)
            row = None
        if stored:
            await self.pending.done(link)
        if row is None:
            return None, None
        if stored:
            logger.warning("Recorded the ad of WhatsApp message %s.", link.message_id)
        return row.get("correlation_id"), row

    async def _later(self, link: Link, problem: Exception) -> None:
        """Store link due after its next backoff delay, or give it up once it is too old."""
        if link.attempt and now() - link.first_at > self.max_age:
            logger.error("Gave up linking %s (message %s).", what(link), link.message_id)
            await self.pending.done(link)
            return
        delay = self.retry_delays[min(link.attempt, len(self.retry_delays) - 1)]
        logger.warning(
            "Widget server unavailable (%s); will link %s of message %s in %s s.",
            problem,
            what(link),
            link.message_id,
            delay,
        )
        await self.pending.add(link, now() + delay)


def what(link: Link) -> str:
    """Name what link is to make, for the log."""
    if link.referral is not None:
        return f"the ad {link.referral.get('ctwa_clid')}"
    return link.candidates[0]


def unknown(correlation_id: str, keys: int) -> str:
    """Say why a reference found no web session."""
    return (
        f"Reference {correlation_id} is unknown to the widget server for the {keys} site "
        "key(s) configured: a reference of a site whose key is not configured, a mistyped "
        "reference, or an erased session."
    )
