"""Read and check the channel's settings from credentials.yml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from rasa.shared.exceptions import RasaException

KEY = "plugin.whatsapp.WhatsAppInput"
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
REQUIRED = (
    "verify_token",
    "app_secret",
    "access_token",
    "phone_number_id",
    "server_url",
    "server_api_key",
)


# Settings that take one value or several: a YAML list, or one string separated by commas.
LISTS = ("server_api_key", "reference_templates")


class SettingsError(RasaException):
    """A setting of the WhatsApp channel is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """What the channel needs to talk to Meta and to the widget server."""

    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    server_url: str
    # One key per site the bot serves (scope correlations:write), tried in turn.
    server_api_key: tuple[str, ...]
    graph_url: str = DEFAULT_GRAPH_URL
    redis_url: str | None = None
    server_timeout: float = 2.0
    dedupe_ttl: int = 86400
    # The intent a message that is only the pre-filled reference is handed to the bot as.
    reference_intent: str = "greet"
    # The sites' own message templates, beside the widget server's default one.
    reference_templates: tuple[str, ...] = ()
    # Shared with the action server (WA_HANDOFF_METADATA_KEY): seals the web session metadata.
    metadata_key: str | None = None
    # Hand the bot the visitor's IP address and user agent too (by default it gets neither).
    share_client_details: bool = False

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> Settings:
        """Build settings from the channel's credentials.yml block, or raise SettingsError."""
        if not credentials:
            raise SettingsError(f"credentials.yml has no settings under '{KEY}:'; need {REQUIRED}")
        unknown = set(credentials) - set(cls.__dataclass_fields__)
        if unknown:
            raise SettingsError(f"'{KEY}': unknown setting(s) {sorted(unknown)}")
        missing = [name for name in REQUIRED if not str(credentials.get(name) or "").strip()]
        if missing:
            raise SettingsError(f"'{KEY}': missing setting(s) {missing} in credentials.yml")
        lists = {name: _strings(name, credentials.get(name)) for name in LISTS}
        values: dict[str, Any] = {
            name: str(value).strip()
            for name, value in credentials.items()
            if value and name not in (*LISTS, "share_client_details")
        }
        share = credentials.get("share_client_details", False)
        if share not in (True, False):
            raise SettingsError(f"'{KEY}': share_client_details must be true or false")
        values["share_client_details"] = share
        if not lists["server_api_key"]:
            raise SettingsError(
                f"'{KEY}': missing setting(s) ['server_api_key'] in credentials.yml"
            )
        values["server_api_key"] = lists["server_api_key"]
        values["reference_templates"] = _templates(lists["reference_templates"])
        if not re.fullmatch(r"[^\s/{}\[\]@]+", values.get("reference_intent", "greet")):
            raise SettingsError(f"'{KEY}': reference_intent must be an intent name, like greet")
        if not re.fullmatch(r"\d{5,20}", values["phone_number_id"]):
            raise SettingsError(f"'{KEY}': phone_number_id must be digits (the Cloud API's id)")
        for name in ("server_url", "graph_url"):
            if name in values:
                values[name] = _http_url(name, values[name])
        if "redis_url" in values and urlsplit(values["redis_url"]).scheme not in (
            "redis",
            "rediss",
            "unix",
        ):
            raise SettingsError(f"'{KEY}': redis_url must look like redis://host:6379/0")
        for name, kind in (("server_timeout", float), ("dedupe_ttl", int)):
            if name in values:
                values[name] = _positive(name, values[name], kind)
        return cls(**values)


def _strings(name: str, value: Any) -> tuple[str, ...]:
    """Return a list setting as its non-blank strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",") if name == "server_api_key" else [value]
    elif isinstance(value, list):
        items = value
    else:
        raise SettingsError(f"'{KEY}': {name} must be a string or a list of strings")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _templates(templates: tuple[str, ...]) -> tuple[str, ...]:
    """Return templates if each holds {reference} once, as the widget server requires."""
    for template in templates:
        if template.count("{reference}") != 1:
            raise SettingsError(
                f"'{KEY}': each of reference_templates must hold {{reference}} once, "
                f"got {template!r}"
            )
    return templates


def _http_url(name: str, value: str) -> str:
    """Return value without a trailing slash if it is an http(s) URL with a host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"'{KEY}': {name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _positive(name: str, value: str, kind: type) -> Any:
    """Return value as a positive number of the given kind."""
    try:
        number = kind(value)
    except ValueError:
        raise SettingsError(f"'{KEY}': {name} must be a number, got {value!r}") from None
    if number <= 0:
        raise SettingsError(f"'{KEY}': {name} must be positive, got {value!r}")
    return number
