"""Remember which Cloud API message ids were already handled, so a redelivery is one turn."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

import redis.asyncio as redis

logger = logging.getLogger(__name__)


class MemoryDedupe:
    """Remember message ids in this process for ttl seconds (one Rasa instance only)."""

    def __init__(self, ttl: int, max_size: int = 100_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, message_id: str) -> bool:
        """Record message_id; tell whether it was new."""
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) < now:
            self._seen.popitem(last=False)
        if message_id in self._seen:
            return False
        if len(self._seen) >= self.max_size:
            self._seen.popitem(last=False)
        self._seen[message_id] = now + self.ttl
        return True

    async def close(self) -> None:
        """Release nothing: the memory goes with the process."""


class RedisDedupe:
    """Remember message ids in Redis, shared by every Rasa instance behind the webhook."""

    PREFIX = "wa-handoff:whatsapp:seen:"

    def __init__(self, url: str, ttl: int) -> None:
        self.ttl = ttl
        self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)

    async def first_time(self, message_id: str) -> bool:
        """Record message_id with SET NX EX; tell whether it was new."""
        try:
            added = await self._redis.set(self.PREFIX + message_id, 1, nx=True, ex=self.ttl)
        except (redis.RedisError, OSError) as exc:
            # A duplicate turn is better than a lost message: let it through.
            logger.warning("Redis dedupe unavailable (%s); handling %s anyway.", exc, message_id)
            return True
        return bool(added)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.close()


def make_dedupe(redis_url: str | None, ttl: int) -> MemoryDedupe | RedisDedupe:
    """Return the Redis store when redis_url is set, the in-process one otherwise."""
    return RedisDedupe(redis_url, ttl) if redis_url else MemoryDedupe(ttl)
