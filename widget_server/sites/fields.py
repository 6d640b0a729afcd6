"""The checks of a site's settings, shared by the CLI and the dashboard."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import limits

from widget_server.errors import OperatorError
from widget_server.models import REFERENCE
from widget_server.sites import privacy_settings

# E.164 without the plus: a country code never starts with 0, at most 15 digits in all.
NUMBER = re.compile(r"[1-9][0-9]{6,14}")
LONGEST_WINDOW = 24 * 365


class InvalidSite(OperatorError):
    """A site setting that cannot be used, naming the field and why."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field.replace('_', ' ')}: {reason}")
        self.field = field
        self.reason = reason


def clean_name(value: str) -> str:
    """Return the name trimmed, or raise ValueError."""
    if not value.strip() or len(value) > 200:
        raise ValueError("must be 1 to 200 characters")
    return value.strip()


def clean_number(value: str) -> str:
    """Return a WhatsApp number written as digits, or raise ValueError."""
    if not NUMBER.fullmatch(value):
        raise ValueError(
            "use the international number as digits only, e.g. 15551234567 "
            "(no +, spaces or leading 0; 7 to 15 digits)"
        )
    return value


def clean_message(value: str) -> str:
    """Return a message template that has a place for the reference, or raise ValueError."""
    if REFERENCE not in value:
        raise ValueError(f"must contain {REFERENCE}, where the correlation ID goes")
    if len(value) > 1000:
        raise ValueError("must be at most 1000 characters")
    return value


def clean_reuse_hours(value: int) -> int:
    """Return a reuse window in hours, or raise ValueError."""
    if not 1 <= value <= LONGEST_WINDOW:
        raise ValueError(f"must be from 1 to {LONGEST_WINDOW} hours")
    return value


def clean_base_url(value: str) -> str:
    """Return a WhatsApp base URL without its trailing slash, or raise ValueError."""
    # urlsplit silently drops CR, LF and tab; in a Location header they would break every click.
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise ValueError("must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ValueError("must be an http(s) URL without a query, e.g. https://wa.me")
    return value.rstrip("/")


def clean_click_limit(value: str | None) -> str | None:
    """Return a rate such as `60 per minute` (or none, for the server's default), or raise."""
    if value is None or not value.strip():
        return None
    try:
        limits.parse_many(value)
    except ValueError:
        raise ValueError("must be a rate such as '60 per minute' or '10/second'") from None
    if len(value) > 100:
        raise ValueError("must be at most 100 characters")
    return value.strip()


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": clean_name,
    "whatsapp_number": clean_number,
    "message": clean_message,
    "reuse_hours": clean_reuse_hours,
    "whatsapp_base_url": clean_base_url,
    "click_limit_client": clean_click_limit,
    "click_limit_site": clean_click_limit,
    "ip_policy": privacy_settings.clean_ip_policy,
    "retention_days": privacy_settings.clean_retention_days,
    "private_params": privacy_settings.clean_private_params,
}


def cleaned(**fields: Any) -> dict[str, Any]:
    """Check every given field; raise InvalidSite for the first that fails."""
    out = {}
    for name, value in fields.items():
        try:
            out[name] = CLEANERS[name](value)
        except ValueError as error:
            raise InvalidSite(name, str(error)) from None
    return out
