"""The one rate limiter: counted in memory without a thread of its own, or in Redis."""

import threading
import time

from limits import parse
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter

from widget_server import create_app, limits
from widget_server.limits import SweptMemoryStorage

REDIS = "redis://127.0.0.1:6379"


def test_memory_counts_like_limits_own_storage_and_starts_no_thread():
    limiter = FixedWindowRateLimiter(SweptMemoryStorage())
    item = parse("3 per minute")
    threads = threading.active_count()
    hits = [limiter.hit(item, "click", f"client{n % 2}") for n in range(8)]
    assert hits == [True] * 6 + [False] * 2
    assert threading.active_count() == threads  # limits' own restarts a Timer every 10 ms


def test_counts_whose_window_ended_are_swept_by_the_next_hit(monkeypatch):
    monkeypatch.setattr(limits, "SWEEP_SECONDS", 0.05)
    storage = SweptMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    for n in range(50):
        limiter.hit(parse("5 per second"), "click", f"visitor{n}")
    assert len(storage.storage) == 50
    time.sleep(1.1)  # the windows of a second have ended
    assert limiter.hit(parse("5 per second"), "click", "another")
    assert len(storage.storage) == 1 and len(storage.expirations) == 1


def test_the_app_counts_in_memory_or_in_redis_as_configured():
    memory = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    shared = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": REDIS}
    )
    assert isinstance(memory.extensions["rate_limiter"].storage, SweptMemoryStorage)
    assert isinstance(shared.extensions["rate_limiter"].storage, RedisStorage)
