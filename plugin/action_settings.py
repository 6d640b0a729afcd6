"""Read and check the action server's settings from its WA_HANDOFF_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

SERVER_URL = "WA_HANDOFF_SERVER_URL"
API_KEY = "WA_HANDOFF_API_KEY"
TIMEOUT = "WA_HANDOFF_TIMEOUT"


class ActionSettingsError(ValueError):
    """A WA_HANDOFF_* variable of the action server is missing or malformed."""


@dataclass(frozen=True)
class ActionSettings:
    """Where the action server finds the widget server, and how long it waits for it."""

    server_url: str
    api_key: str
    timeout: float = 2.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> ActionSettings | None:
        """Return the settings; None when no widget server is configured; raise when one is bad."""
        url, key = environ.get(SERVER_URL, "").strip(), environ.get(API_KEY, "").strip()
        if not url and not key:
            return None
        if not url or not key:
            missing, given = (SERVER_URL, API_KEY) if not url else (API_KEY, SERVER_URL)
            raise ActionSettingsError(f"{missing} is not set, but {given} is: set both or neither")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ActionSettingsError(f"{SERVER_URL} must be an http(s) URL, got {url!r}")
        return cls(url.rstrip("/"), key, _timeout(environ.get(TIMEOUT, "").strip()))


def _timeout(value: str) -> float:
    """Return the timeout in seconds: the default when unset, else a positive number."""
    if not value:
        return ActionSettings.timeout
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ActionSettingsError(f"{TIMEOUT} must be a positive number of seconds, got {value!r}")
    return seconds
