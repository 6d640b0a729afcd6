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


class AppLimiter(Limiter):
    """Flask-Limiter, whose check before every request leaves out the click link."""

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        # The click link has no route limits: it counts in click_limits, where a click over its
        # limit still goes on. Resolving nothing here cost it a sixth of its time (bench/click.py).
        if in_middleware and request.blueprint == "widget":
            return
        super()._check_request_limit(callable_name, in_middleware)


# Storage from the RATELIMIT_STORAGE_URI setting: memory:// counts per process, redis://...
# shares the counts across workers and hosts. (A storage_uri given here would override it.)
limiter = AppLimiter(key_func=client_address, default_limits=[])
