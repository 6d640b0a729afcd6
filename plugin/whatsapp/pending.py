"""Correlations still to make while the widget server is down: in Redis, so a restart keeps them."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as redis

logger = logging.getLogger(__name__)

# Claim due links and push them a lease ahead in one step, so two Rasa instances sweeping the
# same Redis never try one link at once; a sweeper that dies mid-try leaves it due at lease end.
CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
"""
LEASE = 60.0
# Keys of a bot that is gone (or renamed) expire a while after their last link: 8 days.
KEEP = 8 * 86400


@dataclass(frozen=True)
class Link:
    """One message's correlation to make: its references in order (or its ad), and who sent it."""

    message_id: str
    candidates: tuple[str, ...]
    whatsapp_id: str
    phone: str | None
    profile_name: str | None
    attempt: int = 0
    first_at: float = 0.0
    # A click-to-WhatsApp ad's ids, for a message without references (see payload.ad_referral).
    referral: dict[str, str] | None = None

    def to_json(self) -> str:
        """Serialise for the store."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Link | None:
        """Read back what to_json wrote; None for anything else."""
        try:
            fields: dict[str, Any] = json.loads(raw)
            return cls(**{**fields, "candidates": tuple(fields["candidates"])})
        except (ValueError, TypeError, KeyError):
            return None


class MemoryPending:
    """Keep links to make in this process: a restart loses them (no redis_url set)."""

    def __init__(self) -> None:
        self._links: dict[str, tuple[float, Link]] = {}

    async def add(self, link: Link, due: float) -> None:
        """Make link due at time due (replacing an earlier one for its message)."""
        self._links[link.message_id] = (due, link)

    async def claim(self, now: float, limit: int = 20) -> list[Link]:
        """Return up to limit links due by now, leased so no other sweep takes them meanwhile."""
        due = [link for at, link in self._links.values() if at <= now][:limit]
        for link in due:
            self._links[link.message_id] = (now + LEASE, link)
        return due

    async def done(self, link: Link) -> None:
        """Forget link: made, refused, or given up."""
        self._links.pop(link.message_id, None)

    async def close(self) -> None:
        """Release nothing: the memory goes with the process."""


class RedisPending:
    """Keep links to make in Redis, shared by every Rasa instance and kept across restarts."""

    def __init__(self, url: str, namespace: str) -> None:
        self.due_key = f"wa-handoff:whatsapp:pending:{namespace}:due"
        self.links_key = f"wa-handoff:whatsapp:pending:{namespace}:links"
        self._redis = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._claim = self._redis.register_script(CLAIM)
        self.fallback = MemoryPending()

    async def add(self, link: Link, due: float) -> None:
        """Make link due at time due; in this process only if Redis cannot take it."""
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(self.links_key, link.message_id, link.to_json())
                pipe.zadd(self.due_key, {link.message_id: due})
                pipe.expire(self.links_key, KEEP)
                pipe.expire(self.due_key, KEEP)
                await pipe.execute()
        except (redis.RedisError, OSError) as exc:
            logger.warning("Redis unavailable (%s): %s is retried in this process only.", exc, link)
            await self.fallback.add(link, due)

    async def claim(self, now: float, limit: int = 20) -> list[Link]:
        """Return up to limit links due by now, leased for LEASE seconds."""
        links = await self.fallback.claim(now, limit)
        try:
            ids = await self._claim(keys=[self.due_key], args=[now, now + LEASE, limit])
            raws = await self._redis.hmget(self.links_key, ids) if ids else []
        except (redis.RedisError, OSError) as exc:
            logger.warning("Redis unavailable (%s); pending links wait for it.", exc)
            return links
        for message_id, raw in zip(ids, raws, strict=True):
            link = Link.from_json(raw) if raw is not None else None
            if link is None:
                await self._redis.zrem(self.due_key, message_id)
                continue
            links.append(link)
        return links

    async def done(self, link: Link) -> None:
        """Forget link in Redis and here."""
        await self.fallback.done(link)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zrem(self.due_key, link.message_id)
                pipe.hdel(self.links_key, link.message_id)
                await pipe.execute()
        except (redis.RedisError, OSError) as exc:
            # The lease runs out and the link is tried again: the server's answer is idempotent.
            logger.warning("Redis unavailable (%s); %s may be tried once more.", exc, link)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.close()


def make_pending(redis_url: str | None, namespace: str) -> MemoryPending | RedisPending:
    """Return the Redis store when redis_url is set, the in-process one otherwise."""
    return RedisPending(redis_url, namespace) if redis_url else MemoryPending()


def now() -> float:
    """Return wall-clock seconds: due times must mean the same to every instance and restart."""
    return time.time()
