"""Read and check the action server's settings from its WA_HANDOFF_* environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

SERVER_URL = "WA_HANDOFF_SERVER_URL"
API_KEYS = "WA_HANDOFF_ACTION_API_KEYS"
METADATA_KEY = "WA_HANDOFF_METADATA_KEY"
WHATSAPP_CHANNELS = "WA_HANDOFF_WHATSAPP_CHANNELS"
TIMEOUT = "WA_HANDOFF_TIMEOUT"
SHARE_CLIENT_DETAILS = "WA_HANDOFF_SHARE_CLIENT_DETAILS"
# The action server's key was WA_HANDOFF_API_KEY, the name the channel's key went by too.
RENAMED = {"WA_HANDOFF_API_KEY": API_KEYS}


class ActionSettingsError(ValueError):
    """A WA_HANDOFF_* variable of the action server is missing or malformed."""


@dataclass(frozen=True)
class ActionSettings:
    """How the action server reaches the widget server, and whom it trusts."""

    server_url: str | None = None
    # One key per site (attribution:read and attribution:write; correlations:write to link
    # the conversations of other WhatsApp channels), tried in turn.
    api_keys: tuple[str, ...] = ()
    # Shared with the WhatsApp channel (its metadata_key): checks the seal on its metadata.
    metadata_key: str | None = None
    # Input channels other than plugin.whatsapp whose senders are WhatsApp users (e.g. twilio).
    whatsapp_channels: tuple[str, ...] = ()
    timeout: float = 2.0
    # Keep the visitor's IP address and user agent in the web_session slot of a fetched row.
    share_client_details: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> ActionSettings:
        """Return the settings of the environment, raising ActionSettingsError naming a bad one."""
        for old, new in RENAMED.items():
            if environ.get(old, "").strip() and not environ.get(new, "").strip():
                raise ActionSettingsError(f"{old} is now {new} for the action server: rename it")
        url, keys = environ.get(SERVER_URL, "").strip(), _list(environ.get(API_KEYS, ""))
        if bool(url) != bool(keys):
            missing, given = (SERVER_URL, API_KEYS) if not url else (API_KEYS, SERVER_URL)
            raise ActionSettingsError(f"{missing} is not set, but {given} is: set both or neither")
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ActionSettingsError(f"{SERVER_URL} must be an http(s) URL, got {url!r}")
        channels = _list(environ.get(WHATSAPP_CHANNELS, ""))
        for name in channels:
            if not re.fullmatch(r"[\w.-]+", name):
                raise ActionSettingsError(
                    f"{WHATSAPP_CHANNELS} must name input channels, got {name!r}"
                )
        share = environ.get(SHARE_CLIENT_DETAILS, "").strip().lower()
        if share not in ("", "true", "false"):
            raise ActionSettingsError(
                f"{SHARE_CLIENT_DETAILS} must be true or false, got {share!r}"
            )
        return cls(
            share_client_details=share == "true",
            server_url=url.rstrip("/") or None,
            api_keys=keys,
            metadata_key=environ.get(METADATA_KEY, "").strip() or None,
            whatsapp_channels=channels,
            timeout=_timeout(environ.get(TIMEOUT, "").strip()),
        )


def _list(value: str) -> tuple[str, ...]:
    """Return the non-blank items of a comma-separated value."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


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
