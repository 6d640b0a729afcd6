"""The one rate limiter of the server (Flask-Limiter), keyed by the client's address."""

from flask import current_app, request
from flask_limiter import Limiter

from widget_server.clicks.client_ip import client_ip


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


# Storage from the RATELIMIT_STORAGE_URI setting: memory:// counts per process, redis://...
# shares the counts across workers and hosts. (A storage_uri given here would override it.)
limiter = Limiter(key_func=client_address, default_limits=[])
