"""Keep one tracker per person when Meta gives them a new user id (`user_changed_user_id`)."""

from __future__ import annotations

import logging

import redis.asyncio as redis

logger = logging.getLogger(__name__)


class MemoryAliases:
    """Map new user ids to the sender id their conversation started under, in this process."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    async def sender_id(self, user_id: str) -> str:
        """Return the sender id of the conversation user_id belongs to."""
        return self._first.get(user_id, user_id)

    async def changed(self, old: str, new: str) -> None:
        """Record that the person known as old is now known as new."""
        self._first[new] = await self.sender_id(old)

    async def close(self) -> None:
        """Release nothing: the memory goes with the process."""


class RedisAliases:
    """Map new user ids to the first sender id in Redis, for every instance and across restarts."""

    KEY = "wa-handoff:whatsapp:aliases"

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)

    async def sender_id(self, user_id: str) -> str:
        """Return the sender id of the conversation user_id belongs to (user_id if Redis fails)."""
        try:
            first = await self._redis.hget(self.KEY, user_id)
        except (redis.RedisError, OSError) as exc:
            logger.warning("Redis unavailable (%s); %s keeps its own tracker.", exc, user_id)
            return user_id
        return first.decode() if first else user_id

    async def changed(self, old: str, new: str) -> None:
        """Record that the person known as old is now known as new."""
        first = await self.sender_id(old)
        try:
            await self._redis.hset(self.KEY, new, first)
        except (redis.RedisError, OSError) as exc:
            logger.warning("Redis unavailable (%s); %s starts a new tracker.", exc, new)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.close()


def make_aliases(redis_url: str | None) -> MemoryAliases | RedisAliases:
    """Return the Redis map when redis_url is set, the in-process one otherwise."""
    return RedisAliases(redis_url) if redis_url else MemoryAliases()
