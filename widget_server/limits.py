"""The server's one rate limiter (the `limits` library): clicks, logins, correlations, endpoints.

Every caller counts by hand, so no hook runs on every request: Flask-Limiter's before, after
and teardown hooks cost each click about 7% of its instructions and did nothing for it.
"""

import time
from typing import cast

from flask import Flask, current_app, request
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from widget_server.clicks.client_ip import client_ip

EXTENSION = "rate_limiter"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage, swept of expired counts by its callers once a second: no thread.

    Its parent restarts a Timer thread for the sweep every 10 ms while it is counting, which
    cost the click link a thread per few clicks. A fixed window needs no sweep to be right
    (a count read after its expiry reads as 0); the sweep only frees the memory of keys that
    are no longer counted, such as visitors gone.
    """

    def __init__(self, uri: str | None = None, **options: object):
        super().__init__(uri, **options)  # type: ignore[arg-type]
        self.timer.cancel()
        self._swept_at = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the parent's Timer restart
        now = time.monotonic()
        if now - self._swept_at >= SWEEP_SECONDS:
            self._swept_at = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Count where RATELIMIT_STORAGE_URI says: memory:// per process, redis://... shared by all."""
    uri = app.config["RATELIMIT_STORAGE_URI"]
    memory = uri.partition(":")[0] == "memory"
    # storage_from_string gives an async storage only for an async:// scheme.
    storage = SweptMemoryStorage() if memory else cast(Storage, storage_from_string(uri))
    app.extensions[EXTENSION] = FixedWindowRateLimiter(storage)


def rate_limiter() -> RateLimiter:
    """Return the app's limiter."""
    limiter: RateLimiter = current_app.extensions[EXTENSION]
    return limiter


def client_address() -> str:
    """Return the client's address, read through the trusted proxies as the click path does."""
    return (
        client_ip(
            request.remote_addr,
            request.headers.get("X-Forwarded-For"),
            current_app.config["TRUSTED_PROXIES"],
        )
        or "unknown"
    )
