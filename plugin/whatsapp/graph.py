"""Send messages through the Cloud API: POST {graph}/{phone_number_id}/messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
MAX_RETRY_AFTER = 10.0


class GraphError(Exception):
    """The Cloud API refused a message, or kept failing after the retries."""


class GraphClient:
    """Post message bodies to the Cloud API, retrying 429 and 5xx with bounded backoff."""

    def __init__(
        self,
        graph_url: str,
        phone_number_id: str,
        access_token: str,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.url = f"{graph_url.rstrip('/')}/{phone_number_id}/messages"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.retry_delays = tuple(retry_delays)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """Post one message body; return Meta's answer or raise GraphError."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        problem = ""
        for delay in (*self.retry_delays, None):
            try:
                async with self._session.post(self.url, json=body, headers=self.headers) as resp:
                    answer = await resp.json(content_type=None)
                    if resp.status < 400:
                        return answer if isinstance(answer, dict) else {}
                    problem = f"HTTP {resp.status}: {answer}"
                    if resp.status != 429 and resp.status < 500:
                        raise GraphError(problem)
                    delay = _retry_after(resp.headers.get("Retry-After"), delay)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                problem = repr(exc)
            if delay is None:
                break
            logger.info("Cloud API said %s; retrying in %.1f s.", problem, delay)
            await asyncio.sleep(delay)
        raise GraphError(f"gave up after {len(self.retry_delays) + 1} attempts: {problem}")

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def _retry_after(header: str | None, delay: float | None) -> float | None:
    """Honour a numeric Retry-After within bounds; keep our own delay otherwise."""
    if delay is None or not header:
        return delay
    try:
        return min(max(float(header), delay), MAX_RETRY_AFTER)
    except ValueError:
        return delay
