"""The duplicate filters: in-process with a TTL, and Redis shared between instances."""

import asyncio
import time
import uuid

from plugin.whatsapp.dedupe import MemoryDedupe, RedisDedupe


def firsts(store, ids):
    """Return first_time for each id, in order, then close the store."""

    async def go():
        try:
            return [await store.first_time(i) for i in ids]
        finally:
            await store.close()

    return asyncio.run(go())


def test_memory_remembers_an_id_until_its_ttl_runs_out():
    store = MemoryDedupe(ttl=1)
    assert firsts(store, ["a", "a", "b"]) == [True, False, True]
    store._seen["a"] = time.monotonic() - 1  # as if a second had passed
    assert firsts(store, ["a", "b"]) == [True, False]


def test_memory_forgets_the_oldest_ids_beyond_its_size():
    store = MemoryDedupe(ttl=60, max_size=2)
    assert firsts(store, ["a", "b", "c", "a", "c"]) == [True, True, True, True, False]


def test_redis_shares_ids_between_stores(redis_url):
    message_id = f"wamid.{uuid.uuid4().hex}"
    assert firsts(RedisDedupe(redis_url, ttl=60), [message_id]) == [True]
    assert firsts(RedisDedupe(redis_url, ttl=60), [message_id, message_id]) == [False, False]


def test_redis_sets_the_ttl(redis_url):
    import redis

    message_id = f"wamid.{uuid.uuid4().hex}"
    firsts(RedisDedupe(redis_url, ttl=86400), [message_id])
    ttl = redis.Redis.from_url(redis_url).ttl(RedisDedupe.PREFIX + message_id)
    assert 86000 < ttl <= 86400


def test_unreachable_redis_lets_messages_through():
    store = RedisDedupe("redis://127.0.0.1:9/0", ttl=60)
    assert firsts(store, ["x", "x"]) == [True, True]
