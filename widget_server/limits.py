"""The server's one rate limiter (the `limits` library): clicks, logins, correlations, endpoints.

Every caller counts programmatically, so no per-request hook runs: Flask-Limiter's before,
after and teardown hooks cost every click a seventh of its time (bench/click.py) and did
nothing for it.
"""

from flask import Flask, current_app, request
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from widget_server.clicks.client_ip import client_ip

EXTENSION = "rate_limiter"


def init_app(app: Flask) -> None:
    """Count where RATELIMIT_STORAGE_URI says: memory:// per process, redis://... shared by all."""
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
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
